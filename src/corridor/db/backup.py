"""Back up a node (database + data-directory files) into one tar.gz, and restore it.

Archive layout (format corridor-backup/1):
  manifest.json               format, Corridor version, time, database kind, Alembic revisions,
                              row count per table, and the size and SHA-256 of every other member
  database/corridor.sqlite3   SQLite: a copy made with SQLite's online backup API (consistent while
                              the server writes)
  database/corridor.pgdump    PostgreSQL: `pg_dump -Fc` (one consistent snapshot)
  files/...                   every file of the data directory except the live SQLite database: node
                              keys, photos, attachments, model files, the risk policy

Restore checks the whole archive before it touches anything, refuses a database that holds rows unless
forced, then migrates an older backup up to this release's heads.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path, PurePosixPath
from typing import Any

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, inspect, text
from sqlalchemy.engine import URL

from corridor import __version__
from corridor.db.migrate import alembic_config, current_revisions, upgrade
from corridor.domain.errors import Conflict, CorridorError, InvalidInput, ServiceUnavailable

FORMAT = "corridor-backup/1"
MANIFEST = "manifest.json"
SQLITE_MEMBER = "database/corridor.sqlite3"
PG_MEMBER = "database/corridor.pgdump"
FILES = "files/"
ALEMBIC_TABLE = "alembic_version"
DEBIAN_PG_LIB = Path("/usr/lib/postgresql")
_CHUNK = 1024 * 1024


class BackupError(CorridorError):
    """The archive cannot be used: unreadable, tampered with, from a newer release or another database."""

    status = 422
    code = "invalid_backup"


@dataclass(frozen=True)
class RestoreReport:
    kind: str
    revisions_before_upgrade: list[str]
    revisions: list[str]
    row_counts: dict[str, int]
    files: int


# -- what is in a database ---------------------------------------------------------------------------


def backend(engine: Engine) -> str:
    name = engine.url.get_backend_name()
    if name not in ("sqlite", "postgresql"):
        raise InvalidInput(f"backups support SQLite and PostgreSQL, not {name}", where="database_url")
    return name


def table_counts(conn: Connection) -> dict[str, int]:
    """Rows per table (Alembic's bookkeeping table left out): the figure a restore is checked against."""
    names = sorted(n for n in inspect(conn).get_table_names() if n != ALEMBIC_TABLE)
    quote = conn.dialect.identifier_preparer.quote
    return {n: int(conn.execute(text(f"SELECT count(*) FROM {quote(n)}")).scalar_one()) for n in names}


def row_counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return table_counts(conn)


def _revisions(conn: Connection) -> list[str]:
    return sorted(MigrationContext.configure(conn).get_current_heads())


@lru_cache(maxsize=1)
def _seeded_counts() -> dict[str, int]:
    """The rows that migrations themselves insert (e.g. the exchange audit chain's head), on a fresh database."""
    from corridor.db.engine import make_engine

    with tempfile.TemporaryDirectory(prefix="corridor-empty-") as tmp:
        empty = make_engine(f"sqlite:///{Path(tmp) / 'empty.sqlite3'}")
        try:
            upgrade(empty)
            return row_counts(empty)
        finally:
            empty.dispose()


def holds_data(engine: Engine) -> bool:
    """More rows than a freshly migrated database has: a server that only migrated on start holds none."""
    seeded = _seeded_counts()
    return any(count > seeded.get(table, 0) for table, count in row_counts(engine).items())


def known_revisions(engine: Engine) -> set[str]:
    return {rev.revision for rev in ScriptDirectory.from_config(alembic_config(engine)).walk_revisions()}


# -- PostgreSQL client programs ----------------------------------------------------------------------


def pg_program(name: str) -> str:
    """pg_dump or pg_restore: $CORRIDOR_PG_BIN, then PATH, then Debian's /usr/lib/postgresql/*/bin (newest)."""
    configured = os.environ.get("CORRIDOR_PG_BIN")
    candidates = [Path(configured) / name] if configured else []
    found = shutil.which(name)
    if found:
        candidates.append(Path(found))
    if DEBIAN_PG_LIB.is_dir():
        by_version = sorted(
            DEBIAN_PG_LIB.glob(f"*/bin/{name}"), key=lambda p: p.parts[-3].zfill(4), reverse=True
        )
        candidates += by_version
    for candidate in candidates:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    raise ServiceUnavailable(
        f"{name} not found (looked in $CORRIDOR_PG_BIN, PATH and /usr/lib/postgresql/*/bin): install the "
        "PostgreSQL client of the server's major version or newer (Debian: apt-get install postgresql-client)",
        where=name,
    )


def _libpq(url: URL) -> tuple[str, dict[str, str]]:
    """A libpq URI without the password (it goes in PGPASSWORD, not on a command line)."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _run(command: list[str], env: dict[str, str], what: str) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise ServiceUnavailable(
            f"{what} failed (exit {done.returncode}): {done.stderr.strip()[-2000:]}", where=what
        )


# -- writing -----------------------------------------------------------------------------------------


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _sqlite_path(engine: Engine) -> Path:
    database = engine.url.database
    if not database or database == ":memory:":
        raise InvalidInput("an in-memory SQLite database cannot be backed up", where="database_url")
    return Path(database).resolve()


def _dump_database(engine: Engine, work: Path) -> tuple[str, Path, list[str], dict[str, int]]:
    """The dump, with the revisions and row counts of exactly the snapshot that was dumped."""
    if backend(engine) == "sqlite":
        target = work / "corridor.sqlite3"
        source = sqlite3.connect(_sqlite_path(engine))
        copy = sqlite3.connect(target)
        try:
            # The online backup API copies a consistent snapshot page by page while writers go on.
            source.backup(copy)
        finally:
            copy.close()
            source.close()
        snapshot = create_engine(f"sqlite:///{target}")
        try:
            with snapshot.connect() as conn:
                return SQLITE_MEMBER, target, _revisions(conn), table_counts(conn)
        finally:
            snapshot.dispose()
    target = work / "corridor.pgdump"
    uri, env = _libpq(engine.url)
    with engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn, conn.begin():
        # pg_dump reads the snapshot this transaction exported, so the counts describe the dump exactly.
        snapshot_id = str(conn.execute(text("SELECT pg_export_snapshot()")).scalar_one())
        revisions, counts = _revisions(conn), table_counts(conn)
        _run(
            [
                pg_program("pg_dump"),
                "-Fc",
                "--no-owner",
                "--no-privileges",
                f"--snapshot={snapshot_id}",
                "-f",
                str(target),
                uri,
            ],
            env,
            "pg_dump",
        )
    return PG_MEMBER, target, revisions, counts


def _data_files(data_dir: Path, exclude: set[Path]) -> Iterator[tuple[str, Path]]:
    if not data_dir.is_dir():
        return
    for path in sorted(data_dir.rglob("*")):
        if path.is_symlink() or not path.is_file() or path.resolve() in exclude:
            continue
        yield FILES + path.relative_to(data_dir).as_posix(), path


def create_backup(engine: Engine, data_dir: Path, target: Path) -> dict[str, Any]:
    """Write the archive to `target` (atomically: a temporary file renamed at the end); returns the manifest."""
    kind = backend(engine)
    target = target.resolve()
    exclude = {target}
    if kind == "sqlite":
        live = _sqlite_path(engine)
        exclude |= {live, *(live.with_name(live.name + s) for s in ("-wal", "-shm", "-journal"))}
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="corridor-backup-") as tmp:
        work = Path(tmp)
        db_member, db_file, revisions, counts = _dump_database(engine, work)
        members = [(db_member, db_file), *_data_files(data_dir.resolve(), exclude)]
        manifest: dict[str, Any] = {
            "format": FORMAT,
            "corridor_version": __version__,
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "database": {"kind": kind, "member": db_member, "revisions": revisions, "row_counts": counts},
            "members": {
                name: {"size": path.stat().st_size, "sha256": _sha256(path)} for name, path in members
            },
        }
        partial = target.with_name(target.name + ".partial")
        with tarfile.open(partial, "w:gz") as archive:
            data = json.dumps(manifest, indent=2, sort_keys=True).encode("utf-8")
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime, info.mode = len(data), int(datetime.now(UTC).timestamp()), 0o600
            archive.addfile(info, io.BytesIO(data))
            for name, path in members:
                archive.add(path, arcname=name, recursive=False)
        partial.replace(target)
    return manifest


# -- reading and checking ----------------------------------------------------------------------------


def _safe_name(name: str) -> PurePosixPath:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise BackupError(f"unsafe member name {name!r} in the archive", where=name)
    return path


def _load_manifest(raw: bytes, source: Path) -> dict[str, Any]:
    try:
        manifest = json.loads(raw)
    except ValueError as error:
        raise BackupError(f"{source}: manifest.json is not JSON ({error})", where=MANIFEST) from error
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{source}: not a Corridor backup (format must be {FORMAT})", where=MANIFEST)
    database = manifest.get("database")
    members = manifest.get("members")
    if (
        not isinstance(database, dict)
        or not isinstance(members, dict)
        or database.get("member") not in members
    ):
        raise BackupError(f"{source}: the manifest lacks its database or member list", where=MANIFEST)
    return manifest


def unpack(source: Path, into: Path) -> dict[str, Any]:
    """Extract and verify every member against the manifest; any difference refuses the whole archive."""
    if not source.is_file():
        raise InvalidInput(f"{source}: no such backup file", where=str(source))
    manifest: dict[str, Any] | None = None
    seen: dict[str, str] = {}
    try:
        with tarfile.open(source, "r:gz") as archive:
            for member in archive:
                safe = _safe_name(member.name)
                if not member.isfile():
                    raise BackupError(
                        f"{source}: member {member.name!r} is not a regular file", where=member.name
                    )
                handle = archive.extractfile(member)
                if handle is None:
                    raise BackupError(f"{source}: member {member.name!r} cannot be read", where=member.name)
                if member.name == MANIFEST:
                    manifest = _load_manifest(handle.read(), source)
                    continue
                target = into.joinpath(*safe.parts)
                target.parent.mkdir(parents=True, exist_ok=True)
                digest = hashlib.sha256()
                with target.open("wb") as out:
                    while chunk := handle.read(_CHUNK):
                        digest.update(chunk)
                        out.write(chunk)
                seen[member.name] = digest.hexdigest()
    except (tarfile.TarError, EOFError, OSError, UnicodeDecodeError) as error:
        raise BackupError(
            f"{source}: the archive is damaged or not a tar.gz ({error})", where=str(source)
        ) from error
    if manifest is None:
        raise BackupError(f"{source}: no manifest.json in the archive", where=MANIFEST)
    expected = {name: str(entry.get("sha256")) for name, entry in manifest["members"].items()}
    for name in sorted(set(expected) | set(seen)):
        if name not in seen:
            raise BackupError(f"{source}: {name} is listed in the manifest but missing", where=name)
        if name not in expected:
            raise BackupError(f"{source}: {name} is in the archive but not in the manifest", where=name)
        if seen[name] != expected[name]:
            raise BackupError(f"{source}: {name} does not match its SHA-256 in the manifest", where=name)
    return manifest


def _check_compatible(engine: Engine, manifest: dict[str, Any], source: Path) -> None:
    database = manifest["database"]
    kind = backend(engine)
    if database.get("kind") != kind:
        raise BackupError(
            f"{source}: a {database.get('kind')} backup cannot be restored into {kind}; "
            "restore it into the same kind of database",
            where="database.kind",
        )
    unknown = set(database.get("revisions") or []) - known_revisions(engine)
    if unknown:
        raise BackupError(
            f"{source}: made by a newer Corridor (revisions {', '.join(sorted(unknown))} are unknown to "
            f"{__version__}); restore it with that release or newer",
            where="database.revisions",
        )


# -- restoring ---------------------------------------------------------------------------------------


def _restore_sqlite(engine: Engine, dump: Path) -> None:
    engine.dispose()
    live = _sqlite_path(engine)
    live.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(dump)
    target = sqlite3.connect(live)
    try:
        # Backing up *into* the live file replaces its pages under SQLite's own locking (WAL stays coherent).
        source.backup(target)
    finally:
        target.close()
        source.close()


def _restore_postgres(engine: Engine, dump: Path) -> None:
    with engine.begin() as conn:
        # Empty the schema first: objects that a later migration added are not in an older dump.
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    uri, env = _libpq(engine.url)
    _run(
        [
            pg_program("pg_restore"),
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            "-d",
            uri,
            str(dump),
        ],
        env,
        "pg_restore",
    )


def _archived_files(extracted: Path) -> list[tuple[Path, Path]]:
    """(file in the extracted archive, its path relative to the data directory)."""
    root = extracted / FILES.rstrip("/")
    if not root.is_dir():
        return []
    return [(p, p.relative_to(root)) for p in sorted(root.rglob("*")) if p.is_file()]


def _check_file_clashes(files: list[tuple[Path, Path]], data_dir: Path) -> None:
    clashes = [
        relative.as_posix()
        for path, relative in files
        if (data_dir / relative).is_file() and _sha256(data_dir / relative) != _sha256(path)
    ]
    if clashes:
        raise Conflict(
            f"{len(clashes)} file(s) in {data_dir} differ from the backup (e.g. {clashes[0]}); "
            "use --force to overwrite them",
            where=str(data_dir),
        )


def _copy_files(files: list[tuple[Path, Path]], data_dir: Path) -> None:
    for path, relative in files:
        target = data_dir / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)


def restore_backup(engine: Engine, data_dir: Path, source: Path, *, force: bool = False) -> RestoreReport:
    """Restore the archive into `engine` and `data_dir`, then upgrade the schema to this release's heads."""
    with tempfile.TemporaryDirectory(prefix="corridor-restore-") as tmp:
        extracted = Path(tmp)
        manifest = unpack(source, extracted)
        _check_compatible(engine, manifest, source)
        if not force and holds_data(engine):
            raise Conflict(
                f"{engine.url.render_as_string(hide_password=True)} already holds data; "
                "restoring would replace it: use --force (after a backup of it)",
                where="database",
            )
        files = _archived_files(extracted)
        if not force:
            _check_file_clashes(files, data_dir)
        # Every refusal comes before this point: from here on the database, then the files, are replaced.
        database = manifest["database"]
        dump = extracted.joinpath(*PurePosixPath(database["member"]).parts)
        if database["kind"] == "sqlite":
            _restore_sqlite(engine, dump)
        else:
            _restore_postgres(engine, dump)
        restored = row_counts(engine)
        expected = {str(k): int(v) for k, v in (database.get("row_counts") or {}).items()}
        differing = sorted(t for t in expected if restored.get(t) != expected[t])
        if differing:
            raise BackupError(
                f"{source}: after restore, row counts differ from the manifest in {', '.join(differing)}",
                where="database.row_counts",
            )
        _copy_files(files, data_dir)
    before = sorted(current_revisions(engine))
    upgrade(engine)
    return RestoreReport(database["kind"], before, sorted(current_revisions(engine)), restored, len(files))
