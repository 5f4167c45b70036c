"""Single-consignment assessment latency through the HTTP API under a bounded loopback load.

    .venv/bin/python benchmarks/risk_api_latency.py [--rate 200] [--seconds 20] [--history 5000]

Starts a real uvicorn server (`corridor serve`) on 127.0.0.1 with a temporary SQLite database that
holds the starter profiles and `--history` stored consignments (so party and HS-6 history queries
have rows to find), then sends POST /assessments {"consignment": ...} open-loop at `--rate` requests
per second for `--seconds` seconds (a request is sent on schedule even if earlier ones are still
running, at most 64 in flight). Latency is measured from the scheduled send time, so queueing in the
client counts against the server. Prints p50/p90/p99/max and the achieved rate.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def prepare(data_dir: Path, history: int) -> tuple[str, list[dict[str, object]]]:
    os.environ["CORRIDOR_DATA_DIR"] = str(data_dir)
    from sqlalchemy.orm import Session

    from corridor.accounts.service import NewUser, create_user, ensure_agency, issue_api_token
    from corridor.consignments.repository import save_consignments
    from corridor.db.ready import ready_engine
    from corridor.demo.generator import generate
    from corridor.risk import service

    engine = ready_engine()
    service.import_paths(engine, None)
    stored = list(generate(history, 3, start=date(2026, 5, 1), planted=False))
    with Session(engine) as session:
        save_consignments(session, stored)
        ensure_agency(session, "BENCH", "Benchmark customs")
        user = create_user(session, NewUser("bench-admin", "bench-admin-password", "administrator", "BENCH"))
        token = issue_api_token(session, user, "bench")
        session.commit()
    engine.dispose()
    docs = [
        json.loads(c.model_dump_json(exclude_none=True)) for c in generate(2000, 4, start=date(2026, 6, 1))
    ]
    return token, docs


async def load(
    url: str, token: str, docs: list[dict[str, object]], rate: float, seconds: float
) -> tuple[list[float], int, float]:
    total = int(rate * seconds)
    latencies: list[float] = []
    errors = 0
    gate = asyncio.Semaphore(64)
    limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
    async with httpx.AsyncClient(
        base_url=url, headers={"Authorization": f"Bearer {token}"}, limits=limits, timeout=10
    ) as client:
        # Warm-up: compile the profile set and open connections.
        for doc in docs[:20]:
            await client.post("/assessments", json={"consignment": doc})
        start = time.perf_counter()

        async def one(i: int) -> None:
            nonlocal errors
            due = start + i / rate
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            try:
                async with gate:
                    response = await client.post("/assessments", json={"consignment": docs[i % len(docs)]})
                ok = response.status_code == 200
            except httpx.HTTPError:  # a timeout under overload is a failed request, not a crash
                ok = False
            if not ok:
                errors += 1
            latencies.append((time.perf_counter() - due) * 1000.0)

        await asyncio.gather(*(one(i) for i in range(total)))
        elapsed = time.perf_counter() - start
    return latencies, errors, total / elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--history", type=int, default=5000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp)
        token, docs = prepare(data_dir, args.history)
        port = free_port()
        env = {**os.environ, "CORRIDOR_DATA_DIR": str(data_dir)}
        server = subprocess.Popen(
            [sys.executable, "-m", "corridor", "serve", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            url = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 120
            while True:
                if server.poll() is not None:
                    raise SystemExit("server exited:\n" + (data_dir / "server.log").read_text())
                try:
                    if httpx.get(f"{url}/health", timeout=2).status_code < 500:
                        break
                except httpx.TransportError:
                    if time.monotonic() > deadline:
                        raise SystemExit("server did not start within 120 s") from None
                    time.sleep(0.2)
            latencies, errors, achieved = asyncio.run(load(url, token, docs, args.rate, args.seconds))
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
    q = statistics.quantiles(latencies, n=100)
    print(
        f"\nPOST /assessments (one consignment), uvicorn 1 worker, SQLite, {args.history:,} stored consignments, "
        f"starter profiles; load average {', '.join(f'{x:.1f}' for x in os.getloadavg())}"
    )
    print(
        f"{'target rate':<16}{'achieved':>10}{'requests':>10}{'errors':>8}{'p50 ms':>9}{'p90 ms':>9}{'p99 ms':>9}"
        f"{'max ms':>9}"
    )
    print(
        f"{args.rate:<16.0f}{achieved:>10.1f}{len(latencies):>10}{errors:>8}{q[49]:>9.1f}{q[89]:>9.1f}{q[98]:>9.1f}"
        f"{max(latencies):>9.1f}"
    )


if __name__ == "__main__":
    main()
