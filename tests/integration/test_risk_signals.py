"""Partner alerts and the learning model enter the risk score and lane next to the profiles."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from corridor.exchange import alerts as exchange_alerts
from corridor.exchange.alerts import ActiveAlerts, ReceivedAlert
from corridor.ingest.service import ingest_paths
from corridor.risk.service import assess_ids, assessment_of
from corridor.risk.signals import Signals

CSV = (
    "document_number,mode,office,loading_locode,discharge_locode,consignee_name,equipment,hs_code,description,"
    "gross_kg,value,currency\n"
    "BL-ALERT-1,sea,AZ-ALAT-PCU,KZAAU,AZALA,Caspian Trade MMC,CSQU3054383:22G1:S1,080810,apples,18000,9000,USD\n"
    "BL-QUIET-2,sea,AZ-ALAT-PCU,KZAAU,AZALA,Caspian Trade MMC,OOLU4293959:22G1:S2,080810,apples,18000,9000,USD\n"
)


def test_signals_multiply_into_the_score() -> None:
    signals = Signals()
    signals.add(0, {"weight": 0.5}, scoring=True)
    signals.add(0, {"weight": 3.2}, scoring=False)  # a model reason: shown, not scored
    assert signals.score(0, 20.0) == 60.0  # 1 - 0.8 * 0.5
    assert signals.score(1, 20.0) == 20.0


def test_a_partner_alert_on_a_container_raises_the_consignment(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    alert = ReceivedAlert(
        id=1,
        sender="kz-customs",
        message_id="m-1",
        group=None,
        container="CSQU3054383",
        vessel_imo=None,
        vessel_mmsi=None,
        vessel_name=None,
        party_name=None,
        party_country=None,
        route=None,
        reason="heroin found in the sister container at Aktau",
        action="inspect",
        severity="high",
        reference="KZ-2026-17",
        valid_until=None,
        received_at=datetime.now(UTC),
        open=True,
    )
    monkeypatch.setattr(
        exchange_alerts,
        "active_alerts",
        lambda session, at=None: ActiveAlerts(containers={"CSQU3054383": [alert]}),
    )
    path = tmp_path / "m.csv"
    path.write_text(CSV)
    report = ingest_paths(engine, [path], keep_ids=True)
    result = assess_ids(engine, report.consignment_ids)
    by_doc = {i["document_number"]: i for i in result.items()}
    flagged, quiet = by_doc["BL-ALERT-1"], by_doc["BL-QUIET-2"]
    assert flagged["lane"] == "red" and flagged["score"] > quiet["score"]
    [hit] = [h for h in flagged["hits"] if h["source"] == "alert"]
    assert hit["evidence"]["value"] == "CSQU3054383" and hit["rationale"].startswith("heroin")
    assert not [h for h in quiet["hits"] if h["source"] == "alert"]
    with Session(engine) as session:
        stored = assessment_of(session, "BL-ALERT-1")
    assert stored["lane"] == "red" and any(h["source"] == "alert" for h in stored["hits"])
