"""The event every detector returns: what, who, when, where, how bad, and the evidence."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from corridor.maritime.geo import haversine_m
from corridor.maritime.zones import platforms

KINDS = ("ais_gap", "loitering", "encounter", "geofence", "spoofing", "dark_target")


@dataclass(slots=True)
class Event:
    kind: str
    vessel: str  # MMSI (or source id) of the vessel; radar track id for dark targets
    start: datetime
    end: datetime | None  # None: still going on at the end of the data
    lat: float
    lon: float
    severity: str  # "alert" or "suspicious"
    summary: str
    other: str | None = None  # the second vessel of an encounter, the zone of a geofence entry
    evidence: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> str:
        """Natural key: the same behaviour found again is the same event (re-detection is idempotent)."""
        return f"{self.kind}:{self.vessel}:{self.other or '-'}:{self.start.strftime('%Y%m%dT%H%M%S')}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "kind": self.kind,
            "vessel": self.vessel,
            "other": self.other,
            "start": iso(self.start),
            "end": iso(self.end),
            "lat": self.lat,
            "lon": self.lon,
            "severity": self.severity,
            "summary": self.summary,
            "evidence": self.evidence,
        }


def iso(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value is not None else None


def nearest_platform(lat: float, lon: float) -> dict[str, Any]:
    best = min(platforms(), key=lambda p: haversine_m(lat, lon, p.lat, p.lon))
    return {"id": best.id, "name": best.name, "distance_m": round(haversine_m(lat, lon, best.lat, best.lon))}


def point(ts: datetime | None, lat: float, lon: float, **extra: Any) -> dict[str, Any]:
    return {"ts": iso(ts), "lat": round(lat, 6), "lon": round(lon, 6), **extra}


def sample_path(rows: list[dict[str, Any]], limit: int = 50) -> list[dict[str, Any]]:
    """At most `limit` positions, evenly spread and always with the first and the last."""
    if len(rows) <= limit:
        chosen = rows
    else:
        step = (len(rows) - 1) / (limit - 1)
        chosen = [rows[round(i * step)] for i in range(limit)]
    return [point(r["ts"], r["lat"], r["lon"]) for r in chosen]
