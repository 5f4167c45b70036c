"""Detectors over a single vessel's track: AIS gaps, loitering, spoofing (position jumps), geofences.

Each is a vectorised Polars pass over positions sorted by vessel and time (tracks.segment), and
each returns Events whose evidence holds the positions, durations and distances behind them.
The two-vessel detectors (encounters, dark radar targets) are in proximity.py.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import numpy as np
import polars as pl
import shapely

from corridor.maritime.config import GapConfig, GeofenceConfig, LoiterConfig, SpoofConfig
from corridor.maritime.events import Event, nearest_platform, point, sample_path
from corridor.maritime.geo import KNOT_MS, haversine_expr
from corridor.maritime.tracks import prepare, vshift, with_steps
from corridor.maritime.zones import Zone


def _hours(seconds: float) -> float:
    return round(seconds / 3600.0, 2)


def detect_gaps(clean: pl.DataFrame, cfg: GapConfig, as_of: datetime | None = None) -> list[Event]:
    """Silences of `alert_hours` or more after a vessel was transmitting well (GFW's AIS disabling)."""
    if clean.is_empty():
        return []
    as_of = as_of or clean["ts"].max()  # type: ignore[assignment]
    window = f"{int(cfg.prior_window_hours * 3600)}s"
    # Positions in the window before each position (itself included): was reception good?
    counts = (
        clean.select("vessel", "ts")
        .rolling(index_column="ts", period=window, group_by="vessel")
        .agg(pl.len().alias("prior_positions"))
    )
    frame = clean.with_columns(counts["prior_positions"]).with_columns(
        vshift(pl.col("ts"), -1).alias("next_ts"),
        vshift(pl.col("lat"), -1).alias("next_lat"),
        vshift(pl.col("lon"), -1).alias("next_lon"),
    )
    frame = frame.with_columns(
        pl.coalesce(pl.col("next_ts"), pl.lit(as_of) if cfg.open_ended else pl.lit(None)).alias("until")
    ).with_columns(((pl.col("until") - pl.col("ts")).dt.total_seconds()).alias("gap_s"))
    gaps = frame.filter(
        (pl.col("gap_s") >= cfg.alert_hours * 3600) & (pl.col("prior_positions") >= cfg.min_prior_positions)
    ).with_columns(
        haversine_expr(pl.col("lat"), pl.col("lon"), pl.col("next_lat"), pl.col("next_lon")).alias("gap_m")
    )
    events = []
    for row in gaps.iter_rows(named=True):
        hours = row["gap_s"] / 3600.0
        ongoing = row["next_ts"] is None
        severity = "suspicious" if hours >= cfg.suspicious_hours else "alert"
        evidence: dict[str, Any] = {
            "gap_hours": round(hours, 2),
            "ongoing": ongoing,
            "last_position": point(row["ts"], row["lat"], row["lon"], sog=row["sog"]),
            "prior_positions": row["prior_positions"],
            "prior_window_hours": cfg.prior_window_hours,
            "nearest_platform": nearest_platform(row["lat"], row["lon"]),
        }
        if not ongoing:
            evidence["next_position"] = point(row["next_ts"], row["next_lat"], row["next_lon"])
            evidence["distance_m"] = round(row["gap_m"])
            evidence["implied_speed_knots"] = round(row["gap_m"] / max(row["gap_s"], 1) / KNOT_MS, 2)
        events.append(
            Event(
                kind="ais_gap",
                vessel=row["vessel"],
                start=row["ts"],
                end=row["next_ts"],
                lat=row["lat"],
                lon=row["lon"],
                severity=severity,
                summary=f"AIS silent for {hours:.1f} h{' (still silent)' if ongoing else ''} "
                f"after {row['prior_positions']} positions in {cfg.prior_window_hours:g} h",
                evidence=evidence,
            )
        )
    return events


def _speed_expr() -> pl.Expr:
    # Reported speed over ground when there is one; otherwise the speed implied by the last step.
    return pl.coalesce(pl.col("sog"), pl.col("implied_kn").fill_nan(None))


def detect_loitering(clean: pl.DataFrame, cfg: LoiterConfig) -> list[Event]:
    """Runs of positions slower than `max_speed_knots` lasting `min_hours` or more."""
    if clean.is_empty():
        return []
    frame = clean.with_columns(_speed_expr().alias("speed"))
    slow = (pl.col("speed") < cfg.max_speed_knots).fill_null(False)
    new_run = (slow != vshift(slow, 1)).fill_null(True) | (
        pl.col("dt_s") > cfg.max_break_minutes * 60
    ).fill_null(True)
    # Every vessel starts a new run (vshift is null across vessels), so run numbers are unique overall.
    frame = frame.with_columns(slow.alias("slow"), new_run.cum_sum().alias("run"))
    runs = (
        frame.filter(pl.col("slow"))
        .group_by("vessel", "run", maintain_order=True)
        .agg(
            pl.col("ts").first().alias("start"),
            pl.col("ts").last().alias("end"),
            pl.len().alias("positions"),
            pl.col("speed").median().alias("median_speed"),
            pl.col("lat").mean().alias("clat"),
            pl.col("lon").mean().alias("clon"),
            pl.struct("ts", "lat", "lon").alias("path"),
        )
        .with_columns((pl.col("end") - pl.col("start")).dt.total_seconds().alias("dur_s"))
        .filter(pl.col("dur_s") >= cfg.min_hours * 3600)
    )
    events = []
    for row in runs.iter_rows(named=True):
        path = row["path"]
        lats = np.array([p["lat"] for p in path])
        lons = np.array([p["lon"] for p in path])
        radius = float(np.max(haversine_np(lats, lons, row["clat"], row["clon"])) if len(path) else 0.0)
        events.append(
            Event(
                kind="loitering",
                vessel=row["vessel"],
                start=row["start"],
                end=row["end"],
                lat=row["clat"],
                lon=row["clon"],
                severity="alert",
                summary=f"loitering {row['dur_s'] / 3600:.1f} h at a median {row['median_speed']:.1f} kn",
                evidence={
                    "duration_hours": _hours(row["dur_s"]),
                    "median_speed_knots": round(row["median_speed"], 2),
                    "positions": row["positions"],
                    "radius_m": round(radius),
                    "centroid": point(None, row["clat"], row["clon"]),
                    "nearest_platform": nearest_platform(row["clat"], row["clon"]),
                    "path": sample_path(path),
                },
            )
        )
    return events


def haversine_np(lat: np.ndarray, lon: np.ndarray, lat0: float, lon0: float) -> np.ndarray:
    p1, p2 = np.radians(lat), np.radians(lat0)
    a = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(np.radians(lon0 - lon) / 2) ** 2
    result: np.ndarray = 2 * 6_371_008.8 * np.arcsin(np.sqrt(np.clip(a, 0, 1)))
    return result


def detect_spoofing(positions: pl.DataFrame, cfg: SpoofConfig) -> list[Event]:
    """Position jumps implying more than `max_speed_knots`; jumps of one vessel close in time are one event.

    Runs on the raw positions (before outliers are set aside): the outliers are the evidence.
    """
    if positions.is_empty():
        return []
    frame = with_steps(prepare(positions)).with_columns(
        vshift(pl.col("ts"), 1).alias("from_ts"),
        vshift(pl.col("lat"), 1).alias("from_lat"),
        vshift(pl.col("lon"), 1).alias("from_lon"),
    )
    jumps = frame.filter(
        (pl.col("step_m") > cfg.min_jump_m) & (pl.col("implied_kn") > cfg.max_speed_knots)
    ).with_columns(
        (
            ((pl.col("ts") - vshift(pl.col("ts"), 1)).dt.total_seconds() > cfg.merge_minutes * 60)
            .fill_null(True)
            .cum_sum()
            .over("vessel")
        ).alias("burst")
    )
    groups = jumps.group_by("vessel", "burst", maintain_order=True).agg(
        pl.col("from_ts").first().alias("start"),
        pl.col("ts").last().alias("end"),
        pl.len().alias("jumps"),
        pl.col("step_m").max().alias("max_jump_m"),
        pl.col("implied_kn").max().alias("max_kn"),
        pl.struct("from_ts", "from_lat", "from_lon", "ts", "lat", "lon", "step_m", "implied_kn").alias(
            "list"
        ),
    )
    events = []
    for row in groups.iter_rows(named=True):
        first = row["list"][0]
        max_kn = row["max_kn"]
        evidence_jumps = [
            {
                "from": point(j["from_ts"], j["from_lat"], j["from_lon"]),
                "to": point(j["ts"], j["lat"], j["lon"]),
                "distance_m": round(j["step_m"]),
                "implied_speed_knots": None if j["implied_kn"] == float("inf") else round(j["implied_kn"], 1),
            }
            for j in row["list"][:20]
        ]
        events.append(
            Event(
                kind="spoofing",
                vessel=row["vessel"],
                start=row["start"],
                end=row["end"],
                lat=first["from_lat"],
                lon=first["from_lon"],
                severity="suspicious" if row["jumps"] >= 2 else "alert",
                summary=f"{row['jumps']} impossible position jump(s), up to {row['max_jump_m'] / 1000:.1f} km"
                + ("" if max_kn == float("inf") else f" at an implied {max_kn:.0f} kn"),
                evidence={
                    "jumps": evidence_jumps,
                    "max_jump_m": round(row["max_jump_m"]),
                    "threshold_knots": cfg.max_speed_knots,
                },
            )
        )
    return events


def inside_zones(frame: pl.DataFrame, zones: list[Zone]) -> pl.DataFrame:
    """Rows (index, zone, distance to the zone's centre or None) for positions inside each zone."""
    parts = []
    base = frame.select(pl.int_range(pl.len()).alias("idx"), "lat", "lon")
    for zone in zones:
        south, west, north, east = zone.bounds()
        box = base.filter(pl.col("lat").is_between(south, north) & pl.col("lon").is_between(west, east))
        if box.is_empty():
            continue
        if zone.center is not None and zone.radius_m is not None:
            hit = box.with_columns(
                haversine_expr(
                    pl.col("lat"), pl.col("lon"), pl.lit(zone.center[0]), pl.lit(zone.center[1])
                ).alias("dist_m")
            ).filter(pl.col("dist_m") <= zone.radius_m)
        else:
            mask = shapely.contains_xy(zone.polygon(), box["lon"].to_numpy(), box["lat"].to_numpy())
            hit = box.filter(pl.Series(mask)).with_columns(pl.lit(None, pl.Float64).alias("dist_m"))
        parts.append(hit.select("idx", pl.lit(zone.id).alias("zone"), "dist_m"))
    if not parts:
        return pl.DataFrame(schema={"idx": pl.Int64, "zone": pl.Utf8, "dist_m": pl.Float64})
    return pl.concat(parts).with_columns(pl.col("idx").cast(pl.Int64))


def detect_geofence(clean: pl.DataFrame, zones: list[Zone], cfg: GeofenceConfig) -> list[Event]:
    """Visits of vessels inside safety zones and user polygons (one event per visit)."""
    if clean.is_empty() or not zones:
        return []
    frame = clean.filter(~pl.col("vessel").is_in(cfg.exempt_vessels)) if cfg.exempt_vessels else clean
    hits = inside_zones(frame, zones)
    if hits.is_empty():
        return []
    inside = (
        frame.with_row_index("idx")
        .with_columns(pl.col("idx").cast(pl.Int64))
        .join(hits, on="idx")
        .sort("vessel", "zone", "ts")
        .with_columns(_speed_expr().alias("speed"))
    )
    visit_break = (pl.col("ts") - pl.col("ts").shift(1)).over("vessel", "zone").dt.total_seconds()
    inside = inside.with_columns(
        (visit_break > cfg.max_break_minutes * 60)
        .fill_null(True)
        .cum_sum()
        .over("vessel", "zone")
        .alias("visit")
    )
    visits = inside.group_by("vessel", "zone", "visit", maintain_order=True).agg(
        pl.col("ts").first().alias("start"),
        pl.col("ts").last().alias("end"),
        pl.len().alias("positions"),
        pl.col("dist_m").min().alias("closest_m"),
        pl.col("speed").median().alias("median_speed"),
        pl.struct("ts", "lat", "lon").alias("path"),
    )
    names = {z.id: z for z in zones}
    events = []
    for row in visits.iter_rows(named=True):
        zone = names[row["zone"]]
        entry = row["path"][0]
        minutes = (row["end"] - row["start"]).total_seconds() / 60
        evidence: dict[str, Any] = {
            "zone": {"id": zone.id, "name": zone.name, "kind": zone.kind, "radius_m": zone.radius_m},
            "entry": point(entry["ts"], entry["lat"], entry["lon"]),
            "duration_minutes": round(minutes, 1),
            "positions_inside": row["positions"],
            "median_speed_knots": None if row["median_speed"] is None else round(row["median_speed"], 2),
            "path": sample_path(row["path"]),
        }
        if row["closest_m"] is not None:
            evidence["closest_approach_m"] = round(row["closest_m"])
        events.append(
            Event(
                kind="geofence",
                vessel=row["vessel"],
                other=zone.id,
                start=row["start"],
                end=row["end"],
                lat=entry["lat"],
                lon=entry["lon"],
                severity="suspicious" if zone.kind == "safety_zone" else "alert",
                summary=f"inside {zone.name} for {minutes:.0f} min"
                + (
                    f", {row['closest_m']:.0f} m from the installation"
                    if row["closest_m"] is not None
                    else ""
                ),
                evidence=evidence,
            )
        )
    return events
