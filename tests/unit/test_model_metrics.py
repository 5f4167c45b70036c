"""Precision@n%, Recall@n% and Revenue@n%, computed by hand on small arrays."""

from __future__ import annotations

import numpy as np
import pytest

from corridor.model.evaluate import metrics_at, precision_at, recall_at, revenue_at, top_k
from corridor.model.simulate import select


def test_top_k_floors_but_inspects_at_least_one() -> None:
    assert top_k(1000, 0.05) == 50
    assert top_k(10, 0.05) == 1
    assert top_k(99, 0.1) == 9
    assert top_k(3, 1.0) == 3


def test_precision_recall_revenue_by_hand() -> None:
    scores = np.array([0.9, 0.1, 0.8, 0.7, 0.2, 0.3, 0.05, 0.6, 0.4, 0.5])
    labels = np.array([1, 1, 0, 1, 0, 0, 0, 1, 0, 0])
    revenue = np.array([100.0, 300.0, 0, 50.0, 0, 0, 0, 50.0, 0, 0])
    # Top 20% = 2 rows: scores 0.9 (pos) and 0.8 (neg).
    assert precision_at(scores, labels, 0.2) == pytest.approx(0.5)
    assert recall_at(scores, labels, 0.2) == pytest.approx(1 / 4)
    assert revenue_at(scores, revenue, 0.2) == pytest.approx(100 / 500)
    # Top 40% = 0.9, 0.8, 0.7, 0.6: three positives.
    assert precision_at(scores, labels, 0.4) == pytest.approx(0.75)
    assert recall_at(scores, labels, 0.4) == pytest.approx(3 / 4)
    assert revenue_at(scores, revenue, 0.4) == pytest.approx(200 / 500)
    m = metrics_at(scores, labels, revenue, shares=(0.2,))
    assert m == {"precision": {"0.2": 0.5}, "recall": {"0.2": 0.25}, "revenue": {"0.2": 0.2}}


def test_ties_keep_input_order() -> None:
    scores = np.array([0.5, 0.5, 0.5, 0.5])
    assert precision_at(scores, np.array([1, 0, 0, 0]), 0.25) == 1.0
    assert precision_at(scores, np.array([0, 1, 0, 0]), 0.25) == 0.0


def test_no_positives_or_revenue_gives_zero_not_nan() -> None:
    assert recall_at(np.array([0.2, 0.1]), np.array([0, 0]), 0.5) == 0.0
    assert revenue_at(np.array([0.2, 0.1]), np.array([0.0, np.nan]), 0.5) == 0.0


def test_selection_with_exploration() -> None:
    rng = np.random.default_rng(0)
    scores = np.arange(100, dtype=np.float64)
    chosen = select(scores, 0.1, 0.0, rng)
    assert sorted(chosen.tolist()) == list(range(90, 100))
    explored = select(scores, 0.1, 0.3, rng)
    assert len(explored) == 10
    assert set(range(93, 100)) <= set(explored.tolist())
    assert len(set(explored.tolist()) - set(range(93, 100))) == 3
