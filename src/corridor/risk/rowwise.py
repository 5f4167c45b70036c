"""The straightforward way: evaluate each profile on each consignment, one Python row at a time.

This interpreter gives the language its reference semantics in plain Python. It is the baseline
the benchmark compares the columnar engine with, and tests check that both agree hit for hit. It
works on the rows of the indicator frames, so indicators are not part of what it measures.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from corridor.risk.compiler import CompiledSet, leaf_kind
from corridor.risk.indicators import percentile_column
from corridor.risk.language import AllOf, AnyOf, Condition, Leaf, NotOf

Row = dict[str, Any]


def _leaf(leaf: Leaf, row: Row) -> bool:
    v = row.get(leaf.column)
    op, a = leaf.op, leaf.arg
    if op == "is_null":
        missing = v is None or (isinstance(v, list) and not v and leaf_kind(leaf) == "list")
        return missing if a else not missing
    if op == "on_watchlist":
        return v is not None and (a is None or v in a)
    if v is None:
        return False
    if op == "eq":
        return bool(v == a)
    if op == "ne":
        return bool(v != a)
    if op == "in":
        return v in a
    if op == "not_in":
        return v not in a
    if op in ("prefix", "hs_prefix"):
        return any(str(v).startswith(p) for p in a)
    if op == "regex":
        return re.search(a, v, re.IGNORECASE) is not None
    if op == "contains":
        return a in v if isinstance(v, list) else a.lower() in v.lower()
    if op == "gt":
        return bool(v > a)
    if op == "gte":
        return bool(v >= a)
    if op == "lt":
        return bool(v < a)
    if op == "lte":
        return bool(v <= a)
    if op == "between":
        return bool(a[0] <= v <= a[1])
    if op == "weekday_in":
        return int(v.isoweekday()) in a
    if op == "any_in":
        return any(x in a for x in v)
    if op == "all_in":
        return bool(v) and all(x in a for x in v)
    if op == "none_in":
        return not any(x in a for x in v)
    if op == "count_gte":
        return bool(len(v) >= a)
    if op in ("below_percentile", "above_percentile"):
        ref = row.get(percentile_column(leaf.field, a))
        if ref is None:
            return False
        return bool(v < ref) if op == "below_percentile" else bool(v > ref)
    if op == "first_seen_within_days":
        return bool(v <= a)
    raise AssertionError(f"operator {op} has no row-wise form")


def evaluate(cond: Condition, row: Row, goods: list[Row]) -> bool:
    if isinstance(cond, Leaf):
        return _leaf(cond, row)
    if isinstance(cond, AllOf):
        return all(evaluate(c, row, goods) for c in cond.items)
    if isinstance(cond, AnyOf):
        return any(evaluate(c, row, goods) for c in cond.items)
    if isinstance(cond, NotOf):
        return not evaluate(cond.item, row, goods)
    return any(evaluate(cond.item, item, []) for item in goods)


def window_check(compiled: CompiledSet) -> list[Callable[[Row], bool]]:
    checks: list[Callable[[Row], bool]] = []
    for p in compiled.profiles:
        doc = p.profile.doc

        def inside(row: Row, lo: Any = doc.valid_from, hi: Any = doc.valid_to) -> bool:
            t = row.get("_ref_at")
            if t is None or (lo is None and hi is None):
                return True
            day = t.date()
            return (lo is None or lo <= day) and (hi is None or day <= hi)

        checks.append(inside)
    return checks


def hits_rowwise(
    compiled: CompiledSet, rows: list[Row], goods_by_row: dict[int, list[Row]]
) -> list[list[str]]:
    """For each row, the ids of the profiles that hit, in compiled order."""
    checks = window_check(compiled)
    out: list[list[str]] = []
    for row in rows:
        items = goods_by_row.get(row["_row"], [])
        out.append(
            [
                p.id
                for p, inside in zip(compiled.profiles, checks, strict=True)
                if inside(row) and evaluate(p.profile.condition, row, items)
            ]
        )
    return out


def score(weights: list[float]) -> float:
    keep = 1.0
    for w in weights:
        keep *= 1.0 - min(w, 1.0)
    return round(100.0 * (1.0 - keep), 2)
