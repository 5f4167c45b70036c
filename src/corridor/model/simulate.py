"""Online simulation of targeting over a dataset's timeline, after the DATE line of work.

Train on the past; in each following week, score that week's declarations, inspect the top share
by score plus a random share (exploration), learn only the outcomes of what was inspected, and
retrain. Reported per period and in total: precision of the inspected, recall of the positives,
and the share of revenue at stake recovered where the data carries it.

Without exploration the model learns only from what it chose, and its blind spots stay blind; the
random share costs a little precision now to keep the outcomes it learns from less biased.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import numpy as np
import polars as pl

from corridor.model.evaluate import top_k
from corridor.model.features import conform, sort_by_date
from corridor.model.train import TrainConfig, TrainedModel, train

RATES = (0.01, 0.02, 0.05, 0.10)


@dataclass(slots=True)
class SimulationConfig:
    rates: Sequence[float] = RATES
    exploration: float = 0.1
    period_days: int = 7
    retrain_every: int = 1
    seed: int = 0
    train: TrainConfig = field(default_factory=lambda: TrainConfig(n_estimators=150, learning_rate=0.1))


def select(
    scores: np.ndarray[Any, Any], rate: float, explore: float, rng: np.random.Generator
) -> np.ndarray[Any, Any]:
    """Indices to inspect: the top (1 - explore) of the budget by score, the rest at random."""
    n = len(scores)
    if n == 0:
        return np.array([], dtype=np.int64)
    budget = top_k(n, rate)
    n_random = int(round(budget * explore))
    order = np.argsort(-scores, kind="stable")
    chosen = order[: budget - n_random]
    if n_random:
        rest = order[budget - n_random :]
        chosen = np.concatenate([chosen, rng.choice(rest, size=min(n_random, len(rest)), replace=False)])
    return np.sort(chosen)


def _run(
    history: pl.DataFrame,
    periods: list[tuple[date, pl.DataFrame]],
    rate: float,
    explore: float,
    config: SimulationConfig,
    progress: Callable[[str], None] | None,
) -> dict[str, Any]:
    label = config.train.label
    rng = np.random.default_rng(config.seed)
    known = history
    model: TrainedModel = train(known, config.train)
    rows: list[dict[str, Any]] = []
    found = inspected = positives = 0
    recovered = revenue_total = 0.0
    has_revenue = bool(history["revenue"].is_not_null().any())
    for i, (start, week) in enumerate(periods):
        if progress:
            progress(f"rate {rate:.0%} explore {explore:.0%} week {start}")
        y = week[label].fill_null(False).cast(pl.Int8).to_numpy()
        scores = model.score(week.drop("fraud", "critical", "revenue")).rank_score
        chosen = select(scores, rate, explore, rng)
        mask = np.zeros(week.height, dtype=bool)
        mask[chosen] = True
        amounts = np.nan_to_num(week["revenue"].to_numpy().astype(np.float64), nan=0.0)
        n_inspected, n_found = int(mask.sum()), int(y[mask].sum())
        period: dict[str, Any] = {
            "start": start.isoformat(),
            "declarations": week.height,
            "inspected": n_inspected,
            "found": n_found,
            "precision": float(y[mask].mean()) if mask.any() else 0.0,
            "recall": float(y[mask].sum() / y.sum()) if y.sum() else None,
            "revenue": float(amounts[mask].sum() / amounts.sum())
            if has_revenue and amounts.sum() > 0
            else None,
        }
        rows.append(period)
        found += n_found
        inspected += n_inspected
        positives += int(y.sum())
        recovered += float(amounts[mask].sum())
        revenue_total += float(amounts.sum())
        # Only what was inspected reveals its outcome; the rest joins history as unlabelled sightings.
        keep = pl.Series(mask)
        revealed = week.with_columns(
            pl.when(keep).then(pl.col(c)).otherwise(None).alias(c) for c in ("fraud", "critical", "revenue")
        )
        known = pl.concat([known, revealed], how="vertical_relaxed")
        if (i + 1) % config.retrain_every == 0:
            model = train(known, config.train)
        else:
            model.observe(revealed)
    total = {
        "inspected": inspected,
        "found": found,
        "precision": found / inspected if inspected else 0.0,
        "recall": found / positives if positives else 0.0,
        "revenue": recovered / revenue_total if has_revenue and revenue_total > 0 else None,
    }
    return {"rate": rate, "explore": explore, "periods": rows, "total": total}


def simulate(
    frame: pl.DataFrame,
    start: date,
    config: SimulationConfig | None = None,
    end: date | None = None,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Simulate from `start` (everything before it is the initial, fully known history) to `end`."""
    config = config or SimulationConfig()
    data = sort_by_date(conform(frame).filter(pl.col("date").is_not_null()))
    history = data.filter(pl.col("date") < start)
    future = data.filter(pl.col("date") >= start)
    if end is not None:
        future = future.filter(pl.col("date") < end)
    periods: list[tuple[date, pl.DataFrame]] = []
    cursor = start
    last = future["date"].max()
    while isinstance(last, date) and cursor <= last:
        nxt = cursor + timedelta(days=config.period_days)
        week = future.filter((pl.col("date") >= cursor) & (pl.col("date") < nxt))
        if week.height:
            periods.append((cursor, week))
        cursor = nxt
    runs = []
    for rate in config.rates:
        for explore in sorted({0.0, config.exploration}):
            runs.append(_run(history, periods, rate, explore, config, progress))
    initial_end = history["date"].max()
    return {
        "label": config.train.label,
        "initial_end": initial_end.isoformat() if isinstance(initial_end, date) else None,
        "start": start.isoformat(),
        "periods": len(periods),
        "period_days": config.period_days,
        "retrain_every": config.retrain_every,
        "exploration": config.exploration,
        "runs": runs,
    }
