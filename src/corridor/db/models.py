"""Every ORM model module, imported so that the metadata is complete for migrations and checks.

Each domain package that has tables keeps them in its own `models.py`; they are found here by
walking the `corridor` package, so adding a package never means editing a shared list.
"""

from __future__ import annotations

import importlib
import importlib.util
import pkgutil

import corridor
from corridor.db.base import Base


def _import_model_modules() -> list[str]:
    found = []
    for info in sorted(pkgutil.iter_modules(corridor.__path__), key=lambda i: i.name):
        if not info.ispkg or info.name == "db":
            continue
        name = f"corridor.{info.name}.models"
        if importlib.util.find_spec(name) is not None:
            importlib.import_module(name)
            found.append(name)
    return found


MODEL_MODULES = _import_model_modules()
metadata = Base.metadata
