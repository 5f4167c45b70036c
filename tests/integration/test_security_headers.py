"""Security headers on pages, the API, static files and the API docs; rate limits on log-in and the exchange.

The Content-Security-Policy allows no inline script, so the templates must have none either: a test
reads every template for <script> blocks without src and for on...= handler attributes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from corridor.accounts.demo import create_demo_accounts
from corridor.api.app import create_app
from corridor.settings import get_settings
from tests.dbs import migrated_engine
from tests.e2e.seed import form_csrf, login

TEMPLATES = Path(__file__).resolve().parents[2] / "src" / "corridor" / "web" / "templates"
ALWAYS = ("X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy", "Permissions-Policy")


def _directives(csp: str) -> dict[str, list[str]]:
    return {part.split()[0]: part.split()[1:] for part in csp.split(";") if part.strip()}


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Iterator[Engine]:
    """The headers do not depend on the database: these tests run on SQLite only."""
    with migrated_engine("sqlite", tmp_path) as engine:
        yield engine


def test_headers_on_pages_api_static_and_docs(sqlite_engine: Engine) -> None:
    create_demo_accounts(sqlite_engine)
    client = TestClient(create_app(sqlite_engine))
    login(client, "officer")
    for path in ("/queue", "/auth/me", "/health", "/static/app.css", "/login", "/nowhere"):
        response = client.get(path)
        for name in ALWAYS:
            assert name in response.headers, (path, name)
        csp = _directives(response.headers["Content-Security-Policy"])
        assert csp["script-src"] == ["'self'"] and csp["frame-ancestors"] == ["'none'"], path
        assert csp["object-src"] == ["'none'"] and "default-src" in csp
        assert "Strict-Transport-Security" not in response.headers  # plain HTTP: HSTS means nothing
    assert client.get("/queue").headers["Cache-Control"] == "no-store"
    assert client.get("/auth/me").headers["Cache-Control"] == "no-store"
    assert "no-store" not in client.get("/static/app.css").headers.get("Cache-Control", "")
    assert client.get("/queue").headers["X-Frame-Options"] == "DENY"
    docs = client.get("/docs").headers["Content-Security-Policy"]
    assert (
        "cdn.jsdelivr.net" in docs
        and "cdn.jsdelivr.net" not in client.get("/queue").headers["Content-Security-Policy"]
    )


def test_hsts_only_over_https(sqlite_engine: Engine) -> None:
    client = TestClient(create_app(sqlite_engine), base_url="https://corridor.test")
    response = client.get("/health")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    assert int(response.headers["Strict-Transport-Security"].split("=")[1]) >= 31536000


def test_templates_have_no_inline_script() -> None:
    inline = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
    handler = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
    found = []
    for template in sorted(TEMPLATES.rglob("*.html")):
        text = template.read_text(encoding="utf-8")
        found += [f"{template.name}: inline <script>" for _ in inline.finditer(text)]
        found += [f"{template.name}: {m.group().strip()}" for m in handler.finditer(text)]
    assert len(list(TEMPLATES.rglob("*.html"))) > 20
    assert not found, "the CSP (script-src 'self') would block these:\n" + "\n".join(found)


@pytest.fixture
def low_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CORRIDOR_RATELIMIT_LOGIN_BURST", "4")
    monkeypatch.setenv("CORRIDOR_RATELIMIT_LOGIN_PER_MINUTE", "1")
    monkeypatch.setenv("CORRIDOR_RATELIMIT_LOGIN_USER_BURST", "3")
    monkeypatch.setenv("CORRIDOR_RATELIMIT_LOGIN_USER_PER_MINUTE", "1")
    monkeypatch.setenv("CORRIDOR_RATELIMIT_EXCHANGE_BURST", "5")
    monkeypatch.setenv("CORRIDOR_RATELIMIT_EXCHANGE_PER_SECOND", "0.01")
    get_settings.cache_clear()


def _too_many(response: object) -> None:
    from httpx import Response

    assert isinstance(response, Response)
    assert response.status_code == 429, response.text
    assert int(response.headers["Retry-After"]) >= 1
    error = response.json()["error"]
    assert error["code"] == "too_many_requests" and error["where"] == "rate_limit" and error["detail"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"  # the headers wrap the limiter


def test_login_is_limited_per_username_across_addresses(engine: Engine, low_limits: None) -> None:
    create_demo_accounts(engine)
    app = create_app(engine)
    answers = [
        TestClient(app, client=(f"10.1.0.{n}", 5000)).post(
            "/auth/login", json={"username": "officer", "password": "wrong-password-here"}
        )
        for n in range(3)
    ]
    assert [a.status_code for a in answers] == [401, 401, 401]
    # a fourth guess at the same account from yet another address is refused before the password check
    _too_many(
        TestClient(app, client=("10.1.0.9", 5000)).post(
            "/auth/login", json={"username": " OFFICER ", "password": "corridor-officer"}
        )
    )
    # another account is not affected, and the form log-in counts against the same username
    other = TestClient(app, client=("10.1.0.10", 5000))
    assert other.post("/auth/login", json={"username": "analyst", "password": "corridor-analyst"}).is_success
    page = other.get("/login")
    _too_many(
        other.post(
            "/login",
            data={"username": "officer", "password": "corridor-officer", "csrf_token": form_csrf(page.text)},
        )
    )


def test_login_is_limited_per_address(engine: Engine, low_limits: None) -> None:
    create_demo_accounts(engine)
    client = TestClient(create_app(engine), client=("10.2.0.1", 5000))
    users = ["officer", "analyst", "liaison", "supervisor"]
    for user in users:
        assert (
            client.post("/auth/login", json={"username": user, "password": "not-it-at-all"}).status_code
            == 401
        )
    _too_many(client.post("/auth/login", json={"username": "admin", "password": "corridor-admin"}))
    # the limit is on log-in only: the rest of the API still answers this address
    assert client.get("/health").status_code == 200
    assert (
        TestClient(client.app, client=("10.2.0.2", 5000))
        .post("/auth/login", json={"username": "admin", "password": "corridor-admin"})
        .is_success
    )


def test_exchange_endpoint_is_limited_per_peer(sqlite_engine: Engine, low_limits: None) -> None:
    app = create_app(sqlite_engine)
    peer = TestClient(app, client=("10.3.0.1", 5000))
    answers = [peer.post("/exchange/v1/messages", content=b"{}") for _ in range(5)]
    assert all(a.status_code not in (429, 500) for a in answers), [a.status_code for a in answers]
    _too_many(peer.post("/exchange/v1/messages", content=b"{}"))
    _too_many(peer.get("/exchange/v1/identity"))
    other = TestClient(app, client=("10.3.0.2", 5000))
    assert other.post("/exchange/v1/messages", content=b"{}").status_code != 429


def test_limits_can_be_switched_off(sqlite_engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CORRIDOR_RATELIMIT_ENABLED", "false")
    monkeypatch.setenv("CORRIDOR_RATELIMIT_EXCHANGE_BURST", "1")
    get_settings.cache_clear()
    peer = TestClient(create_app(sqlite_engine), client=("10.4.0.1", 5000))
    assert all(peer.get("/exchange/v1/schemas").status_code == 200 for _ in range(3))
