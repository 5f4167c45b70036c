"""requirements.lock pins every dependency pyproject.toml names (runtime and `dev`), each with hashes.

A dependency added to pyproject.toml without re-locking would be missing from `make install` (which
installs the lock, then the project with --no-deps): this fails first, and says what to run.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]
LOCK = ROOT / "requirements.lock"
RELOCK = "run `make lock` (scripts/lock.sh) and commit requirements.lock"
PIN = re.compile(
    r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)((?:\s*\\\n\s+--hash=sha256:[0-9a-f]{64})*)", re.MULTILINE
)


def declared() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return [Requirement(r) for r in [*project["dependencies"], *project["optional-dependencies"]["dev"]]]


def pins() -> dict[str, tuple[Version, str]]:
    found: dict[str, tuple[Version, str]] = {}
    for name, version, hashes in PIN.findall(LOCK.read_text(encoding="utf-8")):
        found[canonicalize_name(name)] = (Version(version), hashes)
    return found


def test_lock_is_generated_by_the_lock_command() -> None:
    assert LOCK.is_file(), f"requirements.lock is missing: {RELOCK}"
    assert "scripts/lock.sh" in LOCK.read_text(encoding="utf-8")[:300], (
        f"lock not made by the script: {RELOCK}"
    )


def test_every_declared_dependency_is_pinned_in_the_lock() -> None:
    locked = pins()
    missing = [str(r) for r in declared() if canonicalize_name(r.name) not in locked]
    assert not missing, f"in pyproject.toml but not in requirements.lock: {', '.join(missing)}: {RELOCK}"


def test_every_pin_satisfies_the_declared_range() -> None:
    locked = pins()
    stale = [
        f"{r} (locked {locked[canonicalize_name(r.name)][0]})"
        for r in declared()
        if canonicalize_name(r.name) in locked
        and not r.specifier.contains(locked[canonicalize_name(r.name)][0], prereleases=True)
    ]
    assert not stale, f"requirements.lock pins outside pyproject.toml's ranges: {', '.join(stale)}: {RELOCK}"


def test_every_pin_has_a_hash() -> None:
    locked = pins()
    assert len(locked) > 50, "requirements.lock holds too few pins to be the full environment"
    unhashed = sorted(name for name, (_, hashes) in locked.items() if "--hash=sha256:" not in hashes)
    assert not unhashed, f"pins without --hash: {', '.join(unhashed)}: {RELOCK}"
