"""Every `corridor ...` command shown in the user guides exists, with the options it is shown with.

The commands are parsed, not run: the test resolves the sub-command path in the CLI and checks each
`--option` against it, so a renamed command or option in the code fails here before a user trips.
"""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Any

import pytest
import typer

from corridor.cli import app

ROOT = Path(__file__).resolve().parents[2]
GUIDES = ["docs/exchange.md"]


def _commands(text: str) -> list[str]:
    lines: list[str] = []
    in_block = False
    pending = ""
    for raw in text.splitlines():
        if raw.startswith("```"):
            in_block = not in_block
            continue
        if not in_block:
            continue
        line = raw.split("#", 1)[0].rstrip() if not raw.lstrip().startswith("--") else raw.rstrip()
        line = pending + line.strip() if pending else line.strip()
        if line.endswith("\\"):
            pending = line[:-1] + " "
            continue
        pending = ""
        if line.startswith("corridor "):
            lines.append(line)
    return lines


def _is_group(command: Any) -> bool:
    # Typer vendors its own click: recognise a group by what it does, not by its class.
    return hasattr(command, "list_commands")


def _check(command: Any, argv: list[str]) -> None:
    words = argv[1:]
    path = ["corridor"]
    while _is_group(command) and words and not words[0].startswith("-"):
        sub = command.commands.get(words[0])
        assert sub is not None, f"{' '.join(path)} has no sub-command {words[0]!r}"
        path.append(words.pop(0))
        command = sub
    assert not _is_group(command), f"{' '.join(path)} needs a sub-command"
    known = {opt for p in command.params for opt in (*p.opts, *p.secondary_opts)}
    for word in words:
        if word.startswith("--"):
            option = word.split("=", 1)[0]
            assert option in known, f"`{' '.join(path)}` has no option {option} (known: {sorted(known)})"


@pytest.mark.parametrize("guide", GUIDES)
def test_every_command_in_the_guide_exists(guide: str) -> None:
    commands = _commands((ROOT / guide).read_text(encoding="utf-8"))
    assert len(commands) >= 10, f"{guide}: expected the guide's command examples, found {len(commands)}"
    root = typer.main.get_command(app)
    for line in commands:
        _check(root, shlex.split(line))
