"""Shared named lists (high-risk countries, ports, HS chapters, carriers, watch lists) and the packaged
goods lists (precursors of the 1988 Convention, CHPL strategic goods) that profiles refer to by name.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Literal

ListKind = Literal["countries", "ports", "hs", "parties", "vessels", "carriers", "text"]
LIST_KINDS: tuple[str, ...] = ("countries", "ports", "hs", "parties", "vessels", "carriers", "text")


@dataclass(frozen=True, slots=True)
class NamedList:
    name: str
    kind: ListKind
    items: tuple[str, ...]
    title: str = ""
    description: str = ""
    version: int = 0  # 0: packaged with the software, not stored

    def as_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "kind": self.kind,
            "title": self.title,
            "description": self.description,
            "version": self.version,
            "items": list(self.items),
        }


@dataclass(frozen=True, slots=True)
class Precursor:
    hs6: str
    cas: str
    name: str
    table: str
    drug_codes: str


@dataclass(frozen=True, slots=True)
class StrategicItem:
    hs6: str
    tier: str
    description: str


def _data(name: str) -> list[dict[str, str]]:
    text = resources.files("corridor.risk").joinpath("data", name).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


@lru_cache(maxsize=1)
def precursors() -> tuple[Precursor, ...]:
    """1988 Convention Tables I and II plus special-surveillance examples (see data/SOURCES.md)."""
    return tuple(Precursor(**row) for row in _data("precursors.csv"))


@lru_cache(maxsize=1)
def strategic_items() -> tuple[StrategicItem, ...]:
    """The CHPL HS-6 codes with their tiers (see data/SOURCES.md)."""
    return tuple(StrategicItem(**row) for row in _data("strategic_chpl_hs6.csv"))


@lru_cache(maxsize=1)
def builtin_lists() -> dict[str, NamedList]:
    """Lists that come with the software; a stored list of the same name takes precedence."""
    pre = precursors()
    chpl = strategic_items()
    return {
        lst.name: lst
        for lst in (
            NamedList(
                "precursor-hs6",
                "hs",
                tuple(sorted({p.hs6 for p in pre if p.table in ("I", "II")})),
                "Precursors, 1988 Convention Tables I and II (HS 2022 subheadings)",
                "Transcribed, unverified against the INCB Red List; see risk/data/SOURCES.md.",
            ),
            NamedList(
                "precursor-table1-hs6",
                "hs",
                tuple(sorted({p.hs6 for p in pre if p.table == "I"})),
                "Precursors, 1988 Convention Table I only",
            ),
            NamedList(
                "precursor-cas",
                "text",
                tuple(sorted({p.cas for p in pre if p.table in ("I", "II")})),
                "CAS numbers of the precursors of Tables I and II",
            ),
            NamedList(
                "strategic-chpl-hs6",
                "hs",
                tuple(sorted({s.hs6 for s in chpl})),
                "Common High Priority Items List (CHPL), February 2024",
            ),
            NamedList(
                "strategic-chpl-tier1-hs6",
                "hs",
                tuple(sorted({s.hs6 for s in chpl if s.tier == "1"})),
                "CHPL tier 1 (integrated circuits)",
            ),
        )
    }
