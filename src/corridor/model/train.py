"""Train the targeting model: a LightGBM classifier for P(positive inspection) and, where the duty at
stake is known, a LightGBM regressor for the revenue of a positive; save and load them as files.

A `TrainedModel` carries everything scoring needs besides the trees: the history encoder's state
(what was known about every entity at the end of the training window), the HS value norms and the
configuration. Scoring a batch runs the same feature code as training, from that state.
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Literal

import lightgbm as lgb
import numpy as np
import polars as pl
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field

from corridor.model.encoders import HistoryEncoder
from corridor.model.features import (
    ENCODINGS,
    NUMERIC_FEATURES,
    ValueNorms,
    conform,
    feature_names,
    sort_by_date,
    with_derived,
)

Ranking = Literal["probability", "expected_revenue", "blend"]
# Fewer labelled positives with a known amount than this and no revenue model is trained.
MIN_REVENUE_ROWS = 30


class TrainConfig(BaseModel):
    """Hyper-parameters and choices of one training run; stored with the model."""

    model_config = ConfigDict(extra="forbid")

    label: Literal["fraud", "critical"] = "fraud"
    # Shallow trees: as precise as unbounded leaf-wise trees on the KCS data, and several times faster
    # to score and to explain (tree SHAP's cost grows with the square of the depth).
    n_estimators: int = Field(150, ge=1)
    learning_rate: float = Field(0.1, gt=0)
    num_leaves: int = Field(31, ge=2)
    max_depth: int = Field(5, ge=-1, description="-1: unbounded")
    min_child_samples: int = Field(20, ge=1)
    subsample: float = Field(0.8, gt=0, le=1)
    colsample: float = Field(0.8, gt=0, le=1)
    seed: int = 0
    n_jobs: int = Field(
        1,
        ge=1,
        le=2,
        description="threads; OpenMP slows down many-fold when the cores are already busy, so one by default",
    )
    smoothing: float = Field(5.0, ge=0, description="prior weight of the target encodings")
    ranking: Ranking = Field("probability", description="how probability and revenue are combined")
    blend_weight: float = Field(0.5, ge=0, le=1, description="weight of expected revenue in 'blend'")


@dataclass(slots=True)
class Scores:
    """Per row of the scored frame, in its order."""

    probability: NDArray[np.float64]
    expected_revenue: NDArray[np.float64] | None
    rank_score: NDArray[np.float64]
    features: pl.DataFrame
    keys: pl.DataFrame | None = None


@dataclass(slots=True)
class TrainedModel:
    config: TrainConfig
    encoder: HistoryEncoder
    norms: ValueNorms
    booster: lgb.Booster
    revenue_booster: lgb.Booster | None
    features: list[str]
    window: tuple[date | None, date | None]
    rows: int
    positives: int
    train_seconds: float
    metrics: dict[str, Any] = field(default_factory=dict)
    version: str | None = None

    # -- scoring -------------------------------------------------------------------------------------

    def feature_frame(self, frame: pl.DataFrame) -> pl.DataFrame:
        """Features of a new batch, encoded after the training window; its labels are never read."""
        return self._prepare(frame)[1]

    def _prepare(self, frame: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
        keys = self.norms.apply(with_derived(conform(frame))).select(
            "date", *_key_columns(), *NUMERIC_FEATURES
        )
        encoded = self.encoder.transform(keys.select("date", *_key_columns()))
        features = pl.concat([keys.select(NUMERIC_FEATURES), encoded], how="horizontal").select(self.features)
        return keys.select(_key_columns()), features

    def score(self, frame: pl.DataFrame) -> Scores:
        keys, features = self._prepare(frame)
        scores = self.score_features(features)
        scores.keys = keys
        return scores

    def score_features(self, features: pl.DataFrame) -> Scores:
        matrix = features.to_numpy().astype(np.float64, copy=False)
        probability = np.asarray(
            self.booster.predict(matrix, num_threads=self.config.n_jobs), dtype=np.float64
        )
        revenue = None
        if self.revenue_booster is not None:
            per_positive = np.expm1(
                np.asarray(
                    self.revenue_booster.predict(matrix, num_threads=self.config.n_jobs), dtype=np.float64
                )
            )
            revenue = probability * np.clip(per_positive, 0.0, None)
        return Scores(probability, revenue, rank(probability, revenue, self.config), features)

    def observe(self, frame: pl.DataFrame) -> None:
        """Fold newly known outcomes (and sightings) into the history without retraining the trees."""
        derived = with_derived(conform(frame))
        label = self.config.label
        self.encoder.update(derived.select("date", *_key_columns(), label), label)

    def contributions(self, features: pl.DataFrame) -> NDArray[np.float64]:
        """Exact tree SHAP values in log-odds, one column per feature plus the bias last."""
        matrix = features.to_numpy().astype(np.float64, copy=False)
        return np.asarray(
            self.booster.predict(matrix, pred_contrib=True, num_threads=self.config.n_jobs), dtype=np.float64
        )

    # -- files ---------------------------------------------------------------------------------------

    def metadata(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "config": self.config.model_dump(),
            "features": self.features,
            "encodings": [asdict(e) for e in self.encoder.encodings],
            "prior": self.encoder.prior,
            "smoothing": self.encoder.smoothing,
            "window": [d.isoformat() if d else None for d in self.window],
            "rows": self.rows,
            "positives": self.positives,
            "train_seconds": self.train_seconds,
            "metrics": self.metrics,
            "revenue_model": self.revenue_booster is not None,
        }

    def save(self, directory: Path) -> Path:
        directory.mkdir(parents=True, exist_ok=True)
        self.booster.save_model(str(directory / "model.txt"))
        if self.revenue_booster is not None:
            self.revenue_booster.save_model(str(directory / "revenue.txt"))
        self.encoder.state.write_parquet(directory / "history.parquet")
        self.norms.to_frame().write_parquet(directory / "norms.parquet")
        (directory / "metadata.json").write_text(json.dumps(self.metadata(), indent=2, default=str) + "\n")
        return directory

    @classmethod
    def load(cls, directory: Path) -> TrainedModel:
        meta = json.loads((directory / "metadata.json").read_text())
        config = TrainConfig.model_validate(meta["config"])
        encoder = HistoryEncoder(
            list(ENCODINGS), smoothing=float(meta["smoothing"]), prior=float(meta["prior"])
        )
        encoder.state = pl.read_parquet(directory / "history.parquet")
        revenue_path = directory / "revenue.txt"
        start, end = (date.fromisoformat(d) if d else None for d in meta["window"])
        return cls(
            config=config,
            encoder=encoder,
            norms=ValueNorms.from_frame(pl.read_parquet(directory / "norms.parquet")),
            booster=lgb.Booster(model_file=str(directory / "model.txt")),
            revenue_booster=lgb.Booster(model_file=str(revenue_path)) if revenue_path.is_file() else None,
            features=list(meta["features"]),
            window=(start, end),
            rows=int(meta["rows"]),
            positives=int(meta["positives"]),
            train_seconds=float(meta["train_seconds"]),
            metrics=dict(meta.get("metrics") or {}),
            version=meta.get("version"),
        )


def _key_columns() -> list[str]:
    cols: list[str] = []
    for enc in ENCODINGS:
        cols += [c for c in enc.columns if c not in cols]
    return cols


def rank(
    probability: NDArray[np.float64], revenue: NDArray[np.float64] | None, config: TrainConfig
) -> NDArray[np.float64]:
    """The score the selection sorts on: probability, expected revenue, or a blend of their ranks."""
    if revenue is None or config.ranking == "probability":
        return probability
    if config.ranking == "expected_revenue":
        return revenue
    n = max(len(probability) - 1, 1)
    p_rank = np.argsort(np.argsort(probability, kind="stable"), kind="stable") / n
    r_rank = np.argsort(np.argsort(revenue, kind="stable"), kind="stable") / n
    return np.asarray((1 - config.blend_weight) * p_rank + config.blend_weight * r_rank, dtype=np.float64)


def _params(config: TrainConfig, objective: str) -> dict[str, Any]:
    return {
        "objective": objective,
        "learning_rate": config.learning_rate,
        "num_leaves": config.num_leaves,
        "max_depth": config.max_depth,
        "min_child_samples": config.min_child_samples,
        "bagging_fraction": config.subsample,
        "bagging_freq": 1 if config.subsample < 1 else 0,
        "feature_fraction": config.colsample,
        "seed": config.seed,
        "num_threads": config.n_jobs,
        "deterministic": True,
        "force_row_wise": True,
        "verbosity": -1,
    }


def train(frame: pl.DataFrame, config: TrainConfig | None = None) -> TrainedModel:
    """Fit on every row whose label is known; unlabelled rows still count as sightings in history."""
    config = config or TrainConfig()
    started = time.perf_counter()
    data = sort_by_date(conform(frame).filter(pl.col("date").is_not_null()))
    derived = with_derived(data)
    norms = ValueNorms.fit(derived)
    derived = norms.apply(derived)
    encoder = HistoryEncoder(list(ENCODINGS), smoothing=config.smoothing)
    encoded = encoder.fit_transform(derived.select("date", *_key_columns(), config.label), config.label)
    names = feature_names(encoder)
    features = pl.concat([derived.select(NUMERIC_FEATURES), encoded], how="horizontal").select(names)

    labelled = data[config.label].is_not_null().to_numpy()
    if labelled.sum() == 0:
        from corridor.domain.errors import InvalidInput

        raise InvalidInput(f"no declaration with a known '{config.label}' outcome to learn from")
    y = data[config.label].fill_null(False).cast(pl.Int8).to_numpy()
    matrix = features.to_numpy().astype(np.float64, copy=False)
    booster = lgb.train(
        _params(config, "binary"),
        lgb.Dataset(matrix[labelled], label=y[labelled], feature_name=names, free_raw_data=True),
        num_boost_round=config.n_estimators,
    )

    # Revenue of a positive, learnt on the positives whose amount is known (log scale: amounts are
    # heavy-tailed). Expected revenue = P(positive) x predicted amount.
    revenue_booster = None
    amount = data["revenue"].to_numpy()
    with_amount = labelled & (y == 1) & ~np.isnan(amount.astype(np.float64))
    if with_amount.sum() >= MIN_REVENUE_ROWS:
        revenue_booster = lgb.train(
            _params(config, "regression"),
            lgb.Dataset(
                matrix[with_amount], label=np.log1p(np.clip(amount[with_amount], 0, None)), feature_name=names
            ),
            num_boost_round=max(50, config.n_estimators // 2),
        )
    dates = data["date"]
    start, end = dates.min(), dates.max()
    return TrainedModel(
        config=config,
        encoder=encoder,
        norms=norms,
        booster=booster,
        revenue_booster=revenue_booster,
        features=names,
        window=(start if isinstance(start, date) else None, end if isinstance(end, date) else None),
        rows=int(labelled.sum()),
        positives=int(y[labelled].sum()),
        train_seconds=round(time.perf_counter() - started, 3),
    )


def finite(value: float | None) -> float | None:
    return value if value is not None and math.isfinite(value) else None
