"""Precursor chemicals (1988 Convention Tables I and II, plus special-surveillance examples) matched
by HS code, by CAS number in the text (check digit validated) and by name or synonym in the
description, with typo tolerance and Russian, German, French and other names.

The list is packaged in data/precursors.csv; its source and caveats are in data/SOURCES.md: it is a
transcription, unverified against the INCB Red List, and table "S" rows are not treaty-controlled.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Literal

from corridor.goods.cas import find_cas
from corridor.goods.phrases import PhraseMatcher, best_per_item

TABLE_NAMES = {
    "I": "1988 Convention Table I",
    "II": "1988 Convention Table II",
    "S": "INCB special surveillance list (not Tables I/II)",
}
MatchedBy = Literal["hs_code", "cas", "name", "abbreviation"]


@dataclass(frozen=True, slots=True)
class Precursor:
    name: str
    synonyms: tuple[str, ...]
    names_ru: tuple[str, ...]
    names_other: tuple[str, ...]
    table: str
    cas: tuple[str, ...]
    hs6: str
    drugs: tuple[str, ...]
    role: str

    @property
    def list_name(self) -> str:
        return TABLE_NAMES[self.table]

    def names(self) -> tuple[str, ...]:
        return (self.name, *self.synonyms, *self.names_ru, *self.names_other)


@dataclass(frozen=True, slots=True)
class PrecursorMatch:
    precursor: Precursor
    matched_by: MatchedBy
    evidence: str

    def as_dict(self) -> dict[str, object]:
        p = self.precursor
        return {
            "name": p.name,
            "list": p.list_name,
            "table": p.table,
            "cas": list(p.cas),
            "hs6": p.hs6,
            "drugs": list(p.drugs),
            "matched_by": self.matched_by,
            "evidence": self.evidence,
        }


def _split(value: str) -> tuple[str, ...]:
    return tuple(v.strip() for v in value.split(";") if v.strip())


@lru_cache(maxsize=1)
def precursor_list() -> tuple[Precursor, ...]:
    text = resources.files("corridor.goods").joinpath("data", "precursors.csv").read_text(encoding="utf-8")
    return tuple(
        Precursor(
            name=row["name"],
            synonyms=_split(row["synonyms"]),
            names_ru=_split(row["names_ru"]),
            names_other=_split(row["names_other"]),
            table=row["table"],
            cas=_split(row["cas"]),
            hs6=row["hs6"],
            drugs=_split(row["drugs"]),
            role=row["role"],
        )
        for row in csv.DictReader(text.splitlines())
    )


@lru_cache(maxsize=1)
def _matcher() -> PhraseMatcher[Precursor]:
    return PhraseMatcher((name, p) for p in precursor_list() for name in p.names())


def match_precursors(description: str | None, hs_code: str | None = None) -> list[PrecursorMatch]:
    """Every listed substance the goods item points to, strongest evidence first per substance.

    An HS match says the declared subheading is the one of a listed substance (for 2933.39 it covers
    other chemicals too); a CAS or name match says the description names the substance itself.
    """
    found: dict[str, PrecursorMatch] = {}
    text = description or ""
    by_cas = {cas: p for p in precursor_list() for cas in p.cas}
    for number in find_cas(text):
        if number.valid and number.number in by_cas:
            p = by_cas[number.number]
            found.setdefault(p.name, PrecursorMatch(p, "cas", f"CAS {number.number} in the description"))
    if text:
        for hit in best_per_item(_matcher().find(text)):
            p = hit.item
            how: MatchedBy = "abbreviation" if hit.abbreviation else "name"
            detail = f"'{hit.found}' ~ '{hit.phrase}'" + (f" ({hit.distance} edits)" if hit.distance else "")
            found.setdefault(p.name, PrecursorMatch(p, how, detail))
    hs6 = _hs6(hs_code)
    if hs6:
        for p in precursor_list():
            if p.hs6 == hs6:
                found.setdefault(p.name, PrecursorMatch(p, "hs_code", f"declared HS {hs_code} is {p.hs6}"))
    order = {"cas": 0, "name": 1, "abbreviation": 2, "hs_code": 3}
    return sorted(found.values(), key=lambda m: (order[m.matched_by], m.precursor.name))


def _hs6(code: str | None) -> str | None:
    if not code:
        return None
    digits = "".join(ch for ch in code if ch.isdigit())
    return digits[:6] if len(digits) >= 6 else None
