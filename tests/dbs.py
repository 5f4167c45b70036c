"""Real databases for integration tests: a fresh SQLite file and a fresh PostgreSQL database each."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Engine

from corridor.db.engine import make_engine
from corridor.db.migrate import upgrade

PG_ADMIN_URL = os.environ.get("CORRIDOR_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def postgres_available() -> str | None:
    """None when PostgreSQL answers, else the reason it does not."""
    import psycopg

    try:
        with psycopg.connect(PG_ADMIN_URL.replace("+psycopg", ""), connect_timeout=3) as conn:
            conn.execute("SELECT 1")
        return None
    except Exception as error:  # any failure to connect means "not available" here
        return f"PostgreSQL not reachable at {PG_ADMIN_URL}: {error}"


def require_postgres() -> None:
    reason = postgres_available()
    if reason is None:
        return
    if os.environ.get("CI") or os.environ.get("CORRIDOR_REQUIRE_POSTGRES"):
        pytest.fail(reason + " (CI requires PostgreSQL; it runs on this machine)")
    pytest.skip(reason)


@contextmanager
def postgres_database() -> Iterator[str]:
    import psycopg

    name = f"corridor_test_{uuid.uuid4().hex[:12]}"
    admin = PG_ADMIN_URL.replace("+psycopg", "")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def migrated_engine(kind: str, tmp_path: Path) -> Iterator[Engine]:
    if kind == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'corridor.sqlite3'}")
        upgrade(engine)
        try:
            yield engine
        finally:
            engine.dispose()
        return
    require_postgres()
    with postgres_database() as url:
        engine = make_engine(url)
        upgrade(engine)
        try:
            yield engine
        finally:
            engine.dispose()
