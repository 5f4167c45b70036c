"""Security headers on every response: what a browser may load, frame, send and cache.

The workbench loads its scripts and styles from /static only (htmx and Leaflet are packaged, never
from a CDN), so scripts are limited to 'self' with no inline code. Styles allow 'unsafe-inline':
the templates size bars and colour legend swatches with style attributes, and Leaflet and htmx
write inline styles; a style cannot run code, so this is the accepted trade-off. The interactive
API documentation (/docs, /redoc) is FastAPI's Swagger UI and ReDoc, which load from their CDN
with an inline bootstrap script; those two pages get a policy of their own and are the only ones
that may reach another origin.
"""

from __future__ import annotations

from collections.abc import Iterable

from fastapi import FastAPI
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

WORKBENCH_CSP = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
_DOCS_CDN = "https://cdn.jsdelivr.net"
DOCS_CSP = "; ".join(
    (
        "default-src 'self'",
        f"script-src 'self' 'unsafe-inline' {_DOCS_CDN}",
        f"style-src 'self' 'unsafe-inline' {_DOCS_CDN}",
        f"img-src 'self' data: {_DOCS_CDN} https://fastapi.tiangolo.com",
        f"font-src 'self' {_DOCS_CDN} https://fonts.gstatic.com",
        "connect-src 'self'",
        f"worker-src 'self' blob: {_DOCS_CDN}",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
DOCS_PATHS = frozenset({"/docs", "/docs/oauth2-redirect", "/redoc"})
PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=(), hid=(), "
    "midi=(), magnetometer=(), gyroscope=(), accelerometer=(), display-capture=()"
)
# Two years, the preload list's minimum; no includeSubDomains: a node's name may share a parent
# domain with hosts Corridor does not control.
HSTS = "max-age=63072000"
# Packaged, versioned assets; everything else is dynamic and may carry personal or case data.
STATIC_PREFIX = "/static/"


def headers_for(path: str, https: bool) -> list[tuple[str, str]]:
    """The headers a response to `path` gets (unless the route set them itself)."""
    found = [
        ("Content-Security-Policy", DOCS_CSP if path in DOCS_PATHS else WORKBENCH_CSP),
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "DENY"),
        ("Referrer-Policy", "same-origin"),
        ("Permissions-Policy", PERMISSIONS_POLICY),
        ("Cross-Origin-Opener-Policy", "same-origin"),
    ]
    if not path.startswith(STATIC_PREFIX):
        found.append(("Cache-Control", "no-store"))
    if https:
        found.append(("Strict-Transport-Security", HSTS))
    return found


class SecurityHeaders:
    """Pure ASGI middleware: adds the headers at http.response.start, keeping any a route set."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = headers_for(str(scope.get("path", "")), scope.get("scheme") == "https")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                _add_missing(MutableHeaders(scope=message), extra)
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _add_missing(headers: MutableHeaders, extra: Iterable[tuple[str, str]]) -> None:
    for name, value in extra:
        if name not in headers:
            headers[name] = value


def install_security_headers(app: FastAPI) -> None:
    app.add_middleware(SecurityHeaders)
