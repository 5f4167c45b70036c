"""Watch lists: the imported lists and their versions, screening a name (htmx), and the screening hits
of recent consignments with the analyst's decision (true match / false positive).

Everything goes through corridor.screening: decisions are kept by `record_decision` against the
entry's present content (they lapse when the entry changes), and the consignment is re-screened at
once so that its hits show the decision. Hits are office-scoped like the consignments they belong to.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from corridor.accounts.deps import client_ip
from corridor.accounts.models import UserRow
from corridor.accounts.roles import Permission
from corridor.accounts.service import audit, visible_offices
from corridor.api.deps import EngineDep, SessionDep
from corridor.cases.service import require, scoped_row
from corridor.domain.errors import InvalidInput, NotFound
from corridor.web.deps import CsrfAuth, PageAuth, render, translator_for
from corridor.web.errors import mark_web

router = APIRouter(include_in_schema=False, dependencies=[Depends(mark_web)])

HIT_STATES = ("open", "confirmed", "suppressed", "all")
SCHEMAS = ("", "person", "organization", "vessel")
NOTE_MAX = 2000


@dataclass(slots=True)
class HitView:
    id: int
    consignment_id: int
    consignment: str
    office: str | None
    subject: str
    subject_name: str
    list_code: str
    entry_key: str
    caption: str
    score: float
    status: str
    explanation: dict[str, Any]
    screened_at: Any


def _lists(session: Session) -> list[dict[str, Any]]:
    from corridor.screening.service import list_lists, list_versions

    out = []
    for row in list_lists(session):
        out.append({"row": row, "versions": list_versions(session, row.code)[:3]})
    return out


def recent_hits(session: Session, user: UserRow, status: str, limit: int = 60) -> list[HitView]:
    """Screening hits of the consignments in the user's scope, newest screening first."""
    from corridor.consignments.models import ConsignmentRow
    from corridor.screening.models import ScreeningEntryRow, ScreeningHitRow, ScreeningListRow

    stmt = (
        select(
            ScreeningHitRow,
            ConsignmentRow,
            ScreeningEntryRow.key,
            ScreeningEntryRow.caption,
            ScreeningListRow.code,
        )
        .join(ConsignmentRow, ConsignmentRow.id == ScreeningHitRow.consignment_id)
        .join(ScreeningEntryRow, ScreeningEntryRow.id == ScreeningHitRow.entry_id)
        .join(ScreeningListRow, ScreeningListRow.id == ScreeningEntryRow.list_id)
        .order_by(ScreeningHitRow.screened_at.desc(), ScreeningHitRow.score.desc(), ScreeningHitRow.id)
        .limit(limit)
    )
    scope = visible_offices(session, user)
    if scope is not None:
        stmt = stmt.where(ConsignmentRow.office.in_(sorted(scope)))
    if status != "all":
        stmt = stmt.where(ScreeningHitRow.status == status)
    return [
        HitView(
            id=hit.id,
            consignment_id=c.id,
            consignment=f"{c.document_type} {c.document_number}",
            office=c.office,
            subject=hit.subject,
            subject_name=hit.subject_name,
            list_code=code,
            entry_key=key,
            caption=caption,
            score=hit.score,
            status=hit.status,
            explanation=hit.explanation,
            screened_at=hit.screened_at,
        )
        for hit, c, key, caption, code in session.execute(stmt)
    ]


@router.get("/watchlists")
def watchlists_page(
    request: Request,
    session: SessionDep,
    auth: PageAuth,
    hits: str = "open",
    done: str | None = None,
) -> Response:
    from corridor.screening.matcher import DEFAULT_THRESHOLD

    require(auth.user, Permission.VIEW_WATCHLISTS)
    status = hits if hits in HIT_STATES else "open"
    t = translator_for(request, auth)
    context = {
        "lists": _lists(session),
        "hits": recent_hits(session, auth.user, status),
        "hit_status": status,
        "threshold": DEFAULT_THRESHOLD,
        "schemas": SCHEMAS,
        "flash": t(f"wl.flash_{done}") if done in ("true_match", "false_positive") else None,
    }
    return render(request, "watchlists.html", context, auth=auth)


@router.get("/watchlists/screen")
def screen_name(
    request: Request,
    session: SessionDep,
    engine: EngineDep,
    auth: PageAuth,
    name: Annotated[str, Query(max_length=300)] = "",
    country: Annotated[str, Query(max_length=2)] = "",
    schema: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    """The ranked matches of one name, with pass/fail and each feature's contribution (htmx fragment)."""
    from corridor.screening.matcher import Query as ScreenQuery
    from corridor.screening.service import screen_queries

    require(auth.user, Permission.VIEW_WATCHLISTS)
    name = name.strip()
    matches: list[dict[str, Any]] = []
    if name:
        if schema not in SCHEMAS:
            raise InvalidInput(f"unknown kind {schema!r}", where="schema")
        countries = frozenset({country.strip().upper()}) if country.strip() else frozenset()
        query = ScreenQuery(name=name, schema=schema or None, countries=countries)
        outcome = screen_queries(engine, [query], limit=10)[0]
        matches = outcome.match_dicts()
        # Looking a name up in the watch lists is itself worth a trace.
        audit(
            session,
            auth.user,
            "screening.screen",
            "name",
            None,
            ip=client_ip(request),
            summary=name[:200],
            detail={"country": country or None, "schema": schema or None, "matches": len(matches)},
        )
        session.commit()
    return render(request, "_screen_results.html", {"name": name, "matches": matches}, auth=auth)


@router.post("/watchlists/hits/{hit_id}/decide")
def decide_hit(
    request: Request,
    session: SessionDep,
    engine: EngineDep,
    auth: CsrfAuth,
    hit_id: int,
    decision: Annotated[str, Form(max_length=20)],
    note: Annotated[str, Form(max_length=NOTE_MAX)] = "",
    hits: Annotated[str, Form(max_length=20)] = "open",
) -> Response:
    from corridor.screening.consignments import screen_consignments
    from corridor.screening.models import ScreeningEntryRow, ScreeningHitRow, ScreeningListRow
    from corridor.screening.service import DECISIONS, record_decision

    require(auth.user, Permission.DECIDE_SCREENING)
    if decision not in DECISIONS:
        raise InvalidInput("true match or false positive", where="decision")
    text = note.strip()
    if not text:
        raise InvalidInput("write a note: why this is (or is not) the listed party", where="note")
    found = session.execute(
        select(ScreeningHitRow, ScreeningEntryRow.key, ScreeningListRow.code)
        .join(ScreeningEntryRow, ScreeningEntryRow.id == ScreeningHitRow.entry_id)
        .join(ScreeningListRow, ScreeningListRow.id == ScreeningEntryRow.list_id)
        .where(ScreeningHitRow.id == hit_id)
    ).first()
    if found is None:
        raise NotFound(
            f"no screening hit {hit_id} (the consignment may have been screened again)", where="hit"
        )
    hit, entry_key, list_code = found
    row = scoped_row(session, auth.user, hit.consignment_id, ip=client_ip(request))
    # The hit's subject key is its strongest identifier ("id:scheme:value") or its folded name.
    identifiers: list[tuple[str, str]] = []
    if hit.subject_key.startswith("id:"):
        scheme, _, value = hit.subject_key[3:].partition(":")
        identifiers = [(scheme, value)]
    subject, consignment_id, score = hit.subject_name, hit.consignment_id, hit.score
    session.commit()  # end the read transaction: the decision is written in the service's own unit of work
    recorded = record_decision(
        engine,
        subject=subject,
        identifiers=identifiers,
        list_code=list_code,
        entry_key=entry_key,
        decision=decision,
        note=text[:NOTE_MAX],
        decided_by=auth.user.username,
    )
    audit(
        session,
        auth.user,
        f"screening.{decision}",
        "consignment",
        str(consignment_id),
        office=row.office,
        ip=client_ip(request),
        summary=row.key,
        detail={
            "subject": subject,
            "list": list_code,
            "entry": entry_key,
            "score": score,
            "note": text,
            "subject_key": recorded["subject_key"],
        },
    )
    session.commit()
    session.close()  # re-screening writes the consignment's hits in its own unit of work
    screen_consignments(engine, [consignment_id])
    status = hits if hits in HIT_STATES else "open"
    return RedirectResponse(f"/watchlists?hits={status}&done={decision}#hits", status_code=303)
