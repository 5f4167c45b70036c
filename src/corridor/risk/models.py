"""ORM tables of the risk engine. Assessments keep the profile versions used, for reproducibility."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, DateTime, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from corridor.db.base import Base, JsonDoc


class AssessmentRow(Base):
    """One assessment of one consignment version; the latest per consignment is the current one."""

    __tablename__ = "assessments"
    __table_args__ = (
        Index("ix_assessments_consignment_latest", "consignment_id", "assessed_at"),
        Index("ix_assessments_lane_score", "lane", "score"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    consignment_id: Mapped[int] = mapped_column(ForeignKey("consignments.id", ondelete="CASCADE"))
    consignment_version: Mapped[int] = mapped_column(Integer)
    score: Mapped[float] = mapped_column(Float)
    lane: Mapped[str] = mapped_column(String(8))
    selected: Mapped[bool] = mapped_column(Boolean, default=False)
    exploration: Mapped[bool] = mapped_column(Boolean, default=False)
    hits: Mapped[list[dict[str, Any]]] = mapped_column(JsonDoc)
    profile_set: Mapped[dict[str, int]] = mapped_column(JsonDoc)
    model_version: Mapped[str | None] = mapped_column(String(64))
    assessed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    run_id: Mapped[str | None] = mapped_column(String(40), index=True)


class ProfileRow(Base):
    """A risk profile: its identity and current version; the documents are in risk_profile_versions."""

    __tablename__ = "risk_profiles"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    owner: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(10), index=True)
    threat: Mapped[str | None] = mapped_column(String(40))
    current_version: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ProfileVersionRow(Base):
    """Every version of every profile, never changed once written: assessments cite them."""

    __tablename__ = "risk_profile_versions"
    __table_args__ = (UniqueConstraint("profile_id", "version", name="uq_risk_profile_versions_version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    profile_id: Mapped[str] = mapped_column(ForeignKey("risk_profiles.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(10))
    document: Mapped[dict[str, Any]] = mapped_column(JsonDoc)
    source_text: Mapped[str | None] = mapped_column(Text)
    source_name: Mapped[str | None] = mapped_column(String(300))
    content_hash: Mapped[str] = mapped_column(String(64))
    author: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class NamedListRow(Base):
    """A shared named list (countries, ports, HS codes, parties ...) referenced by profiles."""

    __tablename__ = "risk_lists"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer)
    items: Mapped[list[str]] = mapped_column(JsonDoc)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class NamedListVersionRow(Base):
    __tablename__ = "risk_list_versions"
    __table_args__ = (UniqueConstraint("name", "version", name="uq_risk_list_versions_version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(ForeignKey("risk_lists.name", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))
    items: Mapped[list[str]] = mapped_column(JsonDoc)
    content_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
