"""Backups of PostgreSQL need pg_dump/pg_restore: found where Debian puts them, or a clear error."""

from __future__ import annotations

from pathlib import Path

import pytest

from corridor.db import backup
from corridor.domain.errors import ServiceUnavailable


def fake_program(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\n", encoding="utf-8")
    path.chmod(0o755)
    return path


def test_the_newest_debian_client_is_chosen_when_path_has_none(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.delenv("CORRIDOR_PG_BIN", raising=False)
    monkeypatch.setattr(backup, "DEBIAN_PG_LIB", tmp_path / "lib")
    fake_program(tmp_path / "lib" / "9" / "bin" / "pg_dump")
    newest = fake_program(tmp_path / "lib" / "15" / "bin" / "pg_dump")
    assert backup.pg_program("pg_dump") == str(newest)


def test_a_missing_client_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.setenv("CORRIDOR_PG_BIN", str(tmp_path / "nothing-here"))
    monkeypatch.setattr(backup, "DEBIAN_PG_LIB", tmp_path / "no-lib")
    with pytest.raises(
        ServiceUnavailable, match=r"pg_restore not found .* apt-get install postgresql-client"
    ):
        backup.pg_program("pg_restore")
