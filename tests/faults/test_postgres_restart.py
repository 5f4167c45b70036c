"""PostgreSQL crashes and restarts under a running `corridor serve` while a client keeps ingesting.

The client re-sends a batch on 503 or a cut connection (ingest is idempotent by reference). Afterwards
every accepted consignment is stored exactly once, nothing answered 500, and the same server process
answers again: it was never restarted.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import httpx

from corridor.db.engine import make_engine
from tests.faults.cluster import PrivateCluster
from tests.faults.support import (
    BATCH,
    RetryingIngestor,
    admin_token,
    assert_each_accepted_once,
    auth,
    tally,
    unassessed,
    unavailable_body,
)
from tests.integration.test_exchange_nodes import Node, wait_for

BATCHES = 30


def test_postgres_crash_and_restart_mid_load_lose_and_duplicate_nothing(
    tmp_path: Path, private_pg: PrivateCluster, fault_summary: Callable[[str], None]
) -> None:
    url = private_pg.create_database("corridor")
    token = admin_token(url)
    node = Node("pg-restart", tmp_path, url)
    node.start()
    try:
        pid = node.proc.pid if node.proc else None
        client = RetryingIngestor(node.url, token, "PGR", BATCHES, pause=0.05).start()
        faults = 0

        # Fault 1: a crash (no checkpoint, every backend killed), down for a second, then recovery.
        wait_for("eight accepted batches", lambda: client.outcome.accepted >= 8, timeout=60, nodes=(node,))
        private_pg.stop("immediate")
        faults += 1
        time.sleep(0.5)
        down = httpx.get(f"{node.url}/health", timeout=10)
        assert unavailable_body(down), (
            f"/health while PostgreSQL is down: {down.status_code} {down.text[:300]}"
        )
        time.sleep(1.0)
        private_pg.start()

        # Fault 2: an orderly restart (pg_ctl -m fast), as an operator would do for an upgrade.
        wait_for(
            "eighteen accepted batches", lambda: client.outcome.accepted >= 18, timeout=60, nodes=(node,)
        )
        private_pg.stop("fast")
        faults += 1
        time.sleep(1.0)
        private_pg.start()

        outcome = client.join(timeout=120)
        assert node.proc is not None and node.proc.poll() is None and node.proc.pid == pid, "server restarted"
        assert httpx.get(f"{node.url}/health", timeout=10).status_code == 200
        listed = httpx.get(f"{node.url}/consignments", params={"q": "PGR-", "limit": 1}, headers=auth(token))
        assert listed.status_code == 200, listed.text

        engine = make_engine(url)
        try:
            result = tally(engine, "PGR", sorted(outcome.reports), sent=BATCHES * BATCH)
            # A batch stored before the outage but not scored comes back as duplicates on the retry;
            # duplicates never assessed are assessed then (corridor.targeting.after_ingest recheck).
            not_scored = unassessed(engine, "PGR")
        finally:
            engine.dispose()
        fault_summary(
            result.line("postgres restarted mid-load", faults)
            + f"; failed attempts {dict(outcome.statuses)}; stored but never assessed {not_scored}"
        )
        assert_each_accepted_once(outcome, result, not_scored, sent=BATCHES * BATCH)
    finally:
        node.stop()
