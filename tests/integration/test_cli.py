"""The `corridor` command as a user runs it: tables, --json, exit statuses, rejection reports."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from corridor.cli import app
from corridor.db.ready import _ready

runner = CliRunner()

CSV = (
    "document_number,mode,office,loading_locode,discharge_locode,consignee_name,hs_code,description,gross_kg\n"
    "TRK-1,road,AZ-ASTARA-BP,IRTBZ,AZAST,Astara Meyve MMC,080810,apples,18000\n"
    "TRK-2,road,AZ-ASTARA-BP,IRTBZ,AZAST,Astara Meyve MMC,0808,pears,lots\n"
)


@pytest.fixture(autouse=True)
def _fresh_engine_cache() -> None:
    _ready.cache_clear()


def test_ingest_list_show_and_rejections(tmp_path: Path) -> None:
    path = tmp_path / "trucks.csv"
    path.write_text(CSV)
    report_path = tmp_path / "rejections.json"
    result = runner.invoke(app, ["ingest", str(path), "--json", "--rejections", str(report_path)])
    assert result.exit_code == 1, result.output  # partly rejected
    body = json.loads(result.stdout)
    assert (body["accepted"], body["rejected"]) == (1, 1)
    assert body["targeting"]["assessed"] == 1 and body["targeting"]["screened"] == 1
    saved = json.loads(report_path.read_text())
    assert saved[0]["location"] == "row 3" and saved[0]["field"] == "row 3: gross_kg"

    again = runner.invoke(app, ["ingest", str(path), "--json"])
    assert json.loads(again.stdout)["duplicates"] == 1

    listed = json.loads(runner.invoke(app, ["consignments", "list", "--json"]).stdout)
    assert listed["total"] == 1 and listed["items"][0]["document_number"] == "TRK-1"
    shown = runner.invoke(app, ["consignments", "show", "TRK-1", "--json"])
    assert shown.exit_code == 0
    assert json.loads(shown.stdout)["consignment"]["goods"][0]["hs_code"] == "080810"
    table = runner.invoke(app, ["consignments", "show", "TRK-1"])
    assert "Astara Meyve MMC" in table.stdout and "History" in table.stdout

    batches = json.loads(runner.invoke(app, ["batches", "list", "--json"]).stdout)
    rejections = runner.invoke(app, ["batches", "rejections", str(batches[-1]["id"]), "--output", "csv"])
    assert "row 3: gross_kg" in rejections.stdout


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    assert runner.invoke(app, ["ingest", str(tmp_path / "missing.csv")]).exit_code == 2
    assert runner.invoke(app, ["consignments", "show", "NOPE"]).exit_code == 2
    path = tmp_path / "a.csv"
    path.write_text(CSV)
    assert runner.invoke(app, ["ingest", str(path), "--format", "pdf"]).exit_code == 2


def test_reference_and_schema_commands(tmp_path: Path) -> None:
    assert json.loads(runner.invoke(app, ["reference", "locode", "AZBAK", "--json"]).stdout)["name"] == "Baku"
    hs = json.loads(runner.invoke(app, ["reference", "hs", "2402200000", "--json"]).stdout)
    assert hs["path"][-1]["code"] == "240220"
    assert json.loads(runner.invoke(app, ["reference", "country", "AZE", "--json"]).stdout)["alpha2"] == "AZ"
    schema = json.loads(runner.invoke(app, ["schema", "consignment"]).stdout)
    assert schema["title"] == "Corridor consignment"
