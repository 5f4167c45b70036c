"""Counts, quantities and trends of seizures by period, commodity, route, concealment, detection
method and office; profile effectiveness. Pure functions over the frame of `analytics.frames`.

Quantities are summed per normalised unit, never across units: kilograms (kg, g, t), litres,
cigarette sticks (a pack is 20), pieces, and cash in US dollars (EUR and AZN at the fixed rates
below, which a report states). `value_usd` is the estimated value the record carries.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import polars as pl

from corridor.domain.errors import InvalidInput
from corridor.seizures.vocabulary import STICKS_PER_PACK

# What `--by` accepts, and the column it groups by.
DIMENSIONS: dict[str, str] = {
    "commodity": "category",
    "type": "commodity_type",
    "route": "route",
    "concealment": "concealment",
    "detection": "detection",
    "office": "office",
    "month": "month",
    "mode": "transport_mode",
    "departure": "departure_country",
    "destination": "destination_country",
}
# Fixed rates for summing cash seized in several currencies (USD per unit).
CASH_RATES_USD: dict[str, float] = {"usd": 1.0, "eur": 1.08, "azn": 0.588}
MEASURES = ("seizures", "kg", "litres", "sticks", "pieces", "cash_usd", "value_usd")


def _dimension(by: str) -> str:
    try:
        return DIMENSIONS[by]
    except KeyError:
        raise InvalidInput(
            f"cannot group by {by!r}; use one of {', '.join(DIMENSIONS)}", where="by"
        ) from None


def with_measures(frame: pl.DataFrame | pl.LazyFrame) -> Any:
    """Add `month` (YYYY-MM) and one column per normalised quantity (null when another unit)."""
    unit, qty = pl.col("unit"), pl.col("quantity")
    return frame.with_columns(
        pl.col("seized_at").dt.strftime("%Y-%m").alias("month"),
        pl.col("quantity_kg").alias("kg"),
        pl.when(unit == "l").then(qty).alias("litres"),
        pl.when(unit == "sticks").then(qty).when(unit == "packs").then(qty * STICKS_PER_PACK).alias("sticks"),
        pl.when(unit == "pcs").then(qty).alias("pieces"),
        pl.when(unit.is_in(list(CASH_RATES_USD)))
        .then(qty * unit.replace_strict(CASH_RATES_USD, default=None, return_dtype=pl.Float64))
        .alias("cash_usd"),
    )


def _aggs() -> list[pl.Expr]:
    return [pl.len().alias("seizures")] + [
        pl.col(m).sum().alias(m) for m in ("kg", "litres", "sticks", "pieces", "cash_usd", "value_usd")
    ]


def stats(frame: pl.DataFrame | pl.LazyFrame, by: str) -> pl.DataFrame:
    """One row per value of the dimension: seizures, quantities per unit, value, share of seizures.
    Rows are ordered by month for `month`, else by number of seizures (most first)."""
    column = _dimension(by)
    lazy = with_measures(frame.lazy())
    grouped = lazy.group_by(pl.col(column).fill_null("unknown").alias("key")).agg(_aggs())
    out: pl.DataFrame = grouped.collect()
    total = int(out["seizures"].sum()) if out.height else 0
    out = out.with_columns((pl.col("seizures") / (total or 1)).alias("share"))
    order = ["key"] if by == "month" else ["seizures", "key"]
    return out.sort(order, descending=[False] if by == "month" else [True, False])


def totals(frame: pl.DataFrame | pl.LazyFrame) -> dict[str, Any]:
    row = with_measures(frame.lazy()).select(_aggs()).collect().row(0, named=True)
    return {k: (v if v is not None else 0) for k, v in row.items()}


def monthly(
    frame: pl.DataFrame | pl.LazyFrame, by: str | None = None, months: Sequence[str] | None = None
) -> pl.DataFrame:
    """Seizures per month (and per value of `by`), with every month of `months` present (0 if none)."""
    lazy = with_measures(frame.lazy())
    keys = ["month"] if by is None else ["month", pl.col(_dimension(by)).fill_null("unknown").alias("key")]
    out: pl.DataFrame = lazy.group_by(keys).agg(_aggs()).collect()
    if months is not None:
        grid = pl.DataFrame({"month": list(months)})
        if by is not None:
            grid = grid.join(out.select("key").unique(), how="cross")
        out = grid.join(out, on=["month"] + ([] if by is None else ["key"]), how="left").with_columns(
            pl.col("seizures").fill_null(0)
        )
    return out.sort(["month"] + ([] if by is None else ["key"]))


def trend(frame: pl.DataFrame | pl.LazyFrame, month: str, by: str = "commodity") -> pl.DataFrame:
    """For `month`: seizures per value of `by`, the month before, the average of the three months
    before, and the change against that average (None when there is no history)."""
    y, m = (int(p) for p in month.split("-"))
    previous = [f"{(y * 12 + m - 1 - k) // 12:04d}-{(y * 12 + m - 1 - k) % 12 + 1:02d}" for k in range(1, 4)]
    table = monthly(frame, by, [*reversed(previous), month])
    wide = table.pivot(on="month", index="key", values="seizures").fill_null(0)
    for name in [*previous, month]:
        if name not in wide.columns:
            wide = wide.with_columns(pl.lit(0).alias(name))
    avg = (pl.col(previous[0]) + pl.col(previous[1]) + pl.col(previous[2])) / 3
    return (
        wide.select(
            pl.col("key"),
            pl.col(month).alias("seizures"),
            pl.col(previous[0]).alias("previous_month"),
            avg.alias("three_month_average"),
        )
        .with_columns(
            pl.when(pl.col("three_month_average") > 0)
            .then(pl.col("seizures") / pl.col("three_month_average") - 1)
            .otherwise(None)
            .alias("change")
        )
        .sort(["seizures", "key"], descending=[True, False])
    )


def profile_effectiveness(frame: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame:
    """Per profile named on seizure records: seizures it led to, their value, and the commodity
    categories; plus the share of all seizures detected by a risk profile at all."""
    lazy = frame.lazy()
    exploded = (
        lazy.select("profile_hits", "category", "value_usd")
        .explode("profile_hits")
        .drop_nulls("profile_hits")
    )
    out: pl.DataFrame = (
        exploded.group_by(pl.col("profile_hits").alias("rule_id"))
        .agg(
            pl.len().alias("seizures"),
            pl.col("value_usd").sum().alias("value_usd"),
            pl.col("category").unique().sort().alias("categories"),
        )
        .sort(["seizures", "rule_id"], descending=[True, False])
        .collect()
    )
    return out


def detection_share(frame: pl.DataFrame | pl.LazyFrame) -> dict[str, float]:
    table = stats(frame, "detection")
    return {str(k): float(v) for k, v in zip(table["key"], table["share"], strict=True)}


def records(table: pl.DataFrame) -> list[dict[str, Any]]:
    """A result table as JSON-ready rows (floats rounded for reading, nulls kept)."""
    out = []
    for row in table.iter_rows(named=True):
        out.append({k: (round(v, 3) if isinstance(v, float) else v) for k, v in row.items()})
    return out
