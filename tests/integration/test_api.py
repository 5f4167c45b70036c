"""The JSON API through FastAPI's test client on both databases, and once through a real server."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from corridor.api.app import create_app
from corridor.domain.errors import ALL_ERRORS, CorridorError

CMR = {
    "document_type": "CMR",
    "document_number": "CMR-2026-001",
    "mode": "road",
    "office": "AZ-ASTARA-BP",
    "eta": "2026-11-25T09:00:00+04:00",
    "place_of_loading": {"locode": "IRTBZ"},
    "place_of_discharge": {"locode": "AZAST"},
    "conveyance": {"mode": "road", "registration": "IR 12 B 345", "trailer_registration": "IR 99 T 001"},
    "parties": [
        {"role": "consignor", "name": "Tabriz Fresh Fruit Co.", "country": "IR"},
        {"role": "consignee", "name": "Astara Meyve MMC", "country": "AZ"},
    ],
    "goods": [{"sequence": 1, "hs_code": "080810", "description": "fresh apples", "packages": 1200,
               "gross_kg": 19500, "value": {"amount": 9750, "currency": "USD"}}],
}


def api_token(engine: Engine) -> str:
    """The API needs a user: an administrator (sees every office) with an API token."""
    from sqlalchemy.orm import Session

    from corridor.accounts.service import NewUser, create_user, ensure_agency, issue_api_token

    with Session(engine, expire_on_commit=False) as session:
        ensure_agency(session, "TEST", "Test customs")
        user = create_user(session, NewUser("api-admin", "api-admin-password", "administrator", "TEST"))
        return issue_api_token(session, user, "tests")


@pytest.fixture
def client(engine: Engine) -> TestClient:
    return TestClient(create_app(engine), headers={"Authorization": f"Bearer {api_token(engine)}"})


def test_submit_fetch_list_and_history(client: TestClient) -> None:
    response = client.post("/consignments", json=CMR)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["accepted"] == 1 and body["rejected"] == 0 and len(body["consignment_ids"]) == 1
    # What was stored is screened and risk-assessed at once (the starter profiles are imported on first use).
    assert body["targeting"]["assessed"] == 1 and sum(body["targeting"]["lanes"].values()) == 1
    assessed = client.get(f"/consignments/{body['consignment_ids'][0]}/assessment")
    assert assessed.status_code == 200, assessed.text

    one = client.get("/consignments/CMR-2026-001")
    assert one.status_code == 200
    detail = one.json()
    assert detail["eta"] == "2026-11-25T05:00:00Z"  # stored in UTC
    assert detail["consignment"]["place_of_discharge"]["name"] == "Astara"

    amended = {**CMR, "goods": [{**CMR["goods"][0], "gross_kg": 23000}]}
    assert client.post("/consignments", json=[amended]).json()["amended"] == 1
    again = client.post("/consignments", json={"consignments": [amended]}).json()
    assert again["duplicates"] == 1

    history = client.get("/consignments/CMR:CMR-2026-001/history").json()
    assert [h["version"] for h in history] == [1, 2] and "goods" in history[1]["changed"]

    page = client.get("/consignments", params={"office": "AZ-ASTARA-BP", "limit": 10}).json()
    assert page["total"] == 1 and page["items"][0]["version"] == 2
    assert client.get("/consignments", params={"q": "astara meyve"}).json()["total"] == 1
    assert client.get("/consignments", params={"mode": "sea"}).json()["total"] == 0


def test_batch_with_bad_records_reports_them(client: TestClient) -> None:
    bad = {**CMR, "document_number": "CMR-2", "goods": [{"sequence": 1, "hs_code": "08A810"}]}
    body = client.post("/consignments", json=[CMR, bad]).json()
    assert body["accepted"] == 1 and body["rejected"] == 1
    rejection = body["rejections"][0]
    assert rejection["location"] == "element [1]" and rejection["field"] == "goods[0].hs_code"
    report = client.get(f"/ingest/batches/{body['batch_id']}/rejections").json()
    assert report[0]["field"] == "goods[0].hs_code"
    as_csv = client.get(f"/ingest/batches/{body['batch_id']}/rejections", params={"format": "csv"})
    assert as_csv.headers["content-type"].startswith("text/csv") and "goods[0].hs_code" in as_csv.text


def test_file_upload_detects_format(client: TestClient, shared_data: Path) -> None:
    lines = (shared_data / "customs-declarations" / "df_syn_test_eng.csv").read_text().splitlines()[:51]
    response = client.post("/ingest", files={"file": ("kcs.csv", "\n".join(lines) + "\n", "text/csv")})
    assert response.status_code == 200, response.text
    assert response.json()["files"][0]["format"] == "kcs" and response.json()["accepted"] == 50


def test_errors_have_the_stable_body(client: TestClient) -> None:
    missing = client.get("/consignments/NO-SUCH-DOC")
    assert missing.status_code == 404
    assert missing.json() == {"error": {"code": "not_found", "detail": "no consignment 'NO-SUCH-DOC'",
                                        "where": "consignment"}}
    bad_query = client.get("/consignments", params={"limit": 0})
    assert bad_query.status_code == 422 and bad_query.json()["error"]["code"] == "invalid_input"
    assert bad_query.json()["error"]["where"] == "query.limit"
    bad_sort = client.get("/consignments", params={"sort": "colour"})
    assert bad_sort.status_code == 422 and bad_sort.json()["error"]["where"] == "sort"
    assert client.post("/consignments", json=42).json()["error"]["code"] == "invalid_input"
    assert client.get("/ingest/batches/999/rejections").status_code == 404
    assert client.post("/ingest", params={"format": "pdf"}, files={"file": ("a.csv", "x")}).status_code == 422


def test_openapi_and_schema_are_served(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert "/consignments" in spec["paths"] and "/ingest" in spec["paths"]
    schema = client.get("/schemas/consignment.json").json()
    assert schema["title"] == "Corridor consignment" and "document_number" in schema["required"]
    assert client.get("/health").json()["status"] == "ok"
    assert client.get("/reference/locodes/AZALA").json()["name"] == "Alat"


@pytest.mark.parametrize("error_type", ALL_ERRORS)
def test_every_error_yields_the_status_it_promises(error_type: type[CorridorError], engine: Engine) -> None:
    app: FastAPI = create_app(engine)

    @app.get("/boom")
    def boom() -> None:
        raise error_type("it broke", where="here")

    response = TestClient(app, raise_server_exceptions=False).get("/boom")
    assert response.status_code == error_type.status
    assert response.json() == {"error": {"code": error_type.code, "detail": "it broke", "where": "here"}}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_real_server_on_loopback(tmp_path: Path) -> None:
    port = _free_port()
    env = {"CORRIDOR_DATA_DIR": str(tmp_path / "var"), "PATH": "/usr/bin:/bin"}
    cli = [sys.executable, "-m", "corridor", "users"]
    subprocess.run([*cli, "create", "api-admin", "--role", "administrator", "--agency", "TEST", "--password-stdin"],
                   input="api-admin-password\n", text=True, env=env, check=True, capture_output=True)
    token = subprocess.run([*cli, "token", "api-admin"], text=True, env=env, check=True,
                           capture_output=True).stdout.strip()
    auth = {"Authorization": f"Bearer {token}"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "corridor", "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert proc.poll() is None, proc.stdout.read().decode() if proc.stdout else "server exited"
            assert time.monotonic() < deadline, "server did not start in 30 s"
            time.sleep(0.2)
        posted = httpx.post(f"http://127.0.0.1:{port}/consignments", json=CMR, headers=auth, timeout=10)
        assert posted.json()["accepted"] == 1
        fetched = httpx.get(f"http://127.0.0.1:{port}/consignments/CMR-2026-001", headers=auth, timeout=10)
        assert fetched.json()["document_number"] == "CMR-2026-001"
    finally:
        proc.terminate()
        proc.wait(timeout=10)
