"""The leader lock of `serve --workers N`: one holder among contenders, released when its process dies."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

from corridor.ops.leader import LeaderJob, LeaderLock, holder, lock_path

HOLD = """
import sys, time
from pathlib import Path
from corridor.ops.leader import LeaderLock
lock = LeaderLock(Path(sys.argv[1]))
print("held" if lock.acquire() else "refused", flush=True)
time.sleep(600)
"""


def wait_until(check: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + 30
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


def test_one_holder_among_locks_in_one_process(tmp_path: Path) -> None:
    path = lock_path(tmp_path, "job")
    a, b = LeaderLock(path), LeaderLock(path)
    assert a.acquire() and a.acquire(), "taking a held lock again is a no-op"
    assert not b.acquire() and not b.held
    assert holder(path) == os.getpid()
    a.release()
    assert holder(path) is None
    assert b.acquire() and not a.acquire()
    b.release()


def test_threads_contending_elect_exactly_one(tmp_path: Path) -> None:
    path = lock_path(tmp_path, "job")
    locks = [LeaderLock(path) for _ in range(8)]
    start = threading.Barrier(len(locks))
    won: list[int] = []

    def contend(i: int) -> None:
        start.wait()
        if locks[i].acquire():
            won.append(i)

    threads = [threading.Thread(target=contend, args=(i,)) for i in range(len(locks))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(won) == 1
    locks[won[0]].release()


def test_lock_is_released_when_the_holding_process_is_killed(tmp_path: Path) -> None:
    path = lock_path(tmp_path, "job")
    first = subprocess.Popen([sys.executable, "-c", HOLD, str(path)], stdout=subprocess.PIPE, text=True)
    second: subprocess.Popen[str] | None = None
    try:
        assert first.stdout is not None and first.stdout.readline().strip() == "held"
        second = subprocess.Popen([sys.executable, "-c", HOLD, str(path)], stdout=subprocess.PIPE, text=True)
        assert second.stdout is not None and second.stdout.readline().strip() == "refused"
        assert holder(path) == first.pid
        mine = LeaderLock(path)
        assert not mine.acquire()
        first.send_signal(signal.SIGKILL)
        first.wait()
        # No clean-up ran in the killed process; the kernel dropped its lock.
        assert mine.acquire()
        assert holder(path) == os.getpid()
        mine.release()
    finally:
        for proc in (first, second):
            if proc is not None:
                proc.kill()
                proc.wait()


def test_job_runs_in_one_contender_and_moves_when_the_leader_stops(tmp_path: Path) -> None:
    running: list[str] = []
    lock = threading.Lock()

    def make(name: str) -> LeaderJob[str]:
        def begin() -> str:
            with lock:
                running.append(name)
            return name

        def end(job: str) -> None:
            with lock:
                running.remove(job)

        return LeaderJob("job", tmp_path, 2, begin, end, retry=0.05)

    a, b = make("a"), make("b")
    a.start()
    wait_until(lambda: a.leading, "a to lead")
    b.start()
    time.sleep(0.3)  # b tried several times meanwhile
    assert running == ["a"] and not b.leading
    a.stop()
    wait_until(lambda: b.leading, "b to take over")
    assert running == ["b"]
    b.stop()
    assert running == []
    assert holder(lock_path(tmp_path, "job")) is None


def test_one_worker_starts_at_once_without_a_lock(tmp_path: Path) -> None:
    started: list[int] = []
    job = LeaderJob("job", tmp_path, 1, lambda: started.append(1) or 1, lambda _: started.clear())
    job.start()
    assert started == [1] and job.leading  # synchronously, as before --workers existed
    assert not lock_path(tmp_path, "job").exists()
    job.stop()
    assert started == []


def test_a_failing_start_releases_the_lock_and_is_retried(tmp_path: Path) -> None:
    attempts: list[int] = []

    def begin() -> int:
        attempts.append(1)
        if len(attempts) < 3:
            raise RuntimeError("not yet")
        return len(attempts)

    job = LeaderJob("job", tmp_path, 2, begin, lambda _: None, retry=0.02)
    job.start()
    wait_until(lambda: job.leading, "the third attempt to start the job")
    assert len(attempts) == 3
    job.stop()
