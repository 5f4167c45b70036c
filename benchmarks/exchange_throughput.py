"""Signed and encrypted messages per second end to end between two real nodes on loopback.

Node A (sender) and node B (receiver) run as `corridor serve` processes with their own databases
(SQLite files by default, fresh PostgreSQL databases with --database postgres). Measured in one run:

1. queueing at A: sealing (minimise, encrypt per recipient, sign) and storing in the outbox, in
   batches of 100 (`send_many`, one transaction) and one message per transaction (`send`, what an
   officer's single API call does);
2. delivery: both nodes running, N alerts queued at A in one transaction; A's background deliverer
   sends them, B checks, decrypts, stores and applies them and signs a receipt per message, A
   verifies every receipt. Throughput = N / (wall time from the commit at A until B holds all N);
   also the CPU seconds each node process spent per message. Baseline in the same run: the same
   pipeline with one envelope per request (batch size 1: one request and one receiving
   transaction per message);
3. latency under a steady offered load: a producer queues `--rate` messages/s at A for
   `--seconds`; latency = stored at B − created at A, p50 and p99;
4. the ceiling of the cryptography alone: seal + open + sign/verify a receipt, in one process.

    .venv/bin/python benchmarks/exchange_throughput.py --messages 5000
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.dbs import postgres_database  # noqa: E402
from tests.integration.test_exchange_nodes import Node, introduce, nodes, wait_for  # noqa: E402

from corridor.exchange import crypto, envelope, identity, service  # noqa: E402
from corridor.exchange.models import InboxRow  # noqa: E402
from corridor.settings import Settings  # noqa: E402

BATCH = 250  # the default CORRIDOR_EXCHANGE_BATCH_SIZE


def _payload(i: int) -> dict[str, Any]:
    return {"container": "MSCU1234565", "reason": f"benchmark {i}", "severity": "medium"}


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@contextmanager
def _pair(tmp: Path, database: str, batch: int) -> Iterator[tuple[Node, Node]]:
    with ExitStack() as stack:
        urls: dict[str, str] = {}
        if database == "postgres":
            urls = {n: stack.enter_context(postgres_database()) for n in ("A", "B")}
        a, b = stack.enter_context(
            nodes(
                tmp,
                ("A", "B"),
                urls,
                CORRIDOR_EXCHANGE_BATCH_SIZE=str(batch),
                CORRIDOR_EXCHANGE_DELIVER_INTERVAL="0.05",
            )
        )
        introduce(a, b, tmp)
        a.cli("agreements", "allow", "B", "--send", "alert")
        b.cli("agreements", "allow", "A", "--receive", "alert")
        yield a, b


def _queue(a: Node, first: int, count: int, *, batched: bool) -> None:
    settings = Settings(data_dir=a.data_dir, database_url=a.database_url)
    node = identity.load(a.data_dir)
    with Session(a.engine, expire_on_commit=False) as session:
        if batched:
            for start in range(first, first + count, BATCH):
                stop = min(first + count, start + BATCH)
                out = [service.Outgoing("alert", _payload(i), ["B"]) for i in range(start, stop)]
                results = service.send_many(session, node, settings, out)
                assert all(isinstance(r, service.Sent) for r in results), results
        else:
            for i in range(first, first + count):
                service.send(session, node, settings, "alert", _payload(i), to=["B"])


def queueing(tmp: Path, database: str, messages: int) -> list[tuple[str, float, float]]:
    rows = []
    with _pair(tmp, database, BATCH) as (a, _b):
        for label, batched in (
            (f"send_many, {BATCH} per transaction", True),
            ("send, 1 per transaction", False),
        ):
            started, cpu = time.perf_counter(), time.process_time()
            _queue(a, 0, messages, batched=batched)
            rows.append(
                (
                    label,
                    messages / (time.perf_counter() - started),
                    (time.process_time() - cpu) / messages * 1000,
                )
            )
    return rows


def delivery(tmp: Path, database: str, messages: int, batch: int) -> tuple[float, float, float]:
    with _pair(tmp, database, batch) as (a, b):
        b.start()
        a.start()
        assert a.proc is not None and b.proc is not None
        # All N queued in one transaction: the deliverer sees them at once, when it commits.
        settings = Settings(data_dir=a.data_dir, database_url=a.database_url)
        node = identity.load(a.data_dir)
        with Session(a.engine, expire_on_commit=False) as session:
            out = [service.Outgoing("alert", _payload(i), ["B"]) for i in range(messages)]
            assert all(isinstance(r, service.Sent) for r in service.send_many(session, node, settings, out))
        started = time.perf_counter()
        cpu_a, cpu_b = _cpu_seconds(a.proc.pid), _cpu_seconds(b.proc.pid)
        wait_for("all messages", lambda: b.count(InboxRow) == messages, timeout=1800, nodes=(a, b))
        elapsed = time.perf_counter() - started
        cpu_a = _cpu_seconds(a.proc.pid) - cpu_a
        cpu_b = _cpu_seconds(b.proc.pid) - cpu_b
        return messages / elapsed, cpu_a / messages * 1000, cpu_b / messages * 1000


def latency(tmp: Path, database: str, rate: float, seconds: float) -> tuple[float, float, float, int]:
    total = int(rate * seconds)
    with _pair(tmp, database, BATCH) as (a, b):
        b.start()
        a.start()
        tick = 0.05
        per_tick = max(1, round(rate * tick))
        started = time.perf_counter()
        sent = 0
        while sent < total:
            due = started + (sent / rate)
            pause = due - time.perf_counter()
            if pause > 0:
                time.sleep(pause)
            count = min(per_tick, total - sent)
            _queue(a, sent, count, batched=True)
            sent += count
        offered = sent / (time.perf_counter() - started)
        wait_for("all messages", lambda: b.count(InboxRow) == total, timeout=1800, nodes=(a, b))
        with Session(b.engine) as session:
            pairs = list(session.execute(select(InboxRow.created_at, InboxRow.received_at)))
        waits = sorted((_aware(r) - _aware(c)).total_seconds() * 1000 for c, r in pairs)
        p99 = waits[min(len(waits) - 1, int(len(waits) * 0.99))]
        return offered, statistics.median(waits), p99, total


def crypto_ceiling(messages: int) -> float:
    a = crypto.KeyPair.generate()
    b = crypto.KeyPair.generate()
    started = time.perf_counter()
    for i in range(messages):
        sealed = envelope.seal(
            message_id=f"A:bench-{i:08d}",
            message_type="alert",
            version=1,
            payload=_payload(i),
            sender="A",
            keys=a,
            recipients=[envelope.Recipient("B", b.kid, b.encryption_public)],
            sequence=i + 1,
            created=datetime.now(UTC),
            ttl=timedelta(hours=1),
            group=None,
        )
        raw = crypto.canonical(sealed)
        env, data = envelope.parse(raw, 1 << 20)
        envelope.check_signature(data, a.signing_public)
        envelope.open_payload(env, data, "B", {b.kid: b})
        receipt = crypto.sign(b.signing, crypto.canonical({"message_id": f"A:{i}"}))
        crypto.verify(b.signing_public, receipt, crypto.canonical({"message_id": f"A:{i}"}))
    return messages / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--baseline-messages", type=int, default=1000, help="for the 1-per-request baseline")
    parser.add_argument("--rate", type=float, default=200.0, help="offered load for the latency run, msg/s")
    parser.add_argument("--seconds", type=float, default=20.0, help="length of the latency run")
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        ceiling = crypto_ceiling(2000)
        queued = queueing(root / "q", args.database, args.messages)
        batched_rate, batched_a, batched_b = delivery(root / "d1", args.database, args.messages, BATCH)
        single_rate, single_a, single_b = delivery(root / "d2", args.database, args.baseline_messages, 1)
        offered, p50, p99, total = latency(root / "l", args.database, args.rate, args.seconds)
    print(f"exchange between two `corridor serve` nodes on 127.0.0.1, {args.database}, {os.cpu_count()} CPUs")
    print(f"{'stage':<52} {'msg/s':>9} {'CPU ms/msg (A + B)':>20}")
    print(f"{'crypto only: seal+open+receipt, one process':<52} {ceiling:>9.0f} {1000 / ceiling:>20.2f}")
    for label, rate, cpu in queued:
        print(f"{'queue at A: ' + label:<52} {rate:>9.0f} {cpu:>20.2f}")
    label = f"delivery A→B, {BATCH} per request ({args.messages} msgs)"
    print(f"{label:<52} {batched_rate:>9.0f} {f'{batched_a:.2f} + {batched_b:.2f}':>20}")
    label = f"baseline: 1 per request ({args.baseline_messages} msgs)"
    print(f"{label:<52} {single_rate:>9.0f} {f'{single_a:.2f} + {single_b:.2f}':>20}")
    print(f"batched / baseline: {batched_rate / single_rate:.1f}× messages/s")
    print(
        f"latency at {offered:.0f} msg/s offered for {args.seconds:.0f} s ({total} msgs, created at A → "
        f"stored at B): p50 {p50:.0f} ms, p99 {p99:.0f} ms"
    )


if __name__ == "__main__":
    main()
