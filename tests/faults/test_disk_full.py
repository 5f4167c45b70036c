"""The database's disk fills up under a running server (SQLite on a small tmpfs of its own).

While the disk is full, writes are refused with a clean 503 (stable code, Retry-After, no traceback)
and leave nothing half-written; reads keep working. Once space is freed, the same server process
accepts writes again without being restarted.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from corridor.db.engine import make_engine
from tests.faults.disk import fill, small_tmpfs
from tests.faults.refusals import BIG, DURING, refused_writes_and_working_reads, resend, store_before
from tests.faults.support import admin_token, tally
from tests.integration.test_exchange_nodes import Node


@pytest.fixture
def small_disk() -> Iterator[Path]:
    with small_tmpfs("corridor-disk-") as mountpoint:
        yield mountpoint


def test_sqlite_disk_full_refuses_writes_cleanly_and_recovers(
    tmp_path: Path, small_disk: Path, fault_summary: Callable[[str], None]
) -> None:
    url = f"sqlite:///{small_disk / 'corridor.sqlite3'}"
    token = admin_token(url)
    node = Node("disk-full", tmp_path, url)
    node.start()
    engine = make_engine(url)
    try:
        store_before(node, token)
        filler = fill(small_disk)
        assert os.statvfs(small_disk).f_bavail == 0
        refused, accepted = refused_writes_and_working_reads(node, token, "FULL", engine)
        assert refused, "no write met the full disk: the fault did not bite"
        filler.unlink()  # the operator frees space; nobody touches the server
        resend(node, token, "FULL", refused)
        result = tally(engine, "FULL", list(range(DURING)), sent=DURING * BIG, size=BIG)
        fault_summary(
            result.line("sqlite disk full", 1) + f"; refused during the fault {len(refused) * BIG}, "
            f"stored during the fault {len(accepted) * BIG}"
        )
        assert result.lost == [] and result.duplicated == [] and result.present == DURING * BIG
        assert node.proc is not None and node.proc.poll() is None, "the server died"
    finally:
        engine.dispose()
        node.stop()
