"""`corridor db backup` / `restore`: a wrecked node comes back whole, a damaged archive is refused."""

from __future__ import annotations

import gzip
import io
import json
import tarfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from corridor.accounts.models import UserRow
from corridor.accounts.service import NewUser, create_user, ensure_agency
from corridor.db.backup import BackupError, create_backup, restore_backup, row_counts
from corridor.db.engine import make_engine
from corridor.db.migrate import current_revisions, upgrade
from corridor.db.ready import head_revisions
from corridor.demo.generator import generate
from corridor.demo.writers import write_file
from corridor.domain.errors import Conflict
from corridor.ingest.service import ingest_paths
from tests.dbs import postgres_database, require_postgres

# Stand-ins for what a node keeps beside its database: a key generation and a content-addressed photo.
DATA_FILES = {
    "exchange/keys/k1.json": b'{"kid": "k1", "private": "not-a-real-key"}',
    "photos/ab/ab12.jpg": b"\xff\xd8\xff\xe0" + bytes(range(256)) * 4,
}


def populate(engine: Engine, data_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "demo.jsonl"
    write_file(generate(40, seed=7), path, "jsonl")
    report = ingest_paths(engine, [path], origin="demo")
    assert report.total("accepted") == 40
    with Session(engine) as session:
        ensure_agency(session, "AZ-SCS", "State Customs Committee")
        create_user(session, NewUser("restore.check", "a-long-enough-password", "administrator", "AZ-SCS"))
        session.commit()
    for name, data in DATA_FILES.items():
        (data_dir / name).parent.mkdir(parents=True, exist_ok=True)
        (data_dir / name).write_bytes(data)


def records(engine: Engine) -> dict[str, object]:
    """A few records compared field by field, beside the row counts of every table."""
    with Session(engine) as session:
        users = session.scalars(select(UserRow).order_by(UserRow.username)).all()
        with engine.connect() as conn:
            consignments = (
                conn.execute(text("SELECT * FROM consignments ORDER BY id LIMIT 5")).mappings().all()
            )
        return {
            "users": [(u.username, u.password_hash, u.role) for u in users],
            "consignments": [dict(row) for row in consignments],
        }


def wreck(engine: Engine, data_dir: Path) -> None:
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM users WHERE username = 'restore.check'"))
        conn.execute(text("DROP TABLE consignment_versions"))
    for name in DATA_FILES:
        (data_dir / name).unlink()


def test_backup_then_restore_over_a_wrecked_database(engine: Engine, tmp_path: Path) -> None:
    data_dir = tmp_path / "var"
    populate(engine, data_dir, tmp_path)
    counts, before = row_counts(engine), records(engine)
    assert counts["consignments"] == 40 and counts["users"] == 1
    archive = tmp_path / "backups" / "node.tar.gz"

    manifest = create_backup(engine, data_dir, archive)

    assert manifest["database"]["row_counts"] == counts
    assert set(manifest["database"]["revisions"]) == head_revisions(engine)
    assert {f"files/{n}" for n in DATA_FILES} <= set(manifest["members"])
    wreck(engine, data_dir)
    with pytest.raises(Conflict, match="already holds data"):
        restore_backup(engine, data_dir, archive)

    report = restore_backup(engine, data_dir, archive, force=True)

    assert row_counts(engine) == counts == report.row_counts
    assert records(engine) == before
    assert current_revisions(engine) == head_revisions(engine)
    for name, data in DATA_FILES.items():
        assert (data_dir / name).read_bytes() == data


def _rewrite(archive: Path, target: Path, member: str, data: bytes) -> None:
    """Copy the archive with one member's content replaced (the manifest left as it was)."""
    with tarfile.open(archive, "r:gz") as src, tarfile.open(target, "w:gz") as out:
        for info in src:
            content = src.extractfile(info)
            assert content is not None
            body = data if info.name == member else content.read()
            info.size = len(body)
            out.addfile(info, io.BytesIO(body))


def test_a_damaged_or_tampered_archive_is_refused_before_anything_changes(tmp_path: Path) -> None:
    # The archive is checked before either kind of database is touched, so SQLite stands for both here.
    data_dir = tmp_path / "var"
    with _engine_at("sqlite", tmp_path, "node.sqlite3", "heads") as engine:
        _refuses_damaged_archives(engine, data_dir, tmp_path)


def _refuses_damaged_archives(engine: Engine, data_dir: Path, tmp_path: Path) -> None:
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO agencies (code, name) VALUES ('AZ-SCS', 'State Customs')"))
    for name, data in DATA_FILES.items():
        (data_dir / name).parent.mkdir(parents=True, exist_ok=True)
        (data_dir / name).write_bytes(data)
    archive = tmp_path / "node.tar.gz"
    create_backup(engine, data_dir, archive)
    counts = row_counts(engine)

    truncated = tmp_path / "truncated.tar.gz"
    truncated.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    with pytest.raises(BackupError, match="damaged or not a tar.gz"):
        restore_backup(engine, data_dir, truncated, force=True)

    tampered = tmp_path / "tampered.tar.gz"
    _rewrite(archive, tampered, "files/photos/ab/ab12.jpg", b"\xff\xd8 someone else's photo")
    with pytest.raises(BackupError, match=r"files/photos/ab/ab12.jpg does not match its SHA-256"):
        restore_backup(engine, data_dir, tampered, force=True)

    foreign = tmp_path / "foreign.tar.gz"
    _rewrite(archive, foreign, "manifest.json", json.dumps({"format": "something-else/9"}).encode())
    with pytest.raises(BackupError, match="not a Corridor backup"):
        restore_backup(engine, data_dir, foreign, force=True)

    with tarfile.open(archive, "r:gz") as src:
        handle = src.extractfile("manifest.json")
        assert handle is not None
        manifest = json.loads(handle.read())
    newer = tmp_path / "newer.tar.gz"
    manifest["database"]["revisions"] = [*manifest["database"]["revisions"], "9001"]
    _rewrite(archive, newer, "manifest.json", json.dumps(manifest).encode())
    with pytest.raises(BackupError, match="made by a newer Corridor .*9001"):
        restore_backup(engine, data_dir, newer, force=True)

    other_kind = tmp_path / "postgres.tar.gz"
    manifest["database"]["kind"] = "postgresql"
    _rewrite(archive, other_kind, "manifest.json", json.dumps(manifest).encode())
    with pytest.raises(BackupError, match="a postgresql backup cannot be restored into sqlite"):
        restore_backup(engine, data_dir, other_kind, force=True)

    not_tar = tmp_path / "notes.tar.gz"
    not_tar.write_bytes(gzip.compress(b"just some text"))
    with pytest.raises(BackupError, match="damaged or not a tar.gz"):
        restore_backup(engine, data_dir, not_tar, force=True)

    assert row_counts(engine) == counts


@contextmanager
def _engine_at(kind: str, tmp_path: Path, name: str, revision: str | None) -> Iterator[Engine]:
    if kind == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / name}")
        if revision:
            upgrade(engine, revision)
        yield engine
        engine.dispose()
        return
    require_postgres()
    with postgres_database() as url:
        engine = make_engine(url)
        if revision:
            upgrade(engine, revision)
        yield engine
        engine.dispose()


# The empty target: a new database, or one that a server migrated on start (no --force needed).
@pytest.mark.parametrize(("kind", "target"), [("sqlite", None), ("sqlite", "heads"), ("postgres", None)])
def test_an_older_backup_is_upgraded_after_restore_into_an_empty_database(
    kind: str, target: str | None, tmp_path: Path
) -> None:
    with _engine_at(kind, tmp_path, "old.sqlite3", "0010") as old:
        with old.begin() as conn:
            conn.execute(text("INSERT INTO agencies (code, name) VALUES ('AZ-SCS', 'State Customs')"))
        key = "exchange/keys/k1.json"
        (tmp_path / "old-var" / key).parent.mkdir(parents=True)
        (tmp_path / "old-var" / key).write_bytes(DATA_FILES[key])
        archive = tmp_path / "old.tar.gz"
        create_backup(old, tmp_path / "old-var", archive)
    with _engine_at(kind, tmp_path, "new.sqlite3", target) as fresh:
        # A data file that differs from the archive's is not overwritten silently, and nothing changes.
        (tmp_path / "new-var" / key).parent.mkdir(parents=True)
        (tmp_path / "new-var" / key).write_bytes(b'{"kid": "k1", "private": "the new node\'s own key"}')
        with pytest.raises(
            Conflict, match=r"1 file\(s\) .* differ from the backup \(e.g. exchange/keys/k1.json\)"
        ):
            restore_backup(fresh, tmp_path / "new-var", archive)
        assert sorted(current_revisions(fresh)) == ([] if target is None else sorted(head_revisions(fresh)))

        report = restore_backup(fresh, tmp_path / "new-var", archive, force=True)

        assert (tmp_path / "new-var" / key).read_bytes() == DATA_FILES[key] and report.files == 1
        assert report.revisions_before_upgrade == ["0010"]
        assert set(report.revisions) == head_revisions(fresh) == current_revisions(fresh)
        with fresh.connect() as conn:
            assert conn.execute(text("SELECT name FROM agencies WHERE code = 'AZ-SCS'")).scalar_one() == (
                "State Customs"
            )


def test_the_db_backup_and_restore_commands(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from corridor.cli import app
    from corridor.db.engine import get_engine

    runner = CliRunner()
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    with get_engine().begin() as conn:
        conn.execute(text("INSERT INTO agencies (code, name) VALUES ('AZ-SCS', 'State Customs')"))
    archive = tmp_path / "node.tar.gz"

    made = runner.invoke(app, ["db", "backup", str(archive), "--json"])
    assert made.exit_code == 0, made.output
    assert json.loads(made.stdout)["database"]["row_counts"]["agencies"] == 1

    refused = runner.invoke(app, ["db", "restore", str(archive)])
    assert refused.exit_code == 1 and "already holds data" in refused.output and "--force" in refused.output
    restored = runner.invoke(app, ["db", "restore", str(archive), "--force", "--json"])
    assert restored.exit_code == 0, restored.output
    assert json.loads(restored.stdout)["row_counts"]["agencies"] == 1

    damaged = tmp_path / "damaged.tar.gz"
    damaged.write_bytes(archive.read_bytes()[:-100])
    failed = runner.invoke(app, ["db", "restore", str(damaged), "--force"])
    assert failed.exit_code == 2 and "damaged or not a tar.gz" in failed.output


def test_a_backup_taken_while_rows_are_written_is_one_consistent_snapshot(
    engine: Engine, tmp_path: Path
) -> None:
    import threading

    stop = threading.Event()
    written: list[int] = []

    def writer() -> None:
        # Its own connection, committing row after row, like a server ingesting during the backup.
        while not stop.is_set():
            with engine.begin() as conn:
                conn.execute(
                    text("INSERT INTO agencies (code, name) VALUES (:c, 'busy')"), {"c": f"A{len(written)}"}
                )
            written.append(1)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        while len(written) < 20:
            stop.wait(0.01)
        manifest = create_backup(engine, tmp_path / "var", tmp_path / "busy.tar.gz")
        at_backup = len(written)
        while len(written) < at_backup + 20:
            stop.wait(0.01)
    finally:
        stop.set()
        thread.join()
    assert 0 < manifest["database"]["row_counts"]["agencies"] < row_counts(engine)["agencies"]

    # Restore checks the restored rows against the counts in the manifest: they describe the same snapshot.
    report = restore_backup(engine, tmp_path / "var", tmp_path / "busy.tar.gz", force=True)
    assert report.row_counts == manifest["database"]["row_counts"]
