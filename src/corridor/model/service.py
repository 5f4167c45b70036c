"""Use cases of the model package: train (from a dataset or from stored outcomes), register,
activate, roll back, and score consignments with the active model. The only place that commits.

For the risk engine, the model is one more weighted signal:

    from corridor.model.service import score_consignments
    scores = score_consignments(session, consignments)      # active model; [] when none is active
    for c, s in zip(consignments, scores):
        s.probability, s.expected_revenue, s.reasons, s.model_version

`reasons` are `Hit`s with source "model" ready to sit next to the rule hits, and `model_version`
goes into `Assessment.model_version`. Scoring is batch-vectorised: pass the whole batch at once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import polars as pl
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from corridor.consignments.models import ConsignmentRow
from corridor.db.engine import unit_of_work
from corridor.domain.assessment import Hit
from corridor.domain.consignment import Consignment
from corridor.domain.errors import InvalidInput, NotFound
from corridor.model import registry
from corridor.model.evaluate import metrics_at
from corridor.model.explain import reasons as explain_reasons
from corridor.model.features import conform, frame_from_consignments, read_kcs_splits, sort_by_date
from corridor.model.models import ModelVersionRow
from corridor.model.train import TrainConfig, TrainedModel, train


@dataclass(frozen=True, slots=True)
class ModelScore:
    """The model's view of one consignment."""

    probability: float
    expected_revenue: float | None
    rank_score: float
    reasons: list[Hit]
    model_version: str


# -- loading --------------------------------------------------------------------------------------


@lru_cache(maxsize=4)
def _load(path: str, version: str) -> TrainedModel:
    model = TrainedModel.load(Path(path))
    model.version = version
    return model


def load_model(session: Session, version: str | None = None) -> TrainedModel | None:
    """The given version, else the active one; None when no version is active."""
    row = registry.get_version(session, version) if version else registry.active_version(session)
    if row is None:
        return None
    return _load(row.path, row.version)


# -- scoring --------------------------------------------------------------------------------------


def score_frame(model: TrainedModel, frame: pl.DataFrame, top: int = 3) -> list[ModelScore]:
    """Score a declaration frame (features.DECLARATION_SCHEMA) with reasons for every row."""
    if frame.height == 0:
        return []
    scores = model.score(frame)
    contrib = model.contributions(scores.features)
    hits = explain_reasons(
        contrib,
        scores.features,
        model_version=model.version,
        top=top,
        label=model.config.label,
        keys=scores.keys,
    )
    revenue = scores.expected_revenue
    return [
        ModelScore(
            probability=float(scores.probability[i]),
            expected_revenue=float(revenue[i]) if revenue is not None else None,
            rank_score=float(scores.rank_score[i]),
            reasons=hits[i],
            model_version=model.version or "",
        )
        for i in range(frame.height)
    ]


def score_consignments(
    session: Session, consignments: Sequence[Consignment], *, version: str | None = None, top: int = 3
) -> list[ModelScore]:
    """Score consignments with the active (or given) model: one ModelScore per consignment, in order.

    Returns [] when no model is active, so the risk engine can treat the model as optional.
    """
    model = load_model(session, version)
    if model is None:
        return []
    return score_frame(model, frame_from_consignments(consignments), top=top)


def explain_consignment(session: Session, ref: str | int, top: int = 5) -> dict[str, Any]:
    from corridor.consignments.service import get_consignment

    row, consignment = get_consignment(session, ref)
    model = load_model(session)
    if model is None:
        raise NotFound("no active model: train one and activate it (`corridor model activate`)")
    [score] = score_frame(model, frame_from_consignments([consignment]), top=top)
    return {
        "consignment": row.key,
        "model_version": score.model_version,
        "probability": round(score.probability, 4),
        "expected_revenue": None if score.expected_revenue is None else round(score.expected_revenue, 2),
        "reasons": [h.model_dump(mode="json") for h in score.reasons],
    }


# -- training -------------------------------------------------------------------------------------


def stored_frame(session: Session, since: date | None = None, until: date | None = None) -> pl.DataFrame:
    """Stored consignments as a declaration frame. Labels: what this node's own inspections and
    seizures found (they feed back here), else the outcome that came with the data."""
    from corridor.seizures.feedback import apply_outcomes

    frames = []
    batch: list[tuple[int, Consignment]] = []
    rows = session.execute(select(ConsignmentRow.id, ConsignmentRow.data).execution_options(yield_per=5000))
    for cid, data in rows:
        batch.append((cid, Consignment.model_validate(data)))
        if len(batch) >= 5000:
            frames.append(frame_from_consignments(apply_outcomes(session, batch)))
            batch = []
    if batch:
        frames.append(frame_from_consignments(apply_outcomes(session, batch)))
    frame = pl.concat(frames) if frames else conform(pl.DataFrame())
    if since:
        frame = frame.filter(pl.col("date") >= since)
    if until:
        frame = frame.filter(pl.col("date") <= until)
    return frame


def holdout_metrics(frame: pl.DataFrame, config: TrainConfig, share: float = 0.2) -> dict[str, Any]:
    """Metrics of a model fitted on the earlier (1 - share) of the labelled timeline, on the rest."""
    data = sort_by_date(frame.filter(pl.col(config.label).is_not_null()))
    if data.height < 50:
        return {"note": "too few labelled rows for a time-ordered hold-out"}
    cut = data["date"][int(data.height * (1 - share))]
    past, future = data.filter(pl.col("date") < cut), data.filter(pl.col("date") >= cut)
    if past.height == 0 or future.height == 0 or past[config.label].sum() == 0:
        return {"note": "the labelled timeline cannot be split into past and future"}
    model = train(past, config)
    scores = model.score(future.drop("fraud", "critical", "revenue"))
    y = future[config.label].cast(pl.Int8).to_numpy()
    revenue = future["revenue"].to_numpy() if future["revenue"].is_not_null().any() else None
    out: dict[str, Any] = {
        k: {s: round(v, 4) for s, v in m.items()}
        for k, m in metrics_at(scores.rank_score, y, revenue).items()
    }
    out["note"] = (
        f"time-ordered hold-out: fitted before {cut}, measured on {future.height:,} later declarations"
    )
    out["holdout_from"] = str(cut)
    return out


def train_and_register(
    engine: Engine,
    frame: pl.DataFrame,
    config: TrainConfig,
    source: str,
    *,
    activate: bool = False,
    test: pl.DataFrame | None = None,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Measure (on `test`, else a time-ordered hold-out), fit on all of `frame`, register, maybe activate."""
    if frame.filter(pl.col(config.label).is_not_null()).height == 0:
        raise InvalidInput(
            f"no declaration with a known '{config.label}' outcome to learn from", where=source
        )
    if progress:
        progress("measuring")
    if test is not None:
        model = train(frame, config)
        scores = model.score(test.drop("fraud", "critical", "revenue"))
        y = test[config.label].cast(pl.Int8).to_numpy()
        metrics: dict[str, Any] = {
            k: {s: round(v, 4) for s, v in m.items()} for k, m in metrics_at(scores.rank_score, y).items()
        }
        metrics["note"] = f"measured on {test.height:,} held-out test declarations"
    else:
        metrics = holdout_metrics(frame, config)
        if progress:
            progress("training on the whole window")
        model = train(frame, config)
    model.metrics = metrics
    with unit_of_work(engine) as session:
        row = registry.register(session, model, source)
        if activate:
            registry.activate(session, row.version)
        session.commit()
        return registry.summary(row)


def train_from_dataset(
    engine: Engine,
    data_dir: Path,
    config: TrainConfig,
    *,
    activate: bool = False,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Train on a KCS dataset folder's train+valid files, measured on its test file."""
    splits = read_kcs_splits(data_dir)
    fit = pl.concat([splits["train"], splits["valid"]])
    return train_and_register(
        engine,
        fit,
        config,
        f"KCS dataset {data_dir} (train+valid)",
        activate=activate,
        test=splits["test"],
        progress=progress,
    )


def train_from_store(
    engine: Engine,
    config: TrainConfig,
    *,
    since: date | None = None,
    until: date | None = None,
    activate: bool = False,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    with unit_of_work(engine) as session:
        frame = stored_frame(session, since, until)
    return train_and_register(
        engine, frame, config, "stored consignments", activate=activate, progress=progress
    )


# -- registry use cases -------------------------------------------------------------------------------


def list_models(engine: Engine) -> list[dict[str, Any]]:
    with unit_of_work(engine) as session:
        return [registry.summary(r) for r in registry.list_versions(session)]


def model_detail(engine: Engine, version: str) -> dict[str, Any]:
    with unit_of_work(engine) as session:
        row = registry.get_version(session, version)
        return {
            **registry.summary(row),
            "metrics": row.metrics,
            "params": row.params,
            "card": row.card,
            "feature_names": row.features,
        }


def activate_model(engine: Engine, version: str) -> dict[str, Any]:
    with unit_of_work(engine) as session:
        row = registry.activate(session, version)
        session.commit()
        return registry.summary(row)


def rollback_model(engine: Engine) -> dict[str, Any]:
    with unit_of_work(engine) as session:
        row = registry.rollback(session)
        session.commit()
        return registry.summary(row)


def active_summary(session: Session) -> dict[str, Any] | None:
    row: ModelVersionRow | None = registry.active_version(session)
    return registry.summary(row) if row else None
