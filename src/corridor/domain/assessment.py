"""The result of assessing a consignment: score, lane and the reasons (hits) that produced them.

Explanations are data: every hit names the profile (or indicator, or model) and version that fired,
its weight, and the evidence values, so an officer can understand the decision and an auditor can
reproduce it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from corridor.domain.consignment import Lane


class Hit(BaseModel):
    model_config = ConfigDict(extra="forbid")

    source: str = Field(description="profile, indicator, model, screening or alert")
    rule_id: str = Field(description="profile id, indicator name, model feature ...")
    version: int | str | None = None
    title: str
    weight: float
    lane: Lane | None = Field(default=None, description="lane this hit forces (override), if any")
    evidence: dict[str, Any] = Field(default_factory=dict, description="the values that made it fire")
    rationale: str | None = None


class Assessment(BaseModel):
    model_config = ConfigDict(extra="forbid")

    consignment_key: str
    score: float = Field(ge=0, description="0..100, higher is riskier")
    lane: Lane
    hits: list[Hit] = Field(default_factory=list)
    profile_set: dict[str, int] = Field(default_factory=dict, description="profile id -> version used")
    model_version: str | None = None
    selected: bool = Field(default=False, description="selected for inspection within capacity")
    exploration: bool = Field(default=False, description="selected at random to keep hit rates unbiased")
    assessed_at: datetime
