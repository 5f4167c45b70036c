"""Precursor and strategic-goods (CHPL) detection on a controlled labelled set, and the throughput of
the mismatch check and of all goods indicators per 100,000 goods items.

1. Detection: benchmarks/data/goods_controlled_eval.csv (made by scripts/build_goods_controlled_eval.py;
   see there how the rows were made and the guards against circularity). Every row is run through
   `match_precursors(text, declared_hs)` and `match_strategic(text, declared_hs)`; a predicted name or
   HS-6 in the expected set is a true positive, one outside it a false positive, an expected one not
   predicted a false negative (micro-averaged per kind of row). Scored twice: with all evidence, and
   with description evidence only (HS-code matches dropped), since a listed code declared with an
   innocuous description is a code match by design. Rows whose text contains a name of the matcher's
   own tables (in_matcher_table = 1) are also reported apart from the rest.
2. Throughput: demo goods from `corridor.demo.generator.generate(count, seed)`, the first 100,000 goods
   items; `check_many` on every item with a description and a code of 4+ digits (no deduplication),
   `check_many` on the distinct pairs only, and `goods_indicators(frame)` (deduplicates itself, then
   precursor, strategic and mismatch per distinct pair, and joins back); median of 3 runs each, after
   one warm-up call that loads the suggester.

Run: .venv/bin/python benchmarks/goods_controlled.py [--items 100000] [--runs 3] [--seed 7]
"""

from __future__ import annotations

import argparse
import csv
import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import polars as pl

from corridor.demo.generator import generate
from corridor.goods.indicators import goods_indicators
from corridor.goods.mismatch import check_many
from corridor.goods.precursors import match_precursors
from corridor.goods.strategic import match_strategic
from corridor.goods.suggest import default_suggester

DATA = Path(__file__).resolve().parent / "data" / "goods_controlled_eval.csv"
KINDS = (
    "exact", "typo1", "typo2", "typo_ru", "synonym_en", "russian", "cas", "hs_code",
    "neg_near", "neg_ordinary", "neg_cas_bad", "neg_hs_innocuous",
)  # fmt: skip


def split(value: str) -> set[str]:
    return {v.strip() for v in value.split(";") if v.strip()}


def predict(row: dict[str, str], text_only: bool) -> tuple[set[str], set[str]]:
    hs = row["declared_hs"] or None
    pre = {
        m.precursor.name
        for m in match_precursors(row["text"], hs)
        if not (text_only and m.matched_by == "hs_code")
    }
    strat = {
        m.item.hs6 for m in match_strategic(row["text"], hs) if not (text_only and m.matched_by == "hs_code")
    }
    return pre, strat


def counts(pairs: list[tuple[set[str], set[str]]]) -> tuple[int, int, int]:
    tp = sum(len(p & e) for p, e in pairs)
    fp = sum(len(p - e) for p, e in pairs)
    fn = sum(len(e - p) for p, e in pairs)
    return tp, fp, fn


def fmt(tp: int, fp: int, fn: int) -> str:
    def ratio(a: int, b: int) -> str:
        return f"{a / b:5.3f}" if b else "  n/a"

    p = tp / (tp + fp) if tp + fp else None
    r = tp / (tp + fn) if tp + fn else None
    f1 = f"{2 * p * r / (p + r):5.3f}" if p is not None and r is not None and p + r else "  n/a"
    return f"{tp:4d} {fp:4d} {fn:4d}  {ratio(tp, tp + fp)}  {ratio(tp, tp + fn)}  {f1}"


def detection(rows: list[dict[str, str]]) -> None:
    print(f"labelled set: {len(rows)} rows ({sum(r['lang'] == 'ru' for r in rows)} Russian), {DATA.name}")
    header = f"{'kind':<22}{'rows':>5} | {'precursors: TP   FP   FN      P      R     F1':<44}"
    header += f" | {'strategic (CHPL): TP   FP   FN      P      R     F1'}"
    for text_only in (False, True):
        preds = [predict(r, text_only) for r in rows]
        print()
        print(
            "evidence: "
            + ("description only (HS-code matches dropped)" if text_only else "all (HS code, CAS, names)")
        )
        print(header)
        print("-" * len(header))

        def line(label: str, chosen: list[int], preds: list[tuple[set[str], set[str]]] = preds) -> None:
            pre = counts([(preds[i][0], split(rows[i]["expected_precursor"])) for i in chosen])
            strat = counts(
                [
                    (preds[i][1], {s.split("/")[0] for s in split(rows[i]["expected_strategic"])})
                    for i in chosen
                ]
            )
            print(f"{label:<22}{len(chosen):5d} | {'':<13}{fmt(*pre)} | {'':<19}{fmt(*strat)}")

        for kind in KINDS:
            line(kind, [i for i, r in enumerate(rows) if r["kind"] == kind])
        print("-" * len(header))
        line(
            "positives, in table",
            [
                i
                for i, r in enumerate(rows)
                if not r["kind"].startswith("neg") and r["in_matcher_table"] == "1"
            ],
        )
        line(
            "positives, not in table",
            [
                i
                for i, r in enumerate(rows)
                if not r["kind"].startswith("neg") and r["in_matcher_table"] == "0"
            ],
        )
        line("English", [i for i, r in enumerate(rows) if r["lang"] == "en"])
        line("Russian", [i for i, r in enumerate(rows) if r["lang"] == "ru"])
        line("all", list(range(len(rows))))


def demo_goods(items: int, seed: int) -> pl.DataFrame:
    descriptions: list[str | None] = []
    codes: list[str | None] = []
    for consignment in generate(items, seed):
        for g in consignment.goods:
            descriptions.append(g.description)
            codes.append(g.hs_code)
            if len(descriptions) == items:
                return pl.DataFrame(
                    {"goods.description": descriptions, "goods.hs_code": codes},
                    schema={"goods.description": pl.String, "goods.hs_code": pl.String},
                )
    raise RuntimeError("the generator ran out of goods")


def median_seconds(fn: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def throughput(items: int, runs: int, seed: int) -> None:
    started = time.perf_counter()
    frame = demo_goods(items, seed)
    made = time.perf_counter() - started
    pairs = [(d, c) for d, c in frame.iter_rows() if d and d.strip() and c and len(c) >= 4 and c.isdigit()]
    distinct = sorted(set(pairs))
    all_distinct = frame.unique().height
    suggester = default_suggester()
    check_many(distinct[:10], suggester=suggester)  # warm-up: loads and fits the suggester
    goods_indicators(frame.head(10))
    print()
    print(
        f"throughput: {frame.height:,} demo goods items (generate(count, seed={seed}), made in {made:.1f} s); "
        f"{len(pairs):,} with a description and a 4+ digit code; {all_distinct:,} distinct "
        f"description/code pairs ({len(distinct):,} checkable); median of {runs} runs; "
        f"{os.cpu_count()} CPUs"
    )
    header = f"{'step':<48}{'items':>9}{'seconds':>9}{'items/s':>11}{'s per 100k items':>18}"
    print(header)
    print("-" * len(header))
    cases: list[tuple[str, int, Callable[[], object]]] = [
        ("mismatch check_many, every item (no dedup)", len(pairs), lambda: check_many(pairs, suggester=suggester)),
        (f"mismatch check_many, {len(distinct):,} distinct pairs", len(pairs), lambda: check_many(distinct, suggester=suggester)),
        ("goods_indicators(frame), all goods indicators", frame.height, lambda: goods_indicators(frame, suggester=suggester)),
    ]  # fmt: skip
    for label, n, fn in cases:
        seconds = median_seconds(fn, runs)
        print(f"{label:<48}{n:>9,}{seconds:>9.2f}{n / seconds:>11,.0f}{seconds * 100_000 / n:>18.2f}")
    print("(the distinct-pairs row counts the items those pairs stand for, as goods_indicators does)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--skip-throughput", action="store_true")
    args = parser.parse_args()
    with DATA.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    detection(rows)
    if not args.skip_throughput:
        throughput(args.items, args.runs, args.seed)


if __name__ == "__main__":
    main()
