"""Point-in-time history encodings: target rates, counts and recencies of entities, leak-free.

For every declaration and every entity key (importer, HS-6, exact declared value ...) the encoder
answers "what did we know about this key *before this declaration's date*": how often it was seen,
how many of those sightings had a known outcome, how many were positive, and when it was last seen.
Rows of the same date never see each other, so a day's declarations cannot leak into one another.

The same code path serves training and scoring. `fit_transform` runs over a labelled frame in date
order and keeps the totals per key as its state; `transform` starts from that state and runs over a
new batch whose outcomes are normally unknown (null labels count as sightings, never as outcomes).
A test set scored with `transform` therefore cannot depend on its own labels: they are not an input.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import polars as pl

# A missing value is a category of its own (a declaration without a courier is informative).
MISSING = "∅"

STATE_SCHEMA: dict[str, pl.DataType | type[pl.DataType]] = {
    "encoding": pl.String,
    "key": pl.String,
    "n": pl.Int64,
    "labelled": pl.Int64,
    "positive": pl.Float64,
    "last": pl.Date,
}


@dataclass(frozen=True, slots=True)
class Encoding:
    """One entity key: its name, the columns whose values form the key, and which outputs it gives."""

    name: str
    columns: tuple[str, ...]
    title: str
    recency: bool = True

    def key_expr(self) -> pl.Expr:
        parts = [pl.col(c).cast(pl.String).fill_null(MISSING) for c in self.columns]
        expr = parts[0] if len(parts) == 1 else pl.concat_str(parts, separator="|")
        return expr.alias("key")


@dataclass(slots=True)
class HistoryEncoder:
    """Expanding, date-ordered, smoothed target encoding plus counts and recencies for many keys.

    `smoothing` is the weight of the prior in the rate: (positives + m * prior) / (labelled + m), so
    a key seen once with a fraud gets a rate near the prior, and one seen fifty times its own rate.
    """

    encodings: Sequence[Encoding]
    smoothing: float = 5.0
    prior: float = 0.0
    state: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=STATE_SCHEMA))

    def feature_names(self) -> list[str]:
        names: list[str] = []
        for enc in self.encodings:
            names += [f"te_{enc.name}", f"n_{enc.name}"]
            if enc.recency:
                names.append(f"days_{enc.name}")
        return names

    def fit_transform(self, frame: pl.DataFrame, label: str) -> pl.DataFrame:
        """Encode a labelled frame point-in-time from an empty past, and keep the totals as state."""
        labels = frame[label].cast(pl.Float64)
        known = labels.drop_nulls()
        self.prior = float(known.mean()) if known.len() else 0.0  # type: ignore[arg-type]
        self.state = pl.DataFrame(schema=STATE_SCHEMA)
        encoded = self._encode(frame, labels)
        self.state = self._totals(frame, labels, self.state)
        return encoded

    def transform(self, frame: pl.DataFrame, label: str | None = None) -> pl.DataFrame:
        """Encode a new batch after the fitted past; its labels, if given, count for later rows only."""
        if label is not None and label in frame.columns:
            labels = frame[label].cast(pl.Float64)
        else:
            labels = pl.Series("y", [None] * frame.height, dtype=pl.Float64)
        return self._encode(frame, labels)

    def update(self, frame: pl.DataFrame, label: str) -> None:
        """Fold a batch (with whatever outcomes are known) into the state, e.g. between retrains."""
        self.state = self._totals(frame, frame[label].cast(pl.Float64), self.state)

    # -- internals ---------------------------------------------------------------------------------

    def _encode(self, frame: pl.DataFrame, labels: pl.Series) -> pl.DataFrame:
        base = frame.select(
            pl.int_range(pl.len(), dtype=pl.Int64).alias("_i"), pl.col("date"), labels.alias("_y")
        )
        out = base.select("_i")
        prior = pl.lit(self.prior)
        m = pl.lit(self.smoothing)
        for enc in self.encodings:
            rows = base.with_columns(frame.select(enc.key_expr()).to_series())
            daily = (
                rows.group_by("key", "date")
                .agg(
                    pl.len().cast(pl.Int64).alias("cnt"),
                    pl.col("_y").is_not_null().sum().cast(pl.Int64).alias("lab"),
                    pl.col("_y").fill_null(0.0).sum().alias("pos"),
                )
                .sort("key", "date")
                .with_columns(
                    (pl.col("cnt").cum_sum().over("key") - pl.col("cnt")).alias("n_b"),
                    (pl.col("lab").cum_sum().over("key") - pl.col("lab")).alias("lab_b"),
                    (pl.col("pos").cum_sum().over("key") - pl.col("pos")).alias("pos_b"),
                    pl.col("date").shift(1).over("key").alias("last_b"),
                )
            )
            past = self.state.filter(pl.col("encoding") == enc.name).drop("encoding")
            daily = daily.join(past, on="key", how="left").select(
                "key",
                "date",
                (pl.col("n_b") + pl.col("n").fill_null(0)).alias("n"),
                (pl.col("lab_b") + pl.col("labelled").fill_null(0)).alias("lab"),
                (pl.col("pos_b") + pl.col("positive").fill_null(0.0)).alias("pos"),
                pl.coalesce("last_b", "last").alias("last"),
            )
            feats = rows.join(daily, on=["key", "date"], how="left").select(
                "_i",
                ((pl.col("pos") + m * prior) / (pl.col("lab") + m)).alias(f"te_{enc.name}"),
                pl.col("n").cast(pl.Float64).alias(f"n_{enc.name}"),
                *(
                    [
                        (pl.col("date") - pl.col("last"))
                        .dt.total_days()
                        .cast(pl.Float64)
                        .alias(f"days_{enc.name}")
                    ]
                    if enc.recency
                    else []
                ),
            )
            out = out.join(feats, on="_i", how="left")
        return out.sort("_i").drop("_i")

    def _totals(self, frame: pl.DataFrame, labels: pl.Series, start: pl.DataFrame) -> pl.DataFrame:
        parts = [start]
        for enc in self.encodings:
            rows = frame.select(pl.col("date"), enc.key_expr()).with_columns(labels.alias("_y"))
            parts.append(
                rows.group_by("key")
                .agg(
                    pl.len().cast(pl.Int64).alias("n"),
                    pl.col("_y").is_not_null().sum().cast(pl.Int64).alias("labelled"),
                    pl.col("_y").fill_null(0.0).sum().alias("positive"),
                    pl.col("date").max().alias("last"),
                )
                .select(pl.lit(enc.name).alias("encoding"), "key", "n", "labelled", "positive", "last")
            )
        return (
            pl.concat(parts)
            .group_by("encoding", "key")
            .agg(pl.col("n").sum(), pl.col("labelled").sum(), pl.col("positive").sum(), pl.col("last").max())
            .sort("encoding", "key")
        )

    def rate(self, encoding: str, key: str) -> float | None:
        """The current smoothed rate of one key (for explanations and the model card)."""
        row = self.state.filter((pl.col("encoding") == encoding) & (pl.col("key") == key))
        if row.is_empty():
            return None
        lab, pos = int(row["labelled"][0]), float(row["positive"][0])
        return (pos + self.smoothing * self.prior) / (lab + self.smoothing)


def encodings_from(spec: Mapping[str, tuple[Sequence[str], str, bool]]) -> list[Encoding]:
    return [Encoding(name, tuple(cols), title, recency) for name, (cols, title, recency) in spec.items()]
