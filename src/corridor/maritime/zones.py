"""Offshore installations with their safety zones, and user-drawn polygons (geofences).

The installations table (data/platforms.csv) holds approximate positions from public sources
(operators' publications, encyclopaedias, maps); they are good to a few hundred metres at best and
must not be used for navigation. The 500 m radius is the safety zone of UNCLOS art. 60(5).
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from shapely.geometry import Polygon
from shapely.validation import explain_validity

from corridor.domain.errors import InvalidInput
from corridor.maritime.geo import offset
from corridor.maritime.mid import DATA


@dataclass(frozen=True, slots=True)
class Platform:
    id: str
    name: str
    kind: str
    operator: str
    country: str
    lat: float
    lon: float
    safety_zone_m: float
    note: str

    def geojson(self) -> dict[str, Any]:
        return {
            "type": "Feature",
            "id": self.id,
            "geometry": {"type": "Point", "coordinates": [self.lon, self.lat]},
            "properties": {
                "layer": "platform",
                "name": self.name,
                "kind": self.kind,
                "operator": self.operator,
                "country": self.country,
                "safety_zone_m": self.safety_zone_m,
                "note": self.note,
                "approximate": True,
            },
        }


@lru_cache(maxsize=1)
def platforms() -> tuple[Platform, ...]:
    with (DATA / "platforms.csv").open(encoding="utf-8") as fh:
        return tuple(
            Platform(
                id=row["id"],
                name=row["name"],
                kind=row["kind"],
                operator=row["operator"],
                country=row["country"],
                lat=float(row["lat"]),
                lon=float(row["lon"]),
                safety_zone_m=float(row["safety_zone_m"]),
                note=row["note"],
            )
            for row in csv.DictReader(fh)
        )


def platform(platform_id: str) -> Platform | None:
    return next((p for p in platforms() if p.id == platform_id), None)


@dataclass(frozen=True, slots=True)
class Zone:
    """A geofence: a circle around a point (safety zone) or a polygon (lon/lat rings, GeoJSON order)."""

    id: str
    name: str
    kind: str  # "safety_zone" or "polygon"
    center: tuple[float, float] | None = None  # (lat, lon)
    radius_m: float | None = None
    ring: tuple[tuple[float, float], ...] = field(default_factory=tuple)  # ((lon, lat), ...)

    def bounds(self) -> tuple[float, float, float, float]:
        """(min_lat, min_lon, max_lat, max_lon)."""
        if self.center is not None and self.radius_m is not None:
            lat, lon = self.center
            north, east = offset(lat, lon, self.radius_m, self.radius_m)
            south, west = offset(lat, lon, -self.radius_m, -self.radius_m)
            return south, west, north, east
        lons = [p[0] for p in self.ring]
        lats = [p[1] for p in self.ring]
        return min(lats), min(lons), max(lats), max(lons)

    def polygon(self) -> Polygon:
        if self.center is not None and self.radius_m is not None:
            return Polygon(circle_ring(self.center[0], self.center[1], self.radius_m))
        return Polygon(self.ring)

    def geojson(self) -> dict[str, Any]:
        ring = (
            circle_ring(self.center[0], self.center[1], self.radius_m)
            if self.center is not None and self.radius_m is not None
            else list(self.ring)
        )
        return {
            "type": "Feature",
            "id": self.id,
            "geometry": {"type": "Polygon", "coordinates": [[list(p) for p in ring]]},
            "properties": {"layer": "zone", "name": self.name, "kind": self.kind, "radius_m": self.radius_m},
        }


def circle_ring(lat: float, lon: float, radius_m: float, points: int = 48) -> list[tuple[float, float]]:
    ring = []
    for i in range(points):
        angle = 2 * math.pi * i / points
        plat, plon = offset(lat, lon, radius_m * math.cos(angle), radius_m * math.sin(angle))
        ring.append((round(plon, 7), round(plat, 7)))
    ring.append(ring[0])
    return ring


def safety_zones(radius_m: float | None = None) -> list[Zone]:
    """The safety zone of every packaged installation (its own radius unless one is given)."""
    return [
        Zone(
            id=f"safety:{p.id}",
            name=f"{p.name} safety zone",
            kind="safety_zone",
            center=(p.lat, p.lon),
            radius_m=radius_m if radius_m is not None else p.safety_zone_m,
        )
        for p in platforms()
    ]


def polygon_zone(zone_id: str, name: str, geometry: dict[str, Any], *, where: str = "geometry") -> Zone:
    """A user zone from a GeoJSON Polygon (outer ring only); bad shapes are refused with the reason."""
    if not isinstance(geometry, dict) or geometry.get("type") != "Polygon":
        raise InvalidInput("a zone must be a GeoJSON Polygon", where=where)
    coords = geometry.get("coordinates")
    if not isinstance(coords, list) or not coords or not isinstance(coords[0], list):
        raise InvalidInput("a Polygon needs coordinates: [[[lon, lat], ...]]", where=f"{where}.coordinates")
    ring: list[tuple[float, float]] = []
    for i, point in enumerate(coords[0]):
        if (
            not isinstance(point, list | tuple)
            or len(point) < 2
            or not all(isinstance(v, int | float) for v in point[:2])
        ):
            raise InvalidInput("a position must be [lon, lat]", where=f"{where}.coordinates[0][{i}]")
        lon, lat = float(point[0]), float(point[1])
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise InvalidInput(
                f"[{lon}, {lat}] is not a [lon, lat] position", where=f"{where}.coordinates[0][{i}]"
            )
        ring.append((lon, lat))
    if len(ring) >= 2 and ring[0] == ring[-1]:
        ring.pop()
    if len(ring) < 3:
        raise InvalidInput("a polygon needs at least 3 distinct corners", where=f"{where}.coordinates")
    ring.append(ring[0])
    shape = Polygon(ring)
    if not shape.is_valid:
        raise InvalidInput(
            f"the polygon is not valid: {explain_validity(shape)}", where=f"{where}.coordinates"
        )
    return Zone(id=zone_id, name=name, kind="polygon", ring=tuple(ring))
