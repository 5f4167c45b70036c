"""The officer's day: the queue, a consignment with its reasons, decisions, inspections, seizures."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import FileResponse, RedirectResponse, Response
from sqlalchemy import select

from corridor.accounts.deps import Auth, client_ip
from corridor.accounts.models import OfficeRow, UserRow
from corridor.accounts.roles import Permission
from corridor.api.deps import SessionDep
from corridor.cases.models import DecisionRow, InspectionRow
from corridor.cases.queue import QueueFilter, build_queue
from corridor.cases.service import (
    Opened,
    Photo,
    SeizureForm,
    decide,
    decisions_of,
    get_inspection,
    latest_assessment,
    open_consignment,
    open_photo,
    party_history,
    record_inspection,
    record_seizure,
    require,
    scoped_row,
)
from corridor.cases.vocabulary import (
    COMMODITIES,
    CONCEALMENTS,
    LANE_EXPECTS,
    METHODS,
    RESULTS,
    UNITS,
    is_override,
)
from corridor.domain.consignment import Consignment
from corridor.domain.errors import CorridorError, InvalidInput
from corridor.reference import country, location
from corridor.web.deps import CsrfAuth, PageAuth, render, translator_for
from corridor.web.errors import mark_web

router = APIRouter(include_in_schema=False, dependencies=[Depends(mark_web)])


def _blank(value: str | None) -> str | None:
    return value.strip() or None if value else None


def _queue_filter(
    window: str,
    office: str | None,
    lane: str | None,
    mode: str | None,
    status: str | None,
    q: str | None,
    page: int,
) -> QueueFilter:
    return QueueFilter(
        window=window,
        office=_blank(office),
        lane=_blank(lane),
        mode=_blank(mode),
        status=_blank(status),
        q=_blank(q),
        page=page,
    )


def _queue_context(request: Request, session: SessionDep, auth: Auth, flt: QueueFilter) -> dict[str, Any]:
    page = build_queue(session, auth.user, flt)

    def query_for(n: int) -> str:
        params = {
            k: v
            for k, v in {
                "window": flt.window,
                "office": flt.office,
                "lane": flt.lane,
                "mode": flt.mode,
                "status": flt.status,
                "q": flt.q,
                "page": n,
            }.items()
            if v
        }
        return urlencode(params)

    return {"page": page, "flt": flt, "query_for": query_for}


@router.get("/queue")
def queue(
    request: Request,
    session: SessionDep,
    auth: PageAuth,
    window: str = "3d",
    office: str | None = None,
    lane: str | None = None,
    mode: str | None = None,
    status: str | None = None,
    q: Annotated[str | None, Query(max_length=100)] = None,
    page: Annotated[int, Query(ge=1)] = 1,
) -> Response:
    flt = _queue_filter(window, office, lane, mode, status, q, page)
    return render(request, "queue.html", _queue_context(request, session, auth, flt), auth=auth)


@router.get("/queue/rows")
def queue_rows(
    request: Request,
    session: SessionDep,
    auth: PageAuth,
    window: str = "3d",
    office: str | None = None,
    lane: str | None = None,
    mode: str | None = None,
    status: str | None = None,
    q: Annotated[str | None, Query(max_length=100)] = None,
    page: Annotated[int, Query(ge=1)] = 1,
) -> Response:
    """The table alone, for htmx: filters re-render the rows without reloading the page."""
    flt = _queue_filter(window, office, lane, mode, status, q, page)
    return render(request, "_queue_rows.html", _queue_context(request, session, auth, flt), auth=auth)


@dataclass(slots=True)
class Check:
    action: str | None
    lane: str | None
    override: bool
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.action is not None and not self.problems


def _check(
    request: Request, auth: Auth, lane: str | None, action: str | None, method: str | None, reason: str | None
) -> Check:
    """The same rules as cases.service.decide, phrased for the form as the officer types."""
    t = translator_for(request, auth)
    action, method, reason = _blank(action), _blank(method), _blank(reason)
    override = action is not None and is_override(lane, action)
    check = Check(action, lane, override)
    if action is None:
        return check
    if action == "select" and method not in METHODS:
        check.problems.append(t("c.need_method"))
    if action != "select" and method is not None:
        check.problems.append(t("c.no_method"))
    if (override or action == "hold") and not reason:
        check.problems.append(t("c.need_reason"))
    return check


def _row_events(
    opened_decisions: list[DecisionRow], inspections: list[InspectionRow], users: dict[int, UserRow]
) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    for d in opened_decisions:
        who = users.get(d.user_id)
        events.append(
            {"at": d.decided_at, "kind": "decision", "decision": d, "who": who.display_name if who else "?"}
        )
    for i in inspections:
        who = users.get(i.user_id)
        events.append(
            {
                "at": i.inspected_at,
                "kind": "inspection",
                "inspection": i,
                "who": who.display_name if who else "?",
            }
        )
    return sorted(events, key=lambda e: _sort_time(e["at"]), reverse=True)


def _sort_time(value: datetime) -> float:
    # SQLite gives naive UTC datetimes: make them aware before comparing.
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).timestamp()


def _route(c: Consignment, lane: str | None, t: Any) -> dict[str, Any]:
    stops: list[dict[str, Any]] = []

    def add(label: str, locode: str | None, name: str | None) -> None:
        if not locode and not name:
            return
        if locode and any(s["locode"] == locode for s in stops):
            return
        found = location(locode)
        stops.append(
            {
                "label": label,
                "locode": locode or "",
                "name": (found.name if found else None) or name or locode or "",
                "lat": found.lat if found else None,
                "lon": found.lon if found else None,
            }
        )

    if c.place_of_loading:
        add(t("route.loading"), c.place_of_loading.locode, c.place_of_loading.name)
    for stop in sorted(c.itinerary, key=lambda s: s.sequence):
        add(t.opt("stop", stop.role.value), stop.place.locode, stop.place.name)
    if c.place_of_discharge:
        add(t("route.discharge"), c.place_of_discharge.locode, c.place_of_discharge.name)
    if c.place_of_delivery:
        add(t("route.delivery"), c.place_of_delivery.locode, c.place_of_delivery.name)
    return {"lane": lane or "none", "stops": stops}


def _consignment_page(
    request: Request,
    session: SessionDep,
    auth: Auth,
    opened: Opened,
    *,
    form: dict[str, Any] | None = None,
    error: str | None = None,
    flash: str | None = None,
    status_code: int = 200,
) -> Response:
    t = translator_for(request, auth)
    row, c, a = opened.row, opened.consignment, opened.assessment
    hits = list(a.hits or []) if a else []
    by_weight = sorted(hits, key=lambda h: -abs(float(h.get("weight") or 0)))
    ids = {d.user_id for d in opened.decisions} | {i.user_id for i in opened.inspections}
    users = {u.id: u for u in session.scalars(select(UserRow).where(UserRow.id.in_(ids)))} if ids else {}
    office = (
        session.scalars(select(OfficeRow).where(OfficeRow.code == row.office)).first() if row.office else None
    )
    route = _route(c, a.lane if a else None, t)
    suggested = LANE_EXPECTS.get(a.lane) if a else None
    check = (
        _check(
            request, auth, a.lane if a else None, form.get("action"), form.get("method"), form.get("reason")
        )
        if form
        else None
    )

    def country_name(code: str | None) -> str:
        found = country(code)
        if found is None:
            return code or "—"
        return f"{found.name_ru if t.locale == 'ru' and found.name_ru else found.name} ({code})"

    context = {
        "row": row,
        "c": c,
        "a": a,
        "rule_hits": [h for h in by_weight if h.get("source") in ("profile", "indicator", "alert")],
        "model_hits": [h for h in by_weight if h.get("source") == "model"],
        "screening_hits": [h for h in by_weight if h.get("source") == "screening"],
        "decisions": opened.decisions,
        "case_events": _row_events(opened.decisions, opened.inspections, users),
        "history": party_history(session, auth.user, row.id),
        "office_name": f"{office.name(t.locale)} ({office.code})" if office else (row.office or "—"),
        "route": route,
        "route_json": json.dumps(route, ensure_ascii=False).replace("'", "&#39;"),
        "methods": METHODS,
        "suggested": suggested,
        "form": form or {},
        "check": check,
        "error": error,
        "flash": flash,
        "country_name": country_name,
    }
    return render(request, "consignment.html", context, auth=auth, status_code=status_code)


@router.get("/consignment/{consignment_id}")
def consignment(
    request: Request, session: SessionDep, auth: PageAuth, consignment_id: int, done: str | None = None
) -> Response:
    opened = open_consignment(session, auth.user, consignment_id, ip=client_ip(request))
    t = translator_for(request, auth)
    flash = t(f"flash.{done}") if done in ("decided", "inspected", "seized") else None
    return _consignment_page(request, session, auth, opened, flash=flash)


@router.post("/consignment/{consignment_id}/decide/check")
def decide_check(
    request: Request,
    session: SessionDep,
    auth: CsrfAuth,
    consignment_id: int,
    action: Annotated[str | None, Form()] = None,
    method: Annotated[str | None, Form()] = None,
    reason: Annotated[str | None, Form(max_length=2000)] = None,
) -> Response:
    require(auth.user, Permission.DECIDE)  # only those who may decide check a decision
    row = scoped_row(session, auth.user, consignment_id, ip=client_ip(request))
    a = latest_assessment(session, row.id)
    check = _check(request, auth, a.lane if a else None, action, method, reason)
    return render(request, "_decide_check.html", {"check": check, "suggested": None}, auth=auth)


@router.post("/consignment/{consignment_id}/decide")
def decide_post(
    request: Request,
    session: SessionDep,
    auth: CsrfAuth,
    consignment_id: int,
    action: Annotated[str | None, Form()] = None,
    method: Annotated[str | None, Form()] = None,
    reason: Annotated[str | None, Form(max_length=2000)] = None,
) -> Response:
    try:
        if not _blank(action):
            raise InvalidInput(translator_for(request, auth)("c.need_action"), where="action")
        decide(
            session,
            auth.user,
            consignment_id,
            action=action or "",
            method=method,
            reason=reason,
            ip=client_ip(request),
        )
    except InvalidInput as error:
        session.rollback()
        opened = open_consignment(session, auth.user, consignment_id, ip=client_ip(request))
        form = {"action": action, "method": method, "reason": reason}
        return _consignment_page(
            request, session, auth, opened, form=form, error=error.detail, status_code=422
        )
    return RedirectResponse(f"/consignment/{consignment_id}?done=decided", status_code=303)


def _selected(
    session: SessionDep, auth: Auth, request: Request, consignment_id: int
) -> tuple[Any, DecisionRow]:
    row = scoped_row(session, auth.user, consignment_id, ip=client_ip(request))
    decisions = decisions_of(session, row.id)
    if not decisions or decisions[0].action != "select":
        raise InvalidInput(translator_for(request, auth)("inspect.not_selected"), where="consignment")
    return row, decisions[0]


@router.get("/consignment/{consignment_id}/inspect")
def inspect_form(request: Request, session: SessionDep, auth: PageAuth, consignment_id: int) -> Response:
    require(auth.user, Permission.RECORD_INSPECTION)
    row, decision = _selected(session, auth, request, consignment_id)
    return render(
        request, "inspect.html", {"row": row, "decision": decision, "results": RESULTS, "form": {}}, auth=auth
    )


@router.post("/consignment/{consignment_id}/inspect")
def inspect_post(
    request: Request,
    session: SessionDep,
    auth: CsrfAuth,
    consignment_id: int,
    result: Annotated[str | None, Form()] = None,
    notes: Annotated[str | None, Form(max_length=4000)] = None,
) -> Response:
    try:
        inspection = record_inspection(
            session, auth.user, consignment_id, result=result or "", notes=notes, ip=client_ip(request)
        )
    except InvalidInput as error:
        session.rollback()
        row, decision = _selected(session, auth, request, consignment_id)
        return render(
            request,
            "inspect.html",
            {
                "row": row,
                "decision": decision,
                "results": RESULTS,
                "form": {"result": result, "notes": notes},
                "error": error.detail,
            },
            auth=auth,
            status_code=422,
        )
    if inspection.result == "seizure":
        return RedirectResponse(f"/inspections/{inspection.id}/seizure", status_code=303)
    return RedirectResponse(f"/consignment/{consignment_id}?done=inspected", status_code=303)


def _seizure_page(
    request: Request,
    session: SessionDep,
    auth: Auth,
    inspection: InspectionRow,
    *,
    form: dict[str, Any] | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    row = scoped_row(session, auth.user, inspection.consignment_id, ip=client_ip(request))
    context = {
        "row": row,
        "inspection": inspection,
        "commodities": COMMODITIES,
        "units": UNITS,
        "concealments": CONCEALMENTS,
        "form": form or {},
        "error": error,
    }
    return render(request, "seizure.html", context, auth=auth, status_code=status_code)


@router.get("/inspections/{inspection_id}/seizure")
def seizure_form(request: Request, session: SessionDep, auth: PageAuth, inspection_id: int) -> Response:
    require(auth.user, Permission.RECORD_INSPECTION)
    inspection = get_inspection(session, auth.user, inspection_id, ip=client_ip(request))
    return _seizure_page(request, session, auth, inspection)


@router.post("/inspections/{inspection_id}/seizure")
async def seizure_post(request: Request, session: SessionDep, auth: CsrfAuth, inspection_id: int) -> Response:
    require(auth.user, Permission.RECORD_INSPECTION)  # before the upload is read
    form = await request.form()
    values = {k: form.get(k) for k in ("commodity", "description", "quantity", "unit", "concealment")}
    text = {k: v if isinstance(v, str) else None for k, v in values.items()}
    photos: list[Photo] = []
    for item in form.getlist("photos"):
        if isinstance(item, str) or not item.filename:
            continue  # an empty file input sends one nameless part
        photos.append(Photo(item.filename or "photo", await item.read()))
    try:
        try:
            quantity = float((text["quantity"] or "").replace(",", "."))
        except ValueError:
            raise InvalidInput(
                translator_for(request, auth)("seizure.bad_quantity"), where="quantity"
            ) from None
        seizure = record_seizure(
            session,
            auth.user,
            inspection_id,
            SeizureForm(
                commodity=text["commodity"] or "",
                quantity=quantity,
                unit=text["unit"] or "",
                concealment=text["concealment"] or "",
                description=text["description"],
            ),
            photos,
            ip=client_ip(request),
        )
    except CorridorError as error:
        if error.status not in (413, 422):
            raise
        session.rollback()
        inspection = get_inspection(session, auth.user, inspection_id, ip=client_ip(request))
        return _seizure_page(
            request, session, auth, inspection, form=text, error=error.detail, status_code=error.status
        )
    # Every seizure recorded at inspection also becomes a CEN intelligence record (route, parties,
    # profile hits, photos) for statistics, maps and partners.
    from corridor.seizures.service import record_from_case

    record_from_case(session, seizure.id)
    return RedirectResponse(f"/consignment/{seizure.consignment_id}?done=seized", status_code=303)


@router.get("/photos/{photo_id}")
def photo(request: Request, session: SessionDep, auth: PageAuth, photo_id: int) -> Response:
    row, path = open_photo(session, auth.user, photo_id, ip=client_ip(request))
    response = FileResponse(path, media_type=row.content_type, filename=row.filename)
    response.headers["Cache-Control"] = "private, no-store"
    return response
