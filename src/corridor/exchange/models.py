"""Exchange tables: partner directory and keys, agreements, groups, outbox, inbox, alerts, audit chain."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from corridor.db.base import Base, JsonDoc


class PartnerRow(Base):
    __tablename__ = "exchange_partners"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    agency: Mapped[str | None] = mapped_column(String(200))
    country: Mapped[str | None] = mapped_column(String(2))
    endpoint: Mapped[str | None] = mapped_column(String(500))
    tls_certificate: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="active")  # active or revoked
    # Per-channel sequences: the last one this node sealed for the partner and the last one it
    # accepted from the partner (a lower or equal unseen one is a replay).
    out_sequence: Mapped[int] = mapped_column(BigInteger, default=0)
    in_sequence: Mapped[int] = mapped_column(BigInteger, default=0)
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class PartnerKeyRow(Base):
    __tablename__ = "exchange_partner_keys"
    __table_args__ = (UniqueConstraint("partner_id", "kid", name="uq_exchange_partner_keys_partner_kid"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    partner_id: Mapped[int] = mapped_column(
        ForeignKey("exchange_partners.id", ondelete="CASCADE"), index=True
    )
    kid: Mapped[str] = mapped_column(String(16))
    signing_key: Mapped[str] = mapped_column(String(64))
    encryption_key: Mapped[str] = mapped_column(String(64))
    fingerprint: Mapped[str] = mapped_column(String(60))
    status: Mapped[str] = mapped_column(String(20))  # current, previous, revoked
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class AgreementRow(Base):
    __tablename__ = "exchange_agreements"
    __table_args__ = (
        UniqueConstraint("partner_id", "direction", "message_type", name="uq_exchange_agreements_rule"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    partner_id: Mapped[int] = mapped_column(
        ForeignKey("exchange_partners.id", ondelete="CASCADE"), index=True
    )
    direction: Mapped[str] = mapped_column(String(10))  # send or receive
    message_type: Mapped[str] = mapped_column(String(40))
    profile: Mapped[str] = mapped_column(String(40), default="full")
    fields: Mapped[list[str] | None] = mapped_column(JsonDoc)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class GroupRow(Base):
    __tablename__ = "exchange_groups"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    owner: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer, default=1)
    types: Mapped[list[str]] = mapped_column(JsonDoc)
    profile: Mapped[str] = mapped_column(String(40), default="full")
    members: Mapped[list[dict[str, str]]] = mapped_column(JsonDoc)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class OutboxRow(Base):
    __tablename__ = "exchange_outbox"
    __table_args__ = (
        UniqueConstraint("message_id", "partner_id", name="uq_exchange_outbox_message_partner"),
        Index("ix_exchange_outbox_due", "status", "partner_id", "sequence"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    message_id: Mapped[str] = mapped_column(String(100), index=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("exchange_partners.id"))
    message_type: Mapped[str] = mapped_column(String(40))
    sequence: Mapped[int] = mapped_column(BigInteger)
    group_name: Mapped[str | None] = mapped_column(String(64))
    summary: Mapped[str] = mapped_column(String(300))
    envelope: Mapped[str] = mapped_column(Text)
    # The minimised payload, kept so that a dead message can be sealed again with a new sequence.
    payload: Mapped[dict[str, Any]] = mapped_column(JsonDoc)
    size: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20))  # queued, delivered, dead
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[dict[str, Any] | None] = mapped_column(JsonDoc)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    receipt: Mapped[dict[str, Any] | None] = mapped_column(JsonDoc)
    acknowledged: Mapped[dict[str, Any] | None] = mapped_column(JsonDoc)


class InboxRow(Base):
    __tablename__ = "exchange_inbox"
    __table_args__ = (UniqueConstraint("partner_id", "message_id", name="uq_exchange_inbox_sender_message"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    message_id: Mapped[str] = mapped_column(String(100))
    partner_id: Mapped[int] = mapped_column(ForeignKey("exchange_partners.id"), index=True)
    message_type: Mapped[str] = mapped_column(String(40), index=True)
    version: Mapped[int] = mapped_column(Integer)
    sequence: Mapped[int] = mapped_column(BigInteger)
    group_name: Mapped[str | None] = mapped_column(String(64))
    summary: Mapped[str] = mapped_column(String(300))
    # received: stored, effects pending; applied: effects done; refused: authentic but not accepted.
    status: Mapped[str] = mapped_column(String(20))
    error: Mapped[dict[str, Any] | None] = mapped_column(JsonDoc)
    payload: Mapped[dict[str, Any] | None] = mapped_column(JsonDoc)
    result: Mapped[dict[str, Any] | None] = mapped_column(JsonDoc)
    digest: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    applied_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class RejectionRow(Base):
    """Messages refused before they could be attributed (bad signature, malformed, unknown sender...)."""

    __tablename__ = "exchange_rejections"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    claimed_sender: Mapped[str | None] = mapped_column(String(64))
    message_id: Mapped[str | None] = mapped_column(String(100))
    code: Mapped[str] = mapped_column(String(40))
    detail: Mapped[str] = mapped_column(Text)
    where: Mapped[str | None] = mapped_column(String(200))
    remote: Mapped[str | None] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)


class AlertRow(Base):
    """A received alert as officers and the risk engine see it."""

    __tablename__ = "exchange_alerts"
    __table_args__ = (UniqueConstraint("inbox_id", name="uq_exchange_alerts_inbox_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    inbox_id: Mapped[int] = mapped_column(ForeignKey("exchange_inbox.id"))
    sender: Mapped[str] = mapped_column(String(64))
    message_id: Mapped[str] = mapped_column(String(100))
    group_name: Mapped[str | None] = mapped_column(String(64))
    container: Mapped[str | None] = mapped_column(String(20), index=True)
    vessel_imo: Mapped[str | None] = mapped_column(String(7))
    vessel_mmsi: Mapped[str | None] = mapped_column(String(9))
    vessel_name: Mapped[str | None] = mapped_column(String(200))
    party_name: Mapped[str | None] = mapped_column(String(200))
    party_country: Mapped[str | None] = mapped_column(String(2))
    party_identifiers: Mapped[list[dict[str, str]] | None] = mapped_column(JsonDoc)
    route_origin: Mapped[str | None] = mapped_column(String(5))
    route_destination: Mapped[str | None] = mapped_column(String(5))
    route_via: Mapped[list[str] | None] = mapped_column(JsonDoc)
    reason: Mapped[str] = mapped_column(Text)
    action: Mapped[str] = mapped_column(String(20))
    severity: Mapped[str] = mapped_column(String(10))
    reference: Mapped[str | None] = mapped_column(String(200))
    valid_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    open: Mapped[bool] = mapped_column(Boolean, default=True)
    closed_note: Mapped[str | None] = mapped_column(Text)


class AuditRow(Base):
    """One link of the hash chain: hash = SHA-256(prev_hash + canonical entry)."""

    __tablename__ = "exchange_audit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, unique=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    event: Mapped[str] = mapped_column(String(40))
    partner: Mapped[str | None] = mapped_column(String(64))
    message_id: Mapped[str | None] = mapped_column(String(100))
    message_type: Mapped[str | None] = mapped_column(String(40))
    digest: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[dict[str, Any]] = mapped_column(JsonDoc)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHeadRow(Base):
    """The chain's head, one row: updating it first serialises appends on SQLite and PostgreSQL alike."""

    __tablename__ = "exchange_audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger)
    hash: Mapped[str] = mapped_column(String(64))
