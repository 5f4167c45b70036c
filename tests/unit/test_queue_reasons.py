"""The queue's top reasons are the hits that moved the score, not the model's SHAP explanations."""

from __future__ import annotations

from corridor.cases.queue import QueueItem
from corridor.consignments.models import ConsignmentRow
from corridor.risk.models import AssessmentRow


def test_top_reasons_leave_model_explanations_to_the_consignment_page() -> None:
    hits = [
        {
            "source": "model",
            "rule_id": "te_hs",
            "title": "HS code seen 47 times before (+0.7)",
            "weight": 0.7,
        },
        {"source": "profile", "rule_id": "GEN-005", "title": "Unit value far below", "weight": 0.3},
        {"source": "model", "rule_id": "model", "title": "Targeting model: 41%", "weight": 0.25},
        {"source": "alert", "rule_id": "alert:kz:1", "title": "Partner alert", "weight": 0.8},
        {"source": "profile", "rule_id": "GEN-008", "title": "Routing", "weight": 0.2},
    ]
    item = QueueItem(row=ConsignmentRow(), assessment=AssessmentRow(hits=hits), decision=None)
    assert [h["rule_id"] for h in item.top_reasons] == ["alert:kz:1", "GEN-005", "model"]
