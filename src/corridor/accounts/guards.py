"""Protection of the consignment and ingest JSON API (mounted with this guard in corridor.api.app).

Reads need VIEW_CONSIGNMENTS, writes and ingest batches need INGEST. A consignment addressed by
reference must be in the caller's scope (else 404, audited); a caller limited to some offices must
name one of them in `office=` when listing, because the list route filters by one office.
"""

from __future__ import annotations

from fastapi import Request

from corridor.accounts.deps import api_auth, client_ip
from corridor.accounts.roles import Permission, can
from corridor.accounts.service import audit, visible_offices
from corridor.api.deps import SessionDep
from corridor.domain.errors import Forbidden


def consignments_guard(request: Request, session: SessionDep) -> None:
    auth = api_auth(request, session)
    user = auth.user
    writing = request.method in ("POST", "PUT", "PATCH", "DELETE") or request.url.path.startswith("/ingest")
    needed = Permission.INGEST if writing else Permission.VIEW_CONSIGNMENTS
    if not can(user.role, needed):
        raise Forbidden(f"a {user.role.replace('_', ' ')} may not {needed.value.replace('_', ' ')}")
    ref = request.path_params.get("ref")
    if ref is not None:
        from corridor.cases.service import scoped_row

        row = scoped_row(session, user, ref, ip=client_ip(request))
        audit(
            session,
            user,
            "consignment.view",
            "consignment",
            str(row.id),
            office=row.office,
            ip=client_ip(request),
            summary=row.key,
            detail={"via": "api", "path": request.url.path},
        )
        session.commit()
        return
    scope = visible_offices(session, user)
    if scope is not None and request.method == "GET" and request.url.path == "/consignments":
        office = request.query_params.get("office")
        if office not in scope:
            raise Forbidden(
                f"name one of your offices in office= ({', '.join(sorted(scope)) or 'none'})", where="office"
            )
    # Hand the connection back before the route runs: ingest and its screening and assessment open
    # sessions of their own, and a request holding two pooled connections at once can exhaust the pool
    # under load (every worker holding one, waiting for another).
    session.commit()


# --- guards the domain routers add to routes that return consignments ----------------------------


def consignment_id_in_scope(request: Request, session: SessionDep) -> None:
    """`{consignment_id}` in the path must be a consignment the caller may see (else 404, audited)."""
    from corridor.cases.service import scoped_row

    user = api_auth(request, session).user
    raw = request.path_params.get("consignment_id")
    if raw is not None:
        scoped_row(session, user, int(raw) if str(raw).isdigit() else str(raw), ip=client_ip(request))


async def body_ids_in_scope(request: Request, session: SessionDep) -> None:
    """Every stored consignment named in the JSON body's `ids` must be in the caller's scope."""
    from corridor.cases.service import scoped_row

    user = api_auth(request, session).user
    if visible_offices(session, user) is None:
        return
    try:
        body = await request.json()
    except ValueError:
        return  # the route's own validation answers
    ids = body.get("ids") if isinstance(body, dict) else None
    if isinstance(ids, list):
        for ref in ids[:10_000]:
            if isinstance(ref, int | str):
                scoped_row(session, user, ref, ip=client_ip(request))


def agency_wide_only(request: Request, session: SessionDep) -> None:
    """For lists of consignments that a route cannot filter by office: users limited to their own
    offices are refused (the workbench shows them the same links, kept to their offices)."""
    from corridor.accounts.roles import SCOPES, Role, Scope

    user = api_auth(request, session).user
    if SCOPES[Role(user.role)] is Scope.OWN_OFFICES:
        raise Forbidden(
            "this list is not limited to your offices; the alerts page (/alerts) shows the consignments "
            "of your offices",
            where="scope",
        )
