"""The live feed on loopback: a TCP server and a UDP listener that stop by themselves."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

from sqlalchemy import Engine

from corridor.db.engine import unit_of_work
from corridor.maritime import service
from corridor.maritime.live import listen_udp, serve_tcp


def sample_lines(shared_data: Path) -> list[bytes]:
    return (shared_data / "ais" / "pyais_mixed.txt").read_bytes().splitlines()


def test_tcp_feed_on_loopback(engine: Engine, shared_data: Path) -> None:
    lines = sample_lines(shared_data)

    async def scenario() -> dict[str, object]:
        ready: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        server = asyncio.create_task(
            serve_tcp(
                engine,
                "127.0.0.1",
                0,
                max_lines=len(lines),
                seconds=20,
                flush_lines=7,
                on_ready=ready.set_result,
            )
        )
        port = await asyncio.wait_for(ready, 5)
        _, writer = await asyncio.open_connection("127.0.0.1", port)
        # Split across two writes mid-way, as a network would.
        blob = b"\r\n".join(lines) + b"\r\n"
        writer.write(blob[:300])
        await writer.drain()
        writer.write(blob[300:])
        await writer.drain()
        stats = await asyncio.wait_for(server, 20)
        writer.close()
        return stats.as_dict()

    stats = asyncio.run(scenario())
    assert stats["lines"] == len(lines) and stats["positions"] == 10 and stats["rejected"] == 1
    assert stats["batches"] >= 2  # stored in batches while the feed ran
    with unit_of_work(engine) as session:
        assert service.get_vessel(session, "351759000")["name"] == "EVER DIADEM"  # multipart across batches


def test_udp_feed_on_loopback(engine: Engine, shared_data: Path) -> None:
    lines = sample_lines(shared_data)

    async def scenario() -> dict[str, object]:
        ready: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        listener = asyncio.create_task(
            listen_udp(engine, "127.0.0.1", 0, max_lines=len(lines), seconds=20, on_ready=ready.set_result)
        )
        port = await asyncio.wait_for(ready, 5)
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            for i in range(0, len(lines), 5):  # several lines per datagram
                sock.sendto(b"\n".join(lines[i : i + 5]), ("127.0.0.1", port))
                await asyncio.sleep(0.01)
        return (await asyncio.wait_for(listener, 20)).as_dict()

    stats = asyncio.run(scenario())
    assert stats["lines"] == len(lines) and stats["positions"] == 10


def test_listener_stops_after_its_time_with_no_traffic(engine: Engine) -> None:
    stats = asyncio.run(serve_tcp(engine, "127.0.0.1", 0, seconds=0.2))
    assert stats.lines == 0 and stats.batches == 0
