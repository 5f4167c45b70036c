"""Overview pages: dashboard, map (with its GeoJSON), audit search, user administration."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import aliased

from corridor.accounts.deps import Auth
from corridor.accounts.models import AgencyRow, OfficeRow
from corridor.accounts.roles import Permission, Role
from corridor.accounts.service import (
    AuditFilter,
    NewUser,
    audit_actions,
    create_user,
    list_offices,
    list_users,
    search_audit,
    set_active,
    visible_offices,
)
from corridor.api.deps import SessionDep
from corridor.cases.models import SeizureRow
from corridor.cases.queue import latest_assessment_ids
from corridor.cases.service import require
from corridor.cases.stats import build_dashboard
from corridor.consignments.models import ConsignmentRow
from corridor.domain.errors import CorridorError, InvalidInput
from corridor.reference import location
from corridor.reference._files import data_path
from corridor.risk.models import AssessmentRow
from corridor.web.deps import CsrfAuth, PageAuth, render, translator_for
from corridor.web.errors import mark_web

router = APIRouter(include_in_schema=False, dependencies=[Depends(mark_web)])

LANE_ORDER = ("red", "yellow", "blue", "green", "none")
MODE_COLOURS = {
    "sea": "#0b4f6c",
    "road": "#d4a017",
    "rail": "#7b4fb3",
    "air": "#2c8fbb",
    "multimodal": "#5b6675",
}


@router.get("/dashboard")
def dashboard(request: Request, session: SessionDep, auth: PageAuth) -> Response:
    return render(
        request,
        "dashboard.html",
        {"d": build_dashboard(session, auth.user), "mode_colours": MODE_COLOURS},
        auth=auth,
    )


@router.get("/map")
def map_page(request: Request, auth: PageAuth) -> Response:
    require(auth.user, Permission.VIEW_DASHBOARD)
    return render(request, "map.html", {}, auth=auth)


@router.get("/geo/countries.geojson")
def countries_geojson(auth: PageAuth) -> Response:
    """The offline base map: Natural Earth country boundaries packaged with corridor.reference."""
    response = FileResponse(data_path("countries.geojson"), media_type="application/geo+json")
    response.headers["Cache-Control"] = "private, max-age=86400"
    return response


@router.get("/map/data.geojson")
def map_data(
    request: Request,
    session: SessionDep,
    auth: PageAuth,
    days: Annotated[int, Query(ge=1, le=90)] = 7,
) -> Response:
    """Routes of the coming days (loading → discharge, coloured by lane) and seizure places, in scope."""
    require(auth.user, Permission.VIEW_DASHBOARD)
    t = translator_for(request, auth)
    scope = visible_offices(session, auth.user)
    now = datetime.now(UTC)
    la = latest_assessment_ids()
    a = aliased(AssessmentRow)
    stmt = (
        select(ConsignmentRow.loading_locode, ConsignmentRow.discharge_locode, a.lane)
        .outerjoin(la, la.c.consignment_id == ConsignmentRow.id)
        .outerjoin(a, a.id == la.c.id)
        .where(ConsignmentRow.eta >= now - timedelta(days=1), ConsignmentRow.eta < now + timedelta(days=days))
    )
    if scope is not None:
        stmt = stmt.where(ConsignmentRow.office.in_(list(scope)))
    # One line per route, in the colour of its riskiest consignment, so that red is never hidden under green.
    routes: Counter[tuple[str, str]] = Counter()
    worst: dict[tuple[str, str], str] = {}
    for loading, discharge, lane in session.execute(stmt):
        if loading and discharge:
            key = (loading, discharge)
            routes[key] += 1
            current = worst.get(key, "none")
            if LANE_ORDER.index(lane or "none") < LANE_ORDER.index(current):
                worst[key] = lane
            else:
                worst.setdefault(key, current)
    features: list[dict[str, Any]] = []
    for (loading, discharge), count in routes.items():
        lane = worst[(loading, discharge)]
        a_loc, b_loc = location(loading), location(discharge)
        if not (a_loc and b_loc and a_loc.lat is not None and b_loc.lat is not None):
            continue
        features.append(
            {
                "type": "Feature",
                "geometry": {
                    "type": "LineString",
                    "coordinates": [[a_loc.lon, a_loc.lat], [b_loc.lon, b_loc.lat]],
                },
                "properties": {
                    "kind": "route",
                    "lane": lane,
                    "count": count,
                    "label": f"{a_loc.name} → {b_loc.name}: {count} · {t.opt('lane', lane)}",
                },
            }
        )
    seized = select(SeizureRow.commodity, ConsignmentRow.discharge_locode).join(
        ConsignmentRow, ConsignmentRow.id == SeizureRow.consignment_id
    )
    if scope is not None:
        seized = seized.where(SeizureRow.office.in_(list(scope)))
    places: Counter[tuple[str, str]] = Counter()
    for commodity, locode in session.execute(seized):
        if locode:
            places[(locode, commodity)] += 1
    for (locode, commodity), count in places.items():
        loc = location(locode)
        if loc is None or loc.lat is None:
            continue
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [loc.lon, loc.lat]},
                "properties": {
                    "kind": "seizure",
                    "lane": "red",
                    "count": count,
                    "label": f"{loc.name}: {t('map.seizure')} · {t.opt('commodity', commodity)} × {count}",
                },
            }
        )
    offices = list_offices(session, scope)
    for office in offices:
        loc = location(office.locode)
        if loc is None or loc.lat is None:
            continue
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [loc.lon, loc.lat]},
                "properties": {"kind": "office", "lane": "none", "count": 0, "label": office.name(t.locale)},
            }
        )
    return JSONResponse(
        {"type": "FeatureCollection", "features": features},
        headers={"Cache-Control": "no-store"},
        media_type="application/geo+json",
    )


def _day(value: str | None, field: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"{value!r} is not a date (YYYY-MM-DD)", where=field) from None


@router.get("/audit")
def audit_page(
    request: Request,
    session: SessionDep,
    auth: PageAuth,
    username: str | None = None,
    action: str | None = None,
    object_id: str | None = None,
    office: str | None = None,
    outcome: str | None = None,
    since: str | None = None,
    until: str | None = None,
) -> Response:
    require(auth.user, Permission.SEARCH_AUDIT)
    start, end = _day(since, "since"), _day(until, "until")
    flt = AuditFilter(
        username=username or None,
        action=action or None,
        object_id=object_id or None,
        office=office or None,
        outcome=outcome or None,
        since=datetime.combine(start, datetime.min.time(), tzinfo=UTC) if start else None,
        until=datetime.combine(end + timedelta(days=1), datetime.min.time(), tzinfo=UTC) if end else None,
    )
    rows, total = search_audit(session, flt, limit=200)
    return render(
        request,
        "audit.html",
        {
            "rows": rows,
            "total": total,
            "flt": flt,
            "actions": audit_actions(session),
            "since": since,
            "until": until,
        },
        auth=auth,
    )


def _users_page(
    request: Request,
    session: SessionDep,
    auth: Auth,
    *,
    flash: str | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    context = {
        "users": list_users(session),
        "roles": [r.value for r in Role],
        "agencies": list(session.scalars(select(AgencyRow).order_by(AgencyRow.code))),
        "offices": list(session.scalars(select(OfficeRow).order_by(OfficeRow.code))),
        "flash": flash,
        "error": error,
    }
    return render(request, "users.html", context, auth=auth, status_code=status_code)


@router.get("/admin/users")
def users_page(request: Request, session: SessionDep, auth: PageAuth) -> Response:
    require(auth.user, Permission.MANAGE_USERS)
    return _users_page(request, session, auth)


@router.post("/admin/users")
def users_create(
    request: Request,
    session: SessionDep,
    auth: CsrfAuth,
    username: Annotated[str, Form(max_length=64)],
    role: Annotated[str, Form()],
    agency: Annotated[str, Form()],
    password: Annotated[str, Form(max_length=1024)],
    display_name: Annotated[str | None, Form(max_length=200)] = None,
    offices: Annotated[list[str] | None, Form()] = None,
    locale: Annotated[str, Form()] = "en",
) -> Response:
    require(auth.user, Permission.MANAGE_USERS)
    try:
        created = create_user(
            session,
            NewUser(
                username=username,
                password=password,
                role=role,
                agency=agency,
                offices=offices or [],
                display_name=display_name,
                locale=locale,
            ),
            actor=auth.user,
        )
    except CorridorError as error:
        session.rollback()
        return _users_page(request, session, auth, error=error.detail, status_code=error.status)
    t = translator_for(request, auth)
    return _users_page(request, session, auth, flash=t("users.created", username=created.username))


@router.post("/admin/users/{username}/{verb}")
def users_toggle(session: SessionDep, auth: CsrfAuth, username: str, verb: str) -> Response:
    require(auth.user, Permission.MANAGE_USERS)
    if verb not in ("disable", "enable"):
        raise InvalidInput("use disable or enable", where="verb")
    if username == auth.user.username:
        raise InvalidInput("you cannot disable yourself", where="username")
    set_active(session, username, verb == "enable", actor=auth.user)
    return RedirectResponse("/admin/users", status_code=303)
