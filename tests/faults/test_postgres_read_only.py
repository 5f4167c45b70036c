"""The PostgreSQL database turns read-only under a running server, then writable again.

While it is read-only, writes are refused with a clean 503 and leave nothing half-written; reads keep
working. The fault is lifted without cutting anyone's session: the server must drop its read-only
sessions by itself and accept writes again without being restarted.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from corridor.db.engine import make_engine
from tests.faults.cluster import PrivateCluster
from tests.faults.refusals import BIG, DURING, refused_writes_and_working_reads, resend, store_before
from tests.faults.support import admin_token, tally
from tests.integration.test_exchange_nodes import Node


def test_postgres_read_only_refuses_writes_cleanly_and_recovers(
    tmp_path: Path, private_pg: PrivateCluster, fault_summary: Callable[[str], None]
) -> None:
    url = private_pg.create_database("corridor")
    token = admin_token(url)
    node = Node("read-only", tmp_path, url)
    node.start()
    engine = make_engine(url)
    try:
        store_before(node, token)
        # The database turns read-only (as a promoted-then-fenced primary or an operator would make it);
        # open sessions are cut so that every new one starts read-only.
        private_pg.admin("ALTER DATABASE corridor SET default_transaction_read_only = on")
        private_pg.terminate_clients("corridor")
        refused, accepted = refused_writes_and_working_reads(node, token, "RO", engine)
        assert accepted == [] and len(refused) == DURING
        # Lifted without cutting anyone off: the server must drop its read-only sessions by itself.
        private_pg.admin("ALTER DATABASE corridor RESET default_transaction_read_only")
        resend(node, token, "RO", refused)
        result = tally(engine, "RO", list(range(DURING)), sent=DURING * BIG, size=BIG)
        fault_summary(
            result.line("postgres read-only", 1) + f"; refused during the fault {len(refused) * BIG}"
        )
        assert result.lost == [] and result.duplicated == [] and result.present == DURING * BIG
        assert node.proc is not None and node.proc.poll() is None, "the server died"
    finally:
        engine.dispose()
        node.stop()
