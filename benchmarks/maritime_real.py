"""Maritime detectors on real AIS: the Ever Given sample (Suez Canal, 20-24 March 2021).

Loads MovingPandas' `boat-positions.csv` (VesselsValue AIS, anonymised ids, no speed or course)
through Corridor's AIS CSV reader, in memory (no database), runs segmentation and every detector
with default settings, and prints:

(a) events per kind (count, severity, median duration, ongoing at the end of the data, rough area)
    with the longest few as examples (vessel, start, duration, position);
(b) throughput: median of `runs` runs of Corridor segmentation + all detectors (positions/min),
    and in the same run MovingPandas' `TrajectoryStopDetector` on the same positions (building the
    TrajectoryCollection, then the stop points), with the ratio. Polars is limited to `--threads`
    threads (default 2) before it is imported.

The stop detector is given the loitering detector's duration (4 h) and a 1 km diameter; it is
the nearest thing MovingPandas has to a loitering detector, not the same rule.

Run: .venv/bin/python benchmarks/maritime_real.py [--csv PATH] [--runs 3] [--threads 2] [--examples 3]
Needs the `bench` extra for the MovingPandas column (`pip install -e .[bench]`); without it the
column says so.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import warnings
from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

GROUNDING = datetime(2021, 3, 23, 3, 40, tzinfo=UTC)  # Ever Given aground, about 05:40 local time
DEFAULT_CSV = Path("/work/shared/data/ais/movingpandas_boat-positions_evergiven_2021.csv")

# Rough areas of the Suez Canal route (lat/lon boxes, for reading the events, not for detection).
# The Ever Given grounded at about 30.018 N, 32.580 E (canal km 151, south of the Little Bitter Lake)
# on 23 March 2021 around 05:40 local time (03:40 UTC) and was refloated on 29 March.
AREAS: tuple[tuple[str, float, float, float, float], ...] = (
    # name, lat_min, lat_max, lon_min, lon_max
    ("Port Said anchorage / Med approach", 31.25, 90.0, -180.0, 180.0),
    ("canal north (Port Said-Ismailia)", 30.45, 31.25, -180.0, 180.0),
    ("Great Bitter Lake", 30.20, 30.45, 32.28, 32.50),
    ("canal south (Bitter Lakes-Suez)", 29.97, 30.45, -180.0, 180.0),
    ("Suez Bay / Gulf of Suez anchorage", -90.0, 29.97, -180.0, 180.0),
)


def area_of(lat: float, lon: float) -> str:
    for name, lat0, lat1, lon0, lon1 in AREAS:
        if lat0 <= lat < lat1 and lon0 <= lon < lon1:
            return name
    return "other"


def timed(fn: Callable[[], Any], runs: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def hours(event: Any, data_end: Any) -> float:
    end = event.end if event.end is not None else data_end
    return (end - event.start).total_seconds() / 3600.0


def print_events(events: list[Any], data_end: Any, examples: int) -> None:
    from corridor.maritime.events import KINDS

    by_kind: dict[str, list[Any]] = defaultdict(list)
    for e in events:
        by_kind[e.kind].append(e)
    print(
        "(a) Events per kind (default settings); <23/03 and >=23/03: started before/after the grounding (03:40 UTC)"
    )
    header = (
        f"{'kind':<12} {'events':>6} {'alert':>6} {'susp.':>6} {'ongoing':>7} {'vessels':>7} "
        f"{'median h':>8} {'<23/03':>6} {'>=23/03':>7}  main areas"
    )
    print(header)
    print("-" * len(header))
    for kind in KINDS:
        found = by_kind.get(kind, [])
        sev = Counter(e.severity for e in found)
        areas = Counter(area_of(e.lat, e.lon) for e in found).most_common(3)
        med = f"{statistics.median(hours(e, data_end) for e in found):8.1f}" if found else f"{'-':>8}"
        print(
            f"{kind:<12} {len(found):>6} {sev['alert']:>6} {sev['suspicious']:>6} "
            f"{sum(e.end is None for e in found):>7} {len({e.vessel for e in found}):>7} {med} "
            f"{sum(e.start < GROUNDING for e in found):>6} {sum(e.start >= GROUNDING for e in found):>7}  "
            + ", ".join(f"{a} {n}" for a, n in areas)
        )
    print(f"{'total':<12} {len(events):>6}")
    print()
    print(
        f"Examples: the {examples} longest events of each kind (duration to the end of the data if ongoing)"
    )
    header = (
        f"{'kind':<12} {'vessel':<11} {'start (UTC)':<17} {'hours':>6} {'lat':>9} {'lon':>9}  area / summary"
    )
    print(header)
    print("-" * len(header))
    for kind in KINDS:
        found = sorted(by_kind.get(kind, []), key=lambda e: -hours(e, data_end))
        for e in found[:examples]:
            who = e.vessel if e.other is None else f"{e.vessel}+{e.other}"
            print(
                f"{kind:<12} {who:<11} {e.start:%Y-%m-%d %H:%M} {hours(e, data_end):>6.1f} "
                f"{e.lat:>9.4f} {e.lon:>9.4f}  {area_of(e.lat, e.lon)}; {e.summary}"
            )


def movingpandas_stops(positions: Any, min_hours: float, max_diameter_m: float) -> tuple[int, int]:
    """(trajectories, stop points) from MovingPandas' TrajectoryStopDetector on the same positions."""
    import geopandas as gpd
    import movingpandas as mpd

    frame = positions.select("vessel", "ts", "lat", "lon").to_pandas()
    frame["ts"] = frame["ts"].dt.tz_localize(None)
    gdf = gpd.GeoDataFrame(
        frame[["vessel", "ts"]], geometry=gpd.points_from_xy(frame["lon"], frame["lat"]), crs="EPSG:4326"
    )
    collection = mpd.TrajectoryCollection(gdf, "vessel", t="ts", min_length=0)
    stops = mpd.TrajectoryStopDetector(collection).get_stop_points(
        min_duration=timedelta(hours=min_hours), max_diameter=max_diameter_m
    )
    return len(collection.trajectories), len(stops)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--csv", type=Path, default=DEFAULT_CSV)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2, help="Polars threads (POLARS_MAX_THREADS)")
    parser.add_argument("--examples", type=int, default=3)
    parser.add_argument("--stop-diameter-m", type=float, default=1000.0)
    args = parser.parse_args()
    os.environ["POLARS_MAX_THREADS"] = str(args.threads)

    import polars as pl

    from corridor.maritime.config import DetectorConfig
    from corridor.maritime.pipeline import detect_all
    from corridor.maritime.readers import read_ais_csv
    from corridor.maritime.tracks import segment

    t0 = time.perf_counter()
    positions, statics, report = read_ais_csv(args.csv)
    read_s = time.perf_counter() - t0
    cfg = DetectorConfig()
    data_end = positions["ts"].max()
    clean, outliers = segment(positions, cfg.segment)
    segments = clean.select("vessel", "segment").n_unique() if "segment" in clean.columns else "-"
    print(f"Data: {args.csv.name}")
    print(
        f"  {report.lines:,} rows, {positions.height:,} positions, {report.rejected_total} rejected, "
        f"{positions['vessel'].n_unique()} vessels, {positions['ts'].min():%Y-%m-%d %H:%M} to "
        f"{data_end:%Y-%m-%d %H:%M} UTC; no speed/course columns (speeds are implied by positions)"
    )
    print(
        f"  segmentation: {clean.height:,} positions kept in {segments} segments, "
        f"{outliers.height} outliers set aside; read in {read_s:.2f} s"
    )
    print()

    events = detect_all(positions, None, cfg, as_of=data_end)
    print_events(events, data_end, args.examples)
    print()

    n = positions.height
    corridor_s, _ = timed(lambda: detect_all(positions, None, cfg, as_of=data_end), args.runs)
    mp_note = ""
    try:
        with warnings.catch_warnings():  # "Missing optional dependencies" (Stone Soup, for smoothers)
            warnings.simplefilter("ignore")
            import movingpandas

        mp_s, (trajectories, stops) = timed(
            lambda: movingpandas_stops(positions, cfg.loiter.min_hours, args.stop_diameter_m), args.runs
        )
        mp_note = (
            f"MovingPandas {movingpandas.__version__}: {trajectories} trajectories, {stops} stops "
            f"(>= {cfg.loiter.min_hours:g} h within {args.stop_diameter_m:g} m) vs "
            f"{sum(e.kind == 'loitering' for e in events)} loitering events"
        )
    except ImportError as error:
        mp_s = None
        mp_note = f"MovingPandas not installed ({error}); install the bench extra"

    print(
        f"(b) Throughput on {n:,} positions, median of {args.runs} runs, "
        f"POLARS_MAX_THREADS={args.threads}, {os.cpu_count()} CPUs visible, Polars {pl.__version__}, "
        f"Python {sys.version.split()[0]}"
    )
    header = f"{'what':<46} {'seconds':>8} {'positions/min':>14} {'ratio':>7}"
    print(header)
    print("-" * len(header))
    print(
        f"{'Corridor segmentation + 6 detectors':<46} {corridor_s:>8.3f} {n / corridor_s * 60:>14,.0f} {'1.0x':>7}"
    )
    if mp_s is not None:
        print(
            f"{'MovingPandas TrajectoryStopDetector':<46} {mp_s:>8.3f} {n / mp_s * 60:>14,.0f} "
            f"{mp_s / corridor_s:>6.1f}x"
        )
    else:
        print(f"{'MovingPandas TrajectoryStopDetector':<46} {'-':>8} {'-':>14} {'-':>7}")
    print(f"ratio: MovingPandas seconds / Corridor seconds. {mp_note}")


if __name__ == "__main__":
    main()
