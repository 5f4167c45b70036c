"""SQLite stores times as text: every aware time is written and compared in UTC.

SQLAlchemy's SQLite DATETIME formats a value's wall clock and drops its offset, so a bound such as
"midnight in Baku" (20:00 UTC the day before) would be compared as midnight UTC and a query would
miss four hours of consignments. Converting on the way in keeps stored values and bounds in one zone.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.dialects.sqlite import DATETIME
from sqlalchemy.engine import Dialect
from sqlalchemy.sql import sqltypes


def _to_utc_naive(value: Any) -> Any:
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).replace(tzinfo=None)
    return value


class UTCDateTime(DATETIME):
    """DATETIME whose bound values are converted to UTC before SQLite formats them."""

    def bind_processor(self, dialect: Dialect) -> Callable[[Any], Any] | None:
        inner = super().bind_processor(dialect)
        if inner is None:  # pragma: no cover - SQLite's DATETIME always formats
            return _to_utc_naive
        return lambda value: inner(_to_utc_naive(value))


def install(engine: Engine) -> None:
    """Make every DateTime column and parameter of this SQLite engine go through UTCDateTime."""
    colspecs = dict(engine.dialect.colspecs)
    colspecs[sqltypes.DateTime] = UTCDateTime
    engine.dialect.colspecs = colspecs
