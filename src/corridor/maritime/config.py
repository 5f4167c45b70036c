"""Detector settings with their published defaults; every number can be changed per run.

Defaults follow Global Fishing Watch's published event definitions where GFW has one (AIS
disabling, loitering, encounters, segmentation) and common practice elsewhere (UNCLOS 500 m
safety zones). docs/maritime.md lists them with their sources.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from corridor.domain.errors import InvalidInput


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SegmentConfig(_Section):
    max_speed_knots: float = Field(30.0, gt=0, description="a jump implying more than this splits a track")
    noise_m: float = Field(1000.0, ge=0, description="jumps shorter than this never split (GPS noise)")
    max_gap_hours: float = Field(24.0, gt=0, description="silence longer than this starts a new segment")


class GapConfig(_Section):
    alert_hours: float = Field(6.0, gt=0, description="a silence this long is an alert")
    suspicious_hours: float = Field(12.0, gt=0, description="a silence this long is suspicious (GFW)")
    prior_window_hours: float = Field(12.0, gt=0, description="window before the gap checked for reception")
    min_prior_positions: int = Field(
        14, ge=0, description="positions needed in the window: the vessel was transmitting well (GFW)"
    )
    open_ended: bool = Field(True, description="report gaps still running at the end of the data")


class LoiterConfig(_Section):
    max_speed_knots: float = Field(2.0, gt=0)
    min_hours: float = Field(4.0, gt=0)
    max_break_minutes: float = Field(30.0, ge=0, description="a longer silence ends a loitering run")


class EncounterConfig(_Section):
    max_distance_m: float = Field(500.0, gt=0)
    min_hours: float = Field(2.0, gt=0)
    max_median_speed_knots: float = Field(2.0, gt=0)
    bin_minutes: float = Field(10.0, gt=0, description="positions are compared in time bins of this size")
    max_missing_bins: int = Field(2, ge=0, description="bins without both vessels tolerated inside a run")


class GeofenceConfig(_Section):
    safety_zone_m: float | None = Field(
        None, gt=0, description="radius around installations; None uses each installation's own (500 m)"
    )
    include_platforms: bool = True
    exempt_vessels: list[str] = Field(
        default_factory=list, description="MMSIs allowed in zones (supply boats)"
    )
    max_break_minutes: float = Field(
        60.0, ge=0, description="leaving and re-entering within this is one visit"
    )


class SpoofConfig(_Section):
    max_speed_knots: float = Field(50.0, gt=0, description="implied speed above this is impossible at sea")
    min_jump_m: float = Field(5000.0, ge=0, description="smaller jumps are positioning noise")
    merge_minutes: float = Field(60.0, ge=0, description="jumps of one vessel this close are one event")


class DarkConfig(_Section):
    match_distance_m: float = Field(
        1000.0, gt=0, description="AIS within this distance explains a radar plot"
    )
    match_minutes: float = Field(5.0, gt=0, description="...and within this time (AIS is dead-reckoned)")
    max_matched_fraction: float = Field(
        0.2, ge=0, le=1, description="a track is dark when at most this share of its plots is explained"
    )
    min_plots: int = Field(5, ge=1)
    min_minutes: float = Field(15.0, ge=0)


class DetectorConfig(_Section):
    segment: SegmentConfig = Field(default_factory=SegmentConfig)
    gap: GapConfig = Field(default_factory=GapConfig)
    loiter: LoiterConfig = Field(default_factory=LoiterConfig)
    encounter: EncounterConfig = Field(default_factory=EncounterConfig)
    geofence: GeofenceConfig = Field(default_factory=GeofenceConfig)
    spoof: SpoofConfig = Field(default_factory=SpoofConfig)
    dark: DarkConfig = Field(default_factory=DarkConfig)


def load_config(data: dict[str, Any] | None = None, *, where: str = "config") -> DetectorConfig:
    try:
        return DetectorConfig.model_validate(data or {})
    except ValidationError as error:
        first = error.errors()[0]
        place = ".".join(str(p) for p in first["loc"])
        raise InvalidInput(f"bad detector setting: {first['msg']}", where=f"{where}: {place}") from None


def load_config_file(path: Path) -> DetectorConfig:
    """Settings from a JSON or YAML file (only the numbers to change)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise InvalidInput(f"cannot read the settings file: {error.strerror}", where=str(path)) from None
    try:
        if path.suffix.lower() in (".yaml", ".yml"):
            import yaml

            data = yaml.safe_load(text)
        else:
            data = json.loads(text)
    except Exception as error:
        raise InvalidInput(
            f"the settings file is not valid {path.suffix[1:] or 'JSON'}: {error}", where=str(path)
        ) from None
    if data is not None and not isinstance(data, dict):
        raise InvalidInput("the settings file must hold a mapping of sections", where=str(path))
    return load_config(data, where=str(path))
