"""The CEN-like seizure template: CSV and Excel rows, GeoJSON features and Parquet rows, both ways.

The flat template (CSV, Excel) has one seizure per row, list fields separated by ';' and the parties
in numbered column groups (party1_name, party1_role ...); as many groups as the widest record needs
are written, and any number is read. GeoJSON and Parquet keep the lists and parties nested.

Reading never stops at a bad row: each bad row comes back as a rejection naming the row (the
spreadsheet's own row number, header = row 1; for GeoJSON the feature number) and the column.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import polars as pl
from pydantic import ValidationError

from corridor.domain.errors import InvalidInput, UnsupportedFormat
from corridor.ingest.limits import TooDeep, csv_field_error, loads, xlsx_problem
from corridor.seizures.schemas import SeizureIn, SeizureRejection

FORMATS = ("csv", "xlsx", "geojson", "parquet")

# (column, field of SeizureIn); the order is the template's.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("ref", "ref"),
    ("date", "seized_at"),
    ("office", "office"),
    ("locode", "locode"),
    ("place", "place"),
    ("latitude", "lat"),
    ("longitude", "lon"),
    ("category", "category"),
    ("commodity_type", "commodity_type"),
    ("description", "description"),
    ("quantity", "quantity"),
    ("unit", "unit"),
    ("value_usd", "value_usd"),
    ("concealment", "concealment"),
    ("detection", "detection"),
    ("transport_mode", "transport_mode"),
    ("conveyance", "conveyance"),
    ("departure_country", "departure_country"),
    ("transit_countries", "transit_countries"),
    ("destination_country", "destination_country"),
    ("consignment", "consignment"),
    ("profile_hits", "profile_hits"),
    ("notes", "notes"),
)
COLUMN_OF = {f: c for c, f in COLUMNS}
FIELD_OF = dict(COLUMNS)
PARTY_FIELDS = ("name", "role", "kind", "nationality", "identifier")
_PARTY_COLUMN = re.compile(r"^party(\d+)_(name|role|kind|nationality|identifier)$")
_EXTRA = "\x00extra"
_NOT_A_FEATURE = "\x00not-a-feature"
_DMY = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})(?:[ T](\d{1,2}):(\d{2}))?$")


def detect_format(name: str) -> str:
    suffix = Path(name).suffix.lower().lstrip(".")
    fmt = {
        "csv": "csv",
        "txt": "csv",
        "xlsx": "xlsx",
        "geojson": "geojson",
        "json": "geojson",
        "parquet": "parquet",
    }.get(suffix)
    if fmt is None:
        raise UnsupportedFormat(
            f"cannot tell the format of {name!r}: use .csv, .xlsx, .geojson or .parquet (or --format)",
            where="file",
        )
    return fmt


def header() -> list[str]:
    return [c for c, _ in COLUMNS]


# -- flat rows <-> documents ----------------------------------------------------------------------


def flatten(item: SeizureIn, party_groups: int) -> dict[str, Any]:
    data = item.model_dump(mode="json")
    row: dict[str, Any] = {}
    for column, field in COLUMNS:
        value = data.get(field)
        if field == "transit_countries":
            value = ";".join(value or [])
        elif field == "profile_hits":
            value = ";".join(h["rule_id"] for h in value or [])
        elif field == "seized_at":
            value = item.seized_at.strftime("%Y-%m-%d %H:%M")
        row[column] = value
    for i in range(party_groups):
        party = item.parties[i] if i < len(item.parties) else None
        for name in PARTY_FIELDS:
            row[f"party{i + 1}_{name}"] = getattr(party, name) if party is not None else None
    return row


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _number(value: Any) -> Any:
    if isinstance(value, str):
        text = value.strip().replace("\u00a0", "").replace(" ", "")
        if "," in text and "." not in text:
            text = text.replace(",", ".")  # decimal comma, as Russian and Azerbaijani sheets write it
        return text
    return value


def _when(value: Any) -> Any:
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    if isinstance(value, str):
        text = value.strip()
        m = _DMY.match(text)
        if m:
            d, mo, y, hh, mm = m.groups()
            return datetime(int(y), int(mo), int(d), int(hh or 0), int(mm or 0), tzinfo=UTC)
        if len(text) == 10:
            return text + "T00:00:00"
        return text.replace(" ", "T", 1)
    return value


def unflatten(row: dict[str, Any]) -> dict[str, Any]:
    """A template row (column -> cell) as the input document; unknown columns are an error."""
    doc: dict[str, Any] = {}
    parties: dict[int, dict[str, Any]] = {}
    for column, value in row.items():
        key = (column or "").strip().lower()
        if not key:
            continue
        if _blank(value):
            continue
        m = _PARTY_COLUMN.match(key)
        if m:
            parties.setdefault(int(m.group(1)), {})[m.group(2)] = (
                value.strip() if isinstance(value, str) else value
            )
            continue
        if column == _EXTRA:
            raise _ColumnError("", f"the row has more cells than the header has columns: {value}")
        field = FIELD_OF.get(key)
        if field is None:
            raise _ColumnError(
                column, f"unknown column {column!r}; the template's columns are {', '.join(header())}"
            )
        if field in ("lat", "lon", "quantity", "value_usd"):
            value = _number(value)
        elif field == "seized_at":
            value = _when(value)
        elif field == "profile_hits":
            value = [{"rule_id": v.strip()} for v in str(value).split(";") if v.strip()]
        elif isinstance(value, float) and value.is_integer():
            value = str(int(value))  # Excel turns a numeric-looking ref into a float
        doc[field] = value
    doc["parties"] = []
    for number in sorted(parties):
        party = parties[number]
        if "name" not in party:
            raise _ColumnError(f"party{number}_name", f"party {number} has details but no name")
        doc["parties"].append({"_group": number, **party})
    return doc


class _ColumnError(Exception):
    def __init__(self, column: str, reason: str) -> None:
        super().__init__(reason)
        self.column = column
        self.reason = reason


def _error_column(loc: Sequence[Any], message: str, groups: list[int]) -> str | None:
    if not loc:
        # Model-level checks: name the column the message is about.
        if "latitude" in message:
            return "latitude"
        if "category" in message:
            return "category"
        return None
    head = str(loc[0])
    if head == "parties" and len(loc) >= 2 and isinstance(loc[1], int):
        number = groups[loc[1]] if loc[1] < len(groups) else loc[1] + 1
        return f"party{number}_{loc[2]}" if len(loc) >= 3 else f"party{number}_name"
    return COLUMN_OF.get(head, head)


def _validate(doc: dict[str, Any], flat: bool) -> SeizureIn:
    parties = doc.get("parties")
    groups = [p.pop("_group") for p in parties if isinstance(p, dict) and "_group" in p] if isinstance(
        parties, list
    ) else []
    try:
        return SeizureIn.model_validate(doc)
    except ValidationError as error:
        first = error.errors()[0]
        message = str(first["msg"]).removeprefix("Value error, ")
        loc = tuple(first["loc"])
        column = _error_column(loc, message, groups) if flat else ".".join(str(p) for p in loc) or None
        raise _ColumnError(column or "", message) from None


# -- readers --------------------------------------------------------------------------------------


def read(
    data: bytes, name: str, fmt: str | None = None
) -> tuple[list[tuple[int, SeizureIn]], list[SeizureRejection]]:
    """Parse a file: the good records with their row numbers, and a rejection per bad row."""
    fmt = fmt or detect_format(name)
    if fmt not in FORMATS:
        raise InvalidInput(f"unknown format {fmt!r}; use {', '.join(FORMATS)}", where="format")
    rows: Iterable[tuple[int, dict[str, Any]]]
    flat = fmt in ("csv", "xlsx")
    if fmt == "csv":
        rows = _csv_rows(data, name)
    elif fmt == "xlsx":
        rows = _xlsx_rows(data, name)
    elif fmt == "geojson":
        rows = _geojson_rows(data, name)
    else:
        rows = _parquet_rows(data, name)
    good: list[tuple[int, SeizureIn]] = []
    bad: list[SeizureRejection] = []
    for number, row in rows:
        if _NOT_A_FEATURE in row:
            bad.append(SeizureRejection(file=name, row=number, column=None, reason=row[_NOT_A_FEATURE]))
            continue
        try:
            doc = unflatten(row) if flat else row
            good.append((number, _validate(doc, flat)))
        except _ColumnError as error:
            bad.append(
                SeizureRejection(file=name, row=number, column=error.column or None, reason=error.reason)
            )
    return good, bad


def _csv_rows(data: bytes, name: str) -> Iterable[tuple[int, dict[str, Any]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel's "CSV" on a Russian-language Windows; the five bytes cp1251 leaves undefined are replaced.
        text = data.decode("cp1251", errors="replace")
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        fieldnames = reader.fieldnames
    except csv.Error as error:
        raise InvalidInput(f"{name}: {csv_field_error(error)}", where="row 1") from None
    if not fieldnames or "date" not in [f.strip().lower() for f in fieldnames]:
        raise InvalidInput(
            f"{name}: the first row must be the template's header (with a 'date' column)", where="row 1"
        )
    index = 1
    try:
        for index, row in enumerate(reader, start=2):
            if any(not _blank(v) for k, v in row.items() if k is not None):
                extra = row.pop(None, None)
                if extra:
                    row[_EXTRA] = "; ".join(map(str, extra))
                yield index, row
    except csv.Error as error:
        raise InvalidInput(
            f"{name}: {csv_field_error(error)}; nothing was imported", where=f"row {index + 1}"
        ) from None


def _xlsx_rows(data: bytes, name: str) -> Iterable[tuple[int, dict[str, Any]]]:
    from openpyxl import load_workbook

    problem = xlsx_problem(io.BytesIO(data))
    if problem is not None:
        raise InvalidInput(f"{name}: {problem}", where="file")
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises several unrelated types for a damaged file
        raise InvalidInput(f"{name}: not a readable Excel workbook ({error})", where="file") from None
    if not book.worksheets:
        raise InvalidInput(f"{name}: the workbook has no worksheet", where="file")
    sheet = book["seizures"] if "seizures" in book.sheetnames else book.worksheets[0]
    yield from _sheet_rows(sheet, name)


def _sheet_rows(sheet: Any, name: str) -> Iterable[tuple[int, dict[str, Any]]]:
    last = 1
    try:
        for last, row in _sheet_records(sheet.iter_rows(values_only=True), name):
            yield last, row
    except InvalidInput:
        raise
    except Exception as error:  # openpyxl parses the sheet lazily: a damaged part fails mid-way
        raise InvalidInput(
            f"{name}: the worksheet is damaged after row {last} ({error}); nothing was imported",
            where=f"row {last + 1}",
        ) from None


def _sheet_records(rows: Any, name: str) -> Iterable[tuple[int, dict[str, Any]]]:
    try:
        names = [str(c).strip() if c is not None else "" for c in next(rows)]
    except StopIteration:
        raise InvalidInput(f"{name}: the workbook is empty", where="row 1") from None
    if "date" not in [n.lower() for n in names]:
        raise InvalidInput(
            f"{name}: the first row must be the template's header (with a 'date' column)", where="row 1"
        )
    for index, values in enumerate(rows, start=2):
        if values is None or all(_blank(v) for v in values):
            continue
        yield index, {names[i]: v for i, v in enumerate(values) if i < len(names) and names[i]}


def _geojson_rows(data: bytes, name: str) -> Iterable[tuple[int, dict[str, Any]]]:
    try:
        doc = loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError, TooDeep) as error:
        raise InvalidInput(f"{name}: not JSON ({error})", where="file") from None
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        raise InvalidInput(f"{name}: a GeoJSON FeatureCollection is expected", where="file")
    features = doc.get("features") or []
    if not isinstance(features, list):
        raise InvalidInput(f"{name}: 'features' must be a list of GeoJSON Features", where="features")
    for index, feature in enumerate(features, start=1):
        raw = feature.get("properties") if isinstance(feature, dict) else None
        if not isinstance(feature, dict) or not isinstance(raw, dict | None):
            yield index, {_NOT_A_FEATURE: "not a GeoJSON Feature with a properties object"}
            continue
        props = dict(raw or {})
        props.pop("id", None)
        props.pop("route", None)
        props.pop("quantity_kg", None)
        geometry = feature.get("geometry")
        if isinstance(geometry, dict) and geometry.get("type") == "Point":
            coords = geometry.get("coordinates")
            if isinstance(coords, list) and len(coords) >= 2:
                props["lon"], props["lat"] = coords[0], coords[1]
        yield index, props


def _parquet_rows(data: bytes, name: str) -> Iterable[tuple[int, dict[str, Any]]]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        # pyarrow on an in-memory buffer, single-threaded: on damaged files polars' own reader can abort
        # the whole process (a 2**61-byte allocation), and pyarrow reading through a Python file object
        # left a thread that aborted the interpreter at exit; this path raises. Found by fuzzing.
        frame = pl.from_arrow(pq.ParquetFile(pa.BufferReader(data)).read(use_threads=False))
    except (Exception, pl.exceptions.PanicException) as error:
        # PanicException (a BaseException) is polars' Rust code giving up on what it was handed.
        raise InvalidInput(f"{name}: not a readable Parquet file ({error})", where="file") from None
    if not isinstance(frame, pl.DataFrame):
        raise InvalidInput(f"{name}: not a table of seizures", where="file")
    try:
        # Converted up front: polars turns columns into Python values in batches, so a bad value
        # could not be pinned to its row anyway.
        rows = list(frame.iter_rows(named=True))
    except (OverflowError, ValueError, pl.exceptions.PanicException) as error:
        # e.g. a timestamp beyond Python's datetime range; a damaged nested value panics in polars
        raise InvalidInput(
            f"{name}: a value cannot be read ({error}); nothing was imported", where="file"
        ) from None
    for index, row in enumerate(rows, start=1):
        yield (
            index,
            {k: v for k, v in row.items() if v is not None and k not in ("id", "route", "quantity_kg")},
        )


# -- writers --------------------------------------------------------------------------------------

_PARTY_STRUCT = pl.Struct(dict.fromkeys(PARTY_FIELDS, pl.String))
_HIT_STRUCT = pl.Struct({"rule_id": pl.String, "source": pl.String, "title": pl.String})
PARQUET_SCHEMA: dict[str, Any] = {
    "ref": pl.String,
    "seized_at": pl.Datetime("us", "UTC"),
    "office": pl.String,
    "locode": pl.String,
    "place": pl.String,
    "lat": pl.Float64,
    "lon": pl.Float64,
    "category": pl.String,
    "commodity_type": pl.String,
    "description": pl.String,
    "quantity": pl.Float64,
    "unit": pl.String,
    "value_usd": pl.Float64,
    "concealment": pl.String,
    "detection": pl.String,
    "transport_mode": pl.String,
    "conveyance": pl.String,
    "departure_country": pl.String,
    "transit_countries": pl.List(pl.String),
    "destination_country": pl.String,
    "consignment": pl.String,
    "profile_hits": pl.List(_HIT_STRUCT),
    "parties": pl.List(_PARTY_STRUCT),
    "notes": pl.String,
}


def to_bytes(items: Sequence[SeizureIn], fmt: str) -> bytes:
    if fmt == "csv":
        groups = max((len(i.parties) for i in items), default=0)
        out = io.StringIO(newline="")
        columns = header() + [f"party{n}_{f}" for n in range(1, groups + 1) for f in PARTY_FIELDS]
        writer = csv.DictWriter(out, fieldnames=columns)
        writer.writeheader()
        for item in items:
            writer.writerow(flatten(item, groups))
        return out.getvalue().encode("utf-8")
    if fmt == "xlsx":
        return _xlsx(items)
    if fmt == "geojson":
        return json.dumps(geojson(items), ensure_ascii=False).encode("utf-8")
    if fmt == "parquet":
        rows = []
        for item in items:
            doc = item.model_dump(mode="python")
            doc["profile_hits"] = [
                {"rule_id": h.rule_id, "source": h.source, "title": h.title} for h in item.profile_hits
            ]
            rows.append(doc)
        buffer = io.BytesIO()
        pl.DataFrame(rows, schema=PARQUET_SCHEMA).write_parquet(buffer)
        return buffer.getvalue()
    raise InvalidInput(f"unknown format {fmt!r}; use {', '.join(FORMATS)}", where="format")


def _xlsx(items: Sequence[SeizureIn]) -> bytes:
    from openpyxl import Workbook

    groups = max((len(i.parties) for i in items), default=0)
    book = Workbook()
    sheet = book.active
    sheet.title = "seizures"
    columns = header() + [f"party{n}_{f}" for n in range(1, groups + 1) for f in PARTY_FIELDS]
    sheet.append(columns)
    for item in items:
        row = flatten(item, groups)
        sheet.append([row.get(c) for c in columns])
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def geojson(items: Sequence[SeizureIn]) -> dict[str, Any]:
    features = []
    for item in items:
        props = item.model_dump(mode="json", exclude={"lat", "lon"})
        props["route"] = item.route
        geometry = (
            {"type": "Point", "coordinates": [item.lon, item.lat]}
            if item.lat is not None and item.lon is not None
            else None
        )
        features.append({"type": "Feature", "geometry": geometry, "properties": props})
    return {"type": "FeatureCollection", "features": features}
