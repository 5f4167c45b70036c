"""Who is calling: a browser session cookie (with CSRF on unsafe methods) or an API bearer token.

Bearer tokens are not sent by browsers on their own, so they need no CSRF token; a session cookie is,
so every POST/PUT/PATCH/DELETE authenticated by the cookie must carry the session's CSRF token.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from corridor.accounts.models import SessionRow, UserRow
from corridor.accounts.roles import Permission, can
from corridor.accounts.security import same
from corridor.accounts.service import resolve
from corridor.api.deps import SessionDep
from corridor.domain.errors import Forbidden, Unauthorized

SESSION_COOKIE = "corridor_session"
CSRF_HEADER = "X-CSRF-Token"
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})


@dataclass(slots=True)
class Auth:
    user: UserRow
    session_row: SessionRow
    via: str  # "cookie" or "token"

    @property
    def csrf_token(self) -> str:
        return self.session_row.csrf_token


def client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None


def bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def authenticate_request(session: Session, request: Request) -> Auth:
    token = bearer(request)
    if token is not None:
        resolved = resolve(session, token, kind="api")
        if resolved.row is None:
            raise Unauthorized(f"the API token is {resolved.reason}", where="authorization")
        return Auth(resolved.row.user, resolved.row, "token")
    cookie = request.cookies.get(SESSION_COOKIE)
    resolved = resolve(session, cookie, kind="browser")
    if resolved.row is None:
        reason = (
            "log in first"
            if resolved.reason in ("missing", "unknown")
            else f"the session is {resolved.reason}"
        )
        raise Unauthorized(
            f"{reason}: send 'Authorization: Bearer <token>' or log in at /login", where="authorization"
        )
    auth = Auth(resolved.row.user, resolved.row, "cookie")
    if request.method in UNSAFE and not same(request.headers.get(CSRF_HEADER), auth.csrf_token):
        raise Forbidden(
            f"missing or wrong {CSRF_HEADER} header for a cookie-authenticated request", where="csrf"
        )
    return auth


def api_auth(request: Request, session: SessionDep) -> Auth:
    auth = authenticate_request(session, request)
    request.state.auth = auth
    return auth


ApiAuth = Annotated[Auth, Depends(api_auth)]


def requires(permission: Permission) -> Callable[[Auth], Auth]:
    def check(auth: ApiAuth) -> Auth:
        if not can(auth.user.role, permission):
            raise Forbidden(
                f"a {auth.user.role.replace('_', ' ')} may not {permission.value.replace('_', ' ')}"
            )
        return auth

    return check
