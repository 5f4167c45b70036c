"""The maritime API on both databases: alerts feed, review, map layers, zones, upload, permissions."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from corridor.api.app import create_app
from corridor.maritime.demo import load_scenario
from corridor.maritime.scenario import generate


def token(engine: Engine, username: str, role: str, offices: tuple[str, ...] = ()) -> str:
    from corridor.accounts.service import NewUser, create_user, ensure_agency, issue_api_token, upsert_office

    with Session(engine, expire_on_commit=False) as session:
        agency = ensure_agency(session, "TEST", "Test customs")
        for office in offices:
            upsert_office(session, code=office, agency=agency, name_en="Alat port", kind="pcu")
        user = create_user(
            session, NewUser(username, f"{username}-password-long", role, "TEST", list(offices))
        )
        return issue_api_token(session, user, "tests")


@pytest.fixture
def client(engine: Engine) -> TestClient:
    return TestClient(
        create_app(engine), headers={"Authorization": f"Bearer {token(engine, 'sea-admin', 'administrator')}"}
    )


def test_detect_list_review_and_map_layers(client: TestClient, engine: Engine) -> None:
    s = generate(7, background=5)
    load_scenario(engine, s)
    detected = client.post("/maritime/detect", json={"until": s.end.isoformat()})
    assert detected.status_code == 200, detected.text
    assert sum(detected.json()["new"].values()) == len(s.truth)

    feed = client.get("/maritime/events/open").json()
    assert len(feed) == len(s.truth) and all("evidence" in e for e in feed)
    # Times with an offset are compared in UTC on both databases: 22:00+04 is 18:00Z.
    late = client.get("/maritime/events", params={"since": "2026-03-01T22:00:00+04:00"}).json()
    assert late["total"] == 3  # the open-ended gap, the user-polygon crossing and the fast dark boat
    dark = client.get("/maritime/events", params={"kind": "dark_target"}).json()
    assert dark["total"] == 3
    one = client.get(f"/maritime/events/{dark['items'][0]['id']}").json()
    assert one["evidence"]["matched_fraction"] <= 0.2 and len(one["evidence"]["path"]) > 2
    reviewed = client.post(
        f"/maritime/events/{one['id']}/review", json={"status": "confirmed", "note": "boarded"}
    )
    assert reviewed.json()["status"] == "confirmed"
    assert len(client.get("/maritime/events/open").json()) == len(s.truth) - 1

    events_layer = client.get("/maritime/map/events").json()
    assert events_layer["type"] == "FeatureCollection" and len(events_layer["features"]) == len(s.truth) - 1
    tracks = client.get("/maritime/map/tracks", params={"max_points": 50}).json()["features"]
    layers = {f["properties"]["layer"] for f in tracks}
    assert layers == {"track", "radar"} and max(len(f["geometry"]["coordinates"]) for f in tracks) <= 51
    platforms = client.get("/maritime/map/platforms").json()["features"]
    assert any(f["properties"]["name"].startswith("Neft Daşları") for f in platforms)
    zones = client.get("/maritime/map/zones").json()["features"]
    assert {f["properties"]["kind"] for f in zones} == {"safety_zone", "polygon"}

    vessel = client.get(f"/maritime/vessels/{s.roles['loiterer']}").json()
    assert vessel["open_events"] == 1 and vessel["flag"]
    assert client.get(f"/maritime/vessels/{s.roles['loiterer']}/consignments").json() == []
    assert client.get("/maritime/flag/423000001").json()["flag"] == "AZ"
    assert client.get("/maritime/detectors").json()["defaults"]["gap"]["alert_hours"] == 6


def test_zones_upload_and_errors(client: TestClient, shared_data: Path) -> None:
    square = {
        "type": "Polygon",
        "coordinates": [[[50.0, 40.0], [50.1, 40.0], [50.1, 40.1], [50.0, 40.1], [50.0, 40.0]]],
    }
    assert (
        client.post("/maritime/zones", json={"code": "bay", "name": "Bay", "geometry": square}).status_code
        == 200
    )
    bad = client.post("/maritime/zones", json={"code": "bad", "name": "Bad", "geometry": {"type": "Point"}})
    assert bad.status_code == 422 and bad.json()["error"]["where"] == "geometry"
    assert client.delete("/maritime/zones/bay").status_code == 204
    assert client.delete("/maritime/zones/bay").json()["error"]["code"] == "not_found"

    with (shared_data / "ais" / "pyais_mixed.txt").open("rb") as fh:
        up = client.post("/maritime/ingest", files={"file": ("mixed.txt", fh, "text/plain")})
    body = up.json()
    assert up.status_code == 200 and body["rejected"] == {"bad_checksum": 1} and body["new_positions"] == 8
    wrong = client.get("/maritime/events", params={"kind": "piracy"})
    assert wrong.status_code == 422 and wrong.json()["error"]["where"] == "kind"
    bad_cfg = client.post("/maritime/detect", json={"config": {"loiter": {"min_hours": 0}}})
    assert bad_cfg.status_code == 422 and bad_cfg.json()["error"]["where"] == "config: loiter.min_hours"


def test_permissions(engine: Engine) -> None:
    app = create_app(engine)
    assert TestClient(app).get("/maritime/events").status_code == 401
    officer = TestClient(
        app, headers={"Authorization": f"Bearer {token(engine, 'officer', 'liaison_officer', ('AZ-ALAT',))}"}
    )
    assert officer.get("/maritime/events").status_code == 200
    assert officer.post("/maritime/detect", json={}).status_code == 403
