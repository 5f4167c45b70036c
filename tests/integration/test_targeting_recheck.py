"""A batch re-sent after its first attempt was stored but never targeted (the database went away
between storing and assessing) is targeted on the retry, though every consignment is a duplicate."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
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


def test_the_api_assesses_a_retry_made_only_of_duplicates(engine: Engine) -> None:
    from fastapi.testclient import TestClient

    from corridor.api.app import create_app
    from tests.integration.test_api import api_token

    client = TestClient(create_app(engine), headers={"Authorization": f"Bearer {api_token(engine)}"})
    docs = [_doc(f"CMR-API-RECHECK-{i}") for i in range(4)]
    # the first attempt was stored, and the connection dropped before the follow-up
    first = client.post("/consignments", params={"assess": "false"}, json=docs)
    assert first.status_code == 200 and first.json()["accepted"] == 4 and _assessed(engine) == 0
    retry = client.post("/consignments", json=docs)
    assert retry.status_code == 200, retry.text
    body = retry.json()
    assert body["accepted"] == 0 and body["duplicates"] == 4
    assert body["targeting"]["assessed"] == 4 and _assessed(engine) == 4


def test_the_cli_assesses_a_rerun_made_only_of_duplicates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from corridor.cli import app
    from corridor.db.engine import make_engine
    from corridor.db.ready import _ready
    from corridor.settings import get_settings

    monkeypatch.setenv("CORRIDOR_DATA_DIR", str(tmp_path / "cli"))
    get_settings.cache_clear()
    _ready.cache_clear()
    data = tmp_path / "batch.json"
    data.write_bytes(orjson.dumps([_doc(f"CMR-CLI-RECHECK-{i}") for i in range(3)]))
    runner = CliRunner()
    first = runner.invoke(app, ["ingest", str(data), "--json", "--no-assess"])
    assert first.exit_code == 0, first.output
    again = runner.invoke(app, ["ingest", str(data), "--json"])
    assert again.exit_code == 0, again.output
    assert orjson.loads(again.stdout)["targeting"]["assessed"] == 3
    engine = make_engine(get_settings().effective_database_url)
    try:
        assert _assessed(engine) == 3
    finally:
        engine.dispose()
