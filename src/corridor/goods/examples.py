"""The labelled examples every nearest-neighbour suggester ranks against.

An example is a short text with the HS code it stands for: each HS 2022 subheading (6 digits) and
heading (4 digits) with its official description, and each term of the curated keyword table
(data/hs_keywords.csv: the words traders actually write, in English and Russian, mapped to a
heading or subheading). The official descriptions alone know no Russian and few trade words
("Fruit, edible; apples, fresh" but not "FRESH APPLES IN CARTONS", nothing for "смартфоны").
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Literal

from corridor.reference.hs import hs_table

Source = Literal["hs", "keyword"]


@dataclass(frozen=True, slots=True)
class Example:
    text: str
    code: str
    source: Source
    lang: str = "en"


@dataclass(frozen=True, slots=True)
class Keyword:
    code: str
    lang: str
    term: str


@lru_cache(maxsize=1)
def keywords() -> tuple[Keyword, ...]:
    """The curated keyword table; every code in it is checked against HS 2022 by the tests."""
    text = resources.files("corridor.goods").joinpath("data", "hs_keywords.csv").read_text(encoding="utf-8")
    found: list[Keyword] = []
    for row in csv.DictReader(text.splitlines()):
        for term in row["terms"].split(";"):
            if term.strip():
                found.append(Keyword(row["code"], row["lang"], term.strip()))
    return tuple(found)


def hs_examples() -> list[Example]:
    """Official descriptions of headings and subheadings (chapters are too broad to rank)."""
    return [Example(e.description, e.code, "hs") for e in hs_table().values() if e.level in (4, 6)]


@lru_cache(maxsize=2)
def examples(with_keywords: bool = True) -> tuple[Example, ...]:
    found = hs_examples()
    if with_keywords:
        found += [Example(k.term, k.code, "keyword", k.lang) for k in keywords()]
    return tuple(found)
