"""Assess a batch: indicators, profiles, score, lane and the hits with their evidence, all columnar.

    frames = flatten(consignments)            # once per batch
    indicators.compute(...)                   # once per batch, history loaded in bulk
    hit matrix = one select of every profile  # compiled once (compiler.py)
    score = 100 * (1 - prod(1 - w_i))         # over the profiles that hit
    lane  = max(threshold lane of the office, lane overrides of the hits)

Deterministic: the result depends only on the batch, the history, the profile versions, the lists
and the policy — not on the order of profiles, the time of day or the machine.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson
import polars as pl

from corridor.domain.assessment import Assessment, Hit
from corridor.domain.consignment import Consignment, Lane
from corridor.risk.compiler import CompiledSet, compile_profiles
from corridor.risk.flatten import Frames, flatten
from corridor.risk.history import History
from corridor.risk.indicators import IndicatorConfig, IndicatorContext, compute, register_plugins
from corridor.risk.language import Profile
from corridor.risk.lists import NamedList
from corridor.risk.policy import SelectionPolicy
from corridor.risk.selection import SEVERITY, lanes
from corridor.risk.watchlist import WatchlistLookup


@dataclass(slots=True)
class RiskContext:
    """What an assessment needs besides the batch and its history."""

    compiled: CompiledSet
    lists: Mapping[str, NamedList]
    indicator_config: IndicatorConfig = field(default_factory=IndicatorConfig)
    policy: SelectionPolicy = field(default_factory=SelectionPolicy)
    watchlist: WatchlistLookup | None = None

    @classmethod
    def build(
        cls,
        profiles: list[Profile],
        lists: Mapping[str, NamedList],
        indicator_config: IndicatorConfig | None = None,
        policy: SelectionPolicy | None = None,
        watchlist: WatchlistLookup | None = None,
    ) -> RiskContext:
        register_plugins()
        return cls(
            compile_profiles(profiles),
            lists,
            indicator_config or IndicatorConfig(),
            policy or SelectionPolicy(),
            watchlist,
        )


@dataclass(slots=True)
class AssessmentBatch:
    """Per consignment: `frame` (score, lane ...); per hit: `hits` (profile, version, evidence JSON)."""

    frame: pl.DataFrame
    hits: pl.DataFrame
    profile_set: dict[str, int]
    features: Frames
    assessed_at: datetime

    @property
    def height(self) -> int:
        return self.frame.height

    def assessments(self) -> list[Assessment]:
        hits_by_row: dict[int, list[Hit]] = {}
        for h in self.hits.iter_rows(named=True):
            hits_by_row.setdefault(h["_row"], []).append(
                Hit(
                    source="profile",
                    rule_id=h["profile_id"],
                    version=h["version"],
                    title=h["title"],
                    weight=h["weight"],
                    lane=Lane(h["lane"]) if h["lane"] else None,
                    evidence=orjson.loads(h["evidence"]),
                    rationale=h["rationale"],
                )
            )
        out = []
        for row in self.frame.iter_rows(named=True):
            out.append(
                Assessment(
                    consignment_key=row["_key"],
                    score=row["score"],
                    lane=Lane(row["lane"]),
                    hits=hits_by_row.get(row["_row"], []),
                    profile_set=self.profile_set,
                    selected=bool(row.get("selected", False)),
                    exploration=bool(row.get("exploration", False)),
                    assessed_at=self.assessed_at,
                )
            )
        return out


def assess(
    consignments: Sequence[Consignment],
    ctx: RiskContext,
    history: History | None = None,
    assessed_at: datetime | None = None,
) -> AssessmentBatch:
    frames = flatten(consignments, ctx.compiled.attributes)
    return assess_frames(frames, ctx, history, assessed_at)


def features(frames: Frames, ctx: RiskContext, history: History | None = None) -> Frames:
    """The frames with every indicator column added (also the input of the ML model)."""
    register_plugins()
    ictx = IndicatorContext(
        Frames(frames.consignments, frames.goods, frames.equipment),
        history or History.empty(),
        ctx.lists,
        ctx.indicator_config,
        ctx.watchlist,
        set(ctx.compiled.percentiles),
    )
    return compute(ictx)


def assess_frames(
    frames: Frames,
    ctx: RiskContext,
    history: History | None = None,
    assessed_at: datetime | None = None,
) -> AssessmentBatch:
    feats = features(frames, ctx, history)
    compiled = ctx.compiled
    cons, goods = feats.consignments, feats.goods

    # Goods blocks: one boolean per item and block, then "any item" per consignment in one group-by.
    block_names = [b.name for b in compiled.goods_blocks]
    item_flags = goods.select("_row", *(b.expr.alias(b.name) for b in compiled.goods_blocks))
    if block_names:
        per_row = item_flags.group_by("_row").agg(pl.col(block_names).any())
        cons = cons.join(per_row, on="_row", how="left").with_columns(pl.col(block_names).fill_null(False))

    matrix = cons.select("_row", *(p.expr.alias(p.column) for p in _with_windows(compiled)))
    weights = {p.column: p.profile.doc.weight for p in compiled.profiles}
    columns = [p.column for p in compiled.profiles]
    if columns:
        # prod(1 - w) as exp(sum(ln(1 - w))): a pure expression. A Python lambda (pl.fold) would
        # call back into the interpreter from Polars' threads, which deadlocks under a threaded
        # web server. A weight of 1 gives -inf, and exp(-inf) = 0: a score of 100.
        keep = pl.sum_horizontal(
            [pl.when(pl.col(c)).then(_log_keep(weights[c])).otherwise(0.0) for c in columns]
        ).exp()
        override = pl.max_horizontal(
            [
                pl.when(pl.col(p.column)).then(SEVERITY[p.profile.doc.lane.value]).otherwise(-1)
                for p in compiled.profiles
                if p.profile.doc.lane is not None
            ]
            or [pl.lit(-1)]
        )
        mandatory = pl.any_horizontal(
            [pl.col(p.column) for p in compiled.profiles if p.profile.doc.lane == Lane.RED] or [pl.lit(False)]
        )
        scored = matrix.select(
            "_row",
            (100.0 * (1.0 - keep)).round(2).alias("score"),
            override.alias("_override"),
            mandatory.alias("mandatory"),
            pl.sum_horizontal(pl.col(columns).cast(pl.Int32)).alias("hit_count"),
        )
    else:
        scored = matrix.select(
            "_row",
            pl.lit(0.0).alias("score"),
            pl.lit(-1).alias("_override"),
            pl.lit(False).alias("mandatory"),
            pl.lit(0, dtype=pl.Int32).alias("hit_count"),
        )

    frame = cons.select(
        "_row",
        "_key",
        "document_number",
        "office",
        "mode",
        "_ref_at",
        "eta",
        "_inspected",
        "_fraud",
        "_critical",
    ).join(scored, on="_row", how="left")
    frame = lanes(frame, ctx.policy)
    hits = _hits(compiled, matrix, cons, goods, item_flags)
    return AssessmentBatch(frame, hits, compiled.versions, feats, assessed_at or datetime.now(UTC))


def _with_windows(compiled: CompiledSet) -> list[Any]:
    """Profiles with a validity window only fire on consignments dated inside it."""
    out = []
    for p in compiled.profiles:
        doc = p.profile.doc
        if doc.valid_from is None and doc.valid_to is None:
            out.append(p)
            continue
        day = pl.col("_ref_at").dt.date()
        inside = pl.lit(True)
        if doc.valid_from is not None:
            inside = inside & (day >= doc.valid_from)
        if doc.valid_to is not None:
            inside = inside & (day <= doc.valid_to)
        out.append(type(p)(p.profile, p.column, p.expr & inside.fill_null(True), p.evidence, p.goods_blocks))
    return out


_HITS_SCHEMA = {
    "_row": pl.Int64,
    "profile_id": pl.String,
    "version": pl.Int64,
    "title": pl.String,
    "weight": pl.Float64,
    "lane": pl.String,
    "rationale": pl.String,
    "evidence": pl.String,
}


def _hits(
    compiled: CompiledSet,
    matrix: pl.DataFrame,
    cons: pl.DataFrame,
    goods: pl.DataFrame,
    item_flags: pl.DataFrame,
) -> pl.DataFrame:
    """One row per (consignment, profile hit), with the evidence as a JSON object.

    Evidence: {"fields": {column: value, ...}, "goods": [{"goods.sequence": n, column: value ...}]} —
    the consignment values the profile looks at, and the first goods item that satisfied each goods
    block of the profile.
    """
    parts: list[pl.DataFrame] = []
    if not compiled.profiles:
        return pl.DataFrame(schema=_HITS_SCHEMA)
    # Only the profiles that hit at least once are visited: on a single consignment that is a few.
    fired = matrix.select(pl.col(p.column).any() for p in compiled.profiles).row(0)
    active = [p for p, hit in zip(compiled.profiles, fired, strict=True) if hit]
    if not active:
        return pl.DataFrame(schema=_HITS_SCHEMA)
    cons_hits = cons.join(matrix, on="_row", how="left")
    for p in active:
        rows = cons_hits.filter(pl.col(p.column))
        doc = p.profile.doc
        fields_json = pl.struct(list(p.evidence)).struct.json_encode() if p.evidence else pl.lit("{}")
        part = rows.select("_row", fields_json.alias("_f"))
        goods_parts: list[str] = []
        for block in p.goods_blocks:
            cols = ["goods.sequence", *[f for f in block.fields if f != "goods.sequence"]]
            flagged = item_flags.with_row_index("_i").filter(pl.col(block.name)).select("_i")
            first_items = (
                goods.with_row_index("_i")
                .join(flagged, on="_i", how="semi")
                .join(part.select("_row"), on="_row", how="semi")
                .group_by("_row")
                .agg(pl.struct(cols).first().struct.json_encode().alias(block.name))
            )
            part = part.join(first_items, on="_row", how="left")
            goods_parts.append(block.name)
        goods_json = (
            pl.concat_str(
                [pl.lit("["), pl.concat_str(goods_parts, separator=",", ignore_nulls=True), pl.lit("]")]
            )
            if goods_parts
            else pl.lit("[]")
        )
        parts.append(
            part.select(
                "_row",
                pl.lit(p.id).alias("profile_id"),
                pl.lit(p.profile.version, dtype=pl.Int64).alias("version"),
                pl.lit(doc.title).alias("title"),
                pl.lit(doc.weight).alias("weight"),
                pl.lit(doc.lane.value if doc.lane else None, dtype=pl.String).alias("lane"),
                pl.lit(doc.rationale).alias("rationale"),
                pl.concat_str(
                    [pl.lit('{"fields":'), pl.col("_f"), pl.lit(',"goods":'), goods_json, pl.lit("}")]
                ).alias("evidence"),
            )
        )
    if not parts:
        return pl.DataFrame(schema=_HITS_SCHEMA)
    # Highest weight first within a consignment, then profile id: the order an officer reads them.
    return pl.concat(parts).sort(["_row", "weight", "profile_id"], descending=[False, True, False])


def _log_keep(weight: float) -> float:
    """ln(1 - w); -inf for a weight of 1 (the score is then 100 whatever else hits)."""
    return -math.inf if weight >= 1.0 else math.log1p(-weight)
