"""HTTP API of the risk engine: assessments, the indicator and field docs, profiles, selection,
back-testing."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Request

from corridor.accounts.guards import body_ids_in_scope
from corridor.api.deps import EngineDep, SessionDep
from corridor.risk import service
from corridor.risk.schemas import (
    AssessBatchOut,
    AssessmentOut,
    AssessRequest,
    BacktestRequest,
    ProfileText,
    SelectionRequest,
    StatusChange,
    StoredAssessmentOut,
)


def _allowed(permission: str) -> Any:
    """A dependency: the caller (session cookie or API token) must hold `permission`."""

    def check(request: Request, session: SessionDep) -> None:
        from corridor.accounts.deps import api_auth
        from corridor.accounts.roles import Permission, can
        from corridor.domain.errors import Forbidden

        user = api_auth(request, session).user
        needed = Permission(permission)
        if not can(user.role, needed):
            raise Forbidden(f"a {user.role.replace('_', ' ')} may not {needed.value.replace('_', ' ')}")
        ref = request.path_params.get("ref")
        if ref is not None:
            from corridor.accounts.deps import client_ip
            from corridor.cases.service import scoped_row

            scoped_row(session, user, ref, ip=client_ip(request))

    return Depends(check)


def _office_in_scope(request: Request, session: SessionDep, office: str | None) -> None:
    """Selection sets the lanes of every consignment of the day at an office (all offices when none is
    named): a caller limited to some offices must name one of them."""
    from corridor.accounts.deps import api_auth
    from corridor.accounts.service import visible_offices
    from corridor.domain.errors import Forbidden

    scope = visible_offices(session, api_auth(request, session).user)
    if scope is not None and (office is None or office not in scope):
        raise Forbidden(
            f"name one of your offices in office ({', '.join(sorted(scope)) or 'none'})", where="office"
        )


VIEW = [_allowed("view_consignments")]
DECIDE = [_allowed("decide")]
EDIT = [_allowed("edit_profiles")]

router = APIRouter(tags=["risk"])


@router.post(
    "/assessments",
    response_model=AssessmentOut | AssessBatchOut,
    summary="Assess one consignment, a batch, or stored consignments by id",
    dependencies=[*VIEW, Depends(body_ids_in_scope)],  # stored ids must be in the caller's scope
)
def post_assessments(body: AssessRequest, session: SessionDep) -> Any:
    if body.ids is not None:
        result = service.assess_ids_in(session, body.ids)
    else:
        docs = [body.consignment] if body.consignment is not None else list(body.consignments or [])
        result = service.assess_documents_in(session, docs)
    items = result.items()
    if body.consignment is not None:
        return items[0]
    return {"count": len(items), "items": items}


@router.get(
    "/consignments/{ref}/assessment",
    response_model=StoredAssessmentOut,
    summary="The latest stored assessment of a consignment, with its hits and profile versions",
    dependencies=VIEW,
)
def get_assessment(ref: str, session: SessionDep) -> Any:
    return service.assessment_of(session, ref)


@router.get(
    "/risk/indicators", summary="The indicator library: what each computes, its fields", dependencies=VIEW
)
def get_indicators() -> list[dict[str, object]]:
    from corridor.risk.indicators import INDICATORS

    return [i.as_dict() for i in INDICATORS]


@router.get("/risk/fields", summary="Fields and operators of the profile language", dependencies=VIEW)
def get_fields() -> dict[str, Any]:
    from corridor.risk.language import OPS_BY_KIND, catalogue

    return {
        "fields": [s.as_dict() for s in catalogue().values()],
        "operators": {k: sorted(v) for k, v in OPS_BY_KIND.items()},
        "party_operators": ["on_watchlist", "first_seen_within_days"],
    }


@router.get("/risk/profiles", summary="Stored profiles (current versions)", dependencies=VIEW)
def get_profiles(
    session: SessionDep, status: str | None = Query(None, pattern="^(draft|active|retired)$")
) -> Any:
    return service.list_profiles(session, status)


@router.get("/risk/profiles/{profile_id}", summary="A profile with its version history", dependencies=VIEW)
def get_profile(profile_id: str, session: SessionDep) -> Any:
    return service.profile_detail(session, profile_id)


@router.post(
    "/risk/profiles/validate", summary="Check profile documents without storing them", dependencies=EDIT
)
def validate_profiles(body: ProfileText, engine: EngineDep) -> Any:
    profiles = service.validate_text(engine, body.text, body.source)
    return {"valid": True, "profiles": [{"id": p.id, "status": p.doc.status} for p in profiles]}


@router.post(
    "/risk/profiles",
    summary="Store profile and list documents (new versions when changed)",
    dependencies=EDIT,
)
def post_profiles(body: ProfileText, engine: EngineDep) -> Any:
    return service.import_text(engine, body.text, body.source, body.author).as_dict()


@router.post(
    "/risk/profiles/{profile_id}/status",
    summary="Activate, retire or return a profile to draft",
    dependencies=EDIT,
)
def post_status(profile_id: str, body: StatusChange, engine: EngineDep) -> Any:
    version = service.set_status(engine, profile_id, body.status, body.author)
    return {"id": profile_id, "status": body.status, "version": version}


@router.get("/risk/lists", summary="Shared named lists (packaged: version 0)", dependencies=VIEW)
def get_lists(session: SessionDep) -> Any:
    return [lst.as_dict() for lst in service.all_lists(session).values()]


@router.post(
    "/risk/selection",
    summary="Select for inspection within capacity for a day (and office)",
    dependencies=DECIDE,
)
def post_selection(body: SelectionRequest, engine: EngineDep, request: Request, session: SessionDep) -> Any:
    _office_in_scope(request, session, body.office)
    items, report = service.select_day(engine, body.date, body.office)
    return {"date": body.date.isoformat(), "office": body.office, "capacity": report, "items": items}


@router.post(
    "/risk/backtest",
    summary="Back-test over stored consignments with outcomes in a period",
    dependencies=EDIT,
)
def post_backtest(body: BacktestRequest, engine: EngineDep) -> Any:
    return service.backtest_stored_text(engine, body.start, body.end, body.profiles, body.against)
