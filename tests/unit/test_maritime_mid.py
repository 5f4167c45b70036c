"""Flags from MMSIs through the ITU MID table, by kind of station."""

from __future__ import annotations

import pytest

from corridor.maritime.mid import flag_of, mid_table


@pytest.mark.parametrize(
    ("mmsi", "alpha2", "station"),
    [
        ("423123456", "AZ", "ship"),
        ("273456789", "RU", "ship"),
        ("436000001", "KZ", "ship"),
        ("434000001", "TM", "ship"),
        ("422000001", "IR", "ship"),
        ("004231234", "AZ", "coast"),
        ("042312345", "AZ", "group"),
        ("111423123", "AZ", "sar_aircraft"),
        ("992731234", "RU", "aid_to_navigation"),
        ("984231234", "AZ", "craft_of_ship"),
        ("842312345", "AZ", "handheld"),
        ("416000001", "TW", "ship"),
    ],
)
def test_flags(mmsi: str, alpha2: str, station: str) -> None:
    found = flag_of(mmsi)
    assert found is not None and (found.alpha2, found.station) == (alpha2, station)


@pytest.mark.parametrize("mmsi", [None, "", "12345", "970123456", "100000000", "abcdefghi", "2001234567"])
def test_no_flag(mmsi: str | None) -> None:
    assert flag_of(mmsi) is None


def test_table_is_complete() -> None:
    table = mid_table()
    assert len(table) > 280 and all(len(alpha2) == 2 for alpha2, _ in table.values())
