"""The closed vocabularies of the case forms (codes are stored; labels come from the i18n catalogues)."""

from __future__ import annotations

ACTIONS = ("select", "release", "hold")
METHODS = ("xray", "physical", "canine", "documentary")
RESULTS = ("nothing_found", "discrepancy", "seizure")
# WCO CEN commodity groups, shortened to what Caspian PCUs seize most.
COMMODITIES = (
    "narcotics",
    "precursors",
    "tobacco",
    "alcohol",
    "medicines",
    "weapons",
    "ammunition",
    "explosives",
    "strategic_goods",
    "currency",
    "counterfeit",
    "cites",
    "cultural_goods",
    "fuel",
    "other",
)
UNITS = ("kg", "g", "l", "pcs", "packs", "cartons", "usd")
CONCEALMENTS = (
    "in_cargo",
    "false_compartment",
    "within_goods",
    "container_structure",
    "vehicle",
    "misdeclared",
    "luggage",
    "on_body",
    "other",
)
# Which decision each lane calls for; deciding otherwise is an override and needs a reason.
LANE_EXPECTS = {"red": "select", "yellow": "select", "green": "release", "blue": "release"}


def is_override(lane: str | None, action: str) -> bool:
    """Select on a green/blue lane or release on a red/yellow one goes against the engine's lane."""
    if lane is None or action == "hold":
        return False
    expected = LANE_EXPECTS.get(lane)
    return expected is not None and expected != action
