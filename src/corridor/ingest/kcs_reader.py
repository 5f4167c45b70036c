"""Korea Customs Service synthetic import declarations (Jeong et al., 2022): declarations with outcomes.

Each row is one declaration of one goods item, with the inspection outcome (Fraud, Critical Fraud).
Both published versions are read: "HS6 Code" (branch en) and "HS10 Code" (v2022-06-03).
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from pydantic import ValidationError

from corridor.domain.consignment import (
    Consignment,
    DocumentType,
    GoodsItem,
    Identifier,
    Money,
    Party,
    PartyRole,
    Provenance,
    SourceOutcome,
    TransportMode,
)
from corridor.ingest.base import (
    Parsed,
    ReadItem,
    ReadOptions,
    Rejection,
    excerpt_of,
    rejections_from_validation,
)
from corridor.ingest.limits import csv_error_line, csv_field_error, csv_lines

# KCS mode-of-transport codes (trade code handbook): first digit is the mode family.
_MODES = {
    "1": TransportMode.SEA,
    "2": TransportMode.RAIL,
    "3": TransportMode.ROAD,
    "4": TransportMode.AIR,
    "5": TransportMode.POST,
    "6": TransportMode.MULTIMODAL,
    "8": TransportMode.INLAND_WATER,
}
_ATTRIBUTES = {
    "Process Type": "process_type",
    "Import Type": "import_type",
    "Import Use": "import_use",
    "Payment Type": "payment_type",
    "Mode of Transport": "kcs_mode",
    "Tax Rate": "tax_rate",
    "Tax Type": "tax_type",
    "Country of Origin Indicator": "origin_indicator",
}
REQUIRED = ("Declaration ID", "Date")


def _party(role: PartyRole, raw: str | None) -> Party | None:
    value = (raw or "").strip()
    if not value:
        return None
    return Party(role=role, identifiers=[Identifier(scheme="KCS", value=value)])


def _float(raw: str | None, field: str) -> float | None:
    if raw is None or not raw.strip():
        return None
    try:
        return float(raw)
    except ValueError:
        raise ValueError(f"{field}: not a number: {raw!r}") from None


class KcsReader:
    format = "kcs"

    def read(self, path: Path, display_name: str, options: ReadOptions) -> Iterator[ReadItem]:
        with path.open(encoding=options.encoding or "utf-8-sig", newline="") as fh:
            reader = csv.DictReader(csv_lines(fh))
            try:
                yield from self._rows(reader, display_name)
            except UnicodeDecodeError as err:
                yield Rejection(
                    display_name,
                    f"line {_line_of_bad_byte(path, options.encoding or 'utf-8-sig')}",
                    None,
                    f"not {options.encoding or 'UTF-8'} text (byte {err.object[err.start:err.start + 1]!r}); "
                    "give the file's encoding; the rest of the file was not read",
                    "bad_encoding",
                )
            except csv.Error as err:
                yield Rejection(
                    display_name,
                    f"line {csv_error_line(err, reader.reader.line_num)}",  # DictReader's own line_num lags behind on errors
                    None,
                    f"{csv_field_error(err)}; the rest of the file was not read",
                    "bad_csv",
                )

    def _rows(self, reader: csv.DictReader[str], display_name: str) -> Iterator[ReadItem]:
        header = reader.fieldnames or []
        missing = [c for c in REQUIRED if c not in header]
        hs_column = "HS10 Code" if "HS10 Code" in header else "HS6 Code"
        if missing or hs_column not in header:
            yield Rejection(
                display_name,
                "line 1 (header)",
                None,
                f"not a KCS declarations header: missing {', '.join(missing or [hs_column])}",
                "bad_header",
            )
            return
        for row in reader:
            line = reader.line_num
            yield self._row(row, hs_column, display_name, f"line {line}")

    def _row(self, row: dict[str, str], hs_column: str, file: str, location: str) -> ReadItem:
        # Short rows give None values, long rows a list of the extra cells under the key None.
        excerpt = excerpt_of(
            ",".join(v if isinstance(v, str) else ",".join(v or []) for v in row.values())
        )
        try:
            date_raw = (row.get("Date") or "").strip()
            try:
                filed = datetime.fromisoformat(date_raw)
            except ValueError:
                return Rejection(
                    file, location, "Date", f"not an ISO date: {date_raw!r}", "invalid_field", excerpt
                )
            mode_raw = (row.get("Mode of Transport") or "").strip()
            price = _float(row.get("Item Price"), "Item Price")
            fraud_raw = (row.get("Fraud") or "").strip()
            critical_raw = (row.get("Critical Fraud") or "").strip()
            outcome = None
            if fraud_raw:
                if fraud_raw not in ("0", "1") or critical_raw not in ("", "0", "1", "2"):
                    return Rejection(
                        file,
                        location,
                        "Fraud",
                        f"labels must be 0/1 and 0/1/2, got {fraud_raw!r}/{critical_raw!r}",
                        "invalid_field",
                        excerpt,
                    )
                outcome = SourceOutcome(
                    inspected=True,
                    fraud=fraud_raw == "1",
                    critical=critical_raw == "2",
                    result="discrepancy" if fraud_raw == "1" else "nothing_found",
                )
            parties = [
                p
                for p in (
                    _party(PartyRole.DECLARANT, row.get("Declarant ID")),
                    _party(PartyRole.IMPORTER, row.get("Importer ID")),
                    _party(PartyRole.SELLER, row.get("Seller ID")),
                    _party(PartyRole.COURIER, row.get("Courier ID")),
                )
                if p is not None
            ]
            origin = (row.get("Country of Origin") or "").strip() or None
            hs = (row.get(hs_column) or "").strip()
            if hs and len(hs) < 6 and hs.isdigit():
                hs = hs.zfill(6)  # leading zeros are lost by spreadsheet round-trips (chapters 01-09)
            consignment = Consignment(
                document_type=DocumentType.DECLARATION,
                document_number=(row.get("Declaration ID") or "").strip(),
                mode=_MODES.get(mode_raw[:1], TransportMode.UNKNOWN),
                office=(row.get("Office ID") or "").strip() or None,
                filed_at=filed,
                origin_country=origin,
                departure_country=(row.get("Country of Departure") or "").strip() or None,
                destination_country="KR",
                parties=parties,
                goods=[
                    GoodsItem(
                        sequence=1,
                        hs_code=hs or None,
                        net_kg=_float(row.get("Net Mass"), "Net Mass"),
                        value=Money(amount=price, currency="KRW") if price is not None else None,
                        origin_country=origin,
                    )
                ],
                outcome=outcome,
                attributes={
                    attr: (row.get(col) or "").strip()
                    for col, attr in _ATTRIBUTES.items()
                    if (row.get(col) or "").strip()
                },
                provenance=Provenance(format=self.format, file=file, location=location),
            )
        except ValidationError as err:
            rejections = rejections_from_validation(err, file=file, location=location, excerpt=excerpt)
            return rejections[0]
        except ValueError as err:
            field, _, reason = str(err).partition(": ")
            return Rejection(file, location, field, reason or str(err), "invalid_field", excerpt)
        return Parsed(consignment, location)


def _line_of_bad_byte(path: Path, encoding: str) -> int:
    """The line holding the first byte that does not decode (the text reader decodes ahead by chunks,
    so its own line count at the error is too early)."""
    decoder = codecs.getincrementaldecoder(encoding)()
    line = 1
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as err:
                return line + chunk.count(b"\n", 0, max(err.start, 0))
            line += chunk.count(b"\n")
    return line
