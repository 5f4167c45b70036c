"""A real `corridor serve` with JSON logs at debug level: every line is JSON, no secret is in any line.

The server runs on PostgreSQL with a password in its URL (the test server trusts every password),
in production mode with a real secret key and a metrics token. The traffic logs in, fails a log-in,
uses the session cookie with its CSRF token, uses an API token, ingests, puts a token in a query
string and scrapes the metrics; then the whole output is searched for each secret value.
"""

from __future__ import annotations

import json
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
from sqlalchemy.orm import Session

from corridor.accounts.service import NewUser, create_user, ensure_agency, issue_api_token
from corridor.db.engine import make_engine
from corridor.db.migrate import upgrade
from tests.dbs import postgres_database, require_postgres

PASSWORD = "Op5-" + secrets.token_urlsafe(12)
WRONG_PASSWORD = "Wr0ng-" + secrets.token_urlsafe(12)
SECRET_KEY = secrets.token_urlsafe(40)
DB_PASSWORD = "Db-" + secrets.token_urlsafe(12)
METRICS_TOKEN = "Mt-" + secrets.token_urlsafe(16)
QUERY_SECRET = "Qs-" + secrets.token_urlsafe(16)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _consignment(number: str) -> dict[str, object]:
    return {
        "document_type": "CMR",
        "document_number": number,
        "mode": "road",
        "place_of_loading": {"locode": "IRTBZ"},
        "place_of_discharge": {"locode": "AZAST"},
        "parties": [{"role": "consignee", "name": "Tabriz Fresh Fruit Co.", "country": "IR"}],
        "goods": [{"sequence": 1, "hs_code": "080810", "description": "fresh apples", "gross_kg": 900}],
    }


def _wait_until_up(proc: subprocess.Popen[bytes], base: str) -> None:
    # No time limit of our own: the server either answers or exits (and then the test says why).
    while True:
        try:
            if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if proc.poll() is not None:
            out = proc.stdout.read().decode() if proc.stdout else ""
            raise AssertionError(f"corridor serve exited with {proc.returncode}:\n{out}")
        time.sleep(0.2)


def test_serve_writes_json_lines_without_secrets(tmp_path: Path) -> None:
    require_postgres()
    with postgres_database() as plain_url:
        url = plain_url.replace("postgres@", f"postgres:{DB_PASSWORD}@", 1)
        engine = make_engine(url)
        upgrade(engine)
        with Session(engine) as session:
            ensure_agency(session, "AZ", "State Customs Committee")
            user = create_user(
                session,
                NewUser(username="ops", password=PASSWORD, role="administrator", agency="AZ", offices=[]),
            )
            api_token = issue_api_token(session, user, "log test")
            session.commit()
        engine.dispose()

        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        env = {
            "PATH": "/usr/bin:/bin",
            "CORRIDOR_DATA_DIR": str(tmp_path / "var"),
            "CORRIDOR_DATABASE_URL": url,
            "CORRIDOR_ENVIRONMENT": "production",
            "CORRIDOR_SECRET_KEY": SECRET_KEY,
            "CORRIDOR_LOG_LEVEL": "debug",
            "CORRIDOR_METRICS_TOKEN": METRICS_TOKEN,
            "CORRIDOR_SHARED_DATA": str(tmp_path / "no-shared-data"),
        }
        proc = subprocess.Popen(
            [sys.executable, "-m", "corridor", "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_until_up(proc, base)
            with httpx.Client(base_url=base, timeout=30) as browser:
                refused = browser.post("/auth/login", json={"username": "ops", "password": WRONG_PASSWORD})
                assert refused.status_code == 401
                login = browser.post("/auth/login", json={"username": "ops", "password": PASSWORD})
                assert login.status_code == 200, login.text
                cookie, csrf = browser.cookies["corridor_session"], login.json()["csrf_token"]
                assert cookie and csrf
                posted = browser.post(
                    "/consignments?assess=false",
                    json=_consignment("CMR-LOG-1"),
                    headers={"X-CSRF-Token": csrf, "X-Request-ID": "trace-log-test-1"},
                )
                assert posted.status_code == 200 and posted.headers["x-request-id"] == "trace-log-test-1"
            bearer = {"Authorization": f"Bearer {api_token}"}
            ingested = httpx.post(
                f"{base}/consignments?assess=false",
                json=_consignment("CMR-LOG-2"),
                headers=bearer,
                timeout=30,
            )
            assert ingested.status_code == 200 and ingested.json()["accepted"] == 1
            assert httpx.get(f"{base}/consignments", headers=bearer, timeout=30).status_code == 200
            # A careless client: a secret in the query string and in a bad bearer header.
            assert (
                httpx.get(f"{base}/consignments?access_token={QUERY_SECRET}", timeout=30).status_code == 401
            )
            bad = httpx.get(
                f"{base}/auth/me", headers={"Authorization": f"Bearer {QUERY_SECRET}"}, timeout=30
            )
            assert bad.status_code == 401
            metrics = httpx.get(
                f"{base}/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}, timeout=30
            )
            assert metrics.status_code == 200 and "corridor_login_failures_total 1.0" in metrics.text
            assert httpx.get(f"{base}/health/ready", timeout=30).json()["status"] == "ready"
        finally:
            proc.terminate()
            output = proc.communicate()[0].decode("utf-8")

    lines = [line for line in output.splitlines() if line.strip()]
    records = [json.loads(line) for line in lines]  # every line is one JSON object
    assert all({"ts", "level", "logger", "msg"} <= r.keys() for r in records)
    loggers = {r["logger"] for r in records}
    assert {"corridor", "corridor.access", "uvicorn.error"} <= loggers, loggers
    access = [r for r in records if r["logger"] == "corridor.access"]
    login_lines = [r for r in access if r["route"] == "/auth/login"]
    assert [r["status"] for r in login_lines] == [401, 200]
    traced = next(r for r in access if r.get("request_id") == "trace-log-test-1")
    assert traced["user"] == "ops" and traced["method"] == "POST" and traced["duration_ms"] > 0
    assert all(r["request_id"] for r in access)

    for name, value in {
        "password": PASSWORD,
        "failed password": WRONG_PASSWORD,
        "session cookie": cookie,
        "CSRF token": csrf,
        "API token": api_token,
        "secret key": SECRET_KEY,
        "database password": DB_PASSWORD,
        "metrics token": METRICS_TOKEN,
        "token in a query string": QUERY_SECRET,
    }.items():
        assert value not in output, f"the {name} is in the log"
