"""PostgreSQL runs out of disk under a running `corridor serve` while a client keeps ingesting.

The database lives in a tablespace on a small tmpfs of its own; its WAL stays on the cluster's normal
disk. Filling the tmpfs makes every relation extension fail with "could not extend file ... No space
left on device" (SQLSTATE 53100, disk_full), an ordinary statement error, whereas a full pg_wal would
PANIC the whole server: that is a crash, which test_postgres_restart.py already covers.

While the disk is full the client only ever sees clean 503s (stable code, Retry-After, no traceback)
and re-sends; reads keep working. Once the filler is deleted the same server process accepts the
re-sent batches, and every accepted consignment is stored exactly once and assessed.
"""

from __future__ import annotations

import os
import pwd
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from corridor.db.engine import make_engine
from tests.faults.cluster import PrivateCluster
from tests.faults.disk import fill, small_tmpfs
from tests.faults.support import (
    BATCH,
    RetryingIngestor,
    admin_token,
    assert_each_accepted_once,
    auth,
    tally,
    unassessed,
)
from tests.integration.test_exchange_nodes import Node, wait_for

BATCHES = 40
REFUSED = 8  # failed attempts to see before the space is freed: the fault must hold for a while


@pytest.fixture
def pg_small_disk() -> Iterator[Path]:
    """A 32 MiB tmpfs with a directory the `postgres` user owns, for a tablespace.

    32 MiB holds the copy of template1 that CREATE DATABASE makes (about 8 MiB) and the migrated schema.
    """
    with small_tmpfs("corridor-pgdisk-") as mountpoint:
        space = mountpoint / "tablespace"
        space.mkdir()
        if os.geteuid() == 0:
            entry = pwd.getpwnam("postgres")
            os.chown(space, entry.pw_uid, entry.pw_gid)
        yield mountpoint


def test_postgres_disk_full_mid_load_refuses_cleanly_and_recovers(
    tmp_path: Path, private_pg: PrivateCluster, pg_small_disk: Path, fault_summary: Callable[[str], None]
) -> None:
    private_pg.admin(
        f"CREATE TABLESPACE small LOCATION '{pg_small_disk / 'tablespace'}'",
        'CREATE DATABASE "corridor" TABLESPACE small',
    )
    url = private_pg.url("corridor")
    token = admin_token(url)
    node = Node("pg-disk-full", tmp_path, url)
    node.start()
    try:
        pid = node.proc.pid if node.proc else None
        client = RetryingIngestor(node.url, token, "PGF", BATCHES, pause=0.05).start()

        wait_for("eight accepted batches", lambda: client.outcome.accepted >= 8, timeout=60, nodes=(node,))
        filler = fill(pg_small_disk)
        assert os.statvfs(pg_small_disk).f_bavail == 0
        filled_at = client.outcome.accepted
        wait_for(
            f"{REFUSED} writes refused on the full disk",
            lambda: sum(client.outcome.statuses.values()) >= REFUSED,
            timeout=60,
            nodes=(node,),
        )
        during = client.outcome.accepted - filled_at  # batches that fitted in pages already allocated
        # Reads keep working on a full disk: the health check and the consignment list.
        assert httpx.get(f"{node.url}/health", timeout=10).status_code == 200
        listed = httpx.get(
            f"{node.url}/consignments", params={"q": "PGF-", "limit": 1}, headers=auth(token), timeout=10
        )
        assert listed.status_code == 200, listed.text
        # The refusals came from PostgreSQL's own ENOSPC on relation extension, not from anything else.
        server_log = private_pg.log.read_text()
        enospc = "could not extend file" in server_log and "No space left on device" in server_log
        assert enospc, server_log[-2000:]
        time.sleep(0.5)
        filler.unlink()  # the operator frees space; nobody touches the server or the database

        outcome = client.join(timeout=120)
        assert node.proc is not None and node.proc.poll() is None and node.proc.pid == pid, "server restarted"
        assert httpx.get(f"{node.url}/health", timeout=10).status_code == 200

        engine = make_engine(url)
        try:
            result = tally(engine, "PGF", sorted(outcome.reports), sent=BATCHES * BATCH)
            # A batch stored whole before the disk filled under its scoring comes back as duplicates
            # on the retry, and is scored then (corridor.targeting.after_ingest recheck).
            not_scored = unassessed(engine, "PGF")
        finally:
            engine.dispose()
        fault_summary(
            result.line("postgres disk full", 1)
            + f"; failed attempts {dict(outcome.statuses)}; batches stored while full {during}"
            + f"; stored but never assessed {not_scored}"
        )
        assert_each_accepted_once(outcome, result, not_scored, sent=BATCHES * BATCH)
    finally:
        node.stop()
