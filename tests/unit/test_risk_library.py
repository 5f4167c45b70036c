"""The starter library: valid, documented, and catching the demo data's planted scenarios."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from corridor.demo.generator import generate
from corridor.risk.engine import RiskContext, assess
from corridor.risk.flatten import flatten
from corridor.risk.history import History
from corridor.risk.library import load_starter

# The threat of the profiles expected to fire on each planted scenario (docs/demo-data.md).
EXPECTED = {
    "opiates_in_produce": "drugs",
    "cigarettes_misdeclared": "tobacco",
    "precursor_acetic_anhydride": "precursors",
    "dual_use_diversion": "strategic",
    "firearms_parts": "weapons",
    "vague_first_time": "revenue",
    "repeated_seal": "security",
    "container_check_digit": "security",
}


def test_starter_library_is_valid_and_explains_itself() -> None:
    profiles, lists = load_starter()
    assert len(profiles) >= 25
    assert {p.doc.threat for p in profiles} >= {"drugs", "precursors", "tobacco", "weapons", "strategic"}
    for p in profiles:
        assert p.doc.status == "active" and len(p.doc.rationale) > 30 and p.doc.owner
    assert {"high-risk-countries", "precursor-hs6", "strategic-chpl-hs6", "national-watchlist"} <= set(lists)


def test_starter_library_catches_the_planted_scenarios() -> None:
    start = date(2026, 6, 1)
    past = History.from_frames(
        flatten(list(generate(8000, 11, start=start - timedelta(days=30), planted=False)))
    )
    batch = list(generate(6000, 11, start=start))
    profiles, lists = load_starter()
    threat = {p.id: p.doc.threat for p in profiles}
    result = assess(batch, RiskContext.build(profiles, lists), past)
    lanes = result.frame.get_column("lane").to_list()
    fired: dict[int, set[str]] = defaultdict(set)
    for row, pid in result.hits.select("_row", "profile_id").iter_rows():
        fired[row].add(str(threat[pid]))
    caught: dict[str, list[bool]] = defaultdict(list)
    for i, c in enumerate(batch):
        scenario = c.attributes.get("planted")
        if scenario:
            caught[scenario].append(EXPECTED[scenario] in fired[i] and lanes[i] in ("yellow", "red"))
    assert set(caught) == set(EXPECTED)
    rates = {s: sum(v) / len(v) for s, v in caught.items()}
    assert all(rate == 1.0 for rate in rates.values()), rates
    # ... while the ordinary flow stays mostly green: selection needs room.
    ordinary = [lane for i, lane in enumerate(lanes) if not batch[i].attributes.get("planted")]
    assert ordinary.count("green") / len(ordinary) > 0.9
