"""Page dependencies: the logged-in user (or a redirect to the log-in page), CSRF checks, rendering."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from corridor import __version__
from corridor.accounts.config import account_settings
from corridor.accounts.deps import SESSION_COOKIE, Auth
from corridor.accounts.roles import Permission, can
from corridor.accounts.security import same
from corridor.accounts.service import resolve
from corridor.api.deps import SessionDep
from corridor.domain.errors import Forbidden
from corridor.web.i18n import LANGUAGE_NAMES, LOCALES, Translator, negotiate

HERE = Path(__file__).resolve().parent
LANG_COOKIE = "corridor_lang"
templates = Jinja2Templates(directory=str(HERE / "templates"))
templates.env.globals["version"] = __version__


def _evidence_value(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:,.2f}"
    if isinstance(value, list | tuple):
        return ", ".join(_evidence_value(v) for v in value)
    return str(value)


def evidence_lines(evidence: object) -> list[tuple[str, str]]:
    """A hit's evidence as readable (field, value) lines: the consignment's fields first, then each
    goods item that fired, named by its sequence number."""
    if not isinstance(evidence, dict):
        return [("", _evidence_value(evidence))]
    lines: list[tuple[str, str]] = []
    for key, value in evidence.items():
        if key == "fields" and isinstance(value, dict):
            lines += [(str(k), _evidence_value(v)) for k, v in value.items()]
        elif key == "goods" and isinstance(value, list):
            for item in value:
                if not isinstance(item, dict):
                    continue
                seq = item.get("goods.sequence", "?")
                lines += [
                    (f"item {seq}: {k}", _evidence_value(v)) for k, v in item.items() if k != "goods.sequence"
                ]
        elif isinstance(value, dict):
            lines += [(f"{key}.{k}", _evidence_value(v)) for k, v in value.items()]
        else:
            lines.append((str(key), _evidence_value(value)))
    return lines


templates.env.filters["evidence_lines"] = evidence_lines
templates.env.globals["language_names"] = LANGUAGE_NAMES
templates.env.globals["Permission"] = Permission
# The profile pages (pages_profiles) run on corridor.risk.service.
templates.env.globals["profiles_available"] = True


class LoginRequired(Exception):
    """Raised by page dependencies; answered with a redirect to /login (see web.errors)."""

    def __init__(self, next_url: str, reason: str | None) -> None:
        super().__init__(reason or "login required")
        self.next_url = next_url
        self.reason = reason


def page_auth(request: Request, session: SessionDep) -> Auth:
    resolved = resolve(session, request.cookies.get(SESSION_COOKIE), kind="browser")
    if resolved.row is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise LoginRequired(target, resolved.reason)
    auth = Auth(resolved.row.user, resolved.row, "cookie")
    request.state.auth = auth
    # Kept as plain strings: an error page is rendered after the database session has closed.
    request.state.ui = (auth.user.locale, auth.user.timezone)
    return auth


PageAuth = Annotated[Auth, Depends(page_auth)]


async def csrf_checked(request: Request, auth: PageAuth) -> Auth:
    """Every POST of a page carries the session's CSRF token, as a form field or an htmx header."""
    sent = request.headers.get("X-CSRF-Token")
    if sent is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        value = form.get("csrf_token")
        sent = value if isinstance(value, str) else None
    if not same(sent, auth.csrf_token):
        raise Forbidden(
            "the form is out of date or was not sent by this workbench; reload the page", where="csrf"
        )
    return auth


CsrfAuth = Annotated[Auth, Depends(csrf_checked)]


def translator_for(request: Request, auth: Auth | None) -> Translator:
    if auth is not None:
        return Translator(auth.user.locale, auth.user.timezone)
    ui = getattr(request.state, "ui", None)
    if ui is not None:
        return Translator(*ui)
    wanted = request.cookies.get(LANG_COOKIE)
    locale = wanted if wanted in LOCALES else negotiate(request.headers.get("accept-language"))
    return Translator(locale, "Asia/Baku")


def render(
    request: Request,
    name: str,
    context: dict[str, Any] | None = None,
    *,
    auth: Auth | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    t = translator_for(request, auth)
    ctx: dict[str, Any] = {
        "t": t,
        "locale": t.locale,
        "auth": auth,
        "user": auth.user if auth else None,
        "csrf": auth.csrf_token if auth else "",
        "can": (lambda p: can(auth.user.role, p)) if auth else (lambda p: False),
        "path": request.url.path,
        "quote": quote,
    }
    ctx.update(context or {})
    response = templates.TemplateResponse(request, name, ctx, status_code=status_code)
    # Pages show personal and sensitive data: never cache them, never frame them.
    response.headers["Cache-Control"] = "no-store"
    return response


def set_session_cookie(response: Any, request: Request, token: str) -> None:
    secure = account_settings().cookie_secure
    if secure is None:
        secure = request.url.scheme == "https" or request.headers.get("x-forwarded-proto") == "https"
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=secure,
        path="/",
        max_age=account_settings().session_max_hours * 3600,
    )
