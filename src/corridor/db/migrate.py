"""Run Alembic migrations programmatically; the schema is defined by migrations, not create_all."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(engine: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


def upgrade(engine: Engine, revision: str = "heads") -> None:
    # "heads": each domain package may own a branch of migrations off the core revision.
    command.upgrade(alembic_config(engine), revision)


def current_revisions(engine: Engine) -> frozenset[str]:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return frozenset(MigrationContext.configure(conn).get_current_heads())


def current_revision(engine: Engine) -> str | None:
    """The applied revisions as one comma-separated string (None on an empty database)."""
    heads = current_revisions(engine)
    return ",".join(sorted(heads)) if heads else None
