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
