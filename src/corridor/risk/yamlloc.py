"""YAML (and JSON, a subset of it) read with the line of every value, so errors can name the line.

`load_located(text)` returns the documents as plain Python values plus, for each, a map from the
path of every mapping key / sequence item to its 1-based line. Duplicate keys, which YAML would
silently overwrite, are errors here: in a risk profile the second value would hide the first.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

Path = tuple[str | int, ...]


class YamlError(ValueError):
    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass(slots=True)
class Located:
    value: Any
    lines: dict[Path, int]
    start_line: int

    def line_of(self, path: Path) -> int:
        """The line of the deepest known prefix of `path` (a missing key points at its parent)."""
        for end in range(len(path), -1, -1):
            found = self.lines.get(tuple(path[:end]))
            if found is not None:
                return found
        return self.start_line


def _convert(node: yaml.Node, path: Path, lines: dict[Path, int], loader: yaml.SafeLoader) -> Any:
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            if not isinstance(key, str | int | float | bool):
                raise YamlError("a mapping key must be a plain value", key_node.start_mark.line + 1)
            key_text = str(key).lower() if isinstance(key, bool) else str(key)
            if key_text in out:
                raise YamlError(f"key {key_text!r} appears twice", key_node.start_mark.line + 1)
            lines[(*path, key_text)] = key_node.start_mark.line + 1
            out[key_text] = _convert(value_node, (*path, key_text), lines, loader)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_convert(item, (*path, i), lines, loader) for i, item in enumerate(node.value)]
    value = loader.construct_object(node, deep=True)
    if isinstance(node, yaml.ScalarNode) and node.style is None:
        # YAML 1.1 reads NO (Norway) and ON as booleans and 0401 (an HS heading) as octal: keep the text.
        if isinstance(value, bool) and node.value.lower() not in ("true", "false"):
            return node.value
        if (
            isinstance(value, int)
            and not isinstance(value, bool)
            and node.value.startswith("0")
            and node.value != "0"
        ):
            return node.value
    return value


def load_located(text: str) -> list[Located]:
    try:
        nodes = list(yaml.compose_all(text, Loader=yaml.SafeLoader))
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else None
        raise YamlError(f"not valid YAML/JSON: {error.problem or error}", line) from None
    except yaml.YAMLError as error:  # the reader refuses control characters before any mark exists
        raise YamlError(f"not valid YAML/JSON: {error}", None) from None
    loader = yaml.SafeLoader("")
    docs: list[Located] = []
    for node in nodes:
        if node is None:
            continue
        lines: dict[Path, int] = {}
        value = _convert(node, (), lines, loader)
        docs.append(Located(value, lines, node.start_mark.line + 1))
    return docs
