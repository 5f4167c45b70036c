"""Scores, lanes, capacity, mandatory selections, exploration and back-test figures."""

from __future__ import annotations

from datetime import UTC, datetime

import polars as pl
import pytest

from corridor.domain.consignment import Lane
from corridor.risk.backtest import backtest, compare
from corridor.risk.engine import RiskContext, assess
from corridor.risk.language import parse_profiles, read_documents
from corridor.risk.lists import builtin_lists
from corridor.risk.policy import SelectionPolicy, load_policy
from corridor.risk.rowwise import score
from corridor.risk.selection import select
from tests.unit.test_risk_language import BATCH, consignment

PROFILES = """
id: A
title: sea
owner: o
weight: 0.5
status: active
rationale: r
when: {mode: sea}
---
id: B
title: Iran
owner: o
weight: 0.4
status: active
rationale: r
when: {origin_country: IR}
---
id: C
title: precursor, always red
owner: o
weight: 0.1
lane: red
status: active
rationale: r
when: {goods: {precursor: true}}
"""


def context(policy: SelectionPolicy | None = None, text: str = PROFILES) -> RiskContext:
    lists = builtin_lists()
    return RiskContext.build(parse_profiles(read_documents(text, "p.yaml"), lists), lists, policy=policy)


def test_score_is_one_minus_product_and_lanes_follow_thresholds_and_overrides() -> None:
    result = assess(BATCH, context())
    assert result.frame.get_column("score").to_list() == [50.0, score([0.5, 0.4, 0.1])]
    assert score([0.5, 0.4, 0.1]) == 73.0
    # Wheat: 50 >= yellow 40; the precursor is red by its score and by profile C's override.
    assert result.frame.get_column("lane").to_list() == ["yellow", "red"]
    first = result.assessments()[1]
    assert [h.rule_id for h in first.hits] == ["A", "B", "C"]  # heaviest first
    assert first.hits[2].lane == Lane.RED and first.hits[2].evidence["goods"][0]["goods.precursor"] is True
    assert first.profile_set == {"A": 0, "B": 0, "C": 0}
    strict = SelectionPolicy.model_validate({"default": {"red": 90, "yellow": 60}})
    assert assess(BATCH, context(strict)).frame.get_column("lane").to_list() == ["green", "red"]


def test_assessment_is_deterministic_whatever_the_order() -> None:
    a = assess(BATCH, context())
    b = assess(list(reversed(BATCH)), context())
    left = {
        x.consignment_key: (x.score, x.lane, [(h.rule_id, h.evidence) for h in x.hits])
        for x in a.assessments()
    }
    right = {
        x.consignment_key: (x.score, x.lane, [(h.rule_id, h.evidence) for h in x.hits])
        for x in b.assessments()
    }
    assert left == right


def frame(n: int, mandatory: set[int] = frozenset(), office: str = "X") -> pl.DataFrame:  # type: ignore[assignment]
    day = datetime(2025, 5, 1, 10, tzinfo=UTC)
    return pl.DataFrame(
        {
            "_row": list(range(n)),
            "_key": [f"K{i:03d}" for i in range(n)],
            "office": [office] * n,
            "score": [float(100 - i) for i in range(n)],
            "_override": [3 if i in mandatory else -1 for i in range(n)],
            "mandatory": [i in mandatory for i in range(n)],
            "eta": [day] * n,
            "_ref_at": [day] * n,
        },
        schema_overrides={"eta": pl.Datetime("us", "UTC"), "_ref_at": pl.Datetime("us", "UTC")},
    )


def test_capacity_threshold_mode_demotes_overflow_and_keeps_mandatory() -> None:
    policy = SelectionPolicy.model_validate({"default": {"red": 90, "yellow": 50, "capacity": 4}})
    out = select(frame(20, mandatory={15}), policy)
    chosen = out.filter(pl.col("selected"))
    assert chosen.get_column("_key").to_list() == ["K000", "K001", "K002", "K015"]
    assert chosen.get_column("selection_reason").to_list() == ["risk", "risk", "risk", "mandatory"]
    # Scores 100..90 are red; the 8 beyond capacity become yellow, flagged over capacity.
    over = out.filter(pl.col("selection_reason") == "over_capacity")
    assert over.height == 8 and set(over.get_column("lane").to_list()) == {"yellow"}


def test_top_k_and_mandatory_beyond_capacity() -> None:
    policy = SelectionPolicy.model_validate({"default": {"red": 99, "capacity": 3, "mode": "top_k"}})
    out = select(frame(10), policy)
    assert out.filter(pl.col("selected")).get_column("_key").to_list() == ["K000", "K001", "K002"]
    assert set(out.filter(pl.col("selected")).get_column("lane").to_list()) == {"red"}
    flood = select(frame(10, mandatory={1, 2, 3, 4, 5}), policy)
    assert flood.get_column("selected").sum() == 5  # mandatory ones are never dropped


def test_exploration_is_seeded_recorded_and_order_independent() -> None:
    policy = SelectionPolicy.model_validate(
        {"default": {"red": 99, "capacity": 10, "mode": "top_k", "exploration_share": 0.3}, "seed": 7}
    )
    out = select(frame(200), policy)
    explored = out.filter(pl.col("exploration"))
    assert explored.height == 3 and set(explored.get_column("lane").to_list()) == {"red"}
    assert out.get_column("selected").sum() == 10
    again = select(frame(200).reverse(), policy).filter(pl.col("exploration"))
    assert sorted(again.get_column("_key").to_list()) == sorted(explored.get_column("_key").to_list())
    other_seed = select(frame(200), policy.model_copy(update={"seed": 8})).filter(pl.col("exploration"))
    assert sorted(other_seed.get_column("_key").to_list()) != sorted(explored.get_column("_key").to_list())
    unlimited = SelectionPolicy.model_validate({"default": {"exploration_share": 0.1}, "seed": 1})
    share = select(frame(2000), unlimited).get_column("exploration").mean()
    assert share is not None and 0.07 < float(share) < 0.13  # type: ignore[arg-type]


def test_office_overrides_and_policy_file_errors(tmp_path: pytest.TempPathFactory) -> None:
    from pathlib import Path

    path = Path(str(tmp_path)) / "policy.yaml"
    path.write_text(
        "default: {capacity: 5}\noffices:\n  AZ-ALAT-PCU: {capacity: 40, exploration_share: 0.9}\n"
    )
    from corridor.domain.errors import InvalidInput

    with pytest.raises(InvalidInput) as caught:
        load_policy(path)
    assert caught.value.where == f"{path} line 3" and "exploration_share" in caught.value.detail
    path.write_text("default: {capacity: 5}\noffices:\n  AZ-ALAT-PCU: {capacity: 40}\n")
    policy = load_policy(path)
    assert policy.for_office("AZ-ALAT-PCU").capacity == 40 and policy.for_office("OTHER").capacity == 5


def test_backtest_hit_rate_lift_and_comparison() -> None:
    from corridor.domain.consignment import SourceOutcome

    batch = [
        consignment(
            i,
            origin_country="IR" if i < 10 else "KZ",
            outcome=SourceOutcome(inspected=i % 2 == 0, fraud=i < 4),
        )
        for i in range(40)
    ]
    # Inspected: the 20 even ones; positives: 0 and 2 -> base rate 0.1.
    report = backtest(assess(batch, context()), "abc")
    assert (report.inspected, report.positives, report.base_rate) == (20, 2, 0.1)
    b = next(p for p in report.profiles if p["profile_id"] == "B")
    assert (b["hits"], b["inspections"], b["positives"], b["hit_rate"], b["lift"]) == (10, 5, 2, 0.4, 4.0)
    c = next(p for p in report.profiles if p["profile_id"] == "C")
    assert c["hits"] == 0 and c["hit_rate"] is None
    only_a = "\n".join(PROFILES.split("---")[0].splitlines())
    other = backtest(assess(batch, context(text=only_a)), "a only")
    side = compare(report, other)
    assert [r["profile_id"] for r in side["profiles"]] == ["A", "B", "C"]
    assert side["profiles"][1]["b"] is None and side["profiles"][0]["a"]["hits"] == 40
