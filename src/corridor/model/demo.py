"""Revenue@n% on generated demo data, whose outcomes carry the duty at stake (the KCS dataset has
no revenue column). The same code reads a real revenue label: it is the `revenue` column."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import polars as pl

from corridor.model.evaluate import SHARES, metrics_at
from corridor.model.features import frame_from_consignments, sort_by_date
from corridor.model.train import TrainConfig, train

# A fixed window, so that the same count and seed give the same frame on any day.
DEMO_START = date(2026, 1, 1)
DEMO_DAYS = 360


def demo_frame(count: int, seed: int = 1) -> pl.DataFrame:
    """Generated consignments as a declaration frame (labels where the generator gave outcomes)."""
    from corridor.demo.generator import generate

    return frame_from_consignments(generate(count, seed, start=DEMO_START, days=DEMO_DAYS))


def evaluate_revenue(
    count: int = 40_000,
    seed: int = 1,
    seeds: Sequence[int] = (0, 1, 2, 3, 4),
    shares: Sequence[float] = SHARES,
    test_share: float = 0.25,
) -> dict[str, Any]:
    """Train on the earlier labelled consignments, rank the later ones; Revenue@n% per ranking."""
    frame = demo_frame(count, seed)
    labelled = sort_by_date(frame.filter(pl.col("fraud").is_not_null()))
    cut = labelled["date"][int(labelled.height * (1 - test_share))]
    past = frame.filter(pl.col("date") < cut)
    test = labelled.filter(pl.col("date") >= cut)
    y = test["fraud"].cast(pl.Int8).to_numpy()
    revenue = test["revenue"].fill_null(0.0).to_numpy()
    results: dict[str, list[dict[str, dict[str, float]]]] = {}
    for s in seeds:
        for ranking in ("probability", "expected_revenue", "blend"):
            model = train(past, TrainConfig.model_validate({"seed": s, "ranking": ranking}))
            scores = model.score(test.drop("fraud", "critical", "revenue"))
            results.setdefault(ranking, []).append(metrics_at(scores.rank_score, y, revenue, shares))
        results.setdefault("declared_value", []).append(
            metrics_at(test["value"].fill_null(0.0).to_numpy(), y, revenue, shares)
        )
    summary = []
    for name, runs in results.items():
        entry: dict[str, Any] = {"name": name}
        for metric in ("precision", "revenue"):
            entry[metric] = {
                k: round(sum(r[metric][k] for r in runs) / len(runs), 4) for k in runs[0][metric]
            }
            entry[f"{metric}_spread"] = {
                k: round(max(r[metric][k] for r in runs) - min(r[metric][k] for r in runs), 4)
                for k in runs[0][metric]
            }
        summary.append(entry)
    return {
        "data": f"demo generator, {count:,} consignments, seed {seed}",
        "train_labelled": int(past["fraud"].is_not_null().sum()),
        "test_rows": test.height,
        "test_positive_rate": round(float(y.mean()), 4) if len(y) else 0.0,
        "test_revenue_total": round(float(revenue.sum()), 2),
        "seeds": list(seeds),
        "models": summary,
    }
