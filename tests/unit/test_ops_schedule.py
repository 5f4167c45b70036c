"""The daily purge thread: runs the purge, keeps running after a failure, stops when asked."""

from __future__ import annotations

import threading
from typing import Any, cast

import pytest
from sqlalchemy import Engine

from corridor.ops import retention
from corridor.ops.schedule import RetentionScheduler


def test_scheduler_runs_again_after_a_failure_and_stops(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[int, str]] = []
    third = threading.Event()

    def fake_purge(engine: Engine, years: int, *, secret: str, **_: Any) -> None:
        calls.append((years, secret))
        if len(calls) == 1:
            raise RuntimeError("database went away")  # logged; the next run still happens
        if len(calls) == 3:
            third.set()

    monkeypatch.setattr(retention, "purge", fake_purge)
    scheduler = RetentionScheduler(cast(Engine, object()), 5, "s3cret-key-value", interval=0.01)
    scheduler.start()
    third.wait()
    scheduler.stop()
    assert calls[:3] == [(5, "s3cret-key-value")] * 3
    stopped_at = len(calls)
    assert not scheduler._thread.is_alive() and len(calls) == stopped_at
