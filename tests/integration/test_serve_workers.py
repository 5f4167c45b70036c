"""`corridor serve --workers 2`: real worker processes on loopback, one background deliverer among them.

Requests are answered by two distinct worker pids; the outbox deliverer runs in exactly one worker
(the holder of its lock, one "runs in this worker" line, one POST per message at the partner), and
when that worker is killed with SIGKILL another takes delivery over: messages queued after the kill
still arrive, every one once and in sequence order.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from corridor.api.ratelimit import Limits
from corridor.exchange.models import InboxRow, OutboxRow
from corridor.ops.leader import holder, lock_path
from corridor.settings import Settings
from tests.integration.test_exchange_nodes import Node, database_urls, introduce, nodes, wait_for

WORKER_PID = re.compile(r'corridor_worker_info\{pid="(\d+)",workers="(\d+)"\}')
LEADS = re.compile(r"exchange-deliverer runs in this worker \(pid (\d+)\)")


def start_workers(node: Node, workers: int) -> None:
    """Node.start with --workers: the same readiness wait on GET /health."""
    node.data_dir.mkdir(parents=True, exist_ok=True)
    with node.log.open("ab") as log:
        node.proc = subprocess.Popen(
            [sys.executable, "-m", "corridor", "serve", "--host", "127.0.0.1", "--port", str(node.port),
             "--workers", str(workers)],
            env=node.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 90
    while True:
        try:
            if httpx.get(f"{node.url}/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        assert node.proc.poll() is None, node.log.read_text()[-3000:]
        assert time.monotonic() < deadline, f"{node.name} did not start in 90 s"
        time.sleep(0.2)


def scrape_pid(node: Node) -> int:
    # A new connection per request, so that the kernel may hand it to either worker.
    text = httpx.get(f"{node.url}/metrics", timeout=10, headers={"Connection": "close"}).text
    found = WORKER_PID.search(text)
    assert found is not None and found.group(2) == "2", text[-500:]
    return int(found.group(1))


def worker_pids(node: Node, want: int = 2) -> set[int]:
    seen: set[int] = set()
    deadline = time.monotonic() + 60
    with ThreadPoolExecutor(8) as pool:
        while len(seen) < want:
            assert time.monotonic() < deadline, f"only worker pids {seen} answered in 60 s"
            seen |= set(pool.map(lambda _: scrape_pid(node), range(16)))
    return seen


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def posts(node: Node) -> int:
    return node.log.read_text().count("POST /exchange/v1/messages 200")


def test_rate_limits_are_divided_among_workers() -> None:
    one = Limits.from_settings(Settings())
    two = Limits.from_settings(Settings(workers=2))
    three = Limits.from_settings(Settings(workers=3, ratelimit_login_user_burst=2))
    assert two.login_ip.rate == pytest.approx(one.login_ip.rate / 2) and two.login_ip.burst == one.login_ip.burst / 2
    assert two.exchange_ip.rate == pytest.approx(one.exchange_ip.rate / 2)
    assert three.login_user.burst == 1.0, "never below one attempt"


def test_reload_and_workers_are_refused_together(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "corridor", "serve", "--reload", "--workers", "2"],
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "CORRIDOR_DATA_DIR": str(tmp_path)},
        capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 2 and "--reload and --workers are exclusive" in done.stderr, done.stderr


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
def test_two_workers_one_deliverer_that_moves_when_killed(tmp_path: Path, kind: str) -> None:
    first, second = 30, 30
    names = ("AZ-SCS", "KZ-SRC")
    # One envelope per request: the partner's access log then counts one POST per message sent.
    with database_urls(kind, names) as urls, nodes(tmp_path, names, urls, CORRIDOR_EXCHANGE_BATCH_SIZE="1") as (
        az,
        kz,
    ):
        introduce(az, kz, tmp_path)
        az.cli("agreements", "allow", "KZ-SRC", "--send", "alert")
        kz.cli("agreements", "allow", "AZ-SCS", "--receive", "alert")
        start_workers(kz, 2)
        start_workers(az, 2)

        pids = worker_pids(az)
        assert len(pids) == 2 and az.proc is not None and az.proc.pid not in pids
        lock = lock_path(az.data_dir, "exchange-deliverer")
        wait_for("a deliverer leader", lambda: holder(lock) is not None, nodes=(az,))
        leader = holder(lock)
        assert leader in pids
        assert [int(p) for p in LEADS.findall(az.log.read_text())] == [leader]

        ids = [
            az.send_direct("alert", {"container": "MSCU1234565", "reason": f"alert {i}"}, ["KZ-SRC"])
            for i in range(first)
        ]
        wait_for("the first messages delivered",
                 lambda: az.count(OutboxRow, OutboxRow.status == "delivered") == first, timeout=120, nodes=(az, kz))
        assert posts(kz) == first, "one deliverer: each message posted once, none raced by a second sender"
        assert [int(p) for p in LEADS.findall(az.log.read_text())] == [leader]

        assert leader is not None
        os.kill(leader, signal.SIGKILL)
        wait_for("the leader gone", lambda: not alive(leader), nodes=(az,))
        ids += [
            az.send_direct("alert", {"container": "MSCU1234565", "reason": f"after the kill {i}"}, ["KZ-SRC"])
            for i in range(second)
        ]
        total = first + second
        wait_for("the messages queued after the kill delivered",
                 lambda: az.count(OutboxRow, OutboxRow.status == "delivered") == total, timeout=120, nodes=(az, kz))
        leaders = [int(p) for p in LEADS.findall(az.log.read_text())]
        assert len(leaders) == 2 and leaders[0] == leader and leaders[1] != leader, leaders
        successor = holder(lock)
        assert successor == leaders[1] and alive(successor)
        # uvicorn replaced the killed worker: two answer again, the successor among them.
        assert successor in worker_pids(az) and len(worker_pids(az)) == 2

        with Session(kz.engine) as session:
            rows = list(session.execute(select(InboxRow.message_id, InboxRow.sequence).order_by(InboxRow.id)))
        assert [r.message_id for r in rows] == ids, "every message once, stored in the order sent"
        assert [r.sequence for r in rows] == list(range(1, total + 1))
        assert az.count(OutboxRow, OutboxRow.status != "delivered") == 0
        for node in (az, kz):
            assert node.json("audit", "verify")["ok"] is True


@pytest.mark.parametrize("cls_name", ["H11Protocol", "NoDelayH11Protocol"])
def test_connections_of_a_worker_socket_get_tcp_nodelay(cls_name: str) -> None:
    """A listening socket bound as uvicorn binds it for workers (protocol 0): asyncio leaves Nagle on
    for its connections unless the protocol turns it off (the 40 ms delayed-ACK stall per request)."""
    import asyncio
    import socket

    from uvicorn.config import Config
    from uvicorn.protocols.http.h11_impl import H11Protocol
    from uvicorn.server import ServerState

    from corridor.ops.nodelay import NoDelayH11Protocol

    cls = {"H11Protocol": H11Protocol, "NoDelayH11Protocol": NoDelayH11Protocol}[cls_name]

    async def app(scope: object, receive: object, send: object) -> None:
        raise AssertionError("no request is sent")

    async def accepted_nodelay() -> int:
        config = Config(app, http=cls, log_config=None)
        config.load()
        state = ServerState()
        listener = socket.socket(socket.AF_INET)
        listener.bind(("127.0.0.1", 0))
        server = await asyncio.get_running_loop().create_server(
            lambda: cls(config=config, server_state=state, app_state={}), sock=listener
        )
        _reader, writer = await asyncio.open_connection(*listener.getsockname()[:2])
        while not state.connections:
            await asyncio.sleep(0.01)
        conn = next(iter(state.connections))
        value = int(conn.transport.get_extra_info("socket").getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
        writer.close()
        for c in list(state.connections):
            c.shutdown()
        server.close()
        return value

    value = asyncio.run(accepted_nodelay())
    assert bool(value) is (cls_name == "NoDelayH11Protocol")
