"""Risk engine on real databases (SQLite and PostgreSQL): profile versions, assessing stored
consignments once (and again after an amendment), the API and the CLI."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from corridor.api.app import create_app
from corridor.consignments.repository import save_consignments
from corridor.demo.generator import generate
from corridor.domain.consignment import Consignment, GoodsItem, SourceOutcome
from corridor.risk import service
from corridor.risk.language import ProfileError
from corridor.risk.models import AssessmentRow, ProfileVersionRow
from tests.integration.test_api import api_token
from tests.unit.test_risk_language import PRECURSOR, WHEAT, consignment

PROFILE = """\
id: LOC-1
title: Wheat from Kazakhstan
owner: test
weight: 0.3
status: active
rationale: a local profile for the test
when: {goods: {hs_code: {hs_prefix: ['1001']}}}
"""


def store(engine: Engine, items: list[Consignment]) -> None:
    with Session(engine) as session:
        save_consignments(session, items)
        session.commit()


def test_profile_versions_and_lists(engine: Engine, tmp_path: Path) -> None:
    first = service.import_paths(engine, None)
    assert len(first.profiles["created"]) >= 25 and "high-risk-countries" in first.lists["created"]
    again = service.import_paths(engine, None)
    assert again.profiles["created"] == [] and again.profiles["new_version"] == []
    path = tmp_path / "p.yaml"
    path.write_text(PROFILE)
    assert service.import_paths(engine, [path], "alice").profiles["created"] == ["LOC-1"]
    path.write_text(PROFILE.replace("weight: 0.3", "weight: 0.35"))
    assert service.import_paths(engine, [path], "bob").profiles["new_version"] == ["LOC-1"]
    assert service.set_status(engine, "LOC-1", "retired", "carol") == 3
    with Session(engine) as session:
        detail = service.profile_detail(session, "LOC-1")
        assert [v["version"] for v in detail["versions"]] == [1, 2, 3]
        assert [v["author"] for v in detail["versions"]] == ["alice", "bob", "carol"]
        assert detail["versions"][0]["document"]["weight"] == 0.3 and detail["status"] == "retired"
        assert (
            session.scalar(
                select(func.count())
                .select_from(ProfileVersionRow)
                .where(ProfileVersionRow.profile_id == "LOC-1")
            )
            == 3
        )
    bad = tmp_path / "bad.yaml"
    bad.write_text(PROFILE.replace("hs_code:", "hs_cod:"))
    with pytest.raises(ProfileError) as caught:
        service.import_paths(engine, [bad])
    assert "line 7: field 'hs_cod' unknown — did you mean 'hs_code'?" in str(caught.value)
    exported = service.export_profiles(engine, tmp_path / "out")
    assert len(exported) >= 27
    assert service.import_paths(engine, [tmp_path / "out"]).profiles["new_version"] == []


def test_assess_pending_once_and_again_after_amendment(engine: Engine) -> None:
    store(engine, [WHEAT, PRECURSOR])
    first = service.assess_pending(engine)
    items = {i["document_number"]: i for r in first for i in r.items()}
    assert set(items) == {"BL1", "BL2"}
    precursor = items["BL2"]
    assert precursor["lane"] == "red" and precursor["stored"]
    pre = next(h for h in precursor["hits"] if h["rule_id"] == "PRE-001")
    assert pre["version"] == 1 and pre["evidence"]["goods"][0]["goods.hs_code"] == "291524"
    assert (
        precursor["profile_set"]["PRE-001"] == 1 and "list:precursor-table1-hs6" in precursor["profile_set"]
    )
    assert service.assess_pending(engine) == []  # nothing new

    amended = PRECURSOR.model_copy(
        update={"goods": [GoodsItem(sequence=1, hs_code="100199", description="Wheat")]}
    )
    store(engine, [amended])
    again = [i for r in service.assess_pending(engine) for i in r.items()]
    assert [i["document_number"] for i in again] == ["BL2"]
    assert "PRE-001" not in {h["rule_id"] for h in again[0]["hits"]}
    with Session(engine) as session:
        stored = service.assessment_of(session, "BL2")
        assert stored["consignment_version"] == 2 and stored["current"]
        assert session.scalar(select(func.count()).select_from(AssessmentRow)) == 3


def test_selection_within_capacity_is_stored(engine: Engine, tmp_path: Path) -> None:
    day = datetime(2025, 3, 4, 8, tzinfo=UTC)
    batch = [consignment(i, eta=day, filed_at=day - timedelta(days=1)) for i in range(12)]
    batch.append(PRECURSOR.model_copy(update={"eta": day}))
    store(engine, batch)
    service.import_paths(engine, None)
    service.assess_pending(engine)
    policy = tmp_path / "policy.yaml"
    policy.write_text("default: {capacity: 3, mode: top_k, min_score: 0, exploration_share: 0.34}\nseed: 4\n")
    items, report = service.select_day(engine, day.date(), "AZ-ALAT-PCU", service.current_policy(policy))
    assert report[0]["capacity"] == 3 and report[0]["selected"] == 3
    reasons = sorted(i["reason"] for i in items if i["selected"])
    assert reasons == ["exploration", "mandatory", "risk"]
    assert items[0]["document_number"] == "BL2" and items[0]["reason"] == "mandatory"
    with Session(engine) as session:
        rows = list(session.scalars(select(AssessmentRow).where(AssessmentRow.selected)))
        assert len(rows) == 3 and sum(r.exploration for r in rows) == 1
        assert {r.lane for r in rows} == {"red"}


def test_backtest_stored_consignments(engine: Engine) -> None:
    day = datetime(2025, 3, 4, 8, tzinfo=UTC)
    batch = [
        consignment(
            i,
            origin_country="IR" if i < 5 else "KZ",
            filed_at=day,
            eta=day,
            outcome=SourceOutcome(inspected=True, fraud=i < 3),
        )
        for i in range(20)
    ]
    store(engine, batch)
    other = "id: IR\ntitle: Iran\nowner: o\nweight: 0.5\nstatus: draft\nrationale: r\nwhen: {origin_country: IR}\n"
    out = service.backtest_stored_text(engine, date(2025, 3, 1), date(2025, 3, 31), other, PROFILE)
    a = out["a"]
    assert (a["consignments"], a["inspected"], a["positives"]) == (20, 20, 3)
    ir = a["profiles"][0]
    assert (ir["hits"], ir["positives"], ir["hit_rate"], ir["lift"]) == (5, 3, 0.6, 4.0)
    assert out["b"]["profiles"][0]["hits"] == 20


@pytest.fixture
def client(engine: Engine) -> TestClient:
    return TestClient(create_app(engine), headers={"Authorization": f"Bearer {api_token(engine)}"})


def test_api(client: TestClient, engine: Engine) -> None:
    store(engine, [WHEAT])
    single = client.post("/assessments", json={"consignment": json.loads(PRECURSOR.model_dump_json())})
    assert single.status_code == 200, single.text
    body = single.json()
    assert body["lane"] == "red" and body["stored"] is False and body["document_number"] == "BL2"
    assert any(h["rule_id"] == "PRE-001" and h["evidence"]["goods"] for h in body["hits"])

    stored_doc = json.loads(WHEAT.model_dump_json())
    batch = client.post(
        "/assessments", json={"consignments": [stored_doc, json.loads(PRECURSOR.model_dump_json())]}
    )
    assert batch.status_code == 200 and batch.json()["count"] == 2
    assert [i["stored"] for i in batch.json()["items"]] == [True, False]
    got = client.get("/consignments/BL1/assessment")
    assert got.status_code == 200 and got.json()["current"] is True and got.json()["profile_set"]

    assert client.post("/assessments", json={}).status_code == 422
    assert client.post("/assessments", json={"ids": [999999]}).json()["error"]["code"] == "not_found"
    assert client.get("/consignments/NOPE/assessment").status_code == 404

    fields = client.get("/risk/fields").json()
    assert any(f["name"] == "goods.unit_value_z" for f in fields["fields"])
    assert {i["name"] for i in client.get("/risk/indicators").json()} >= {
        "route",
        "party_history",
        "watchlists",
    }
    bad = client.post("/risk/profiles/validate", json={"text": PROFILE.replace("weight: 0.3", "weight: 3")})
    assert bad.status_code == 422
    assert bad.json()["error"]["issues"][0]["line"] == 4 and bad.json()["error"]["code"] == "invalid_profile"
    created = client.post("/risk/profiles", json={"text": PROFILE, "author": "api"})
    assert created.json()["profiles"]["created"] == ["LOC-1"]
    assert client.post("/risk/profiles/LOC-1/status", json={"status": "retired"}).json()["version"] == 2
    assert client.get("/risk/profiles/LOC-1").json()["status"] == "retired"
    assert any(p["id"] == "PRE-001" for p in client.get("/risk/profiles").json())
    assert any(lst["name"] == "precursor-hs6" for lst in client.get("/risk/lists").json())
    sel = client.post("/risk/selection", json={"date": "2025-03-04"})
    assert sel.status_code == 200 and sel.json()["items"][0]["document_number"] == "BL1"
    assert TestClient(create_app(engine)).get("/risk/fields").status_code == 401


runner = CliRunner()


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    from corridor.db.ready import _ready
    from corridor.settings import get_settings

    monkeypatch.setenv("CORRIDOR_DATA_DIR", str(tmp_path / "cli"))
    get_settings.cache_clear()
    _ready.cache_clear()
    return tmp_path


def test_cli(cli_env: Path) -> None:
    from corridor.cli import app
    from corridor.demo.writers import write_file

    data = cli_env / "demo.jsonl"
    write_file(generate(600, 2, start=date(2026, 6, 1)), data, "jsonl")
    # Ingest assesses by default; --no-assess leaves the work to `corridor risk assess`.
    assert runner.invoke(app, ["ingest", str(data), "--json", "--no-assess"]).exit_code == 0
    out = runner.invoke(app, ["risk", "assess", "--json"])
    assert out.exit_code == 0, out.output
    body = json.loads(out.stdout)
    assert body["count"] == 600
    hit = next(i for i in body["items"] if i["hits"])
    assert hit["document_number"] and hit["hits"][0]["evidence"]["fields"] is not None
    assert json.loads(runner.invoke(app, ["risk", "assess", "--json"]).stdout)["count"] == 0
    table = runner.invoke(app, ["risk", "assess", str(data)])
    assert table.exit_code == 0 and "GEN-" in table.stdout or "DRG-" in table.stdout

    good = cli_env / "p.yaml"
    good.write_text(PROFILE)
    assert runner.invoke(app, ["profiles", "validate", str(good)]).exit_code == 0
    bad = cli_env / "bad.yaml"
    bad.write_text(PROFILE.replace("hs_code", "hs_cde"))
    res = runner.invoke(app, ["profiles", "validate", str(bad)])
    assert res.exit_code == 1 and "line 7: field 'hs_cde' unknown — did you mean 'hs_code'?" in res.output
    tested = runner.invoke(app, ["profiles", "test", str(good), "--on", str(data), "--json"])
    assert tested.exit_code == 0 and json.loads(tested.stdout)["consignments"] == 600

    listed = json.loads(runner.invoke(app, ["profiles", "list", "--json"]).stdout)
    assert any(p["id"] == "STR-001" for p in listed)
    sel = runner.invoke(app, ["risk", "select", "--date", "2026-06-01", "--json"])
    assert sel.exit_code == 0, sel.output
    assert json.loads(sel.stdout)["capacity"]
    bt = runner.invoke(app, ["risk", "backtest", "--data", str(data), "--against", str(good), "--json"])
    assert bt.exit_code == 0, bt.output
    assert json.loads(bt.stdout)["comparison"]["profiles"]
    assert runner.invoke(app, ["risk", "backtest"]).exit_code == 2
