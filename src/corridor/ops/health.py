"""Readiness: can this process serve requests now? Database, schema, data directory, exchange queues.

The database part runs on a small thread pool of its own with a time limit: a hung database must
make the probe answer "not ready" within the limit, and must not take the request threads with it.
The exchange queues are reported, never a reason for "not ready": taking a node out of a load
balancer does not deliver its outbox any sooner.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session

_POOL = ThreadPoolExecutor(max_workers=2, thread_name_prefix="corridor-health")


@dataclass(slots=True)
class Readiness:
    checks: dict[str, dict[str, Any]] = field(default_factory=dict)
    reasons: list[str] = field(default_factory=list)

    @property
    def ready(self) -> bool:
        return not self.reasons

    def as_dict(self) -> dict[str, Any]:
        return {
            "status": "ready" if self.ready else "not_ready",
            "reasons": self.reasons,
            "checks": self.checks,
        }


@lru_cache(maxsize=1)
def head_revisions() -> frozenset[str]:
    """The migration heads; the scripts do not change while the process runs, so read them once."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from corridor.db.migrate import MIGRATIONS

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return frozenset(ScriptDirectory.from_config(config).get_heads())


def database_checks(engine: Engine, timeout: float) -> dict[str, dict[str, Any]]:
    """SELECT 1 and the exchange queue depths in one transaction, then the schema revisions."""
    from corridor.db.migrate import current_revisions
    from corridor.exchange.models import InboxRow, OutboxRow

    started = time.perf_counter()
    with Session(engine) as session:
        if engine.dialect.name == "postgresql":
            # The server gives up too, so a slow query does not outlive the probe that asked.
            session.execute(text(f"SET LOCAL statement_timeout = {max(1, int(timeout * 1000))}"))
        session.execute(text("SELECT 1"))
        database = {"ok": True, "ms": round((time.perf_counter() - started) * 1000, 2)}
        outbox = (
            # Only the two small states: delivered messages pile up for years and are not counted here.
            dict(
                session.execute(
                    select(OutboxRow.status, func.count())
                    .where(OutboxRow.status.in_(("queued", "dead")))
                    .group_by(OutboxRow.status)
                ).all()
            )
            if _has_table(session, "exchange_outbox")
            else {}
        )
        inbox_pending = (
            session.scalar(select(func.count()).select_from(InboxRow).where(InboxRow.status == "received"))
            if _has_table(session, "exchange_inbox")
            else 0
        )
    current = current_revisions(engine)
    heads = head_revisions()
    migrations = {"ok": current == heads, "current": sorted(current), "head": sorted(heads)}
    exchange = {
        "ok": True,
        "outbox_queued": int(outbox.get("queued", 0)),
        "outbox_dead": int(outbox.get("dead", 0)),
        "inbox_pending": int(inbox_pending or 0),
    }
    return {"database": database, "migrations": migrations, "exchange": exchange}


def _has_table(session: Session, name: str) -> bool:
    from sqlalchemy import inspect

    return bool(inspect(session.connection()).has_table(name))


def data_dir_check(data_dir: Path) -> dict[str, Any]:
    """The data directory exists and a file can be created in it (keys, uploads, photos, models)."""
    try:
        # Created when missing, as every command does on first use; a path that cannot be is the error.
        data_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=data_dir, prefix=".ready-", delete=True):
            pass
    except OSError as error:
        # The path stays in the server's configuration: the probe may be reachable from outside.
        return {"ok": False, "error": f"{error.__class__.__name__}: {error.strerror}"}
    return {"ok": True}


async def readiness(engine: Engine, data_dir: Path, timeout: float) -> Readiness:
    result = Readiness()
    loop = asyncio.get_running_loop()
    try:
        result.checks.update(
            await asyncio.wait_for(loop.run_in_executor(_POOL, database_checks, engine, timeout), timeout)
        )
    except TimeoutError:
        result.checks["database"] = {"ok": False, "error": f"no answer within {timeout:g} s"}
        result.reasons.append(f"database: no answer within {timeout:g} s")
    except Exception as error:  # any failure to reach the database is the answer, not a crash
        result.checks["database"] = {"ok": False, "error": error.__class__.__name__}
        result.reasons.append(f"database: unreachable ({error.__class__.__name__})")
    migrations = result.checks.get("migrations")
    if migrations is not None and not migrations["ok"]:
        result.reasons.append(
            "migrations: the schema is not at the latest revision; run `corridor db upgrade`"
        )
    result.checks["data_dir"] = data_dir_check(data_dir)
    if not result.checks["data_dir"]["ok"]:
        result.reasons.append("data_dir: CORRIDOR_DATA_DIR is not a writable directory")
    return result
