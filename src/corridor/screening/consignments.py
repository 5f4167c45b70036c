"""Screening stored consignments: every party, the carrier and the vessel, in bulk.

Call it after an ingest with the ids the ingest report returns:

    report = ingest_paths(engine, paths)
    screen_consignments(engine, report.consignment_ids)

or let `corridor screen --consignments` (screen_pending) catch up with everything not yet screened
against the list versions in force. Work goes in chunks: one query loads a chunk's documents,
every distinct subject (the same consignee recurs across a batch) is screened once, one query
loads the decisions, and the chunk's hits and screening state are written in bulk and committed.
Re-screening a consignment replaces its hits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, delete, insert, or_, select

from corridor.consignments.models import ConsignmentRow
from corridor.db.engine import unit_of_work
from corridor.screening.index import Screening
from corridor.screening.matcher import DEFAULT_THRESHOLD, Query
from corridor.screening.models import ScreeningEntryRow, ScreeningHitRow, ScreeningListRow, ScreeningStateRow
from corridor.screening.service import (
    decisions_for,
    get_index,
    lists_signature,
    now,
    suppressed,
)
from corridor.screening.subjects import Subject, consignment_subjects

CHUNK = 500


@dataclass(slots=True)
class ConsignmentScreeningReport:
    lists: str
    consignments: int = 0
    subjects: int = 0
    distinct_subjects: int = 0
    open_hits: int = 0
    suppressed_hits: int = 0
    confirmed_hits: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "lists": self.lists,
            "consignments": self.consignments,
            "subjects": self.subjects,
            "distinct_subjects": self.distinct_subjects,
            "open_hits": self.open_hits,
            "suppressed_hits": self.suppressed_hits,
            "confirmed_hits": self.confirmed_hits,
        }


def _query_id(q: Query) -> tuple[Any, ...]:
    return (q.name, q.schema, q.countries, q.identifiers)


def screen_consignments(
    engine: Engine, ids: Sequence[int], *, threshold: float = DEFAULT_THRESHOLD
) -> ConsignmentScreeningReport:
    """Screen these consignments (ids as in IngestReport.consignment_ids) and store their hits."""
    index = get_index(engine)
    report = ConsignmentScreeningReport(index.signature)
    wanted = sorted(set(ids))
    for start in range(0, len(wanted), CHUNK):
        chunk = wanted[start : start + CHUNK]
        with unit_of_work(engine) as session:
            rows = session.execute(
                select(ConsignmentRow.id, ConsignmentRow.version, ConsignmentRow.data).where(
                    ConsignmentRow.id.in_(chunk)
                )
            ).all()
            subjects: dict[int, list[Subject]] = {cid: consignment_subjects(data) for cid, _, data in rows}
            screened: dict[tuple[Any, ...], Screening] = {}
            for subject_list in subjects.values():
                report.subjects += len(subject_list)
                for subject in subject_list:
                    qid = _query_id(subject.query)
                    if qid not in screened:
                        screened[qid] = index.screen(subject.query, threshold=threshold, limit=5)
            report.distinct_subjects += len(screened)
            hashes = {
                r.candidate.entry_id: r.candidate.content_hash for s in screened.values() for r in s.results
            }
            keys = {s.key for subject_list in subjects.values() for s in subject_list}
            decisions = decisions_for(session, keys, hashes)
            moment = now()
            hit_rows: list[dict[str, Any]] = []
            state_rows: list[dict[str, Any]] = []
            for cid, version, _ in rows:
                open_hits = 0
                for subject in subjects[cid]:
                    for result in screened[_query_id(subject.query)].results:
                        if not result.passed:
                            continue
                        decision = decisions.get((subject.key, result.candidate.entry_id))
                        if suppressed(decision):
                            status = "suppressed"
                            report.suppressed_hits += 1
                        elif decision is not None and decision.current and decision.decision == "true_match":
                            status = "confirmed"
                            report.confirmed_hits += 1
                            open_hits += 1
                        else:
                            status = "open"
                            report.open_hits += 1
                            open_hits += 1
                        hit_rows.append(
                            {
                                "consignment_id": cid,
                                "subject": subject.role[:40],
                                "subject_name": (subject.query.name or subject.key)[:300],
                                "subject_key": subject.key,
                                "entry_id": result.candidate.entry_id,
                                "score": round(result.score, 4),
                                "status": status,
                                "explanation": result.explanation(),
                                "screened_at": moment,
                            }
                        )
                state_rows.append(
                    {
                        "consignment_id": cid,
                        "consignment_version": version,
                        "lists_signature": index.signature[:500],
                        "open_hits": open_hits,
                        "screened_at": moment,
                    }
                )
            present = [cid for cid, _, _ in rows]
            session.execute(delete(ScreeningHitRow).where(ScreeningHitRow.consignment_id.in_(present)))
            session.execute(delete(ScreeningStateRow).where(ScreeningStateRow.consignment_id.in_(present)))
            if hit_rows:
                session.execute(insert(ScreeningHitRow), hit_rows)
            if state_rows:
                session.execute(insert(ScreeningStateRow), state_rows)
            session.commit()
            report.consignments += len(rows)
    return report


def pending_consignment_ids(engine: Engine, limit: int | None = None) -> list[int]:
    """Consignments never screened, amended since, or screened against older list versions."""
    with unit_of_work(engine) as session:
        signature = lists_signature(session)
        stmt = (
            select(ConsignmentRow.id)
            .outerjoin(ScreeningStateRow, ScreeningStateRow.consignment_id == ConsignmentRow.id)
            .where(
                or_(
                    ScreeningStateRow.consignment_id.is_(None),
                    ScreeningStateRow.lists_signature != signature,
                    ScreeningStateRow.consignment_version != ConsignmentRow.version,
                )
            )
            .order_by(ConsignmentRow.id)
        )
        if limit:
            stmt = stmt.limit(limit)
        return list(session.scalars(stmt))


def screen_pending(
    engine: Engine, *, limit: int | None = None, threshold: float = DEFAULT_THRESHOLD
) -> ConsignmentScreeningReport:
    return screen_consignments(engine, pending_consignment_ids(engine, limit), threshold=threshold)


def consignment_hits(
    engine: Engine, consignment_id: int, *, include_suppressed: bool = False
) -> list[dict[str, Any]]:
    """The stored hits of one consignment with their explanations, best first."""
    with unit_of_work(engine) as session:
        stmt = (
            select(ScreeningHitRow, ScreeningEntryRow.key, ScreeningEntryRow.caption, ScreeningListRow.code)
            .join(ScreeningEntryRow, ScreeningEntryRow.id == ScreeningHitRow.entry_id)
            .join(ScreeningListRow, ScreeningListRow.id == ScreeningEntryRow.list_id)
            .where(ScreeningHitRow.consignment_id == consignment_id)
            .order_by(ScreeningHitRow.score.desc(), ScreeningHitRow.id)
        )
        if not include_suppressed:
            stmt = stmt.where(ScreeningHitRow.status != "suppressed")
        return [
            {
                "subject": hit.subject,
                "subject_name": hit.subject_name,
                "subject_key": hit.subject_key,
                "list": code,
                "entry_key": key,
                "caption": caption,
                "score": hit.score,
                "status": hit.status,
                "explanation": hit.explanation,
                "screened_at": hit.screened_at.isoformat(),
            }
            for hit, key, caption, code in session.execute(stmt)
        ]
