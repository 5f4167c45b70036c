"""Per-consignment reasons from exact tree SHAP contributions (LightGBM's pred_contrib).

Each feature's contribution is in log-odds of a positive inspection; the largest positive ones
become `Hit`s with source "model", a readable title such as "importer's past fraud rate 0.62 over
13 declarations (+1.8)", the contribution as weight and the feature values as evidence.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import polars as pl
from numpy.typing import NDArray

from corridor.domain.assessment import Hit
from corridor.model.features import ENCODINGS

_TITLES = {e.name: e.title for e in ENCODINGS}
_COLUMNS = {e.name: e.columns for e in ENCODINGS}
_OWNERS = {"importer", "declarant", "seller", "courier", "office"}


def _multiple(log_ratio: float) -> str:
    ratio = math.exp(log_ratio)
    return f"{ratio:.2g}×" if ratio < 10 else f"{ratio:,.0f}×"


def _whose(name: str) -> str:
    title = _TITLES.get(name, name)
    return f"{title}'s" if name in _OWNERS else f"the {title}'s"


def describe(
    feature: str,
    value: float | None,
    row: dict[str, float | None],
    label: str = "fraud",
    keys: dict[str, Any] | None = None,
) -> str:
    """A readable sentence for one feature value of one declaration (without the contribution).

    `keys` are the declaration's entity values (importer, HS code ...): when the entity is absent,
    the history features describe "declarations without one", and the sentence says so.
    """
    missing = value is None or (isinstance(value, float) and math.isnan(value))
    if feature == "vpk_dev_hs6":
        return (
            "value per kg unknown"
            if missing
            else f"value per kg {_multiple(float(value or 0))} the HS-6 median"
        )
    if feature == "value_dev_hs6":
        return (
            "declared value unknown"
            if missing
            else f"declared value {_multiple(float(value or 0))} the HS-6 median"
        )
    if feature == "log_value":
        return "no declared value" if missing else f"declared value {math.exp(float(value or 0)):,.0f}"
    if feature == "log_kg":
        return "no net mass" if missing else f"net mass {math.exp(float(value or 0)):,.1f} kg"
    if feature == "log_vpk":
        return "value per kg unknown" if missing else f"value per kg {math.exp(float(value or 0)):,.2f}"
    if feature == "tax_rate":
        return "tax rate unknown" if missing else f"tax rate {float(value or 0):g}%"
    kind, _, name = feature.partition("_")
    title = _TITLES.get(name, name)
    count = row.get(f"n_{name}")
    seen = int(count) if count is not None and not math.isnan(count) else 0
    columns = _COLUMNS.get(name, ())
    if keys is not None and columns and all(keys.get(c) in (None, "") for c in columns):
        if kind == "te":
            return f"no {title} declared (past {label} rate of such declarations {float(value or 0):.2f})"
        return f"no {title} declared (like {seen:,} earlier declarations)"
    if kind == "te":
        if seen == 0:
            return f"{title} never seen before (prior {label} rate {float(value or 0):.2f})"
        return f"{_whose(name)} past {label} rate {float(value or 0):.2f} over {seen} declaration{'s' if seen != 1 else ''}"
    if kind == "n":
        return (
            f"{title} never seen before"
            if seen == 0
            else f"{title} seen {seen} time{'s' if seen != 1 else ''} before"
        )
    if kind == "days":
        return f"{title} never seen before" if missing else f"{title} last seen {int(value or 0)} days before"
    return f"{feature} = {value}"


def reasons(
    contributions: NDArray[np.float64],
    features: pl.DataFrame,
    *,
    model_version: str | None,
    top: int = 3,
    label: str = "fraud",
    positive_only: bool = True,
    keys: pl.DataFrame | None = None,
) -> list[list[Hit]]:
    """Top contributions per row as hits; `contributions` has one column per feature plus the bias."""
    names = features.columns
    values = features.rows()
    key_rows = keys.rows(named=True) if keys is not None else None
    out: list[list[Hit]] = []
    for i, row_contrib in enumerate(contributions):
        per_feature = row_contrib[:-1]
        order = np.argsort(-per_feature if positive_only else -np.abs(per_feature), kind="stable")
        row = dict(zip(names, values[i], strict=True))
        hits: list[Hit] = []
        for j in order[:top]:
            weight = float(per_feature[j])
            if positive_only and weight <= 0:
                break
            name = names[j]
            text = describe(name, row[name], row, label, key_rows[i] if key_rows is not None else None)
            hits.append(
                Hit(
                    source="model",
                    rule_id=name,
                    version=model_version,
                    title=f"{text} ({weight:+.1f})",
                    weight=round(weight, 4),
                    evidence=_evidence(name, row),
                    rationale="contribution to the log-odds of a positive inspection (tree SHAP)",
                )
            )
        out.append(hits)
    return out


def _evidence(name: str, row: dict[str, Any]) -> dict[str, Any]:
    _, _, entity = name.partition("_")
    keys: Sequence[str] = [name]
    if entity and f"n_{entity}" in row:
        keys = [k for k in (f"te_{entity}", f"n_{entity}", f"days_{entity}") if k in row]
    return {
        k: (
            None
            if row[k] is None or (isinstance(row[k], float) and math.isnan(row[k]))
            else round(float(row[k]), 4)
        )
        for k in keys
    }
