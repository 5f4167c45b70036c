"""Errors on pages are pages: a log-in redirect, or an error page in the user's language.

The JSON API keeps its {"error": {...}} bodies; the page routers mark their requests (request.state.web)
so that the same CorridorError renders as HTML there.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from corridor.domain.errors import CorridorError
from corridor.web.deps import LoginRequired, render


def mark_web(request: Request) -> None:
    request.state.web = True


def install_web_error_handlers(app: FastAPI) -> None:
    previous: Any = app.exception_handlers.get(CorridorError)

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, exc: LoginRequired) -> Response:
        reason = "&expired=1" if exc.reason == "expired" else ""
        if request.headers.get("hx-request"):
            # htmx cannot follow a redirect into a fragment: tell it to load the log-in page instead.
            return Response(
                status_code=401, headers={"HX-Redirect": f"/login?next={quote(exc.next_url)}{reason}"}
            )
        return RedirectResponse(f"/login?next={quote(exc.next_url)}{reason}", status_code=303)

    @app.exception_handler(CorridorError)
    async def corridor_error(request: Request, exc: CorridorError) -> Response:
        if getattr(request.state, "web", False):
            # No user context here: the request's database session is already closed.
            return render(request, "error.html", {"error": exc}, status_code=exc.status)
        if previous is not None:
            result: Response = await previous(request, exc)
            return result
        return JSONResponse(exc.to_body(), status_code=exc.status)
