"""Training time on the KCS training files and batch scoring throughput (declarations per second).

    .venv/bin/python benchmarks/model_throughput.py [--data DIR] [--rows 1000000] [--threads 2]

Scoring = the full path a batch takes: derived columns, HS norms, point-in-time history encoding
of 23 entity keys against the model's state, and LightGBM prediction. The batch is the test file
repeated to `--rows` rows with ids made unique. Reasons (tree SHAP) are timed separately, on the
10,000 declarations a targeting queue would show.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import polars as pl

from corridor.model.cli import default_data_dir
from corridor.model.explain import reasons
from corridor.model.features import read_kcs_splits
from corridor.model.train import TrainConfig, train


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=None)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--trees", type=int, default=150)
    args = parser.parse_args()
    splits = read_kcs_splits(args.data or default_data_dir())
    fit = pl.concat([splits["train"], splits["valid"]])

    started = time.perf_counter()
    model = train(splits["train"], TrainConfig(n_estimators=args.trees, n_jobs=1))
    print(
        f"training on the train file ({splits['train'].height:,} rows, {args.trees} trees, 1 thread): {time.perf_counter() - started:.1f} s"
    )
    started = time.perf_counter()
    model = train(fit, TrainConfig(n_estimators=args.trees, n_jobs=1))
    print(f"training on train+valid ({fit.height:,} rows): {time.perf_counter() - started:.1f} s")

    model.config = model.config.model_copy(update={"n_jobs": args.threads})
    test = splits["test"].drop("fraud", "critical", "revenue")
    repeats = -(-args.rows // test.height)
    batch = (
        pl.concat([test] * repeats)
        .head(args.rows)
        .with_columns(pl.format("{}-{}", "id", pl.int_range(pl.len())).alias("id"))
    )
    model.score(test)  # warm-up
    started = time.perf_counter()
    keys, features = model._prepare(batch)
    prepared = time.perf_counter()
    scores = model.score_features(features)
    done = time.perf_counter()
    total = done - started
    print(
        f"scoring {batch.height:,} declarations, {args.threads} thread(s): {total:.2f} s = {batch.height / total:,.0f} /s "
        f"(features {prepared - started:.2f} s, trees {done - prepared:.2f} s)"
    )
    head = features.head(10_000)
    started = time.perf_counter()
    contrib = model.contributions(head)
    hits = reasons(contrib, head, model_version="bench", keys=keys.head(10_000))
    elapsed = time.perf_counter() - started
    print(
        f"reasons (tree SHAP + text) for {len(hits):,} declarations: {elapsed:.2f} s = {len(hits) / elapsed:,.0f} /s"
    )
    del scores


if __name__ == "__main__":
    main()
