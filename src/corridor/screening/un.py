"""The UN Security Council consolidated list (XML, sc-sanctions.xsd).

INDIVIDUAL and ENTITY records carry the name in FIRST_NAME..FOURTH_NAME, the original-script
name in NAME_ORIGINAL_SCRIPT (Arabic, Persian, Cyrillic ... an official transliteration pair),
aliases with a QUALITY ("Good", "a.k.a." -> screened; "Low" -> kept as weak aliases, not screened:
the UN itself calls them too vague), nationalities, dates or years of birth and documents.
The file is parsed with the project's defused streaming XML parser: a broken file yields the
entries read so far plus one problem with the parser's line and column.
"""

from __future__ import annotations

from pathlib import Path

from corridor.ingest.base import Rejection
from corridor.ingest.xmlsafe import Element, XmlStream, children, local_name, text
from corridor.screening.entries import EntryProblem, ListEntry, ParsedList, country_code
from corridor.screening.identifiers import identifier

_DOCUMENTS = {"passport": "passport", "national identification number": "national_id"}


def _values(element: Element, name: str) -> list[str]:
    out: list[str] = []
    for child in children(element, name):
        for value in children(child, "VALUE"):
            if value.text and value.text.strip():
                out.append(value.text.strip())
    return out


def _birth_dates(element: Element, tag: str) -> list[str]:
    out: list[str] = []
    for dob in children(element, tag):
        date, year = text(dob, "DATE"), text(dob, "YEAR")
        if date:
            out.append(date[:10])
        elif year:
            out.append(year)
        lo, hi = text(dob, "FROM_YEAR"), text(dob, "TO_YEAR")
        if lo and hi and f"{lo}{hi}".isascii() and lo.isdigit() and hi.isdigit() and 0 <= int(hi) - int(lo) <= 10:
            out.extend(str(y) for y in range(int(lo), int(hi) + 1))
    return out


def _entry(element: Element) -> ListEntry | str:
    """An entry, or why the record is not one."""
    kind = local_name(element.tag)
    key = text(element, "DATAID")
    if not key:
        return "no DATAID"
    parts = [text(element, t) for t in ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")]
    primary = " ".join(p for p in parts if p)
    if not primary:
        return f"DATAID {key}: no name (FIRST_NAME..FOURTH_NAME are empty)"
    prefix = "INDIVIDUAL" if kind == "INDIVIDUAL" else "ENTITY"
    entry = ListEntry(key=key, schema="person" if kind == "INDIVIDUAL" else "organization", names=[primary])
    original = text(element, "NAME_ORIGINAL_SCRIPT")
    if original:
        entry.names.append(original)
    for alias in children(element, f"{prefix}_ALIAS"):
        name = text(alias, "ALIAS_NAME")
        if not name:
            continue
        if (text(alias, "QUALITY") or "").lower() == "low":
            entry.weak_names.append(name)
        else:
            entry.names.append(name)
    for raw in _values(element, "NATIONALITY"):
        code = country_code(raw)
        if code:
            entry.countries.append(code)
    for address in children(element, f"{prefix}_ADDRESS"):
        code = country_code(text(address, "COUNTRY"))
        if code:
            entry.countries.append(code)
    entry.birth_dates = _birth_dates(element, "INDIVIDUAL_DATE_OF_BIRTH")
    for doc in children(element, "INDIVIDUAL_DOCUMENT"):
        scheme = _DOCUMENTS.get((text(doc, "TYPE_OF_DOCUMENT") or "").strip().lower(), "other")
        number = text(doc, "NUMBER")
        pair = identifier(scheme, number) if number else None
        if pair:
            entry.identifiers.append(pair)
    entry.programs = [p for p in (text(element, "UN_LIST_TYPE"), text(element, "REFERENCE_NUMBER")) if p]
    entry.remarks = text(element, "COMMENTS1")
    return entry.tidy()


def read_un_sc(path: Path) -> ParsedList:
    parsed = ParsedList(format="un-sc")
    stream = XmlStream(path, path.name, {"INDIVIDUAL", "ENTITY"})
    for item in stream:
        if isinstance(item, Rejection):
            parsed.problems.append(EntryProblem(item.location, item.reason))
            continue
        result = _entry(item.element)
        if isinstance(result, str):
            parsed.problems.append(EntryProblem(item.path, result))
        else:
            parsed.entries.append(result)
    if stream.root_name not in (None, "CONSOLIDATED_LIST") and not parsed.entries:
        parsed.problems.append(
            EntryProblem("file", f"root element is {stream.root_name}, not the UN CONSOLIDATED_LIST")
        )
    return parsed
