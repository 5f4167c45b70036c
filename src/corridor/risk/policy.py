"""Lane thresholds, inspection capacity and exploration per office: the selection policy.

The policy is a small YAML (or JSON) document, by default `risk-policy.yaml` in the data directory
(docs/risk-engine.md documents it); without one, every office uses the defaults below.

    default: {red: 70, yellow: 40, capacity: null, mode: threshold, exploration_share: 0.0}
    seed: 2025
    offices:
      AZ-ALAT-PCU: {capacity: 40, exploration_share: 0.05}
      AZ-ASTARA-BP: {capacity: 25, mode: top_k}
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from corridor.domain.errors import InvalidInput
from corridor.risk.yamlloc import YamlError, load_located

SelectionMode = Literal["threshold", "top_k"]


class OfficePolicy(BaseModel):
    model_config = ConfigDict(extra="forbid")

    red: float = Field(70.0, ge=0, le=100, description="score from which the lane is red")
    yellow: float = Field(40.0, ge=0, le=100, description="score from which the lane is yellow")
    capacity: int | None = Field(None, ge=0, description="physical inspections per day; null = unlimited")
    mode: SelectionMode = Field(
        "threshold", description="threshold: red lanes by score up to capacity; top_k: the K highest scores"
    )
    min_score: float = Field(1.0, ge=0, le=100, description="top_k never selects below this score")
    exploration_share: float = Field(
        0.0, ge=0, le=0.5, description="share of capacity (of the flow when unlimited) picked at random"
    )

    @model_validator(mode="after")
    def _order(self) -> OfficePolicy:
        if self.yellow > self.red:
            raise ValueError("yellow threshold above red threshold")
        return self


class OfficeOverride(BaseModel):
    model_config = ConfigDict(extra="forbid")

    red: float | None = Field(None, ge=0, le=100)
    yellow: float | None = Field(None, ge=0, le=100)
    capacity: int | None = Field(None, ge=0)
    mode: SelectionMode | None = None
    min_score: float | None = Field(None, ge=0, le=100)
    exploration_share: float | None = Field(None, ge=0, le=0.5)


class SelectionPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid")

    default: OfficePolicy = Field(default_factory=OfficePolicy)
    offices: dict[str, OfficeOverride] = Field(default_factory=dict)
    seed: int = Field(0, description="seed of the exploration draw (same seed, same picks)")

    def for_office(self, office: str | None) -> OfficePolicy:
        override = self.offices.get(office or "")
        if override is None:
            return self.default
        merged = self.default.model_dump()
        merged.update(override.model_dump(exclude_unset=True, exclude_none=False))
        # An explicit `capacity: null` in the override means unlimited for that office.
        return OfficePolicy.model_validate(merged)


def load_policy(path: Path) -> SelectionPolicy:
    try:
        docs = load_located(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise InvalidInput(f"cannot read the selection policy: {error}", where=str(path)) from None
    except YamlError as error:
        raise InvalidInput(error.message, where=f"{path} line {error.line}") from None
    if len(docs) != 1:
        raise InvalidInput("a selection policy is one document", where=str(path))
    try:
        return SelectionPolicy.model_validate(docs[0].value)
    except ValidationError as error:
        first = error.errors()[0]
        loc = tuple(p for p in first["loc"] if isinstance(p, str | int))
        line = docs[0].line_of(loc)
        field = ".".join(str(p) for p in loc)
        raise InvalidInput(f"{field}: {first['msg']}", where=f"{path} line {line}") from None
