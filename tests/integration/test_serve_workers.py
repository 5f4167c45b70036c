"""`corridor serve --workers 2`: real worker processes on loopback, one background deliverer among them.

Requests are answered by two distinct worker pids; the outbox deliverer runs in exactly one worker
(the holder of its lock, one "runs in this worker" line, one POST per message at the partner), and
when that worker is killed with SIGKILL another takes delivery over: messages queued after the kill
still arrive, every one once and in sequence order.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
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
    """Node.start with --workers, then until every worker has started."""
    node.start("--workers", str(workers), within=90)
    # /health answers once the first worker listens; the others bind their sockets when they start.
    wait_for(f"{workers} workers started", lambda: started(node) >= workers, timeout=90, nodes=(node,))


def started(node: Node) -> int:
    return node.log.read_text().count("Application startup complete")


async def _keep_alive_pids(url: str) -> set[int]:
    """The worker pids behind 8 keep-alive connections opened at once, 5 requests on each."""
    limits = httpx.Limits(max_connections=8, max_keepalive_connections=8)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=10) as client:

        async def one() -> list[int]:
            pids = []
            for _ in range(5):
                found = WORKER_PID.search((await client.get("/metrics")).text)
                assert found is not None and found.group(2) == "2"
                pids.append(int(found.group(1)))
                await asyncio.sleep(0.02)
            return pids

        return {p for pids in await asyncio.gather(*[one() for _ in range(8)]) for p in pids}


def worker_pids(node: Node, want: int = 2) -> set[int]:
    """Keep-alive connections (nginx's upstream pool, browsers) reach both workers: each worker has
    its own SO_REUSEPORT socket. With uvicorn's one shared socket the first worker to wake took all 8."""
    for _ in range(3):  # all 8 hashed to one of 2 workers: 1 in 128 per try
        seen = asyncio.run(_keep_alive_pids(node.url))
        if len(seen) >= want:
            return seen
    raise AssertionError(f"8 concurrent keep-alive connections reached only {seen}, 3 times")


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


def test_a_second_server_on_the_same_port_is_refused_not_joined(tmp_path: Path) -> None:
    # SO_REUSEPORT would let it join the first and split the traffic between two servers.
    first = Node("first", tmp_path)
    start_workers(first, 2)
    try:
        second = Node("second", tmp_path)
        done = subprocess.run(
            [sys.executable, "-m", "corridor", "serve", "--host", "127.0.0.1", "--port", str(first.port),
             "--workers", "2"],
            env=second.env, capture_output=True, text=True, timeout=120,
        )
        assert done.returncode != 0, done.stderr[-2000:]
        assert f"cannot listen on 127.0.0.1:{first.port}" in done.stderr + done.stdout
        assert "Address already in use" in done.stderr + done.stdout
        assert httpx.get(f"{first.url}/health", timeout=10).status_code == 200
    finally:
        first.stop()


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
        wait_for("the killed worker replaced", lambda: started(az) >= 3, timeout=90, nodes=(az,))
        assert successor in worker_pids(az) and len(worker_pids(az)) == 2

        with Session(kz.engine) as session:
            rows = list(session.execute(select(InboxRow.message_id, InboxRow.sequence).order_by(InboxRow.id)))
        assert [r.message_id for r in rows] == ids, "every message once, stored in the order sent"
        assert [r.sequence for r in rows] == list(range(1, total + 1))
        assert az.count(OutboxRow, OutboxRow.status != "delivered") == 0
        for node in (az, kz):
            assert node.json("audit", "verify")["ok"] is True



@pytest.mark.parametrize("bound_by", ["uvicorn", "corridor"])
def test_connections_of_a_worker_socket_get_tcp_nodelay(bound_by: str) -> None:
    """uvicorn binds its workers' socket with protocol 0, and asyncio then leaves Nagle on for its
    connections (a 40 ms delayed-ACK stall per response); corridor.ops.workers binds with IPPROTO_TCP."""
    import socket

    from uvicorn.config import Config

    from corridor.ops.workers import reuseport_socket

    async def accepted_nodelay() -> int:
        if bound_by == "uvicorn":
            listener = Config("x:y", host="127.0.0.1", port=0).bind_socket()
        else:
            listener = reuseport_socket("127.0.0.1", 0)
        accepted: list[int] = []

        def connected(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            sock = writer.get_extra_info("socket")
            accepted.append(int(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)))
            writer.close()

        server = await asyncio.start_server(connected, sock=listener)
        _reader, writer = await asyncio.open_connection(*listener.getsockname()[:2])
        while not accepted:
            await asyncio.sleep(0.01)
        writer.close()
        server.close()
        return accepted[0]

    assert bool(asyncio.run(accepted_nodelay())) is (bound_by == "corridor")
