"""Writing and reading position frames in the database: idempotent bulk inserts, frames back out."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

import polars as pl
from sqlalchemy import Table, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from corridor.maritime.models import PositionRow, RadarPlotRow
from corridor.maritime.readers import POSITION_SCHEMA, RADAR_SCHEMA, UTC_US

CHUNK = 2000  # rows per INSERT: 9 columns x 2000 stays under SQLite's bound-parameter limit


def _chunks(rows: list[dict[str, Any]], size: int = CHUNK) -> Iterator[list[dict[str, Any]]]:
    for i in range(0, len(rows), size):
        yield rows[i : i + size]


def insert_ignoring_duplicates(
    session: Session, table: Table, rows: list[dict[str, Any]], keys: Sequence[str]
) -> None:
    """INSERT ... ON CONFLICT DO NOTHING on the natural key: re-ingesting a file adds nothing."""
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    for chunk in _chunks(rows):
        if dialect == "postgresql":
            stmt: Any = (
                postgresql.insert(table).values(chunk).on_conflict_do_nothing(index_elements=list(keys))
            )
        else:
            stmt = sqlite.insert(table).values(chunk).on_conflict_do_nothing(index_elements=list(keys))
        session.execute(stmt)


def _records(frame: pl.DataFrame, ingest_id: int) -> list[dict[str, Any]]:
    return frame.with_columns(pl.lit(ingest_id).alias("ingest_id")).to_dicts()


def store_positions(session: Session, positions: pl.DataFrame, ingest_id: int) -> None:
    frame = positions.unique(subset=["vessel", "ts"], keep="first")
    table = PositionRow.__table__
    assert isinstance(table, Table)
    insert_ignoring_duplicates(session, table, _records(frame, ingest_id), ("vessel", "ts"))


def store_radar(session: Session, radar: pl.DataFrame, ingest_id: int) -> None:
    frame = radar.unique(subset=["track", "ts"], keep="first")
    table = RadarPlotRow.__table__
    assert isinstance(table, Table)
    insert_ignoring_duplicates(session, table, _records(frame, ingest_id), ("track", "ts"))


def _utc_frame(rows: Sequence[Any], schema: pl.Schema) -> pl.DataFrame:
    data = [tuple(r) for r in rows]
    frame = pl.DataFrame(
        data, schema={k: (pl.Datetime("us") if k == "ts" else v) for k, v in schema.items()}, orient="row"
    )
    # SQLite hands back naive datetimes (stored as UTC); PostgreSQL hands back aware ones.
    ts = frame["ts"]
    if isinstance(ts.dtype, pl.Datetime) and ts.dtype.time_zone is None:
        frame = frame.with_columns(pl.col("ts").dt.replace_time_zone("UTC"))
    return frame.with_columns(pl.col("ts").cast(UTC_US))


def db_time(session: Session, value: datetime | None) -> datetime | None:
    """A time as the database compares it: UTC, and naive on SQLite (which stores naive UTC text)."""
    if value is None:
        return None
    value = value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    return value.replace(tzinfo=None) if session.get_bind().dialect.name == "sqlite" else value


def load_positions(
    session: Session, since: datetime | None = None, until: datetime | None = None, vessel: str | None = None
) -> pl.DataFrame:
    cols = [getattr(PositionRow, c) for c in POSITION_SCHEMA]
    stmt = select(*cols)
    if since is not None:
        stmt = stmt.where(PositionRow.ts >= db_time(session, since))
    if until is not None:
        stmt = stmt.where(PositionRow.ts <= db_time(session, until))
    if vessel is not None:
        stmt = stmt.where(PositionRow.vessel == vessel)
    rows = session.execute(stmt.order_by(PositionRow.vessel, PositionRow.ts)).all()
    return _utc_frame(rows, POSITION_SCHEMA) if rows else pl.DataFrame(schema=POSITION_SCHEMA)


def load_radar(
    session: Session, since: datetime | None = None, until: datetime | None = None
) -> pl.DataFrame:
    cols = [getattr(RadarPlotRow, c) for c in RADAR_SCHEMA]
    stmt = select(*cols)
    if since is not None:
        stmt = stmt.where(RadarPlotRow.ts >= db_time(session, since))
    if until is not None:
        stmt = stmt.where(RadarPlotRow.ts <= db_time(session, until))
    rows = session.execute(stmt.order_by(RadarPlotRow.track, RadarPlotRow.ts)).all()
    return _utc_frame(rows, RADAR_SCHEMA) if rows else pl.DataFrame(schema=RADAR_SCHEMA)
