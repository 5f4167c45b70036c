"""Published schemas for the edge (the domain model is the Corridor JSON schema)."""

from __future__ import annotations

from typing import Any

from corridor.domain.consignment import Consignment


def consignment_json_schema() -> dict[str, Any]:
    schema = Consignment.model_json_schema(mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "urn:corridor:schema:consignment:1"
    schema["title"] = "Corridor consignment"
    schema["description"] = (
        "One transport document (B/L, AWB, CMR, rail waybill) or declaration as Corridor JSON. "
        'A file may hold one object, an array of them, {"consignments": [...]} or JSON Lines.'
    )
    return schema
