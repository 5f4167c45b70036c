"""Hit evidence is shown as readable lines, not as Python structures."""

from __future__ import annotations

from corridor.web.deps import evidence_lines


def test_evidence_lines_flatten_fields_and_goods_items() -> None:
    evidence = {
        "fields": {"route.illogical": True, "consignee.first_seen_days": 0},
        "goods": [{"goods.sequence": 2, "goods.unit_value_z": -4.224211793045685}],
    }
    assert evidence_lines(evidence) == [
        ("route.illogical", "yes"),
        ("consignee.first_seen_days", "0"),
        ("item 2: goods.unit_value_z", "-4.22"),
    ]
    assert evidence_lines({"matched": ["CSQU3054383", "MSKU1234565"]}) == [("matched", "CSQU3054383, MSKU1234565")]
