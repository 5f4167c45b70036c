"""Goods indicators for the risk engine: declared-code mismatch, precursor and strategic-goods matches.

`goods_indicators(frame)` is pure: it takes a goods frame with `goods.description` and `goods.hs_code`
(the risk engine's flattened goods frame, or any frame with those two columns) and returns it with the
columns of `GOODS_FIELDS` added. The text work runs once per distinct (description, code) pair, since
manifests repeat the same lines many times, and the similarity pass for mismatch is one sparse matrix
product per batch of pairs.

`register()` adds one indicator, `goods_intelligence`, to the risk engine's registry (risk/indicators.py)
with per-item columns and per-consignment counts. It is explicit, not an import side effect, so the
risk engine decides when goods intelligence joins its indicator list.
"""

from __future__ import annotations

import json
from typing import Any, Literal

import polars as pl

from corridor.goods.mismatch import MismatchConfig, check_many, is_vague
from corridor.goods.precursors import match_precursors
from corridor.goods.strategic import LIST_NAME, match_strategic
from corridor.goods.suggest import MAX_DESCRIPTION, KnnSuggester
from corridor.goods.text import fold

FieldKind = Literal["text", "number", "bool", "datetime", "list"]

GOODS_FIELDS: tuple[tuple[str, FieldKind, str], ...] = (
    ("goods.hs_suggested", "text", "most likely HS code for the description (heading or subheading)"),
    ("goods.hs_suggested_score", "number", "score of that suggestion (similarity plus keyword bonus)"),
    ("goods.hs_mismatch", "bool", "declared chapter implausible for an informative description"),
    ("goods.hs_mismatch_level", "text", "none, heading or chapter: how far the declared code is"),
    ("goods.hs_mismatch_evidence", "text", "JSON: declared code and description, top suggestions"),
    ("goods.precursor_match", "text", "precursor(s) named, by CAS or by the declared HS-6"),
    ("goods.precursor_list", "text", "list of the first match: 1988 Convention Table I / II, or INCB S"),
    ("goods.precursor_matched_by", "text", "cas, name, abbreviation or hs_code"),
    ("goods.precursor_evidence", "text", "the words, CAS number or code that matched"),
    ("goods.strategic_match", "text", "CHPL HS-6 code(s) matched by declared code or description"),
    ("goods.strategic_tier", "text", "CHPL tier of the first match"),
    ("goods.strategic_matched_by", "text", "hs_code or name"),
    ("goods.strategic_evidence", "text", "the code or words that matched"),
)

CONSIGNMENT_FIELDS: tuple[tuple[str, FieldKind, str], ...] = (
    ("goods.hs_mismatch_count", "number", "goods items whose declared chapter is implausible"),
    ("goods.precursor_match_count", "number", "goods items matching a precursor (code, CAS or name)"),
    ("goods.strategic_match_count", "number", "goods items matching the CHPL (code or name)"),
)

_SCHEMA: dict[str, Any] = {
    "goods.hs_suggested": pl.String,
    "goods.hs_suggested_score": pl.Float64,
    "goods.hs_mismatch": pl.Boolean,
    "goods.hs_mismatch_level": pl.String,
    "goods.hs_mismatch_evidence": pl.String,
    "goods.precursor_match": pl.String,
    "goods.precursor_list": pl.String,
    "goods.precursor_matched_by": pl.String,
    "goods.precursor_evidence": pl.String,
    "goods.strategic_match": pl.String,
    "goods.strategic_tier": pl.String,
    "goods.strategic_matched_by": pl.String,
    "goods.strategic_evidence": pl.String,
}


def goods_indicators(
    frame: pl.DataFrame, *, suggester: KnnSuggester | None = None, config: MismatchConfig | None = None
) -> pl.DataFrame:
    """The goods frame with the goods intelligence columns added (see GOODS_FIELDS)."""
    for column in ("goods.description", "goods.hs_code"):
        if column not in frame.columns:
            raise ValueError(f"goods_indicators needs a {column!r} column")
    pairs = frame.select(
        pl.col("goods.description").cast(pl.String), pl.col("goods.hs_code").cast(pl.String)
    ).unique()
    rows = [_row(d, c) for d, c in pairs.iter_rows()]
    # The mismatch pass needs a description that can be ranked and a code of at least a heading.
    rankable = [
        i for i, (d, c) in enumerate(pairs.iter_rows()) if _rankable(d) and c and len(c) >= 4 and c.isdigit()
    ]
    if rankable:
        items = [(str(pairs[i, 0]), str(pairs[i, 1])) for i in rankable]
        for i, result in zip(rankable, check_many(items, suggester=suggester, config=config), strict=True):
            top = result.suggestions[0] if result.suggestions else None
            rows[i].update(
                {
                    "goods.hs_suggested": top.code if top else None,
                    "goods.hs_suggested_score": top.score if top else None,
                    "goods.hs_mismatch": result.flagged,
                    "goods.hs_mismatch_level": result.level,
                    "goods.hs_mismatch_evidence": json.dumps(
                        {
                            "declared": result.declared,
                            "declared_description": result.declared_description,
                            "declared_score": round(result.declared_score, 3),
                            "reason": result.reason,
                            "top": [[s.code, round(s.score, 3)] for s in result.suggestions[:3]],
                        },
                        ensure_ascii=False,
                    )
                    if result.flagged
                    else None,
                }
            )
    found = pl.DataFrame(rows, schema={"goods.description": pl.String, "goods.hs_code": pl.String, **_SCHEMA})
    base = frame.drop([c for c in _SCHEMA if c in frame.columns]).with_row_index("_goods_order")
    joined = base.join(found, on=["goods.description", "goods.hs_code"], how="left", nulls_equal=True)
    return (
        joined.sort("_goods_order")
        .drop("_goods_order")
        .with_columns(pl.col("goods.hs_mismatch").fill_null(False))
    )


def _rankable(description: str | None) -> bool:
    return bool(
        description and description.strip() and len(description) <= MAX_DESCRIPTION and fold(description)
    )


def _row(description: str | None, code: str | None) -> dict[str, Any]:
    row: dict[str, Any] = dict.fromkeys(_SCHEMA)
    row.update({"goods.description": description, "goods.hs_code": code, "goods.hs_mismatch": False})
    if description and is_vague(description):
        row["goods.hs_mismatch_level"] = "none"
    text = description[:MAX_DESCRIPTION] if description else None
    precursors = match_precursors(text, code)
    if precursors:
        first = precursors[0]
        row["goods.precursor_match"] = "; ".join(m.precursor.name for m in precursors)
        row["goods.precursor_list"] = first.precursor.list_name
        row["goods.precursor_matched_by"] = first.matched_by
        row["goods.precursor_evidence"] = first.evidence
    strategic = match_strategic(text, code)
    if strategic:
        first_s = strategic[0]
        row["goods.strategic_match"] = "; ".join(m.item.hs6 for m in strategic)
        row["goods.strategic_tier"] = first_s.item.tier
        row["goods.strategic_matched_by"] = first_s.matched_by
        row["goods.strategic_evidence"] = f"{LIST_NAME}: {first_s.evidence}"
    return row


def consignment_counts(goods: pl.DataFrame, by: str = "_row") -> pl.DataFrame:
    """Per-consignment counts of flagged goods items, keyed by `by`."""
    return goods.group_by(by).agg(
        pl.col("goods.hs_mismatch").sum().cast(pl.Float64).alias("goods.hs_mismatch_count"),
        pl.col("goods.precursor_match")
        .is_not_null()
        .sum()
        .cast(pl.Float64)
        .alias("goods.precursor_match_count"),
        pl.col("goods.strategic_match")
        .is_not_null()
        .sum()
        .cast(pl.Float64)
        .alias("goods.strategic_match_count"),
    )


_REGISTERED = False


def register() -> bool:
    """Add `goods_intelligence` to the risk engine's indicators once; False if already there."""
    global _REGISTERED
    from corridor.risk import indicators as risk

    if _REGISTERED or any(ind.name == "goods_intelligence" for ind in risk.INDICATORS):
        _REGISTERED = True
        return False

    fields = [(n, "goods", k, d) for n, k, d in GOODS_FIELDS] + [
        (n, "consignment", k, d) for n, k, d in CONSIGNMENT_FIELDS
    ]

    def compute(ctx: risk.IndicatorContext) -> None:
        goods = goods_indicators(ctx.frames.goods)
        ctx.frames.goods = goods
        counts = consignment_counts(goods)
        cons = ctx.frames.consignments.drop(
            [n for n, _, _ in CONSIGNMENT_FIELDS if n in ctx.frames.consignments.columns]
        )
        ctx.frames.consignments = cons.join(counts, on="_row", how="left").with_columns(
            *(pl.col(n).fill_null(0.0) for n, _, _ in CONSIGNMENT_FIELDS)
        )

    risk.indicator(
        "goods_intelligence",
        "Goods intelligence (corridor.goods): the declared HS chapter against the description's likely "
        "codes (flagged only for informative descriptions), and precursor (1988 Convention) and CHPL "
        "strategic-goods matches by HS code, CAS number (check digit validated) and names in the "
        "description with typos and Russian names. Lists unverified: see docs/goods.md.",
        *fields,  # type: ignore[arg-type]
    )(compute)
    _REGISTERED = True
    return True
