"""The daily retention purge inside `corridor serve`, when CORRIDOR_RETENTION_YEARS is set.

A thread, not a task on the event loop: a purge of years of data is long, blocking database work.
Among the workers of `serve --workers N` one runs it (corridor.ops.leader); separate servers on one
database may each run it, and the purge is idempotent, so the second finds nothing.
"""

from __future__ import annotations

import logging
import threading

from sqlalchemy import Engine

log = logging.getLogger("corridor.ops.retention")

DAY = 24 * 3600.0
# The first run waits a little, so that start-up (migrations, the first requests) is not slowed.
FIRST_DELAY = 60.0


class RetentionScheduler:
    def __init__(self, engine: Engine, years: int, secret: str, *, interval: float = DAY) -> None:
        self.engine, self.years, self.secret, self.interval = engine, years, secret, interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="corridor-retention", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=30)

    def _run(self) -> None:
        from corridor.ops.retention import purge

        delay = min(FIRST_DELAY, self.interval)
        while not self._stop.wait(delay):
            try:
                purge(self.engine, self.years, secret=self.secret)
            except Exception:  # logged and retried tomorrow; the server keeps serving
                log.exception("scheduled retention purge failed")
            delay = self.interval
