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


def vshift(expr: pl.Expr, n: int = 1) -> pl.Expr:
    """expr shifted by n rows within the same vessel (null across vessels).

    Frames are sorted by vessel, so a plain shift plus a same-vessel check does what
    `.shift(n).over("vessel")` does, without a group-by per expression (several times faster).
    Needs the integer vessel number `vid` that prepare() adds (comparing integers, not strings).
    """
    same = pl.col("vid").shift(n) == pl.col("vid")
    return pl.when(same).then(expr.shift(n))


def prepare(positions: pl.DataFrame) -> pl.DataFrame:
    """Sorted by vessel and time, one position per vessel and instant, with an integer vessel number `vid`."""
    # Sorting first makes duplicates neighbours: a shift finds them faster than a hash-based unique().
    ordered = positions.sort("vessel", "ts", maintain_order=True)
    duplicate = (pl.col("vessel") == pl.col("vessel").shift(1)) & (pl.col("ts") == pl.col("ts").shift(1))
    vid = (pl.col("vessel") != pl.col("vessel").shift(1)).fill_null(True).cum_sum().cast(pl.UInt32)
    return ordered.filter(~duplicate.fill_null(False)).with_columns(vid.alias("vid"))


def with_steps(frame: pl.DataFrame) -> pl.DataFrame:
    """Adds dt_s, step_m and implied_kn from the previous position of the same vessel."""
    prev_lat = vshift(pl.col("lat"), 1)
    prev_lon = vshift(pl.col("lon"), 1)
    dt = (pl.col("ts") - vshift(pl.col("ts"), 1)).dt.total_microseconds() / 1e6
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
    # Columns are materialised step by step: Polars does not share sub-expressions across shifts.
    frame = frame.with_columns(
        _jump(cfg).fill_null(False).alias("_jump"),
        vshift(pl.col("lat"), 1).alias("_blat"),
        vshift(pl.col("lon"), 1).alias("_blon"),
        vshift(pl.col("ts"), 1).alias("_bts"),
    )
    jump = pl.col("_jump")
    starts = []
    for k in range(1, MAX_OUTLIER_RUN + 1):
        # Rows i..i+k-1 are outliers if there is a jump into row i, a jump out of row i+k-1 (into
        # row i+k), none between, and row i-1 to row i+k is itself plausible.
        span_s = (vshift(pl.col("ts"), -k) - pl.col("_bts")).dt.total_seconds()
        bridge_m = haversine_expr(
            pl.col("_blat"), pl.col("_blon"), vshift(pl.col("lat"), -k), vshift(pl.col("lon"), -k)
        )
        plausible = (bridge_m <= cfg.noise_m) | (
            bridge_m / pl.max_horizontal(span_s, 1) / KNOT_MS <= cfg.max_speed_knots
        )
        quiet_inside = pl.all_horizontal(
            [~vshift(jump, -j).fill_null(True) for j in range(1, k)] or [pl.lit(True)]
        )
        start = jump & vshift(jump, -k).fill_null(False) & quiet_inside & plausible.fill_null(False)
        starts.append(start.alias(f"_start{k}"))
    frame = frame.with_columns(starts)
    # Spread each start flag over the k rows of its run.
    spread = [
        vshift(pl.col(f"_start{k}"), j).fill_null(False)
        for k in range(1, MAX_OUTLIER_RUN + 1)
        for j in range(k)
    ]
    return frame.select(pl.any_horizontal(spread).alias("outlier")).to_series()


def segment(positions: pl.DataFrame, cfg: SegmentConfig | None = None) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(clean positions with a `segment` number per vessel, outlier positions set aside)."""
    cfg = cfg or SegmentConfig()
    frame = with_steps(prepare(positions))
    outlier = _outliers(frame, cfg)
    outliers = frame.filter(outlier).select(positions.columns)
    clean = with_steps(frame.filter(~outlier).select(*positions.columns, "vid"))
    breaks = _jump(cfg) | (pl.col("dt_s") > cfg.max_gap_hours * 3600)
    clean = clean.with_columns(breaks.fill_null(True).cum_sum().over("vid").cast(pl.Int32).alias("segment"))
    return clean, outliers


def segments_summary(clean: pl.DataFrame) -> pl.DataFrame:
    """One row per segment: vessel, segment, start, end, positions, length in metres."""
    return clean.group_by("vessel", "segment", maintain_order=True).agg(
        pl.col("ts").first().alias("start"),
        pl.col("ts").last().alias("end"),
        pl.len().alias("positions"),
        pl.col("step_m").slice(1).sum().alias("length_m"),
    )
