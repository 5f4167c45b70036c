"""Database faults of the environment become 503 database_unavailable; bugs and conflicts do not."""

from __future__ import annotations

import sqlite3

import psycopg
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import exc

from corridor.api.errors import install_error_handlers
from corridor.db.faults import stale_connection, unavailable_reason


def wrapped(original: Exception, kind: type[exc.DBAPIError] = exc.OperationalError) -> exc.DBAPIError:
    return kind("INSERT INTO consignments ...", {}, original)


def pg_error(sqlstate: str) -> psycopg.Error:
    cls = psycopg.errors.lookup(sqlstate)
    return cls(f"sqlstate {sqlstate}")


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (wrapped(sqlite3.OperationalError("database or disk is full")), "the database disk is full"),
        (
            wrapped(sqlite3.OperationalError("attempt to write a readonly database")),
            "the database is read-only",
        ),
        (wrapped(pg_error("25006"), exc.InternalError), "the database is read-only"),
        (wrapped(pg_error("53100")), "the database server is out of resources (disk full or out of memory)"),
        (wrapped(pg_error("57P01")), "the database server is shutting down or restarting"),
        (wrapped(psycopg.OperationalError("connection refused")), "the database server cannot be reached"),
        (exc.TimeoutError("QueuePool limit reached"), "no database connection became free in time"),
        # Unwrapped driver errors, as a COPY on the raw connection raises them.
        (pg_error("25006"), "the database is read-only"),
        (sqlite3.OperationalError("database or disk is full"), "the database disk is full"),
    ],
)
def test_environment_faults_are_unavailability(error: Exception, reason: str) -> None:
    assert unavailable_reason(error) == reason


@pytest.mark.parametrize(
    "error",
    [
        wrapped(sqlite3.IntegrityError("UNIQUE constraint failed: consignments.key"), exc.IntegrityError),
        wrapped(sqlite3.OperationalError("no such table: consignments")),
        wrapped(pg_error("23505"), exc.IntegrityError),
        wrapped(pg_error("42P01"), exc.ProgrammingError),
        ValueError("not a database error"),
        pg_error("23505"),
    ],
)
def test_bugs_and_conflicts_are_not_unavailability(error: Exception) -> None:
    assert unavailable_reason(error) is None


def test_only_sessions_that_would_keep_failing_are_dropped() -> None:
    assert stale_connection(wrapped(pg_error("25006"), exc.InternalError))
    assert stale_connection(wrapped(pg_error("57P01")))
    assert not stale_connection(wrapped(pg_error("23505"), exc.IntegrityError))
    assert not stale_connection(wrapped(sqlite3.OperationalError("database or disk is full")))


def app_raising(error: Exception) -> TestClient:
    app = FastAPI()
    install_error_handlers(app)

    @app.get("/boom")
    def boom() -> None:
        raise error

    return TestClient(app, raise_server_exceptions=False)


def test_disk_full_is_a_503_with_retry_after_and_no_traceback() -> None:
    response = app_raising(wrapped(sqlite3.OperationalError("database or disk is full"))).get("/boom")
    assert response.status_code == 503
    assert response.headers["retry-after"].isdigit()
    error = response.json()["error"]
    assert error["code"] == "database_unavailable" and error["where"] == "database"
    assert error["detail"].startswith("the database disk is full") and "INSERT" not in response.text


def test_an_unwrapped_driver_error_is_mapped_too() -> None:
    response = app_raising(pg_error("25006")).get("/boom")
    assert response.status_code == 503 and response.json()["error"]["code"] == "database_unavailable"


def test_a_constraint_violation_stays_a_500() -> None:
    failure = wrapped(sqlite3.IntegrityError("UNIQUE constraint failed"), exc.IntegrityError)
    response = app_raising(failure).get("/boom")
    assert response.status_code == 500 and response.json()["error"]["code"] == "internal_error"
