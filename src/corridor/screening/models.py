"""ORM tables for watch lists, their versions and entries, prepared names, decisions and hits.

Names are stored prepared (transliterated parts, phonetic folds, blocking keys) so that the
in-memory index is built from the database without running the normaliser again.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from corridor.db.base import Base, JsonDoc


class ScreeningListRow(Base):
    __tablename__ = "screening_lists"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    format: Mapped[str] = mapped_column(String(16))
    version: Mapped[int] = mapped_column(Integer)
    entry_count: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(500))
    source_sha256: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ScreeningListVersionRow(Base):
    __tablename__ = "screening_list_versions"
    __table_args__ = (UniqueConstraint("list_id", "version", name="uq_screening_list_versions_version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("screening_lists.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(500))
    source_sha256: Mapped[str] = mapped_column(String(64))
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    added: Mapped[int] = mapped_column(Integer)
    changed: Mapped[int] = mapped_column(Integer)
    removed: Mapped[int] = mapped_column(Integer)
    unchanged: Mapped[int] = mapped_column(Integer)
    problems: Mapped[list[dict[str, Any]]] = mapped_column(JsonDoc)


class ScreeningEntryRow(Base):
    __tablename__ = "screening_entries"
    __table_args__ = (UniqueConstraint("list_id", "key", name="uq_screening_entries_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("screening_lists.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(100))
    schema: Mapped[str] = mapped_column(String(16))
    caption: Mapped[str] = mapped_column(String(500))
    data: Mapped[dict[str, Any]] = mapped_column(JsonDoc)
    content_hash: Mapped[str] = mapped_column(String(64))
    first_version: Mapped[int] = mapped_column(Integer)
    changed_version: Mapped[int] = mapped_column(Integer)
    removed_version: Mapped[int | None] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ScreeningNameRow(Base):
    __tablename__ = "screening_names"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("screening_entries.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(Text)
    latin: Mapped[str] = mapped_column(Text)  # transliterated parts, legal forms removed
    folded: Mapped[str] = mapped_column(Text)  # phonetic fold of each part, same order
    abjad: Mapped[int] = mapped_column(Integer)  # bit i set: part i was Persian/Arabic script
    legal_forms: Mapped[str] = mapped_column(Text)
    keys: Mapped[str] = mapped_column(Text)  # blocking keys, space-separated


class ScreeningDecisionRow(Base):
    """An analyst's decision on one (screened subject, list entry) pair, valid for one entry content."""

    __tablename__ = "screening_decisions"
    __table_args__ = (UniqueConstraint("subject_key", "entry_id", name="uq_screening_decisions_subject_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subject_key: Mapped[str] = mapped_column(String(300))
    subject_name: Mapped[str] = mapped_column(String(300))
    entry_id: Mapped[int] = mapped_column(ForeignKey("screening_entries.id", ondelete="CASCADE"), index=True)
    entry_hash: Mapped[str] = mapped_column(String(64))
    decision: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[str | None] = mapped_column(String(100))
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ScreeningHitRow(Base):
    __tablename__ = "screening_hits"
    __table_args__ = (Index("ix_screening_hits_status", "status", "consignment_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    consignment_id: Mapped[int] = mapped_column(ForeignKey("consignments.id", ondelete="CASCADE"), index=True)
    subject: Mapped[str] = mapped_column(String(40))  # party role, "carrier" or "conveyance"
    subject_name: Mapped[str] = mapped_column(String(300))
    subject_key: Mapped[str] = mapped_column(String(300))
    entry_id: Mapped[int] = mapped_column(ForeignKey("screening_entries.id", ondelete="CASCADE"), index=True)
    score: Mapped[float] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(16))  # open, suppressed (false positive), confirmed
    explanation: Mapped[dict[str, Any]] = mapped_column(JsonDoc)
    screened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ScreeningStateRow(Base):
    """Which consignment version was screened against which list versions."""

    __tablename__ = "screening_consignment_state"

    consignment_id: Mapped[int] = mapped_column(
        ForeignKey("consignments.id", ondelete="CASCADE"), primary_key=True
    )
    consignment_version: Mapped[int] = mapped_column(Integer)
    lists_signature: Mapped[str] = mapped_column(String(500))
    open_hits: Mapped[int] = mapped_column(Integer)
    screened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


__all__ = [
    "ScreeningDecisionRow",
    "ScreeningEntryRow",
    "ScreeningHitRow",
    "ScreeningListRow",
    "ScreeningListVersionRow",
    "ScreeningNameRow",
    "ScreeningStateRow",
]
