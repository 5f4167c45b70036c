"""The workbench pages through FastAPI's test client on SQLite and PostgreSQL: a day's work, in two languages."""

from __future__ import annotations

import hashlib
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from corridor.accounts.models import AuditRow
from corridor.api.app import create_app
from corridor.cases.models import DecisionRow, SeizurePhotoRow
from corridor.seizures.models import CenSeizureRow
from corridor.settings import get_settings
from tests.e2e.seed import World, login, seed

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4


@pytest.fixture
def world(engine: Engine) -> World:
    return seed(engine)


@pytest.fixture
def client(engine: Engine) -> TestClient:
    return TestClient(create_app(engine))


def test_queue_ranks_by_score_and_shows_unassessed_last(client: TestClient, world: World) -> None:
    login(client, "officer")
    page = client.get("/queue")
    assert page.status_code == 200
    order = re.findall(r'href="/consignment/(\d+)"', page.text)
    assert [int(i) for i in order] == [world.riskiest, world.medium, world.green, world.unassessed]
    assert "not assessed" in page.text and "Declared value far below the HS unit value" in page.text
    assert "0 of 25 inspections selected today" in page.text
    # htmx filters return the rows only
    rows = client.get("/queue/rows", params={"lane": "red"})
    assert "<html" not in rows.text and f"/consignment/{world.riskiest}" in rows.text
    assert f"/consignment/{world.medium}" not in rows.text
    searched = client.get("/queue/rows", params={"q": "kazgrain"})
    assert (
        f"/consignment/{world.green}" in searched.text
        and f"/consignment/{world.riskiest}" not in searched.text
    )


def test_consignment_page_shows_reasons_parties_goods_route_and_history(
    client: TestClient, world: World
) -> None:
    login(client, "officer")
    page = client.get(f"/consignment/{world.riskiest}")
    assert page.status_code == 200
    text = page.text
    for expected in (
        "Declared value far below the HS unit value",
        "unit_value_usd_kg",
        "Consignor first seen 6 days ago",
        "Consignee name matches watch list entry 114",
        "Steppe Auto Export TOO",
        "MSCU1234565",
        "KZ778812",
        "870323",
        "Aktau",
        "AKT-OLD-000",
        "data-route=",
    ):
        assert expected in text, expected


def test_select_inspect_seize_with_photo(client: TestClient, world: World, engine: Engine) -> None:
    csrf = login(client, "officer")
    assert client.get(f"/consignment/{world.riskiest}").status_code == 200
    decided = client.post(
        f"/consignment/{world.riskiest}/decide",
        data={"action": "select", "method": "xray", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert decided.status_code == 303
    assert "1 of 25 inspections selected today" in client.get("/queue").text
    inspected = client.post(
        f"/consignment/{world.riskiest}/inspect",
        data={"result": "seizure", "notes": "false floor", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert inspected.status_code == 303 and inspected.headers["location"].endswith("/seizure")
    seized = client.post(
        inspected.headers["location"],
        data={
            "commodity": "narcotics",
            "quantity": "12,5",
            "unit": "kg",
            "concealment": "false_compartment",
            "csrf_token": csrf,
        },
        files=[("photos", ("floor.png", PNG, "image/png"))],
        follow_redirects=False,
    )
    assert seized.status_code == 303, seized.text
    with Session(engine) as session:
        photo = session.scalars(select(SeizurePhotoRow)).one()
        assert photo.sha256 == hashlib.sha256(PNG).hexdigest()
        assert (get_settings().data_dir / "photos" / photo.path).read_bytes() == PNG
        actions = set(
            session.scalars(select(AuditRow.action).where(AuditRow.object_id == str(world.riskiest)))
        )
        # The seizure form also produced the CEN intelligence record, linked to the consignment.
        cen = session.scalars(select(CenSeizureRow).where(CenSeizureRow.consignment_id == world.riskiest)).one()
        assert cen.category == "drugs" and cen.quantity == 12.5  # CEN category for the form's "narcotics"
    assert {"consignment.view", "decision.select", "inspection.seizure", "seizure.record"} <= actions
    assert client.get(f"/photos/{photo.id}").content == PNG
    dashboard = client.get("/dashboard").text
    assert "Declared value far below the HS unit value" in dashboard and "100%" in dashboard
    assert "Narcotics" in dashboard


def test_override_needs_a_reason_and_is_flagged(client: TestClient, world: World, engine: Engine) -> None:
    csrf = login(client, "officer")
    refused = client.post(
        f"/consignment/{world.riskiest}/decide", data={"action": "release", "csrf_token": csrf}
    )
    assert refused.status_code == 422 and "override" in refused.text
    check = client.post(
        f"/consignment/{world.riskiest}/decide/check",
        data={"action": "release"},
        headers={"X-CSRF-Token": csrf},
    )
    assert "Give the reason." in check.text
    done = client.post(
        f"/consignment/{world.riskiest}/decide",
        data={"action": "release", "reason": "Known importer, AEO", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert done.status_code == 303
    no_method = client.post(
        f"/consignment/{world.green}/decide", data={"action": "select", "csrf_token": csrf}
    )
    assert no_method.status_code == 422
    with Session(engine) as session:
        decision = session.scalars(select(DecisionRow)).one()
    assert decision.override and decision.lane == "red" and decision.reason == "Known importer, AEO"


def test_inspection_needs_a_selection(client: TestClient, world: World) -> None:
    csrf = login(client, "officer")
    response = client.post(
        f"/consignment/{world.green}/inspect", data={"result": "nothing_found", "csrf_token": csrf}
    )
    assert response.status_code == 409


def test_russian_is_complete_on_the_pages(client: TestClient, world: World) -> None:
    csrf = login(client, "officer")
    switched = client.post(
        "/preferences/locale",
        data={"locale": "ru", "next": "/queue", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert switched.status_code == 303
    queue = client.get("/queue").text
    assert "Очередь предварительной информации" in queue and 'lang="ru"' in queue
    page = client.get(f"/consignment/{world.riskiest}").text
    assert "Почему такой балл" in page and "Назначить досмотр" in page
    assert "Dashboard" not in client.get("/dashboard").text
    # Russian formats: decimal comma in numbers
    assert "91" in queue


def test_admin_pages_and_audit_search(client: TestClient, world: World) -> None:
    login(client, "officer")
    client.get(f"/consignment/{world.riskiest}")
    assert client.get("/audit").status_code == 403
    admin = TestClient(client.app)
    csrf = login(admin, "admin")
    audit = admin.get("/audit", params={"username": "officer", "action": "consignment.view"})
    assert audit.status_code == 200 and "AKT-RISK-001" in audit.text
    users = admin.get("/admin/users")
    assert "officer" in users.text and "astara" in users.text
    created = admin.post(
        "/admin/users",
        data={
            "username": "new.officer",
            "role": "targeting_officer",
            "agency": "AZ-SCS",
            "offices": ["AZ-BAKU-AIR"],
            "password": "a-long-password",
            "locale": "az",
            "csrf_token": csrf,
        },
    )
    assert created.status_code == 200 and "new.officer" in created.text
    weak = admin.post(
        "/admin/users",
        data={
            "username": "weak",
            "role": "supervisor",
            "agency": "AZ-SCS",
            "password": "short",
            "csrf_token": csrf,
        },
    )
    assert weak.status_code == 422 and "at least 10 characters" in weak.text


def test_map_data_and_base_map_are_served_locally(client: TestClient, world: World) -> None:
    login(client, "officer")
    data = client.get("/map/data.geojson").json()
    kinds = {f["properties"]["kind"] for f in data["features"]}
    assert "route" in kinds and "office" in kinds
    assert all(
        "Astara" not in f["properties"]["label"]
        for f in data["features"]
        if f["properties"]["kind"] == "route"
    )
    base = client.get("/geo/countries.geojson").json()
    assert base["type"] == "FeatureCollection" and len(base["features"]) > 100
    page = client.get("/map").text
    assert (
        "/static/vendor/leaflet/leaflet.js" in page
        and "http" not in re.sub(r'href="http[^"]*"', "", page).split("<script")[1][:80]
    )


def test_maritime_picture_page_and_its_layers(client: TestClient, world: World) -> None:
    login(client, "officer")
    page = client.get("/sea")
    assert page.status_code == 200 and 'data-sea="1"' in page.text
    for layer in ("tracks", "platforms", "zones", "events"):
        data = client.get(f"/maritime/map/{layer}")
        assert data.status_code == 200, (layer, data.text)
        assert data.json()["type"] == "FeatureCollection"
    assert client.get("/maritime/map/platforms").json()["features"], "the packaged installations are drawn"
