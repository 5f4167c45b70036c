"""ORM tables of the risk engine. Assessments keep the profile versions used, for reproducibility."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, DateTime, Float, ForeignKey, Index, Integer, String
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
