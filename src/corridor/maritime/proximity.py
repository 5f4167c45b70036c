"""Two-object detectors: encounters between vessels, and radar targets no AIS vessel explains.

Both avoid comparing all pairs. Positions are put into time bins and a spatial grid whose cells
are at least as wide as the distance that matters; each position is then compared only with the
positions in its own and the 8 neighbouring cells of the same (or neighbouring) bins, through an
equi-join on (bin, cell). The work grows with the number of positions, not its square.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import polars as pl

from corridor.maritime.config import DarkConfig, EncounterConfig
from corridor.maritime.events import Event, iso, nearest_platform, point, sample_path
from corridor.maritime.geo import (
    EARTH_RADIUS_M,
    KNOT_MS,
    haversine_expr,
    metres_to_lat_deg,
    metres_to_lon_deg,
)

NEIGHBOURS = pl.DataFrame({"dx": [-1, -1, -1, 0, 0, 0, 1, 1, 1], "dy": [-1, 0, 1, -1, 0, 1, -1, 0, 1]})
# The fastest a vessel is assumed to move when widening the search around an AIS position.
MAX_VESSEL_KNOTS = 30.0


def _grid(frame: pl.DataFrame, cell_m: float) -> tuple[pl.Expr, pl.Expr]:
    max_lat = float(frame["lat"].abs().max() or 0.0)  # type: ignore[arg-type]
    cell_lat = metres_to_lat_deg(cell_m)
    cell_lon = metres_to_lon_deg(cell_m, min(max_lat, 85.0))
    return (pl.col("lon") / cell_lon).floor().cast(pl.Int64), (pl.col("lat") / cell_lat).floor().cast(
        pl.Int64
    )


def _bin(minutes: float) -> pl.Expr:
    return (pl.col("ts").dt.epoch("s") // int(minutes * 60)).cast(pl.Int64)


def binned_positions(clean: pl.DataFrame, cfg: EncounterConfig) -> pl.DataFrame:
    """One mean position (and median speed) per vessel per time bin."""
    speed = pl.coalesce(pl.col("sog"), pl.col("implied_kn").fill_nan(None))
    return (
        clean.with_columns(_bin(cfg.bin_minutes).alias("bin"), speed.alias("speed"))
        .group_by("vessel", "bin")
        .agg(pl.col("lat").mean(), pl.col("lon").mean(), pl.col("speed").median())
    )


def encounter_pairs(binned: pl.DataFrame, cfg: EncounterConfig) -> pl.DataFrame:
    """Every (bin, vessel a < vessel b) pair closer than max_distance_m, with the distance."""
    if binned.is_empty():
        return pl.DataFrame()
    cx, cy = _grid(binned, cfg.max_distance_m)
    cells = binned.with_columns(cx.alias("cx"), cy.alias("cy"))
    right = cells.join(NEIGHBOURS, how="cross").with_columns(
        (pl.col("cx") + pl.col("dx")).alias("cx"), (pl.col("cy") + pl.col("dy")).alias("cy")
    )
    pairs = cells.join(right, on=["bin", "cx", "cy"], suffix="_b").filter(
        pl.col("vessel") < pl.col("vessel_b")
    )
    return pairs.with_columns(
        haversine_expr(pl.col("lat"), pl.col("lon"), pl.col("lat_b"), pl.col("lon_b")).alias("dist_m")
    ).filter(pl.col("dist_m") <= cfg.max_distance_m)


def detect_encounters(clean: pl.DataFrame, cfg: EncounterConfig) -> list[Event]:
    """Two vessels within max_distance_m for min_hours or more, both at a median speed below the limit (GFW)."""
    pairs = encounter_pairs(binned_positions(clean, cfg), cfg)
    if pairs.is_empty():
        return []
    step = pl.col("bin") - pl.col("bin").shift(1)
    runs = (
        pairs.sort("vessel", "vessel_b", "bin")
        .with_columns(
            (step > cfg.max_missing_bins + 1)
            .over("vessel", "vessel_b")
            .fill_null(True)
            .cum_sum()
            .over("vessel", "vessel_b")
            .alias("run")
        )
        .group_by("vessel", "vessel_b", "run", maintain_order=True)
        .agg(
            pl.col("bin").first().alias("first_bin"),
            pl.col("bin").last().alias("last_bin"),
            pl.len().alias("bins"),
            pl.col("dist_m").min().alias("min_m"),
            pl.col("dist_m").median().alias("median_m"),
            pl.col("speed").median().alias("speed_a"),
            pl.col("speed_b").median().alias("speed_b"),
            pl.col("lat").mean().alias("clat"),
            pl.col("lon").mean().alias("clon"),
            pl.struct("bin", "lat", "lon", "lat_b", "lon_b", "dist_m").alias("track"),
        )
    )
    bin_s = int(cfg.bin_minutes * 60)
    runs = runs.with_columns(((pl.col("last_bin") - pl.col("first_bin") + 1) * bin_s).alias("dur_s")).filter(
        (pl.col("dur_s") >= cfg.min_hours * 3600)
        & (pl.col("speed_a").fill_null(0) < cfg.max_median_speed_knots)
        & (pl.col("speed_b").fill_null(0) < cfg.max_median_speed_knots)
    )
    events = []
    for row in runs.iter_rows(named=True):
        start = datetime.fromtimestamp(row["first_bin"] * bin_s, tz=UTC)
        end = datetime.fromtimestamp((row["last_bin"] + 1) * bin_s, tz=UTC)
        path = [{"ts": datetime.fromtimestamp(t["bin"] * bin_s, tz=UTC), **t} for t in row["track"]]
        events.append(
            Event(
                kind="encounter",
                vessel=row["vessel"],
                other=row["vessel_b"],
                start=start,
                end=end,
                lat=row["clat"],
                lon=row["clon"],
                severity="suspicious",
                summary=f"encounter with {row['vessel_b']} for {row['dur_s'] / 3600:.1f} h, "
                f"median {row['median_m']:.0f} m apart",
                evidence={
                    "duration_hours": round(row["dur_s"] / 3600, 2),
                    "bins_together": row["bins"],
                    "bin_minutes": cfg.bin_minutes,
                    "min_distance_m": round(row["min_m"]),
                    "median_distance_m": round(row["median_m"]),
                    "median_speed_knots": {
                        row["vessel"]: _round(row["speed_a"]),
                        row["vessel_b"]: _round(row["speed_b"]),
                    },
                    "location": point(None, row["clat"], row["clon"]),
                    "nearest_platform": nearest_platform(row["clat"], row["clon"]),
                    "path": sample_path(path, 30),
                },
            )
        )
    return events


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def match_radar(radar: pl.DataFrame, ais: pl.DataFrame, cfg: DarkConfig) -> pl.DataFrame:
    """Per radar plot: whether an AIS position explains it, and the nearest AIS vessel and distance.

    An AIS position explains a plot when, dead-reckoned with its speed and course to the plot's
    time, it lies within match_distance_m, and the two times differ by at most match_minutes.
    """
    plots = radar.sort("track", "ts").with_row_index("plot")
    if ais.is_empty():
        return plots.with_columns(
            pl.lit(False).alias("matched"),
            pl.lit(None, pl.Utf8).alias("nearest"),
            pl.lit(None, pl.Float64).alias("nearest_m"),
        )
    reach_m = cfg.match_distance_m + MAX_VESSEL_KNOTS * KNOT_MS * cfg.match_minutes * 60
    both = pl.concat([plots.select("lat", "lon"), ais.select("lat", "lon")])
    cx, cy = _grid(both, reach_m)
    bin_expr = _bin(cfg.match_minutes)
    keyed_ais = ais.select(
        "vessel", "ts", "lat", "lon", "sog", "cog", bin_expr.alias("bin"), cx.alias("cx"), cy.alias("cy")
    )
    offsets = NEIGHBOURS.join(pl.DataFrame({"db": [-1, 0, 1]}), how="cross")
    keyed_plots = (
        plots.select("plot", "ts", "lat", "lon", bin_expr.alias("bin"), cx.alias("cx"), cy.alias("cy"))
        .join(offsets, how="cross")
        .with_columns(
            (pl.col("bin") + pl.col("db")).alias("bin"),
            (pl.col("cx") + pl.col("dx")).alias("cx"),
            (pl.col("cy") + pl.col("dy")).alias("cy"),
        )
    )
    cand = keyed_plots.join(keyed_ais, on=["bin", "cx", "cy"], suffix="_ais")
    dt = (pl.col("ts") - pl.col("ts_ais")).dt.total_microseconds() / 1e6
    moved = pl.col("sog").fill_null(0) * KNOT_MS * dt
    course = pl.col("cog").fill_null(0).radians()
    lat_dr = pl.col("lat_ais") + (moved * course.cos() / EARTH_RADIUS_M).degrees()
    lon_dr = (
        pl.col("lon_ais")
        + (moved * course.sin() / (EARTH_RADIUS_M * pl.col("lat_ais").radians().cos())).degrees()
    )
    cand = (
        cand.with_columns(dt.alias("dt_s"))
        .filter(pl.col("dt_s").abs() <= cfg.match_minutes * 60)
        .with_columns(haversine_expr(pl.col("lat"), pl.col("lon"), lat_dr, lon_dr).alias("dist_m"))
    )
    best = (
        cand.sort("dist_m")
        .group_by("plot")
        .agg(pl.col("vessel").first().alias("nearest"), pl.col("dist_m").first().alias("nearest_m"))
    )
    return (
        plots.join(best, on="plot", how="left")
        .with_columns((pl.col("nearest_m") <= cfg.match_distance_m).fill_null(False).alias("matched"))
        .sort("plot")
    )


def detect_dark_targets(radar: pl.DataFrame, ais: pl.DataFrame, cfg: DarkConfig) -> list[Event]:
    """Radar tracks that AIS does not explain: a vessel at sea that is not transmitting."""
    if radar.is_empty():
        return []
    matched = match_radar(radar, ais.select("vessel", "ts", "lat", "lon", "sog", "cog"), cfg)
    tracks = (
        matched.group_by("track", maintain_order=True)
        .agg(
            pl.col("ts").first().alias("start"),
            pl.col("ts").last().alias("end"),
            pl.len().alias("plots"),
            pl.col("matched").mean().alias("matched_fraction"),
            pl.col("nearest_m").min().alias("nearest_m"),
            pl.col("nearest").sort_by("nearest_m").first().alias("nearest"),
            pl.col("speed").median().alias("median_speed"),
            pl.struct("ts", "lat", "lon").alias("path"),
        )
        .with_columns((pl.col("end") - pl.col("start")).dt.total_seconds().alias("dur_s"))
        .filter(
            (pl.col("matched_fraction") <= cfg.max_matched_fraction)
            & (pl.col("plots") >= cfg.min_plots)
            & (pl.col("dur_s") >= cfg.min_minutes * 60)
        )
    )
    events = []
    for row in tracks.iter_rows(named=True):
        path = row["path"]
        closest: dict[str, Any] = min(
            (
                nearest_platform(p["lat"], p["lon"]) | {"ts": p["ts"]}
                for p in path[:: max(1, len(path) // 50)]
            ),
            key=lambda item: float(item["distance_m"]),
        )
        first = path[0]
        events.append(
            Event(
                kind="dark_target",
                vessel=row["track"],
                start=row["start"],
                end=row["end"],
                lat=first["lat"],
                lon=first["lon"],
                severity="suspicious",
                summary=f"radar track {row['track']} for {row['dur_s'] / 60:.0f} min with no AIS vessel "
                f"within {cfg.match_distance_m:.0f} m ({row['matched_fraction'] * 100:.0f}% of plots explained)",
                evidence={
                    "plots": row["plots"],
                    "duration_minutes": round(row["dur_s"] / 60, 1),
                    "matched_fraction": round(row["matched_fraction"], 3),
                    "match_distance_m": cfg.match_distance_m,
                    "match_minutes": cfg.match_minutes,
                    "nearest_ais_vessel": row["nearest"],
                    "nearest_ais_m": None if row["nearest_m"] is None else round(row["nearest_m"]),
                    "median_speed_knots": _round(row["median_speed"]),
                    "closest_platform": {**closest, "ts": iso(closest["ts"])},
                    "path": sample_path(path),
                },
            )
        )
    return events
