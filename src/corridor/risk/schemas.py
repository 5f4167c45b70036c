"""Request and response bodies of the risk API."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from corridor.domain.consignment import Consignment


class AssessRequest(BaseModel):
    """Exactly one of: a consignment, a batch of consignments, or ids of stored consignments."""

    model_config = ConfigDict(extra="forbid")

    consignment: Consignment | None = None
    consignments: list[Consignment] | None = Field(default=None, max_length=10_000)
    ids: list[int] | None = Field(default=None, max_length=10_000)

    @model_validator(mode="after")
    def _one(self) -> AssessRequest:
        given = [n for n in ("consignment", "consignments", "ids") if getattr(self, n) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of consignment, consignments or ids")
        if self.consignments == [] or self.ids == []:
            raise ValueError("the batch is empty")
        return self


class HitOut(BaseModel):
    source: str
    rule_id: str
    # Stored hits written before a field existed, or by a source without it, lack it: absent is None.
    version: int | str | None = None
    title: str
    weight: float
    lane: str | None = None
    evidence: dict[str, Any]
    rationale: str | None = None


class AssessmentOut(BaseModel):
    consignment_id: int | None = Field(
        description="set when the assessment was stored against a stored consignment"
    )
    consignment_key: str
    document_number: str
    office: str | None
    score: float
    lane: str
    stored: bool
    hits: list[HitOut]
    profile_set: dict[str, int]
    assessed_at: str | None


class AssessBatchOut(BaseModel):
    count: int
    items: list[AssessmentOut]


class StoredAssessmentOut(BaseModel):
    id: int
    consignment_id: int
    consignment_key: str
    document_number: str
    consignment_version: int
    current: bool = Field(description="false when the consignment was amended after this assessment")
    score: float
    lane: str
    selected: bool
    exploration: bool
    hits: list[HitOut]
    profile_set: dict[str, int]
    model_version: str | None
    assessed_at: str | None
    run_id: str | None


class ProfileText(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=1_000_000, description="YAML or JSON documents")
    source: str = Field("request", max_length=200, description="name used in error messages")
    author: str | None = Field(None, max_length=100)


class StatusChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: str = Field(pattern="^(draft|active|retired)$")
    author: str | None = Field(None, max_length=100)


class SelectionRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    date: date
    office: str | None = None


class BacktestRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    start: date = Field(alias="from")
    end: date = Field(alias="to")
    profiles: str | None = Field(None, description="profile set as YAML (default: the stored profiles)")
    against: str | None = Field(None, description="a second profile set as YAML, to compare")
