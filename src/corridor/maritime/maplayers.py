"""Map layers as GeoJSON FeatureCollections ([lon, lat]) that a Leaflet page draws as they are.

Every feature has `properties.layer` ("track", "radar", "platform", "zone", "event") to style on.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import polars as pl
from sqlalchemy import select
from sqlalchemy.orm import Session

from corridor.maritime.events import iso
from corridor.maritime.models import VesselRow
from corridor.maritime.service import list_events, user_zones
from corridor.maritime.store import load_positions, load_radar
from corridor.maritime.zones import platforms, safety_zones


def _collection(features: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": features}


def platforms_geojson() -> dict[str, Any]:
    return _collection([p.geojson() for p in platforms()])


def zones_geojson(session: Session) -> dict[str, Any]:
    return _collection([z.geojson() for z in safety_zones() + user_zones(session)])


def tracks_geojson(
    session: Session,
    since: datetime | None = None,
    until: datetime | None = None,
    vessel: str | None = None,
    max_points: int = 200,
) -> dict[str, Any]:
    """One LineString per vessel segment (at most max_points vertices), and the radar tracks."""
    from corridor.maritime.tracks import segment

    positions = load_positions(session, since, until, vessel)
    names = (
        {
            r.vessel: (r.name, r.flag)
            for r in session.scalars(
                select(VesselRow).where(VesselRow.vessel.in_(positions["vessel"].unique().to_list()[:5000]))
            )
        }
        if positions.height
        else {}
    )
    features = []
    if positions.height:
        clean, _ = segment(positions)
        for (vessel_id, seg), part in clean.group_by("vessel", "segment", maintain_order=True):
            features.append(
                _line(part, "track", str(vessel_id), int(seg), max_points, names.get(str(vessel_id)))
            )
    if vessel is None:
        radar = load_radar(session, since, until).rename({"track": "vessel", "speed": "sog"})
        for (track,), part in radar.group_by("vessel", maintain_order=True):
            features.append(_line(part, "radar", str(track), 1, max_points, None))
    return _collection(features)


def _line(
    part: pl.DataFrame,
    layer: str,
    ident: str,
    seg: int,
    max_points: int,
    info: tuple[str | None, str | None] | None,
) -> dict[str, Any]:
    step = max(1, -(-part.height // max_points))
    thin = part.gather_every(step)
    if thin["ts"][-1] != part["ts"][-1]:
        thin = pl.concat([thin, part.tail(1)])
    coords = [[round(lon, 6), round(lat, 6)] for lat, lon in thin.select("lat", "lon").iter_rows()]
    geometry = (
        {"type": "LineString", "coordinates": coords}
        if len(coords) > 1
        else {"type": "Point", "coordinates": coords[0]}
    )
    last = part.row(-1, named=True)
    return {
        "type": "Feature",
        "id": f"{layer}:{ident}:{seg}",
        "geometry": geometry,
        "properties": {
            "layer": layer,
            "vessel": ident,
            "segment": seg,
            "name": info[0] if info else None,
            "flag": info[1] if info else None,
            "start": iso(part["ts"][0]),
            "end": iso(last["ts"]),
            "positions": part.height,
            "last_speed_knots": last.get("sog"),
        },
    }


def events_geojson(
    session: Session, status: str | None = "open", kind: str | None = None, limit: int = 1000
) -> dict[str, Any]:
    page = list_events(session, status=status, kind=kind, limit=limit)
    return _collection(
        [
            {
                "type": "Feature",
                "id": f"event:{e['id']}",
                "geometry": {"type": "Point", "coordinates": [round(e["lon"], 6), round(e["lat"], 6)]},
                "properties": {"layer": "event", **{k: v for k, v in e.items() if k not in ("lat", "lon")}},
            }
            for e in page["items"]
        ]
    )
