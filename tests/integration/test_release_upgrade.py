"""A database as release 0.1.0 left it upgrades to today's heads with its data intact, and the app serves it.

The fixture (tests/fixtures/release-0.1.0, made by scripts/make_release_fixture.sh v0.1.0) holds the
databases that the 0.1.0 code wrote with `corridor demo setup --count 200`, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import gzip
import json
import shutil
import subprocess
import tarfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from corridor.api.app import create_app
from corridor.db.backup import pg_program, row_counts
from corridor.db.engine import make_engine
from corridor.db.migrate import current_revisions, upgrade
from corridor.db.ready import head_revisions
from tests.dbs import postgres_database, require_postgres
from tests.e2e.seed import login

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "release-0.1.0"
MANIFEST: dict[str, Any] = json.loads((FIXTURE / "manifest.json").read_text(encoding="utf-8"))


@contextmanager
def release_database(kind: str, tmp_path: Path) -> Iterator[Engine]:
    """A copy of the 0.1.0 database, its data directory's files beside it in CORRIDOR_DATA_DIR."""
    with tarfile.open(FIXTURE / "data-dir.tar.gz") as files:
        files.extractall(tmp_path / "var", filter="data")
    if kind == "sqlite":
        target = tmp_path / "var" / "corridor.sqlite3"
        with gzip.open(FIXTURE / "corridor.sqlite3.gz") as src, target.open("wb") as out:
            shutil.copyfileobj(src, out)
        engine = make_engine(f"sqlite:///{target}")
        yield engine
        engine.dispose()
        return
    require_postgres()
    with postgres_database() as url:
        sql = gzip.decompress((FIXTURE / "postgresql.sql.gz").read_bytes())
        subprocess.run(
            [pg_program("psql"), "-q", "-v", "ON_ERROR_STOP=1", "-d", url.replace("+psycopg", ""), "-f", "-"],
            input=sql,
            check=True,
            capture_output=True,
        )
        engine = make_engine(url)
        yield engine
        engine.dispose()


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_a_release_0_1_0_database_upgrades_to_head_with_its_data(kind: str, tmp_path: Path) -> None:
    release = MANIFEST[kind]
    with release_database(kind, tmp_path) as engine:
        assert sorted(current_revisions(engine)) == release["revisions"]
        assert row_counts(engine) == release["row_counts"]

        upgrade(engine)

        assert current_revisions(engine) == head_revisions(engine)
        after = row_counts(engine)
        # Every 0.1.0 table still holds its rows; tables added since then may hold seeded rows of their own.
        assert {t: after.get(t) for t in release["row_counts"]} == release["row_counts"]
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM users WHERE username = 'admin'")).scalar_one() == 1

        client = TestClient(create_app(engine))
        login(client, "supervisor", "corridor-supervisor")
        with engine.connect() as conn:
            offices = list(conn.execute(text("SELECT code FROM offices ORDER BY code")).scalars())
        pages = [client.get("/consignments", params={"office": o, "limit": 5}) for o in offices]
        assert all(p.status_code == 200 for p in pages), [p.text for p in pages]
        assert sum(p.json()["total"] for p in pages) == MANIFEST["demo_count"]
        first = next(item for p in pages for item in p.json()["items"])
        detail = client.get(f"/consignments/{first['id']}")
        assert detail.status_code == 200 and detail.json()["document_number"] == first["document_number"]
        queue = client.get("/queue")
        assert queue.status_code == 200 and "AZ-ALAT-PCU" in queue.text
