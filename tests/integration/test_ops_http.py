"""/metrics and /health/ready through the app, on SQLite and PostgreSQL.

Metrics are scraped before and after known traffic and parsed with prometheus_client's own parser;
the differences must be exactly the traffic. Readiness answers 503 with a reason for each way a
node can be unable to serve.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from corridor.accounts.service import NewUser, create_user, ensure_agency, issue_api_token
from corridor.api.app import create_app
from corridor.db.engine import make_engine
from corridor.risk.models import AssessmentRow
from corridor.settings import get_settings

LOOPBACK = ("127.0.0.1", 40000)


def _scrape(client: TestClient, **headers: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = client.get("/metrics", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def _value(scrape: dict[Any, float], name: str, **labels: str) -> float:
    return scrape.get((name, tuple(sorted(labels.items()))), 0.0)


def _token(engine: Engine) -> str:
    with Session(engine) as session:
        ensure_agency(session, "AZ", "State Customs Committee")
        user = create_user(
            session,
            NewUser(
                username="ops", password="ops-password-123", role="administrator", agency="AZ", offices=[]
            ),
        )
        token = issue_api_token(session, user, "metrics test")
        session.commit()
    return token


def _consignment(number: str) -> dict[str, Any]:
    return {
        "document_type": "BL",
        "document_number": number,
        "mode": "sea",
        "eta": "2026-11-25T08:00:00Z",
        "place_of_loading": {"locode": "KZAAU"},
        "place_of_discharge": {"locode": "AZALA"},
        "parties": [{"role": "consignee", "name": "Baku Motors MMC", "country": "AZ"}],
        "goods": [{"sequence": 1, "hs_code": "870323", "description": "used cars", "gross_kg": 3200}],
    }


def test_metrics_change_with_traffic(engine: Engine) -> None:
    token = _token(engine)
    client = TestClient(create_app(engine), client=LOOPBACK)
    before = _scrape(client)
    assert _value(before, "corridor_db_up") == 1.0
    assert _value(before, "corridor_build_info", version=__import__("corridor").__version__) == 1.0

    for _ in range(3):
        assert client.get("/health").status_code == 200
    bad = {**_consignment("BAD-1"), "document_type": "NOPE"}
    # Without the risk engine (its first load costs seconds); the assessment is written as it would.
    submitted = client.post(
        "/consignments?assess=false",
        json=[_consignment("MSCU-OPS-1"), bad],
        headers={"Authorization": f"Bearer {token}"},
    )
    assert submitted.status_code == 200, submitted.text
    with Session(engine) as session:
        session.add(
            AssessmentRow(
                consignment_id=submitted.json()["consignment_ids"][0], consignment_version=1, score=80.0,
                lane="red", selected=True, exploration=False, hits=[], profile_set={},
                assessed_at=datetime.now(UTC),
            )
        )  # fmt: skip
        session.commit()
    assert (
        client.post("/auth/login", json={"username": "ops", "password": "wrong-password-1"}).status_code
        == 401
    )
    assert (
        client.get("/consignments/does-not-exist", headers={"Authorization": f"Bearer {token}"}).status_code
        == 404
    )
    after = _scrape(client)

    def delta(name: str, **labels: str) -> float:
        return _value(after, name, **labels) - _value(before, name, **labels)

    assert delta("corridor_http_requests_total", method="GET", route="/health", status="200") == 3
    assert delta("corridor_http_request_duration_seconds_count", method="GET", route="/health") == 3
    assert delta("corridor_http_requests_total", method="POST", route="/consignments", status="200") == 1
    assert delta("corridor_http_requests_total", method="POST", route="/auth/login", status="401") == 1
    # The route template, never the raw path: one series however many references are asked for.
    assert delta("corridor_http_requests_total", method="GET", route="/consignments/{ref}", status="404") == 1
    assert delta("corridor_ingest_consignments_total", outcome="accepted") == 1
    assert delta("corridor_ingest_consignments_total", outcome="rejected") == 1
    assert delta("corridor_login_failures_total") == 1
    assert delta("corridor_assessments_total", lane="red") == 1
    assert _value(after, "corridor_exchange_outbox_messages", status="dead") == 0
    assert ("corridor_exchange_inbox_messages_total", (("status", "refused"),)) in after
    if engine.dialect.name == "postgresql":
        assert _value(after, "corridor_db_pool_size") == 10


def test_metrics_access_and_readiness(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    app = create_app(engine)
    assert TestClient(app, client=LOOPBACK).get("/metrics").status_code == 200
    # Not loopback, or loopback but forwarded by a proxy: refused.
    assert TestClient(app, client=("10.1.2.3", 5)).get("/metrics").status_code == 403
    proxied = TestClient(app, client=LOOPBACK).get("/metrics", headers={"X-Forwarded-For": "198.51.100.1"})
    assert proxied.status_code == 403 and proxied.json()["error"]["code"] == "forbidden"
    monkeypatch.setenv("CORRIDOR_METRICS_TOKEN", "scrape-token-0123456789")
    get_settings.cache_clear()
    remote = TestClient(app, client=("10.1.2.3", 5))
    assert remote.get("/metrics").status_code == 401
    assert remote.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert _scrape(remote, Authorization="Bearer scrape-token-0123456789")

    # The same app is ready: database within the limit, schema at head, data directory writable.
    response = TestClient(app).get("/health/ready")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "ready" and body["reasons"] == []
    assert body["checks"]["database"]["ok"] and body["checks"]["migrations"]["ok"]
    assert body["checks"]["data_dir"]["ok"] and body["checks"]["exchange"]["outbox_dead"] == 0


def test_not_ready_reasons(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A database without the schema, a data directory that is a file: two reasons, one 503.
    blocked = tmp_path / "not-a-directory"
    blocked.write_text("x")
    monkeypatch.setenv("CORRIDOR_DATA_DIR", str(blocked))
    get_settings.cache_clear()
    empty = make_engine(f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    response = TestClient(create_app(empty)).get("/health/ready")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "not_ready" and len(body["reasons"]) == 2
    assert body["reasons"][0].startswith("migrations:") and "corridor db upgrade" in body["reasons"][0]
    assert body["reasons"][1].startswith("data_dir:")
    assert body["checks"]["database"]["ok"]  # reachable, just not migrated

    # No database server at all: not ready, and quickly (the check has its own time limit).
    monkeypatch.setenv("CORRIDOR_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    nowhere = make_engine("postgresql+psycopg://nobody@127.0.0.1:9/none?connect_timeout=1")
    down = TestClient(create_app(nowhere)).get("/health/ready")
    assert down.status_code == 503
    assert down.json()["reasons"][0].startswith("database:")
    assert not down.json()["checks"]["database"]["ok"]


def test_serve_runs_the_retention_purge_only_when_configured(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def purge_threads() -> list[str]:
        return [t.name for t in threading.enumerate() if t.name == "corridor-retention"]

    engine = make_engine(f"sqlite:///{tmp_path / 'ops.sqlite3'}")
    with TestClient(create_app(engine)):
        assert purge_threads() == []
    monkeypatch.setenv("CORRIDOR_RETENTION_YEARS", "6")
    get_settings.cache_clear()
    with TestClient(create_app(engine)):
        assert purge_threads() == ["corridor-retention"]
    assert purge_threads() == []  # stopped with the app
