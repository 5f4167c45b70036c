"""Flag state from an MMSI through the ITU table of Maritime Identification Digits (MID).

The MID sits at a different place depending on the kind of station (ITU-R M.585): ships carry
it first (MIDxxxxxx), coast stations after "00", groups after "0", SAR aircraft after "111",
handheld radios after "8", aids to navigation after "99" and craft tied to a ship after "98".
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True, slots=True)
class Flag:
    mid: str
    alpha2: str
    allocated_to: str
    station: str  # ship, coast, group, sar_aircraft, handheld, aid_to_navigation, craft_of_ship, device


@lru_cache(maxsize=1)
def mid_table() -> dict[str, tuple[str, str]]:
    with (DATA / "mid.csv").open(encoding="utf-8") as fh:
        return {row["mid"]: (row["alpha2"], row["allocated_to"]) for row in csv.DictReader(fh)}


def _split(mmsi: str) -> tuple[str, str] | None:
    if mmsi.startswith("00"):
        return mmsi[2:5], "coast"
    if mmsi.startswith("0"):
        return mmsi[1:4], "group"
    if mmsi.startswith("111"):
        return mmsi[3:6], "sar_aircraft"
    if mmsi.startswith("99"):
        return mmsi[2:5], "aid_to_navigation"
    if mmsi.startswith("98"):
        return mmsi[2:5], "craft_of_ship"
    if mmsi.startswith("97"):
        return None  # AIS-SART, MOB and EPIRB-AIS devices carry no MID
    if mmsi.startswith("8"):
        return mmsi[1:4], "handheld"
    if mmsi[0] in "234567":
        return mmsi[:3], "ship"
    return None


def flag_of(mmsi: str | int | None) -> Flag | None:
    """The flag (ISO alpha-2 and ITU name) an MMSI claims, or None if it claims none we know."""
    if mmsi is None:
        return None
    text = str(mmsi).strip()
    if len(text) != 9 or not text.isdigit():
        return None
    split = _split(text)
    if split is None:
        return None
    mid, station = split
    found = mid_table().get(mid)
    if found is None:
        return None
    return Flag(mid=mid, alpha2=found[0], allocated_to=found[1], station=station)
