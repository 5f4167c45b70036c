"""What the past says about a batch: party and pair sightings, broker activity, HS-6 unit values.

A `History` is loaded in bulk for a whole batch (from the database by risk/repository.py, or from a
frame of past consignments for back-tests and benchmarks) and never queried per row. Indicators
combine it with the batch itself point-in-time: a sighting counts only if it is earlier than the
consignment being assessed, so a back-test over a period sees what an officer would have seen.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

import polars as pl

from corridor.risk.flatten import UTC_US, Frames

SIGHTINGS_SCHEMA: dict[str, pl.DataType] = {"key": pl.String(), "t": UTC_US, "ckey": pl.String()}
UNIT_VALUES_SCHEMA: dict[str, pl.DataType] = {
    "hs6": pl.String(),
    "unit_value": pl.Float64(),
    "kg_per_package": pl.Float64(),
    "t": UTC_US,
}

# Consignor -> consignee pairs are sighted under a key that cannot clash with a party key.
PAIR_SEPARATOR = " => "
# The roles whose sightings make a party "seen before". Carriers and notify parties are left out: a
# carrier appears on a large share of all consignments, and loading its every sighting for each batch
# would cost more than the rest of an assessment, for an indicator nobody reads.
HISTORY_ROLES: tuple[str, ...] = ("consignor", "consignee", "declarant", "freight_forwarder")

# Approximate rates to US dollars, used only to compare unit values across currencies within an HS-6
# subheading; configurable per deployment (IndicatorConfig.rates_to_usd).
DEFAULT_RATES_TO_USD: dict[str, float] = {
    "USD": 1.0,
    "EUR": 1.08,
    "GBP": 1.27,
    "RUB": 0.011,
    "CNY": 0.14,
    "TRY": 0.031,
    "AZN": 0.59,
    "KZT": 0.0021,
    "GEL": 0.37,
    "IRR": 0.000024,
    "TMT": 0.29,
    "UZS": 0.00008,
    "AED": 0.27,
    "INR": 0.012,
    "KRW": 0.00074,
    "JPY": 0.0067,
    "CHF": 1.13,
}


@dataclass(slots=True)
class History:
    """Past sightings (parties, pairs) and past goods unit values, in the shape indicators need."""

    sightings: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=SIGHTINGS_SCHEMA))
    unit_values: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=UNIT_VALUES_SCHEMA))

    @classmethod
    def empty(cls) -> History:
        return cls()

    @classmethod
    def from_frames(cls, past: Frames, rates: dict[str, float] | None = None) -> History:
        """History made of a batch of past consignments (back-tests, benchmarks, tests)."""
        return cls(sightings=sightings(past.consignments), unit_values=unit_values(past, rates))

    def window(self, end: object, months: int) -> History:
        """Unit values within `months` before `end` (sightings are kept whole: first-seen needs them)."""
        if end is None or self.unit_values.is_empty():
            return self
        start = pl.lit(end).cast(UTC_US) - pl.duration(days=int(round(months * 30.44)))
        return History(
            sightings=self.sightings,
            unit_values=self.unit_values.filter(
                (pl.col("t").is_null()) | ((pl.col("t") >= start) & (pl.col("t") <= pl.lit(end).cast(UTC_US)))
            ),
        )


def sightings(consignments: pl.DataFrame) -> pl.DataFrame:
    """(key, t, ckey) for every party of every consignment and for its consignor => consignee pair."""
    parts = [
        consignments.select(
            pl.col(f"{role}.key").alias("key"), pl.col("_ref_at").alias("t"), pl.col("_key").alias("ckey")
        )
        for role in HISTORY_ROLES
    ]
    parts.append(
        consignments.select(
            (pl.col("consignor.key") + PAIR_SEPARATOR + pl.col("consignee.key")).alias("key"),
            pl.col("_ref_at").alias("t"),
            pl.col("_key").alias("ckey"),
        )
    )
    return pl.concat(parts).drop_nulls("key").unique(["key", "ckey"], maintain_order=False)


def usd_value(rates: dict[str, float] | None = None) -> pl.Expr:
    table = rates or DEFAULT_RATES_TO_USD
    rate = pl.col("goods.currency").replace_strict(table, default=None, return_dtype=pl.Float64)
    return pl.col("goods.value") * rate


def unit_value_exprs(rates: dict[str, float] | None = None) -> tuple[pl.Expr, pl.Expr]:
    """USD per kg of net (else gross) weight, and kg per package; null when a term is missing or 0."""
    kg = pl.coalesce(
        pl.when(pl.col("goods.net_kg") > 0).then(pl.col("goods.net_kg")),
        pl.when(pl.col("goods.gross_kg") > 0).then(pl.col("goods.gross_kg")),
    )
    unit = pl.when(kg > 0).then(usd_value(rates) / kg)
    gross = pl.coalesce(
        pl.when(pl.col("goods.gross_kg") > 0).then(pl.col("goods.gross_kg")),
        pl.when(pl.col("goods.net_kg") > 0).then(pl.col("goods.net_kg")),
    )
    per_package = pl.when(pl.col("goods.packages") > 0).then(gross / pl.col("goods.packages"))
    return unit, per_package


def unit_values(past: Frames, rates: dict[str, float] | None = None) -> pl.DataFrame:
    unit, per_package = unit_value_exprs(rates)
    times = past.consignments.select("_row", pl.col("_ref_at").alias("t"))
    return (
        past.goods.join(times, on="_row", how="left")
        .select(
            pl.col("goods.hs6").alias("hs6"),
            unit.alias("unit_value"),
            per_package.alias("kg_per_package"),
            "t",
        )
        .drop_nulls("hs6")
    )


def shift(history: History, days: int) -> History:
    """History moved `days` days back in time (benchmarks place a generated history before a batch)."""
    delta = timedelta(days=days)
    return History(
        sightings=history.sightings.with_columns(pl.col("t") - delta),
        unit_values=history.unit_values.with_columns(pl.col("t") - delta),
    )
