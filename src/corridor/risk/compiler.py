"""Compile parsed profiles once into Polars expressions: one boolean column per profile.

Goods blocks ("some goods item satisfies ...") become boolean columns of the goods frame, reduced to
one column per block on the consignment frame with a single group-by; each profile is then an
expression over consignment columns, so a set of a hundred profiles runs as one columnar select.
The same tree is also what rowwise.py interprets one row at a time (the baseline and cross-check).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

import polars as pl

from corridor.risk.indicators import percentile_column
from corridor.risk.language import AllOf, AnyOf, Condition, GoodsAny, Leaf, NotOf, Profile


def _lit_list(values: tuple[object, ...]) -> list[object]:
    return list(values)


def leaf_expr(leaf: Leaf) -> pl.Expr:
    """The boolean expression of one leaf; a missing value makes a leaf false (never null)."""
    c = pl.col(leaf.column)
    op, a = leaf.op, leaf.arg
    expr: pl.Expr
    if op == "eq":
        expr = c == _lit(a)
    elif op == "ne":
        expr = c != _lit(a)
    elif op == "in":
        expr = c.is_in(_lit_list(a))
    elif op == "not_in":
        expr = ~c.is_in(_lit_list(a))
    elif op in ("prefix", "hs_prefix"):
        expr = c.str.contains("^(?:" + "|".join(re.escape(p) for p in a) + ")")
    elif op == "regex":
        expr = c.str.contains("(?i)" + a)
    elif op == "contains":
        expr = (
            c.list.contains(a)
            if leaf_kind(leaf) == "list"
            else c.str.to_lowercase().str.contains(a.lower(), literal=True)
        )
    elif op == "gt":
        expr = c > _lit(a)
    elif op == "gte":
        expr = c >= _lit(a)
    elif op == "lt":
        expr = c < _lit(a)
    elif op == "lte":
        expr = c <= _lit(a)
    elif op == "between":
        expr = c.is_between(_lit(a[0]), _lit(a[1]), closed="both")
    elif op == "weekday_in":
        expr = c.dt.weekday().is_in(list(a))
    elif op == "is_null":
        missing = (c.is_null() | (c.list.len() == 0)) if leaf_kind(leaf) == "list" else c.is_null()
        expr = missing if a else ~missing
    elif op == "any_in":
        expr = c.list.eval(pl.element().is_in(_lit_list(a))).list.any()
    elif op == "all_in":
        expr = c.list.eval(pl.element().is_in(_lit_list(a))).list.all() & (c.list.len() > 0)
    elif op == "none_in":
        expr = ~c.list.eval(pl.element().is_in(_lit_list(a))).list.any()
    elif op == "count_gte":
        expr = c.list.len() >= a
    elif op == "below_percentile":
        expr = c < pl.col(percentile_column(leaf.field, a))
    elif op == "above_percentile":
        expr = c > pl.col(percentile_column(leaf.field, a))
    elif op == "on_watchlist":
        expr = c.is_not_null() if a is None else c.is_in(list(a))
    elif op == "first_seen_within_days":
        expr = c <= a
    else:  # the parser admits only the operators above
        raise AssertionError(f"operator {op} has no compiled form")
    return expr.fill_null(False)


def _lit(value: object) -> pl.Expr:
    if isinstance(value, datetime):
        return pl.lit(value, dtype=pl.Datetime("us", "UTC"))
    return pl.lit(value)


def leaf_kind(leaf: Leaf) -> str:
    from corridor.risk.language import catalogue

    spec = catalogue().get(leaf.field)
    return spec.kind if spec else "text"


@dataclass(slots=True)
class GoodsBlock:
    name: str
    condition: Condition
    expr: pl.Expr
    fields: tuple[str, ...]


@dataclass(slots=True)
class CompiledProfile:
    profile: Profile
    column: str
    expr: pl.Expr
    evidence: tuple[str, ...]  # consignment columns
    goods_blocks: tuple[GoodsBlock, ...]

    @property
    def id(self) -> str:
        return self.profile.id


@dataclass(slots=True)
class CompiledSet:
    profiles: list[CompiledProfile]
    goods_blocks: list[GoodsBlock] = field(default_factory=list)
    percentiles: set[tuple[str, float]] = field(default_factory=set)
    attributes: set[str] = field(default_factory=set)

    @property
    def versions(self) -> dict[str, int]:
        out = {p.id: p.profile.version for p in self.profiles}
        for p in self.profiles:
            for name, version in p.profile.lists_used.items():
                out[f"list:{name}"] = version
        return dict(sorted(out.items()))


class _Compiler:
    def __init__(self) -> None:
        self.blocks: list[GoodsBlock] = []
        self.percentiles: set[tuple[str, float]] = set()
        self.attributes: set[str] = set()

    def expr(self, cond: Condition, evidence: list[str], blocks: list[GoodsBlock]) -> pl.Expr:
        if isinstance(cond, Leaf):
            self.note(cond)
            if cond.column not in evidence:
                evidence.append(cond.column)
            return leaf_expr(cond)
        if isinstance(cond, AllOf):
            return pl.all_horizontal([self.expr(i, evidence, blocks) for i in cond.items])
        if isinstance(cond, AnyOf):
            return pl.any_horizontal([self.expr(i, evidence, blocks) for i in cond.items])
        if isinstance(cond, NotOf):
            return ~self.expr(cond.item, evidence, blocks)
        block = self.goods_block(cond)
        blocks.append(block)
        return pl.col(block.name)

    def goods_block(self, cond: GoodsAny) -> GoodsBlock:
        fields: list[str] = []
        inner: list[GoodsBlock] = []
        expr = self.expr(cond.item, fields, inner)
        block = GoodsBlock(f"_g{len(self.blocks)}", cond.item, expr, tuple(fields))
        self.blocks.append(block)
        return block

    def note(self, leaf: Leaf) -> None:
        if leaf.op in ("below_percentile", "above_percentile"):
            self.percentiles.add((leaf.field, float(leaf.arg)))
        if leaf.field.startswith("attributes."):
            self.attributes.add(leaf.field.removeprefix("attributes."))


def compile_profiles(profiles: list[Profile]) -> CompiledSet:
    """Compile in a stable order (profile id) so that scores and hit lists are reproducible."""
    compiler = _Compiler()
    compiled: list[CompiledProfile] = []
    for i, profile in enumerate(sorted(profiles, key=lambda p: p.id)):
        evidence: list[str] = []
        blocks: list[GoodsBlock] = []
        expr = compiler.expr(profile.condition, evidence, blocks)
        compiled.append(CompiledProfile(profile, f"_p{i}", expr, tuple(evidence), tuple(blocks)))
    return CompiledSet(compiled, compiler.blocks, compiler.percentiles, compiler.attributes)
