"""ORM tables for consignments. The full document is kept as JSON; the columns are for querying."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from corridor.db.base import Base, JsonDoc


class ConsignmentRow(Base):
    __tablename__ = "consignments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(100), unique=True)
    document_type: Mapped[str] = mapped_column(String(8))
    document_number: Mapped[str] = mapped_column(String(70), index=True)
    master_document_number: Mapped[str | None] = mapped_column(String(70), index=True)
    status: Mapped[str] = mapped_column(String(16), default="active")
    version: Mapped[int] = mapped_column(Integer, default=1)
    content_hash: Mapped[str] = mapped_column(String(64))
    mode: Mapped[str] = mapped_column(String(16))
    office: Mapped[str | None] = mapped_column(String(35), index=True)
    carrier_name: Mapped[str | None] = mapped_column(String(200))
    conveyance_name: Mapped[str | None] = mapped_column(String(200))
    conveyance_imo: Mapped[str | None] = mapped_column(String(7))
    filed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    departure_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    eta: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    arrival_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    loading_locode: Mapped[str | None] = mapped_column(String(5))
    discharge_locode: Mapped[str | None] = mapped_column(String(5), index=True)
    origin_country: Mapped[str | None] = mapped_column(String(2))
    departure_country: Mapped[str | None] = mapped_column(String(2))
    destination_country: Mapped[str | None] = mapped_column(String(2))
    consignor_name: Mapped[str | None] = mapped_column(String(200))
    consignee_name: Mapped[str | None] = mapped_column(String(200))
    goods_count: Mapped[int] = mapped_column(Integer, default=0)
    total_gross_kg: Mapped[float | None] = mapped_column(Float)
    warning_count: Mapped[int] = mapped_column(Integer, default=0)
    source_format: Mapped[str] = mapped_column(String(16))
    data: Mapped[dict[str, Any]] = mapped_column(JsonDoc)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ConsignmentVersionRow(Base):
    __tablename__ = "consignment_versions"
    __table_args__ = (
        UniqueConstraint("consignment_id", "version", name="uq_consignment_versions_version"),
        Index("ix_consignment_versions_hash", "consignment_id", "content_hash"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    consignment_id: Mapped[int] = mapped_column(ForeignKey("consignments.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64))
    function: Mapped[str] = mapped_column(String(16))
    source_format: Mapped[str] = mapped_column(String(16))
    source_file: Mapped[str | None] = mapped_column(String(500))
    source_location: Mapped[str | None] = mapped_column(String(200))
    batch_id: Mapped[int | None] = mapped_column(Integer)
    data: Mapped[dict[str, Any]] = mapped_column(JsonDoc)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class PartyRow(Base):
    __tablename__ = "consignment_parties"
    __table_args__ = (Index("ix_consignment_parties_key", "party_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    consignment_id: Mapped[int] = mapped_column(ForeignKey("consignments.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    party_key: Mapped[str] = mapped_column(String(200))
    name: Mapped[str | None] = mapped_column(String(200))
    country: Mapped[str | None] = mapped_column(String(2))


class GoodsItemRow(Base):
    __tablename__ = "goods_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    consignment_id: Mapped[int] = mapped_column(ForeignKey("consignments.id", ondelete="CASCADE"), index=True)
    sequence: Mapped[int] = mapped_column(Integer)
    hs_code: Mapped[str | None] = mapped_column(String(14))
    hs6: Mapped[str | None] = mapped_column(String(6), index=True)
    description: Mapped[str | None] = mapped_column(Text)
    packages: Mapped[int | None] = mapped_column(Integer)
    gross_kg: Mapped[float | None] = mapped_column(Float)
    net_kg: Mapped[float | None] = mapped_column(Float)
    value_amount: Mapped[float | None] = mapped_column(Float)
    value_currency: Mapped[str | None] = mapped_column(String(3))
    origin_country: Mapped[str | None] = mapped_column(String(2))


class EquipmentRow(Base):
    __tablename__ = "equipment"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    consignment_id: Mapped[int] = mapped_column(ForeignKey("consignments.id", ondelete="CASCADE"), index=True)
    number: Mapped[str] = mapped_column(String(20), index=True)
    size_type: Mapped[str | None] = mapped_column(String(10))
    seals: Mapped[str | None] = mapped_column(String(500))
    check_digit_ok: Mapped[bool | None] = mapped_column()


class IngestBatchRow(Base):
    __tablename__ = "ingest_batches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    origin: Mapped[str] = mapped_column(String(20), default="cli")
    files: Mapped[list[str]] = mapped_column(JsonDoc)
    accepted: Mapped[int] = mapped_column(Integer, default=0)
    amended: Mapped[int] = mapped_column(Integer, default=0)
    duplicates: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)
    warnings: Mapped[int] = mapped_column(Integer, default=0)


class RejectionRow(Base):
    __tablename__ = "ingest_rejections"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("ingest_batches.id", ondelete="CASCADE"), index=True)
    file: Mapped[str] = mapped_column(String(500))
    location: Mapped[str] = mapped_column(String(200))
    field: Mapped[str | None] = mapped_column(String(200))
    code: Mapped[str] = mapped_column(String(50))
    reason: Mapped[str] = mapped_column(Text)
    excerpt: Mapped[str | None] = mapped_column(Text)
