"""Hypothesis strategies for parser inputs: mutated samples and structured generators per format."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from fuzz.seeds import seeds
from tests.conftest import SHARED_DATA

# Bytes that mean something to at least one of the formats: separators, quotes, markup, escapes.
SPECIAL = [
    b"'", b"+", b":", b"?", b"*", b"\n", b"\r\n", b",", b";", b"\t", b'"', b"<", b">", b"&", b"/>",
    b"</", b"\x00", b"\xef\xbb\xbf", b"\xff\xfe", b"{", b"}", b"[", b"]", b"\\", b"!", b"$", b"*00",
    b"UNA:+.? '", b"UNH+1+CUSCAR:D:95B:UN'", b"<!DOCTYPE x [<!ENTITY a 'b'>]>", b"&a;", b"\xd0\x96",
    b"9999999999999999999999", b"-1", b"1e999", b"NaN", b"2024-02-30", b"\xc3", b"]]>", b"<![CDATA[",
]  # fmt: skip


@cache
def seed_inputs(target: str) -> tuple[bytes, ...]:
    return tuple(data for _name, data in seeds(target, SHARED_DATA))


@st.composite
def mutated(draw: st.DrawFn, target: str, max_steps: int = 6) -> bytes:
    """A seed of the target with a few byte-level edits: flips, inserts, deletes, splices, truncation."""
    data = bytearray(draw(st.sampled_from(seed_inputs(target))))
    for _ in range(draw(st.integers(1, max_steps))):
        if not data:
            data += draw(st.binary(min_size=1, max_size=16))
            continue
        at = draw(st.integers(0, len(data) - 1))
        op = draw(st.sampled_from(["flip", "insert", "special", "delete", "duplicate", "truncate"]))
        if op == "flip":
            data[at] = draw(st.integers(0, 255))
        elif op == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=32))
        elif op == "special":
            data[at:at] = draw(st.sampled_from(SPECIAL))
        elif op == "delete":
            del data[at : at + draw(st.integers(1, 64))]
        elif op == "duplicate":
            end = min(len(data), at + draw(st.integers(1, 256)))
            data[end:end] = data[at:end] * draw(st.integers(1, 4))
        else:
            del data[at:]
    return bytes(data)


# --------------------------------------------------------------------------- text pieces

_FIELD_TEXT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)) | st.sampled_from(list("':+?*,;\"\n\r\t<>&")),
    max_size=24,
)
_CODES = st.sampled_from(
    ["", "1", "5", "9", "11", "76", "85", "132", "CZ", "CN", "CA", "N1", "KZAKT", "AZBAK", "AAB", "AAE", "WT",
     "KGM", "TNE", "20G1", "MSCU1234565", "102", "203", "304", "20240501", "202405010800", "870323", "CN",
     "BM", "MB", "ZZZ", "AAA", "USD", "0", "-5", "99999999999"]
)  # fmt: skip
VALUE = _CODES | _FIELD_TEXT


# --------------------------------------------------------------------------- EDIFACT


@cache
def _cuscar_segments() -> tuple[tuple[str, tuple[tuple[str, ...], ...]], ...]:
    from corridor.ingest.edifact import parse_text

    text = next(d for n, d in seeds("cuscar", SHARED_DATA) if n.startswith("gen-")).decode()
    return tuple(
        (s.tag, tuple(tuple(c) for c in s.elements))
        for s in parse_text(text)
        if s.tag not in ("UNB", "UNH", "UNT", "UNZ")
    )


def _escape(value: str) -> str:
    return "".join("?" + c if c in "':+?*" else c for c in value)


@st.composite
def edifact_component(draw: st.DrawFn, original: str) -> str:
    choice = draw(st.integers(0, 3))
    if choice == 0:
        return original
    value = draw(VALUE)
    # Mostly escape the value properly; sometimes leave raw separators to test the tokenizer.
    return _escape(value) if choice < 3 else value


@st.composite
def cuscar_interchange(draw: st.DrawFn) -> bytes:
    """A CUSCAR interchange of real segment tags whose elements are partly replaced by random values."""
    pool = _cuscar_segments()
    segments: list[str] = []
    for tag, elements in draw(st.lists(st.sampled_from(pool), min_size=1, max_size=30)):
        new_elements = []
        for element in elements[: draw(st.integers(0, len(elements) + 1))]:
            comps = [draw(edifact_component(c)) for c in element]
            comps += [draw(edifact_component("")) for _ in range(draw(st.integers(0, 2)))]
            new_elements.append(":".join(comps))
        segments.append("+".join([draw(st.sampled_from([tag, tag, tag, "CNI", "GID", "XYZ", ""])), *new_elements]))
    version = draw(st.sampled_from(["D:95B:UN", "D:96A:UN", "D:93A:UN", "D:01B:UN", "X:Y"]))
    count = len(segments) + 2 + draw(st.sampled_from([0, 0, 0, 1, -1]))
    body = [f"UNH+1+CUSCAR:{version}", *segments, f"UNT+{count}+1"]
    una = draw(st.sampled_from(["UNA:+.? '", "", "UNA:+,? '", "UNA|^.\\ ~"]))
    header = f"UNB+{draw(st.sampled_from(['UNOA:2', 'UNOC:3', 'UNOW:4', 'UNOY:4', 'XXXX']))}+S+R+240501:0800+1"
    text = "'".join([header, *body, "UNZ+1+1"]) + "'"
    sep = draw(st.sampled_from(["", "\n", "\r\n"]))
    if sep:
        text = text.replace("'", "'" + sep)
    return (una + text).encode(draw(st.sampled_from(["utf-8", "latin-1"])), "replace")


# --------------------------------------------------------------------------- XML

WCO_NAMES = [
    "Declaration", "FunctionCode", "TypeCode", "ID", "IssueDateTime", "DateTimeString", "Declarant",
    "Exporter", "Importer", "Name", "Address", "CountryCode", "CityName", "Line", "PostcodeID",
    "GoodsShipment", "GovernmentAgencyGoodsItem", "Commodity", "Description", "Classification",
    "IdentificationTypeCode", "GoodsMeasure", "GrossMassMeasure", "NetNetWeightMeasure", "Consignment",
    "TransportEquipment", "Seal", "BorderTransportMeans", "ModeCode", "IdentificationTypeCode",
    "RegistrationNationalityCode", "LoadingLocation", "GoodsLocation", "Origin", "ExportCountry",
    "Destination", "CustomsValueAmount", "InvoiceAmount", "TotalPackageQuantity", "Packaging",
    "QuantityQuantity", "SequenceNumeric", "PreviousDocument", "AdditionalDocument", "PresentationOffice",
    "ArrivalTransportMeans", "DepartureTransportMeans", "TradeTerms", "ConditionCode", "LocationID",
    "MetaData", "WCODataModelVersionCode", "CurrencyExchange", "RateNumeric",
]  # fmt: skip
IATA_NAMES = [
    "Waybill", "HouseWaybill", "MessageHeaderDocument", "BusinessHeaderDocument", "ID", "Name", "TypeCode",
    "PurposeCode", "IssueDateTime", "MasterConsignment", "IncludedHouseConsignment", "ConsignorParty",
    "ConsigneeParty", "PostalStructuredAddress", "CountryID", "CityName", "StreetName", "GrossWeightMeasure",
    "GrossVolumeMeasure", "TotalPieceQuantity", "OriginLocation", "FinalDestinationLocation",
    "SpecifiedLogisticsTransportMovement", "StageCode", "ModeCode", "UsedLogisticsTransportMeans",
    "ArrivalEvent", "DepartureEvent", "OccurrenceArrivalLocation", "OccurrenceDepartureLocation",
    "ScheduledOccurrenceDateTime", "IncludedMasterConsignmentItem", "NatureIdentificationTransportCargo",
    "Identification", "TypeCode", "TransportLogisticsPackage", "UtilizedUnitLoadTransportEquipment",
    "IncludedCustomsNote", "ContentCode", "Content", "SubjectCode", "CountryID", "ApplicableLogisticsAllowanceCharge",
    "ActualAmount", "HandlingSPHInstructions", "DescriptionCode", "ApplicableOriginCurrencyExchange",
]  # fmt: skip
UN_NAMES = [
    "CONSOLIDATED_LIST", "INDIVIDUALS", "INDIVIDUAL", "ENTITIES", "ENTITY", "DATAID", "FIRST_NAME",
    "SECOND_NAME", "THIRD_NAME", "UN_LIST_TYPE", "REFERENCE_NUMBER", "NATIONALITY", "VALUE",
    "INDIVIDUAL_ALIAS", "ALIAS_NAME", "QUALITY", "INDIVIDUAL_DATE_OF_BIRTH", "DATE", "YEAR", "FROM_YEAR",
    "TO_YEAR", "TYPE_OF_DATE", "INDIVIDUAL_DOCUMENT", "TYPE_OF_DOCUMENT", "NUMBER", "COMMENTS1",
    "ENTITY_ALIAS", "ENTITY_ADDRESS", "COUNTRY", "NAME_ORIGINAL_SCRIPT",
]  # fmt: skip
_ATTRS = ["unitCode", "currencyID", "schemeID", "languageID", "listID", "xsi:nil"]


@st.composite
def xml_tree(draw: st.DrawFn, names: list[str], depth: int = 0) -> str:
    name = draw(st.sampled_from(names))
    prefix = draw(st.sampled_from(["", "", "", "ns:", "x:"]))
    attrs = "".join(
        f' {a}="{_xml_escape(draw(VALUE))}"' for a in draw(st.lists(st.sampled_from(_ATTRS), max_size=2, unique=True))
    )
    if depth >= 6 or draw(st.integers(0, 2)) == 0:
        body = _xml_escape(draw(VALUE))
    else:
        body = "".join(draw(st.lists(xml_tree(names, depth + 1), max_size=4)))
    return f"<{prefix}{name}{attrs}>{body}</{prefix}{name}>"


def _xml_escape(value: str) -> str:
    cleaned = "".join(c for c in value if c in "\t\n\r" or (c >= " " and c not in "\ufffe\uffff"))
    return cleaned.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;")


@st.composite
def xml_document(draw: st.DrawFn, root: str, names: list[str], xmlns: str) -> bytes:
    children = "".join(draw(st.lists(xml_tree(names), max_size=5)))
    decl = draw(st.sampled_from(['<?xml version="1.0" encoding="UTF-8"?>\n', "", '<?xml version="1.0"?>']))
    doc = f'{decl}<{root} xmlns="{xmlns}" xmlns:ns="{xmlns}" xmlns:x="urn:x" ' \
          f'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">{children}</{root}>'  # fmt: skip
    return doc.encode("utf-8")


# --------------------------------------------------------------------------- CSV


@st.composite
def csv_file(draw: st.DrawFn, columns: list[str]) -> bytes:
    """CSV with a header from known columns and rows with odd quoting, BOMs, NULs and encodings."""
    delimiter = draw(st.sampled_from([",", ";", "\t", "|"]))
    header = draw(st.lists(st.sampled_from(columns), min_size=1, max_size=12))
    if draw(st.booleans()) and "document_number" in columns:
        header.insert(0, "document_number")

    def cell(value: str) -> str:
        style = draw(st.integers(0, 4))
        if style == 0:
            return '"' + value.replace('"', '""') + '"'
        if style == 1:
            return '"' + value  # unterminated quote
        return value

    rows = [delimiter.join(cell(h) for h in header)]
    for _ in range(draw(st.integers(0, 6))):
        width = len(header) + draw(st.integers(-2, 3))
        rows.append(delimiter.join(cell(draw(VALUE)) for _ in range(max(width, 0))))
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    text = newline.join(rows) + draw(st.sampled_from(["", newline, "\x00", "\x1a"]))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1251", "utf-16"]))
    return text.encode(encoding, "replace")


# --------------------------------------------------------------------------- JSON

_JSON_KEYS = [
    "document_number", "document_type", "mode", "parties", "goods", "equipment", "itinerary", "conveyance",
    "hs_code", "description", "gross_kg", "value", "amount", "currency", "role", "name", "country",
    "identifiers", "scheme", "eta", "function", "provenance", "warnings", "consignments", "locode", "stops",
]  # fmt: skip


def json_values() -> st.SearchStrategy[Any]:
    scalars = (
        st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats(allow_nan=False) | VALUE
    )
    return st.recursive(
        scalars,
        lambda inner: st.lists(inner, max_size=4)
        | st.dictionaries(st.sampled_from(_JSON_KEYS) | _FIELD_TEXT, inner, max_size=5),
        max_leaves=25,
    )


@st.composite
def json_document(draw: st.DrawFn) -> bytes:
    """A generated consignment with some fields replaced by random JSON, in one of the accepted layouts."""
    docs = json.loads(seed_inputs("json")[0])
    for doc in docs:
        for key in draw(st.lists(st.sampled_from(sorted(doc) + _JSON_KEYS), max_size=4)):
            doc[key] = draw(json_values())
    layout = draw(st.sampled_from(["array", "wrapped", "lines", "one"]))
    if layout == "array":
        text = json.dumps(docs)
    elif layout == "wrapped":
        text = json.dumps({"consignments": docs})
    elif layout == "lines":
        text = "\n".join(json.dumps(d) for d in docs)
    else:
        text = json.dumps(docs[0])
    return text.encode()


def shared(path: str) -> Path:
    return SHARED_DATA / path

