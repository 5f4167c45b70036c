"""Which database errors mean "the database is unavailable for now" rather than "this request is wrong".

A restarted or crashed server, a lost connection, a full disk or a database switched to read-only
are faults of the environment: the request may succeed when retried later, so the API answers
503 with Retry-After instead of 500. Everything else (constraint violations, bad SQL, a missing
table) is a bug or a conflict and keeps its own handling.
"""

from __future__ import annotations

import sqlite3

import psycopg
from sqlalchemy import exc

# What the API maps through unavailable_reason(): SQLAlchemy's wrappers, and the drivers' own errors,
# which reach the API unwrapped where code talks to the driver directly (COPY in bulk inserts).
DATABASE_ERRORS: tuple[type[Exception], ...] = (
    exc.DBAPIError,
    exc.TimeoutError,
    sqlite3.Error,
    psycopg.Error,
)

# PostgreSQL SQLSTATE classes and codes that describe the server's state, not the statement.
_PG_CLASSES = {
    "08": "the connection to the database was lost",
    "53": "the database server is out of resources (disk full or out of memory)",
    "57": "the database server is shutting down or restarting",
    "58": "the database server had an I/O error",
}
_PG_CODES = {"25006": "the database is read-only"}
# SQLite reports environment faults as OperationalError with these messages (sqlite3 has no codes
# on Python 3.11's exceptions for all of them, so the message is the stable part).
_SQLITE_MESSAGES = {
    "database or disk is full": "the database disk is full",
    "attempt to write a readonly database": "the database is read-only",
    "disk i/o error": "the database had a disk I/O error",
    "database is locked": "the database is locked by another writer",
    "unable to open database file": "the database file cannot be opened",
}


def _sqlstate(original: BaseException | None) -> str | None:
    state = getattr(original, "sqlstate", None) or getattr(original, "pgcode", None)
    return state if isinstance(state, str) else None


def unavailable_reason(error: BaseException) -> str | None:
    """Why the database cannot serve now, or None when the error is not an availability fault."""
    if isinstance(error, exc.TimeoutError):
        return "no database connection became free in time"
    if isinstance(error, exc.DBAPIError):
        original: BaseException | None = error.orig
    elif isinstance(error, sqlite3.Error | psycopg.Error):
        original = error
    else:
        return None
    state = _sqlstate(original)
    if state is not None:
        return _PG_CODES.get(state) or _PG_CLASSES.get(state[:2])
    message = str(original).lower()
    for fragment, reason in _SQLITE_MESSAGES.items():
        if fragment in message:
            return reason
    if isinstance(error, exc.DBAPIError) and error.connection_invalidated:
        return "the connection to the database was lost"
    if isinstance(original, psycopg.OperationalError):
        # psycopg raises OperationalError without a SQLSTATE when it cannot connect at all.
        return "the database server cannot be reached"
    return None


def stale_connection(error: BaseException) -> bool:
    """True when the pooled connection should be dropped: it would keep failing after the fault ends.

    A session opened while the database was read-only keeps that default for its whole life, so
    the pool must not hand it out again once the database is writable.
    """
    if not isinstance(error, exc.DBAPIError):
        return False
    return _sqlstate(error.orig) in {"25006", "57P01", "57P02", "57P03"}
