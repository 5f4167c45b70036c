"""`corridor goods ...` as a user runs it: tables, --json, exit statuses."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from corridor.cli import app

runner = CliRunner()


def test_suggest_json_ranks_codes_with_scores() -> None:
    result = runner.invoke(
        app, ["goods", "suggest", "Запчасти для грузовых автомобилей", "--json", "--top", "3"]
    )
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    codes = [s["code"] for s in body["suggestions"]]
    assert len(codes) == 3 and codes[0].startswith("8708")
    assert body["suggestions"][0]["score"] >= body["suggestions"][1]["score"]


def test_suggest_table() -> None:
    result = runner.invoke(app, ["goods", "suggest", "FRESH APPLES IN CARTONS"])
    assert result.exit_code == 0 and "0808" in result.stdout


def test_check_reports_mismatch_precursor_and_strategic_goods() -> None:
    result = runner.invoke(
        app, ["goods", "check", "ACETIC ANHYDRIDE 99% CAS 108-24-7", "--hs", "8542310000", "--json"]
    )
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert set(body["flags"]) == {"hs_mismatch", "precursor", "strategic"}
    assert body["mismatch"]["declared"] == "8542310000" and body["mismatch"]["level"] == "chapter"
    assert (
        body["precursors"][0]["name"] == "Acetic anhydride" and body["precursors"][0]["matched_by"] == "cas"
    )
    assert body["strategic"][0]["hs6"] == "854231" and body["strategic"][0]["tier"] == "1"

    quiet = json.loads(
        runner.invoke(app, ["goods", "check", "fresh apples", "--hs", "080810", "--json"]).stdout
    )
    assert quiet["flags"] == [] and quiet["mismatch"]["flagged"] is False
    table = runner.invoke(app, ["goods", "check", "уксусный ангидрид"])
    assert table.exit_code == 0 and "Precursors" in table.stdout and "108-24-7" in table.stdout


def test_lookup_keeps_the_national_extension() -> None:
    body = json.loads(runner.invoke(app, ["goods", "lookup", "8482.10.10 00", "--json"]).stdout)
    assert body["hs_code"] == "848210" and body["national_extension"] == "1000"
    assert [p["level"] for p in body["path"]] == ["section", "chapter", "heading", "subheading"]
    search = json.loads(runner.invoke(app, ["goods", "search", "ball bearings", "--json"]).stdout)
    assert search["items"][0]["code"] == "848210"


def test_bad_input_exits_2_with_a_message() -> None:
    for args in (
        ["goods", "lookup", "12ab"],
        ["goods", "lookup", "019900"],
        ["goods", "suggest", "   "],
        ["goods", "check", "apples", "--hs", "08"],
        ["goods", "suggest", "apples", "--top", "0"],
    ):
        result = runner.invoke(app, args)
        assert result.exit_code == 2, (args, result.output)
    assert "not in the HS 2022" in runner.invoke(app, ["goods", "lookup", "019900"]).stderr
