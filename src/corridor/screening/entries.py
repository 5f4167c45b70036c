"""Watch-list entries as the importers produce them, independent of the source format and the DB."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from corridor.reference.countries import countries

SCHEMAS = ("person", "organization", "vessel", "aircraft", "unknown")


@dataclass(slots=True)
class ListEntry:
    """One watch-list entry. `names[0]` is its caption; the others are aliases."""

    key: str
    schema: str
    names: list[str]
    weak_names: list[str] = field(default_factory=list)
    identifiers: list[tuple[str, str]] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    birth_dates: list[str] = field(default_factory=list)
    programs: list[str] = field(default_factory=list)
    remarks: str | None = None

    def tidy(self) -> ListEntry:
        """Drop empty and repeated values, keeping the first-seen order."""
        self.names = _unique(" ".join(n.split()) for n in self.names)
        self.weak_names = [
            n for n in _unique(" ".join(w.split()) for w in self.weak_names) if n not in self.names
        ]
        self.identifiers = list(dict.fromkeys(self.identifiers))
        self.countries = _unique(self.countries)
        self.birth_dates = _unique(self.birth_dates)
        self.programs = _unique(self.programs)
        return self

    def as_data(self) -> dict[str, Any]:
        return {
            "names": self.names,
            "weak_names": self.weak_names,
            "identifiers": [list(i) for i in self.identifiers],
            "countries": self.countries,
            "birth_dates": self.birth_dates,
            "programs": self.programs,
            "remarks": self.remarks,
        }

    def content_hash(self) -> str:
        """Hash of what the entry says: a change here re-opens decisions taken on it."""
        blob = json.dumps({"schema": self.schema, **self.as_data()}, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()

    def birth_years(self) -> set[int]:
        return {int(d[:4]) for d in self.birth_dates if d[:4].isascii() and d[:4].isdigit()}


@dataclass(frozen=True, slots=True)
class EntryProblem:
    """A list entry that could not be read: where it is and why; the rest of the list still loads."""

    position: str
    reason: str
    excerpt: str | None = None

    def as_dict(self) -> dict[str, str | None]:
        return {"position": self.position, "reason": self.reason, "excerpt": self.excerpt}


@dataclass(slots=True)
class ParsedList:
    format: str
    entries: list[ListEntry] = field(default_factory=list)
    problems: list[EntryProblem] = field(default_factory=list)
    skipped: int = 0  # records that are not list entries (FtM addresses, sanctions, ownerships)


def _unique(values: Any) -> list[str]:
    return list(dict.fromkeys(v.strip() for v in values if v and v.strip()))


# Country names as the lists write them -> ISO 3166-1 alpha-2, beyond the reference table's names.
_COUNTRY_ALIASES = {
    "iran": "IR", "iran islamic republic of": "IR", "russia": "RU", "russian federation": "RU",
    "syria": "SY", "syrian arab republic": "SY", "korea north": "KP", "north korea": "KP",
    "democratic people s republic of korea": "KP", "korea": "KP", "korea south": "KR",
    "republic of korea": "KR", "burma": "MM", "myanmar": "MM", "united kingdom": "GB",
    "united states": "US", "united states of america": "US", "venezuela": "VE",
    "bolivarian republic of venezuela": "VE", "congo democratic republic of the": "CD",
    "democratic republic of the congo": "CD", "congo": "CG", "republic of the congo": "CG",
    "palestinian": "PS", "palestine": "PS", "west bank": "PS", "gaza": "PS", "bosnia": "BA",
    "bosnia and herzegovina": "BA", "laos": "LA", "vietnam": "VN", "viet nam": "VN",
    "tanzania": "TZ", "moldova": "MD", "turkey": "TR", "turkiye": "TR", "czech republic": "CZ",
    "czechia": "CZ", "cote d ivoire": "CI", "ivory coast": "CI", "the bahamas": "BS",
    "gambia the": "GM", "macedonia": "MK", "north macedonia": "MK", "kosovo": "XK",
    "region crimea": "UA", "crimea": "UA", "taiwan": "TW", "hong kong": "HK", "macau": "MO",
    "st kitts and nevis": "KN", "saint kitts and nevis": "KN", "united arab emirates": "AE",
    "uae": "AE", "emirates": "AE", "azerbaijan": "AZ", "kazakhstan": "KZ", "turkmenistan": "TM",
    "afghanistan": "AF", "iraq": "IQ", "lebanon": "LB", "yemen": "YE", "libya": "LY",
    "sudan": "SD", "south sudan": "SS", "somalia": "SO", "mali": "ML", "cuba": "CU",
    "belarus": "BY", "ukraine": "UA", "china": "CN", "pakistan": "PK", "india": "IN",
}  # fmt: skip
_NON_WORD = re.compile(r"[^a-z]+")


@lru_cache(maxsize=1)
def _country_names() -> dict[str, str]:
    names: dict[str, str] = {}
    for code, c in countries().items():
        names[_NON_WORD.sub(" ", c.name.lower()).strip()] = code
        names[code.lower()] = code
        if c.alpha3:
            names[c.alpha3.lower()] = code
    names.update(_COUNTRY_ALIASES)
    return names


def country_code(value: str | None) -> str | None:
    """A country as a list writes it (name, alpha-2 or alpha-3) -> alpha-2, or None if unknown."""
    if not value:
        return None
    key = _NON_WORD.sub(" ", value.lower()).strip()
    return _country_names().get(key)
