"""The goods API through FastAPI's test client, on both databases."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from corridor.api.app import create_app


@pytest.fixture
def client(engine: Engine) -> TestClient:
    # The goods API is for logged-in users (any role): an API token of an analyst.
    from sqlalchemy.orm import Session

    from corridor.accounts.service import NewUser, create_user, ensure_agency, issue_api_token

    with Session(engine, expire_on_commit=False) as session:
        ensure_agency(session, "TEST", "Test customs")
        user = create_user(session, NewUser("goods-analyst", "a-long-password-1", "risk_analyst", "TEST"))
        token = issue_api_token(session, user, "tests")
    return TestClient(create_app(engine), headers={"Authorization": f"Bearer {token}"})


def test_lookup_search_suggest_and_check(client: TestClient) -> None:
    found = client.get("/goods/hs/8703231981")
    assert found.status_code == 200, found.text
    assert found.json()["national_extension"] == "1981" and found.json()["hs_code"] == "870323"

    search = client.get("/goods/hs", params={"q": "ball bearings", "level": 6})
    assert search.json()["items"][0]["code"] == "848210"

    suggested = client.post("/goods/suggest", json={"description": "смартфоны Samsung", "top": 3})
    assert suggested.status_code == 200
    assert suggested.json()["suggestions"][0]["code"].startswith("8517")

    checked = client.post(
        "/goods/check", json={"description": "уксусного ангидрида 200 кг", "hs_code": "3824999609"}
    ).json()
    assert "precursor" in checked["flags"] and checked["precursors"][0]["name"] == "Acetic anhydride"
    assert checked["mismatch"]["flagged"] is True
    assert checked["mismatch"]["suggestions"][0]["code"].startswith("2915")


def test_errors_have_the_stable_body(client: TestClient) -> None:
    missing = client.get("/goods/hs/019900")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    bad = client.get("/goods/hs/12ab")
    assert bad.status_code == 422 and bad.json()["error"]["where"] == "code"
    empty = client.post("/goods/suggest", json={"description": ""})
    assert empty.status_code == 422 and empty.json()["error"]["code"] == "invalid_input"
    blank = client.post("/goods/check", json={"description": "   "})
    assert blank.status_code == 422
    extra = client.post("/goods/suggest", json={"description": "apples", "colour": "red"})
    assert extra.status_code == 422
