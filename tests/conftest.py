"""Shared fixtures: where the shared reference data is (read from there, never copied)."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(
    __import__("os").environ.get("CORRIDOR_SHARED_DATA", str(ROOT.parent / "shared" / "data"))
)


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.fail(f"shared data folder not found at {SHARED_DATA} (set CORRIDOR_SHARED_DATA)")
    return SHARED_DATA


@pytest.fixture(scope="session")
def messages_dir(shared_data: Path) -> Path:
    return shared_data / "messages"
