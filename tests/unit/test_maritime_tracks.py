"""Track segmentation: outliers set aside without breaking the track, real jumps and long silences split."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import polars as pl

from corridor.maritime.readers import POSITION_SCHEMA
from corridor.maritime.tracks import segment, segments_summary

T0 = datetime(2026, 3, 1, tzinfo=UTC)


def frame(rows: list[tuple[str, float, float, float]]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "vessel": [r[0] for r in rows],
            "ts": [T0 + timedelta(minutes=r[1]) for r in rows],
            "lat": [r[2] for r in rows],
            "lon": [r[3] for r in rows],
            "sog": [None] * len(rows),
            "cog": [None] * len(rows),
            "heading": [None] * len(rows),
        },
        schema=POSITION_SCHEMA,
    )


def steady(
    vessel: str, start_min: float, n: int, lat0: float = 40.0
) -> list[tuple[str, float, float, float]]:
    # 0.001 deg of latitude per 5 minutes: about 1.3 knots.
    return [(vessel, start_min + 5 * i, lat0 + 0.001 * i, 51.0) for i in range(n)]


def test_single_and_double_outliers_do_not_split() -> None:
    rows = steady("A", 0, 20)
    rows[5] = ("A", 25, 41.0, 52.0)
    rows[12] = ("A", 60, 39.0, 50.0)
    rows[13] = ("A", 65, 39.0, 50.001)
    clean, outliers = segment(frame(rows))
    assert outliers.height == 3 and clean["segment"].unique().to_list() == [1]


def test_teleport_and_long_silence_split() -> None:
    rows = steady("A", 0, 10) + steady("A", 50, 10, lat0=41.0) + steady("A", 50 + 25 * 60, 5, lat0=41.01)
    clean, outliers = segment(frame(rows))
    assert outliers.height == 0
    summary = segments_summary(clean)
    assert summary["positions"].to_list() == [10, 10, 5]


def test_vessels_are_independent_and_duplicates_dropped() -> None:
    rows = steady("A", 0, 5) + steady("B", 0, 5, lat0=45.0) + [("A", 0, 40.0, 51.0)]
    clean, _ = segment(frame(rows))
    assert clean.group_by("vessel").len().sort("vessel")["len"].to_list() == [5, 5]
    assert clean["segment"].max() == 1
