"""Record-level checks that keep a consignment but attach warnings (never silently dropped)."""

from __future__ import annotations

from corridor.domain import iso6346
from corridor.domain.consignment import Consignment, Place
from corridor.reference import country, hs_entry, locations


def imo_valid(imo: str) -> bool:
    digits = [int(c) for c in imo]
    return sum(d * w for d, w in zip(digits[:6], range(7, 1, -1), strict=True)) % 10 == digits[6]


def _check_place(c: Consignment, place: Place | None, field: str) -> None:
    if place is None or not place.locode:
        return
    found = locations().get(place.locode)
    if found is None:
        c.warn("unknown_locode", f"{field}.locode", f"{place.locode} is not a known UN/LOCODE")
    elif not place.name:
        place.name = found.name


def _check_country(c: Consignment, code: str | None, field: str) -> None:
    if code and country(code) is None:
        c.warn("unknown_country", field, f"{code} is not an ISO 3166-1 country code")


def validate(c: Consignment) -> Consignment:
    """Add warnings for unknown codes, failed check digits and inconsistent figures; returns c."""
    _check_place(c, c.place_of_loading, "place_of_loading")
    _check_place(c, c.place_of_discharge, "place_of_discharge")
    _check_place(c, c.place_of_delivery, "place_of_delivery")
    for i, stop in enumerate(c.itinerary):
        _check_place(c, stop.place, f"itinerary[{i}].place")
    for field in ("origin_country", "departure_country", "destination_country"):
        _check_country(c, getattr(c, field), field)
    for i, code in enumerate(c.transit_countries):
        _check_country(c, code, f"transit_countries[{i}]")
    for i, party in enumerate(c.parties):
        _check_country(c, party.country, f"parties[{i}].country")
    if c.conveyance is not None:
        _check_country(c, c.conveyance.flag, "conveyance.flag")
        if c.conveyance.imo and not imo_valid(c.conveyance.imo):
            c.warn("imo_check_digit", "conveyance.imo", f"IMO {c.conveyance.imo} fails its check digit")
    if not c.goods:
        c.warn("no_goods", "goods", "the document declares no goods items")
    equipment_numbers = {e.number for e in c.equipment}
    for i, item in enumerate(c.goods):
        if item.hs_code and hs_entry(item.hs_code) is None:
            c.warn("unknown_hs", f"goods[{i}].hs_code", f"{item.hs_code} is not in the HS 2022 nomenclature")
        _check_country(c, item.origin_country, f"goods[{i}].origin_country")
        if item.gross_kg is not None and item.net_kg is not None and item.net_kg > item.gross_kg * 1.0001:
            c.warn(
                "net_exceeds_gross",
                f"goods[{i}].net_kg",
                f"net weight {item.net_kg:g} kg exceeds gross weight {item.gross_kg:g} kg",
            )
        for number in item.containers:
            if equipment_numbers and number not in equipment_numbers:
                c.warn(
                    "unlisted_container",
                    f"goods[{i}].containers",
                    f"{number} is not among the consignment's equipment",
                )
    seen_seals: dict[str, str] = {}
    for i, eq in enumerate(c.equipment):
        if eq.size_type == "ULD":
            continue
        if iso6346.looks_like_container(eq.number):
            if not iso6346.is_valid(eq.number):
                expected = iso6346.check_digit(eq.number[:10])
                c.warn(
                    "container_check_digit",
                    f"equipment[{i}].number",
                    f"{eq.number} fails the ISO 6346 check digit (expected {expected})",
                )
        else:
            c.warn(
                "container_format",
                f"equipment[{i}].number",
                f"{eq.number} is not an ISO 6346 container number (4 letters, 7 digits)",
            )
        for seal in eq.seals:
            if seal in seen_seals and seen_seals[seal] != eq.number:
                c.warn("repeated_seal", f"equipment[{i}].seals", f"seal {seal} is also on {seen_seals[seal]}")
            seen_seals.setdefault(seal, eq.number)
    if c.departure_at and c.eta and c.eta < c.departure_at:
        c.warn("date_order", "eta", "estimated arrival is before departure")
    return c
