"""Training, scoring, saving and explaining on small synthetic frames and a KCS sample."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from corridor.model.evaluate import precision_at
from corridor.model.explain import describe, reasons
from corridor.model.features import conform, read_kcs
from corridor.model.train import TrainConfig, TrainedModel, train

SMALL = TrainConfig(n_estimators=40, num_leaves=15, min_child_samples=5)


def synthetic(n: int = 3000, seed: int = 0) -> pl.DataFrame:
    """Importers 0-9 are crooked; crooked shipments are also undervalued (value per kg / 5)."""
    rng = np.random.default_rng(seed)
    importer = rng.integers(0, 100, n)
    crooked = importer < 10
    fraud = rng.random(n) < np.where(crooked, 0.7, 0.05)
    kg = rng.uniform(10, 1000, n)
    value = kg * 20 * np.where(fraud, 0.2, 1.0) * rng.uniform(0.8, 1.2, n)
    revenue = np.where(fraud, value * 4 * 0.3, 0.0)
    start = date(2024, 1, 1)
    return conform(
        pl.DataFrame(
            {
                "id": [f"D{i}" for i in range(n)],
                "date": [start + timedelta(days=int(d)) for d in sorted(rng.integers(0, 200, n))],
                "importer": [f"IMP{i}" for i in importer],
                "hs": rng.choice(["850440", "610910", "392690"], n),
                "origin": rng.choice(["CN", "TR", "DE"], n),
                "net_kg": kg,
                "value": value,
                "fraud": fraud,
                "revenue": revenue,
            }
        )
    )


def test_model_learns_the_signal_and_ranks_revenue() -> None:
    data = synthetic()
    past, future = (
        data.filter(pl.col("date") < date(2024, 6, 1)),
        data.filter(pl.col("date") >= date(2024, 6, 1)),
    )
    model = train(past, SMALL)
    assert model.revenue_booster is not None
    scores = model.score(future.drop("fraud", "critical", "revenue"))
    y = future["fraud"].cast(pl.Int8).to_numpy()
    assert precision_at(scores.rank_score, y, 0.1) > 0.8
    assert scores.expected_revenue is not None and (scores.expected_revenue >= 0).all()
    by_revenue = train(past, SMALL.model_copy(update={"ranking": "expected_revenue"}))
    assert np.allclose(by_revenue.score(future).rank_score, by_revenue.score(future).expected_revenue)  # type: ignore[arg-type]


def test_save_and_load_score_the_same(tmp_path: Path) -> None:
    data = synthetic(800)
    model = train(data, SMALL)
    model.version = "v9"
    model.save(tmp_path / "v9")
    loaded = TrainedModel.load(tmp_path / "v9")
    batch = synthetic(200, seed=1).with_columns(pl.col("date") + timedelta(days=300))
    assert np.allclose(model.score(batch).probability, loaded.score(batch).probability)
    assert loaded.version == "v9" and loaded.window == model.window


def test_unlabelled_rows_are_history_not_training_rows() -> None:
    data = synthetic(1000).with_columns(
        pl.when(pl.int_range(pl.len()) % 2 == 0).then(pl.col("fraud")).otherwise(None).alias("fraud")
    )
    model = train(data, SMALL)
    assert model.rows == 500


def test_explanations_read_like_reasons() -> None:
    row = {"te_importer": 0.62, "n_importer": 13.0, "days_importer": 4.0, "vpk_dev_hs6": np.log(0.3)}
    assert describe("te_importer", 0.62, row) == "importer's past fraud rate 0.62 over 13 declarations"
    assert describe("vpk_dev_hs6", float(np.log(0.3)), row) == "value per kg 0.3× the HS-6 median"
    assert describe("n_importer", 0.0, {"n_importer": 0.0}) == "importer never seen before"
    assert describe("days_importer", 4.0, row) == "importer last seen 4 days before"
    assert describe("te_courier", 0.2, {"n_courier": 900.0}, keys={"courier": None}).startswith(
        "no courier declared"
    )
    features = pl.DataFrame(
        {"te_importer": [0.62], "n_importer": [13.0], "vpk_dev_hs6": [float(np.log(0.3))]}
    )
    contrib = np.array([[1.8, -0.4, 1.1, -2.0]])
    [hits] = reasons(contrib, features, model_version="v3", top=3)
    assert [h.rule_id for h in hits] == ["te_importer", "vpk_dev_hs6"]  # negative ones are not reasons
    assert hits[0].title == "importer's past fraud rate 0.62 over 13 declarations (+1.8)"
    assert hits[1].title == "value per kg 0.3× the HS-6 median (+1.1)"
    assert hits[0].source == "model" and hits[0].version == "v3" and hits[0].weight == pytest.approx(1.8)
    assert hits[0].evidence == {"te_importer": 0.62, "n_importer": 13.0}


def test_shuffling_test_labels_does_not_change_test_scores(shared_data: Path) -> None:
    folder = shared_data / "customs-declarations"
    fit = read_kcs(folder / "df_syn_train_eng.csv").head(6000)
    test = read_kcs(folder / "df_syn_test_eng.csv").head(1500)
    model = train(fit, SMALL)
    rng = np.random.default_rng(1)
    shuffled = test.with_columns(
        pl.Series("fraud", rng.permutation(test["fraud"].to_numpy())),
        pl.Series("critical", rng.permutation(test["critical"].to_numpy())),
    )
    assert np.array_equal(model.score(test).probability, model.score(shuffled).probability)
