"""Log-in, log-out, the first-run administrator set-up, and the language switch."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlparse

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from corridor.accounts.config import account_settings
from corridor.accounts.deps import SESSION_COOKIE, client_ip
from corridor.accounts.oidc import STATE_COOKIE, STATE_MAX_AGE, OidcError, OidcProvider, get_oidc_provider
from corridor.accounts.oidc import find_user as oidc_find_user
from corridor.accounts.oidc import refuse as oidc_refuse
from corridor.accounts.roles import Role
from corridor.accounts.security import new_secret, same
from corridor.accounts.service import (
    NewUser,
    authenticate,
    close_session,
    count_users,
    create_user,
    ensure_agency,
    open_session,
    set_locale,
)
from corridor.api.deps import SessionDep
from corridor.domain.errors import CorridorError, Forbidden
from corridor.web.deps import LANG_COOKIE, CsrfAuth, render, set_session_cookie
from corridor.web.errors import mark_web
from corridor.web.i18n import LOCALES

router = APIRouter(include_in_schema=False, dependencies=[Depends(mark_web)])
LOGIN_CSRF_COOKIE = "corridor_login_csrf"


def safe_next(value: str | None) -> str:
    """Only local paths: a log-in link must not send the officer to another site."""
    if not value:
        return "/queue"
    parsed = urlparse(value)
    if parsed.scheme or parsed.netloc or not value.startswith("/") or value.startswith("//"):
        return "/queue"
    return value


def _login_page(
    request: Request, status: int = 200, template: str = "login.html", **context: object
) -> Response:
    # Double-submit token for the log-in form: there is no session yet to hold a CSRF token.
    token = request.cookies.get(LOGIN_CSRF_COOKIE) or new_secret()
    context.setdefault("oidc_enabled", account_settings().oidc_enabled)
    response = render(request, template, {"login_csrf": token, **context}, status_code=status)
    response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict", path="/")
    return response


def _check_login_csrf(request: Request, sent: str) -> None:
    if not same(sent, request.cookies.get(LOGIN_CSRF_COOKIE)):
        raise Forbidden(
            "the log-in form is out of date or was not sent by this workbench; reload it", where="csrf"
        )


@router.get("/login")
def login_form(
    request: Request, session: SessionDep, next: str | None = None, expired: int = 0, logged_out: int = 0
) -> Response:
    if count_users(session) == 0:
        return RedirectResponse("/setup", status_code=303)
    return _login_page(request, next=safe_next(next), expired=bool(expired), logged_out=bool(logged_out))


OidcDep = Annotated[OidcProvider | None, Depends(get_oidc_provider)]


@router.get("/login/oidc")
def oidc_start(request: Request, session: SessionDep, provider: OidcDep, next: str | None = None) -> Response:
    """Single sign-on: off to the identity provider's authorization endpoint (code flow, PKCE)."""
    if provider is None:
        return RedirectResponse("/login", status_code=303)
    try:
        started = provider.start(safe_next(next))
    except OidcError as error:
        oidc_refuse(session, error, ip=client_ip(request))
        return _login_page(request, status=502, error=error.reason, next=safe_next(next))
    response = RedirectResponse(started.url, status_code=303)
    response.set_cookie(
        STATE_COOKIE,
        started.cookie,
        max_age=STATE_MAX_AGE,
        httponly=True,
        samesite="lax",
        path="/login/oidc",
        secure=request.url.scheme == "https" or bool(account_settings().cookie_secure),
    )
    return response


@router.get("/login/oidc/callback")
def oidc_callback(
    request: Request,
    session: SessionDep,
    provider: OidcDep,
    code: str | None = None,
    state: str | None = None,
    error: str | None = None,
) -> Response:
    if provider is None:
        return RedirectResponse("/login", status_code=303)
    ip = client_ip(request)
    try:
        claims, next_path = provider.finish(
            code=code, state=state, error=error, cookie=request.cookies.get(STATE_COOKIE)
        )
        user = oidc_find_user(session, provider.config, claims, ip=ip)
    except OidcError as refused:
        oidc_refuse(session, refused, ip=ip)
        response = _login_page(request, status=401, error=refused.reason, next="/queue")
        response.delete_cookie(STATE_COOKIE, path="/login/oidc")
        return response
    opened = open_session(session, user, ip=ip, via="oidc")
    response = RedirectResponse(safe_next(next_path), status_code=303)
    set_session_cookie(response, request, opened.token)
    response.delete_cookie(STATE_COOKIE, path="/login/oidc")
    return response


@router.post("/login")
def login(
    request: Request,
    session: SessionDep,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=1024)],
    csrf_token: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/queue",
) -> Response:
    _check_login_csrf(request, csrf_token)
    try:
        user = authenticate(session, username, password, ip=client_ip(request))
    except CorridorError as error:
        return _login_page(
            request, status=error.status, error=error.detail, username=username, next=safe_next(next)
        )
    opened = open_session(session, user, ip=client_ip(request))
    response = RedirectResponse(safe_next(next), status_code=303)
    set_session_cookie(response, request, opened.token)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/")
    return response


@router.post("/logout")
def logout(request: Request, session: SessionDep, auth: CsrfAuth) -> Response:
    close_session(session, request.cookies.get(SESSION_COOKIE), ip=client_ip(request))
    response = RedirectResponse("/login?logged_out=1", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/setup")
def setup_form(request: Request, session: SessionDep) -> Response:
    if count_users(session) > 0:
        return RedirectResponse("/login", status_code=303)
    return _login_page(request, template="setup.html", form={})


@router.post("/setup")
def setup(
    request: Request,
    session: SessionDep,
    agency: Annotated[str, Form(max_length=20)],
    agency_name: Annotated[str, Form(max_length=200)],
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=1024)],
    password2: Annotated[str, Form(max_length=1024)],
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    """First run only: the first account is an administrator; afterwards this page is closed."""
    _check_login_csrf(request, csrf_token)
    if count_users(session) > 0:
        raise Forbidden("set-up is done: an administrator exists; log in instead")
    form = {"agency": agency, "agency_name": agency_name, "username": username}
    if password != password2:
        return _login_page(
            request, status=422, template="setup.html", form=form, error="the two passwords differ"
        )
    try:
        ensure_agency(session, agency, agency_name)
        user = create_user(
            session,
            NewUser(username=username, password=password, role=Role.ADMINISTRATOR.value, agency=agency),
        )
    except CorridorError as error:
        session.rollback()
        return _login_page(request, status=error.status, template="setup.html", form=form, error=error.detail)
    opened = open_session(session, user, ip=client_ip(request), via="setup")
    response = RedirectResponse("/admin/users", status_code=303)
    set_session_cookie(response, request, opened.token)
    return response


@router.post("/preferences/locale")
def change_locale(
    session: SessionDep,
    auth: CsrfAuth,
    locale: Annotated[str, Form()],
    next: Annotated[str, Form()] = "/queue",
) -> Response:
    set_locale(session, auth.user, locale)
    response = RedirectResponse(safe_next(next), status_code=303)
    # Also remembered by the browser, so that the log-in page after a time-out speaks the same language.
    response.set_cookie(LANG_COOKIE, locale, httponly=True, samesite="lax", path="/", max_age=365 * 86400)
    return response


@router.get("/lang/{code}")
def anonymous_locale(code: str, next: str | None = None) -> Response:
    """Before log-in the language is a cookie; after log-in it is the user's stored preference."""
    response = RedirectResponse(safe_next(next or "/login"), status_code=303)
    if code in LOCALES:
        response.set_cookie(LANG_COOKIE, code, httponly=True, samesite="lax", path="/", max_age=365 * 86400)
    return response
