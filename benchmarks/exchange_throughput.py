"""Signed and encrypted messages per second end to end between two real nodes on loopback.

Node A (sender) and node B (receiver) run as `corridor serve` processes with their own SQLite
databases. The benchmark queues N alerts at A (sealing included), A's background deliverer sends
them, and the figures come from B's inbox: throughput = N / (last received − first created), and
delivery latency = received_at − created per message (p50, p99). Baseline in the same run: the
same pipeline with one envelope per request (batch size 1).

    .venv/bin/python benchmarks/exchange_throughput.py --messages 2000
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import UTC
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.integration.test_exchange_nodes import introduce, nodes, wait_for  # noqa: E402

from corridor.exchange.models import InboxRow  # noqa: E402


def run(messages: int, batch: int) -> tuple[float, float, float]:
    with (
        tempfile.TemporaryDirectory() as tmp,
        nodes(
            Path(tmp),
            ("A", "B"),
            CORRIDOR_EXCHANGE_BATCH_SIZE=str(batch),
            CORRIDOR_EXCHANGE_DELIVER_INTERVAL="0.02",
        ) as (a, b),
    ):
        introduce(a, b, Path(tmp))
        a.cli("agreements", "allow", "B", "--send", "alert")
        b.cli("agreements", "allow", "A", "--receive", "alert")
        b.start()
        a.start()
        for i in range(messages):
            a.send_direct("alert", {"container": "MSCU1234565", "reason": f"benchmark {i}"}, ["B"])
        wait_for("all messages", lambda: b.count(InboxRow) == messages, timeout=600, nodes=(a, b))
        with Session(b.engine) as session:
            rows = list(session.execute(select(InboxRow.created_at, InboxRow.received_at)))

        def aware(t):  # type: ignore[no-untyped-def]
            return t if t.tzinfo else t.replace(tzinfo=UTC)

        created = [aware(r.created_at) for r in rows]
        received = [aware(r.received_at) for r in rows]
        span = (max(received) - min(created)).total_seconds()
        latencies = sorted((r - c).total_seconds() * 1000 for c, r in zip(created, received, strict=True))
        p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
        return messages / span, statistics.median(latencies), p99


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=2000)
    args = parser.parse_args()
    rows = []
    for label, batch in (("batched (100 per request)", 100), ("baseline: 1 per request", 1)):
        started = time.monotonic()
        rate, p50, p99 = run(args.messages, batch)
        rows.append((label, rate, p50, p99, time.monotonic() - started))
    print(f"{'delivery':<28} {'msg/s':>9} {'p50 ms':>9} {'p99 ms':>9}")
    for label, rate, p50, p99, _ in rows:
        print(f"{label:<28} {rate:>9.0f} {p50:>9.1f} {p99:>9.1f}")
    print(
        f"({args.messages} signed+encrypted alerts, two nodes on 127.0.0.1, SQLite; latency = queued → stored)"
    )


if __name__ == "__main__":
    main()
