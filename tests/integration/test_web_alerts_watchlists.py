"""The alerts inbox and the watch-list pages through the test client, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from corridor.accounts.models import AuditRow
from corridor.api.app import create_app
from corridor.exchange.models import AlertRow
from corridor.maritime.models import EventRow
from corridor.screening.models import ScreeningDecisionRow, ScreeningHitRow
from tests.e2e.seed import Alerts, World, login, seed, seed_alerts, seed_watchlist


@pytest.fixture
def world(engine: Engine) -> World:
    return seed(engine)


@pytest.fixture
def alerts(engine: Engine, world: World) -> Alerts:
    return seed_alerts(engine)


@pytest.fixture
def client(engine: Engine) -> TestClient:
    return TestClient(create_app(engine))


def _audit(engine: Engine, action: str) -> list[AuditRow]:
    with Session(engine) as session:
        return list(session.scalars(select(AuditRow).where(AuditRow.action == action)))


def test_liaison_sees_alerts_with_evidence_and_scoped_consignments(
    client: TestClient, world: World, alerts: Alerts
) -> None:
    login(client, "liaison")
    page = client.get("/alerts")
    assert page.status_code == 200
    text = page.text
    for expected in (
        'href="/alerts" aria-current="page"',
        "MSCU1234565",
        "Same container carried undeclared cigarettes",
        "KZ-KGD",
        "Dashoguz Textile Export HJ",
        "AIS gap",
        "61.2 km",  # distance between the last and the next position
        "7.5 h",
        "Neft Daşları",
        f"/consignment/{world.riskiest}",  # the container alert and the vessel link both reach it
    ):
        assert expected in text, expected
    assert f"/consignment/{world.astara}" not in text
    exchange_only = client.get("/alerts", params={"source": "maritime"}).text
    assert "AIS gap" in exchange_only and "Dashoguz" not in exchange_only


def test_close_confirm_dismiss_need_a_note_csrf_and_are_audited(
    client: TestClient, engine: Engine, world: World, alerts: Alerts
) -> None:
    csrf = login(client, "officer")
    forged = client.post(
        f"/alerts/exchange/{alerts.container_alert}/close", data={"note": "x", "csrf_token": "forged"}
    )
    assert forged.status_code == 403
    no_note = client.post(
        f"/alerts/exchange/{alerts.container_alert}/close", data={"note": "  ", "csrf_token": csrf}
    )
    assert no_note.status_code == 422
    closed = client.post(
        f"/alerts/exchange/{alerts.container_alert}/close",
        data={"note": "Container X-rayed at Alat, nothing found", "csrf_token": csrf, "back": "status=open"},
        follow_redirects=False,
    )
    assert closed.status_code == 303 and "done=closed" in closed.headers["location"]
    confirmed = client.post(
        f"/alerts/maritime/{alerts.gap_event}/review",
        data={"decision": "confirmed", "note": "Seen by the coast guard", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert confirmed.status_code == 303
    dismissed = client.post(
        f"/alerts/maritime/{alerts.loiter_event}/review",
        data={"decision": "dismissed", "note": "Fishing vessel", "csrf_token": csrf},
    )
    assert dismissed.status_code == 200 and "Event dismissed" in dismissed.text
    with Session(engine) as session:
        alert = session.get(AlertRow, alerts.container_alert)
        assert (
            alert is not None
            and not alert.open
            and alert.closed_note == "Container X-rayed at Alat, nothing found"
        )
        gap = session.get(EventRow, alerts.gap_event)
        assert gap is not None and gap.status == "confirmed" and gap.note == "Seen by the coast guard"
    assert [a.detail["note"] for a in _audit(engine, "alert.close")] == [
        "Container X-rayed at Alat, nothing found"
    ]
    assert (
        len(_audit(engine, "maritime_event.confirm")) == 1
        and len(_audit(engine, "maritime_event.dismiss")) == 1
    )
    still_open = client.get("/alerts").text
    assert "MSCU1234565" not in still_open and "Dashoguz" in still_open
    assert "Container X-rayed at Alat" in client.get("/alerts", params={"status": "closed"}).text


def test_analyst_reads_alerts_but_cannot_close_them(client: TestClient, world: World, alerts: Alerts) -> None:
    csrf = login(client, "analyst")
    page = client.get("/alerts")
    assert page.status_code == 200 and "Read-only for your role" in page.text
    refused = client.post(
        f"/alerts/exchange/{alerts.container_alert}/close", data={"note": "no", "csrf_token": csrf}
    )
    assert refused.status_code == 403


def test_watchlists_screen_and_decide(
    client: TestClient, engine: Engine, world: World, tmp_path: Path
) -> None:
    seed_watchlist(engine, tmp_path)
    csrf = login(client, "analyst")
    page = client.get("/watchlists")
    assert page.status_code == 200
    assert "az-national" in page.text and "National watch list" in page.text
    assert "Baku Motor MMC" in page.text and "name similarity" in page.text
    screened = client.get("/watchlists/screen", params={"name": "Baku Motors", "country": "AZ"})
    assert "<html" not in screened.text and "AZ-114" in screened.text and 'class="pass"' in screened.text
    assert _audit(engine, "screening.screen")[0].summary == "Baku Motors"
    with Session(engine) as session:
        hit = session.scalars(
            select(ScreeningHitRow).where(
                ScreeningHitRow.consignment_id == world.riskiest, ScreeningHitRow.subject == "consignee"
            )
        ).one()
    no_note = client.post(
        f"/watchlists/hits/{hit.id}/decide",
        data={"decision": "false_positive", "note": "", "csrf_token": csrf},
    )
    assert no_note.status_code == 422
    decided = client.post(
        f"/watchlists/hits/{hit.id}/decide",
        data={"decision": "false_positive", "note": "Different company, other TIN", "csrf_token": csrf},
    )
    assert decided.status_code == 200 and "false positive until the list entry changes" in decided.text
    with Session(engine) as session:
        assert session.scalars(select(ScreeningDecisionRow)).one().decided_by == "analyst"
        statuses = set(
            session.scalars(
                select(ScreeningHitRow.status).where(
                    ScreeningHitRow.consignment_id == world.riskiest, ScreeningHitRow.subject == "consignee"
                )
            )
        )
        assert statuses == {"suppressed"}
    assert _audit(engine, "screening.false_positive")[0].detail["note"] == "Different company, other TIN"
    cleared = client.get("/watchlists", params={"hits": "suppressed"}).text
    assert f"/consignment/{world.riskiest}" in cleared


def test_watchlist_roles_and_scope(client: TestClient, engine: Engine, world: World, tmp_path: Path) -> None:
    seed_watchlist(engine, tmp_path)
    csrf = login(client, "astara")
    page = client.get("/watchlists")
    assert page.status_code == 200
    assert f"/consignment/{world.riskiest}" not in page.text  # an Alat consignment: not Astara's
    with Session(engine) as session:
        hit_id = session.scalars(
            select(ScreeningHitRow.id).where(ScreeningHitRow.consignment_id == world.riskiest)
        ).first()
    refused = client.post(
        f"/watchlists/hits/{hit_id}/decide",
        data={"decision": "true_match", "note": "x", "csrf_token": csrf},
    )
    assert refused.status_code == 403  # officers read the hits; analysts decide
    client.cookies.clear()
    login(client, "liaison")
    assert client.get("/watchlists").status_code == 403
    assert 'href="/watchlists"' not in client.get("/alerts").text
