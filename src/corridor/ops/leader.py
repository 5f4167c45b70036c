"""One leader among the worker processes of `corridor serve --workers N`, for background work.

The exchange deliverer and the retention purge must run in one process at a time: a partner must
see one sender's messages in sequence order, which two deliverers racing over one outbox would not
guarantee. Each background job takes an exclusive, non-blocking `flock` on a file in the data
directory (all workers of one `serve` share the machine and the data directory); the worker holding
it runs the job, the others try again every few seconds. The kernel drops the lock when its process
dies, even by SIGKILL, so another worker (or the one uvicorn starts in its place) takes the job over.

With one worker no lock is taken and the job starts at once, exactly as before `--workers` existed.
Servers on different machines sharing one PostgreSQL database are not coordinated by this lock.
"""

from __future__ import annotations

import fcntl
import logging
import os
import threading
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any, Generic, TypeVar

log = logging.getLogger("corridor.ops.leader")

# How often a worker that is not the leader tries to take the lock: the longest a job pauses when
# its leader dies.
RETRY = 2.0
T = TypeVar("T")


def lock_path(data_dir: Path, name: str) -> Path:
    return data_dir / "locks" / f"{name}.lock"


class LeaderLock:
    """An exclusive flock on one file; the holder's pid is written into it for operators and tests."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self) -> bool:
        """True when this object holds the lock (now or already); never waits."""
        if self._fd is not None:
            return True
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # A new open file description per attempt: flock conflicts between descriptions, so two
        # LeaderLock objects in one process exclude each other as two processes do.
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        except BaseException:
            os.close(fd)
            raise
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        self._fd = fd
        return True

    def release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is not None:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)


def holder(path: Path) -> int | None:
    """The pid holding the lock at `path`, None when nobody holds it (a probe for tests and operators).

    The probe takes the lock for an instant when it is free; a worker trying at that moment simply
    tries again at its next turn.
    """
    if not path.exists():
        return None
    probe = LeaderLock(path)
    if probe.acquire():
        probe.release()
        return None
    text = path.read_text(encoding="ascii").strip()
    return int(text) if text.isdigit() else None


class LeaderJob(Generic[T]):
    """Runs `begin()` in the one worker that holds the lock `name`, and `end(job)` when the app stops."""

    def __init__(
        self,
        name: str,
        data_dir: Path,
        workers: int,
        begin: Callable[[], T],
        end: Callable[[T], None],
        *,
        retry: float = RETRY,
    ) -> None:
        self.name = name
        self.workers = workers
        self.retry = retry
        self._begin = begin
        self._end = end
        self._lock = LeaderLock(lock_path(data_dir, name))
        # Empty until begin() has run in this worker; then its one job.
        self._jobs: list[T] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"corridor-leader-{name}", daemon=True)

    @property
    def leading(self) -> bool:
        return bool(self._jobs)

    def start(self) -> None:
        if self.workers <= 1:
            self._jobs.append(self._begin())
            return
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()
        while self._jobs:
            self._end(self._jobs.pop())
        self._lock.release()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                if self._lock.acquire():
                    self._jobs.append(self._begin())
                    log.info("%s runs in this worker (pid %d)", self.name, os.getpid())
                    return
            except Exception:  # the lock file or the job could not start: try again at the next turn
                log.exception("%s: could not take over", self.name)
                self._lock.release()
            self._stop.wait(self.retry)


def run_for_app_lifetime(app: Any, make_job: Callable[[Any], LeaderJob[Any] | None]) -> None:
    """Wrap the app's lifespan: `make_job(app)` at startup (None: nothing to run), stopped at shutdown."""
    from contextlib import asynccontextmanager

    from starlette.concurrency import run_in_threadpool

    inner = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(app_: Any) -> AsyncIterator[Any]:
        job = make_job(app_)
        if job is not None:
            job.start()
        try:
            async with inner(app_) as state:
                yield state
        finally:
            if job is not None:
                await run_in_threadpool(job.stop)

    app.router.lifespan_context = lifespan
