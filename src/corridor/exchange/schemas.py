"""Request bodies of the exchange management API."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PartnerIn(_In):
    identity: dict[str, Any] = Field(description="the partner's `corridor node identity --json` document")
    endpoint: str | None = Field(default=None, description="overrides the endpoint in the document")
    fingerprint: str | None = Field(default=None, description="the fingerprint checked out of band")


class PartnerUpdateIn(_In):
    identity: dict[str, Any]
    endpoint: str | None = None
    force: bool = False


class AgreementIn(_In):
    partner: str
    send: list[str] = Field(default_factory=list)
    receive: list[str] = Field(default_factory=list)
    profile: str = "full"
    fields: list[str] | None = None


class GroupIn(_In):
    name: str
    types: list[str] = Field(default_factory=lambda: ["alert"])
    profile: str = "full"


class MembersIn(_In):
    add: list[str] = Field(default_factory=list)
    remove: list[str] = Field(default_factory=list)


class SendIn(_In):
    to: list[str] = Field(default_factory=list)
    group: str | None = None
    payload: dict[str, Any]


class OutgoingIn(_In):
    type: str = Field(description="message type, e.g. alert")
    to: list[str] = Field(default_factory=list)
    group: str | None = None
    payload: dict[str, Any]


class SendManyIn(_In):
    messages: list[OutgoingIn] = Field(min_length=1, max_length=1000)


class CloseIn(_In):
    note: str | None = None
