"""Pydantic I/O of the accounts API."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import AwareDatetime, BaseModel, Field, field_validator


class LoginIn(BaseModel):
    username: str = Field(max_length=64)
    password: str = Field(max_length=1024)


class MeOut(BaseModel):
    username: str
    display_name: str
    role: str
    agency: str
    offices: list[str]
    locale: str
    csrf_token: str | None = Field(default=None, description="send as X-CSRF-Token on unsafe requests")


class TokenIn(BaseModel):
    label: str = Field(min_length=1, max_length=100)
    days: int | None = Field(default=None, ge=1, le=3650)


class TokenOut(BaseModel):
    token: str = Field(description="shown once; send as 'Authorization: Bearer <token>'")


class AuditOut(BaseModel):
    at: AwareDatetime
    username: str | None
    action: str
    object_type: str | None
    object_id: str | None
    office: str | None
    outcome: str
    ip: str | None
    detail: dict[str, Any]
    summary: str | None

    @field_validator("at", mode="before")
    @classmethod
    def _utc(cls, value: Any) -> Any:
        # Stored in UTC; SQLite hands the time back without its zone, which is not an RFC 3339 date-time.
        if isinstance(value, datetime) and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


class AuditPage(BaseModel):
    total: int
    items: list[AuditOut]
