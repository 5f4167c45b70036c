"""ORM tables for cases: decisions (select/release/hold), inspection results, seizure reports, photos."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from corridor.db.base import Base


class DecisionRow(Base):
    """One targeting decision; the latest per consignment is the one in force."""

    __tablename__ = "decisions"
    __table_args__ = (Index("ix_decisions_consignment_at", "consignment_id", "decided_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    consignment_id: Mapped[int] = mapped_column(ForeignKey("consignments.id", ondelete="CASCADE"))
    consignment_version: Mapped[int] = mapped_column(Integer)
    office: Mapped[str | None] = mapped_column(String(35), index=True)
    action: Mapped[str] = mapped_column(String(10))
    method: Mapped[str | None] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(Text)
    override: Mapped[bool] = mapped_column(Boolean, default=False)
    lane: Mapped[str | None] = mapped_column(String(8))
    score: Mapped[float | None] = mapped_column(Float)
    assessment_id: Mapped[int | None] = mapped_column(ForeignKey("assessments.id", ondelete="SET NULL"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class InspectionRow(Base):
    __tablename__ = "inspections"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    consignment_id: Mapped[int] = mapped_column(ForeignKey("consignments.id", ondelete="CASCADE"), index=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("decisions.id", ondelete="CASCADE"), index=True)
    office: Mapped[str | None] = mapped_column(String(35), index=True)
    method: Mapped[str | None] = mapped_column(String(20))
    result: Mapped[str] = mapped_column(String(16))
    notes: Mapped[str | None] = mapped_column(Text)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    inspected_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)

    seizures: Mapped[list[SeizureRow]] = relationship(
        back_populates="inspection", lazy="selectin", order_by="SeizureRow.id"
    )


class SeizureRow(Base):
    """The seizure form: what was found, how much, and how it was hidden."""

    __tablename__ = "seizures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspections.id", ondelete="CASCADE"), index=True)
    consignment_id: Mapped[int] = mapped_column(ForeignKey("consignments.id", ondelete="CASCADE"), index=True)
    office: Mapped[str | None] = mapped_column(String(35), index=True)
    commodity: Mapped[str] = mapped_column(String(30))
    description: Mapped[str | None] = mapped_column(Text)
    quantity: Mapped[float] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(10))
    concealment: Mapped[str] = mapped_column(String(30))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    seized_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)

    inspection: Mapped[InspectionRow] = relationship(back_populates="seizures")
    photos: Mapped[list[SeizurePhotoRow]] = relationship(lazy="selectin", order_by="SeizurePhotoRow.id")


class SeizurePhotoRow(Base):
    """A photo kept on disk under CORRIDOR_DATA_DIR/photos, addressed by its SHA-256 content hash."""

    __tablename__ = "seizure_photos"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seizure_id: Mapped[int] = mapped_column(ForeignKey("seizures.id", ondelete="CASCADE"), index=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(50))
    size: Mapped[int] = mapped_column(Integer)
    path: Mapped[str] = mapped_column(String(500))
    uploaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
