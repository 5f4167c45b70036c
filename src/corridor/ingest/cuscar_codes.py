"""CUSCAR code tables (UN/EDIFACT D95B and later) and value parsing shared by reader and writer."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

from corridor.domain.consignment import (
    DocumentType,
    FreightPayment,
    MessageFunction,
    PartyRole,
    StopRole,
    TransportMode,
    to_utc,
)

MODES = {
    "1": TransportMode.SEA,
    "2": TransportMode.RAIL,
    "3": TransportMode.ROAD,
    "4": TransportMode.AIR,
    "5": TransportMode.POST,
    "6": TransportMode.MULTIMODAL,
    "7": TransportMode.FIXED,
    "8": TransportMode.INLAND_WATER,
}
MODE_CODES = {mode: code for code, mode in MODES.items()}
DOCUMENT_BY_MODE = {
    TransportMode.SEA: DocumentType.BILL_OF_LADING,
    TransportMode.INLAND_WATER: DocumentType.BILL_OF_LADING,
    TransportMode.AIR: DocumentType.AIR_WAYBILL,
    TransportMode.ROAD: DocumentType.CMR,
    TransportMode.RAIL: DocumentType.RAIL_WAYBILL,
}
# RFF qualifier (1153) of a transport document number -> its document type.
DOCUMENT_REFERENCES = {
    "BM": DocumentType.BILL_OF_LADING,
    "BH": DocumentType.HOUSE_BILL_OF_LADING,
    "AWB": DocumentType.AIR_WAYBILL,
    "HWB": DocumentType.HOUSE_AIR_WAYBILL,
    "CMR": DocumentType.CMR,
    "RCN": DocumentType.RAIL_WAYBILL,
    "WY": DocumentType.RAIL_WAYBILL,
    "AAM": DocumentType.SEA_WAYBILL,
    "AFB": DocumentType.MANIFEST,
    "ABT": DocumentType.DECLARATION,
    "AAS": DocumentType.OTHER,
}
DOCUMENT_QUALIFIERS = {doc: qual for qual, doc in DOCUMENT_REFERENCES.items()}
MASTER_REFERENCES = frozenset({"MB", "MWB"})
FUNCTIONS = {
    "9": MessageFunction.ORIGINAL,
    "7": MessageFunction.ORIGINAL,
    "31": MessageFunction.ORIGINAL,
    "5": MessageFunction.AMENDMENT,
    "4": MessageFunction.AMENDMENT,
    "2": MessageFunction.AMENDMENT,
    "1": MessageFunction.CANCELLATION,
    "3": MessageFunction.CANCELLATION,
}
PARTY_ROLES = {
    "CZ": PartyRole.CONSIGNOR,
    "OS": PartyRole.CONSIGNOR,
    "CN": PartyRole.CONSIGNEE,
    "UC": PartyRole.CONSIGNEE,
    "N1": PartyRole.NOTIFY,
    "NI": PartyRole.NOTIFY,
    "N2": PartyRole.NOTIFY,
    "DT": PartyRole.DECLARANT,
    "DCL": PartyRole.DECLARANT,
    "CB": PartyRole.DECLARANT,
    "IM": PartyRole.IMPORTER,
    "EX": PartyRole.EXPORTER,
    "SE": PartyRole.SELLER,
    "SU": PartyRole.SELLER,
    "BY": PartyRole.BUYER,
    "FW": PartyRole.FREIGHT_FORWARDER,
    "CS": PartyRole.FREIGHT_FORWARDER,
    "PX": PartyRole.COURIER,
    "ZZZ": PartyRole.OTHER,
}
PARTY_QUALIFIERS = {
    PartyRole.CONSIGNOR: "CZ",
    PartyRole.CONSIGNEE: "CN",
    PartyRole.NOTIFY: "N1",
    PartyRole.DECLARANT: "DT",
    PartyRole.IMPORTER: "IM",
    PartyRole.EXPORTER: "EX",
    PartyRole.SELLER: "SE",
    PartyRole.BUYER: "BY",
    PartyRole.FREIGHT_FORWARDER: "FW",
    PartyRole.COURIER: "PX",
    PartyRole.OTHER: "ZZZ",
    PartyRole.CARRIER: "CA",
}
# Parties about the message itself, not the goods: kept as attributes.
MESSAGE_PARTIES = {"MS": "message_sender", "MR": "message_recipient"}
# Code list agency (3055) of a party identifier -> identifier scheme.
ID_AGENCIES = {"9": "GLN", "16": "DUNS"}
ID_LISTS = {"172": "CARRIER"}
FREIGHT = {
    "PP": FreightPayment.PREPAID,
    "PA": FreightPayment.PREPAID,
    "PC": FreightPayment.PREPAID,
    "PO": FreightPayment.PREPAID,
    "P": FreightPayment.PREPAID,
    "CC": FreightPayment.COLLECT,
    "CA": FreightPayment.COLLECT,
    "CF": FreightPayment.COLLECT,
    "C": FreightPayment.COLLECT,
    "TP": FreightPayment.THIRD_PARTY,
    "PE": FreightPayment.THIRD_PARTY,
    "A": FreightPayment.THIRD_PARTY,
}
FREIGHT_CODES = {
    FreightPayment.PREPAID: "PP",
    FreightPayment.COLLECT: "CC",
    FreightPayment.THIRD_PARTY: "TP",
}
KG_PER_UNIT = {"KGM": 1.0, "KGS": 1.0, "KG": 1.0, "TNE": 1000.0, "LBR": 0.45359237, "GRM": 0.001}
# LOC qualifier (3227) -> stop role on the route; main places are picked from these in the listed order.
STOP_ROLES = {
    "88": StopRole.RECEIPT,
    "10": StopRole.RECEIPT,
    "4": StopRole.RECEIPT,
    "76": StopRole.LOADING,
    "5": StopRole.LOADING,
    "9": StopRole.LOADING,
    "13": StopRole.TRANSHIPMENT,
    "17": StopRole.TRANSIT,
    "61": StopRole.TRANSIT,
    "92": StopRole.TRANSIT,
    "153": StopRole.TRANSIT,
    "11": StopRole.DISCHARGE,
    "12": StopRole.DISCHARGE,
    "60": StopRole.DISCHARGE,
    "24": StopRole.DISCHARGE,
    "64": StopRole.DISCHARGE,
    "7": StopRole.DELIVERY,
    "8": StopRole.DELIVERY,
    "20": StopRole.DELIVERY,
    "50": StopRole.CUSTOMS_OFFICE,
    "42": StopRole.CUSTOMS_OFFICE,
}
STOP_QUALIFIERS = {
    StopRole.RECEIPT: "88",
    StopRole.LOADING: "9",
    StopRole.TRANSHIPMENT: "13",
    StopRole.TRANSIT: "153",
    StopRole.DISCHARGE: "11",
    StopRole.DELIVERY: "7",
    StopRole.CUSTOMS_OFFICE: "50",
}
ROUTE_ORDER = [
    StopRole.RECEIPT,
    StopRole.LOADING,
    StopRole.TRANSHIPMENT,
    StopRole.TRANSIT,
    StopRole.DISCHARGE,
    StopRole.DELIVERY,
    StopRole.CUSTOMS_OFFICE,
]
LOADING_PREFERENCE = ("9", "5", "76")
DISCHARGE_PREFERENCE = ("11", "12", "60", "24", "64")
DELIVERY_PREFERENCE = ("7", "8", "20")
COUNTRY_FIELDS = {"27": "origin_country", "35": "departure_country", "28": "destination_country"}
TRANSIT_COUNTRY = "49"
ARRIVAL_DATES = {"132": "eta", "232": "eta", "178": "arrival_at"}
DEPARTURE_DATES = {"133": "departure_at", "189": "departure_at", "186": "departure_at"}
# DTM format code (2379) -> number of digits.
_DATE_SHAPES = {"102": 8, "203": 12, "204": 14, "201": 10, "101": 6, "202": 12}
LOCODE = re.compile(r"^[A-Z]{2}[A-Z0-9]{3}$")
COUNTRY = re.compile(r"^[A-Z]{2}$")
IMO = re.compile(r"^(?:IMO)?\s*(\d{7})$")
EARLIEST_RELEASE = (95, "B")


def parse_date(value: str, fmt: str) -> datetime | None:
    """A DTM value in format 102, 203, 204, 201, 101, 202 or 303/205 (with zone), as UTC."""
    value = value.strip()
    if not value:
        return None
    if not fmt:
        fmt = {8: "102", 12: "203", 14: "204", 10: "201", 6: "101"}.get(len(value), "")
    if fmt in ("303", "205", "304"):
        # CCYYMMDDHHMM[SS] followed by a zone: a 3-letter code or an offset such as +0400.
        match = re.match(r"^(\d{12}|\d{14})(Z|UTC|GMT|[+-]\d{2}:?\d{2})?$", value.replace(" ", ""))
        if not match:
            return None
        moment = datetime.strptime(
            match.group(1), "%Y%m%d%H%M%S" if len(match.group(1)) == 14 else "%Y%m%d%H%M"
        )
        zone = match.group(2) or "UTC"
        if zone[0] in "+-":
            sign = 1 if zone[0] == "+" else -1
            digits = zone[1:].replace(":", "")
            offset = timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
            return to_utc(moment.replace(tzinfo=timezone(sign * offset)))
        return to_utc(moment)
    shape = _DATE_SHAPES.get(fmt)
    if shape is None or len(value) != shape or not value.isdigit():
        return None
    if fmt in ("201", "101", "202"):
        # Two-digit years: a cargo report is about the recent past or near future.
        value = ("19" if int(value[:2]) >= 70 else "20") + value
    try:
        return datetime(
            int(value[0:4]),
            int(value[4:6]),
            int(value[6:8]),
            int(value[8:10] or 0),
            int(value[10:12] or 0),
            int(value[12:14] or 0),
            tzinfo=UTC,
        )
    except ValueError:
        return None


def parse_number(value: str) -> float | None:
    # ISO 9735 allows either a point or a comma as decimal mark whatever the UNA says.
    text = value.strip().replace(",", ".")
    try:
        return float(text) if text else None
    except ValueError:
        return None


def join_chunks(parts: list[str], width: int) -> str | None:
    """Free text split over components or segments: a full-width chunk continues mid-word."""
    out = ""
    previous = ""
    for part in parts:
        if not part:
            continue
        if out:
            out += "" if len(previous) >= width else " "
        out += part
        previous = part
    return out.strip() or None
