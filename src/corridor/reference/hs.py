"""HS 2022 nomenclature: sections, chapters (2), headings (4) and subheadings (6)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache

from corridor.reference._files import data_path


@dataclass(frozen=True, slots=True)
class HsEntry:
    code: str
    description: str
    level: int
    parent: str
    section: str


@lru_cache(maxsize=1)
def hs_table() -> dict[str, HsEntry]:
    with data_path("hs2022.csv").open(encoding="utf-8-sig") as fh:
        return {
            row["hscode"]: HsEntry(
                code=row["hscode"],
                description=row["description"],
                level=int(row["level"]),
                parent=row["parent"],
                section=row["section"],
            )
            for row in csv.DictReader(fh)
        }


@lru_cache(maxsize=1)
def hs_sections() -> dict[str, str]:
    with data_path("hs2022_sections.csv").open(encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        return {row["section"]: row["name"] for row in reader}


def hs_entry(code: str | None) -> HsEntry | None:
    """The most specific HS 2022 entry for a code; national extensions past 6 digits fall back to HS6."""
    if not code:
        return None
    table = hs_table()
    digits = code.replace(".", "").strip()
    for length in (6, 4, 2):
        if len(digits) >= length and digits[:length] in table:
            entry = table[digits[:length]]
            if length == 6 or len(digits) <= length:
                return entry
            return None
    return None


def hs_known(code: str | None) -> bool:
    return hs_entry(code) is not None


def hs_path(code: str) -> list[HsEntry]:
    """Section-level-down path: chapter, heading, subheading entries that exist for the code."""
    table = hs_table()
    return [table[code[:n]] for n in (2, 4, 6) if len(code) >= n and code[:n] in table]
