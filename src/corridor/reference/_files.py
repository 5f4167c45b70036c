"""Where the packaged reference files are."""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def data_path(name: str) -> Path:
    return Path(str(resources.files("corridor.reference").joinpath("data", name)))
