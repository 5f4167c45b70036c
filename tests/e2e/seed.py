"""A small, known world for workbench tests: two offices, an officer in each, consignments, assessments.

The assessments here are test fixtures written straight into the `assessments` table (the contract the
risk engine fills), so that the workbench is tested on known scores and reasons.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from corridor.accounts.demo import create_demo_accounts
from corridor.ingest.service import ingest_documents
from corridor.risk.models import AssessmentRow

PASSWORDS = {
    "officer": "corridor-officer",
    "astara": "corridor-astara",
    "admin": "corridor-admin",
    "analyst": "corridor-analyst",
    "supervisor": "corridor-supervisor",
    "liaison": "corridor-liaison",
    "officer.ru": "corridor-officer",
}


@dataclass(slots=True)
class World:
    riskiest: int  # Alat, red, score 91
    medium: int  # Alat, yellow
    green: int  # Alat, green
    unassessed: int  # Alat, no assessment
    astara: int  # Astara, red: not visible to the Alat officer
    previous: int  # Alat, same consignor as the riskiest, arrived last week


def _doc(
    number: str,
    office: str,
    eta: datetime,
    consignor: str,
    *,
    mode: str = "sea",
    loading: str = "KZAAU",
    discharge: str = "AZALA",
    hs: str = "870323",
    description: str = "used passenger cars",
) -> dict[str, Any]:
    return {
        "document_type": "BL" if mode == "sea" else "CMR",
        "document_number": number,
        "mode": mode,
        "office": office,
        "eta": eta.isoformat(),
        "place_of_loading": {"locode": loading},
        "place_of_discharge": {"locode": discharge},
        "conveyance": {
            "mode": mode,
            "name": "CASPIAN STAR" if mode == "sea" else None,
            "imo": "9321483" if mode == "sea" else None,
        },
        "parties": [
            {"role": "consignor", "name": consignor, "country": "KZ"},
            {
                "role": "consignee",
                "name": "Baku Motors MMC",
                "country": "AZ",
                "identifiers": [{"scheme": "TIN", "value": "1401234567"}],
            },
        ],
        "goods": [
            {
                "sequence": 1,
                "hs_code": hs,
                "description": description,
                "packages": 2,
                "gross_kg": 3200,
                "value": {"amount": 4100, "currency": "USD"},
                "containers": ["MSCU1234565"],
            }
        ],
        "equipment": [{"number": "MSCU1234565", "size_type": "45G1", "seals": ["KZ778812"]}],
    }


def _assess(
    session: Session, consignment_id: int, score: float, lane: str, hits: list[dict[str, Any]]
) -> None:
    session.add(
        AssessmentRow(
            consignment_id=consignment_id,
            consignment_version=1,
            score=score,
            lane=lane,
            selected=lane == "red",
            exploration=False,
            hits=hits,
            profile_set={"P-UNDERVAL": 3},
            model_version="test-model-1",
            assessed_at=datetime.now(UTC),
            run_id="seed",
        )
    )


UNDERVALUE = {
    "source": "profile",
    "rule_id": "P-UNDERVAL",
    "version": 3,
    "title": "Declared value far below the HS unit value",
    "weight": 35.0,
    "evidence": {"unit_value_usd_kg": 1.28, "expected_min_usd_kg": 6.5, "hs6": "870323"},
    "rationale": "Used cars from Aktau declared at a fifth of the median unit value.",
}
ROUTE = {
    "source": "indicator",
    "rule_id": "route_deviation",
    "version": 1,
    "title": "Unusual route for this consignor",
    "weight": 18.0,
    "evidence": {"usual": "KZAAU-AZALA", "this": "KZAAU-AZALA via TMKRW"},
}
MODEL = {
    "source": "model",
    "rule_id": "consignor_age_days",
    "version": "test-model-1",
    "title": "Consignor first seen 6 days ago",
    "weight": 22.0,
    "evidence": {"consignor_age_days": 6},
}
SCREEN = {
    "source": "screening",
    "rule_id": "national-watchlist:114",
    "version": 1,
    "title": "Consignee name matches watch list entry 114",
    "weight": 16.0,
    "evidence": {"matched": "BAKU MOTORS MMC", "score": 0.93},
}


def seed(engine: Engine, now: datetime | None = None) -> World:
    now = now or datetime.now(UTC)
    create_demo_accounts(engine)
    docs = [
        _doc("AKT-RISK-001", "AZ-ALAT-PCU", now + timedelta(hours=6), "Steppe Auto Export TOO"),
        _doc(
            "AKT-MED-002",
            "AZ-ALAT-PCU",
            now + timedelta(hours=8),
            "Mangystau Trading LLP",
            hs="840991",
            description="engine parts",
        ),
        _doc(
            "AKT-GREEN-003",
            "AZ-ALAT-PCU",
            now + timedelta(hours=4),
            "KazGrain JSC",
            hs="100199",
            description="wheat",
        ),
        _doc(
            "AKT-NEW-004",
            "AZ-ALAT-PCU",
            now + timedelta(hours=2),
            "Aktau Logistics",
            hs="392690",
            description="plastic articles",
        ),
        _doc(
            "CMR-AST-005",
            "AZ-ASTARA-BP",
            now + timedelta(hours=3),
            "Tabriz Fresh Fruit Co.",
            mode="road",
            loading="IRTBZ",
            discharge="AZAST",
            hs="080810",
            description="fresh apples",
        ),
        _doc("AKT-OLD-000", "AZ-ALAT-PCU", now - timedelta(days=6), "Steppe Auto Export TOO"),
    ]
    report = ingest_documents(engine, docs)
    ids = report.consignment_ids
    assert len(ids) == len(docs), report.as_dict()
    with Session(engine) as session:
        _assess(session, ids[0], 91.0, "red", [UNDERVALUE, MODEL, ROUTE, SCREEN])
        _assess(session, ids[1], 54.0, "yellow", [ROUTE])
        _assess(session, ids[2], 8.0, "green", [])
        _assess(session, ids[4], 88.0, "red", [UNDERVALUE])
        session.commit()
    return World(
        riskiest=ids[0], medium=ids[1], green=ids[2], unassessed=ids[3], astara=ids[4], previous=ids[5]
    )


def form_csrf(html: str) -> str:
    """The CSRF token of the first form on a page."""
    import re

    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no CSRF token on the page"
    return found.group(1)


def login(client: Any, username: str, password: str | None = None) -> str:
    """Log a TestClient in through the log-in form; returns the session's CSRF token."""
    page = client.get("/login")
    response = client.post(
        "/login",
        data={
            "username": username,
            "password": password or PASSWORDS[username],
            "csrf_token": form_csrf(page.text),
            "next": "/queue",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return form_csrf(client.get("/queue").text)


@dataclass(slots=True)
class Alerts:
    container_alert: int  # from KZ-KGD: container MSCU1234565 (on the Alat consignments)
    party_alert: int  # from TM-GTD: a party nobody ships with
    gap_event: int  # maritime AIS gap of CASPIAN STAR (IMO 9321483, on the Alat consignments)
    loiter_event: int  # maritime loitering of an unknown vessel


def seed_alerts(engine: Engine, now: datetime | None = None) -> Alerts:
    """Two alerts received from partners (as the exchange stores them) and two maritime events."""
    from corridor.exchange.models import AlertRow, InboxRow, PartnerRow
    from corridor.maritime.models import EventRow, VesselRow

    now = now or datetime.now(UTC)
    with Session(engine) as session:
        ids: list[int] = []
        for n, (sender, fields) in enumerate(
            [
                (
                    "KZ-KGD",
                    {
                        "container": "MSCU1234565",
                        "reason": "Same container carried undeclared cigarettes on its previous trip from Aktau",
                        "action": "inspect",
                        "severity": "high",
                        "reference": "KGD-2024-0193",
                        "valid_until": now + timedelta(days=10),
                    },
                ),
                (
                    "TM-GTD",
                    {
                        "party_name": "Dashoguz Textile Export HJ",
                        "party_country": "TM",
                        "reason": "Invoices of this exporter were found forged",
                        "action": "monitor",
                        "severity": "medium",
                    },
                ),
            ]
        ):
            partner = PartnerRow(name=sender, country=sender[:2], added_at=now, updated_at=now)
            session.add(partner)
            session.flush()
            inbox = InboxRow(
                message_id=f"msg-{n}",
                partner_id=partner.id,
                message_type="alert",
                version=1,
                sequence=1,
                summary="alert",
                status="applied",
                digest="0" * 64,
                created_at=now - timedelta(hours=n + 1),
                received_at=now - timedelta(hours=n + 1),
            )
            session.add(inbox)
            session.flush()
            alert = AlertRow(
                inbox_id=inbox.id,
                sender=sender,
                message_id=f"msg-{n}",
                received_at=now - timedelta(hours=n + 1),
                open=True,
                **fields,
            )
            session.add(alert)
            session.flush()
            ids.append(alert.id)
        session.add(
            VesselRow(
                vessel="273456780", mmsi="273456780", imo="9321483", name="CASPIAN STAR", updated_at=now
            )
        )
        events = []
        for key, kind, vessel, summary, evidence in (
            (
                "gap-1",
                "ais_gap",
                "273456780",
                "AIS silent for 7.5 h near Neft Daşları",
                {
                    "gap_hours": 7.5,
                    "ongoing": False,
                    "last_position": {
                        "ts": (now - timedelta(hours=20)).isoformat(),
                        "lat": 40.2,
                        "lon": 50.8,
                    },
                    "next_position": {
                        "ts": (now - timedelta(hours=12)).isoformat(),
                        "lat": 40.1,
                        "lon": 50.1,
                    },
                    "distance_m": 61250,
                    "implied_speed_knots": 4.41,
                    "nearest_platform": {"name": "Neft Daşları", "dist_m": 5400},
                },
            ),
            (
                "loiter-1",
                "loitering",
                "422000111",
                "loitering 3.2 h at a median 0.8 kn",
                {"duration_hours": 3.2, "median_speed_knots": 0.8, "positions": 40, "radius_m": 900},
            ),
        ):
            event = EventRow(
                key=key,
                kind=kind,
                vessel=vessel,
                start_at=now - timedelta(hours=20),
                end_at=now - timedelta(hours=12),
                lat=40.2,
                lon=50.8,
                severity="alert",
                summary=summary,
                evidence=evidence,
                status="open",
                detected_at=now,
                updated_at=now,
            )
            session.add(event)
            session.flush()
            events.append(event.id)
        session.commit()
    return Alerts(ids[0], ids[1], events[0], events[1])


WATCHLIST_CSV = (
    "id,name,type,aliases,country,birth_date,imo,mmsi,call_sign,tax_id,program,remarks\n"
    "AZ-114,Baku Motor MMC,organization,,AZ,,,,,,customs,\n"
    "AZ-200,Steppe Auto Export TOO,organization,,KZ,,,,,,customs,\n"
)


def seed_watchlist(engine: Engine, directory: Any) -> None:
    """A small national list (two companies the seeded consignments name) and every consignment screened."""
    from pathlib import Path

    from corridor.screening.consignments import screen_pending
    from corridor.screening.service import import_list

    path = Path(directory) / "az-national.csv"
    path.write_text(WATCHLIST_CSV, encoding="utf-8")
    import_list(engine, path, code="az-national", name="National watch list")
    screen_pending(engine)
