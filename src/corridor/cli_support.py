"""What every CLI command shares: JSON or table output, error exits, progress on stderr."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence
from functools import wraps
from typing import Any, ParamSpec, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from corridor.domain.errors import CorridorError

out = Console()
err = Console(stderr=True)
P = ParamSpec("P")
R = TypeVar("R")

EXIT_OK = 0
EXIT_REJECTED = 1
EXIT_USAGE = 2


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


def print_table(title: str | None, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    table = Table(title=title, show_lines=False, header_style="bold")
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*["" if v is None else str(v) for v in row])
    out.print(table)


def handles_errors(fn: Callable[P, R]) -> Callable[P, R]:
    """Corridor errors become a one-line message on stderr and exit status 2 (usage) or 1."""

    @wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except CorridorError as error:
            where = f" ({error.where})" if error.where else ""
            err.print(f"[red]error[/red] {error.code}: {error.detail}{where}")
            raise typer.Exit(EXIT_USAGE if error.status in (400, 404, 415, 422) else EXIT_REJECTED) from None

    return wrapper
