"""Packaged reference data: HS nomenclature, countries, UN/LOCODE locations (see NOTICE for sources)."""

from corridor.reference.countries import Country, countries, country
from corridor.reference.hs import HsEntry, hs_entry, hs_known
from corridor.reference.locations import Location, location, locations

__all__ = [
    "Country",
    "HsEntry",
    "Location",
    "countries",
    "country",
    "hs_entry",
    "hs_known",
    "location",
    "locations",
]
