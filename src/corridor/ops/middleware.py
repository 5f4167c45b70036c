"""Per-request plumbing: a request id (X-Request-ID in and out), one access line, HTTP metrics.

A plain ASGI middleware rather than BaseHTTPMiddleware: it does not buffer streamed responses
and keeps the request's context variables visible to everything the request runs.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from corridor.ops.logs import request_id_var
from corridor.ops.metrics import Metrics

access_log = logging.getLogger("corridor.access")

REQUEST_ID_HEADER = "x-request-id"
# A caller's id is kept when it is a sane token (a load balancer's or a partner's trace id);
# anything else is replaced so that a header cannot inject text into the log.
_VALID_ID = re.compile(r"^[A-Za-z0-9._:/+=-]{1,128}$")
UNMATCHED = "<unmatched>"


def route_template(scope: Scope, status: int) -> str:
    """The route's path template (/consignments/{ref}), never the raw path: labels stay few."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    if isinstance(path, str):
        return path
    root = scope.get("root_path") or ""
    if root and status != 404:
        return f"{root}/*"  # a mounted app (static files): one label for the whole mount
    return UNMATCHED


def _username(scope: Scope) -> str | None:
    auth = (scope.get("state") or {}).get("auth")
    user = getattr(auth, "user", None)
    try:
        name = getattr(user, "username", None)
    except SQLAlchemyError:
        # The request's database session has committed and closed: the row can no longer load its
        # expired attributes. The access line goes without the user rather than the request failing.
        return None
    return name if isinstance(name, str) else None


class RequestContextMiddleware:
    def __init__(self, app: ASGIApp, metrics: Metrics | None = None) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = _header(scope, REQUEST_ID_HEADER)
        request_id = incoming if incoming and _VALID_ID.match(incoming) else uuid.uuid4().hex
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        status = 500
        user: str | None = None
        if self.metrics is not None:
            self.metrics.in_progress.inc()

        async def send_with_id(message: Message) -> None:
            nonlocal status, user
            if message["type"] == "http.response.start":
                status = int(message["status"])
                # Read now: once the request's database session closes, the user row is expired.
                user = _username(scope)
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"x-request-id"]
                headers.append((b"x-request-id", request_id.encode("ascii")))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            route = route_template(scope, status)
            method = scope.get("method", "")
            if self.metrics is not None:
                self.metrics.in_progress.dec()
                if route != "/metrics":
                    self.metrics.observe(method, route, status, elapsed)
            self._log(scope, method, route, status, elapsed, user)
            request_id_var.reset(token)

    @staticmethod
    def _log(scope: Scope, method: str, route: str, status: int, elapsed: float, user: str | None) -> None:
        fields: dict[str, Any] = {
            "method": method,
            "path": scope.get("path", ""),
            "route": route,
            "status": status,
            "duration_ms": round(elapsed * 1000, 2),
            "user": user,
            "client": (scope.get("client") or ("", 0))[0] or None,
        }
        level = logging.ERROR if status >= 500 else logging.INFO
        access_log.log(level, "%s %s %s", method, fields["path"], status, extra=fields)


def _header(scope: Scope, name: str) -> str | None:
    wanted = name.encode("latin-1")
    for key, value in scope.get("headers", []):
        if key.lower() == wanted:
            return str(value.decode("latin-1"))
    return None
