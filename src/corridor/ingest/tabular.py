"""The default column layout shared by CSV and Excel, and the row-to-consignment mapping.

One row is one goods item. Consecutive rows with the same document number form one consignment:
the header columns are read from its first row, the goods columns from every row. A user-supplied
mapping renames the user's columns to these names (``{"B/L No": "document_number"}``).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from corridor.domain.consignment import (
    Consignment,
    DocumentType,
    PartyRole,
    Provenance,
    StopRole,
    TransportMode,
)
from corridor.ingest.base import Parsed, ReadItem, Rejection

# (column, meaning) in the documented order; docs/formats/csv.md is generated from this table.
COLUMNS: list[tuple[str, str]] = [
    ("document_number", "transport document number (B/L, AWB, CMR, rail waybill); required"),
    ("document_type", "BL, SWB, HBL, AWB, HAWB, CMR, CIM, DEC, MAN; default from mode"),
    ("master_document_number", "master B/L or AWB of a house document"),
    ("function", "original, amendment or cancellation"),
    ("mode", "sea, air, road, rail, inland_water, post, multimodal"),
    ("carrier_name", "carrier"),
    ("carrier_code", "SCAC, IATA or other carrier code"),
    ("conveyance_name", "vessel name, truck description, train or flight"),
    ("imo", "vessel IMO number (7 digits)"),
    ("mmsi", "vessel MMSI (9 digits)"),
    ("flag", "flag / nationality of the means of transport (ISO alpha-2)"),
    ("registration", "truck plate, wagon or aircraft registration"),
    ("trailer_registration", "trailer plate"),
    ("journey_number", "voyage, flight or train number"),
    ("office", "customs office / PCU of entry"),
    ("filed_at", "when the report was filed (ISO 8601)"),
    ("departure_at", "departure from the place of loading (ISO 8601)"),
    ("eta", "estimated arrival (ISO 8601)"),
    ("arrival_at", "actual arrival (ISO 8601)"),
    ("loading_locode", "UN/LOCODE of the place of loading"),
    ("discharge_locode", "UN/LOCODE of the place of discharge / entry"),
    ("delivery_locode", "UN/LOCODE of the place of delivery"),
    ("transit_locodes", "UN/LOCODEs of transit or transhipment places, separated by ';'"),
    ("transit_countries", "ISO alpha-2 transit countries, separated by ';'"),
    ("origin_country", "country of origin of the consignment"),
    ("departure_country", "country of departure / dispatch"),
    ("destination_country", "country of destination"),
    ("consignor_name", "consignor / shipper name"),
    ("consignor_address", "consignor address"),
    ("consignor_country", "consignor country"),
    ("consignor_id", "consignor identifier as SCHEME:VALUE (e.g. TIN:123) or a bare value"),
    ("consignee_name", "consignee name"),
    ("consignee_address", "consignee address"),
    ("consignee_country", "consignee country"),
    ("consignee_id", "consignee identifier"),
    ("notify_name", "notify party name"),
    ("notify_country", "notify party country"),
    ("declarant_name", "declarant / broker name"),
    ("declarant_id", "declarant identifier"),
    ("freight_payment", "prepaid, collect or third_party"),
    ("total_packages", "total packages of the consignment"),
    ("total_gross_kg", "total gross weight of the consignment, kg"),
    ("equipment", "containers as NUMBER[:SIZETYPE[:SEAL+SEAL]] separated by ';'"),
    ("item_sequence", "goods item number; default: row order within the document"),
    ("hs_code", "HS code, national extension digits kept"),
    ("description", "goods description"),
    ("packages", "number of packages of the item"),
    ("package_type", "package type code (e.g. CT, PK, BX)"),
    ("gross_kg", "gross weight of the item, kg"),
    ("net_kg", "net weight of the item, kg"),
    ("value", "value of the item"),
    ("currency", "ISO 4217 currency of the value; required when value is given"),
    ("goods_origin_country", "country of origin of the item"),
    ("marks", "marks and numbers"),
    ("item_containers", "containers holding this item, separated by ';'"),
    ("un_number", "UN dangerous goods number"),
]
COLUMN_NAMES = [name for name, _ in COLUMNS]
HEADER_ONLY = set(COLUMN_NAMES[: COLUMN_NAMES.index("item_sequence")])

_MODE_DOC = {
    TransportMode.SEA: DocumentType.BILL_OF_LADING,
    TransportMode.AIR: DocumentType.AIR_WAYBILL,
    TransportMode.ROAD: DocumentType.CMR,
    TransportMode.RAIL: DocumentType.RAIL_WAYBILL,
}


class RowError(ValueError):
    def __init__(self, field: str, reason: str) -> None:
        super().__init__(reason)
        self.field = field
        self.reason = reason


@dataclass(slots=True)
class Row:
    number: int
    values: dict[str, str]


def resolve_header(header: list[str], mapping: dict[str, str]) -> tuple[list[str | None], list[str]]:
    """Map the file's header to layout names. Returns the per-column names and the problems found."""
    problems: list[str] = []
    lowered = {k.strip().lower(): v for k, v in mapping.items()}
    for target in mapping.values():
        if target not in COLUMN_NAMES:
            close = difflib.get_close_matches(target, COLUMN_NAMES, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            problems.append(f"column mapping targets unknown column {target!r}{hint}")
    names: list[str | None] = []
    for raw in header:
        key = raw.strip().lstrip("\ufeff")
        mapped: str | None = lowered.get(key.lower())
        if mapped is None:
            norm = key.lower().replace(" ", "_").replace("-", "_")
            mapped = norm if norm in COLUMN_NAMES else None
        names.append(mapped)
    if "document_number" not in names:
        unknown = [h for h, n in zip(header, names, strict=False) if n is None]
        hint = ""
        if unknown:
            close = difflib.get_close_matches(unknown[0].lower(), COLUMN_NAMES, n=1)
            hint = f" (unrecognised columns: {', '.join(unknown[:8])}"
            hint += f"; closest known to {unknown[0]!r}: {close[0]!r})" if close else ")"
        problems.append("no document_number column: give a column mapping for your layout" + hint)
    return names, problems


def group_rows(rows: Iterable[Row]) -> Iterator[list[Row]]:
    """Consecutive rows with the same document number belong to one consignment."""
    current: list[Row] = []
    current_doc: str | None = None
    for row in rows:
        doc = " ".join(row.values.get("document_number", "").split()).upper()
        if current and doc != current_doc:
            yield current
            current = []
        current_doc = doc
        current.append(row)
    if current:
        yield current


def _text(values: dict[str, str], name: str) -> str | None:
    value = values.get(name)
    if value is None:
        return None
    value = value.strip()
    return value or None


def _number(values: dict[str, str], name: str) -> float | None:
    raw = _text(values, name)
    if raw is None:
        return None
    cleaned = raw.replace(" ", "").replace("\u00a0", "")
    cleaned = cleaned.replace(",", ".") if "," in cleaned and "." not in cleaned else cleaned.replace(",", "")
    try:
        return float(cleaned)
    except ValueError:
        raise RowError(name, f"not a number: {raw!r}") from None


def _integer(values: dict[str, str], name: str) -> int | None:
    number = _number(values, name)
    if number is None:
        return None
    if number != int(number):
        raise RowError(name, f"not a whole number: {values[name]!r}")
    return int(number)


def _when(values: dict[str, str], name: str) -> datetime | None:
    raw = _text(values, name)
    if raw is None:
        return None
    try:
        return datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise RowError(name, f"not an ISO 8601 date or date-time: {raw!r}") from None


def _identifier(raw: str | None) -> list[dict[str, str]]:
    if not raw:
        return []
    scheme, sep, value = raw.partition(":")
    if sep and scheme.isalpha() and value:
        return [{"scheme": scheme.upper(), "value": value.strip()}]
    return [{"scheme": "ID", "value": raw.strip()}]


def _party(values: dict[str, str], prefix: str, role: PartyRole) -> dict[str, Any] | None:
    name = _text(values, f"{prefix}_name")
    ident = _identifier(_text(values, f"{prefix}_id"))
    if not name and not ident:
        return None
    return {
        "role": role,
        "name": name,
        "address": _text(values, f"{prefix}_address"),
        "country": _text(values, f"{prefix}_country"),
        "identifiers": ident,
    }


def _split(raw: str | None) -> list[str]:
    return [p.strip() for p in (raw or "").split(";") if p.strip()]


def _equipment(raw: str | None) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for entry in _split(raw):
        parts = entry.split(":")
        seals = [s.strip() for s in parts[2].split("+") if s.strip()] if len(parts) > 2 else []
        size_type = (parts[1].strip() or None) if len(parts) > 1 else None
        out.append({"number": parts[0], "size_type": size_type, "seals": seals})
    return out


def build_document(rows: list[Row]) -> tuple[dict[str, Any], list[int]]:
    """The consignment as a plain document, and the row number of each goods item.

    Validation happens once, on the whole document, in pydantic's core: building each nested
    model separately costs several times more per record at ingest rates.
    """
    head = rows[0].values
    mode_raw = (_text(head, "mode") or "unknown").lower()
    try:
        mode = TransportMode(mode_raw)
    except ValueError:
        raise RowError(
            "mode", f"unknown mode {mode_raw!r}; use one of {[m.value for m in TransportMode]}"
        ) from None
    doc_type_raw = _text(head, "document_type")
    if doc_type_raw:
        try:
            doc_type = DocumentType(doc_type_raw.upper())
        except ValueError:
            raise RowError(
                "document_type",
                f"unknown document type {doc_type_raw!r}; use one of {[d.value for d in DocumentType]}",
            ) from None
    else:
        doc_type = _MODE_DOC.get(mode, DocumentType.OTHER)
    parties = [
        p
        for p in (
            _party(head, "consignor", PartyRole.CONSIGNOR),
            _party(head, "consignee", PartyRole.CONSIGNEE),
            _party(head, "notify", PartyRole.NOTIFY),
            _party(head, "declarant", PartyRole.DECLARANT),
        )
        if p is not None
    ]
    carrier_name = _text(head, "carrier_name")
    carrier_code = _text(head, "carrier_code")
    carrier = None
    if carrier_name or carrier_code:
        carrier = {
            "role": PartyRole.CARRIER,
            "name": carrier_name,
            "identifiers": [{"scheme": "CARRIER", "value": carrier_code}] if carrier_code else [],
        }
    conveyance: dict[str, Any] = {
        "name": _text(head, "conveyance_name"),
        "imo": _text(head, "imo"),
        "mmsi": _text(head, "mmsi"),
        "flag": _text(head, "flag"),
        "registration": _text(head, "registration"),
        "trailer_registration": _text(head, "trailer_registration"),
        "journey_number": _text(head, "journey_number"),
    }
    has_conveyance = any(conveyance.values())
    conveyance["mode"] = mode
    loading = _text(head, "loading_locode")
    discharge = _text(head, "discharge_locode")
    delivery = _text(head, "delivery_locode")
    stops: list[tuple[StopRole, str]] = []
    if loading:
        stops.append((StopRole.LOADING, loading))
    stops += [(StopRole.TRANSIT, code) for code in _split(_text(head, "transit_locodes"))]
    if discharge:
        stops.append((StopRole.DISCHARGE, discharge))
    if delivery:
        stops.append((StopRole.DELIVERY, delivery))
    itinerary = [
        {"sequence": seq, "role": role, "place": {"locode": code}} for seq, (role, code) in enumerate(stops)
    ]
    goods: list[dict[str, Any]] = []
    item_rows: list[int] = []
    for index, row in enumerate(rows, start=1):
        values = row.values
        try:
            amount = _number(values, "value")
            currency = _text(values, "currency")
            if amount is not None and not currency:
                raise RowError("currency", "a value needs its currency (ISO 4217)")
            if not any(_text(values, c) for c in ("hs_code", "description", "packages", "gross_kg", "value")):
                continue
            goods.append(
                {
                    "sequence": _integer(values, "item_sequence") or index,
                    "hs_code": _text(values, "hs_code"),
                    "description": _text(values, "description"),
                    "packages": _integer(values, "packages"),
                    "package_type": _text(values, "package_type"),
                    "gross_kg": _number(values, "gross_kg"),
                    "net_kg": _number(values, "net_kg"),
                    "value": {"amount": amount, "currency": currency} if amount is not None else None,
                    "origin_country": _text(values, "goods_origin_country"),
                    "marks": _text(values, "marks"),
                    "containers": [
                        c.upper().replace(" ", "") for c in _split(_text(values, "item_containers"))
                    ],
                    "dangerous_goods_un": _text(values, "un_number"),
                }
            )
            item_rows.append(row.number)
        except RowError as err:
            raise RowError(f"row {row.number}: {err.field}", err.reason) from None
    document = {
        "document_type": doc_type,
        "document_number": _text(head, "document_number") or "",
        "master_document_number": _text(head, "master_document_number"),
        "function": (_text(head, "function") or "original").lower(),
        "mode": mode,
        "carrier": carrier,
        "conveyance": conveyance if has_conveyance else None,
        "office": _text(head, "office"),
        "filed_at": _when(head, "filed_at"),
        "departure_at": _when(head, "departure_at"),
        "eta": _when(head, "eta"),
        "arrival_at": _when(head, "arrival_at"),
        "place_of_loading": {"locode": loading} if loading else None,
        "place_of_discharge": {"locode": discharge} if discharge else None,
        "place_of_delivery": {"locode": delivery} if delivery else None,
        "itinerary": itinerary,
        "origin_country": _text(head, "origin_country"),
        "departure_country": _text(head, "departure_country"),
        "destination_country": _text(head, "destination_country"),
        "transit_countries": _split(_text(head, "transit_countries")),
        "parties": parties,
        "goods": goods,
        "equipment": _equipment(_text(head, "equipment")),
        "freight_payment": (_text(head, "freight_payment") or "unknown").lower(),
        "total_packages": _integer(head, "total_packages"),
        "total_gross_kg": _number(head, "total_gross_kg"),
    }
    return document, item_rows


def build_consignment(rows: list[Row], fmt: str, file: str) -> Consignment:
    document, _item_rows = build_document(rows)
    document["provenance"] = Provenance(format=fmt, file=file, location=_rows_location(rows))
    return Consignment.model_validate(document)


def _row_fields(error: ValidationError, item_rows: list[int]) -> list[tuple[str, str]]:
    """Pydantic error locations rewritten to the user's rows: goods[1].gross_kg -> row 7: gross_kg."""
    out: list[tuple[str, str]] = []
    for err in error.errors():
        loc = list(err["loc"])
        if len(loc) >= 2 and loc[0] == "goods" and isinstance(loc[1], int) and loc[1] < len(item_rows):
            field = f"row {item_rows[loc[1]]}: " + ".".join(str(p) for p in loc[2:])
        else:
            field = ".".join(str(p) for p in loc)
        value = err.get("input")
        shown = f" (got {value!r})" if isinstance(value, str | int | float) and len(repr(value)) < 80 else ""
        out.append((field, f"{err['msg']}{shown}"))
    return out


def _rows_location(rows: list[Row]) -> str:
    if len(rows) == 1:
        return f"row {rows[0].number}"
    return f"rows {rows[0].number}-{rows[-1].number}"


def consignments_from_rows(rows: Iterable[Row], fmt: str, file: str) -> Iterator[ReadItem]:
    for group in group_rows(rows):
        location = _rows_location(group)
        if not _text(group[0].values, "document_number"):
            yield Rejection(
                file, location, "document_number", "missing transport document number", "missing_field"
            )
            continue
        item_rows: list[int] = []
        try:
            document, item_rows = build_document(group)
            document["provenance"] = Provenance(format=fmt, file=file, location=location)
            consignment = Consignment.model_validate(document)
        except RowError as err:
            yield Rejection(file, location, err.field, err.reason, "invalid_field", _excerpt(group[0].values))
            continue
        except ValidationError as err:
            problems = _row_fields(err, item_rows)
            yield Rejection(
                file,
                location,
                ", ".join(f for f, _ in problems[:10]),
                "; ".join(f"{f}: {r}" if len(problems) > 1 else r for f, r in problems[:10]),
                "invalid_field",
                _excerpt(group[0].values),
            )
            continue
        yield Parsed(consignment, location)


def _excerpt(values: dict[str, Any]) -> str:
    shown = [f"{k}={v}" for k, v in values.items() if v not in (None, "")][:8]
    return ", ".join(shown)[:200]
