"""The seizure API (authenticated, office-scoped) and `corridor seizures ...` as users run them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from corridor.api.app import create_app
from corridor.cli import app
from corridor.db.ready import _ready
from corridor.seizures.demo import generate
from corridor.seizures.template import to_bytes

RECORD = {
    "ref": "API-1",
    "seized_at": "2026-10-05T08:00:00Z",
    "office": "AZ-ASTARA-BP",
    "locode": "AZAST",
    "commodity_type": "methamphetamine",
    "quantity": 4.2,
    "unit": "kg",
    "concealment": "fuel_tank",
    "detection": "risk_profile",
    "transport_mode": "road",
    "departure_country": "IR",
    "destination_country": "AZ",
    "profile_hits": [{"rule_id": "DRG-PRODUCE-IR"}],
    "parties": [{"name": "Mehdi Karimi", "role": "driver", "nationality": "IR"}],
}


def token(engine: Engine, username: str, role: str, offices: list[str] | None = None) -> str:
    from corridor.accounts.service import NewUser, create_user, ensure_agency, issue_api_token, upsert_office

    with Session(engine, expire_on_commit=False) as session:
        agency = ensure_agency(session, "AZ-SCS", "Customs")
        for code in ("AZ-ASTARA-BP", "AZ-BAKU-AIR"):
            upsert_office(session, code=code, agency=agency, name_en=code, kind="border_post")
        user = create_user(
            session, NewUser(username, f"{username}-password-1", role, "AZ-SCS", offices=offices or [])
        )
        return issue_api_token(session, user, "tests")


@pytest.fixture
def client(engine: Engine) -> TestClient:
    return TestClient(
        create_app(engine), headers={"Authorization": f"Bearer {token(engine, 'admin', 'administrator')}"}
    )


def test_api_record_list_stats_maps_report(client: TestClient, engine: Engine) -> None:
    assert client.get("/seizures").status_code == 200
    created = client.post("/seizures", json=RECORD)
    assert created.status_code == 200, created.text
    assert created.json()["status"] == "created" and created.json()["category"] == "drugs"
    bad = client.post("/seizures", json={**RECORD, "unit": "bags"})
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_input"

    upload = to_bytes(generate(4, count=80), "xlsx")
    imported = client.post("/seizures/import", files={"file": ("year.xlsx", upload)})
    assert imported.status_code == 200 and imported.json()["created"] == 80

    listed = client.get("/seizures", params={"category": "drugs", "limit": 5}).json()
    assert listed["total"] >= 1 and len(listed["items"]) <= 5
    assert client.get("/seizures/API-1").json()["parties"][0]["name"] == "Mehdi Karimi"
    by_office = client.get("/seizures/stats", params={"by": "office"}).json()
    assert sum(r["seizures"] for r in by_office["rows"]) == 81
    assert client.get("/seizures/stats", params={"by": "colour"}).json()["error"]["where"] == "by"
    for layer in ("points", "flows", "hexagons"):
        body = client.get(f"/seizures/map/{layer}.geojson", params={"resolution": 5}).json()
        assert body["type"] == "FeatureCollection" and body["features"], layer
    html = client.get("/seizures/report", params={"month": "2026-10", "format": "html"})
    assert html.status_code == 200 and "monthly report 2026-10" in html.text
    pdf = client.get("/seizures/report", params={"month": "2026-10"})
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    exported = client.get("/seizures/export", params={"format": "geojson"}).json()
    assert len(exported["features"]) == 81
    attached = client.post(
        "/seizures/API-1/attachments",
        files={"file": ("xray.png", b"\x89PNG\r\n\x1a\n1234")},
        data={"kind": "xray"},
    )
    assert attached.status_code == 200
    assert client.get(f"/seizures/attachments/{attached.json()['id']}").content.endswith(b"1234")
    watched = client.post("/seizures/API-1/watch", json={"reason": "driver of a meth run"}).json()
    assert watched["added"][0]["entry"] == "Mehdi Karimi"
    assert client.get("/seizures/watchlist").json()[0]["reason"] == "driver of a meth run"
    assert "hit_rates" in client.get("/seizures/profiles").json()


def test_api_respects_office_scope(engine: Engine) -> None:
    admin = TestClient(
        create_app(engine), headers={"Authorization": f"Bearer {token(engine, 'admin', 'administrator')}"}
    )
    assert admin.post("/seizures", json=RECORD).status_code == 200
    officer = TestClient(
        create_app(engine),
        headers={"Authorization": f"Bearer {token(engine, 'airport', 'targeting_officer', ['AZ-BAKU-AIR'])}"},
    )
    assert officer.get("/seizures/API-1").status_code == 404
    assert officer.get("/seizures").json()["total"] == 0
    assert officer.post("/seizures", json={**RECORD, "ref": "API-2"}).status_code == 403
    assert officer.post("/seizures/API-1/watch", json={}).status_code == 403
    assert TestClient(create_app(engine)).get("/seizures").status_code == 401


runner = CliRunner()


@pytest.fixture
def fresh_cli() -> None:
    _ready.cache_clear()


def test_cli_add_import_export_stats_report(tmp_path: Path, fresh_cli: None) -> None:
    added = runner.invoke(
        app,
        [
            "seizures",
            "add",
            "--type",
            "cigarettes",
            "--quantity",
            "120000",
            "--unit",
            "sticks",
            "--detection",
            "xray",
            "--mode",
            "sea",
            "--date",
            "2026-10-02T10:00:00Z",
            "--office",
            "AZ-ALAT-PCU",
            "--locode",
            "AZALA",
            "--concealment",
            "container_structure",
            "--route",
            "CN>KZ>AZ",
            "--party",
            "Khorgos Silk Logistics TOO:consignor:company:KZ",
            "--ref",
            "CLI-1",
            "--json",
        ],
    )
    assert added.exit_code == 0, added.output
    assert json.loads(added.stdout)["route"] == "CN>KZ>AZ"
    assert (
        runner.invoke(
            app,
            [
                "seizures",
                "add",
                "--type",
                "gold-bars",
                "--quantity",
                "1",
                "--unit",
                "kg",
                "--detection",
                "xray",
                "--mode",
                "air",
                "--date",
                "2026-10-02",
            ],
        ).exit_code
        == 2
    )

    path = tmp_path / "year.csv"
    text = to_bytes(generate(9, count=30), "csv").decode().splitlines()
    text.append(text[1].replace("DEMO-9-", "BAD-").replace("2026", "20x6", 1).replace("2025", "20x5", 1))
    path.write_text("\n".join(text) + "\n")
    imported = runner.invoke(
        app, ["seizures", "import", str(path), "--json", "--rejections", str(tmp_path / "bad.json")]
    )
    assert imported.exit_code == 1, imported.output  # partly rejected
    body = json.loads(imported.stdout)
    assert body["created"] == 30 and body["rejected"] == 1
    assert json.loads((tmp_path / "bad.json").read_text())[0] == body["rejections"][0]
    assert body["rejections"][0]["row"] == 32 and body["rejections"][0]["column"] == "date"

    stats = json.loads(runner.invoke(app, ["seizures", "stats", "--by", "month", "--json"]).stdout)
    assert sum(r["seizures"] for r in stats["rows"]) == 31
    table = runner.invoke(app, ["seizures", "stats", "--by", "commodity"])
    assert table.exit_code == 0 and "Seizures by commodity" in table.stdout
    assert runner.invoke(app, ["seizures", "stats", "--by", "colour"]).exit_code == 2

    out = tmp_path / "all.parquet"
    assert runner.invoke(app, ["seizures", "export", "--out", str(out)]).exit_code == 0
    again = runner.invoke(app, ["seizures", "import", str(out), "--json"])
    assert again.exit_code == 0 and json.loads(again.stdout)["unchanged"] == 31

    report = tmp_path / "oct.pdf"
    result = runner.invoke(
        app, ["seizures", "report", "--month", "2026-10", "--format", "pdf", "--out", str(report)]
    )
    assert result.exit_code == 0, result.output
    assert report.read_bytes().startswith(b"%PDF")
    assert (
        runner.invoke(app, ["seizures", "report", "--month", "2026-13", "--out", str(report)]).exit_code == 2
    )
    shown = json.loads(runner.invoke(app, ["seizures", "show", "CLI-1", "--json"]).stdout)
    party = shown["parties"][0]["id"]
    watched = runner.invoke(app, ["seizures", "watch", "CLI-1", "--party", str(party), "--json"])
    assert json.loads(watched.stdout)["added"][0]["entry"] == "Khorgos Silk Logistics TOO"


def test_workbench_page_shows_figures_and_map(engine: Engine) -> None:
    import re

    token(engine, "analyst", "administrator")
    api = TestClient(create_app(engine), headers={"Authorization": f"Bearer {token(engine, 'api', 'administrator')}"})
    assert api.post("/seizures/import", files={"file": ("y.csv", to_bytes(generate(6, count=40), "csv"))}).status_code == 200
    browser = TestClient(create_app(engine))
    page = browser.get("/login")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert csrf is not None
    logged = browser.post(
        "/login",
        data={"username": "analyst", "password": "analyst-password-1", "csrf_token": csrf.group(1), "next": "/queue"},
        follow_redirects=False,
    )
    assert logged.status_code == 303, logged.text
    shown = browser.get("/analytics/seizures")
    assert shown.status_code == 200
    assert "Seizure database" in shown.text and 'id="cen-map"' in shown.text and "/seizures/report?month=" in shown.text
    # The map's layers come from the API with the page's cookie.
    assert browser.get("/seizures/map/hexagons.geojson").json()["features"]
    assert browser.get("/analytics/seizures", params={"since": "2026-13"}).status_code == 422
