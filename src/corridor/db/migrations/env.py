"""Alembic environment: the engine is handed in by corridor.db.migrate (never built at import)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine

from corridor.db.models import metadata

config = context.config
engine = config.attributes.get("engine")
if not isinstance(engine, Engine):
    from corridor.db.engine import get_engine

    engine = get_engine()

with engine.begin() as connection:
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
