"""Strategic goods: the Common High Priority Items List (CHPL, February 2024, 50 HS-6 codes in
tiers 1 to 4B), matched by declared HS code (national extensions reduced to HS-6) and by item
names in the description (English and Russian keywords per code, typo-tolerant).

A description match is weaker evidence than a code match: "bearings" on a manifest may be any
bearing, but a ball-bearing description under an unrelated declared code is what officers look for.
The CHPL targets battlefield items; it is not the EU dual-use Annex I (see data/SOURCES.md).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Literal

from corridor.goods.phrases import PhraseMatcher, best_per_item
from corridor.reference.hs import hs_table

LIST_NAME = "Common High Priority Items List (CHPL), February 2024"
MatchedBy = Literal["hs_code", "name"]


@dataclass(frozen=True, slots=True)
class StrategicItem:
    hs6: str
    tier: str
    description: str
    keywords: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class StrategicMatch:
    item: StrategicItem
    matched_by: MatchedBy
    evidence: str

    def as_dict(self) -> dict[str, object]:
        return {
            "hs6": self.item.hs6,
            "tier": self.item.tier,
            "description": self.item.description,
            "list": LIST_NAME,
            "matched_by": self.matched_by,
            "evidence": self.evidence,
        }


@lru_cache(maxsize=1)
def strategic_list() -> tuple[StrategicItem, ...]:
    text = (
        resources.files("corridor.goods").joinpath("data", "strategic_chpl.csv").read_text(encoding="utf-8")
    )
    table = hs_table()
    items = []
    for row in csv.DictReader(text.splitlines()):
        words = [w.strip() for part in (row["keywords_en"], row["keywords_ru"]) for w in part.split(";")]
        items.append(
            StrategicItem(
                row["hs6"], row["tier"], table[row["hs6"]].description, tuple(w for w in words if w)
            )
        )
    return tuple(items)


@lru_cache(maxsize=1)
def _matcher() -> PhraseMatcher[StrategicItem]:
    return PhraseMatcher((k, item) for item in strategic_list() for k in item.keywords)


def match_strategic(description: str | None, hs_code: str | None = None) -> list[StrategicMatch]:
    found: dict[str, StrategicMatch] = {}
    digits = "".join(ch for ch in (hs_code or "") if ch.isdigit())
    if len(digits) >= 6:
        for item in strategic_list():
            if item.hs6 == digits[:6]:
                found[item.hs6] = StrategicMatch(item, "hs_code", f"declared HS {hs_code} is CHPL {item.hs6}")
    if description:
        for hit in best_per_item(_matcher().find(description)):
            item = hit.item
            detail = f"'{hit.found}' ~ '{hit.phrase}'" + (f" ({hit.distance} edits)" if hit.distance else "")
            found.setdefault(item.hs6, StrategicMatch(item, "name", detail))
    return sorted(found.values(), key=lambda m: (m.matched_by != "hs_code", m.item.tier, m.item.hs6))
