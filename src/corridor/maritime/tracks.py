"""Tracks: positions per vessel sorted in time, cleaned of impossible jumps and cut into segments.

Like Global Fishing Watch's segmenter, a position that could not be reached from the track at a
plausible speed does not belong to it. A short burst of such positions (1 to 3) between two
mutually plausible ones is an outlier (a spoofed or garbled report) and is set aside without
breaking the track; any other impossible jump, or a silence longer than a day, starts a new
segment. GFW assigns each point to the best of several open segments; we keep one open segment
per vessel, which is the same outcome for everything but two transmitters sharing one MMSI.
"""

from __future__ import annotations

import polars as pl

from corridor.maritime.config import SegmentConfig
from corridor.maritime.geo import KNOT_MS, haversine_expr

MAX_OUTLIER_RUN = 3


def prepare(positions: pl.DataFrame) -> pl.DataFrame:
    """Sorted by vessel and time, one position per vessel and instant."""
    return positions.unique(subset=["vessel", "ts"], keep="first").sort("vessel", "ts")


def with_steps(frame: pl.DataFrame) -> pl.DataFrame:
    """Adds dt_s, step_m and implied_kn from the previous position of the same vessel."""
    prev_lat = pl.col("lat").shift(1).over("vessel")
    prev_lon = pl.col("lon").shift(1).over("vessel")
    dt = (pl.col("ts") - pl.col("ts").shift(1).over("vessel")).dt.total_microseconds() / 1e6
    return frame.with_columns(
        dt.alias("dt_s"), haversine_expr(prev_lat, prev_lon, pl.col("lat"), pl.col("lon")).alias("step_m")
    ).with_columns(
        pl.when(pl.col("dt_s") > 0)
        .then(pl.col("step_m") / pl.col("dt_s") / KNOT_MS)
        .when(pl.col("step_m") > 0)
        .then(float("inf"))
        .otherwise(0.0)
        .alias("implied_kn")
    )


def _jump(cfg: SegmentConfig) -> pl.Expr:
    return (pl.col("step_m") > cfg.noise_m) & (pl.col("implied_kn") > cfg.max_speed_knots)


def _outliers(frame: pl.DataFrame, cfg: SegmentConfig) -> pl.Series:
    """True for positions in a short run of jumps between two mutually plausible positions."""
    jump = _jump(cfg).fill_null(False)
    flags = []
    for k in range(1, MAX_OUTLIER_RUN + 1):
        # Rows i..i+k-1 are outliers if there is a jump into row i, a jump out of row i+k-1 (into
        # row i+k), none between, and row i-1 to row i+k is itself plausible.
        before_lat, before_lon = pl.col("lat").shift(1).over("vessel"), pl.col("lon").shift(1).over("vessel")
        after_lat, after_lon = pl.col("lat").shift(-k).over("vessel"), pl.col("lon").shift(-k).over("vessel")
        span_s = (
            pl.col("ts").shift(-k).over("vessel") - pl.col("ts").shift(1).over("vessel")
        ).dt.total_seconds()
        bridge_m = haversine_expr(before_lat, before_lon, after_lat, after_lon)
        plausible = (bridge_m <= cfg.noise_m) | (
            bridge_m / pl.max_horizontal(span_s, 1) / KNOT_MS <= cfg.max_speed_knots
        )
        quiet_inside = pl.all_horizontal(
            [~jump.shift(-j).over("vessel").fill_null(True) for j in range(1, k)] or [pl.lit(True)]
        )
        start = (
            jump & jump.shift(-k).over("vessel").fill_null(False) & quiet_inside & plausible.fill_null(False)
        )
        # Spread the start flag over the k rows of the run.
        flags.append(pl.any_horizontal([start.shift(j).over("vessel").fill_null(False) for j in range(k)]))
    return frame.select(pl.any_horizontal(flags).alias("outlier")).to_series()


def segment(positions: pl.DataFrame, cfg: SegmentConfig | None = None) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(clean positions with a `segment` number per vessel, outlier positions set aside)."""
    cfg = cfg or SegmentConfig()
    frame = with_steps(prepare(positions))
    outlier = _outliers(frame, cfg)
    outliers = frame.filter(outlier).select(positions.columns)
    clean = with_steps(frame.filter(~outlier).select(positions.columns))
    breaks = _jump(cfg) | (pl.col("dt_s") > cfg.max_gap_hours * 3600)
    clean = clean.with_columns(
        breaks.fill_null(True).cum_sum().over("vessel").cast(pl.Int32).alias("segment")
    )
    return clean, outliers


def segments_summary(clean: pl.DataFrame) -> pl.DataFrame:
    """One row per segment: vessel, segment, start, end, positions, length in metres."""
    return clean.group_by("vessel", "segment", maintain_order=True).agg(
        pl.col("ts").first().alias("start"),
        pl.col("ts").last().alias("end"),
        pl.len().alias("positions"),
        pl.col("step_m").slice(1).sum().alias("length_m"),
    )
