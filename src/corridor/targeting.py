"""What follows ingestion: every new or amended consignment is screened and risk-assessed.

Ingestion (files, API, partner messages) stores consignments; this use case then screens their
parties and vessels against the watch lists and assesses them against the active profiles, so the
queue is ready without a separate step. Each stage commits on its own; a stage that cannot run
(no active profiles yet, no lists imported) is reported, never fatal to the ingest that preceded it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine

from corridor.domain.errors import CorridorError

_CHUNK = 20_000


@dataclass(slots=True)
class FollowUp:
    screened: int = 0
    screening_hits: int = 0
    assessed: int = 0
    lanes: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "screened": self.screened,
            "screening_hits": self.screening_hits,
            "assessed": self.assessed,
            "lanes": self.lanes,
            "notes": self.notes,
        }

    def line(self) -> str:
        lanes = ", ".join(f"{n} {lane}" for lane, n in sorted(self.lanes.items()))
        text = f"screened {self.screened} ({self.screening_hits} watch-list hits); assessed {self.assessed}"
        text += f" ({lanes})" if lanes else ""
        return "; ".join([text, *self.notes])


def never_assessed(engine: Engine, ids: Sequence[int]) -> list[int]:
    """Those of the consignments that have no assessment at all."""
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from corridor.risk.models import AssessmentRow

    unique = sorted(set(ids))
    assessed: set[int] = set()
    with Session(engine) as session:
        for start in range(0, len(unique), 5000):
            part = unique[start : start + 5000]
            assessed.update(
                session.scalars(
                    select(AssessmentRow.consignment_id)
                    .where(AssessmentRow.consignment_id.in_(part))
                    .distinct()
                )
            )
    return [i for i in unique if i not in assessed]


def after_ingest(
    engine: Engine,
    ids: Sequence[int],
    *,
    recheck: Sequence[int] = (),
    screen: bool = True,
    assess: bool = True,
) -> FollowUp:
    """Screen, then assess, the consignments an ingest stored or amended.

    `recheck`: consignments the ingest found already stored (duplicates). Those never assessed are
    taken too: a client that re-sends a batch after a crash or a database outage cut the first
    attempt between storing and assessing gets them targeted now rather than never.
    """
    result = FollowUp()
    wanted = sorted(set(ids) | set(never_assessed(engine, recheck) if recheck and assess else ()))
    if not wanted:
        return result
    if screen:
        from corridor.screening.consignments import screen_consignments

        try:
            report = screen_consignments(engine, wanted)
            result.screened = report.consignments
            result.screening_hits = report.open_hits + report.confirmed_hits
        except CorridorError as error:
            result.notes.append(f"not screened: {error.detail}")
    if assess:
        from corridor.risk.service import assess_ids

        try:
            for start in range(0, len(wanted), _CHUNK):
                outcome = assess_ids(engine, wanted[start : start + _CHUNK])
                for item in outcome.items():
                    result.assessed += 1
                    result.lanes[item["lane"]] = result.lanes.get(item["lane"], 0) + 1
        except CorridorError as error:
            result.notes.append(f"not assessed: {error.detail}")
    return result
