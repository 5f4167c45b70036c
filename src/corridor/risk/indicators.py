"""Indicators: derived features computed once per batch as columns, for profiles and the ML model.

Each indicator is a small documented function that adds columns to the batch frames; together they
form the indicator library served by GET /risk/indicators. They are all columnar (Polars): a batch
of a million consignments costs a handful of joins and group-bys, never a loop over rows. Their
parameters live in `IndicatorConfig` so a deployment can tune them without code.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import polars as pl
from pydantic import BaseModel, ConfigDict, Field

from corridor.domain import iso6346
from corridor.risk.fields import PARTY_ROLES, FieldSpec, Kind, Level
from corridor.risk.flatten import Frames
from corridor.risk.history import DEFAULT_RATES_TO_USD, PAIR_SEPARATOR, History, unit_value_exprs
from corridor.risk.lists import NamedList, precursors, strategic_items
from corridor.risk.watchlist import NamedListWatchlist, WatchlistLookup, WatchQuery

_CAS = r"\b\d{2,7}-\d{2}-\d\b"


class IndicatorConfig(BaseModel):
    """Parameters of the indicators; every field has a safe default."""

    model_config = ConfigDict(extra="forbid")

    high_risk_countries: str = Field("high-risk-countries", description="named list of high-risk countries")
    high_risk_ports: str = Field("high-risk-ports", description="named list of high-risk ports (UN/LOCODE)")
    vague_terms: list[str] = Field(
        default_factory=lambda: [
            "general cargo",
            "general goods",
            "fak",
            "freight all kinds",
            "personal effects",
            "spare parts",
            "parts",
            "various goods",
            "various",
            "mixed goods",
            "goods",
            "samples",
            "gifts",
            "household goods",
            "consolidated cargo",
            "consolidation",
            "stc",
            "said to contain",
        ],
        description="a description that is only one of these phrases is vague",
    )
    vague_contains: list[str] = Field(
        default_factory=lambda: ["freight all kinds", "general cargo", "said to contain", "personal effects"],
        description="a description containing one of these phrases is vague",
    )
    late_filing_hours: dict[str, float] = Field(
        default_factory=lambda: {"sea": 24.0, "air": 4.0, "road": 1.0, "rail": 2.0},
        description="minimum hours between filing and arrival, per mode (others: default_late_filing_hours)",
    )
    default_late_filing_hours: float = 24.0
    rare_broker_max: int = Field(
        3, description="a declarant or forwarder seen this many times or fewer is rare"
    )
    risky_freight_terms: list[str] = Field(default_factory=lambda: ["collect"])
    min_hs6_history: int = Field(5, description="past unit values needed before an HS-6 z-score is given")
    mad_floor: float = Field(0.05, description="floor of the MAD of log unit values, against zero spreads")
    history_months: int = Field(12, description="window of past unit values per HS-6")
    rates_to_usd: dict[str, float] = Field(default_factory=lambda: dict(DEFAULT_RATES_TO_USD))


@dataclass(slots=True)
class IndicatorContext:
    frames: Frames
    history: History
    lists: Mapping[str, NamedList]
    config: IndicatorConfig
    watchlist: WatchlistLookup | None = None
    percentiles: set[tuple[str, float]] = field(default_factory=set)

    def list_items(self, name: str) -> list[str]:
        found = self.lists.get(name)
        return list(found.items) if found else []


@dataclass(frozen=True, slots=True)
class Indicator:
    name: str
    doc: str
    fields: tuple[FieldSpec, ...]
    compute: Callable[[IndicatorContext], None]

    def as_dict(self) -> dict[str, object]:
        return {"name": self.name, "doc": self.doc, "fields": [f.as_dict() for f in self.fields]}


INDICATORS: list[Indicator] = []


def indicator(name: str, doc: str, *fields: tuple[str, Level, Kind, str]) -> Callable[..., None]:
    def register(fn: Callable[[IndicatorContext], None]) -> Callable[[IndicatorContext], None]:
        specs = tuple(FieldSpec(n, level, kind, d, name) for n, level, kind, d in fields)
        INDICATORS.append(Indicator(name, doc, specs, fn))
        return fn

    return register  # type: ignore[return-value]


def _add(ctx: IndicatorContext, *exprs: pl.Expr) -> None:
    ctx.frames.consignments = ctx.frames.consignments.with_columns(*exprs)


def _add_goods(ctx: IndicatorContext, *exprs: pl.Expr) -> None:
    ctx.frames.goods = ctx.frames.goods.with_columns(*exprs)


@indicator(
    "route",
    "Route through high-risk countries or ports, number of intermediate stops (transit and "
    "trans-shipment), and illogical routing: a country visited twice with another in between "
    "(back-tracking), or goods of the destination country's own origin coming back from abroad.",
    ("route.high_risk_countries", "consignment", "list", "route countries on the high-risk countries list"),
    ("route.high_risk_transit", "consignment", "bool", "a transit country is on the high-risk list"),
    ("route.high_risk_ports", "consignment", "list", "route ports on the high-risk ports list"),
    ("route.transhipments", "consignment", "number", "intermediate transit and trans-shipment stops"),
    ("route.illogical", "consignment", "bool", "back-tracking or round-trip routing"),
)
def _route(ctx: IndicatorContext) -> None:
    countries = ctx.list_items(ctx.config.high_risk_countries)
    ports = ctx.list_items(ctx.config.high_risk_ports)
    route = pl.col("route.countries")
    inner = route.list.slice(1, pl.max_horizontal(route.list.len() - 2, 0))
    transit = pl.concat_list(pl.col("transit_countries"), inner)
    with_origin = pl.concat_list(route, pl.col("origin_country").fill_null(pl.lit("")))
    _add(
        ctx,
        with_origin.list.eval(pl.element().filter(pl.element().is_in(countries)))
        .list.unique()
        .list.sort()
        .alias("route.high_risk_countries"),
        transit.list.eval(pl.element().is_in(countries)).list.any().alias("route.high_risk_transit"),
        pl.col("route.ports")
        .list.eval(pl.element().filter(pl.element().is_in(ports)))
        .list.unique()
        .list.sort()
        .alias("route.high_risk_ports"),
        pl.col("_transhipments").cast(pl.Float64).alias("route.transhipments"),
        (
            (route.list.len() > route.list.n_unique())
            | (
                (pl.col("origin_country") == pl.col("destination_country"))
                & (pl.col("departure_country") != pl.col("destination_country"))
            ).fill_null(False)
        ).alias("route.illogical"),
    )


@indicator(
    "party_history",
    "First appearance and activity of parties, point-in-time: days since the consignor, the consignee "
    "and the consignor=>consignee pair were first seen (0 = first time), earlier sightings of each, and "
    "rarely seen declarants or forwarders (brokers).",
    ("consignor.first_seen_days", "consignment", "number", "days since the consignor was first seen"),
    ("consignee.first_seen_days", "consignment", "number", "days since the consignee was first seen"),
    (
        "pair.first_seen_days",
        "consignment",
        "number",
        "days since this consignor=>consignee pair was first seen",
    ),
    ("consignor.history_count", "consignment", "number", "earlier consignments with this consignor"),
    ("consignee.history_count", "consignment", "number", "earlier consignments with this consignee"),
    ("pair.history_count", "consignment", "number", "earlier consignments of this consignor=>consignee pair"),
    ("declarant.history_count", "consignment", "number", "earlier consignments with this declarant"),
    ("freight_forwarder.history_count", "consignment", "number", "earlier consignments with this forwarder"),
    ("broker.rare", "consignment", "bool", "declarant or forwarder seen rare_broker_max times or fewer"),
)
def _party_history(ctx: IndicatorContext) -> None:
    cons = ctx.frames.consignments
    roles = ("consignor", "consignee", "pair", "declarant", "freight_forwarder")
    key_of = {r: pl.col(f"{r}.key") for r in roles if r != "pair"}
    key_of["pair"] = pl.col("consignor.key") + PAIR_SEPARATOR + pl.col("consignee.key")
    # Keys and consignment keys are hashed once: grouping, ranking and joining integers is much
    # faster than strings on a million rows (a 64-bit collision is not a practical concern here).
    queries = pl.concat(
        [
            cons.select(
                pl.lit(i, dtype=pl.Int8).alias("role"),
                "_row",
                key_of[r].hash().alias("h"),
                pl.col("_key").hash().alias("c"),
                pl.col("_ref_at").alias("t"),
                key_of[r].is_not_null().alias("known"),
            )
            for i, r in enumerate(roles)
        ]
    ).filter(pl.col("known"))
    past = ctx.history.sightings
    observations = queries.select("h", "c", "t")
    if not past.is_empty():
        past_obs = past.select(pl.col("key").hash().alias("h"), pl.col("ckey").hash().alias("c"), "t")
        observations = pl.concat(
            [observations, past_obs.join(observations.select("c").unique(), on="c", how="anti")]
        )
    # A party in two roles of one consignment is one sighting.
    stats = (
        observations.unique(["h", "c"])
        .with_columns(
            pl.col("t").min().over("h").alias("first"),
            (pl.col("t").rank("min").over("h") - 1).fill_null(0).cast(pl.Float64).alias("before"),
        )
        .select("h", "c", "first", "before")
    )
    found = queries.join(stats, on=["h", "c"], how="left")
    exprs: list[pl.Expr] = []
    for i, r in enumerate(roles[:5]):
        part = found.filter(pl.col("role") == i).select(
            "_row", pl.col("first").alias(f"_{r}.first"), pl.col("before").alias(f"{r}.history_count")
        )
        cons = cons.join(part, on="_row", how="left")
        if r in ("consignor", "consignee", "pair"):
            exprs.append(
                ((pl.col("_ref_at") - pl.col(f"_{r}.first")).dt.total_seconds() / 86400.0)
                .clip(lower_bound=0.0)
                .floor()
                .alias(f"{r}.first_seen_days")
            )
    limit = ctx.config.rare_broker_max
    exprs.append(
        (
            (pl.col("declarant.key").is_not_null() & (pl.col("declarant.history_count") <= limit))
            | (
                pl.col("freight_forwarder.key").is_not_null()
                & (pl.col("freight_forwarder.history_count") <= limit)
            )
        ).alias("broker.rare")
    )
    ctx.frames.consignments = cons.with_columns(exprs).drop([f"_{r}.first" for r in roles[:5]])


@indicator(
    "unit_values",
    "Declared unit value (USD per kg) and weight per package against the HS-6 history of the last "
    "history_months months: robust z-scores on the log scale (0.6745 (x - median) / MAD, MAD floored), "
    "given once min_hs6_history past values exist; the percentile operators compare with the same history.",
    ("goods.value_usd", "goods", "number", "declared value converted to USD"),
    ("goods.unit_value", "goods", "number", "USD per kg of net (else gross) weight"),
    ("goods.kg_per_package", "goods", "number", "gross (else net) kg per package"),
    ("goods.unit_value_z", "goods", "number", "robust z-score of the unit value within its HS-6"),
    ("goods.kg_per_package_z", "goods", "number", "robust z-score of kg per package within its HS-6"),
    ("goods.hs6_history_count", "goods", "number", "past unit values of the HS-6 in the window"),
)
def _unit_values(ctx: IndicatorContext) -> None:
    cfg = ctx.config
    unit, per_package = unit_value_exprs(cfg.rates_to_usd)
    from corridor.risk.history import usd_value

    _add_goods(
        ctx,
        usd_value(cfg.rates_to_usd).alias("goods.value_usd"),
        unit.alias("goods.unit_value"),
        per_package.alias("goods.kg_per_package"),
    )
    goods = ctx.frames.goods
    as_of = ctx.frames.consignments.get_column("_ref_at").max() if ctx.frames.height else None
    past = ctx.history.window(as_of, cfg.history_months).unit_values
    if past.is_empty():
        # No history (a back-test on one file, a fresh database): the batch is its own reference.
        past = goods.select(
            pl.col("goods.hs6").alias("hs6"),
            pl.col("goods.unit_value").alias("unit_value"),
            pl.col("goods.kg_per_package").alias("kg_per_package"),
        )
    logs = past.select(
        "hs6",
        pl.when(pl.col("unit_value") > 0).then(pl.col("unit_value").log()).alias("lu"),
        pl.when(pl.col("kg_per_package") > 0).then(pl.col("kg_per_package").log()).alias("lk"),
        "unit_value",
        "kg_per_package",
    )
    aggs: list[pl.Expr] = [
        pl.col("lu").count().alias("n"),
        pl.col("lu").median().alias("mu"),
        (pl.col("lu") - pl.col("lu").median()).abs().median().alias("su"),
        pl.col("lk").median().alias("mk"),
        (pl.col("lk") - pl.col("lk").median()).abs().median().alias("sk"),
    ]
    for fld, p in sorted(ctx.percentiles):
        column = fld.removeprefix("goods.")
        aggs.append(pl.col(column).quantile(p / 100.0, "linear").alias(percentile_column(fld, p)))
    stats = logs.group_by("hs6").agg(aggs).rename({"hs6": "goods.hs6"})
    floor = cfg.mad_floor
    enough = pl.col("n") >= cfg.min_hs6_history
    goods = goods.join(stats, on="goods.hs6", how="left").with_columns(
        pl.when(enough & (pl.col("goods.unit_value") > 0))
        .then(
            0.6745
            * (pl.col("goods.unit_value").log() - pl.col("mu"))
            / pl.max_horizontal("su", pl.lit(floor))
        )
        .alias("goods.unit_value_z"),
        pl.when(enough & (pl.col("goods.kg_per_package") > 0))
        .then(
            0.6745
            * (pl.col("goods.kg_per_package").log() - pl.col("mk"))
            / pl.max_horizontal("sk", pl.lit(floor))
        )
        .alias("goods.kg_per_package_z"),
        pl.col("n").fill_null(0).cast(pl.Float64).alias("goods.hs6_history_count"),
        *(
            pl.when(enough).then(pl.col(percentile_column(f, p))).alias(percentile_column(f, p))
            for f, p in sorted(ctx.percentiles)
        ),
    )
    ctx.frames.goods = goods.drop("n", "mu", "su", "mk", "sk")


def percentile_column(field_name: str, p: float) -> str:
    return f"_pct:{field_name}:{p:g}"


@indicator(
    "vague_description",
    "Vague goods descriptions: a description that is only a catch-all phrase (vague_terms, e.g. "
    "'general cargo', 'FAK', 'personal effects', 'spare parts') or contains a strong one (vague_contains).",
    ("goods.vague_description", "goods", "bool", "the description says nothing about the goods"),
    ("goods.description_missing", "goods", "bool", "no goods description"),
)
def _vague(ctx: IndicatorContext) -> None:
    terms = sorted({t.strip().lower() for t in ctx.config.vague_terms if t.strip()}, key=len, reverse=True)
    contains = [t.strip().lower() for t in ctx.config.vague_contains if t.strip()]
    # Descriptions repeat a lot: judge each distinct one once, then map the verdicts back.
    distinct = ctx.frames.goods.select(pl.col("goods.description").unique().drop_nulls())
    text = pl.col("goods.description").str.to_lowercase().str.replace_all(r"[^\w]+", " ").str.strip_chars()
    exact = text.is_in(terms) if terms else pl.lit(False)
    inside = text.str.contains_any(contains) if contains else pl.lit(False)
    vague = distinct.filter(exact | inside).get_column("goods.description")
    blank = distinct.filter(text == "").get_column("goods.description")
    _add_goods(
        ctx,
        pl.col("goods.description").is_in(vague.implode()).fill_null(False).alias("goods.vague_description"),
        (pl.col("goods.description").is_null() | pl.col("goods.description").is_in(blank.implode()))
        .fill_null(True)
        .alias("goods.description_missing"),
    )


@indicator(
    "controlled_goods",
    "Goods on the precursor list (1988 Convention Tables I and II, by HS-6 or a CAS number in the "
    "description) and on the strategic-goods list (CHPL HS-6 with tier). Lists: risk/data/SOURCES.md.",
    ("goods.precursor", "goods", "bool", "HS-6 or CAS number of a Table I/II precursor"),
    ("goods.precursor_name", "goods", "text", "precursor(s) the HS-6 or CAS number stands for"),
    ("goods.strategic", "goods", "bool", "HS-6 on the Common High Priority Items List"),
    ("goods.strategic_tier", "goods", "text", "CHPL tier: 1, 2, 3A, 3B, 4A or 4B"),
)
def _controlled(ctx: IndicatorContext) -> None:
    pre = [p for p in precursors() if p.table in ("I", "II")]
    by_hs: dict[str, list[str]] = {}
    for p in pre:
        by_hs.setdefault(p.hs6, []).append(p.name)
    by_cas = {p.cas: p.name for p in pre}
    tiers = {s.hs6: s.tier for s in strategic_items()}
    cas_found = pl.col("goods.description").str.extract_all(_CAS)
    hs_name = pl.col("goods.hs6").replace_strict(
        {k: "; ".join(v) for k, v in by_hs.items()}, default=None, return_dtype=pl.String
    )
    cas_name = (
        cas_found.list.eval(pl.element().replace_strict(by_cas, default=None, return_dtype=pl.String))
        .list.drop_nulls()
        .list.first()
    )
    _add_goods(
        ctx,
        pl.coalesce(hs_name, cas_name).alias("goods.precursor_name"),
        pl.col("goods.hs6")
        .replace_strict(tiers, default=None, return_dtype=pl.String)
        .alias("goods.strategic_tier"),
    )
    _add_goods(
        ctx,
        pl.col("goods.precursor_name").is_not_null().alias("goods.precursor"),
        pl.col("goods.strategic_tier").is_not_null().alias("goods.strategic"),
    )


@indicator(
    "equipment_integrity",
    "Container numbers failing the ISO 6346 check digit, full containers without a seal, and seal "
    "numbers used twice (on two units of the consignment or on another consignment of the batch).",
    ("equipment.check_digit_failures", "consignment", "number", "container numbers with a wrong check digit"),
    ("equipment.missing_seals", "consignment", "number", "containers not declared empty that have no seal"),
    ("equipment.repeated_seals", "consignment", "number", "seal numbers that occur more than once"),
    ("equipment.kg_per_unit", "consignment", "number", "total gross kg per container, trailer or wagon"),
)
def _equipment(ctx: IndicatorContext) -> None:
    eq = ctx.frames.equipment
    number = pl.col("number")
    shaped = number.str.contains(r"^[A-Z]{3}[UJZR]\d{7}$")
    letter_values = iso6346.letter_values()
    total = pl.lit(0, dtype=pl.Int64)
    for i in range(10):
        ch = number.str.slice(i, 1)
        value = ch.replace_strict(letter_values, default=None, return_dtype=pl.Int64)
        total = total + pl.coalesce(value, ch.cast(pl.Int64, strict=False)) * (2**i)
    ok = (total % 11 % 10) == number.str.slice(10, 1).cast(pl.Int64, strict=False)
    per_row = (
        eq.with_columns(
            (shaped & ~ok).fill_null(False).alias("bad"),
            (shaped & (pl.col("seal_count") == 0) & pl.col("full").fill_null(True)).alias("unsealed"),
        )
        .group_by("_row")
        .agg(
            pl.col("bad").sum().cast(pl.Float64).alias("equipment.check_digit_failures"),
            pl.col("unsealed").sum().cast(pl.Float64).alias("equipment.missing_seals"),
        )
    )
    seals = (
        ctx.frames.consignments.select("_row", pl.col("equipment.seals").alias("seal"))
        .explode("seal")
        .drop_nulls("seal")
    )
    repeated = (
        seals.with_columns(pl.len().over("seal").alias("uses"))
        .filter(pl.col("uses") > 1)
        .group_by("_row")
        .agg(pl.col("seal").n_unique().cast(pl.Float64).alias("equipment.repeated_seals"))
    )
    cons = ctx.frames.consignments.join(per_row, on="_row", how="left").join(repeated, on="_row", how="left")
    ctx.frames.consignments = cons.with_columns(
        pl.col("equipment.check_digit_failures").fill_null(0.0),
        pl.col("equipment.missing_seals").fill_null(0.0),
        pl.col("equipment.repeated_seals").fill_null(0.0),
        pl.when(pl.col("equipment.count") > 0)
        .then(pl.col("total_gross_kg") / pl.col("equipment.count"))
        .alias("equipment.kg_per_unit"),
    )


@indicator(
    "filing",
    "Late filing: hours between filing and arrival (actual, else expected) below the minimum for the "
    "mode (late_filing_hours: the 24-hour rule at sea, 4 hours by air, 1 hour by road ...).",
    (
        "filing.hours_before_arrival",
        "consignment",
        "number",
        "hours from filing to arrival (negative: after)",
    ),
    ("filing.late", "consignment", "bool", "filed later than the minimum for the mode"),
)
def _filing(ctx: IndicatorContext) -> None:
    cfg = ctx.config
    hours = (pl.coalesce("arrival_at", "eta") - pl.col("filed_at")).dt.total_seconds() / 3600.0
    minimum = pl.col("mode").replace_strict(
        cfg.late_filing_hours, default=cfg.default_late_filing_hours, return_dtype=pl.Float64
    )
    _add(ctx, hours.alias("filing.hours_before_arrival"))
    _add(ctx, (pl.col("filing.hours_before_arrival") < minimum).alias("filing.late"))


@indicator(
    "freight_terms",
    "Freight payment terms that targeting guides flag (risky_freight_terms, by default freight collect: "
    "paid at destination, often in cash, by a consignee who may be a front).",
    ("freight.risky_terms", "consignment", "bool", "freight payment terms on the risky list"),
)
def _freight(ctx: IndicatorContext) -> None:
    _add(ctx, pl.col("freight_payment").is_in(ctx.config.risky_freight_terms).alias("freight.risky_terms"))


@indicator(
    "watchlists",
    "Parties and vessels on a watch list, looked up once per batch for every distinct name and "
    "identifier through the WatchlistLookup interface (default: exact normalised match on named lists "
    "of kind parties / vessels; the screening package supplies a fuzzy matcher).",
    *(
        (f"{role}.watchlist", "consignment", "text", f"watch list the {role.replace('_', ' ')} is on")
        for role in PARTY_ROLES
    ),
    ("conveyance.watchlist", "consignment", "text", "watch list the vessel (IMO or name) is on"),
)
def _watchlists(ctx: IndicatorContext) -> None:
    lookup = ctx.watchlist
    if lookup is None:
        lookup = NamedListWatchlist({n: (lst.kind, lst.items) for n, lst in ctx.lists.items()})
    cons = ctx.frames.consignments
    names = [f"{role}.watchlist" for role in PARTY_ROLES] + ["conveyance.watchlist"]
    if isinstance(lookup, NamedListWatchlist) and not lookup:
        _add(ctx, *(pl.lit(None, dtype=pl.String).alias(n) for n in names))
        return
    entities: list[tuple[str, str, str]] = [(f"{r}.name", f"{r}.key", "party") for r in PARTY_ROLES]
    entities.append(("conveyance.name", "conveyance.imo", "vessel"))
    handles = pl.concat(
        [
            cons.select(
                (pl.col(n).fill_null("") + "\x1f" + pl.col(k).fill_null("") + "\x1f" + kind).alias("h")
            )
            for n, k, kind in entities
        ]
    ).unique()
    values = handles.get_column("h").to_list()
    queries = []
    for i, h in enumerate(values):
        name, ident, kind = h.split("\x1f")
        if name or ident:
            queries.append(
                WatchQuery(
                    i, "vessel" if kind == "vessel" else "party", name or None, (ident,) if ident else ()
                )
            )
    best: dict[int, str] = {}
    for m in sorted(lookup.lookup(queries), key=lambda m: (m.ref, -m.score, m.list_name)):
        best.setdefault(m.ref, m.list_name)
    table = {values[i]: lst for i, lst in best.items()}
    exprs = []
    for (n, k, kind), out in zip(entities, names, strict=True):
        handle = pl.col(n).fill_null("") + "\x1f" + pl.col(k).fill_null("") + "\x1f" + kind
        exprs.append(handle.replace_strict(table, default=None, return_dtype=pl.String).alias(out))
    _add(ctx, *exprs)


@indicator(
    "goods_summary",
    "Per-consignment summaries of the goods indicators, for profiles without a goods block and for the "
    "ML model: counts of precursor, strategic and vaguely described items, lowest unit-value z-score.",
    ("goods.precursor_count", "consignment", "number", "goods items on the precursor list"),
    ("goods.strategic_count", "consignment", "number", "goods items on the strategic-goods list"),
    ("goods.vague_count", "consignment", "number", "goods items with a vague description"),
    ("goods.min_unit_value_z", "consignment", "number", "lowest unit-value z-score of the items"),
)
def _goods_summary(ctx: IndicatorContext) -> None:
    summary = ctx.frames.goods.group_by("_row").agg(
        pl.col("goods.precursor").sum().cast(pl.Float64).alias("goods.precursor_count"),
        pl.col("goods.strategic").sum().cast(pl.Float64).alias("goods.strategic_count"),
        pl.col("goods.vague_description").sum().cast(pl.Float64).alias("goods.vague_count"),
        pl.col("goods.unit_value_z").min().alias("goods.min_unit_value_z"),
    )
    cons = ctx.frames.consignments.join(summary, on="_row", how="left")
    ctx.frames.consignments = cons.with_columns(
        pl.col("goods.precursor_count").fill_null(0.0),
        pl.col("goods.strategic_count").fill_null(0.0),
        pl.col("goods.vague_count").fill_null(0.0),
    )


def compute(ctx: IndicatorContext) -> Frames:
    """Run every indicator in order (later ones may use earlier ones' columns); returns the frames."""
    for ind in INDICATORS:
        ind.compute(ctx)
    ctx.frames.consignments = ctx.frames.consignments.sort("_row")
    ctx.frames.goods = ctx.frames.goods.sort("_row", "goods.sequence")
    return ctx.frames


def register_plugins() -> None:
    """Indicators that live in other packages join the library before anything reads it (import
    here, at first use, not at module import: goods imports this module)."""
    from corridor.goods.indicators import register as register_goods

    register_goods()


def indicator_fields() -> list[FieldSpec]:
    register_plugins()
    return [f for ind in INDICATORS for f in ind.fields]


def robust_z(value: float, median: float, mad: float, floor: float = 0.05) -> float:
    """The z-score the unit_values indicator computes, for one value (documentation and tests)."""
    return 0.6745 * (math.log(value) - median) / max(mad, floor)
