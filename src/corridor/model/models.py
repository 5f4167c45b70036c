"""ORM table of the model registry: one row per trained model version."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, DateTime, Float, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from corridor.db.base import Base, JsonDoc


class ModelVersionRow(Base):
    """A trained model: where its files are, what it learnt from, how it measured, and its status.

    status: "candidate" (trained, never active), "active" (the one scoring), "retired" (was active).
    """

    __tablename__ = "model_versions"

    version: Mapped[str] = mapped_column(String(64), primary_key=True)
    label: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(10), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    activated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    window_start: Mapped[date | None] = mapped_column(Date)
    window_end: Mapped[date | None] = mapped_column(Date)
    rows: Mapped[int] = mapped_column(Integer)
    positives: Mapped[int] = mapped_column(Integer)
    train_seconds: Mapped[float] = mapped_column(Float)
    source: Mapped[str] = mapped_column(String(300))
    path: Mapped[str] = mapped_column(String(500))
    features: Mapped[list[str]] = mapped_column(JsonDoc)
    params: Mapped[dict[str, Any]] = mapped_column(JsonDoc)
    metrics: Mapped[dict[str, Any]] = mapped_column(JsonDoc)
    card: Mapped[str] = mapped_column(Text)
