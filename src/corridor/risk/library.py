"""Profile and list files: the packaged starter library, directories of YAML/JSON, and export."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from importlib import resources
from pathlib import Path

import yaml

from corridor.domain.errors import InvalidInput
from corridor.risk.language import Profile, RawDocuments, parse_profiles, read_documents
from corridor.risk.lists import NamedList, builtin_lists

SUFFIXES = (".yaml", ".yml", ".json")


def starter_files() -> list[tuple[str, str]]:
    """(name, text) of every file of the starter library, lists first."""
    root = resources.files("corridor.risk").joinpath("library")
    files = sorted(
        (p for p in root.iterdir() if p.name.endswith(SUFFIXES)),
        key=lambda p: (p.name != "lists.yaml", p.name),
    )
    return [(f"library/{p.name}", p.read_text(encoding="utf-8")) for p in files]


def read_paths(paths: Iterable[Path]) -> RawDocuments:
    """Every document of the files given, or of the YAML/JSON files under the directories given."""
    raw = RawDocuments()
    for path in paths:
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.suffix.lower() in SUFFIXES and p.is_file())
            if not files:
                raise InvalidInput(f"no .yaml, .yml or .json files in {path}", where=str(path))
        elif path.is_file():
            files = [path]
        else:
            raise InvalidInput(f"no such file or directory: {path}", where=str(path))
        for f in files:
            try:
                text = f.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as error:
                raise InvalidInput(f"cannot read {f}: {error}", where=str(f)) from None
            read_documents(text, str(f), raw)
    return raw


def read_starter() -> RawDocuments:
    raw = RawDocuments()
    for name, text in starter_files():
        read_documents(text, name, raw)
    return raw


def starter_lists() -> dict[str, NamedList]:
    return {doc.name: doc.to_list() for doc, _loc, _src in read_starter().lists}


def load_profiles(
    paths: Iterable[Path], lists: Mapping[str, NamedList] | None = None, *, with_starter_lists: bool = True
) -> tuple[list[Profile], dict[str, NamedList]]:
    """Profiles and lists of files; lists come from (in increasing precedence) the packaged lists,
    the starter library's lists, `lists` (e.g. the database) and the files themselves."""
    raw = read_paths(paths)
    every = dict(builtin_lists())
    if with_starter_lists:
        every.update(starter_lists())
    every.update(lists or {})
    profiles = parse_profiles(raw, every)
    for doc, _loc, _src in raw.lists:
        every[doc.name] = doc.to_list()
    return profiles, every


def load_starter() -> tuple[list[Profile], dict[str, NamedList]]:
    raw = read_starter()
    every = dict(builtin_lists())
    profiles = parse_profiles(raw, every)
    for doc, _loc, _src in raw.lists:
        every[doc.name] = doc.to_list()
    return profiles, every


def dump_document(document: dict[str, object]) -> str:
    """A stored document back to YAML, keys in the order an analyst reads them."""
    order = [
        "kind",
        "id",
        "name",
        "title",
        "owner",
        "weight",
        "lane",
        "status",
        "threat",
        "valid_from",
        "valid_to",
        "list_kind",
        "description",
        "rationale",
        "tags",
        "items",
        "when",
    ]
    ordered = {k: document[k] for k in order if k in document and document[k] not in (None, [], "")}
    ordered.update({k: v for k, v in document.items() if k not in ordered and v not in (None, [], "")})
    return yaml.safe_dump(ordered, sort_keys=False, allow_unicode=True, width=110)
