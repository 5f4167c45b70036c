"""The database's disk fills up under a running server (SQLite on a small tmpfs of its own).

While the disk is full, writes are refused with a clean 503 (stable code, Retry-After, no traceback)
and leave nothing half-written; reads keep working. Once space is freed, the same server process
accepts writes again without being restarted.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from corridor.db.engine import make_engine
from tests.faults.refusals import BIG, DURING, refused_writes_and_working_reads, resend, store_before
from tests.faults.support import admin_token, tally
from tests.integration.test_exchange_nodes import Node


@pytest.fixture
def small_disk() -> Iterator[Path]:
    """A 32 MiB tmpfs of its own: the only way to fill a disk without filling the machine's."""
    mountpoint = Path(tempfile.mkdtemp(prefix="corridor-disk-"))
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=32m,mode=0755", "tmpfs", str(mountpoint)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    if done.returncode != 0:
        mountpoint.rmdir()
        pytest.skip(f"cannot mount a small tmpfs to fill (needs root/CAP_SYS_ADMIN): {done.stderr.strip()}")
    try:
        yield mountpoint
    finally:
        subprocess.run(["umount", "-l", str(mountpoint)], capture_output=True, timeout=30)
        mountpoint.rmdir()


def fill(disk: Path) -> Path:
    """Take every free block of the disk; deleting the returned file is lifting the fault."""
    filler = disk / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        for size in (1 << 20, 4096):  # megabytes, then the last partial megabyte block by block
            with contextlib.suppress(OSError):
                while True:
                    os.write(fd, b"\0" * size)
    finally:
        os.close(fd)
    return filler


def test_sqlite_disk_full_refuses_writes_cleanly_and_recovers(
    tmp_path: Path, small_disk: Path, fault_summary: Callable[[str], None]
) -> None:
    url = f"sqlite:///{small_disk / 'corridor.sqlite3'}"
    token = admin_token(url)
    node = Node("disk-full", tmp_path, url)
    node.start()
    engine = make_engine(url)
    try:
        store_before(node, token)
        filler = fill(small_disk)
        assert os.statvfs(small_disk).f_bavail == 0
        refused, accepted = refused_writes_and_working_reads(node, token, "FULL", engine)
        assert refused, "no write met the full disk: the fault did not bite"
        filler.unlink()  # the operator frees space; nobody touches the server
        resend(node, token, "FULL", refused)
        result = tally(engine, "FULL", list(range(DURING)), sent=DURING * BIG, size=BIG)
        fault_summary(
            result.line("sqlite disk full", 1) + f"; refused during the fault {len(refused) * BIG}, "
            f"stored during the fault {len(accepted) * BIG}"
        )
        assert result.lost == [] and result.duplicated == [] and result.present == DURING * BIG
        assert node.proc is not None and node.proc.poll() is None, "the server died"
    finally:
        engine.dispose()
        node.stop()
