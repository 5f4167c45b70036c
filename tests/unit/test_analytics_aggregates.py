"""Aggregations checked by hand on a handful of records."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from corridor.analytics import aggregates as agg
from corridor.analytics.frames import frame_from_inputs
from corridor.domain.errors import InvalidInput
from corridor.seizures.schemas import SeizureIn


def s(when: str, kind: str, qty: float, unit: str, **kw: object) -> SeizureIn:
    base: dict[str, object] = {
        "seized_at": datetime.fromisoformat(when).replace(tzinfo=UTC),
        "commodity_type": kind,
        "quantity": qty,
        "unit": unit,
        "detection": "xray",
        "transport_mode": "road",
        "office": "AZ-ASTARA-BP",
    }
    base.update(kw)
    return SeizureIn.model_validate(base)


RECORDS = [
    s(
        "2026-01-10",
        "heroin",
        10,
        "kg",
        departure_country="IR",
        destination_country="RU",
        transit_countries=["AZ"],
        value_usd=250_000,
        profile_hits=[{"rule_id": "DRG-1"}],
        detection="risk_profile",
    ),
    s(
        "2026-01-20",
        "heroin",
        500,
        "g",
        departure_country="IR",
        destination_country="RU",
        transit_countries=["AZ"],
        value_usd=12_500,
        concealment="tyres",
    ),
    s(
        "2026-02-03",
        "cigarettes",
        200,
        "packs",
        office="AZ-ALAT-PCU",
        departure_country="CN",
        destination_country="AZ",
        profile_hits=[{"rule_id": "TOB-1"}, {"rule_id": "DRG-1"}],
        detection="risk_profile",
    ),
    s("2026-02-04", "cigarettes", 10_000, "sticks", office="AZ-ALAT-PCU"),
    s("2026-02-05", "cash", 1000, "eur", office="AZ-BAKU-AIR", transport_mode="air"),
    s("2026-03-01", "acetic_anhydride", 300, "l", office="AZ-ALAT-PCU"),
]


def by_key(rows: list[dict[str, object]]) -> dict[object, dict[str, object]]:
    return {r["key"]: r for r in rows}


def test_counts_and_quantities_by_commodity() -> None:
    rows = by_key(agg.records(agg.stats(frame_from_inputs(RECORDS), "commodity")))
    assert rows["drugs"]["seizures"] == 2 and rows["drugs"]["kg"] == 10.5
    assert rows["tobacco"]["sticks"] == 200 * 20 + 10_000 and rows["tobacco"]["kg"] == 0
    assert rows["currency"]["cash_usd"] == pytest.approx(1080.0)
    assert rows["precursors"]["litres"] == 300
    assert rows["drugs"]["value_usd"] == 262_500
    assert sum(r["share"] for r in rows.values()) == pytest.approx(1.0)  # type: ignore[misc]
    first = agg.records(agg.stats(frame_from_inputs(RECORDS), "commodity"))[0]
    assert first["key"] in ("drugs", "tobacco") and first["seizures"] == 2


def test_other_dimensions() -> None:
    frame = frame_from_inputs(RECORDS)
    assert [(r["key"], r["seizures"]) for r in agg.records(agg.stats(frame, "month"))] == [
        ("2026-01", 2),
        ("2026-02", 3),
        ("2026-03", 1),
    ]
    routes = by_key(agg.records(agg.stats(frame, "route")))
    assert (
        routes["IR>AZ>RU"]["seizures"] == 2
        and routes["CN>AZ"]["seizures"] == 1
        and routes["unknown"]["seizures"] == 3
    )
    offices = by_key(agg.records(agg.stats(frame, "office")))
    assert offices["AZ-ALAT-PCU"]["seizures"] == 3
    assert by_key(agg.records(agg.stats(frame, "concealment")))["tyres"]["seizures"] == 1
    assert by_key(agg.records(agg.stats(frame, "detection")))["risk_profile"]["seizures"] == 2
    with pytest.raises(InvalidInput, match="cannot group by 'colour'"):
        agg.stats(frame, "colour")


def test_trend_against_the_three_months_before() -> None:
    rows = by_key(agg.records(agg.trend(frame_from_inputs(RECORDS), "2026-03", "commodity")))
    # March against January..February (and December, empty): drugs 0 vs avg 2/3, precursors 1 vs 0
    assert rows["precursors"]["seizures"] == 1 and rows["precursors"]["change"] is None
    assert rows["drugs"]["seizures"] == 0 and rows["drugs"]["three_month_average"] == pytest.approx(
        0.667, abs=1e-3
    )
    assert rows["drugs"]["change"] == -1.0
    assert rows["tobacco"]["previous_month"] == 2


def test_profile_effectiveness_and_monthly_grid() -> None:
    frame = frame_from_inputs(RECORDS)
    table = {r["rule_id"]: r for r in agg.records(agg.profile_effectiveness(frame))}
    assert table["DRG-1"]["seizures"] == 2 and table["DRG-1"]["categories"] == ["drugs", "tobacco"]
    assert table["TOB-1"]["seizures"] == 1
    grid = agg.monthly(frame, None, ["2025-12", "2026-01", "2026-02", "2026-03"])
    assert grid["seizures"].to_list() == [0, 2, 3, 1]
    assert agg.totals(frame)["seizures"] == 6
