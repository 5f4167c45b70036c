"""Sustained mixed load on a real node, then a check that nothing accepted was lost or stored twice.

    .venv/bin/python benchmarks/load_mixed.py [--duration 180] [--concurrency 8] [--database sqlite|postgres]
                                              [--workers 1]

Starts two real `corridor serve` processes on 127.0.0.1 (node AZ-SCS with `corridor demo setup` data,
and its exchange partner KZ-SRC), each with its own data directory and database (SQLite files by
default; `--database postgres` creates two fresh databases on the shared server at
CORRIDOR_TEST_PG_URL and drops them afterwards; `--workers N` runs AZ-SCS as `serve --workers N`).
From this separate process, `--concurrency` clients then run a closed loop of mixed operations
against AZ-SCS for `--duration` seconds:

    ingest     POST /consignments, a batch of 20 new consignments (administrator's API token)
    assess     POST /assessments, one consignment scored without being stored
    queue      GET /queue, the targeting officer's workbench page (session cookie, Alat PCU)
    read       GET /consignments/{id} and GET /consignments?limit=20 (API token)
    exchange   POST /exchange/send/alert to KZ-SRC (liaison officer's token); delivered in the background

Baseline, measured in the same run before the load: every operation issued sequentially (one client,
no concurrency) `--baseline` times, and the null endpoint GET /health. The table quotes each
operation's loaded p50/p99 against its sequential p50.

Afterwards (bounded waits): every consignment of an accepted ingest (200) is stored exactly once, with
one version, and every alert whose send was accepted arrived at KZ-SRC exactly once.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
PG_ADMIN_URL = os.environ.get("CORRIDOR_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
INGEST_BATCH = 20
WEIGHTS = {"ingest": 2, "assess": 3, "queue": 3, "read": 3, "exchange": 1}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Node:
    """A `corridor serve` process with its own data directory and database."""

    def __init__(self, name: str, root: Path, database_url: str | None, workers: int = 1) -> None:
        self.name = name
        self.workers = workers
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.data_dir = root / name
        self.data_dir.mkdir(parents=True)
        self.database_url = database_url or f"sqlite:///{self.data_dir / 'corridor.sqlite3'}"
        self.env = {
            **os.environ,
            "CORRIDOR_DATA_DIR": str(self.data_dir),
            "CORRIDOR_DATABASE_URL": self.database_url,
            "CORRIDOR_SHARED_DATA": os.environ.get(
                "CORRIDOR_SHARED_DATA", str(ROOT.parent / "shared" / "data")
            ),
            "CORRIDOR_EXCHANGE_DELIVER_INTERVAL": "0.5",
            "CORRIDOR_EXCHANGE_RETRY_BASE": "0.5",
            "CORRIDOR_EXCHANGE_RETRY_MAX": "5",
        }
        self.proc: subprocess.Popen[bytes] | None = None

    def cli(self, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "corridor", *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=900,
        )
        if done.returncode != 0:
            raise SystemExit(f"{self.name}: corridor {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def start(self) -> None:
        log = (self.data_dir / "serve.log").open("ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "corridor", "serve", "--host", "127.0.0.1", "--port", str(self.port),
             "--workers", str(self.workers)],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"{self.url}/health", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(
                    f"{self.name} did not start:\n{(self.data_dir / 'serve.log').read_text()[-3000:]}"
                )
            time.sleep(0.3)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)


@contextmanager
def postgres_databases(count: int) -> Iterator[list[str]]:
    import psycopg

    names = [f"corridor_load_{uuid.uuid4().hex[:10]}" for _ in range(count)]
    admin = PG_ADMIN_URL.replace("+psycopg", "")
    with psycopg.connect(admin, autocommit=True) as conn:
        for name in names:
            conn.execute(f'CREATE DATABASE "{name}"'.encode())
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    try:
        yield [f"{base}/{name}" for name in names]
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            for name in names:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'.encode())


def introduce(sender: Node, receiver: Node, root: Path) -> None:
    """Identities both ways, then an agreement: alerts may go from sender to receiver."""
    for x, y in ((sender, receiver), (receiver, sender)):
        doc = json.loads(x.cli("node", "identity", "--json"))
        path = root / f"{x.name}.identity.json"
        path.write_text(json.dumps(doc))
        y.cli("partners", "add", str(path), "--endpoint", x.url, "--fingerprint", doc["fingerprint"])
    sender.cli("agreements", "allow", receiver.name, "--send", "alert")
    receiver.cli("agreements", "allow", sender.name, "--receive", "alert")


@dataclass
class Stats:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: Counter[str] = field(default_factory=Counter)
    error_samples: list[str] = field(default_factory=list)
    ingested: list[str] = field(default_factory=list)  # document numbers of accepted batches
    ingest_reports: list[dict[str, Any]] = field(default_factory=list)
    sent: list[str] = field(default_factory=list)  # message ids of accepted sends


class Load:
    """The operations, each one request (two for `read`), recorded into a Stats."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        tokens: dict[str, str],
        docs: list[dict[str, Any]],
        ids: int,
        tag: str,
    ) -> None:
        self.client = client
        self.tag = tag  # keeps the baseline's and the load's document numbers apart
        self.tokens = tokens
        self.docs = docs
        self.ids = ids
        self.counter = 0
        self.rng = random.Random(7)

    def _auth(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"}

    async def ingest(self, stats: Stats) -> httpx.Response:
        self.counter += 1
        batch = []
        for j in range(INGEST_BATCH):
            doc = dict(self.docs[(self.counter * INGEST_BATCH + j) % len(self.docs)])
            doc["document_number"] = f"LOAD-{self.tag}-{self.counter:06d}-{j:02d}"
            batch.append(doc)
        response = await self.client.post(
            "/consignments", json={"consignments": batch}, headers=self._auth("admin")
        )
        if response.status_code == 200:
            stats.ingested.extend(d["document_number"] for d in batch)
            stats.ingest_reports.append(response.json())
        return response

    async def assess(self, stats: Stats) -> httpx.Response:
        doc = self.docs[self.rng.randrange(len(self.docs))]
        return await self.client.post("/assessments", json={"consignment": doc}, headers=self._auth("admin"))

    async def queue(self, stats: Stats) -> httpx.Response:
        return await self.client.get(
            "/queue",
            params={"office": "AZ-ALAT-PCU"},
            headers={"Cookie": f"corridor_session={self.tokens['officer_cookie']}"},
        )

    async def read(self, stats: Stats) -> httpx.Response:
        ref = self.rng.randrange(1, self.ids + 1)
        one = await self.client.get(f"/consignments/{ref}", headers=self._auth("admin"))
        if one.status_code != 200:
            return one
        return await self.client.get(
            "/consignments", params={"limit": 20, "offset": ref}, headers=self._auth("admin")
        )

    async def exchange(self, stats: Stats) -> httpx.Response:
        self.counter += 1
        payload = {"container": "MSCU1234565", "reason": f"load alert {self.tag}-{self.counter}"}
        response = await self.client.post(
            "/exchange/send/alert", json={"to": ["KZ-SRC"], "payload": payload}, headers=self._auth("liaison")
        )
        if response.status_code == 200:
            stats.sent.append(response.json()["message_id"])
        return response

    async def health(self, stats: Stats) -> httpx.Response:
        return await self.client.get("/health")


async def timed(name: str, op: Callable[[Stats], Awaitable[httpx.Response]], stats: Stats) -> None:
    started = time.perf_counter()
    try:
        response = await op(stats)
        ok = response.status_code in (200, 201)
        detail = f"{response.status_code} {response.text[:200]}"
    except httpx.HTTPError as error:
        ok = False
        detail = f"{type(error).__name__}: {error}"
    elapsed = (time.perf_counter() - started) * 1000.0
    stats.latencies[name].append(elapsed)
    if not ok:
        stats.errors[name] += 1
        if len(stats.error_samples) < 10:
            stats.error_samples.append(f"{name}: {detail}")


def client_for(url: str, concurrency: int) -> httpx.AsyncClient:
    limits = httpx.Limits(max_connections=concurrency + 2, max_keepalive_connections=concurrency + 2)
    return httpx.AsyncClient(base_url=url, limits=limits, timeout=60)


async def baseline(
    url: str, tokens: dict[str, str], docs: list[dict[str, Any]], ids: int, count: int
) -> Stats:
    """Each operation alone, one request at a time: what it costs with nothing else running."""
    stats = Stats()
    async with client_for(url, 1) as client:
        load = Load(client, tokens, docs, ids, "B")
        for name in ["health", *WEIGHTS]:
            op = getattr(load, name)
            await timed(name, op, Stats())  # warm-up: first template render, first profile compile
            for _ in range(count):
                await timed(name, op, stats)
    return stats


async def mixed(
    url: str, tokens: dict[str, str], docs: list[dict[str, Any]], ids: int, concurrency: int, duration: float
) -> tuple[Stats, float]:
    stats = Stats()
    names = list(WEIGHTS)
    weights = [WEIGHTS[n] for n in names]
    async with client_for(url, concurrency) as client:
        load = Load(client, tokens, docs, ids, "M")
        end = time.perf_counter() + duration

        async def worker(seed: int) -> None:
            rng = random.Random(seed)
            while time.perf_counter() < end:
                name = rng.choices(names, weights)[0]
                await timed(name, getattr(load, name), stats)

        started = time.perf_counter()
        await asyncio.gather(*(worker(i) for i in range(concurrency)))
        elapsed = time.perf_counter() - started
    return stats, elapsed


def login(url: str, username: str, password: str) -> tuple[str, str]:
    """The session cookie and its CSRF token."""
    response = httpx.post(f"{url}/auth/login", json={"username": username, "password": password}, timeout=30)
    if response.status_code != 200:
        raise SystemExit(f"log-in as {username}: {response.status_code} {response.text}")
    cookie = response.cookies.get("corridor_session")
    if not cookie:
        raise SystemExit(f"log-in as {username} set no session cookie")
    return cookie, str(response.json()["csrf_token"])


def token(url: str, session: tuple[str, str], label: str) -> str:
    cookie, csrf = session
    response = httpx.post(
        f"{url}/auth/tokens",
        json={"label": label},
        headers={"Cookie": f"corridor_session={cookie}", "X-CSRF-Token": csrf},
        timeout=30,
    )
    if response.status_code != 200:
        raise SystemExit(f"cannot issue a token: {response.status_code} {response.text}")
    return str(response.json()["token"])


def verify(a: Node, b: Node, stats: Stats, wait: float) -> dict[str, int]:
    """Stored exactly once (consignments) and arrived exactly once (alerts), within bounded waits."""
    from sqlalchemy import func, select
    from sqlalchemy.orm import Session

    from corridor.consignments.models import ConsignmentRow, ConsignmentVersionRow
    from corridor.db.engine import make_engine
    from corridor.exchange.models import InboxRow

    engine_a, engine_b = make_engine(a.database_url), make_engine(b.database_url)
    try:
        with Session(engine_a) as session:
            rows = session.execute(
                select(ConsignmentRow.document_number, func.count(ConsignmentVersionRow.id))
                .join(ConsignmentVersionRow, ConsignmentVersionRow.consignment_id == ConsignmentRow.id)
                .where(ConsignmentRow.document_number.like("LOAD-%"))
                .group_by(ConsignmentRow.id, ConsignmentRow.document_number)
            ).all()
        stored = Counter(n for n, _ in rows)
        versions = dict(rows)
        accepted = set(stats.ingested)
        wanted = set(stats.sent)
        deadline = time.monotonic() + wait
        while True:
            with Session(engine_b) as session:
                arrived = Counter(
                    session.scalars(select(InboxRow.message_id).where(InboxRow.message_id.in_(wanted))).all()
                    if wanted
                    else []
                )
            if set(arrived) >= wanted or time.monotonic() > deadline:
                break
            time.sleep(1.0)
        return {
            "consignments accepted": len(stats.ingested),
            "consignments lost": len(accepted - set(stored)),
            "consignments duplicated": sum(1 for n in accepted if stored[n] > 1 or versions.get(n, 0) > 1),
            "consignments reported twice": len(stats.ingested) - len(accepted),
            "messages sent": len(stats.sent),
            "messages lost": len(wanted - set(arrived)),
            "messages duplicated": sum(1 for m in wanted if arrived[m] > 1),
        }
    finally:
        engine_a.dispose()
        engine_b.dispose()


def pct(values: list[float], q: int) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def report(
    base: Stats, load: Stats, elapsed: float, args: argparse.Namespace, checks: dict[str, int]
) -> None:
    print(
        f"\nMixed load on one node: uvicorn {args.workers} worker{'s' if args.workers > 1 else ''}, {args.database}, {args.demo:,} demo consignments, "
        f"{args.concurrency} concurrent clients for {elapsed:.0f} s (closed loop, loopback); "
        f"load average {', '.join(f'{x:.1f}' for x in os.getloadavg())}, {os.cpu_count()} CPUs"
    )
    head = f"{'operation':<10}{'requests':>9}{'errors':>7}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"
    print(head + f"{'seq p50':>9}{'p50 x':>7}{'p99 x':>7}")
    total = errors = 0
    for name in WEIGHTS:
        values = load.latencies.get(name, [])
        seq = pct(base.latencies.get(name, []), 50)
        total += len(values)
        errors += load.errors[name]
        p50, p99 = pct(values, 50), pct(values, 99)
        print(
            f"{name:<10}{len(values):>9}{load.errors[name]:>7}{len(values) / elapsed:>8.1f}{p50:>9.1f}"
            f"{pct(values, 95):>9.1f}{p99:>9.1f}{seq:>9.1f}{p50 / seq:>7.1f}{p99 / seq:>7.1f}"
        )
    everything = [v for name in WEIGHTS for v in load.latencies.get(name, [])]
    print(
        f"{'total':<10}{total:>9}{errors:>7}{total / elapsed:>8.1f}{pct(everything, 50):>9.1f}"
        f"{pct(everything, 95):>9.1f}{pct(everything, 99):>9.1f}"
    )
    health = base.latencies["health"]
    print(
        f"\nbaseline (same run, before the load, one request at a time, {args.baseline} each): "
        f"GET /health p50 {pct(health, 50):.1f} ms; sequential p50 per operation in column 'seq p50'"
    )
    for sample in load.error_samples:
        print(f"  error: {sample}")
    print("\nafter the load: " + ", ".join(f"{k} {v}" for k, v in checks.items()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=180.0, help="seconds of mixed load (max 1800)")
    parser.add_argument("--concurrency", type=int, default=8, help="concurrent clients (closed loop)")
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--demo", type=int, default=2000, help="demo consignments loaded first")
    parser.add_argument("--baseline", type=int, default=30, help="sequential requests per operation")
    parser.add_argument("--workers", type=int, default=1, help="worker processes of the loaded node AZ-SCS")
    parser.add_argument("--keep-logs", action="store_true", help="keep both servers' logs even without errors")
    args = parser.parse_args()
    if not 1 <= args.duration <= 1800 or not 1 <= args.concurrency <= 64 or not 1 <= args.workers <= 64:
        parser.error("--duration must be 1..1800 s, --concurrency 1..64 and --workers 1..64")

    from corridor.demo.generator import generate

    docs = [
        json.loads(c.model_dump_json(exclude_none=True)) for c in generate(1000, 11, start=date(2026, 6, 1))
    ]
    with ExitStack() as stack:
        root = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="corridor-load-")))
        urls: list[str | None] = [None, None]
        if args.database == "postgres":
            urls = list(stack.enter_context(postgres_databases(2)))
        a, b = Node("AZ-SCS", root, urls[0], args.workers), Node("KZ-SRC", root, urls[1])
        print(f"setting up: demo data ({args.demo:,}) and two nodes in {root}", file=sys.stderr)
        a.cli("demo", "setup", "--count", str(args.demo))
        for node in (a, b):
            node.cli("node", "init", "--name", node.name, "--endpoint", node.url)
        introduce(a, b, root)
        for node in (b, a):
            node.start()
            stack.callback(node.stop)
        officer, _csrf = login(a.url, "officer", "corridor-officer")
        tokens = {
            "officer_cookie": officer,
            "admin": token(a.url, login(a.url, "admin", "corridor-admin"), "load"),
            "liaison": token(a.url, login(a.url, "liaison", "corridor-liaison"), "load"),
        }
        print("baseline: each operation alone, sequentially", file=sys.stderr)
        base = asyncio.run(baseline(a.url, tokens, docs, args.demo, args.baseline))
        print(f"mixed load: {args.concurrency} clients for {args.duration:.0f} s", file=sys.stderr)
        load, elapsed = asyncio.run(mixed(a.url, tokens, docs, args.demo, args.concurrency, args.duration))
        checks = verify(a, b, load, wait=120)
        # The baseline's own sends and ingests are checked too: they are accepted records like any other.
        base_checks = verify(a, b, base, wait=60)
        for node in (a, b):
            if node.proc is None or node.proc.poll() is not None:
                raise SystemExit(f"{node.name} exited during the run")
        if load.errors or base.errors or args.keep_logs:
            # The temporary directory goes away; keep the servers' logs to find out why.
            for node in (a, b):
                kept = Path(tempfile.gettempdir()) / f"corridor-load-{os.getpid()}-{node.name}.log"
                shutil.copy(node.data_dir / "serve.log", kept)
                print(f"{node.name}'s log kept in {kept}", file=sys.stderr)
    report(base, load, elapsed, args, checks)
    print(
        "baseline's own records: "
        + ", ".join(f"{k} {v}" for k, v in base_checks.items() if "lost" in k or "dup" in k)
    )


if __name__ == "__main__":
    main()
