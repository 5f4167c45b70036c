"""A live AIS feed: an asyncio TCP server and a UDP listener that store NMEA lines as they come.

Receivers (AIS base stations, dispatchers such as AIS-catcher or aisdispatcher) push NMEA lines
over TCP or UDP. Lines are decoded as they arrive (multipart messages may straddle packets and
connections of one listener) and stored in batches, so a slow database never drops a packet.
The listener stops by itself after `max_lines` lines or `seconds` seconds, when asked to.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import Engine

from corridor.db.engine import unit_of_work
from corridor.maritime.nmea import NmeaDecoder, Position, ReadReport, Static
from corridor.maritime.readers import decoder_frames


@dataclass(slots=True)
class LiveStats:
    lines: int = 0
    positions: int = 0
    new_positions: int = 0
    rejected: int = 0
    batches: int = 0
    ingest_ids: list[int] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {
            "lines": self.lines,
            "positions": self.positions,
            "new_positions": self.new_positions,
            "rejected": self.rejected,
            "batches": self.batches,
            "ingest_ids": self.ingest_ids,
        }


class LiveIngestor:
    """Decodes lines at once and stores them every `flush_lines` lines (and when stopping)."""

    def __init__(self, engine: Engine, source: str, flush_lines: int = 500) -> None:
        self.engine = engine
        self.decoder = NmeaDecoder(source)
        self.flush_lines = flush_lines
        self.stats = LiveStats()
        self._since_flush = 0
        self._lock = asyncio.Lock()

    async def line(self, raw: bytes) -> None:
        # Reception time stamps lines without a tag block: that is when the report was heard.
        self.decoder.received_at = datetime.now(UTC)
        self.decoder.feed(raw)
        self.stats.lines += 1
        self._since_flush += 1
        if self._since_flush >= self.flush_lines:
            await self.flush()

    async def flush(self) -> None:
        async with self._lock:
            self._since_flush = 0
            positions, statics, report = self.decoder.drain()
            if not report.lines:
                return
            await asyncio.to_thread(self._store, positions, statics, report)

    def _store(self, positions: list[Position], statics: list[Static], report: ReadReport) -> None:
        from corridor.maritime.service import store_batch

        pos, sta = decoder_frames(positions, statics)
        with unit_of_work(self.engine) as session:
            result = store_batch(session, report, pos, sta)
        self.stats.positions += report.positions
        self.stats.new_positions += result.new_positions
        self.stats.rejected += report.rejected_total
        self.stats.batches += 1
        self.stats.ingest_ids.append(result.ingest_id)

    async def close(self) -> LiveStats:
        self.decoder.finish()  # parts that never got their other half are counted as rejected
        await self.flush()
        return self.stats


async def _wait(stop: asyncio.Event, seconds: float | None) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)


async def serve_tcp(
    engine: Engine,
    host: str = "127.0.0.1",
    port: int = 10110,
    *,
    max_lines: int | None = None,
    seconds: float | None = None,
    flush_lines: int = 500,
    on_ready: Callable[[int], None] | None = None,
) -> LiveStats:
    """Accept NMEA over TCP until max_lines lines or `seconds` have passed; returns what was stored."""
    ingestor = LiveIngestor(engine, f"live:tcp://{host}:{port}", flush_lines)
    stop = asyncio.Event()

    async def client(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while not stop.is_set():
                raw = await reader.readline()
                if not raw:
                    break
                await ingestor.line(raw)
                if max_lines is not None and ingestor.stats.lines >= max_lines:
                    stop.set()
        finally:
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    server = await asyncio.start_server(client, host, port)
    bound = server.sockets[0].getsockname()[1]
    ingestor.decoder.report.source = f"live:tcp://{host}:{bound}"
    if on_ready:
        on_ready(bound)
    async with server:
        await _wait(stop, seconds)
    return await ingestor.close()


class _Udp(asyncio.DatagramProtocol):
    def __init__(self, ingestor: LiveIngestor, stop: asyncio.Event, max_lines: int | None) -> None:
        self.ingestor = ingestor
        self.stop = stop
        self.max_lines = max_lines
        self.tasks: set[asyncio.Task[None]] = set()

    def datagram_received(self, data: bytes, addr: tuple[str | object, int]) -> None:
        task = asyncio.ensure_future(self._lines(data))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _lines(self, data: bytes) -> None:
        # One datagram may hold several lines (dispatchers batch them).
        for raw in data.splitlines():
            if self.stop.is_set():
                return
            await self.ingestor.line(raw)
            if self.max_lines is not None and self.ingestor.stats.lines >= self.max_lines:
                self.stop.set()


async def listen_udp(
    engine: Engine,
    host: str = "127.0.0.1",
    port: int = 10110,
    *,
    max_lines: int | None = None,
    seconds: float | None = None,
    flush_lines: int = 500,
    on_ready: Callable[[int], None] | None = None,
) -> LiveStats:
    """Receive NMEA datagrams until max_lines lines or `seconds` have passed; returns what was stored."""
    ingestor = LiveIngestor(engine, f"live:udp://{host}:{port}", flush_lines)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    transport, protocol = await loop.create_datagram_endpoint(
        lambda: _Udp(ingestor, stop, max_lines), local_addr=(host, port)
    )
    bound = transport.get_extra_info("sockname")[1]
    ingestor.decoder.report.source = f"live:udp://{host}:{bound}"
    if on_ready:
        on_ready(bound)
    try:
        await _wait(stop, seconds)
    finally:
        transport.close()
    if protocol.tasks:
        await asyncio.gather(*protocol.tasks, return_exceptions=True)
    return await ingestor.close()
