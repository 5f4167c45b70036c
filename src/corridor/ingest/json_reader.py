"""Corridor JSON: one consignment, a list of them, {"consignments": [...]}, or JSON Lines.

Top-level arrays are decoded element by element from a sliding buffer, so a file of a million
consignments is never held in memory whole. A JSON syntax error ends the file (the position is
reported); a schema error rejects only its own element.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from corridor.domain.consignment import Consignment
from corridor.ingest import limits
from corridor.ingest.base import (
    Parsed,
    ReadItem,
    ReadOptions,
    Rejection,
    excerpt_of,
    rejections_from_validation,
)

_CHUNK = 1 << 20
_DECODER = json.JSONDecoder()
_WS = " \t\r\n"


class JsonReader:
    format = "json"

    def read(self, path: Path, display_name: str, options: ReadOptions) -> Iterator[ReadItem]:
        with path.open("r", encoding=options.encoding or "utf-8-sig", errors="replace") as fh:
            head = fh.read(4096)
            fh.seek(0)
            stripped = head.lstrip(_WS)
            if stripped.startswith("[") or stripped.startswith('{"consignments"'):
                yield from self._stream_array(fh, display_name)
            elif self._looks_like_lines(head):
                yield from self._lines(fh, display_name)
            elif (size := path.stat().st_size) > limits.MAX_JSON_DOCUMENT_BYTES:
                yield Rejection(
                    display_name,
                    "file",
                    None,
                    f"the JSON document is {size} bytes, above the {limits.MAX_JSON_DOCUMENT_BYTES}-byte "
                    "limit for a document that is not an array (send an array or JSON Lines)",
                    "too_large",
                )
            else:
                yield from self._whole(fh.read(), display_name)

    @staticmethod
    def _looks_like_lines(head: str) -> bool:
        lines = [ln for ln in head.splitlines() if ln.strip()]
        return len(lines) > 1 and all(ln.lstrip().startswith("{") for ln in lines[:-1])

    def _whole(self, text: str, file: str) -> Iterator[ReadItem]:
        try:
            doc = limits.loads(text, limit=None)  # depth is checked per consignment in one()
        except json.JSONDecodeError as err:
            yield Rejection(
                file, f"line {err.lineno}, column {err.colno}", None, f"invalid JSON: {err.msg}", "bad_json"
            )
            return
        except limits.TooDeep:
            yield Rejection(file, "file", None, f"invalid JSON: {limits.TooDeep()}", "too_deep")
            return
        if isinstance(doc, dict) and isinstance(doc.get("consignments"), list):
            doc = doc["consignments"]
        items = doc if isinstance(doc, list) else [doc]
        for index, item in enumerate(items):
            yield self.one(item, file, f"element [{index}]")

    def _lines(self, fh: Any, file: str) -> Iterator[ReadItem]:
        for number, line in enumerate(_bounded_lines(fh, limits.MAX_JSON_ELEMENT_BYTES), start=1):
            if line is None:
                yield Rejection(
                    file,
                    f"line {number}",
                    None,
                    f"the line is longer than {limits.MAX_JSON_ELEMENT_BYTES} characters",
                    "too_large",
                )
                continue
            if not line.strip():
                continue
            try:
                item = limits.loads(line, limit=None)
            except limits.TooDeep as err:
                yield Rejection(file, f"line {number}", None, f"invalid JSON: {err}", "too_deep", excerpt_of(line))
                continue
            except json.JSONDecodeError as err:
                yield Rejection(
                    file,
                    f"line {number}, column {err.colno}",
                    None,
                    f"invalid JSON: {err.msg}",
                    "bad_json",
                    excerpt_of(line),
                )
                continue
            yield self.one(item, file, f"line {number}")

    def _stream_array(self, fh: Any, file: str) -> Iterator[ReadItem]:
        buffer = fh.read(_CHUNK)
        eof = len(buffer) < _CHUNK
        line = 1
        pos = len(buffer) - len(buffer.lstrip(_WS))
        line += buffer.count("\n", 0, pos)
        if buffer.startswith("{", pos):
            # {"consignments": [ ... ]}: step inside the array.
            start = buffer.find("[", pos)
            if start < 0:
                yield from self._whole(buffer + fh.read(), file)
                return
            line += buffer.count("\n", pos, start)
            pos = start
        pos += 1  # past "["
        index = 0
        while True:
            # Skip separators; refill the buffer when we run out.
            while True:
                while pos < len(buffer) and buffer[pos] in _WS + ",":
                    if buffer[pos] == "\n":
                        line += 1
                    pos += 1
                if pos < len(buffer) or eof:
                    break
                more = fh.read(_CHUNK)
                eof = len(more) < _CHUNK
                buffer, pos = buffer[pos:] + more, 0
            if pos >= len(buffer) or buffer[pos] == "]":
                return
            try:
                item, end = limits.raw_decode(_DECODER, buffer, pos, limit=None)
            except limits.TooDeep as err:
                yield Rejection(
                    file,
                    f"element [{index}], line {line}",
                    None,
                    f"invalid JSON: {err}; the rest of the file was not read",
                    "too_deep",
                )
                return
            except json.JSONDecodeError as err:
                if not eof and len(buffer) - pos > limits.MAX_JSON_ELEMENT_BYTES:
                    yield Rejection(
                        file,
                        f"element [{index}], line {line}",
                        None,
                        f"the element is longer than {limits.MAX_JSON_ELEMENT_BYTES} characters; "
                        "the rest of the file was not read",
                        "too_large",
                    )
                    return
                if not eof:
                    more = fh.read(_CHUNK)
                    eof = len(more) < _CHUNK
                    buffer, pos = buffer[pos:] + more, 0
                    continue
                err_line = line + buffer.count("\n", pos, err.pos)
                yield Rejection(
                    file,
                    f"element [{index}], line {err_line}",
                    None,
                    f"invalid JSON: {err.msg}; the rest of the file was not read",
                    "bad_json",
                )
                return
            yield self.one(item, file, f"element [{index}], line {line}")
            line += buffer.count("\n", pos, end)
            pos = end
            index += 1
            if pos > _CHUNK and not eof:
                more = fh.read(_CHUNK)
                eof = len(more) < _CHUNK
                buffer, pos = buffer[pos:] + more, 0

    @staticmethod
    def one(item: Any, file: str, location: str) -> ReadItem:
        if not isinstance(item, dict):
            return Rejection(
                file, location, None, f"expected a consignment object, got {type(item).__name__}", "bad_json"
            )
        try:
            limits.check_depth(item)
        except limits.TooDeep as err:
            return Rejection(file, location, None, f"the consignment is {err}", "too_deep")
        excerpt = excerpt_of(json.dumps(item, ensure_ascii=False))
        try:
            data = dict(item)
            data.pop("warnings", None)
            data["provenance"] = {
                **(data.get("provenance") or {}),
                "format": "json",
                "file": file,
                "location": location,
            }
            consignment = Consignment.model_validate(data)
        except ValidationError as err:
            rejections = rejections_from_validation(err, file=file, location=location, excerpt=excerpt)
            return rejections[0] if len(rejections) == 1 else _merge(rejections)
        except (TypeError, ValueError) as err:
            return Rejection(file, location, None, str(err), "invalid", excerpt)
        return Parsed(consignment, location)


def _merge(rejections: list[Rejection]) -> Rejection:
    first = rejections[0]
    reasons = "; ".join(f"{r.field}: {r.reason}" for r in rejections[:10])
    fields = ", ".join(r.field or "?" for r in rejections[:10])
    return Rejection(first.file, first.location, fields, reasons, first.code, first.excerpt)


def _bounded_lines(fh: Any, limit: int) -> Iterator[str | None]:
    """The lines of a text file; None for a line longer than `limit`, which is skipped unread."""
    while True:
        line = fh.readline(limit + 1)
        if not line:
            return
        if len(line) > limit and not line.endswith("\n"):
            while (rest := fh.readline(limit)) and not rest.endswith("\n"):
                pass
            yield None
            continue
        yield line
