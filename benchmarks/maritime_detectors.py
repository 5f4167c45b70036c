"""Detection throughput on a generated Caspian day, vectorised (Polars) against a naive per-row baseline.

The baseline is what one writes first: Python loops over the rows of each vessel, encounters by
comparing every pair of vessels in every time bin, dark targets by scanning every AIS position of
the neighbouring minutes for each radar plot, geofences by testing every position against every
zone. Both run on the same data in the same run and must find the same number of events; the
baseline only runs on the sizes where it finishes in reasonable time.

Run: .venv/bin/python benchmarks/maritime_detectors.py [--sizes 100,400,2000] [--naive-max 400] [--runs 3]
Figures: median wall time of `runs` runs, positions per second, ratio naive/vectorised.
"""

from __future__ import annotations

import argparse
import math
import statistics
import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any

import polars as pl

from corridor.maritime.config import DetectorConfig
from corridor.maritime.geo import KNOT_MS, haversine_m
from corridor.maritime.pipeline import detect_all
from corridor.maritime.scenario import generate
from corridor.maritime.zones import Zone, safety_zones


def timed(fn: Callable[[], Any], runs: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def naive_detect(
    positions: pl.DataFrame, radar: pl.DataFrame, zones: list[Zone], cfg: DetectorConfig, as_of: Any
) -> dict[str, int]:
    """Per-row Python versions of the same rules (same thresholds, same simplifications)."""
    import shapely
    from shapely.geometry import Point

    rows = sorted(
        positions.unique(subset=["vessel", "ts"]).iter_rows(named=True), key=lambda r: (r["vessel"], r["ts"])
    )
    by_vessel: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        by_vessel[r["vessel"]].append(r)
    counts = dict.fromkeys(("ais_gap", "loitering", "encounter", "geofence", "spoofing", "dark_target"), 0)
    clean_all: list[dict[str, Any]] = []
    for track in by_vessel.values():
        # spoofing: raw consecutive jumps, merged within merge_minutes
        last_jump = None
        for a, b in zip(track, track[1:], strict=False):
            d = haversine_m(a["lat"], a["lon"], b["lat"], b["lon"])
            dt = (b["ts"] - a["ts"]).total_seconds()
            kn = d / dt / KNOT_MS if dt > 0 else math.inf
            if d > cfg.spoof.min_jump_m and kn > cfg.spoof.max_speed_knots:
                if last_jump is None or (b["ts"] - last_jump).total_seconds() > cfg.spoof.merge_minutes * 60:
                    counts["spoofing"] += 1
                last_jump = b["ts"]

        # outliers: 1-3 positions between two jumps whose ends are mutually plausible
        def jump(a: dict[str, Any], b: dict[str, Any]) -> bool:
            d = haversine_m(a["lat"], a["lon"], b["lat"], b["lon"])
            dt = (b["ts"] - a["ts"]).total_seconds()
            return d > cfg.segment.noise_m and (dt <= 0 or d / dt / KNOT_MS > cfg.segment.max_speed_knots)

        out = set()
        for i in range(1, len(track)):
            if not jump(track[i - 1], track[i]):
                continue
            for k in range(1, 4):
                if (
                    i + k < len(track)
                    and jump(track[i + k - 1], track[i + k])
                    and not any(jump(track[j - 1], track[j]) for j in range(i + 1, i + k))
                    and not jump(track[i - 1], track[i + k])
                ):
                    out.update(range(i, i + k))
                    break
        clean = [r for i, r in enumerate(track) if i not in out]
        prev = None
        for r in clean:
            if prev is None:
                r["implied"] = 0.0
            else:
                d = haversine_m(prev["lat"], prev["lon"], r["lat"], r["lon"])
                dt = (r["ts"] - prev["ts"]).total_seconds()
                r["implied"] = d / dt / KNOT_MS if dt > 0 else (math.inf if d else 0.0)
            prev = r
        clean_all += clean
        # gaps with prior reception
        for i, r in enumerate(clean):
            until = clean[i + 1]["ts"] if i + 1 < len(clean) else as_of
            gap = (until - r["ts"]).total_seconds()
            if gap >= cfg.gap.alert_hours * 3600:
                prior = sum(
                    1
                    for p in clean[: i + 1]
                    if (r["ts"] - p["ts"]).total_seconds() < cfg.gap.prior_window_hours * 3600
                )
                if prior >= cfg.gap.min_prior_positions:
                    counts["ais_gap"] += 1
        # loitering runs
        run_start = run_end = None
        last = None
        for r in clean + [None]:
            speed = None if r is None else (r["sog"] if r["sog"] is not None else r["implied"])
            slow = r is not None and speed is not None and speed < cfg.loiter.max_speed_knots
            broke = (
                r is None
                or last is None
                or (r["ts"] - last["ts"]).total_seconds() > cfg.loiter.max_break_minutes * 60
            )
            if run_start is not None and (not slow or broke):
                if (run_end - run_start).total_seconds() >= cfg.loiter.min_hours * 3600:
                    counts["loitering"] += 1
                run_start = None
            if slow and run_start is None:
                run_start = r["ts"]
            if slow:
                run_end = r["ts"]
            last = r
    # geofence: every clean position against every zone, visits split by max_break
    polys = {z.id: (z, z.polygon()) for z in zones}
    last_inside: dict[tuple[str, str], Any] = {}
    for r in clean_all:
        for zid, (z, poly) in polys.items():
            if z.center is not None and z.radius_m is not None:
                inside = haversine_m(r["lat"], r["lon"], *z.center) <= z.radius_m
            else:
                inside = shapely.contains(poly, Point(r["lon"], r["lat"]))
            if inside:
                key = (r["vessel"], zid)
                if (
                    key not in last_inside
                    or (r["ts"] - last_inside[key]).total_seconds() > cfg.geofence.max_break_minutes * 60
                ):
                    counts["geofence"] += 1
                last_inside[key] = r["ts"]
    # encounters: every pair of vessels in every bin
    bin_s = int(cfg.encounter.bin_minutes * 60)
    bins: dict[int, dict[str, list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))
    for r in clean_all:
        bins[int(r["ts"].timestamp()) // bin_s][r["vessel"]].append(r)
    close: dict[tuple[str, str], list[tuple[int, float, float]]] = defaultdict(list)
    for b, vessels in bins.items():
        means = {
            v: (
                sum(p["lat"] for p in ps) / len(ps),
                sum(p["lon"] for p in ps) / len(ps),
                statistics.median([p["sog"] if p["sog"] is not None else p["implied"] for p in ps]),
            )
            for v, ps in vessels.items()
        }
        names = sorted(means)
        for i, a in enumerate(names):
            for bname in names[i + 1 :]:
                if (
                    haversine_m(means[a][0], means[a][1], means[bname][0], means[bname][1])
                    <= cfg.encounter.max_distance_m
                ):
                    close[(a, bname)].append((b, means[a][2], means[bname][2]))
    for hits in close.values():
        hits.sort()
        run = [hits[0]]
        for h in hits[1:] + [None]:  # type: ignore[list-item]
            if h is not None and h[0] - run[-1][0] <= cfg.encounter.max_missing_bins + 1:
                run.append(h)
                continue
            dur = (run[-1][0] - run[0][0] + 1) * bin_s
            if (
                dur >= cfg.encounter.min_hours * 3600
                and statistics.median(x[1] for x in run) < cfg.encounter.max_median_speed_knots
                and statistics.median(x[2] for x in run) < cfg.encounter.max_median_speed_knots
            ):
                counts["encounter"] += 1
            if h is not None:
                run = [h]
    # dark targets: each radar plot against every AIS position of the neighbouring time bins
    tb = int(cfg.dark.match_minutes * 60)
    ais_bins: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for r in clean_all:
        ais_bins[int(r["ts"].timestamp()) // tb].append(r)
    tracks: dict[str, list[bool]] = defaultdict(list)
    spans: dict[str, list[Any]] = defaultdict(list)
    for p in radar.iter_rows(named=True):
        t = int(p["ts"].timestamp())
        matched = False
        for b in (t // tb - 1, t // tb, t // tb + 1):
            for a in ais_bins.get(b, ()):
                dt = (p["ts"] - a["ts"]).total_seconds()
                if abs(dt) > tb:
                    continue
                moved = (a["sog"] or 0) * KNOT_MS * dt
                c = math.radians(a["cog"] or 0)
                lat = a["lat"] + math.degrees(moved * math.cos(c) / 6_371_008.8)
                lon = a["lon"] + math.degrees(
                    moved * math.sin(c) / (6_371_008.8 * math.cos(math.radians(a["lat"])))
                )
                if haversine_m(p["lat"], p["lon"], lat, lon) <= cfg.dark.match_distance_m:
                    matched = True
                    break
            if matched:
                break
        tracks[p["track"]].append(matched)
        spans[p["track"]].append(p["ts"])
    for track, flags in tracks.items():
        dur = (max(spans[track]) - min(spans[track])).total_seconds()
        if (
            sum(flags) / len(flags) <= cfg.dark.max_matched_fraction
            and len(flags) >= cfg.dark.min_plots
            and dur >= cfg.dark.min_minutes * 60
        ):
            counts["dark_target"] += 1
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="100,400,2000", help="background vessels per generated day")
    parser.add_argument("--interval", type=float, default=60.0, help="seconds between AIS reports")
    parser.add_argument("--naive-max", type=int, default=400, help="largest size the baseline runs on")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    cfg = DetectorConfig()
    header = f"{'vessels':>8} {'positions':>10} {'radar':>6} {'vectorised s':>13} {'pos/s':>11} {'naive s':>9} {'naive/vec':>10} {'events':>7}  same"
    print(header)
    print("-" * len(header))
    for size in (int(s) for s in args.sizes.split(",")):
        s = generate(7, background=size, interval_s=args.interval)
        zones = s.user_zones + safety_zones()
        vec_s, events = timed(
            lambda s=s: detect_all(s.positions, s.radar, cfg, s.user_zones, as_of=s.end), args.runs
        )
        counts: dict[str, int] = defaultdict(int)
        for e in events:
            counts[e.kind] += 1
        naive = "-"
        ratio = "-"
        same = "-"
        if size <= args.naive_max:
            naive_s, naive_counts = timed(
                lambda s=s, zones=zones: naive_detect(s.positions, s.radar, zones, cfg, s.end), 1
            )
            naive, ratio = f"{naive_s:9.2f}", f"{naive_s / vec_s:9.1f}x"
            same = (
                "yes"
                if all(naive_counts[k] == counts.get(k, 0) for k in naive_counts)
                else f"no {naive_counts}"
            )
        n = s.positions.height
        print(
            f"{size:>8} {n:>10,} {s.radar.height:>6,} {vec_s:>13.2f} {n / vec_s:>11,.0f} {naive:>9} {ratio:>10} {len(events):>7}  {same}"
        )


if __name__ == "__main__":
    main()
