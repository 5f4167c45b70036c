"""ORM tables of the CEN-like seizure database (prefixed `cen_`: `seizures` is the workbench's form).

A record's columns are what the analytics group and filter by; the parties, attachments and the
watch-list entries made from them are child tables. Links to a consignment, an inspection and the
workbench's seizure form are nullable: most imported records (partner data, history) have none.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from corridor.db.base import Base, JsonDoc


class CenSeizureRow(Base):
    __tablename__ = "cen_seizures"
    __table_args__ = (Index("ix_cen_seizures_category_at", "category", "seized_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ref: Mapped[str] = mapped_column(String(40), unique=True)
    seized_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    office: Mapped[str | None] = mapped_column(String(35), index=True)
    locode: Mapped[str | None] = mapped_column(String(5))
    place: Mapped[str | None] = mapped_column(String(200))
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    # H3 cell (resolution 8) of the point, kept so that density maps group by a column; coarser
    # resolutions are the parents of the distinct cells, never a per-row computation.
    h3_cell: Mapped[str | None] = mapped_column(String(16), index=True)
    category: Mapped[str] = mapped_column(String(20))
    commodity_type: Mapped[str] = mapped_column(String(30))
    description: Mapped[str | None] = mapped_column(Text)
    quantity: Mapped[float] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(10))
    quantity_kg: Mapped[float | None] = mapped_column(Float)
    value_usd: Mapped[float | None] = mapped_column(Float)
    concealment: Mapped[str] = mapped_column(String(30))
    detection: Mapped[str] = mapped_column(String(20))
    transport_mode: Mapped[str] = mapped_column(String(12))
    conveyance: Mapped[str | None] = mapped_column(String(200))
    departure_country: Mapped[str | None] = mapped_column(String(2))
    destination_country: Mapped[str | None] = mapped_column(String(2))
    transit_countries: Mapped[list[str]] = mapped_column(JsonDoc)
    route: Mapped[str | None] = mapped_column(String(60))
    consignment_id: Mapped[int | None] = mapped_column(
        ForeignKey("consignments.id", ondelete="SET NULL"), index=True
    )
    inspection_id: Mapped[int | None] = mapped_column(ForeignKey("inspections.id", ondelete="SET NULL"))
    case_seizure_id: Mapped[int | None] = mapped_column(
        ForeignKey("seizures.id", ondelete="SET NULL"), unique=True
    )
    profile_hits: Mapped[list[dict[str, Any]]] = mapped_column(JsonDoc)
    source: Mapped[str] = mapped_column(String(12))
    notes: Mapped[str | None] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    parties: Mapped[list[CenPartyRow]] = relationship(
        lazy="selectin", order_by="CenPartyRow.id", cascade="all, delete-orphan"
    )
    attachments: Mapped[list[CenAttachmentRow]] = relationship(
        lazy="selectin", order_by="CenAttachmentRow.id", cascade="all, delete-orphan"
    )


class CenPartyRow(Base):
    """A person or company involved, with nationality and role in the seizure."""

    __tablename__ = "cen_seizure_parties"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seizure_id: Mapped[int] = mapped_column(ForeignKey("cen_seizures.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(200))
    nationality: Mapped[str | None] = mapped_column(String(2))
    identifier: Mapped[str | None] = mapped_column(String(100))


class CenAttachmentRow(Base):
    """A photo, X-ray image or document on disk under CORRIDOR_DATA_DIR/seizures, named by SHA-256."""

    __tablename__ = "cen_seizure_attachments"
    __table_args__ = (UniqueConstraint("seizure_id", "sha256", name="uq_cen_seizure_attachments_seizure_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seizure_id: Mapped[int] = mapped_column(ForeignKey("cen_seizures.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(50))
    size: Mapped[int] = mapped_column(Integer)
    path: Mapped[str] = mapped_column(String(500))
    uploaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class CenWatchEntryRow(Base):
    """A party put on the national watch list from a seizure; `entry` is what the risk list holds
    (an identifier written SCHEME:VALUE when known, else the name), unique across the list."""

    __tablename__ = "cen_watch_entries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entry: Mapped[str] = mapped_column(String(200), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(10))
    nationality: Mapped[str | None] = mapped_column(String(2))
    identifier: Mapped[str | None] = mapped_column(String(100))
    seizure_id: Mapped[int | None] = mapped_column(
        ForeignKey("cen_seizures.id", ondelete="SET NULL"), index=True
    )
    reason: Mapped[str | None] = mapped_column(Text)
    added_by: Mapped[str | None] = mapped_column(String(64))
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
