"""The declaration frame the model learns from, and the features built on it.

Every source is first brought to one flat frame, one row per declaration (`DECLARATION_SCHEMA`):
the KCS dataset files directly with Polars (fast, for training and evaluation), and stored
consignments through `frame_from_consignments` (for `corridor model train` on the database and
for scoring). Labels are columns of that frame: `fraud`, `critical` (null when not inspected) and
`revenue` (the duty at stake, null when unknown), so a real revenue label drops in as a column.

Features are of three kinds:

- declared values and their ratios: log value, log net mass, log value per kg, tax rate;
- value per kg against the norm of its HS-6 subheading (median of the training window, falling
  back to HS-4, HS-2 and the overall median), as a log deviation;
- point-in-time history of entities (encoders.py): past positive rate, count and recency of the
  importer, declarant, seller, courier, HS codes, countries, office, and of exact declared values.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import polars as pl

from corridor.domain.consignment import Consignment, Party, PartyRole
from corridor.model.encoders import Encoding, HistoryEncoder
from corridor.risk.history import DEFAULT_RATES_TO_USD

DECLARATION_SCHEMA: dict[str, pl.DataType | type[pl.DataType]] = {
    "id": pl.String,
    "date": pl.Date,
    "office": pl.String,
    "process_type": pl.String,
    "import_type": pl.String,
    "import_use": pl.String,
    "payment_type": pl.String,
    "transport": pl.String,
    "declarant": pl.String,
    "importer": pl.String,
    "seller": pl.String,
    "courier": pl.String,
    "hs": pl.String,
    "departure": pl.String,
    "origin": pl.String,
    "tax_rate": pl.Float64,
    "tax_type": pl.String,
    "origin_indicator": pl.String,
    "net_kg": pl.Float64,
    "value": pl.Float64,
    "fraud": pl.Boolean,
    "critical": pl.Boolean,
    "revenue": pl.Float64,
}
LABELS = ("fraud", "critical", "revenue")

KCS_COLUMNS = {
    "Declaration ID": "id",
    "Date": "date",
    "Office ID": "office",
    "Process Type": "process_type",
    "Import Type": "import_type",
    "Import Use": "import_use",
    "Payment Type": "payment_type",
    "Mode of Transport": "transport",
    "Declarant ID": "declarant",
    "Importer ID": "importer",
    "Seller ID": "seller",
    "Courier ID": "courier",
    "Country of Departure": "departure",
    "Country of Origin": "origin",
    "Tax Rate": "tax_rate",
    "Tax Type": "tax_type",
    "Country of Origin Indicator": "origin_indicator",
    "Net Mass": "net_kg",
    "Item Price": "value",
}
KCS_SPLITS = ("train", "valid", "test")
KRW_TO_USD = DEFAULT_RATES_TO_USD["KRW"]

# The entity keys encoded point-in-time: name -> (columns, readable title, with recency).
ENCODINGS: list[Encoding] = [
    Encoding("importer", ("importer",), "importer"),
    Encoding("declarant", ("declarant",), "declarant"),
    Encoding("seller", ("seller",), "seller"),
    Encoding("courier", ("courier",), "courier", recency=False),
    Encoding("hs", ("hs",), "HS code"),
    Encoding("hs6", ("hs6",), "HS-6 subheading"),
    Encoding("hs4", ("hs4",), "HS heading", recency=False),
    Encoding("hs2", ("hs2",), "HS chapter", recency=False),
    Encoding("origin", ("origin",), "country of origin", recency=False),
    Encoding("departure", ("departure",), "country of departure", recency=False),
    Encoding("office", ("office",), "office", recency=False),
    Encoding("tax_type", ("tax_type",), "tax type", recency=False),
    Encoding("import_type", ("import_type",), "import type", recency=False),
    Encoding("payment_type", ("payment_type",), "payment type", recency=False),
    Encoding("origin_indicator", ("origin_indicator",), "origin marking", recency=False),
    Encoding("transport", ("transport",), "transport mode", recency=False),
    # Exact declared figures: the same invoice value or net mass declared again is a known pattern
    # (template invoices, split shipments); its past outcomes say a great deal.
    Encoding("value_exact", ("value_key",), "identical declared value"),
    Encoding("kg_exact", ("kg_key",), "identical net mass"),
    Encoding("value_kg", ("value_key", "kg_key"), "identical value and mass"),
    Encoding("importer_hs6", ("importer", "hs6"), "importer with this HS-6", recency=False),
    Encoding("declarant_importer", ("declarant", "importer"), "declarant for this importer", recency=False),
    Encoding("seller_importer", ("seller", "importer"), "seller to this importer", recency=False),
    Encoding("origin_hs6", ("origin", "hs6"), "HS-6 from this origin", recency=False),
]

NUMERIC_FEATURES = ["log_value", "log_kg", "log_vpk", "tax_rate", "vpk_dev_hs6", "value_dev_hs6"]


def empty_frame() -> pl.DataFrame:
    return pl.DataFrame(schema=DECLARATION_SCHEMA)


def conform(frame: pl.DataFrame) -> pl.DataFrame:
    """Add missing columns as nulls and cast to the declaration schema (extra columns are kept)."""
    missing = [
        pl.lit(None, dtype=t).alias(c) for c, t in DECLARATION_SCHEMA.items() if c not in frame.columns
    ]
    frame = frame.with_columns(missing) if missing else frame
    return frame.with_columns(pl.col(c).cast(t) for c, t in DECLARATION_SCHEMA.items())


def read_kcs(path: Path) -> pl.DataFrame:
    """One KCS declarations CSV (HS6 or HS10 variant) as a declaration frame."""
    raw = pl.read_csv(path, infer_schema_length=0, encoding="utf8-lossy")
    hs_column = "HS10 Code" if "HS10 Code" in raw.columns else "HS6 Code"
    parties = ("declarant", "importer", "seller", "courier")
    frame = raw.select(
        *(
            pl.col(src).alias(dst)
            for src, dst in KCS_COLUMNS.items()
            if dst not in ("date", "value", *parties)
        ),
        # Party keys as a stored consignment has them (Party.key(): scheme:value), so that a model
        # trained on the files scores ingested declarations with the same history.
        *(
            ("KCS:" + pl.col(src).str.strip_chars().str.to_uppercase()).alias(dst)
            for src, dst in KCS_COLUMNS.items()
            if dst in parties
        ),
        # Values in US dollars, as for stored consignments (KRW at the same reference rate).
        (pl.col("Item Price").cast(pl.Float64) * KRW_TO_USD).alias("value"),
        pl.col("Date").str.to_date("%Y-%m-%d").alias("date"),
        # Spreadsheet round-trips drop the leading zero of chapters 01-09.
        pl.col(hs_column).str.strip_chars().str.zfill(6 if hs_column == "HS6 Code" else 10).alias("hs"),
        (pl.col("Fraud").cast(pl.Int8) == 1).alias("fraud"),
        (pl.col("Critical Fraud").cast(pl.Int8) == 2).alias("critical"),
    )
    return conform(frame)


def kcs_files(data_dir: Path) -> dict[str, Path]:
    """The train/valid/test files of a KCS dataset folder (df_syn_<split>_eng.csv)."""
    found = {s: data_dir / f"df_syn_{s}_eng.csv" for s in KCS_SPLITS}
    missing = [str(p) for p in found.values() if not p.is_file()]
    if missing:
        from corridor.domain.errors import NotFound

        raise NotFound(f"KCS dataset files not found: {', '.join(missing)}")
    return found


def read_kcs_splits(data_dir: Path) -> dict[str, pl.DataFrame]:
    return {split: read_kcs(path) for split, path in kcs_files(data_dir).items()}


# -- stored consignments ---------------------------------------------------------------------------

_ROLE_COLUMNS: dict[str, tuple[PartyRole, ...]] = {
    "importer": (PartyRole.IMPORTER, PartyRole.CONSIGNEE, PartyRole.BUYER),
    "declarant": (PartyRole.DECLARANT, PartyRole.FREIGHT_FORWARDER),
    "seller": (PartyRole.SELLER, PartyRole.CONSIGNOR, PartyRole.EXPORTER),
    "courier": (PartyRole.COURIER, PartyRole.CARRIER),
}


def frame_from_consignments(
    consignments: Iterable[Consignment], rates_to_usd: dict[str, float] | None = None
) -> pl.DataFrame:
    """Stored consignments as a declaration frame: one row each, goods summed, main item's HS code.

    Values are converted to US dollars with `rates_to_usd` so that value per kg is comparable within
    an HS-6 whatever the invoice currency (read_kcs converts the KCS won values the same way).
    """
    rates = rates_to_usd or DEFAULT_RATES_TO_USD
    columns: dict[str, list[object]] = {c: [] for c in DECLARATION_SCHEMA}
    for c in consignments:
        by_role: dict[PartyRole, Party] = {}
        for p in c.parties:
            by_role.setdefault(p.role, p)
        parties = {
            name: next((by_role[r].key() for r in roles if r in by_role), None)
            for name, roles in _ROLE_COLUMNS.items()
        }
        if parties["courier"] is None and c.carrier is not None:
            parties["courier"] = c.carrier.key()
        value = 0.0
        valued = False
        kg = 0.0
        weighed = False
        main = None
        main_value = -1.0
        for g in c.goods:
            item_value = None
            if g.value is not None:
                rate = rates.get(g.value.currency)
                if rate is not None:
                    item_value = g.value.amount * rate
                    value += item_value
                    valued = True
            weight = g.net_kg if g.net_kg is not None else g.gross_kg
            if weight is not None:
                kg += weight
                weighed = True
            if (item_value or 0.0) > main_value:
                main, main_value = g, item_value or 0.0
        when = c.filed_at or c.arrival_at or c.eta
        attrs = c.attributes
        outcome = c.outcome
        columns["id"].append(c.key)
        columns["date"].append(when.date() if when else None)
        columns["office"].append(c.office)
        columns["process_type"].append(attrs.get("process_type"))
        columns["import_type"].append(attrs.get("import_type"))
        columns["import_use"].append(attrs.get("import_use"))
        columns["payment_type"].append(attrs.get("payment_type") or attrs.get("payment_method"))
        columns["transport"].append(attrs.get("kcs_mode") or c.mode.value)
        for name in _ROLE_COLUMNS:
            columns[name].append(parties[name])
        columns["hs"].append(main.hs_code if main else None)
        columns["departure"].append(c.departure_country)
        columns["origin"].append(c.origin_country or (main.origin_country if main else None))
        columns["tax_rate"].append(_float(attrs.get("tax_rate")))
        columns["tax_type"].append(attrs.get("tax_type"))
        columns["origin_indicator"].append(attrs.get("origin_indicator"))
        columns["net_kg"].append(kg if weighed else None)
        columns["value"].append(value if valued else None)
        inspected = outcome is not None and outcome.inspected
        columns["fraud"].append(outcome.fraud if inspected and outcome is not None else None)
        columns["critical"].append(outcome.critical if inspected and outcome is not None else None)
        revenue = None
        if inspected and outcome is not None:
            if outcome.revenue_at_stake is not None:
                money = outcome.revenue_at_stake
                revenue = money.amount * (rates.get(money.currency) or 1.0)
            elif outcome.fraud is False:
                revenue = 0.0
        columns["revenue"].append(revenue)
    return pl.DataFrame(columns, schema=DECLARATION_SCHEMA)


def _float(raw: str | None) -> float | None:
    try:
        return float(raw) if raw not in (None, "") else None
    except ValueError:
        return None


# -- features -------------------------------------------------------------------------------------


def with_derived(frame: pl.DataFrame) -> pl.DataFrame:
    """HS levels, exact-value keys and log ratios: columns the encodings and norms need."""
    kg = pl.when(pl.col("net_kg") > 0).then(pl.col("net_kg"))
    value = pl.when(pl.col("value") > 0).then(pl.col("value"))
    return frame.with_columns(
        pl.col("hs").str.slice(0, 6).alias("hs6"),
        pl.col("hs").str.slice(0, 4).alias("hs4"),
        pl.col("hs").str.slice(0, 2).alias("hs2"),
        # Rounded so that the same figure read from a CSV or from a stored float is the same key.
        pl.col("value").round(6).cast(pl.String).alias("value_key"),
        pl.col("net_kg").round(3).cast(pl.String).alias("kg_key"),
        value.log().alias("log_value"),
        kg.log().alias("log_kg"),
        (value / kg).log().alias("log_vpk"),
    )


@dataclass(slots=True)
class ValueNorms:
    """Median log value per kg and log value per HS level, from the training window (no labels)."""

    tables: dict[str, pl.DataFrame] = field(default_factory=dict)
    overall_vpk: float = 0.0
    overall_value: float = 0.0

    @classmethod
    def fit(cls, derived: pl.DataFrame) -> ValueNorms:
        tables = {
            level: derived.group_by(level).agg(
                pl.col("log_vpk").median().alias(f"vpk_{level}"),
                pl.col("log_value").median().alias(f"val_{level}"),
            )
            for level in ("hs6", "hs4", "hs2")
        }
        vpk = derived["log_vpk"].median()
        val = derived["log_value"].median()
        return cls(
            tables,
            float(vpk) if isinstance(vpk, int | float) else 0.0,
            float(val) if isinstance(val, int | float) else 0.0,
        )

    def apply(self, derived: pl.DataFrame) -> pl.DataFrame:
        out = derived
        for level, table in self.tables.items():
            out = out.join(table, on=level, how="left")
        vpk_norm = pl.coalesce("vpk_hs6", "vpk_hs4", "vpk_hs2", pl.lit(self.overall_vpk))
        val_norm = pl.coalesce("val_hs6", "val_hs4", "val_hs2", pl.lit(self.overall_value))
        return out.with_columns(
            (pl.col("log_vpk") - vpk_norm).alias("vpk_dev_hs6"),
            (pl.col("log_value") - val_norm).alias("value_dev_hs6"),
        ).drop([c for t in self.tables.values() for c in t.columns if c not in ("hs6", "hs4", "hs2")])

    def to_frame(self) -> pl.DataFrame:
        rows = [
            pl.DataFrame(
                {
                    "level": [level] * t.height,
                    "code": t[level],
                    "vpk": t[f"vpk_{level}"],
                    "val": t[f"val_{level}"],
                }
            )
            for level, t in self.tables.items()
        ]
        overall = pl.DataFrame(
            {"level": ["*"], "code": ["*"], "vpk": [self.overall_vpk], "val": [self.overall_value]}
        )
        return pl.concat([*rows, overall], how="vertical_relaxed")

    @classmethod
    def from_frame(cls, frame: pl.DataFrame) -> ValueNorms:
        tables = {}
        for level in ("hs6", "hs4", "hs2"):
            part = frame.filter(pl.col("level") == level)
            tables[level] = part.select(
                pl.col("code").alias(level),
                pl.col("vpk").alias(f"vpk_{level}"),
                pl.col("val").alias(f"val_{level}"),
            )
        overall = frame.filter(pl.col("level") == "*")
        return cls(tables, float(overall["vpk"][0]), float(overall["val"][0]))


def feature_names(encoder: HistoryEncoder) -> list[str]:
    return NUMERIC_FEATURES + encoder.feature_names()


def sort_by_date(frame: pl.DataFrame) -> pl.DataFrame:
    """Date order, stable on the id so that the same data always gives the same features."""
    return frame.sort("date", "id", maintain_order=True)


def days_between(a: date, b: date) -> int:
    return (b - a).days


def log_ratio_text(dev: float) -> str:
    """exp(deviation) as a readable multiple: 0.3×, 12×."""
    ratio = math.exp(dev)
    return f"{ratio:.2g}×" if ratio < 10 else f"{ratio:.0f}×"


def check_columns(frame: pl.DataFrame, needed: Sequence[str]) -> None:
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise ValueError(f"frame lacks columns: {', '.join(missing)}")
