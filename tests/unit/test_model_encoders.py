"""Point-in-time encodings: a row sees only rows of earlier dates, and never a label it should not."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from corridor.model.encoders import Encoding, HistoryEncoder

ENC = [Encoding("importer", ("importer",), "importer")]


def frame(rows: list[tuple[str, date, int | None]]) -> pl.DataFrame:
    return pl.DataFrame(
        {"importer": [r[0] for r in rows], "date": [r[1] for r in rows], "y": [r[2] for r in rows]},
        schema={"importer": pl.String, "date": pl.Date, "y": pl.Int8},
    )


D1, D2, D3 = date(2024, 1, 1), date(2024, 1, 2), date(2024, 1, 5)


def test_expanding_counts_and_rates_by_hand() -> None:
    data = frame([("A", D1, 1), ("A", D1, 1), ("A", D2, 0), ("B", D2, 1), ("A", D3, 0)])
    enc = HistoryEncoder(ENC, smoothing=2.0)
    out = enc.fit_transform(data, "y")
    prior = 3 / 5
    assert enc.prior == pytest.approx(prior)
    # Same-day rows do not see each other: both D1 rows have an empty past.
    assert out["n_importer"].to_list()[:2] == [0.0, 0.0]
    assert out["te_importer"][0] == pytest.approx(prior)
    # D2 row of A sees the two D1 positives: (2 + 2 * prior) / (2 + 2).
    assert out["te_importer"][2] == pytest.approx((2 + 2 * prior) / 4)
    assert out["days_importer"][2] == 1.0
    # B is new on D2.
    assert out["n_importer"][3] == 0.0 and out["days_importer"][3] is None
    # D3 row of A sees three earlier rows, two positive.
    assert out["n_importer"][4] == 3.0
    assert out["te_importer"][4] == pytest.approx((2 + 2 * prior) / (3 + 2))
    assert out["days_importer"][4] == 3.0


def test_a_row_never_sees_its_own_label() -> None:
    data = frame([("A", D1, 0), ("A", D2, 1)])
    flipped = frame([("A", D1, 0), ("A", D2, 0)])
    a = HistoryEncoder(ENC, smoothing=1.0)
    b = HistoryEncoder(ENC, smoothing=1.0)
    a.prior = b.prior = 0.5
    # Same prior for both, so only the rows' own labels differ: features must be identical.
    left = a._encode(data, data["y"].cast(pl.Float64))
    right = b._encode(flipped, flipped["y"].cast(pl.Float64))
    assert left.equals(right)


def test_transform_ignores_labels_of_the_batch_and_continues_from_state() -> None:
    past = frame([("A", D1, 1), ("A", D1, 0)])
    enc = HistoryEncoder(ENC, smoothing=0.0)
    enc.fit_transform(past, "y")
    batch = frame([("A", D2, 1), ("A", D3, 1), ("C", D3, 0)])
    shuffled = batch.with_columns(pl.Series("y", [0, 0, 1], dtype=pl.Int8))
    out = enc.transform(batch)
    assert out.equals(enc.transform(shuffled))
    assert out["te_importer"][0] == pytest.approx(0.5)
    # The D2 row counts as a sighting for D3 (n = 3), but without a label it does not change the rate.
    assert out["n_importer"][1] == 3.0
    assert out["te_importer"][1] == pytest.approx(0.5)
    assert out["days_importer"][1] == 3.0


def test_update_folds_new_outcomes_into_state() -> None:
    enc = HistoryEncoder(ENC, smoothing=0.0)
    enc.fit_transform(frame([("A", D1, 0)]), "y")
    enc.update(frame([("A", D2, 1)]), "y")
    assert enc.rate("importer", "A") == pytest.approx(0.5)
    assert enc.rate("importer", "Z") is None


def test_missing_values_are_a_category() -> None:
    data = frame([(None, D1, 1), (None, D2, 0)])  # type: ignore[list-item]
    out = HistoryEncoder(ENC, smoothing=0.0).fit_transform(data, "y")
    assert out["n_importer"].to_list() == [0.0, 1.0]
    assert out["te_importer"][1] == pytest.approx(1.0)
