"""What gets screened in a consignment, and the stable key an analyst's decision is attached to."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from corridor.screening.identifiers import STRONG_ID_SCHEMES, identifier
from corridor.screening.matcher import Query
from corridor.screening.normalise import prepare_name


def subject_key(name: str | None, identifiers: Iterable[tuple[str, str]] = ()) -> str:
    """The key of a screened party or vessel: its strongest identifier, else its name.

    The name form is transliterated, stripped of legal forms, folded phonetically and sorted by
    part, so "ООО Каспий" and "Kaspiy LLC", "Гусейнов Рза" and "Rza Huseynov" are one subject: a false positive
    cleared for one spelling stays cleared for the other.
    """
    strong = sorted(i for i in identifiers if i[0] in STRONG_ID_SCHEMES)
    if strong:
        scheme, value = strong[0]
        return f"id:{scheme}:{value}"
    folded = [p.folded for p in prepare_name(name or "").parts]
    return "name:" + " ".join(sorted(folded))[:290]


@dataclass(frozen=True, slots=True)
class Subject:
    role: str  # consignor, consignee, notify, ..., carrier, conveyance
    query: Query
    key: str


def _party(role: str, party: dict[str, Any]) -> Subject | None:
    name = party.get("name")
    ids: list[tuple[str, str]] = []
    for ident in party.get("identifiers") or []:
        if isinstance(ident, dict) and ident.get("scheme") and ident.get("value"):
            pair = identifier(str(ident["scheme"]), str(ident["value"]))
            if pair:
                ids.append(pair)
    if not name and not ids:
        return None
    country = party.get("country")
    query = Query(
        name=name or "",
        countries=frozenset({country}) if country else frozenset(),
        identifiers=tuple(ids),
    )
    return Subject(role, query, subject_key(name, ids))


def consignment_subjects(data: dict[str, Any]) -> list[Subject]:
    """Every party, the carrier and the vessel of a stored consignment document (JSON)."""
    out: list[Subject] = []
    for party in data.get("parties") or []:
        if isinstance(party, dict):
            subject = _party(str(party.get("role") or "party"), party)
            if subject:
                out.append(subject)
    carrier = data.get("carrier")
    if isinstance(carrier, dict):
        subject = _party("carrier", carrier)
        if subject:
            out.append(subject)
    conveyance = data.get("conveyance")
    if isinstance(conveyance, dict) and conveyance.get("mode") in (None, "sea", "unknown", "multimodal"):
        ids = [
            pair
            for scheme in ("imo", "mmsi", "call_sign")
            if conveyance.get(scheme)
            for pair in [identifier(scheme, str(conveyance[scheme]))]
            if pair
        ]
        name = conveyance.get("name")
        if name or ids:
            flag = conveyance.get("flag")
            query = Query(
                name=name or "",
                schema="vessel",
                countries=frozenset({flag}) if flag else frozenset(),
                identifiers=tuple(ids),
            )
            out.append(Subject("conveyance", query, subject_key(name, ids)))
    return out
