"""Goods indicators as the risk engine sees them: columns over a goods frame, and registration."""

from __future__ import annotations

import json

import polars as pl
import pytest

from corridor.goods import indicators as goods_indicators_module
from corridor.goods.indicators import GOODS_FIELDS, consignment_counts, goods_indicators


def _frame() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "_row": [0, 0, 1, 2, 3, 4],
            "goods.description": [
                "FRESH APPLES IN CARTONS",
                "FRESH APPLES IN CARTONS",
                "ангидрид уксусной кислоты",
                "SPARE PARTS",
                None,
                "microcontrolers STM32",
            ],
            "goods.hs_code": ["8542310000", "0808100000", "2915240000", "0101210000", None, "8473301100"],
        }
    )


def test_columns_for_mismatch_precursor_and_strategic_goods() -> None:
    out = goods_indicators(_frame())
    assert out.height == 6 and out["_row"].to_list() == [0, 0, 1, 2, 3, 4]  # order kept
    assert {name for name, _, _ in GOODS_FIELDS} <= set(out.columns)
    rows = out.to_dicts()
    # Apples declared as integrated circuits: flagged with evidence, and CHPL tier 1 by code.
    assert rows[0]["goods.hs_mismatch"] is True and rows[0]["goods.hs_mismatch_level"] == "chapter"
    evidence = json.loads(rows[0]["goods.hs_mismatch_evidence"])
    assert evidence["declared"] == "8542310000" and evidence["top"][0][0].startswith("0808")
    assert rows[0]["goods.strategic_match"] == "854231" and rows[0]["goods.strategic_tier"] == "1"
    assert rows[1]["goods.hs_mismatch"] is False and rows[1]["goods.hs_mismatch_evidence"] is None
    # Russian precursor name, declared under its own subheading.
    assert rows[2]["goods.precursor_match"] == "Acetic anhydride"
    assert rows[2]["goods.precursor_list"] == "1988 Convention Table I"
    assert rows[2]["goods.precursor_matched_by"] == "name"
    # Vague description, missing description: no flag, no crash.
    assert rows[3]["goods.hs_mismatch"] is False and rows[4]["goods.hs_mismatch"] is False
    # Strategic by description (with a typo) under an unrelated code.
    assert rows[5]["goods.strategic_match"] == "854231" and rows[5]["goods.strategic_matched_by"] == "name"


def test_consignment_counts() -> None:
    counts = consignment_counts(goods_indicators(_frame())).sort("_row")
    assert counts["goods.hs_mismatch_count"].to_list()[0] == 1.0
    assert counts["goods.precursor_match_count"].to_list()[1] == 1.0


def test_missing_columns_are_a_clear_error() -> None:
    with pytest.raises(ValueError, match="goods.hs_code"):
        goods_indicators(pl.DataFrame({"goods.description": ["apples"]}))


def test_registers_with_the_risk_engine_once(monkeypatch: pytest.MonkeyPatch) -> None:
    risk = pytest.importorskip("corridor.risk.indicators")
    # A private copy of the registry without goods (the engine registers it on first use), so other
    # tests see the risk engine's own list.
    monkeypatch.setattr(risk, "INDICATORS", [i for i in risk.INDICATORS if i.name != "goods_intelligence"])
    monkeypatch.setattr(goods_indicators_module, "_REGISTERED", False)
    assert goods_indicators_module.register() is True
    assert goods_indicators_module.register() is False
    names = [ind.name for ind in risk.INDICATORS]
    assert names.count("goods_intelligence") == 1
    fields = {f.name: f.level for f in risk.indicator_fields()}
    assert fields["goods.hs_mismatch"] == "goods" and fields["goods.precursor_match_count"] == "consignment"

    from corridor.demo.generator import generate
    from corridor.risk.engine import RiskContext, features
    from corridor.risk.flatten import flatten
    from corridor.risk.lists import builtin_lists

    frames = features(flatten(list(generate(30, 3))), RiskContext.build([], builtin_lists()))
    assert "goods.hs_mismatch" in frames.goods.columns
    assert "goods.hs_mismatch_count" in frames.consignments.columns
    assert frames.consignments.height == 30
