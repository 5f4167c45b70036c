"""Pydantic bodies of the maritime API."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class ReviewIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    status: Literal["open", "confirmed", "dismissed"]
    note: str | None = Field(default=None, max_length=2000)


class DetectIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    since: datetime | None = None
    until: datetime | None = None
    kinds: list[str] | None = Field(default=None, description="default: every detector")
    config: dict[str, Any] | None = Field(default=None, description="detector settings to change, by section")


class ZoneIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str = Field(min_length=1, max_length=60, pattern=r"^[A-Za-z0-9_-]+$")
    name: str = Field(min_length=1, max_length=200)
    geometry: dict[str, Any] = Field(description="GeoJSON Polygon, [lon, lat] positions")
