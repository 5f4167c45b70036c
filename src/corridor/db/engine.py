"""Engine and session factory, created on demand from Settings."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import ExceptionContext, make_url
from sqlalchemy.orm import Session, sessionmaker

from corridor.db import sqlite_time
from corridor.db.faults import stale_connection
from corridor.settings import get_settings


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets the web server read while an ingest writes; foreign keys are off by default in SQLite.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _json_dumps(value: Any) -> str:
    # orjson is several times faster than json for the document columns written at ingest.
    return orjson.dumps(value).decode("utf-8")


def _drop_stale(context: ExceptionContext) -> None:
    # Treated as a disconnect, the connection leaves the pool: the next request opens a fresh one
    # that sees the database as it is now (writable again, restarted), with no operator action.
    if context.sqlalchemy_exception is not None and stale_connection(context.sqlalchemy_exception):
        context.is_disconnect = True


def _drop_read_only(dbapi_connection: Any, record: Any) -> None:
    # A session keeps the read-only default it started with (a standby, or a database switched to
    # read-only), and a failed COPY never passes through handle_error: such a connection is closed
    # on its way back to the pool, so that once the database is writable again the next one is too.
    if dbapi_connection is None:
        return
    info = getattr(dbapi_connection, "info", None)
    status = getattr(info, "parameter_status", None)
    if status is not None and "on" in (status("default_transaction_read_only"), status("in_hot_standby")):
        record.invalidate()


def make_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        # SQLite connections are cheap file handles: a larger pool than the default (5 + 10) keeps
        # concurrent requests that run ingest and targeting from waiting on the pool.
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False},
            json_serializer=_json_dumps,
            pool_size=10,
            max_overflow=30,
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        sqlite_time.install(engine)
        return engine
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        url = str(parsed.set(drivername="postgresql+psycopg"))
    # pool_pre_ping: a connection pooled before a server restart is tested and replaced on checkout.
    engine = create_engine(
        url, pool_pre_ping=True, pool_size=10, max_overflow=10, json_serializer=_json_dumps
    )
    event.listen(engine, "handle_error", _drop_stale)
    event.listen(engine, "checkin", _drop_read_only)
    return engine


@lru_cache(maxsize=4)
def engine_for(url: str) -> Engine:
    return make_engine(url)


def get_engine() -> Engine:
    return engine_for(get_settings().effective_database_url)


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=False)


@contextmanager
def unit_of_work(engine: Engine) -> Iterator[Session]:
    """A session that rolls back unless the use case commits."""
    session = session_factory(engine)()
    try:
        yield session
    finally:
        session.rollback()
        session.close()
