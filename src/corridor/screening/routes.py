"""HTTP routes: screen one name or a batch, list the lists, record decisions, screen consignments.

Screening needs VIEW_CONSIGNMENTS, a decision needs DECIDE, screening stored consignments needs
INGEST (it writes hits). Lists are imported from the command line (`corridor lists import`).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends

from corridor.accounts.deps import Auth, requires
from corridor.accounts.guards import consignment_id_in_scope
from corridor.accounts.roles import Permission
from corridor.api.deps import EngineDep, SessionDep
from corridor.screening.matcher import FEATURES
from corridor.screening.schemas import (
    BatchScreenOut,
    BatchScreenRequest,
    ConsignmentScreenIn,
    DecisionIn,
    ScreenOut,
    ScreenRequest,
)
from corridor.screening.service import ScreenOutcome, list_lists, record_decision, screen_queries

router = APIRouter(tags=["screening"])
Viewer = Annotated[Auth, Depends(requires(Permission.VIEW_CONSIGNMENTS))]
Decider = Annotated[Auth, Depends(requires(Permission.DECIDE))]
Ingester = Annotated[Auth, Depends(requires(Permission.INGEST))]


def _out(outcome: ScreenOutcome, threshold: float, passed_only: bool = False) -> ScreenOut:
    matches = outcome.match_dicts()
    if passed_only:
        matches = [m for m in matches if m["passed"]]
    return ScreenOut(
        query=outcome.query.name,
        subject_key=outcome.subject_key,
        threshold=threshold,
        candidates_scored=outcome.screening.stats.candidates_scored,
        matches=matches,
    )


@router.post("/screen", response_model=ScreenOut, summary="Screen one name against every watch list")
def screen(body: ScreenRequest, engine: EngineDep, _auth: Viewer) -> ScreenOut:
    outcome = screen_queries(engine, [body.to_query()], threshold=body.threshold, limit=body.limit)[0]
    return _out(outcome, body.threshold)


@router.post("/screen/batch", response_model=BatchScreenOut, summary="Screen many names in one call")
def screen_batch(body: BatchScreenRequest, engine: EngineDep, _auth: Viewer) -> BatchScreenOut:
    outcomes = screen_queries(
        engine, [q.to_query() for q in body.queries], threshold=body.threshold, limit=body.limit
    )
    return BatchScreenOut(results=[_out(o, body.threshold, body.passed_only) for o in outcomes])


@router.get("/screening/features", summary="The matcher's features, weights and meanings")
def features(_auth: Viewer) -> list[dict[str, Any]]:
    return [{"feature": k, "weight": w, "doc": doc} for k, (w, doc) in FEATURES.items()]


@router.get("/screening/lists", summary="Watch lists in force and their versions")
def lists(session: SessionDep, _auth: Viewer) -> list[dict[str, Any]]:
    return [
        {
            "list": r.code,
            "name": r.name,
            "format": r.format,
            "version": r.version,
            "entries": r.entry_count,
            "updated_at": r.updated_at.isoformat(),
        }
        for r in list_lists(session)
    ]


@router.post(
    "/screening/decisions", summary="Record a true match or a false positive for a name and an entry"
)
def decide(body: DecisionIn, engine: EngineDep, auth: Decider) -> dict[str, Any]:
    from corridor.screening.identifiers import identifier

    pairs = [p for p in (identifier(i.scheme, i.value) for i in body.identifiers) if p]
    return record_decision(
        engine,
        subject=body.subject,
        identifiers=pairs,
        list_code=body.list_code,
        entry_key=body.entry_key,
        decision=body.decision,
        note=body.note,
        decided_by=auth.user.username,
    )


@router.post("/screening/consignments", summary="Screen stored consignments (ids, or all pending)")
def screen_stored(body: ConsignmentScreenIn, engine: EngineDep, _auth: Ingester) -> dict[str, Any]:
    from corridor.screening.consignments import screen_consignments, screen_pending

    if body.pending:
        return screen_pending(engine, limit=body.max).as_dict()
    return screen_consignments(engine, body.ids).as_dict()


@router.get(
    "/screening/consignments/{consignment_id}/hits",
    summary="Screening hits of one consignment",
    dependencies=[Depends(consignment_id_in_scope)],  # office scope, as for the consignment itself
)
def hits(
    consignment_id: int, engine: EngineDep, _auth: Viewer, suppressed: bool = False
) -> list[dict[str, Any]]:
    from corridor.screening.consignments import consignment_hits

    return consignment_hits(engine, consignment_id, include_suppressed=suppressed)
