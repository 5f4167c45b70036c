"""HTTP routes of the maritime picture: events (alerts), vessels, detection, ingest and map layers.

Map layers are GeoJSON FeatureCollections in [lon, lat] order that Leaflet draws as they are:
/maritime/map/tracks, /maritime/map/platforms, /maritime/map/zones, /maritime/map/events.
Reading needs VIEW_DASHBOARD; ingest, detection and zones need INGEST; reviewing needs DECIDE.
"""

from __future__ import annotations

import tempfile
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Query, UploadFile

from corridor.accounts.deps import requires
from corridor.accounts.guards import agency_wide_only
from corridor.accounts.roles import Permission
from corridor.api.deps import EngineDep, SessionDep
from corridor.domain.errors import InvalidInput, NotFound, PayloadTooLarge
from corridor.maritime import maplayers, service
from corridor.maritime.config import DetectorConfig, load_config
from corridor.maritime.events import KINDS
from corridor.maritime.schemas import DetectIn, ReviewIn, ZoneIn

READ = [Depends(requires(Permission.VIEW_DASHBOARD))]
WRITE = [Depends(requires(Permission.INGEST))]
DECIDE = [Depends(requires(Permission.DECIDE))]
MAX_UPLOAD = 200 * 1024 * 1024

router = APIRouter(prefix="/maritime", tags=["maritime"])


@router.get(
    "/events", dependencies=READ, summary="Events, newest first (filter by kind, status, vessel, time)"
)
def events(
    session: SessionDep,
    kind: str | None = None,
    status: str | None = None,
    vessel: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> dict[str, Any]:
    return service.list_events(
        session, kind=kind, status=status, vessel=vessel, since=since, until=until, limit=limit, offset=offset
    )


@router.get("/events/open", dependencies=READ, summary="Unreviewed events with evidence (the alert feed)")
def open_events(
    session: SessionDep, kind: str | None = None, limit: Annotated[int, Query(ge=1, le=5000)] = 500
) -> list[dict[str, Any]]:
    return service.list_open_events(session, kind=kind, limit=limit)


@router.get("/events/{event_id}", dependencies=READ, summary="One event with its evidence")
def event(event_id: int, session: SessionDep) -> dict[str, Any]:
    return service.get_event(session, event_id)


@router.post("/events/{event_id}/review", dependencies=DECIDE, summary="Confirm, dismiss or reopen an event")
def review(event_id: int, body: ReviewIn, session: SessionDep) -> dict[str, Any]:
    return service.set_event_status(session, event_id, body.status, body.note)


@router.get("/detectors", dependencies=READ, summary="Detector settings: defaults and their meaning")
def detectors() -> dict[str, Any]:
    return {
        "kinds": list(KINDS),
        "defaults": DetectorConfig().model_dump(),
        "schema": DetectorConfig.model_json_schema(),
    }


@router.post("/detect", dependencies=WRITE, summary="Run the detectors over stored positions")
def detect(body: DetectIn, engine: EngineDep) -> dict[str, Any]:
    config = load_config(body.config, where="config") if body.config else None
    result = service.run_detection(
        engine, since=body.since, until=body.until, config=config, kinds=body.kinds or KINDS
    )
    return result.as_dict()


@router.post("/ingest", dependencies=WRITE, summary="Upload an NMEA, AIS CSV or radar CSV file")
def ingest(
    engine: EngineDep,
    file: Annotated[UploadFile, File(description="NMEA 0183 (!AIVDM), AIS CSV or radar tracks CSV")],
    format: Annotated[str | None, Query(description="nmea, ais-csv or radar-csv; sniffed if absent")] = None,
) -> dict[str, Any]:
    suffix = Path(file.filename or "upload").suffix or ".txt"
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"upload{suffix}"
        size = 0
        with path.open("wb") as fh:
            while chunk := file.file.read(1024 * 1024):
                size += len(chunk)
                if size > MAX_UPLOAD:
                    raise PayloadTooLarge(
                        f"uploads are limited to {MAX_UPLOAD // 1024 // 1024} MB", where="file"
                    )
                fh.write(chunk)
        result = service.ingest_file(engine, path, format).as_dict()
    result["source"] = file.filename or "upload"
    return result


@router.get("/ingests", dependencies=READ, summary="Recent ingests with their rejection counts")
def ingests(session: SessionDep, limit: Annotated[int, Query(ge=1, le=500)] = 50) -> list[dict[str, Any]]:
    return service.list_ingests(session, limit)


@router.get("/vessels", dependencies=READ, summary="Vessels seen (search by name, MMSI or IMO)")
def vessels(
    session: SessionDep,
    q: str | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> dict[str, Any]:
    return service.list_vessels(session, q, limit, offset)


@router.get("/vessels/{vessel}", dependencies=READ, summary="A vessel with its static data and flag")
def vessel(vessel: str, session: SessionDep) -> dict[str, Any]:
    return service.get_vessel(session, vessel)


# The list is not filtered by office: users limited to their own offices see it on /alerts instead.
@router.get(
    "/vessels/{vessel}/consignments",
    dependencies=[*READ, Depends(agency_wide_only)],
    summary="Consignments on this vessel",
)
def vessel_consignments(vessel: str, session: SessionDep) -> list[dict[str, Any]]:
    return service.linked_consignments(session, vessel)


@router.get("/vessels/{vessel}/screening", dependencies=READ, summary="The vessel against the watch lists")
def vessel_screening(vessel: str, session: SessionDep) -> dict[str, Any]:
    return service.screen_vessel(session, vessel)


@router.get("/flag/{mmsi}", dependencies=READ, summary="The flag an MMSI claims (ITU MID table)")
def flag(mmsi: str) -> dict[str, Any]:
    from corridor.maritime.mid import flag_of

    found = flag_of(mmsi)
    if found is None:
        raise NotFound(f"{mmsi} is not a 9-digit MMSI with a known MID", where="mmsi")
    return {
        "mmsi": mmsi,
        "mid": found.mid,
        "flag": found.alpha2,
        "allocated_to": found.allocated_to,
        "station": found.station,
    }


@router.post("/zones", dependencies=WRITE, summary="Add or replace a user geofence (GeoJSON Polygon)")
def add_zone(body: ZoneIn, session: SessionDep) -> dict[str, Any]:
    return service.create_zone(session, body.code, body.name, body.geometry)


@router.delete("/zones/{code}", dependencies=WRITE, status_code=204, summary="Remove a user geofence")
def remove_zone(code: str, session: SessionDep) -> None:
    service.delete_zone(session, code)


@router.get("/map/tracks", dependencies=READ, summary="GeoJSON: AIS track segments and radar tracks")
def map_tracks(
    session: SessionDep,
    since: datetime | None = None,
    until: datetime | None = None,
    vessel: str | None = None,
    max_points: Annotated[int, Query(ge=2, le=5000)] = 200,
) -> dict[str, Any]:
    if since and until and since > until:
        raise InvalidInput("since is after until", where="since")
    return maplayers.tracks_geojson(session, since, until, vessel, max_points)


@router.get("/map/platforms", dependencies=READ, summary="GeoJSON: offshore installations (approximate)")
def map_platforms() -> dict[str, Any]:
    return maplayers.platforms_geojson()


@router.get("/map/zones", dependencies=READ, summary="GeoJSON: safety zones and user geofences")
def map_zones(session: SessionDep) -> dict[str, Any]:
    return maplayers.zones_geojson(session)


@router.get("/map/events", dependencies=READ, summary="GeoJSON: events as points (open ones by default)")
def map_events(
    session: SessionDep,
    status: str | None = "open",
    kind: str | None = None,
    limit: Annotated[int, Query(ge=1, le=5000)] = 1000,
) -> dict[str, Any]:
    return maplayers.events_geojson(session, status or None, kind, limit)
