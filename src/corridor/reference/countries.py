"""ISO 3166-1 countries with English and Russian names."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache

from corridor.reference._files import data_path


@dataclass(frozen=True, slots=True)
class Country:
    alpha2: str
    alpha3: str
    numeric: str
    name: str
    name_ru: str
    region: str
    subregion: str
    currency: str


@lru_cache(maxsize=1)
def countries() -> dict[str, Country]:
    with data_path("countries.csv").open(encoding="utf-8") as fh:
        return {row["alpha2"]: Country(**row) for row in csv.DictReader(fh)}


@lru_cache(maxsize=1)
def _alpha3_index() -> dict[str, str]:
    return {c.alpha3: c.alpha2 for c in countries().values() if c.alpha3}


def country(code: str | None) -> Country | None:
    """Look up by alpha-2 or alpha-3 code."""
    if not code:
        return None
    code = code.strip().upper()
    if len(code) == 3:
        code = _alpha3_index().get(code, "")
    return countries().get(code)
