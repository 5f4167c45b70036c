"""The HS 2022 nomenclature service: look-up by code, search by words, and the path
section → chapter → heading → subheading.

Declared codes often carry a national extension (8 to 14 digits: the EAEU CN FEA has 10, the EU CN 8).
The international part is looked up in HS 2022; the extension is kept and returned, never dropped,
because two goods under the same HS-6 can differ in duty and controls nationally.
"""

from __future__ import annotations

from dataclasses import dataclass

from corridor.domain.errors import InvalidInput, NotFound
from corridor.goods.text import stems
from corridor.reference.hs import HsEntry, hs_sections, hs_table

_LEVEL_NAMES = {2: "chapter", 4: "heading", 6: "subheading"}


@dataclass(frozen=True, slots=True)
class PathStep:
    level: str  # section, chapter, heading or subheading
    code: str
    description: str

    def as_dict(self) -> dict[str, str]:
        return {"level": self.level, "code": self.code, "description": self.description}


@dataclass(frozen=True, slots=True)
class Lookup:
    code: str  # as declared, digits only
    hs_code: str  # the most specific HS 2022 code found (2, 4 or 6 digits)
    national_extension: str | None  # digits past the HS-6, kept as declared
    description: str
    path: tuple[PathStep, ...]

    def as_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "hs_code": self.hs_code,
            "national_extension": self.national_extension,
            "description": self.description,
            "path": [p.as_dict() for p in self.path],
        }


def normalise_code(code: str) -> str:
    """Digits of a declared code ("8703.23.19 81" → "8703231981"), or InvalidInput."""
    cleaned = code.strip().replace(".", "").replace(" ", "")
    if not cleaned.isdigit() or not cleaned.isascii():
        raise InvalidInput(f"{code!r} is not an HS code: digits only, dots and spaces allowed", where="code")
    if len(cleaned) not in (2, 4, 6) and not 6 < len(cleaned) <= 14:
        raise InvalidInput(
            f"{code!r} has {len(cleaned)} digits; an HS code has 2, 4 or 6 (up to 14 with a national extension)",
            where="code",
        )
    return cleaned


def lookup(code: str) -> Lookup:
    """Look up a code of 2, 4, 6 or more digits; NotFound names the deepest level that failed."""
    digits = normalise_code(code)
    table = hs_table()
    found: HsEntry | None = None
    for length in (2, 4, 6):
        if len(digits) < length:
            break
        part = digits[:length]
        if part not in table:
            raise NotFound(
                f"{_LEVEL_NAMES[length]} {part} of {digits} is not in the HS 2022 nomenclature", where="code"
            )
        found = table[part]
    assert found is not None  # normalise_code guarantees at least two digits
    return Lookup(
        code=digits,
        hs_code=found.code,
        national_extension=digits[6:] or None,
        description=found.description,
        path=tuple(path(found.code)),
    )


def path(code: str) -> list[PathStep]:
    table = hs_table()
    first = table.get(code[:2])
    if first is None:
        return []
    steps = [PathStep("section", first.section, hs_sections().get(first.section, ""))]
    for length in (2, 4, 6):
        if len(code) >= length and code[:length] in table:
            steps.append(PathStep(_LEVEL_NAMES[length], code[:length], table[code[:length]].description))
    return steps


@dataclass(frozen=True, slots=True)
class SearchHit:
    code: str
    level: str
    description: str
    matched: int  # query words found

    def as_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "level": self.level,
            "description": self.description,
            "matched": self.matched,
        }


def search(words: str, *, limit: int = 20, level: int | None = None) -> list[SearchHit]:
    """Entries whose description contains the query words (stemmed, so "bearing" finds "bearings").

    Entries with every word come first, then those missing one; within that, shorter descriptions
    (the more specific match for the words) first. Russian words are matched by the suggester, not
    here: the official nomenclature text is English.
    """
    if level is not None and level not in (2, 4, 6):
        raise InvalidInput("level must be 2, 4 or 6", where="level")
    if not 1 <= limit <= 200:
        raise InvalidInput("limit must be between 1 and 200", where="limit")
    query = set(stems(words))
    if not query:
        raise InvalidInput("the search needs at least one word", where="q")
    need = len(query) if len(query) < 3 else len(query) - 1
    hits: list[tuple[int, int, str, SearchHit]] = []
    for entry in hs_table().values():
        if level is not None and entry.level != level:
            continue
        have = query & _entry_stems(entry.code)
        if len(have) >= need:
            hit = SearchHit(entry.code, _LEVEL_NAMES[entry.level], entry.description, len(have))
            hits.append((-len(have), len(entry.description), entry.code, hit))
    hits.sort(key=lambda h: h[:3])
    return [h[3] for h in hits[:limit]]


_STEMS: dict[str, frozenset[str]] = {}


def _entry_stems(code: str) -> frozenset[str]:
    found = _STEMS.get(code)
    if found is None:
        found = frozenset(stems(hs_table()[code].description))
        _STEMS[code] = found
    return found
