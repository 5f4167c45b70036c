"""An engine whose schema is at the latest migration (applied on first use when allowed)."""

from __future__ import annotations

from functools import lru_cache

from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from corridor.db.engine import engine_for
from corridor.db.migrate import alembic_config, current_revisions, upgrade
from corridor.settings import get_settings


def head_revisions(engine: Engine) -> frozenset[str]:
    return frozenset(ScriptDirectory.from_config(alembic_config(engine)).get_heads())


def head_revision(engine: Engine) -> str | None:
    heads = head_revisions(engine)
    return ",".join(sorted(heads)) if heads else None


@lru_cache(maxsize=4)
def _ready(url: str, auto_migrate: bool) -> Engine:
    engine = engine_for(url)
    if current_revisions(engine) != head_revisions(engine):
        if not auto_migrate:
            from corridor.domain.errors import ServiceUnavailable

            raise ServiceUnavailable("the database schema is not up to date: run `corridor db upgrade`")
        upgrade(engine)
    return engine


def ready_engine() -> Engine:
    settings = get_settings()
    return _ready(settings.effective_database_url, settings.auto_migrate)
