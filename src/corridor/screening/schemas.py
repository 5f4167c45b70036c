"""Pydantic I/O of the screening API."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from corridor.screening.identifiers import identifier
from corridor.screening.matcher import DEFAULT_THRESHOLD, Query

Schema = Literal["person", "organization", "vessel", "aircraft", "unknown"]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class IdentifierIn(_In):
    scheme: str = Field(min_length=1, max_length=40, description="IMO, MMSI, TIN, INN, OGRN, passport ...")
    value: str = Field(min_length=1, max_length=100)


class ScreenIn(_In):
    name: str = Field(default="", max_length=500)
    type: Schema | None = None
    countries: list[str] = Field(default_factory=list, max_length=20, description="ISO 3166-1 alpha-2")
    birth_year: int | None = Field(default=None, ge=1850, le=2100)
    identifiers: list[IdentifierIn] = Field(default_factory=list, max_length=20)

    def to_query(self) -> Query:
        pairs = tuple(p for p in (identifier(i.scheme, i.value) for i in self.identifiers) if p)
        return Query(
            name=self.name,
            schema=self.type,
            countries=frozenset(c.upper() for c in self.countries),
            birth_years=frozenset({self.birth_year}) if self.birth_year else frozenset(),
            identifiers=pairs,
        )


class ScreenRequest(ScreenIn):
    threshold: float = Field(default=DEFAULT_THRESHOLD, ge=0.0, le=1.0)
    limit: int = Field(default=10, ge=1, le=100)


class BatchScreenRequest(_In):
    queries: list[ScreenIn] = Field(min_length=1, max_length=10_000)
    threshold: float = Field(default=DEFAULT_THRESHOLD, ge=0.0, le=1.0)
    limit: int = Field(default=5, ge=1, le=100)
    passed_only: bool = Field(default=True, description="only matches at or above the threshold")


class ScreenOut(BaseModel):
    query: str
    subject_key: str
    threshold: float
    candidates_scored: int
    matches: list[dict[str, Any]]


class BatchScreenOut(BaseModel):
    results: list[ScreenOut]


class DecisionIn(_In):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, populate_by_name=True)

    subject: str = Field(min_length=1, max_length=300, description="the screened name")
    identifiers: list[IdentifierIn] = Field(default_factory=list, max_length=20)
    # "list" in JSON; another attribute name, since a field called list shadows the type in annotations
    list_code: str = Field(min_length=1, max_length=40, alias="list")
    entry_key: str = Field(min_length=1, max_length=100)
    decision: Literal["true_match", "false_positive"]
    note: str | None = Field(default=None, max_length=2000)


class ConsignmentScreenIn(_In):
    ids: list[int] = Field(default_factory=list, max_length=100_000)
    pending: bool = Field(default=False, description="screen every consignment not yet screened instead")
    max: int | None = Field(default=None, ge=1)
