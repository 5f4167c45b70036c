"""Screening through the API and the `corridor` command, as users call them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from typer.testing import CliRunner

from corridor.api.app import create_app
from corridor.cli import app
from corridor.db.ready import _ready
from corridor.screening.service import import_list

runner = CliRunner()
OFFICE_KIND = "pcu"
CSV = (
    "id,name,type,aliases,country,birth_date,imo,mmsi,call_sign,tax_id,program,remarks\n"
    "AZ-1,Rza Hüseynov,person,Рза Гусейнов,AZ,1970,,,,,customs,\n"
    "AZ-2,Caspian Gas Trading MMC,organization,,AZ,,,,,,customs,\n"
    "AZ-3,,person,,AZ,,,,,,customs,\n"
)


def token(engine: Engine, role: str) -> str:
    from sqlalchemy.orm import Session

    from corridor.accounts.service import NewUser, create_user, ensure_agency, issue_api_token, upsert_office

    with Session(engine, expire_on_commit=False) as session:
        agency = ensure_agency(session, "TEST", "Test customs")
        upsert_office(session, code="AZ-ALYAT-PCU", agency=agency, name_en="Alyat PCU", kind=OFFICE_KIND)
        offices = ["AZ-ALYAT-PCU"] if role.endswith("officer") else []
        new = NewUser(f"u-{role.replace('_', '-')}", "a-long-password-1", role, "TEST", offices=offices)
        user = create_user(session, new)
        return issue_api_token(session, user, "tests")


@pytest.fixture
def client(engine: Engine, tmp_path: Path) -> TestClient:
    path = tmp_path / "az.csv"
    path.write_text(CSV, encoding="utf-8")
    import_list(engine, path, code="az-national")
    return TestClient(
        create_app(engine), headers={"Authorization": f"Bearer {token(engine, 'administrator')}"}
    )


def test_screen_batch_decide_and_features(client: TestClient) -> None:
    body = client.post("/screen", json={"name": "Reza Guseinov", "countries": ["AZ"]}).json()
    top = body["matches"][0]
    assert top["entry_key"] == "AZ-1" and top["passed"] and top["score"] >= 0.8
    assert {f["feature"] for f in top["explanation"]["features"]} == {"name", "country_match"}

    batch = client.post(
        "/screen/batch", json={"queries": [{"name": "Caspian Oil Trading LLC"}, {"name": "Гусейнов Рза"}]}
    ).json()["results"]
    assert batch[0]["matches"] == [] and batch[1]["matches"][0]["entry_key"] == "AZ-1"

    decided = client.post(
        "/screening/decisions",
        json={
            "subject": "Reza Guseinov",
            "list": "az-national",
            "entry_key": "AZ-1",
            "decision": "false_positive",
        },
    )
    assert decided.status_code == 200, decided.text
    assert client.post("/screen", json={"name": "Reza Guseinov"}).json()["matches"][0]["suppressed"]

    assert client.get("/screening/lists").json()[0]["version"] == 1
    assert "identifier_match" in {f["feature"] for f in client.get("/screening/features").json()}
    bad = client.post("/screen", json={"name": "x", "type": "ship"})
    assert bad.status_code == 422 and bad.json()["error"]["where"] == "body.type"
    missing = client.post(
        "/screening/decisions",
        json={"subject": "x", "list": "nope", "entry_key": "1", "decision": "true_match"},
    )
    assert missing.status_code == 404 and missing.json()["error"]["where"] == "list"


def test_an_officer_may_screen_but_not_write(client: TestClient, engine: Engine) -> None:
    anonymous = TestClient(create_app(engine))
    assert anonymous.post("/screen", json={"name": "Rza"}).status_code == 401
    analyst = TestClient(
        create_app(engine), headers={"Authorization": f"Bearer {token(engine, 'liaison_officer')}"}
    )
    assert analyst.post("/screen", json={"name": "Rza Huseynov"}).status_code == 200
    assert analyst.post("/screening/consignments", json={"pending": True}).status_code == 403


@pytest.fixture(autouse=False)
def _fresh_engine_cache() -> None:
    _ready.cache_clear()


def test_cli_lists_and_screen(tmp_path: Path, _fresh_engine_cache: None) -> None:
    path = tmp_path / "az.csv"
    path.write_text(CSV, encoding="utf-8")
    imported = runner.invoke(app, ["lists", "import", str(path), "--list", "az-national", "--json"])
    assert imported.exit_code == 1, imported.output  # one entry rejected
    report = json.loads(imported.stdout)
    assert report["added"] == 2 and report["problems"] == [
        {"position": "row 4", "reason": "name is empty", "excerpt": report["problems"][0]["excerpt"]}
    ]
    again = runner.invoke(app, ["lists", "import", str(path), "--list", "az-national"])
    assert again.exit_code == 1 and "use `update`" in again.output  # the list exists (409)

    found = runner.invoke(app, ["screen", "Reza Guseinov", "--country", "AZ", "--type", "person", "--json"])
    assert found.exit_code == 0, found.output
    match = json.loads(found.stdout)["matches"][0]
    assert match["entry_key"] == "AZ-1" and match["passed"]
    table = runner.invoke(app, ["screen", "Reza Guseinov"])
    assert "AZ-1" in table.stdout and "name +" in table.stdout

    shown = json.loads(runner.invoke(app, ["lists", "show", "--json"]).stdout)
    assert shown[0]["list"] == "az-national" and shown[0]["entries"] == 2
    versions = json.loads(runner.invoke(app, ["lists", "show", "az-national", "--json"]).stdout)
    assert versions["versions"][0]["added"] == 2
    decided = runner.invoke(
        app, ["lists", "decide", "Reza Guseinov", "--list", "az-national", "--entry", "AZ-1"]
    )
    assert decided.exit_code == 0, decided.output
    assert json.loads(runner.invoke(app, ["screen", "Reza Guseinov", "--json"]).stdout)["matches"][0][
        "suppressed"
    ]
    assert runner.invoke(app, ["screen"]).exit_code == 2
    pending = json.loads(runner.invoke(app, ["screen", "--consignments", "--json"]).stdout)
    assert pending["consignments"] == 0
