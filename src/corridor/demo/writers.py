"""Write consignments as CSV (default layout), JSON, JSON Lines or UN/EDIFACT CUSCAR, streaming.

The CSV layout is `corridor.ingest.tabular.COLUMNS`: one row per goods item, the header columns
repeated on every row of a document, so `CsvReader` reads back the same consignments for every field
the layout carries (outcomes, attributes, cities and times of intermediate stops are not in it).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from corridor.domain.consignment import Consignment, Party, PartyRole, StopRole
from corridor.ingest.tabular import COLUMN_NAMES

FORMATS = ("csv", "json", "jsonl", "cuscar")


def _number(value: float | int | None) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


def _when(value: datetime | None) -> str:
    return value.isoformat() if value is not None else ""


def _ident(party: Party | None) -> str:
    if party is None or not party.identifiers:
        return ""
    first = party.identifiers[0]
    return f"{first.scheme}:{first.value}"


def _header(c: Consignment) -> dict[str, str]:
    consignor = c.party(PartyRole.CONSIGNOR)
    consignee = c.party(PartyRole.CONSIGNEE)
    notify = c.party(PartyRole.NOTIFY)
    declarant = c.party(PartyRole.DECLARANT)
    conveyance = c.conveyance
    carrier = c.carrier
    transit = [s.place.locode for s in c.itinerary if s.role == StopRole.TRANSIT and s.place.locode]
    return {
        "document_number": c.document_number,
        "document_type": c.document_type.value,
        "master_document_number": c.master_document_number or "",
        "function": c.function.value,
        "mode": c.mode.value,
        "carrier_name": (carrier.name or "") if carrier else "",
        "carrier_code": carrier.identifiers[0].value if carrier and carrier.identifiers else "",
        "conveyance_name": (conveyance.name or "") if conveyance else "",
        "imo": (conveyance.imo or "") if conveyance else "",
        "mmsi": (conveyance.mmsi or "") if conveyance else "",
        "flag": (conveyance.flag or "") if conveyance else "",
        "registration": (conveyance.registration or "") if conveyance else "",
        "trailer_registration": (conveyance.trailer_registration or "") if conveyance else "",
        "journey_number": (conveyance.journey_number or "") if conveyance else "",
        "office": c.office or "",
        "filed_at": _when(c.filed_at),
        "departure_at": _when(c.departure_at),
        "eta": _when(c.eta),
        "arrival_at": _when(c.arrival_at),
        "loading_locode": (c.place_of_loading.locode or "") if c.place_of_loading else "",
        "discharge_locode": (c.place_of_discharge.locode or "") if c.place_of_discharge else "",
        "delivery_locode": (c.place_of_delivery.locode or "") if c.place_of_delivery else "",
        "transit_locodes": ";".join(transit),
        "transit_countries": ";".join(c.transit_countries),
        "origin_country": c.origin_country or "",
        "departure_country": c.departure_country or "",
        "destination_country": c.destination_country or "",
        "consignor_name": (consignor.name or "") if consignor else "",
        "consignor_address": (consignor.address or "") if consignor else "",
        "consignor_country": (consignor.country or "") if consignor else "",
        "consignor_id": _ident(consignor),
        "consignee_name": (consignee.name or "") if consignee else "",
        "consignee_address": (consignee.address or "") if consignee else "",
        "consignee_country": (consignee.country or "") if consignee else "",
        "consignee_id": _ident(consignee),
        "notify_name": (notify.name or "") if notify else "",
        "notify_country": (notify.country or "") if notify else "",
        "declarant_name": (declarant.name or "") if declarant else "",
        "declarant_id": _ident(declarant),
        "freight_payment": c.freight_payment.value,
        "total_packages": _number(c.total_packages),
        "total_gross_kg": _number(c.total_gross_kg),
        "equipment": ";".join(
            e.number
            + (f":{e.size_type or ''}" if e.size_type or e.seals else "")
            + (f":{'+'.join(e.seals)}" if e.seals else "")
            for e in c.equipment
        ),
    }


def _rows(c: Consignment) -> Iterable[list[str]]:
    head = _header(c)
    if not c.goods:
        yield [head.get(name, "") for name in COLUMN_NAMES]
        return
    for item in c.goods:
        row = dict(head)
        row.update(
            {
                "item_sequence": str(item.sequence),
                "hs_code": item.hs_code or "",
                "description": item.description or "",
                "packages": _number(item.packages),
                "package_type": item.package_type or "",
                "gross_kg": _number(item.gross_kg),
                "net_kg": _number(item.net_kg),
                "value": _number(item.value.amount) if item.value else "",
                "currency": item.value.currency if item.value else "",
                "goods_origin_country": item.origin_country or "",
                "marks": item.marks or "",
                "item_containers": ";".join(item.containers),
                "un_number": item.dangerous_goods_un or "",
            }
        )
        yield [row.get(name, "") for name in COLUMN_NAMES]


def write_csv(consignments: Iterable[Consignment], fh: TextIO) -> int:
    """Write the default CSV layout, one row per goods item; returns the number of consignments."""
    writer = csv.writer(fh, lineterminator="\n")
    writer.writerow(COLUMN_NAMES)
    count = 0
    for consignment in consignments:
        writer.writerows(_rows(consignment))
        count += 1
    return count


def _json(c: Consignment) -> str:
    return json.dumps(c.model_dump(mode="json", exclude_none=True), ensure_ascii=False, separators=(",", ":"))


def write_json(consignments: Iterable[Consignment], fh: TextIO, *, lines: bool) -> int:
    """Write a JSON array (streamed element by element) or JSON Lines; returns the count written."""
    count = 0
    if lines:
        for consignment in consignments:
            fh.write(_json(consignment))
            fh.write("\n")
            count += 1
        return count
    fh.write("[")
    for consignment in consignments:
        fh.write(",\n" if count else "\n")
        fh.write(_json(consignment))
        count += 1
    fh.write("\n]\n")
    return count


def write_file(consignments: Iterable[Consignment], path: Path, fmt: str) -> int:
    """Write to `path` in `fmt` (csv, json, jsonl or cuscar); returns the number of consignments."""
    fmt = fmt.lower()
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    with path.open("w", encoding="utf-8", newline="") as fh:
        if fmt == "csv":
            return write_csv(consignments, fh)
        if fmt in ("json", "jsonl"):
            return write_json(consignments, fh, lines=fmt == "jsonl")
        # Imported here: the EDIFACT writer is optional for the other formats and heavier to load.
        from corridor.ingest.cuscar_writer import write_cuscar

        counted = _Counting(consignments)
        prepared = datetime.now(UTC)
        for segment in write_cuscar(
            counted,
            sender="CORRIDOR-DEMO",
            recipient="AZ-CUSTOMS",
            interchange_ref=prepared.strftime("%y%m%d%H%M%S"),
            prepared=prepared,
        ):
            fh.write(segment)
        return counted.count


class _Counting:
    """Pass consignments through while counting them, for writers that return segments, not counts."""

    def __init__(self, consignments: Iterable[Consignment]) -> None:
        self._source = consignments
        self.count = 0

    def __iter__(self) -> _Counting:
        self._it = iter(self._source)
        return self

    def __next__(self) -> Consignment:
        item = next(self._it)
        self.count += 1
        return item
