"""Size and depth limits shared by every parser of outside input, and the helpers that enforce them.

Files arrive from traders, partner administrations, sanctions publishers and AIS receivers; a file
crafted (or broken) to be very deep or very large must end in a clear, located refusal, never in a
RecursionError, a parser exception or an exhausted machine. Real inputs stay far below these limits:
a WCO declaration is about 10 elements deep, a Corridor JSON consignment 5, an NMEA sentence 82
characters, an EDIFACT segment a few dozen elements.
"""

from __future__ import annotations

import csv
import json
import zipfile
from collections.abc import Iterable, Iterator
from typing import IO, Any

MAX_JSON_DEPTH = 64
"""Nesting of arrays and objects in one JSON document or element."""
MAX_JSON_DOCUMENT_BYTES = 64 * 1024 * 1024
"""A JSON file that is not a streamable array (one object) is read whole, so it is bounded."""
MAX_JSON_ELEMENT_BYTES = 16 * 1024 * 1024
"""One element of a streamed JSON array, or one line of JSON Lines."""
MAX_XML_DEPTH = 100
"""Element nesting in XML (WCO DM, IATA Cargo-XML, UN list)."""
MAX_CSV_FIELD_BYTES = 10 * 1024 * 1024
"""One CSV cell; the csv module refuses a longer field with csv.Error, which readers report."""
MAX_EDIFACT_ELEMENTS = 1000
"""Data elements in one EDIFACT segment, and components in one element."""
MAX_EDIFACT_MESSAGE_SEGMENTS = 500_000
"""Segments of one UNH..UNT message, which is held in memory while it is mapped."""
MAX_NMEA_LINE = 4096
"""One NMEA line with its tag block (a sentence is at most 82 characters)."""
MAX_XLSX_UNCOMPRESSED_BYTES = 1024 * 1024 * 1024
"""Sum of the uncompressed sizes of an .xlsx archive's parts (zip bombs)."""

# The csv module's limit is per process; set it once here, for every reader that imports this module.
csv.field_size_limit(MAX_CSV_FIELD_BYTES)


class TooDeep(ValueError):
    """JSON nested deeper than MAX_JSON_DEPTH (or than Python's parser can go)."""

    def __init__(self, limit: int = MAX_JSON_DEPTH) -> None:
        super().__init__(f"nested more than {limit} levels deep")


def check_depth(value: Any, limit: int = MAX_JSON_DEPTH) -> Any:
    """The value unchanged, or TooDeep when its arrays and objects nest deeper than `limit`."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children: Iterable[Any]
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            raise TooDeep(limit)
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return value


def loads(text: str | bytes, limit: int | None = MAX_JSON_DEPTH) -> Any:
    """json.loads with a depth limit: json.JSONDecodeError for bad syntax, TooDeep for deep nesting.

    With `limit=None` only the parser's own limit applies (the caller checks depth per record).
    """
    try:
        value = json.loads(text)
    except RecursionError:
        raise TooDeep(limit or MAX_JSON_DEPTH) from None
    return value if limit is None else check_depth(value, limit)


def raw_decode(
    decoder: json.JSONDecoder, text: str, pos: int, limit: int | None = MAX_JSON_DEPTH
) -> tuple[Any, int]:
    """JSONDecoder.raw_decode with the same depth limit."""
    try:
        value, end = decoder.raw_decode(text, pos)
    except RecursionError:
        raise TooDeep(limit or MAX_JSON_DEPTH) from None
    return (value if limit is None else check_depth(value, limit)), end


def csv_field_error(error: csv.Error) -> str:
    """A csv.Error in words a user can act on."""
    message = str(error)
    if "field larger than field limit" in message or "line longer than" in message:
        return f"a field is longer than {MAX_CSV_FIELD_BYTES // (1024 * 1024)} MiB (an unclosed quote?)"
    return f"unreadable CSV: {message}"


class CsvLineTooLong(csv.Error):
    """Raised by csv_lines before csv.reader has counted the line: the failing line is line_num + 1."""


def csv_error_line(error: csv.Error, line_num: int) -> int:
    """The line a csv.Error happened on, from the reader's line_num when it was raised."""
    return line_num + 1 if isinstance(error, CsvLineTooLong) else line_num


def csv_lines(fh: IO[str], limit: int | None = None) -> Iterator[str]:
    """The lines of a text file for csv.reader, refusing (csv.Error) a line longer than the field limit.

    csv.reader takes whole lines from its source, so without this a file with one endless line would
    be read into memory whole before the field limit is even checked.
    """
    limit = limit or MAX_CSV_FIELD_BYTES
    while line := fh.readline(limit + 1):
        if len(line) > limit:
            raise CsvLineTooLong(f"line longer than {limit} characters")
        yield line


def xlsx_problem(source: str | IO[bytes]) -> str | None:
    """Why an .xlsx archive must not be opened (not a zip, or a zip bomb), or None when it may be."""
    try:
        with zipfile.ZipFile(source) as archive:
            total = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, NotImplementedError) as error:
        # NotImplementedError: a zip "version" or compression method zipfile does not implement.
        return f"not a readable .xlsx workbook (zip archive): {error}"
    if total > MAX_XLSX_UNCOMPRESSED_BYTES:
        return (
            f"the workbook unpacks to {total} bytes, above the {MAX_XLSX_UNCOMPRESSED_BYTES}-byte limit"
        )
    return None
