"""A batch re-sent after its first attempt was stored but never targeted (the database went away
between storing and assessing) is targeted on the retry, though every consignment is a duplicate."""

from __future__ import annotations

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from corridor.ingest.service import ingest_documents
from corridor.risk.models import AssessmentRow
from corridor.targeting import after_ingest, never_assessed
from tests.faults.support import document as _doc


def _assessed(engine: Engine) -> int:
    with Session(engine) as session:
        return int(session.scalar(select(func.count(func.distinct(AssessmentRow.consignment_id)))) or 0)


def test_duplicates_never_assessed_are_assessed_on_the_retry(engine: Engine) -> None:
    docs = [_doc(f"CMR-RECHECK-{i}") for i in range(5)]
    first = ingest_documents(engine, docs)  # stored; the follow-up never ran (the "crash")
    assert len(first.consignment_ids) == 5 and _assessed(engine) == 0
    retry = ingest_documents(engine, docs)
    assert retry.consignment_ids == [] and sorted(retry.duplicate_ids) == sorted(first.consignment_ids)
    assert never_assessed(engine, retry.duplicate_ids) == sorted(first.consignment_ids)
    follow_up = after_ingest(engine, retry.consignment_ids, recheck=retry.duplicate_ids)
    assert follow_up.assessed == 5 and _assessed(engine) == 5
    # Once targeted, a further duplicate costs nothing: it is not assessed again.
    again = ingest_documents(engine, docs)
    assert after_ingest(engine, again.consignment_ids, recheck=again.duplicate_ids).assessed == 0
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(AssessmentRow)) == 5
