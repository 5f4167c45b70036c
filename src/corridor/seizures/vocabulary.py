"""Closed vocabularies of the CEN-like seizure record (codes are stored; labels come from i18n).

The categories follow the WCO Customs Enforcement Network commodity groups; the types under each are
the ones Caspian-corridor offices report most. A seizure's `category` is derived from its `type`, so
an import only needs the type; a type given with the wrong category is rejected, not guessed.
"""

from __future__ import annotations

from types import MappingProxyType

CATEGORY_TYPES: MappingProxyType[str, tuple[str, ...]] = MappingProxyType(
    {
        "drugs": (
            "heroin",
            "opium",
            "morphine",
            "cocaine",
            "cannabis_resin",
            "cannabis_herb",
            "methamphetamine",
            "amphetamine",
            "captagon",
            "tramadol",
            "other_drug",
        ),
        "precursors": (
            "acetic_anhydride",
            "ephedrine",
            "pseudoephedrine",
            "p2p",
            "bmk",
            "safrole",
            "other_precursor",
        ),
        "tobacco": ("cigarettes", "tobacco", "water_pipe_tobacco", "e_cigarettes"),
        "alcohol": ("spirits", "ethanol", "wine_beer"),
        "weapons": ("firearms", "firearm_parts", "ammunition", "explosives", "edged_weapons"),
        "strategic": ("dual_use_electronics", "dual_use_machinery", "chemicals_cw", "military_goods"),
        "currency": ("cash", "bearer_instruments", "gold"),
        "wildlife": ("caviar", "sturgeon", "birds_of_prey", "reptiles", "other_cites"),
        "counterfeit": ("apparel", "medicines", "spare_parts", "electronics", "cosmetics"),
        "other": ("other",),
    }
)
CATEGORIES: tuple[str, ...] = tuple(CATEGORY_TYPES)
TYPE_CATEGORY: MappingProxyType[str, str] = MappingProxyType(
    {t: c for c, types in CATEGORY_TYPES.items() for t in types}
)
TYPES: tuple[str, ...] = tuple(TYPE_CATEGORY)

# Units as reported; `KG_PER_UNIT` converts the mass units so that quantities of one commodity type
# can be summed across records. Pieces, sticks and money stay in their own unit.
UNITS: tuple[str, ...] = ("kg", "g", "t", "l", "pcs", "sticks", "packs", "usd", "eur", "azn")
KG_PER_UNIT: MappingProxyType[str, float] = MappingProxyType({"kg": 1.0, "g": 0.001, "t": 1000.0})
STICKS_PER_PACK = 20

CONCEALMENTS: tuple[str, ...] = (
    "in_cargo",
    "within_goods",
    "false_compartment",
    "false_floor",
    "container_structure",
    "fuel_tank",
    "tyres",
    "vehicle_body",
    "natural_cavity",
    "luggage",
    "on_body",
    "internal_body",
    "postal_item",
    "misdeclared",
    "no_concealment",
    "other",
)

DETECTIONS: tuple[str, ...] = ("risk_profile", "xray", "canine", "random", "intelligence", "partner_alert")

TRANSPORT_MODES: tuple[str, ...] = ("sea", "road", "rail", "air", "post", "pedestrian", "other")

PARTY_ROLES: tuple[str, ...] = (
    "driver",
    "passenger",
    "crew",
    "consignor",
    "consignee",
    "carrier",
    "owner",
    "courier",
    "declarant",
    "other",
)
PARTY_KINDS: tuple[str, ...] = ("person", "company")

ATTACHMENT_KINDS: tuple[str, ...] = ("photo", "xray", "document")

# The workbench's quick seizure form (corridor.cases.vocabulary) uses coarser codes; a CEN record made
# from it gets the closest type, and the analyst refines it on the full record.
CASE_COMMODITY_TYPE: MappingProxyType[str, str] = MappingProxyType(
    {
        "narcotics": "other_drug",
        "precursors": "other_precursor",
        "tobacco": "cigarettes",
        "alcohol": "spirits",
        "medicines": "medicines",
        "weapons": "firearms",
        "ammunition": "ammunition",
        "explosives": "explosives",
        "strategic_goods": "dual_use_electronics",
        "currency": "cash",
        "counterfeit": "apparel",
        "cites": "other_cites",
        "cultural_goods": "other",
        "fuel": "other",
        "other": "other",
    }
)
CASE_CONCEALMENT: MappingProxyType[str, str] = MappingProxyType(
    {
        "in_cargo": "in_cargo",
        "false_compartment": "false_compartment",
        "within_goods": "within_goods",
        "container_structure": "container_structure",
        "vehicle": "vehicle_body",
        "misdeclared": "misdeclared",
        "luggage": "luggage",
        "on_body": "on_body",
        "other": "other",
    }
)
CASE_UNIT: MappingProxyType[str, str] = MappingProxyType(
    {"kg": "kg", "g": "g", "l": "l", "pcs": "pcs", "packs": "packs", "cartons": "packs", "usd": "usd"}
)
# A carton of cigarettes is ten packs.
CASE_UNIT_FACTOR: MappingProxyType[str, float] = MappingProxyType({"cartons": 10.0})
# Consignment transport modes (corridor.domain) onto the seizure's.
CONSIGNMENT_MODE: MappingProxyType[str, str] = MappingProxyType(
    {"sea": "sea", "road": "road", "rail": "rail", "air": "air", "post": "post", "inland_water": "sea"}
)


def category_of(commodity_type: str) -> str | None:
    return TYPE_CATEGORY.get(commodity_type)
