"""All detectors over one picture (AIS positions + radar plots), in one call."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import polars as pl

from corridor.maritime.config import DetectorConfig
from corridor.maritime.detectors import detect_gaps, detect_geofence, detect_loitering, detect_spoofing
from corridor.maritime.events import KINDS, Event
from corridor.maritime.proximity import detect_dark_targets, detect_encounters
from corridor.maritime.readers import empty_radar
from corridor.maritime.tracks import segment
from corridor.maritime.zones import Zone, safety_zones


def detect_all(
    positions: pl.DataFrame,
    radar: pl.DataFrame | None = None,
    config: DetectorConfig | None = None,
    user_zones: Iterable[Zone] = (),
    *,
    kinds: Iterable[str] = KINDS,
    as_of: datetime | None = None,
) -> list[Event]:
    """Every event of the chosen kinds, sorted by start time."""
    config = config or DetectorConfig()
    wanted = set(kinds)
    radar = radar if radar is not None else empty_radar()
    clean, _outliers = segment(positions, config.segment)
    events: list[Event] = []
    if "ais_gap" in wanted:
        events += detect_gaps(clean, config.gap, as_of)
    if "loitering" in wanted:
        events += detect_loitering(clean, config.loiter)
    if "encounter" in wanted:
        events += detect_encounters(clean, config.encounter)
    if "geofence" in wanted:
        zones = list(user_zones)
        if config.geofence.include_platforms:
            zones += safety_zones(config.geofence.safety_zone_m)
        events += detect_geofence(clean, zones, config.geofence)
    if "spoofing" in wanted:
        events += detect_spoofing(positions, config.spoof)
    if "dark_target" in wanted:
        events += detect_dark_targets(radar, clean, config.dark)
    return sorted(events, key=lambda e: (e.start, e.kind, e.vessel))
