"""UN/LOCODE locations with coordinates and their transport functions."""

from __future__ import annotations

import csv
import gzip
from dataclasses import dataclass
from functools import lru_cache

from corridor.reference._files import data_path


@dataclass(frozen=True, slots=True)
class Location:
    locode: str
    name: str
    ascii_name: str
    subdivision: str
    function: str
    lat: float | None
    lon: float | None
    geocoded: bool

    @property
    def country(self) -> str:
        return self.locode[:2]

    @property
    def is_seaport(self) -> bool:
        return self.function[:1] == "1"

    @property
    def is_airport(self) -> bool:
        return len(self.function) > 3 and self.function[3] == "4"

    @property
    def is_road_terminal(self) -> bool:
        return len(self.function) > 2 and self.function[2] == "3"

    @property
    def is_border_crossing(self) -> bool:
        return len(self.function) > 6 and self.function[6] == "7"


@lru_cache(maxsize=1)
def locations() -> dict[str, Location]:
    out: dict[str, Location] = {}
    with gzip.open(data_path("unlocode.csv.gz"), "rt", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            out[row["locode"]] = Location(
                locode=row["locode"],
                name=row["name"],
                ascii_name=row["ascii_name"],
                subdivision=row["subdivision"],
                function=row["function"],
                lat=float(row["lat"]) if row["lat"] else None,
                lon=float(row["lon"]) if row["lon"] else None,
                geocoded=row["geocoded"] == "1",
            )
    return out


def location(code: str | None) -> Location | None:
    if not code:
        return None
    return locations().get(code.replace(" ", "").upper())
