"""Detect a file's format from its content (not its name) and find its reader."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

from corridor.domain.errors import UnsupportedFormat
from corridor.ingest.base import Reader

# format name -> (module, class); imported on demand so a broken optional reader cannot break the others.
READERS: dict[str, tuple[str, str]] = {
    "csv": ("corridor.ingest.csv_reader", "CsvReader"),
    "excel": ("corridor.ingest.excel_reader", "ExcelReader"),
    "json": ("corridor.ingest.json_reader", "JsonReader"),
    "kcs": ("corridor.ingest.kcs_reader", "KcsReader"),
    "cuscar": ("corridor.ingest.cuscar", "CuscarReader"),
    "wco": ("corridor.ingest.wco_xml", "WcoXmlReader"),
    "cargo_xml": ("corridor.ingest.cargo_xml", "CargoXmlReader"),
}

_XML_ROOT = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)[\s>/]")
KCS_HEADER_MARKERS = (b"Declaration ID", b"Importer ID", b"Fraud")


def sniff(head: bytes) -> str | None:
    """The format of a file from its first bytes, or None when it is not recognised."""
    if head.startswith(b"PK\x03\x04"):
        return "excel"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text.startswith((b"UNA", b"UNB", b"UNH")):
        return "edifact"
    if text.startswith(b"<"):
        # A DOCTYPE may carry an internal subset ([...]); strip it so the root is still found and
        # the reader, not detection, refuses the DTD with a precise reason.
        body = re.sub(rb"<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^\[>]*(?:\[.*?\])?\s*>", b"", text, flags=re.S).lstrip()
        match = _XML_ROOT.match(body)
        if not match:
            return "xml"
        root = match.group(1)
        if b"urn:wco:datamodel" in text or root in (b"MetaData", b"Declaration"):
            return "wco"
        if root in (b"Waybill", b"HouseWaybill") or b"iata:" in text:
            return "cargo_xml"
        return "xml"
    if text.startswith((b"{", b"[")):
        return "json"
    first_line = text.split(b"\n", 1)[0]
    if all(marker in first_line for marker in KCS_HEADER_MARKERS):
        return "kcs"
    if b"," in first_line or b";" in first_line or b"\t" in first_line:
        return "csv"
    return None


def detect(path: Path) -> str:
    with path.open("rb") as fh:
        head = fh.read(8192)
    fmt = sniff(head)
    if fmt == "edifact":
        return "cuscar"
    if fmt is None or fmt == "xml":
        raise UnsupportedFormat(
            "unrecognised content: expected CSV, Excel (.xlsx), Corridor JSON, UN/EDIFACT CUSCAR, "
            "WCO Data Model XML or IATA Cargo-XML",
            where=str(path),
        )
    return fmt


def reader_for(fmt: str) -> Reader:
    if fmt not in READERS:
        raise UnsupportedFormat(f"no reader for format {fmt!r}; known: {', '.join(sorted(READERS))}")
    module_name, class_name = READERS[fmt]
    module = importlib.import_module(module_name)
    reader: Reader = getattr(module, class_name)()
    return reader
