"""The model as users meet it: trained on KCS declarations, registered, activated and rolled back,
scoring stored consignments with reasons on SQLite and PostgreSQL, and through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from corridor.cli import app
from corridor.consignments.models import ConsignmentRow
from corridor.db.engine import unit_of_work
from corridor.db.ready import _ready
from corridor.domain.consignment import Consignment
from corridor.domain.errors import Conflict
from corridor.ingest.service import ingest_paths
from corridor.model import registry, service
from corridor.model.features import frame_from_consignments, read_kcs
from corridor.model.train import TrainConfig, TrainedModel, train

SMALL = TrainConfig(n_estimators=40, num_leaves=15)
runner = CliRunner()


@pytest.fixture(scope="module")
def kcs(shared_data: Path) -> Path:
    return shared_data / "customs-declarations"


@pytest.fixture(autouse=True)
def _fresh_engine_cache() -> None:
    _ready.cache_clear()


def _sample(src: Path, dst: Path, rows: int) -> Path:
    lines = src.read_text(encoding="utf-8-sig").splitlines()
    dst.write_text("\n".join(lines[: rows + 1]) + "\n", encoding="utf-8")
    return dst


def test_registry_activate_and_rollback(engine: Engine, kcs: Path) -> None:
    model = train(read_kcs(kcs / "df_syn_train_eng.csv").head(3000), SMALL)
    with unit_of_work(engine) as session:
        v1 = registry.register(session, model, "sample").version
        v2 = registry.register(session, model, "sample").version
        v3 = registry.register(session, model, "sample").version
        session.commit()
    assert (v1, v2, v3) == ("v1", "v2", "v3")
    with pytest.raises(Conflict):
        service.rollback_model(engine)
    service.activate_model(engine, v1)
    service.activate_model(engine, v2)
    service.activate_model(engine, v3)
    statuses = {i["version"]: i["status"] for i in service.list_models(engine)}
    assert statuses == {"v1": "retired", "v2": "retired", "v3": "active"}
    assert service.rollback_model(engine)["version"] == "v2"
    assert service.rollback_model(engine)["version"] == "v1"
    statuses = {i["version"]: i["status"] for i in service.list_models(engine)}
    assert statuses == {"v1": "active", "v2": "candidate", "v3": "candidate"}
    detail = service.model_detail(engine, "v1")
    assert detail["card"].startswith("# Model card — v1") and "training window" in detail["card"]


def test_stored_consignments_score_like_the_dataset_rows(engine: Engine, kcs: Path, tmp_path: Path) -> None:
    fit = read_kcs(kcs / "df_syn_train_eng.csv").head(8000)
    sample = _sample(kcs / "df_syn_test_eng.csv", tmp_path / "kcs_test.csv", 150)
    with unit_of_work(engine) as session:
        assert service.score_consignments(session, []) == []  # no active model yet
    summary = service.train_and_register(engine, fit, SMALL, "KCS sample", activate=True)
    assert summary["status"] == "active" and summary["precision"]

    report = ingest_paths(engine, [sample], origin="test")
    assert report.total("accepted") == 150
    expected = TrainedModel.load(Path(summary["path"])).score(read_kcs(sample))

    with unit_of_work(engine) as session:
        rows = session.scalars(select(ConsignmentRow).order_by(ConsignmentRow.id)).all()
        consignments = [Consignment.model_validate(r.data) for r in rows]
        scores = service.score_consignments(session, consignments)
        explained = service.explain_consignment(session, rows[0].key)
    by_key = dict(
        zip([c.document_number for c in consignments], [s.probability for s in scores], strict=True)
    )
    ids = read_kcs(sample)["id"].to_list()
    # The same declaration, from the CSV or from the database, gets the same probability.
    assert np.allclose([by_key[i] for i in ids], expected.probability, atol=1e-9)
    assert all(s.model_version == summary["version"] for s in scores)
    assert any(s.reasons for s in scores)
    hit = next(h for s in scores for h in s.reasons)
    assert hit.source == "model" and hit.weight > 0 and "(+" in hit.title
    assert explained["model_version"] == summary["version"] and explained["reasons"]


def test_cli_train_list_activate_evaluate_simulate(kcs: Path, tmp_path: Path) -> None:
    data = tmp_path / "kcs"
    data.mkdir()
    for split, rows in (("train", 4000), ("valid", 800), ("test", 800)):
        _sample(kcs / f"df_syn_{split}_eng.csv", data / f"df_syn_{split}_eng.csv", rows)
    result = runner.invoke(app, ["model", "train", "--data", str(data), "--trees", "30", "--json"])
    assert result.exit_code == 0, result.output
    first = json.loads(result.stdout)
    assert first["version"] == "v1" and first["status"] == "candidate"
    assert set(first["precision"]) == {"0.01", "0.02", "0.05", "0.1", "0.2"}
    result = runner.invoke(
        app, ["model", "train", "--data", str(data), "--trees", "30", "--activate", "--json"]
    )
    assert json.loads(result.stdout)["status"] == "active"
    listed = json.loads(runner.invoke(app, ["model", "list", "--json"]).stdout)
    assert [i["version"] for i in listed["items"]] == ["v2", "v1"]
    assert runner.invoke(app, ["model", "activate", "v1"]).exit_code == 0
    assert runner.invoke(app, ["model", "activate", "v7"]).exit_code == 2
    assert json.loads(runner.invoke(app, ["model", "rollback", "--json"]).stdout)["version"] == "v2"

    report = tmp_path / "report"
    result = runner.invoke(
        app,
        [
            "model",
            "evaluate",
            "--data",
            str(data),
            "--seeds",
            "1",
            "--models",
            "corridor,lightgbm_default",
            "--report",
            str(report),
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert [m["name"] for m in body["models"]] == ["corridor", "lightgbm_default"]
    assert set(body["models"][0]["precision"]) == {"0.01", "0.02", "0.05", "0.1", "0.2"}
    assert (report / "report.md").is_file() and (report / "precision_fraud.png").stat().st_size > 1000
    assert "<table>" in (report / "report.html").read_text()

    result = runner.invoke(
        app,
        [
            "model",
            "simulate",
            "--data",
            str(data),
            "--rates",
            "0.05",
            "--weeks",
            "2",
            "--trees",
            "20",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    sim = json.loads(result.stdout)
    assert [(r["rate"], r["explore"]) for r in sim["runs"]] == [(0.05, 0.0), (0.05, 0.1)]
    assert sim["periods"] == 2 and all(len(r["periods"]) == 2 for r in sim["runs"])
    assert (
        runner.invoke(app, ["model", "evaluate", "--data", str(data), "--label", "nonsense"]).exit_code == 2
    )


def test_demo_outcomes_become_labels_with_revenue() -> None:
    from corridor.demo.generator import generate

    frame = frame_from_consignments(generate(400, 3))
    labelled = frame.filter(pl.col("fraud").is_not_null())
    assert labelled.height > 0
    assert labelled.filter(pl.col("fraud"))["revenue"].is_not_null().any()
    assert (labelled.filter(~pl.col("fraud"))["revenue"].fill_null(0.0) < 500).all()
