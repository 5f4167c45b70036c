"""Outcomes flowing back into targeting: what was found on each inspected or seized consignment.

Two sources agree here: the workbench's inspection results (cases.InspectionRow, the latest per
consignment) and CEN seizure records linked to a consignment (imported, partner or historical records
included, which have no inspection row). A linked seizure record makes the result `seizure` whatever
the inspection said, since it is the later and fuller account.

The risk engine and the model read outcomes as `Consignment.outcome` (domain.SourceOutcome:
inspected, fraud, critical, result) and the model's frames as columns `id`, `fraud`, `critical`;
`apply_outcomes` and `training_labels` produce exactly those, so wiring is one call each (see
docs/seizures.md, "Feedback").
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import polars as pl
from sqlalchemy import select
from sqlalchemy.orm import Session

from corridor.consignments.models import ConsignmentRow
from corridor.domain.consignment import Consignment, SourceOutcome
from corridor.seizures.models import CenSeizureRow

RESULTS = ("nothing_found", "discrepancy", "seizure")


@dataclass(slots=True)
class ConsignmentOutcome:
    consignment_id: int
    key: str
    result: str
    at: datetime
    categories: list[str] = field(default_factory=list)
    commodity_types: list[str] = field(default_factory=list)
    seizure_refs: list[str] = field(default_factory=list)

    @property
    def fraud(self) -> bool:
        return self.result != "nothing_found"

    @property
    def critical(self) -> bool:
        return self.result == "seizure"

    def source_outcome(self) -> SourceOutcome:
        return SourceOutcome(inspected=True, fraud=self.fraud, critical=self.critical, result=self.result)


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def _chunks(ids: Sequence[int], size: int = 500) -> Iterable[Sequence[int]]:
    for i in range(0, len(ids), size):
        yield ids[i : i + size]


def consignment_outcomes(
    session: Session, consignment_ids: Sequence[int] | None = None
) -> dict[int, ConsignmentOutcome]:
    """Outcome per consignment id, for the given ids or for every consignment that has one."""
    from corridor.cases.models import InspectionRow

    out: dict[int, ConsignmentOutcome] = {}

    def scoped(stmt: Any, column: Any) -> Iterable[Any]:
        if consignment_ids is None:
            yield from session.execute(stmt)
            return
        for part in _chunks(list(consignment_ids)):
            yield from session.execute(stmt.where(column.in_(list(part))))

    inspections = (
        select(
            InspectionRow.consignment_id, ConsignmentRow.key, InspectionRow.result, InspectionRow.inspected_at
        )
        .join(ConsignmentRow, ConsignmentRow.id == InspectionRow.consignment_id)
        .order_by(InspectionRow.inspected_at, InspectionRow.id)
    )
    for cid, key, result, at in scoped(inspections, InspectionRow.consignment_id):
        # Ordered by time: the latest inspection of a consignment is the one that stays.
        out[cid] = ConsignmentOutcome(cid, key, result, _utc(at))
    seized = (
        select(
            CenSeizureRow.consignment_id,
            ConsignmentRow.key,
            CenSeizureRow.seized_at,
            CenSeizureRow.category,
            CenSeizureRow.commodity_type,
            CenSeizureRow.ref,
        )
        .join(ConsignmentRow, ConsignmentRow.id == CenSeizureRow.consignment_id)
        .order_by(CenSeizureRow.seized_at, CenSeizureRow.id)
    )
    for cid, key, at, category, commodity_type, ref in scoped(seized, CenSeizureRow.consignment_id):
        outcome = out.get(cid)
        if outcome is None or outcome.result != "seizure":
            outcome = out[cid] = ConsignmentOutcome(cid, key, "seizure", _utc(at))
        if category not in outcome.categories:
            outcome.categories.append(category)
        if commodity_type not in outcome.commodity_types:
            outcome.commodity_types.append(commodity_type)
        outcome.seizure_refs.append(ref)
    return out


def apply_outcomes(session: Session, pairs: Sequence[tuple[int, Consignment]]) -> list[Consignment]:
    """The consignments with `outcome` set from what this node found (inspection or seizure record).
    An outcome that came with the data stays where this node has none. The inputs are not changed."""
    found = consignment_outcomes(session, [cid for cid, _ in pairs])
    result: list[Consignment] = []
    for cid, consignment in pairs:
        outcome = found.get(cid)
        result.append(
            consignment
            if outcome is None
            else consignment.model_copy(update={"outcome": outcome.source_outcome()})
        )
    return result


LABEL_SCHEMA: dict[str, Any] = {
    "id": pl.String,
    "consignment_id": pl.Int64,
    "result": pl.String,
    "fraud": pl.Boolean,
    "critical": pl.Boolean,
    "category": pl.String,
    "commodity_type": pl.String,
    "at": pl.Datetime("us", "UTC"),
}


def training_labels(session: Session, consignment_ids: Sequence[int] | None = None) -> pl.DataFrame:
    """One row per consignment with a known outcome: `id` is the consignment key (the model frames'
    `id`), `fraud` and `critical` the model's labels, `category` the main commodity seized."""
    rows = [
        (
            o.key,
            o.consignment_id,
            o.result,
            o.fraud,
            o.critical,
            o.categories[0] if o.categories else None,
            o.commodity_types[0] if o.commodity_types else None,
            o.at,
        )
        for o in consignment_outcomes(session, consignment_ids).values()
    ]
    return pl.DataFrame(rows, schema=LABEL_SCHEMA, orient="row").sort("consignment_id")


@dataclass(slots=True)
class ProfileRate:
    source: str
    rule_id: str
    title: str
    inspected: int = 0
    found: int = 0
    seizures: int = 0

    @property
    def hit_rate(self) -> float | None:
        return self.found / self.inspected if self.inspected else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "rule_id": self.rule_id,
            "title": self.title,
            "inspected": self.inspected,
            "found": self.found,
            "seizures": self.seizures,
            "hit_rate": self.hit_rate,
        }


def profile_hit_rates(session: Session, offices: frozenset[str] | None = None) -> list[ProfileRate]:
    """Per profile (or indicator) that fired on a consignment with an outcome: how many such
    consignments there were, how many had something found, how many a seizure. The hits are those of
    the latest assessment made before the outcome (what the officer saw when deciding)."""
    from corridor.risk.models import AssessmentRow

    outcomes = consignment_outcomes(session)
    if offices is not None:
        allowed = set(
            session.scalars(
                select(ConsignmentRow.id).where(
                    ConsignmentRow.id.in_(list(outcomes)), ConsignmentRow.office.in_(sorted(offices))
                )
            )
        )
        outcomes = {k: v for k, v in outcomes.items() if k in allowed}
    rates: dict[tuple[str, str], ProfileRate] = {}
    ids = sorted(outcomes)
    chosen: dict[int, list[dict[str, Any]]] = {}
    for part in _chunks(ids):
        for cid, at, hits in session.execute(
            select(AssessmentRow.consignment_id, AssessmentRow.assessed_at, AssessmentRow.hits)
            .where(AssessmentRow.consignment_id.in_(list(part)))
            .order_by(AssessmentRow.assessed_at, AssessmentRow.id)
        ):
            if cid not in chosen or _utc(at) <= outcomes[cid].at:
                chosen[cid] = list(hits or [])
    for cid, hits in chosen.items():
        outcome = outcomes[cid]
        seen: set[tuple[str, str]] = set()
        for hit in hits:
            key = (str(hit.get("source") or ""), str(hit.get("rule_id") or ""))
            if key in seen or not key[1]:
                continue
            seen.add(key)
            rate = rates.setdefault(key, ProfileRate(key[0], key[1], str(hit.get("title") or key[1])))
            rate.inspected += 1
            rate.found += int(outcome.fraud)
            rate.seizures += int(outcome.critical)
    return sorted(rates.values(), key=lambda r: (-r.inspected, r.rule_id))
