"""Pydantic I/O of the seizure record: what a form, an API call or a template row must say.

Validation is here so that every entry point (API, CLI, spreadsheet, GeoJSON, Parquet, the
workbench's form) rejects the same things with the same words; the message names the field.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from corridor.reference import country, location
from corridor.seizures.vocabulary import (
    CATEGORIES,
    CONCEALMENTS,
    DETECTIONS,
    PARTY_KINDS,
    PARTY_ROLES,
    TRANSPORT_MODES,
    TYPE_CATEGORY,
    UNITS,
)


def _code(value: Any) -> Any:
    # Spreadsheets write "False compartment" or "false-compartment"; the codes are snake_case.
    if isinstance(value, str):
        return "_".join(value.strip().lower().replace("-", " ").split()) or None
    return value


def _one_of(value: str, allowed: tuple[str, ...], what: str) -> str:
    if value not in allowed:
        raise ValueError(f"unknown {what} {value!r}; use one of {', '.join(allowed)}")
    return value


def _country(value: Any, what: str) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    found = country(str(value))
    if found is None:
        raise ValueError(f"{value!r} is not an ISO 3166-1 {what} country code")
    return found.alpha2


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class PartyIn(_Model):
    name: str = Field(min_length=1, max_length=200)
    role: str = "other"
    kind: str = "person"
    nationality: str | None = None
    identifier: str | None = Field(
        default=None, max_length=100, description="passport, TIN ... as SCHEME:VALUE"
    )

    @field_validator("role", "kind", mode="before")
    @classmethod
    def _codes(cls, value: Any) -> Any:
        return _code(value) or ("other" if value is None else value)

    @field_validator("role")
    @classmethod
    def _role(cls, value: str) -> str:
        return _one_of(value, PARTY_ROLES, "party role")

    @field_validator("kind")
    @classmethod
    def _kind(cls, value: str) -> str:
        return _one_of(value, PARTY_KINDS, "party kind")

    @field_validator("nationality", mode="before")
    @classmethod
    def _nationality(cls, value: Any) -> Any:
        return _country(value, "nationality")

    @field_validator("identifier", mode="before")
    @classmethod
    def _identifier(cls, value: Any) -> Any:
        if isinstance(value, str):
            return " ".join(value.split()).upper() or None
        return value


class ProfileHitIn(_Model):
    rule_id: str = Field(min_length=1, max_length=64)
    source: str = "profile"
    title: str | None = None
    version: int | str | None = None


class SeizureIn(_Model):
    """One seizure. `ref` is the natural key: the same ref imported twice updates, never duplicates."""

    ref: str | None = Field(default=None, max_length=40)
    seized_at: datetime
    office: str | None = Field(default=None, max_length=35)
    locode: str | None = None
    place: str | None = Field(default=None, max_length=200)
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)
    category: str | None = None
    commodity_type: str
    description: str | None = None
    quantity: float = Field(gt=0)
    unit: str
    value_usd: float | None = Field(default=None, ge=0)
    concealment: str = "other"
    detection: str
    transport_mode: str
    conveyance: str | None = Field(default=None, max_length=200)
    departure_country: str | None = None
    transit_countries: list[str] = Field(default_factory=list)
    destination_country: str | None = None
    consignment: str | None = Field(default=None, description="consignment id, key or document number")
    profile_hits: list[ProfileHitIn] = Field(default_factory=list)
    parties: list[PartyIn] = Field(default_factory=list)
    notes: str | None = None

    @field_validator("ref", "office", "conveyance", "consignment", mode="before")
    @classmethod
    def _upper(cls, value: Any) -> Any:
        if isinstance(value, str):
            return " ".join(value.split()).upper() or None
        return value

    @field_validator(
        "category", "commodity_type", "unit", "concealment", "detection", "transport_mode", mode="before"
    )
    @classmethod
    def _codes(cls, value: Any) -> Any:
        return _code(value)

    @field_validator("seized_at", mode="after")
    @classmethod
    def _utc(cls, value: datetime) -> datetime:
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)

    @field_validator("locode", mode="before")
    @classmethod
    def _locode(cls, value: Any) -> Any:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        code = str(value).replace(" ", "").upper()
        if location(code) is None:
            raise ValueError(f"{value!r} is not a known UN/LOCODE")
        return code

    @field_validator("commodity_type")
    @classmethod
    def _type(cls, value: str) -> str:
        return _one_of(value, tuple(TYPE_CATEGORY), "commodity type")

    @field_validator("category")
    @classmethod
    def _category(cls, value: str | None) -> str | None:
        return None if value is None else _one_of(value, CATEGORIES, "commodity category")

    @field_validator("unit")
    @classmethod
    def _unit(cls, value: str) -> str:
        return _one_of(value, UNITS, "unit")

    @field_validator("concealment")
    @classmethod
    def _concealment(cls, value: str) -> str:
        return _one_of(value, CONCEALMENTS, "concealment method")

    @field_validator("detection")
    @classmethod
    def _detection(cls, value: str) -> str:
        return _one_of(value, DETECTIONS, "detection method")

    @field_validator("transport_mode")
    @classmethod
    def _mode(cls, value: str) -> str:
        return _one_of(value, TRANSPORT_MODES, "transport mode")

    @field_validator("departure_country", mode="before")
    @classmethod
    def _departure(cls, value: Any) -> Any:
        return _country(value, "departure")

    @field_validator("destination_country", mode="before")
    @classmethod
    def _destination(cls, value: Any) -> Any:
        return _country(value, "destination")

    @field_validator("transit_countries", mode="before")
    @classmethod
    def _transit(cls, value: Any) -> Any:
        if value is None:
            return []
        if isinstance(value, str):
            value = [v for v in value.replace(",", ";").replace(">", ";").split(";") if v.strip()]
        if isinstance(value, list):
            return [_country(v, "transit") for v in value]
        return value

    @model_validator(mode="after")
    def _consistent(self) -> SeizureIn:
        expected = TYPE_CATEGORY[self.commodity_type]
        if self.category is None:
            self.category = expected
        elif self.category != expected:
            raise ValueError(
                f"commodity type {self.commodity_type!r} belongs to category {expected!r}, not {self.category!r}"
            )
        if (self.lat is None) != (self.lon is None):
            raise ValueError("give both latitude and longitude, or neither")
        if self.lat is None and self.locode is not None:
            # The place's coordinates come from UN/LOCODE when the officer gave none.
            loc = location(self.locode)
            if loc is not None and loc.lat is not None and loc.lon is not None:
                self.lat, self.lon = loc.lat, loc.lon
                self.place = self.place or loc.name
        return self

    @property
    def route(self) -> str | None:
        """Departure > transit > destination, the key the route statistics group by."""
        if not (self.departure_country or self.destination_country):
            return None
        parts = [self.departure_country or "??", *self.transit_countries, self.destination_country or "??"]
        return ">".join(parts)[:60]


class SeizureRejection(_Model):
    """A record that did not go in: where (file, row or feature), which column, and why."""

    file: str
    row: int | None = None
    column: str | None = None
    reason: str


class ImportReport(_Model):
    file: str
    format: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    refs: list[str] = Field(default_factory=list)
    rejections: list[SeizureRejection] = Field(default_factory=list)
