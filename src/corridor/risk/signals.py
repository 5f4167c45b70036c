"""Signals from outside the profile set, folded into the same score: the learning model and the
alerts received from partner administrations.

Each signal becomes hits with its own source ("model", "alert") and evidence, and scoring hits
multiply into the score exactly as profile hits do: score = 100·(1 − ∏(1 − w)). The model's reasons
are kept as display-only hits (weight = their log-odds contribution, not multiplied in), so an officer
sees why the model ranked the consignment high next to the rules that fired.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from corridor.domain.consignment import Consignment

# How much the model can move the score: a probability p adds a hit of weight MODEL_WEIGHT·p.
MODEL_WEIGHT = 0.6
MODEL_MIN_PROBABILITY = 0.05
# Alerts ask for action; severity decides their weight and whether they force a lane.
ALERT_WEIGHTS = {"high": 0.8, "medium": 0.5, "low": 0.3}
ALERT_LANES = {"high": "red", "medium": "yellow"}


@dataclass(slots=True)
class Signals:
    """Per batch row: hits to store, and the weights that enter the score."""

    hits: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    weights: dict[int, list[float]] = field(default_factory=dict)
    lanes: dict[int, str] = field(default_factory=dict)
    model_version: str | None = None

    def add(self, row: int, hit: dict[str, Any], scoring: bool) -> None:
        self.hits.setdefault(row, []).append(hit)
        if scoring:
            self.weights.setdefault(row, []).append(float(hit["weight"]))

    def score(self, row: int, base: float) -> float:
        keep = 1.0 - base / 100.0
        for w in self.weights.get(row, []):
            keep *= 1.0 - min(max(w, 0.0), 1.0)
        return round(100.0 * (1.0 - keep), 2)


def collect(session: Session, consignments: Sequence[Consignment]) -> Signals:
    signals = Signals()
    _model(session, consignments, signals)
    _alerts(session, consignments, signals)
    return signals


def _model(session: Session, consignments: Sequence[Consignment], signals: Signals) -> None:
    from corridor.model.service import score_consignments

    scores = score_consignments(session, consignments)
    for row, s in enumerate(scores):
        signals.model_version = s.model_version
        probability = float(s.probability)
        if not math.isfinite(probability):
            continue
        if probability < MODEL_MIN_PROBABILITY:
            # Below this the model has nothing to say that should move the score or fill a queue
            # line; its reasons are still kept for the consignment page.
            for reason in s.reasons:
                signals.add(row, {**reason.model_dump(mode="json"), "source": "model"}, scoring=False)
            continue
        evidence: dict[str, Any] = {"probability": round(probability, 4)}
        if s.expected_revenue is not None:
            evidence["expected_revenue"] = round(float(s.expected_revenue), 2)
        signals.add(
            row,
            {
                "source": "model",
                "rule_id": "model",
                "version": s.model_version,
                "title": f"Targeting model: {probability:.0%} probability of a positive inspection",
                "weight": round(MODEL_WEIGHT * probability, 4),
                "lane": None,
                "evidence": evidence,
                "rationale": "learnt from past inspection outcomes; the reasons below are its largest contributions",
            },
            scoring=True,
        )
        for reason in s.reasons:
            hit = reason.model_dump(mode="json")
            hit["source"] = "model"
            signals.add(row, hit, scoring=False)


def _alerts(session: Session, consignments: Sequence[Consignment], signals: Signals) -> None:
    from corridor.exchange.alerts import active_alerts, match

    active = active_alerts(session)
    if not len(active):
        return
    for row, consignment in enumerate(consignments):
        for found in match(consignment, active):
            alert = found.alert
            severity = (alert.severity or "medium").lower()
            lane = ALERT_LANES.get(severity)
            signals.add(
                row,
                {
                    "source": "alert",
                    "rule_id": f"alert:{alert.sender}:{alert.message_id}",
                    "version": None,
                    "title": f"Partner alert from {alert.sender} on {found.matched} {found.value}",
                    "weight": ALERT_WEIGHTS.get(severity, 0.5),
                    "lane": lane,
                    "evidence": {
                        "matched": found.matched,
                        "value": found.value,
                        "requested_action": alert.action,
                        "reference": alert.reference,
                    },
                    "rationale": alert.reason,
                },
                scoring=True,
            )
            if lane and (signals.lanes.get(row) != "red"):
                signals.lanes[row] = lane
