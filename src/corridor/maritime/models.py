"""ORM tables of the maritime picture: vessels, AIS positions, radar plots, zones, events, ingests."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, DateTime, Float, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from corridor.db.base import Base, JsonDoc

# Positions run to millions of rows: 64-bit ids on PostgreSQL; SQLite's INTEGER PRIMARY KEY is 64-bit anyway.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class VesselRow(Base):
    __tablename__ = "maritime_vessels"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    vessel: Mapped[str] = mapped_column(String(40), unique=True)  # MMSI, or the source's own id
    mmsi: Mapped[str | None] = mapped_column(String(9), index=True)
    imo: Mapped[str | None] = mapped_column(String(7), index=True)
    name: Mapped[str | None] = mapped_column(String(120), index=True)
    call_sign: Mapped[str | None] = mapped_column(String(20))
    ship_type: Mapped[int | None] = mapped_column(Integer)
    flag: Mapped[str | None] = mapped_column(String(2))
    first_seen: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_seen: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class PositionRow(Base):
    __tablename__ = "maritime_positions"
    __table_args__ = (
        UniqueConstraint("vessel", "ts", name="uq_maritime_positions_vessel_ts"),
        Index("ix_maritime_positions_ts", "ts"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    vessel: Mapped[str] = mapped_column(String(40))
    ts: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    sog: Mapped[float | None] = mapped_column(Float)
    cog: Mapped[float | None] = mapped_column(Float)
    heading: Mapped[float | None] = mapped_column(Float)
    ingest_id: Mapped[int | None] = mapped_column(Integer)


class RadarPlotRow(Base):
    __tablename__ = "maritime_radar_plots"
    __table_args__ = (
        UniqueConstraint("track", "ts", name="uq_maritime_radar_plots_track_ts"),
        Index("ix_maritime_radar_plots_ts", "ts"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    track: Mapped[str] = mapped_column(String(40))
    ts: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    speed: Mapped[float | None] = mapped_column(Float)
    course: Mapped[float | None] = mapped_column(Float)
    ingest_id: Mapped[int | None] = mapped_column(Integer)


class ZoneRow(Base):
    __tablename__ = "maritime_zones"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    geometry: Mapped[dict[str, Any]] = mapped_column(JsonDoc)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class EventRow(Base):
    __tablename__ = "maritime_events"
    __table_args__ = (Index("ix_maritime_events_status_start", "status", "start_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)
    vessel: Mapped[str] = mapped_column(String(40), index=True)
    other: Mapped[str | None] = mapped_column(String(80))
    start_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    end_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    severity: Mapped[str] = mapped_column(String(12))
    summary: Mapped[str] = mapped_column(Text)
    evidence: Mapped[dict[str, Any]] = mapped_column(JsonDoc)
    status: Mapped[str] = mapped_column(String(12), default="open")  # open, confirmed, dismissed
    note: Mapped[str | None] = mapped_column(Text)
    detected_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class IngestRow(Base):
    __tablename__ = "maritime_ingests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(500))
    format: Mapped[str] = mapped_column(String(16))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    positions: Mapped[int] = mapped_column(Integer, default=0)
    new_positions: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)
    report: Mapped[dict[str, Any]] = mapped_column(JsonDoc)
