"""JSON API of accounts: log-in for scripts, who am I, API tokens, audit search."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response

from corridor.accounts.deps import SESSION_COOKIE, ApiAuth, Auth, client_ip, requires
from corridor.accounts.roles import Permission
from corridor.accounts.schemas import AuditOut, AuditPage, LoginIn, MeOut, TokenIn, TokenOut
from corridor.accounts.service import (
    AuditFilter,
    authenticate,
    close_session,
    issue_api_token,
    open_session,
    search_audit,
)
from corridor.api.deps import SessionDep

router = APIRouter(tags=["accounts"])


def _me(auth: Auth, with_csrf: bool) -> MeOut:
    user = auth.user
    return MeOut(
        username=user.username,
        display_name=user.display_name,
        role=user.role,
        agency=user.agency.code,
        offices=[o.code for o in user.offices],
        locale=user.locale,
        csrf_token=auth.csrf_token if with_csrf else None,
    )


@router.post("/auth/login", response_model=MeOut, summary="Log in; sets the session cookie")
def login(request: Request, response: Response, session: SessionDep, body: LoginIn) -> MeOut:
    from corridor.web.deps import set_session_cookie

    user = authenticate(session, body.username, body.password, ip=client_ip(request))
    opened = open_session(session, user, ip=client_ip(request), via="api")
    set_session_cookie(response, request, opened.token)
    return _me(Auth(user, opened.row, "cookie"), True)


@router.post("/auth/logout", status_code=204, summary="End the cookie session")
def logout(request: Request, session: SessionDep, auth: ApiAuth) -> Response:
    close_session(session, request.cookies.get(SESSION_COOKIE), ip=client_ip(request))
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/auth/me", response_model=MeOut, summary="The authenticated user")
def me(auth: ApiAuth) -> MeOut:
    return _me(auth, auth.via == "cookie")


@router.post("/auth/tokens", response_model=TokenOut, summary="Issue an API token for yourself")
def new_token(session: SessionDep, auth: ApiAuth, body: TokenIn) -> TokenOut:
    return TokenOut(token=issue_api_token(session, auth.user, body.label, days=body.days))


@router.get("/audit-log", response_model=AuditPage, summary="Search the audit log (administrators)")
def audit_log(
    session: SessionDep,
    auth: Annotated[Auth, Depends(requires(Permission.SEARCH_AUDIT))],
    username: str | None = None,
    action: str | None = None,
    object_type: str | None = None,
    object_id: str | None = None,
    office: str | None = None,
    outcome: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> AuditPage:
    flt = AuditFilter(username, action, object_type, object_id, office, outcome, since, until)
    rows, total = search_audit(session, flt, limit=limit, offset=offset)
    return AuditPage(total=total, items=[AuditOut.model_validate(r, from_attributes=True) for r in rows])
