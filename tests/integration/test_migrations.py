"""Migrations define the schema: after upgrade, the ORM models and the database agree."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine

from corridor.db.migrate import current_revision
from corridor.db.models import metadata
from corridor.db.ready import head_revision


def test_models_match_migrations(engine: Engine) -> None:
    assert current_revision(engine) == head_revision(engine)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == []
