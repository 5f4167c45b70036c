"""Health, version, schemas and reference look-ups."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from sqlalchemy import text

from corridor import __version__
from corridor.api.deps import SessionDep
from corridor.api.schemas import consignment_json_schema
from corridor.domain.errors import NotFound
from corridor.reference import country, location
from corridor.reference.hs import hs_entry, hs_path

router = APIRouter(tags=["meta"])


@router.get("/health", summary="Liveness and database check")
def health(session: SessionDep) -> dict[str, Any]:
    session.execute(text("SELECT 1"))
    return {"status": "ok", "version": __version__}


@router.get("/schemas/consignment.json", summary="JSON Schema of a Corridor JSON consignment")
def consignment_schema() -> dict[str, Any]:
    return consignment_json_schema()


@router.get("/reference/locodes/{code}", summary="UN/LOCODE look-up")
def locode(code: str) -> dict[str, Any]:
    found = location(code)
    if found is None:
        raise NotFound(f"{code} is not a known UN/LOCODE", where="code")
    return {
        "locode": found.locode,
        "name": found.name,
        "country": found.country,
        "function": found.function,
        "lat": found.lat,
        "lon": found.lon,
        "seaport": found.is_seaport,
    }


@router.get("/reference/hs/{code}", summary="HS 2022 look-up with its chapter/heading path")
def hs(code: str) -> dict[str, Any]:
    entry = hs_entry(code)
    if entry is None:
        raise NotFound(f"{code} is not in the HS 2022 nomenclature", where="code")
    return {
        "code": code,
        "section": entry.section,
        "path": [{"code": e.code, "description": e.description} for e in hs_path(entry.code)],
    }


@router.get("/reference/countries/{code}", summary="ISO 3166-1 country look-up")
def country_route(code: str) -> dict[str, Any]:
    found = country(code)
    if found is None:
        raise NotFound(f"{code} is not an ISO 3166-1 country code", where="code")
    return {"alpha2": found.alpha2, "alpha3": found.alpha3, "name": found.name, "name_ru": found.name_ru}
