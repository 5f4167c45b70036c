"""The fields a risk profile can test: the columns of the flattened batch, each typed and documented.

A batch of consignments is flattened once into a consignment frame (one row per consignment) and a
goods frame (one row per goods item). Every column a profile may name is declared here or by an
indicator (see indicators.py), with its level, kind and a one-line doc served by GET /risk/fields.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Literal

Level = Literal["consignment", "goods"]
Kind = Literal["text", "number", "bool", "datetime", "list"]

# Parties a profile can address by role. A consignor falls back to the exporter or seller and a
# consignee to the importer (the roles declarations use), as in consignment storage.
PARTY_ROLES: tuple[str, ...] = (
    "consignor",
    "consignee",
    "notify",
    "declarant",
    "freight_forwarder",
    "carrier",
)


@dataclass(frozen=True, slots=True)
class FieldSpec:
    name: str
    level: Level
    kind: Kind
    doc: str
    indicator: str | None = None  # the indicator that computes it, None for a field of the document

    def as_dict(self) -> dict[str, str | None]:
        return {
            "name": self.name,
            "level": self.level,
            "kind": self.kind,
            "doc": self.doc,
            "indicator": self.indicator,
        }


def _c(name: str, kind: Kind, doc: str) -> FieldSpec:
    return FieldSpec(name, "consignment", kind, doc)


def _g(name: str, kind: Kind, doc: str) -> FieldSpec:
    return FieldSpec(name, "goods", kind, doc)


BASE_FIELDS: tuple[FieldSpec, ...] = (
    _c("document_number", "text", "transport document or declaration number"),
    _c("document_type", "text", "BL, SWB, AWB, HAWB, HBL, CMR, CIM, DEC, MAN, OTHER"),
    _c("function", "text", "original, amendment or cancellation"),
    _c("mode", "text", "sea, air, road, rail, inland_water, post, multimodal, fixed, unknown"),
    _c("office", "text", "customs office / PCU of entry"),
    _c("origin_country", "text", "country of origin (ISO alpha-2)"),
    _c("departure_country", "text", "country of departure / dispatch"),
    _c("destination_country", "text", "country of destination"),
    _c("transit_countries", "list", "declared transit countries, in order"),
    _c("loading.locode", "text", "UN/LOCODE of the place of loading"),
    _c("loading.country", "text", "country of the place of loading"),
    _c("discharge.locode", "text", "UN/LOCODE of the place of discharge"),
    _c("discharge.country", "text", "country of the place of discharge"),
    _c("delivery.locode", "text", "UN/LOCODE of the place of delivery"),
    _c("delivery.country", "text", "country of the place of delivery"),
    _c("route.ports", "list", "every UN/LOCODE of the route: loading, itinerary stops, discharge, delivery"),
    _c(
        "route.countries",
        "list",
        "every country of the route in order: departure, transit, stops, destination",
    ),
    _c("conveyance.name", "text", "vessel, truck, train or flight name"),
    _c("conveyance.imo", "text", "IMO number of the vessel"),
    _c("conveyance.flag", "text", "flag state of the vessel"),
    _c("conveyance.registration", "text", "truck plate, wagon or aircraft registration"),
    _c("filed_at", "datetime", "when the declaration or manifest was filed (UTC)"),
    _c("departure_at", "datetime", "departure from the place of loading (UTC)"),
    _c("eta", "datetime", "estimated time of arrival (UTC)"),
    _c("arrival_at", "datetime", "actual arrival (UTC)"),
    _c("freight_payment", "text", "prepaid, collect, third_party or unknown"),
    _c("total_packages", "number", "total number of packages"),
    _c("total_gross_kg", "number", "total gross weight in kg"),
    _c("goods.count", "number", "number of goods items"),
    _c("equipment.count", "number", "number of containers, trailers or wagons"),
    _c("equipment.numbers", "list", "container, trailer or wagon numbers"),
    _c("equipment.seals", "list", "every seal number on the equipment"),
    *(
        spec
        for role in PARTY_ROLES
        for spec in (
            _c(f"{role}.name", "text", f"{role.replace('_', ' ')} name as declared"),
            _c(f"{role}.country", "text", f"{role.replace('_', ' ')} country"),
            _c(
                f"{role}.key", "text", f"{role.replace('_', ' ')} key: first identifier, else normalised name"
            ),
        )
    ),
    _g("goods.sequence", "number", "item number within the consignment (1, 2, ...)"),
    _g("goods.hs_code", "text", "HS code with national extension"),
    _g("goods.hs6", "text", "HS subheading (first 6 digits)"),
    _g("goods.description", "text", "goods description as declared"),
    _g("goods.packages", "number", "number of packages of the item"),
    _g("goods.package_type", "text", "UN/ECE Rec. 21 package type code"),
    _g("goods.gross_kg", "number", "gross weight of the item in kg"),
    _g("goods.net_kg", "number", "net weight of the item in kg"),
    _g("goods.value", "number", "declared value of the item, in its currency"),
    _g("goods.currency", "text", "currency of the declared value"),
    _g("goods.origin_country", "text", "country of origin of the item"),
    _g("goods.dangerous_goods_un", "text", "UN number of dangerous goods"),
)

# A party role named alone ("consignee") takes the party operators on_watchlist / first_seen_within_days.
PARTY_FIELDS: frozenset[str] = frozenset(PARTY_ROLES)


def suggest(name: str, known: list[str] | tuple[str, ...] | set[str] | frozenset[str]) -> str | None:
    """The closest known name, for "did you mean" messages."""
    found = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.6)
    return found[0] if found else None
