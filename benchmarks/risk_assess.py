"""Batch assessment throughput: 1,000,000 generated consignments, 100+ active profiles, every indicator.

    POLARS_MAX_THREADS=2 .venv/bin/python benchmarks/risk_assess.py [--rows 1000000] [--pool 50000]

Generating a million consignment objects takes minutes, so a pool of generated consignments
(planted scenarios included) is flattened once and tiled to the requested size with distinct keys;
the history (party sightings, HS-6 unit values) is a second, earlier generated pool. "End to end"
is from flattened frames to the finished result: indicators, the hit matrix, scores, lanes and the
hit list with evidence JSON. Flattening objects is measured on its own (it is the only per-row
Python step of the engine). The baseline evaluates the same compiled profiles one row at a time in
plain Python (risk/rowwise.py) on a sample of the same indicator rows — it is given the indicators
for free, which flatters it. Median of 3 runs; prints a table.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from datetime import date, timedelta

os.environ.setdefault("POLARS_MAX_THREADS", "2")

import polars as pl  # noqa: E402

from corridor.demo.catalogue import COMMODITIES  # noqa: E402
from corridor.demo.generator import generate  # noqa: E402
from corridor.risk.engine import AssessmentBatch, RiskContext, assess_frames, features  # noqa: E402
from corridor.risk.flatten import flatten, tile  # noqa: E402
from corridor.risk.history import History  # noqa: E402
from corridor.risk.language import parse_profiles, read_documents  # noqa: E402
from corridor.risk.library import load_starter  # noqa: E402
from corridor.risk.rowwise import hits_rowwise  # noqa: E402

COUNTRIES = ["IR", "AF", "CN", "TR", "RU", "KZ", "TM", "UZ", "AE", "HK", "GE", "DE", "IT", "BY", "IN"]


def variant_profiles(count: int) -> str:
    """Realistic extra profiles: HS-specific undervaluation, origin x chapter, new consignee x goods."""
    hs = sorted({c.hs[:4] for c in COMMODITIES.values()})
    docs = []
    for k in range(count):
        h = hs[k % len(hs)]
        kind = k % 3
        if kind == 0:
            when = (
                f"  goods: {{hs_code: {{hs_prefix: ['{h}']}}, unit_value: {{below_percentile: {5 + k % 3}}}}}"
            )
            title = f"Undervalued {h}"
        elif kind == 1:
            c = COUNTRIES[k % len(COUNTRIES)]
            when = f"  all:\n    - origin_country: {c}\n    - goods: {{hs_code: {{hs_prefix: ['{h[:2]}']}}}}"
            title = f"Chapter {h[:2]} from {c}"
        else:
            when = (
                f"  all:\n    - consignee: {{first_seen_within_days: {7 * (1 + k % 4)}}}\n"
                f"    - goods: {{hs_code: {{hs_prefix: ['{h}']}}, kg_per_package_z: {{gt: 2}}}}"
            )
            title = f"New consignee, heavy packages of {h}"
        docs.append(
            f"id: VAR-{k:03d}\ntitle: {title}\nowner: bench\nweight: {0.05 + (k % 7) / 20:.2f}\n"
            f"status: active\nrationale: generated variant for the benchmark\nwhen:\n{when}\n"
        )
    return "---\n".join(docs)


CPU: list[float] = []


def timed(fn: object) -> float:
    """Wall seconds; the process CPU seconds (all threads) go to CPU, to read figures on a busy host."""
    t0, c0 = time.perf_counter(), time.process_time()
    fn()  # type: ignore[operator]
    CPU.append(time.process_time() - c0)
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--pool", type=int, default=50_000)
    parser.add_argument("--sample", type=int, default=20_000, help="rows for the per-row baseline")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    start = date(2026, 6, 1)
    t0 = time.perf_counter()
    pool = list(generate(args.pool, 7, start=start))
    past = list(generate(args.pool, 7, start=start - timedelta(days=30), planted=False))
    gen_s = time.perf_counter() - t0

    starter, lists = load_starter()
    variants = parse_profiles(read_documents(variant_profiles(max(0, 104 - len(starter))), "variants"), lists)
    ctx = RiskContext.build(starter + variants, lists)
    n_profiles = len(ctx.compiled.profiles)

    t0 = time.perf_counter()
    frames = flatten(pool, ctx.compiled.attributes)
    flatten_s = time.perf_counter() - t0
    history = History.from_frames(flatten(past))
    big = tile(frames, -(-args.rows // frames.height))
    big.consignments = big.consignments.head(args.rows)
    big.goods = big.goods.filter(pl.col("_row") < args.rows)
    big.equipment = big.equipment.filter(pl.col("_row") < args.rows)
    n = big.height

    end_to_end, indicator_only, hits, e2e_cpu = [], [], 0, []
    results: list[AssessmentBatch] = []
    for _ in range(args.runs):
        end_to_end.append(timed(lambda: results.append(assess_frames(big, ctx, history))))
        e2e_cpu.append(CPU[-1])
        hits = results.pop().hits.height
        indicator_only.append(timed(lambda: features(big, ctx, history)))
    e2e = statistics.median(end_to_end)
    ind = statistics.median(indicator_only)

    # Baseline: the same compiled profiles, one Python row at a time, on indicator rows of a sample.
    sample = tile(frames, 1)
    sample.consignments = sample.consignments.head(args.sample)
    sample.goods = sample.goods.filter(pl.col("_row") < args.sample)
    sample.equipment = sample.equipment.filter(pl.col("_row") < args.sample)
    feats = features(sample, ctx, history)
    rows = feats.consignments.to_dicts()
    goods: dict[int, list[dict[str, object]]] = {}
    for item in feats.goods.to_dicts():
        goods.setdefault(int(item["_row"]), []).append(item)  # type: ignore[call-overload]
    base = statistics.median(timed(lambda: hits_rowwise(ctx.compiled, rows, goods)) for _ in range(args.runs))
    base_rate = len(rows) / base
    profile_stage = max(e2e - ind, 1e-9)

    print(
        f"\nRisk assessment benchmark — {n:,} consignments ({frames.height:,}-consignment generated pool tiled "
        f"{-(-args.rows // frames.height)}x), {n_profiles} active profiles, all indicators, "
        f"POLARS_MAX_THREADS={os.environ['POLARS_MAX_THREADS']}, cpus={os.cpu_count()}"
    )
    print(
        f"goods items {big.goods.height:,}; hits produced {hits:,}; pool generation {gen_s:.1f} s (not timed)\n"
    )
    table = [
        ("end to end (frames -> scores, lanes, hits+evidence)", e2e, n / e2e),
        ("  of which indicators (history joins, z-scores, lists)", ind, n / ind),
        ("  of which profiles, score, lanes, evidence", profile_stage, n / profile_stage),
        ("flatten objects -> frames (pool, per-row Python)", flatten_s, frames.height / flatten_s),
        (f"baseline: per-row Python profiles ({len(rows):,}-row sample)", base, base_rate),
    ]
    print(f"{'stage':<62} {'seconds':>9} {'rows/s':>12}")
    for name, secs, rate in table:
        print(f"{name:<62} {secs:>9.2f} {rate:>12,.0f}")
    print(f"\nratio end to end / per-row baseline:            {n / e2e / base_rate:>8.1f}x")
    print(f"ratio profile stage / per-row baseline:         {n / profile_stage / base_rate:>8.1f}x")
    print(
        f"runs (end to end, s): {', '.join(f'{x:.2f}' for x in end_to_end)}; "
        f"CPU seconds (all threads): {', '.join(f'{x:.2f}' for x in e2e_cpu)}"
    )
    print(f"load average during the run: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
