"""Accounts on SQLite and PostgreSQL: log-in, lock-out, session expiry, CSRF, office scope, API tokens, audit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from corridor.accounts.config import account_settings
from corridor.accounts.models import AuditRow, SessionRow, UserRow
from corridor.accounts.service import (
    AccountLocked,
    NewUser,
    authenticate,
    create_user,
    issue_api_token,
    set_active,
)
from corridor.api.app import create_app
from corridor.cases.queue import QueueFilter, build_queue
from corridor.cases.service import decide, open_consignment
from corridor.domain.errors import Conflict, Forbidden, InvalidInput, NotFound, Unauthorized
from tests.e2e.seed import World, form_csrf, login, seed


@pytest.fixture
def world(engine: Engine) -> World:
    return seed(engine)


@pytest.fixture
def client(engine: Engine) -> TestClient:
    return TestClient(create_app(engine))


def _user(session: Session, name: str) -> UserRow:
    return session.scalars(select(UserRow).where(UserRow.username == name)).one()


def test_wrong_password_is_refused_and_locks_out(engine: Engine, world: World, client: TestClient) -> None:
    page = client.get("/login")
    wrong = client.post(
        "/login",
        data={"username": "officer", "password": "nope-nope-nope", "csrf_token": form_csrf(page.text)},
    )
    assert wrong.status_code == 401 and "wrong username or password" in wrong.text
    assert "corridor_session" not in client.cookies
    with Session(engine) as session:
        for _ in range(account_settings().lockout_threshold - 1):
            with pytest.raises(Unauthorized):
                authenticate(session, "officer", "still-wrong-password")
        # locked now: even the right password is refused
        with pytest.raises(AccountLocked):
            authenticate(session, "officer", "corridor-officer")
        refused = session.scalars(
            select(AuditRow).where(AuditRow.username == "officer", AuditRow.outcome == "refused")
        ).all()
        assert len(refused) == account_settings().lockout_threshold + 1
        assert any("locked_until" in r.detail for r in refused)
        # an unknown user is refused the same way, and audited
        with pytest.raises(Unauthorized):
            authenticate(session, "nobody", "whatever-password")
        # the lock-out ends
        session.execute(
            update(UserRow)
            .where(UserRow.username == "officer")
            .values(locked_until=datetime.now(UTC) - timedelta(seconds=1))
        )
        session.commit()
        assert authenticate(session, "officer", "corridor-officer").username == "officer"


def test_expired_session_is_refused(engine: Engine, world: World, client: TestClient) -> None:
    login(client, "officer")
    assert client.get("/queue").status_code == 200
    idle = timedelta(minutes=account_settings().session_idle_minutes + 1)
    with Session(engine) as session:
        session.execute(update(SessionRow).values(last_seen_at=datetime.now(UTC) - idle))
        session.commit()
    response = client.get("/queue", follow_redirects=False)
    assert response.status_code == 303 and "expired=1" in response.headers["location"]
    assert "Your session has expired" in client.get(response.headers["location"]).text
    assert client.get("/queue", follow_redirects=False).status_code == 303  # stays expired


def test_forged_forms_are_refused(engine: Engine, world: World, client: TestClient) -> None:
    login(client, "officer")
    for data in (
        {"action": "select", "method": "xray"},
        {"action": "select", "method": "xray", "csrf_token": "x"},
    ):
        response = client.post(f"/consignment/{world.riskiest}/decide", data=data)
        assert response.status_code == 403
    forged_login = TestClient(client.app).post(
        "/login", data={"username": "officer", "password": "corridor-officer", "csrf_token": "guess"}
    )
    assert forged_login.status_code == 403
    with Session(engine) as session:
        assert session.scalars(select(AuditRow).where(AuditRow.action.like("decision.%"))).first() is None


def test_logout_ends_the_session(world: World, client: TestClient) -> None:
    csrf = login(client, "officer")
    cookie = client.cookies["corridor_session"]
    assert client.post("/logout", data={"csrf_token": csrf}, follow_redirects=False).status_code == 303
    other = TestClient(client.app, cookies={"corridor_session": cookie})
    assert other.get("/queue", follow_redirects=False).status_code == 303


def test_officer_sees_only_own_offices(engine: Engine, world: World, client: TestClient) -> None:
    with Session(engine, expire_on_commit=False) as session:
        alat, astara = _user(session, "officer"), _user(session, "astara")
        alat_ids = {i.row.id for i in build_queue(session, alat, QueueFilter(window="7d")).items}
        astara_ids = {i.row.id for i in build_queue(session, astara, QueueFilter(window="7d")).items}
        assert world.astara not in alat_ids and world.riskiest in alat_ids
        assert astara_ids == {world.astara}
        with pytest.raises(NotFound):
            open_consignment(session, alat, world.astara)
        with pytest.raises(NotFound):
            decide(session, alat, world.astara, action="select", method="xray")
        refused = session.scalars(
            select(AuditRow).where(AuditRow.outcome == "refused", AuditRow.object_id == str(world.astara))
        ).all()
        assert len(refused) == 2 and refused[0].username == "officer"
        # supervisors see their agency's offices; analysts may look but not decide
        supervisor, analyst = _user(session, "supervisor"), _user(session, "analyst")
        assert world.astara in {
            i.row.id for i in build_queue(session, supervisor, QueueFilter(window="7d")).items
        }
        with pytest.raises(Forbidden):
            decide(session, analyst, world.riskiest, action="select", method="xray")
    login(client, "officer")
    page = client.get(f"/consignment/{world.astara}")
    assert page.status_code == 404 and "CMR-AST-005" not in page.text


def test_api_needs_a_user_and_respects_scope(engine: Engine, world: World, client: TestClient) -> None:
    assert client.get("/consignments").status_code == 401
    assert client.get("/consignments", headers={"Authorization": "Bearer cor_forged"}).status_code == 401
    with Session(engine, expire_on_commit=False) as session:
        token = issue_api_token(session, _user(session, "officer"), "test")
    auth = {"Authorization": f"Bearer {token}"}
    assert client.get(f"/consignments/{world.riskiest}", headers=auth).status_code == 200
    assert client.get(f"/consignments/{world.astara}", headers=auth).status_code == 404
    assert client.get("/consignments", headers=auth).status_code == 403
    listed = client.get("/consignments", params={"office": "AZ-ALAT-PCU"}, headers=auth).json()
    assert listed["total"] == 5
    assert client.post("/consignments", json={}, headers=auth).status_code == 403  # officers do not ingest
    # a cookie session must send the CSRF token on unsafe requests
    me = client.post("/auth/login", json={"username": "admin", "password": "corridor-admin"}).json()
    assert client.post("/auth/tokens", json={"label": "x"}).status_code == 403
    made = client.post("/auth/tokens", json={"label": "x"}, headers={"X-CSRF-Token": me["csrf_token"]})
    assert made.status_code == 200 and made.json()["token"].startswith("cor_")
    log = client.get("/audit-log", params={"action": "consignment.view", "outcome": "refused"}).json()
    assert log["total"] == 1 and log["items"][0]["username"] == "officer"
    with Session(engine) as session:
        set_active(session, "officer", False)
    assert client.get(f"/consignments/{world.riskiest}", headers=auth).status_code == 401


def test_user_rules(engine: Engine, world: World) -> None:
    with Session(engine) as session:
        with pytest.raises(Conflict):
            create_user(
                session,
                NewUser("officer", "another-password", "targeting_officer", "AZ-SCS", ["AZ-ALAT-PCU"]),
            )
        with pytest.raises(InvalidInput, match="at least one office"):
            create_user(session, NewUser("lonely", "a-long-password", "targeting_officer", "AZ-SCS"))
        with pytest.raises(InvalidInput, match="unknown role"):
            create_user(session, NewUser("odd", "a-long-password", "boss", "AZ-SCS"))
        with pytest.raises(InvalidInput, match="unknown office"):
            create_user(session, NewUser("odd", "a-long-password", "targeting_officer", "AZ-SCS", ["XX"]))
        with pytest.raises(InvalidInput, match="username"):
            create_user(session, NewUser("Bad Name!", "a-long-password", "supervisor", "AZ-SCS"))


def test_first_run_setup(engine: Engine) -> None:
    client = TestClient(create_app(engine))
    assert client.get("/login", follow_redirects=False).headers["location"] == "/setup"
    page = client.get("/setup")
    data = {
        "agency": "SCS",
        "agency_name": "State Customs",
        "username": "root",
        "password": "first-admin-pass",
        "password2": "first-admin-pass",
        "csrf_token": form_csrf(page.text),
    }
    done = client.post("/setup", data=data, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/admin/users"
    assert client.get("/admin/users").status_code == 200
    again = TestClient(client.app)
    assert again.get("/setup", follow_redirects=False).status_code == 303
    again.cookies.set("corridor_login_csrf", "t")
    second = again.post("/setup", data={**data, "username": "intruder", "csrf_token": "t"})
    assert second.status_code == 403
