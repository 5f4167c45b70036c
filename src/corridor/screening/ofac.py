"""The OFAC SDN list in its legacy CSV form (sdn.csv).

The file is Latin-1, has no header and twelve columns: ent_num, SDN name, SDN type, program,
title, call sign, vessel type, tonnage, GRT, vessel flag, vessel owner, remarks. "-0-" means empty.
Everything else (aliases, dates of birth, nationalities, IMO and tax numbers) is only written
in the free-text remarks, as "; "-separated clauses such as "a.k.a. 'BNC'", "DOB 08 Nov 1957",
"nationality Iran", "Vessel Registration Identification IMO 7406784", "Tax ID No. 123 (Russia)".
"""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Any

from corridor.ingest.limits import csv_error_line, csv_field_error, csv_lines
from corridor.screening.entries import EntryProblem, ListEntry, ParsedList, country_code
from corridor.screening.identifiers import identifier

COLUMNS = 12
_TYPES = {"individual": "person", "vessel": "vessel", "aircraft": "aircraft", "": "organization"}
_ALIAS = re.compile(r"\b([afn])\.k\.a\.,?\s*'([^']+)'")
_DOB = re.compile(r"\bDOB (?:circa )?(?:(\d{1,2}) )?(?:([A-Z][a-z]{2}) )?(\d{4})")
_MONTHS = {
    m: i
    for i, m in enumerate(
        ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"], start=1
    )
}
_COUNTRY_CLAUSE = re.compile(r"^(?:nationality|citizen|Nationality of Registration)\s+(.+?)\.?$")
_IDENTIFIERS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), scheme)
    for pattern, scheme in (
        (r"\bIMO (\d{7})\b", "imo"),
        (r"\bMMSI (\d{9})\b", "mmsi"),
        (r"^Tax ID No\. (\S+)", "tax"),
        (r"^(?:Business |Commercial )?Registration (?:Number|ID) (\S+)", "registration"),
        (r"^Company Number (\S+)", "registration"),
        (r"^Legal Entity Number (\S+)", "lei"),
        (r"^SWIFT/BIC (\S+)", "swift"),
        (r"^(?:Passport|Diplomatic Passport) (\S+)", "passport"),
        (r"^(?:National ID No\.|Cedula No\.|Identification Number|Personal ID Card) (\S+)", "national_id"),
    )
)


def _value(raw: str) -> str:
    raw = raw.strip()
    return "" if raw == "-0-" else raw


def person_order(name: str) -> str:
    """OFAC writes people as "LAST, First Middle"; show them as "First Middle LAST"."""
    if "," in name:
        last, _, first = name.partition(",")
        if first.strip():
            return f"{first.strip()} {last.strip()}"
        return last.strip()  # "DERWISH," : a surname alone
    return name.strip()


def _birth_date(match: re.Match[str]) -> str:
    day, month, year = match.groups()
    if day and month in _MONTHS:
        return f"{year}-{_MONTHS[month]:02d}-{int(day):02d}"
    if month in _MONTHS:
        return f"{year}-{_MONTHS[month]:02d}"
    return year


def parse_remarks(entry: ListEntry, remarks: str) -> None:
    """Fill aliases, birth dates, countries and identifiers from the remarks column."""
    # a.k.a., f.k.a. (formerly) and n.k.a. (now known as) are all names the entry used: screen them all.
    for _kind, alias in _ALIAS.findall(remarks):
        entry.names.append(person_order(alias) if entry.schema == "person" else alias)
    entry.birth_dates.extend(_birth_date(m) for m in _DOB.finditer(remarks))
    for clause in (c.strip() for c in remarks.split(";")):
        found = _COUNTRY_CLAUSE.match(clause)
        if found:
            code = country_code(found.group(1))
            if code:
                entry.countries.append(code)
        for pattern, scheme in _IDENTIFIERS:
            hit = pattern.search(clause)
            if hit:
                pair = identifier(scheme, hit.group(1).rstrip(".;,"))
                if pair:
                    entry.identifiers.append(pair)


def read_ofac_sdn(path: Path) -> ParsedList:
    parsed = ParsedList(format="ofac-sdn")
    with path.open(encoding="latin-1", newline="") as fh:
        reader = csv.reader(csv_lines(fh))
        try:
            _read_rows(reader, parsed)
        except csv.Error as error:
            parsed.problems.append(
                EntryProblem(f"line {csv_error_line(error, reader.line_num)}", f"{csv_field_error(error)}; the rest was not read")
            )
    return parsed


def _read_rows(reader: Any, parsed: ParsedList) -> None:
    """Rows into entries or problems; csv.Error (an overlong field) ends the file in the caller."""
    line = 1
    for row in reader:
        start, line = line, reader.line_num + 1
        # Blank lines and the DOS end-of-file mark (Ctrl-Z) that ends the published file.
        if not row or (len(row) == 1 and not row[0].strip(" \x1a\r\n")):
            continue
        where = f"line {start}"
        excerpt = ",".join(row)[:200]
        if len(row) != COLUMNS:
            parsed.problems.append(
                EntryProblem(where, f"expected {COLUMNS} columns, found {len(row)}", excerpt)
            )
            continue
        ent_num, name, sdn_type = _value(row[0]), _value(row[1]), _value(row[2]).lower()
        if not ent_num.isdigit():
            parsed.problems.append(EntryProblem(where, f"ent_num {ent_num!r} is not a number", excerpt))
            continue
        if not name:
            parsed.problems.append(EntryProblem(where, "the SDN name is empty", excerpt))
            continue
        schema = _TYPES.get(sdn_type)
        if schema is None:
            parsed.problems.append(EntryProblem(where, f"unknown SDN type {sdn_type!r}", excerpt))
            continue
        entry = ListEntry(
            key=ent_num,
            schema=schema,
            names=[person_order(name) if schema == "person" else name],
            programs=[p.strip(" []") for p in re.split(r"\]\s*\[", _value(row[3])) if p.strip(" []")],
        )
        call_sign = identifier("call_sign", _value(row[5]))
        if call_sign:
            entry.identifiers.append(call_sign)
        flag = country_code(_value(row[9]))
        if flag:
            entry.countries.append(flag)
        remarks = _value(row[11])
        if remarks:
            entry.remarks = remarks
            parse_remarks(entry, remarks)
        parsed.entries.append(entry.tidy())
