"""Identifier schemes and values in one canonical form, shared by the importers and the queries.

Lists and manifests label the same number differently (INN, TIN, Tax ID No., VAT; OGRN,
Registration Number, Company Number), so schemes are folded into a few classes, and values keep
only letters and digits in upper case ("IMO 9187629" and "9187629" are the same vessel).
"""

from __future__ import annotations

import re

_NON_ALNUM = re.compile(r"[^A-Z0-9]")
_SCHEMES = {
    "imo": "imo", "imonumber": "imo", "imo_number": "imo",
    "mmsi": "mmsi",
    "callsign": "call_sign", "call_sign": "call_sign", "call sign": "call_sign",
    "tin": "tax", "inn": "tax", "inncode": "tax", "vat": "tax", "taxnumber": "tax", "tax": "tax",
    "tax id": "tax", "tax_id": "tax", "voen": "tax", "nif": "tax", "rnn": "tax", "bin": "tax",
    "ogrn": "registration", "ogrncode": "registration", "registrationnumber": "registration",
    "registration": "registration", "company number": "registration", "eori": "registration",
    "kpp": "registration", "kppcode": "registration", "okpo": "registration",
    "passport": "passport", "passportnumber": "passport",
    "idnumber": "national_id", "national_id": "national_id", "nationalid": "national_id",
    "lei": "lei", "leicode": "lei", "swift": "swift", "swiftbic": "swift", "bic": "swift",
}  # fmt: skip


def scheme_of(label: str) -> str:
    """A scheme label from a list or a manifest -> imo, mmsi, call_sign, tax, registration, ... or other."""
    key = label.strip().lower()
    return _SCHEMES.get(key) or _SCHEMES.get(key.replace(" ", "").replace("-", "")) or "other"


def normalise_value(scheme: str, value: str) -> str:
    out = _NON_ALNUM.sub("", value.upper())
    if scheme == "imo" and out.startswith("IMO"):
        out = out[3:]
    return out


def identifier(label: str, value: str) -> tuple[str, str] | None:
    """(scheme, value) in canonical form, or None when nothing identifying is left."""
    scheme = scheme_of(label)
    norm = normalise_value(scheme, value)
    if len(norm) < 3:
        return None
    return scheme, norm


# Identifiers that name one party or vessel; a call sign or an unlabelled number does not.
STRONG_ID_SCHEMES = frozenset(
    {"imo", "mmsi", "tax", "registration", "passport", "national_id", "lei", "swift"}
)
