"""Reading watch lists: format detection, FollowTheMoney JSON lines, national CSV lists.

OFAC SDN CSV and the UN consolidated XML have their own modules (ofac.py, un.py). Every reader
returns a ParsedList: the entries it could read and, for each record it could not, its position
(line, row or XML path) and the reason; one bad record never stops the rest of the list.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from corridor.domain.errors import InvalidInput, UnsupportedFormat
from corridor.ingest.limits import TooDeep, csv_field_error, loads
from corridor.screening.entries import EntryProblem, ListEntry, ParsedList, country_code
from corridor.screening.identifiers import identifier
from corridor.screening.ofac import read_ofac_sdn
from corridor.screening.un import read_un_sc

FORMATS = ("ofac-sdn", "un-sc", "ftm", "csv")

# FollowTheMoney schemata that are list targets; the others (Address, Sanction, Ownership ...)
# describe them and are counted as skipped.
FTM_SCHEMAS = {
    "Person": "person", "Organization": "organization", "Company": "organization",
    "LegalEntity": "organization", "PublicBody": "organization", "Vessel": "vessel",
    "Airplane": "aircraft",
}  # fmt: skip
_FTM_NAMES = ("name", "alias", "previousName")
_FTM_COUNTRIES = ("country", "nationality", "citizenship", "jurisdiction", "flag", "mainCountry")
_FTM_IDS = {
    "imoNumber": "imo", "mmsi": "mmsi", "callSign": "call_sign", "registrationNumber": "registration",
    "taxNumber": "tax", "innCode": "tax", "ogrnCode": "registration", "idNumber": "national_id",
    "passportNumber": "passport", "leiCode": "lei", "swiftBic": "swift", "vatCode": "tax",
    "okpoCode": "registration",
}  # fmt: skip

CSV_COLUMNS = (
    "id", "name", "type", "aliases", "country", "birth_date", "imo", "mmsi", "call_sign", "tax_id",
    "registration", "program", "remarks",
)  # fmt: skip
_CSV_TYPES = {"person": "person", "individual": "person", "organization": "organization",
              "organisation": "organization", "company": "organization", "entity": "organization",
              "vessel": "vessel", "ship": "vessel", "aircraft": "aircraft", "": "unknown"}  # fmt: skip
_DATE = re.compile(r"^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$")  # \d would also match "³" or "٣"


def detect_format(path: Path) -> str:
    """ofac-sdn, un-sc, ftm or csv, from the first bytes of the file."""
    try:
        with path.open("rb") as fh:
            head = fh.read(4096)
    except OSError as err:
        raise InvalidInput(f"cannot read {path}: {err.strerror or err}", where=str(path)) from None
    text = head.decode("latin-1").lstrip("\ufeff\xef\xbb\xbf \r\n\t")
    if text.startswith("<"):
        if "CONSOLIDATED_LIST" in text:
            return "un-sc"
        raise UnsupportedFormat(f"{path.name}: XML but not the UN consolidated list", where=str(path))
    if text.startswith("{"):
        return "ftm"
    first = text.splitlines()[0] if text else ""
    if re.match(r'^\d+,"', first):
        return "ofac-sdn"
    if "name" in first.lower() and "id" in first.lower():
        return "csv"
    raise UnsupportedFormat(
        f"{path.name}: not an OFAC SDN CSV, UN consolidated XML, FtM JSON lines or a national CSV "
        f"with a header ({', '.join(CSV_COLUMNS)})",
        where=str(path),
    )


def _ftm_entry(data: dict[str, Any]) -> ListEntry | str | None:
    """An entry, why the record is bad, or None when it is not a list target."""
    schema = FTM_SCHEMAS.get(str(data.get("schema", "")))
    if schema is None:
        return None if data.get("schema") else "no schema"
    key = data.get("id")
    props = data.get("properties")
    if not isinstance(key, str) or not key:
        return "no id"
    if not isinstance(props, dict):
        return f"entity {key}: properties is not an object"

    def values(name: str) -> list[str]:
        raw = props.get(name, [])
        return [v for v in raw if isinstance(v, str)] if isinstance(raw, list) else []

    names = [n for p in _FTM_NAMES for n in values(p)]
    caption = data.get("caption")
    if isinstance(caption, str) and caption:
        names = [caption] + [n for n in names if n != caption]  # the caption names the entry
    if not names:
        parts = [values(p)[:1] for p in ("firstName", "fatherName", "middleName", "lastName")]
        composed = " ".join(v[0] for v in parts if v)
        if composed:
            names = [composed]
    if not names:
        return f"entity {key}: no name"
    entry = ListEntry(key=key, schema=schema, names=names, weak_names=values("weakAlias"))
    for prop in _FTM_COUNTRIES:
        entry.countries.extend(c for c in (country_code(v) for v in values(prop)) if c)
    entry.birth_dates = [v[:10] for v in values("birthDate")]
    for prop, scheme in _FTM_IDS.items():
        entry.identifiers.extend(p for p in (identifier(scheme, v) for v in values(prop)) if p)
    entry.programs = values("programId") or values("topics")
    notes = values("notes")
    entry.remarks = "; ".join(notes) if notes else None
    return entry.tidy()


def read_ftm(path: Path) -> ParsedList:
    parsed = ParsedList(format="ftm")
    with path.open(encoding="utf-8", errors="replace") as fh:
        for number, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            where = f"line {number}"
            try:
                data = loads(line)
            except json.JSONDecodeError as err:
                parsed.problems.append(
                    EntryProblem(where, f"not JSON: {err.msg} at column {err.colno}", line[:200])
                )
                continue
            except TooDeep as err:
                parsed.problems.append(EntryProblem(where, f"not accepted: {err}", line[:200]))
                continue
            if not isinstance(data, dict):
                parsed.problems.append(EntryProblem(where, "not a JSON object", line[:200]))
                continue
            result = _ftm_entry(data)
            if result is None:
                parsed.skipped += 1
            elif isinstance(result, str):
                parsed.problems.append(EntryProblem(where, result, line[:200]))
            else:
                parsed.entries.append(result)
    return parsed


def _csv_entry(row: dict[str, str]) -> ListEntry | str:
    key, name = row.get("id", "").strip(), row.get("name", "").strip()
    if not key:
        return "id is empty"
    if not name:
        return "name is empty"
    kind = row.get("type", "").strip().lower()
    if kind not in _CSV_TYPES:
        return f"type {kind!r} is not one of person, organization, vessel, aircraft"
    entry = ListEntry(key=key, schema=_CSV_TYPES[kind], names=[name])
    entry.names += [a for a in row.get("aliases", "").split(";") if a.strip()]
    for raw in row.get("country", "").split(";"):
        if raw.strip():
            code = country_code(raw)
            if code is None:
                return f"country {raw.strip()!r} is not an ISO 3166 code or a known country name"
            entry.countries.append(code)
    for raw in row.get("birth_date", "").split(";"):
        if raw.strip():
            if not _DATE.match(raw.strip()):
                return f"birth_date {raw.strip()!r} is not YYYY, YYYY-MM or YYYY-MM-DD"
            entry.birth_dates.append(raw.strip())
    imo = row.get("imo", "").strip().upper().removeprefix("IMO").strip()
    if imo and not re.fullmatch(r"\d{7}", imo):
        return f"imo {imo!r} is not 7 digits"
    mmsi = row.get("mmsi", "").strip()
    if mmsi and not re.fullmatch(r"\d{9}", mmsi):
        return f"mmsi {mmsi!r} is not 9 digits"
    for scheme, column in (("imo", "imo"), ("mmsi", "mmsi"), ("call_sign", "call_sign"),
                           ("tax", "tax_id"), ("registration", "registration")):  # fmt: skip
        for raw in row.get(column, "").split(";"):
            pair = identifier(scheme, raw) if raw.strip() else None
            if pair:
                entry.identifiers.append(pair)
    entry.programs = [p for p in row.get("program", "").split(";") if p.strip()]
    entry.remarks = row.get("remarks", "").strip() or None
    return entry.tidy()


def read_national_csv(path: Path) -> ParsedList:
    """A national list as UTF-8 CSV with a header; columns are CSV_COLUMNS (id and name required)."""
    parsed = ParsedList(format="csv")
    raw = path.read_bytes().decode("utf-8-sig", errors="replace")
    reader = csv.DictReader(io.StringIO(raw, newline=""))
    try:
        header = [h.strip().lower() for h in reader.fieldnames or []]
    except csv.Error as error:
        raise InvalidInput(f"{path.name}: {csv_field_error(error)}", where=f"{path.name}: line 1") from None
    missing = [c for c in ("id", "name") if c not in header]
    if missing:
        raise InvalidInput(
            f"{path.name}: the header lacks {', '.join(missing)} (columns: {', '.join(CSV_COLUMNS)})",
            where=f"{path.name}: line 1",
        )
    reader.fieldnames = header
    try:
        for row in reader:
            where = f"row {reader.line_num}"
            cleaned = {k: (v or "") for k, v in row.items() if isinstance(k, str)}
            result = _csv_entry(cleaned)
            if isinstance(result, str):
                parsed.problems.append(EntryProblem(where, result, ",".join(cleaned.values())[:200]))
            else:
                parsed.entries.append(result)
    except csv.Error as error:
        parsed.problems.append(
            # DictReader's own line_num lags behind when the row fails; its csv.reader's does not.
            EntryProblem(f"row {reader.reader.line_num}", f"{csv_field_error(error)}; the rest was not read")
        )
    return parsed


READERS: dict[str, Callable[[Path], ParsedList]] = {
    "ofac-sdn": read_ofac_sdn,
    "un-sc": read_un_sc,
    "ftm": read_ftm,
    "csv": read_national_csv,
}


def read_list(path: Path, fmt: str | None = None) -> ParsedList:
    if not path.is_file():
        raise InvalidInput(f"no such file: {path}", where=str(path))
    fmt = fmt or detect_format(path)
    reader = READERS.get(fmt)
    if reader is None:
        raise UnsupportedFormat(
            f"unknown list format {fmt!r}; use one of {', '.join(FORMATS)}", where="format"
        )
    parsed = reader(path)
    seen: set[str] = set()
    unique: list[ListEntry] = []
    for entry in parsed.entries:
        if entry.key in seen:
            parsed.problems.append(
                EntryProblem(f"entry {entry.key}", "the same id appears again; kept the first")
            )
            continue
        seen.add(entry.key)
        unique.append(entry)
    parsed.entries = unique
    return parsed
