"""`corridor maritime ...` as a user runs it: scenario files, ingest with rejections, detect, events, vessel."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from corridor.cli import app
from corridor.db.ready import _ready

runner = CliRunner()


@pytest.fixture(autouse=True)
def _fresh_engine_cache() -> None:
    _ready.cache_clear()


def test_scenario_ingest_detect_review(tmp_path: Path, shared_data: Path) -> None:
    out = tmp_path / "scn"
    made = runner.invoke(
        app, ["maritime", "scenario", "--out", str(out), "--background", "5", "--score", "--json"]
    )
    assert made.exit_code == 0, made.output
    body = json.loads(made.stdout)
    assert all(s["precision"] == 1.0 and s["recall"] == 1.0 for s in body["scores"])

    ok = runner.invoke(app, ["maritime", "ingest", str(out / "ais.nmea"), str(out / "radar.csv"), "--json"])
    assert ok.exit_code == 0, ok.output
    assert [r["format"] for r in json.loads(ok.stdout)] == ["nmea", "radar-csv"]
    rejections = tmp_path / "rejected.json"
    partly = runner.invoke(
        app,
        ["maritime", "ingest", str(shared_data / "ais" / "pyais_mixed.txt"), "--rejections", str(rejections)],
    )
    assert partly.exit_code == 1 and "bad_chec" in partly.stdout  # the table wraps the reason
    assert json.loads(rejections.read_text())[0]["line"] == 23

    zone = runner.invoke(app, ["maritime", "zone-add", "absheron-box", str(out / "zones.geojson")])
    assert zone.exit_code == 0, zone.output
    detected = runner.invoke(app, ["maritime", "detect", "--until", "2026-03-02T00:00:00Z", "--json"])
    assert detected.exit_code == 0, detected.output
    assert sum(json.loads(detected.stdout)["new"].values()) == body["planted"]

    listed = json.loads(runner.invoke(app, ["maritime", "events", "--kind", "encounter", "--json"]).stdout)
    assert listed["total"] == 1
    event_id = listed["items"][0]["id"]
    shown = runner.invoke(app, ["maritime", "event", str(event_id)])
    assert "median_distance_m" in shown.stdout
    review = runner.invoke(app, ["maritime", "review", str(event_id), "--status", "dismissed"])
    assert review.exit_code == 0
    open_now = json.loads(runner.invoke(app, ["maritime", "events", "--status", "open", "--json"]).stdout)
    assert open_now["total"] == body["planted"] - 1

    vessel = json.loads(
        runner.invoke(app, ["maritime", "vessel", listed["items"][0]["vessel"], "--json"]).stdout
    )
    assert vessel["imo"] and vessel["screening"]["queried"]["identifiers"]


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    assert runner.invoke(app, ["maritime", "ingest", str(tmp_path / "none.nmea")]).exit_code == 2
    assert runner.invoke(app, ["maritime", "events", "--kind", "piracy"]).exit_code == 2
    assert runner.invoke(app, ["maritime", "event", "999"]).exit_code == 2
    assert runner.invoke(app, ["maritime", "listen"]).exit_code == 2
    assert runner.invoke(app, ["maritime", "flag", "12"]).exit_code == 2
    assert json.loads(runner.invoke(app, ["maritime", "flag", "273123456", "--json"]).stdout)["flag"] == "RU"
    bad = tmp_path / "cfg.json"
    bad.write_text('{"gap": {"alert_hours": "soon"}}')
    result = runner.invoke(app, ["maritime", "detect", "--config", str(bad)])
    assert result.exit_code == 2 and "gap.alert_hours" in result.output
