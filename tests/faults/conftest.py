"""Fixtures of the fault tests: a private PostgreSQL cluster, and one summary line per test."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from corridor.settings import get_settings
from tests.faults.cluster import PrivateCluster, server_bindir

SUMMARY_KEY = "fault_summary"


@pytest.fixture
def private_pg() -> Iterator[PrivateCluster]:
    """A running PostgreSQL cluster that only this test uses (and may crash)."""
    bindir = server_bindir()
    if bindir is None:
        pytest.skip("PostgreSQL server binaries (initdb, pg_ctl) are not installed: no private cluster")
    cluster = PrivateCluster(bindir)
    try:
        cluster.init()
        cluster.start()
        yield cluster
    finally:
        cluster.destroy()


@pytest.fixture(autouse=True)
def _isolated_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> Iterator[None]:
    monkeypatch.setenv("CORRIDOR_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.delenv("CORRIDOR_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture
def fault_summary(record_property: Callable[[str, object], None]) -> Callable[[str], None]:
    """Record the test's figures; they are printed at the end of the run (also under xdist)."""

    def record(line: str) -> None:
        record_property(SUMMARY_KEY, line)

    return record


def pytest_terminal_summary(terminalreporter: Any) -> None:
    lines = [
        value
        for reports in terminalreporter.stats.values()
        for report in reports
        if getattr(report, "when", None) == "call"
        for key, value in getattr(report, "user_properties", ())
        if key == SUMMARY_KEY
    ]
    if lines:
        terminalreporter.section("faults injected and records lost or duplicated")
        for line in lines:
            terminalreporter.write_line(line)
