"""Precision@n%, Recall@n% and Revenue@n%, and the evaluation of our model against baselines.

The protocol follows the DATE line of work (Kim et al., KDD 2020) and the dataset paper (Jeong et
al., 2022): rank the test declarations by score, inspect the top n%, and measure the share of the
inspected that were positive (precision), the share of all positives caught (recall) and the share
of the duty at stake recovered (revenue). Every model is fitted on the train and valid files and
sees only the *features* of the test file; the test labels are read once, to measure.
"""

from __future__ import annotations

import importlib.util
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
from numpy.typing import NDArray

from corridor.model.features import read_kcs_splits, sort_by_date
from corridor.model.train import TrainConfig, train

SHARES = (0.01, 0.02, 0.05, 0.10, 0.20)
BASELINES = ("logistic_regression", "random_forest", "xgboost", "lightgbm_default")
OPTIONAL_BASELINES = {"xgboost": "xgboost"}
OURS = "corridor"
# Threads of every model, ours and the baselines alike (the machine is shared by several people).
THREADS = 1
# The dataset paper's Table 3 (LightGBM), the best published figures on this data.
PUBLISHED = {
    "name": "published (Jeong et al. 2022, Table 3, LightGBM)",
    "precision": {"0.05": 0.762, "0.1": 0.641},
}


def top_k(n: int, share: float) -> int:
    """How many declarations an n% budget inspects: at least one, never more than all."""
    return min(n, max(1, int(math.floor(n * share + 1e-9))))


def _order(scores: NDArray[np.float64]) -> NDArray[np.int64]:
    # Stable descending sort: ties keep the input order, so results do not depend on the machine.
    return np.argsort(-np.asarray(scores, dtype=np.float64), kind="stable")


def precision_at(scores: NDArray[np.float64], labels: NDArray[Any], share: float) -> float:
    order = _order(scores)[: top_k(len(scores), share)]
    return float(np.asarray(labels, dtype=np.float64)[order].mean())


def recall_at(scores: NDArray[np.float64], labels: NDArray[Any], share: float) -> float:
    y = np.asarray(labels, dtype=np.float64)
    total = y.sum()
    if total == 0:
        return 0.0
    return float(y[_order(scores)[: top_k(len(scores), share)]].sum() / total)


def revenue_at(scores: NDArray[np.float64], revenue: NDArray[Any], share: float) -> float:
    r = np.nan_to_num(np.asarray(revenue, dtype=np.float64), nan=0.0)
    total = r.sum()
    if total <= 0:
        return 0.0
    return float(r[_order(scores)[: top_k(len(scores), share)]].sum() / total)


def metrics_at(
    scores: NDArray[np.float64],
    labels: NDArray[Any],
    revenue: NDArray[Any] | None = None,
    shares: Sequence[float] = SHARES,
) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {
        "precision": {str(s): precision_at(scores, labels, s) for s in shares},
        "recall": {str(s): recall_at(scores, labels, s) for s in shares},
    }
    if revenue is not None:
        out["revenue"] = {str(s): revenue_at(scores, revenue, s) for s in shares}
    return out


# -- baselines on the raw columns --------------------------------------------------------------------

RAW_CATEGORICAL = [
    "office",
    "process_type",
    "import_type",
    "import_use",
    "payment_type",
    "transport",
    "declarant",
    "importer",
    "seller",
    "courier",
    "hs",
    "departure",
    "origin",
    "tax_type",
    "origin_indicator",
]
RAW_NUMERIC = ["tax_rate", "net_kg", "value"]


def raw_matrix(train: pl.DataFrame, test: pl.DataFrame) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Raw columns, categories label-encoded by the training data (unseen in test: -1)."""
    cols_tr: list[NDArray[np.float64]] = []
    cols_te: list[NDArray[np.float64]] = []
    for c in RAW_CATEGORICAL:
        vocab = train[c].fill_null("").unique().sort()
        mapping = pl.DataFrame({c: vocab, "_code": pl.int_range(vocab.len(), eager=True).cast(pl.Float64)})
        for frame, out in ((train, cols_tr), (test, cols_te)):
            coded = frame.select(pl.col(c).fill_null("")).join(
                mapping, on=c, how="left", maintain_order="left"
            )
            out.append(coded["_code"].fill_null(-1.0).to_numpy())
    for c in RAW_NUMERIC:
        cols_tr.append(train[c].fill_null(0.0).to_numpy())
        cols_te.append(test[c].fill_null(0.0).to_numpy())
    return np.column_stack(cols_tr), np.column_stack(cols_te)


def _logistic(train: pl.DataFrame, test: pl.DataFrame, y: NDArray[np.int8], seed: int) -> NDArray[np.float64]:
    from scipy.sparse import csr_matrix, hstack
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    # Logistic regression needs one-hot categories and log-scaled amounts to be a fair baseline.
    def parts(frame: pl.DataFrame) -> tuple[NDArray[Any], NDArray[np.float64]]:
        cats = frame.select(pl.col(c).fill_null("") for c in RAW_CATEGORICAL).to_numpy().astype(str)
        nums = frame.select(pl.col(c).fill_null(0.0).clip(0, None).log1p() for c in RAW_NUMERIC).to_numpy()
        return cats, nums

    onehot = OneHotEncoder(handle_unknown="infrequent_if_exist", min_frequency=5)
    scaler = StandardScaler()
    cats, nums = parts(train)
    xtr = hstack([onehot.fit_transform(cats), csr_matrix(scaler.fit_transform(nums))]).tocsr()
    cats, nums = parts(test)
    xte = hstack([onehot.transform(cats), csr_matrix(scaler.transform(nums))]).tocsr()
    model = LogisticRegression(max_iter=1000, random_state=seed).fit(xtr, y)
    proba: NDArray[np.float64] = model.predict_proba(xte)
    return np.asarray(proba[:, 1], dtype=np.float64)


def _random_forest(
    xtr: NDArray[np.float64], xte: NDArray[np.float64], y: NDArray[np.int8], seed: int
) -> NDArray[np.float64]:
    from sklearn.ensemble import RandomForestClassifier

    model = RandomForestClassifier(n_jobs=THREADS, random_state=seed).fit(xtr, y)
    return np.asarray(model.predict_proba(xte)[:, 1], dtype=np.float64)


def _xgboost(
    xtr: NDArray[np.float64], xte: NDArray[np.float64], y: NDArray[np.int8], seed: int
) -> NDArray[np.float64]:
    import xgboost

    model = xgboost.XGBClassifier(n_jobs=THREADS, random_state=seed).fit(xtr, y)
    return np.asarray(model.predict_proba(xte)[:, 1], dtype=np.float64)


def _lightgbm(
    xtr: NDArray[np.float64], xte: NDArray[np.float64], y: NDArray[np.int8], seed: int
) -> NDArray[np.float64]:
    import lightgbm

    model = lightgbm.LGBMClassifier(n_jobs=THREADS, random_state=seed, verbose=-1).fit(xtr, y)
    proba: NDArray[np.float64] = np.asarray(model.predict_proba(xte), dtype=np.float64)
    return proba[:, 1]


# -- one evaluation run ----------------------------------------------------------------------------


@dataclass(slots=True)
class ModelResult:
    name: str
    runs: list[dict[str, dict[str, float]]] = field(default_factory=list)
    train_seconds: list[float] = field(default_factory=list)
    score_seconds: list[float] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "seeds": len(self.runs)}
        for metric in ("precision", "recall", "revenue"):
            if not self.runs or metric not in self.runs[0]:
                continue
            out[metric] = {}
            out[f"{metric}_std"] = {}
            out[f"{metric}_min"] = {}
            out[f"{metric}_max"] = {}
            for share in self.runs[0][metric]:
                values = np.array([r[metric][share] for r in self.runs])
                out[metric][share] = round(float(values.mean()), 4)
                out[f"{metric}_std"][share] = round(float(values.std()), 4)
                out[f"{metric}_min"][share] = round(float(values.min()), 4)
                out[f"{metric}_max"][share] = round(float(values.max()), 4)
        out["train_seconds"] = round(float(np.mean(self.train_seconds)), 2) if self.train_seconds else None
        out["score_seconds"] = round(float(np.mean(self.score_seconds)), 4) if self.score_seconds else None
        return out


@dataclass(slots=True)
class Evaluation:
    label: str
    data: str
    train_rows: int
    test_rows: int
    test_positive_rate: float
    seeds: list[int]
    results: list[ModelResult]
    published: dict[str, Any] = field(default_factory=lambda: dict(PUBLISHED))
    skipped: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "skipped": self.skipped,
            "label": self.label,
            "data": self.data,
            "train_rows": self.train_rows,
            "test_rows": self.test_rows,
            "test_positive_rate": round(self.test_positive_rate, 4),
            "seeds": self.seeds,
            "shares": [str(s) for s in SHARES],
            "models": [r.summary() for r in self.results],
            "published": self.published if self.label == "fraud" else None,
        }


def evaluate_dataset(
    data_dir: Path,
    label: str = "fraud",
    seeds: Sequence[int] = (0, 1, 2, 3, 4),
    models: Sequence[str] = (OURS, *BASELINES),
    config: TrainConfig | None = None,
    progress: Callable[[str], None] | None = None,
) -> Evaluation:
    """Fit every model on train+valid for every seed; measure on the test file."""
    splits = read_kcs_splits(data_dir)
    fit = sort_by_date(pl.concat([splits["train"], splits["valid"]]))
    test = sort_by_date(splits["test"])
    y_test = test[label].cast(pl.Int8).to_numpy()
    # The test frame the models see has no labels at all: nothing downstream can read them.
    test_features = test.drop("fraud", "critical", "revenue")
    y_fit = fit[label].cast(pl.Int8).to_numpy()
    base = (config or TrainConfig()).model_copy(update={"label": label})
    xtr, xte = raw_matrix(fit, test_features)
    raw_models: dict[
        str, Callable[[NDArray[np.float64], NDArray[np.float64], NDArray[np.int8], int], NDArray[np.float64]]
    ] = {
        "random_forest": _random_forest,
        "xgboost": _xgboost,
        "lightgbm_default": _lightgbm,
    }
    # A baseline whose library is an optional extra is reported as skipped, not a crash.
    skipped = {
        name: f"{module} is not installed (pip install 'corridor[bench]')"
        for name, module in OPTIONAL_BASELINES.items()
        if name in models and importlib.util.find_spec(module) is None
    }
    models = [m for m in models if m not in skipped]
    if progress:
        for name, why in skipped.items():
            progress(f"{name} skipped: {why}")
    results = {name: ModelResult(name) for name in models}
    for seed in seeds:
        for name in models:
            if progress:
                progress(f"{name} seed {seed}")
            started = time.perf_counter()
            if name == OURS:
                model = train(fit, base.model_copy(update={"seed": seed}))
                trained = time.perf_counter()
                scores = model.score(test_features).rank_score
            elif name == "logistic_regression":
                scores = _logistic(fit, test_features, y_fit, seed)
                trained = time.perf_counter()
            else:
                scores = raw_models[name](xtr, xte, y_fit, seed)
                trained = time.perf_counter()
            done = time.perf_counter()
            results[name].runs.append(metrics_at(scores, y_test))
            # Baselines fit and score in one call: their time is reported as training time.
            results[name].train_seconds.append(trained - started)
            if name == OURS:
                results[name].score_seconds.append(done - trained)
    return Evaluation(
        label=label,
        data=str(data_dir),
        train_rows=fit.height,
        test_rows=test.height,
        test_positive_rate=float(y_test.mean()),
        seeds=list(seeds),
        results=[results[n] for n in models],
        skipped=skipped,
    )
