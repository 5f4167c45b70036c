"""CSV in the documented default layout or with a user column mapping; streamed row by row."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

from corridor.ingest.base import ReadItem, ReadOptions, Rejection
from corridor.ingest.tabular import Row, consignments_from_rows, resolve_header

csv.field_size_limit(10 * 1024 * 1024)


def sniff_dialect(sample: str, forced: str | None) -> str:
    if forced:
        return forced
    first = sample.split("\n", 1)[0]
    counts = {d: first.count(d) for d in (",", ";", "\t", "|")}
    return max(counts, key=lambda d: counts[d])


def open_text(path: Path, encoding: str | None) -> io.TextIOWrapper:
    if encoding:
        return open(path, encoding=encoding, newline="")  # noqa: SIM115 - returned to the caller
    with path.open("rb") as fh:
        head = fh.read(65536)
    try:
        head.decode("utf-8")
        chosen = "utf-8-sig"
    except UnicodeDecodeError as err:
        # A cut multibyte character at the end of the sample is still UTF-8.
        chosen = "utf-8-sig" if err.start >= len(head) - 3 else "cp1251"
    return open(path, encoding=chosen, errors="replace", newline="")  # noqa: SIM115


class CsvReader:
    format = "csv"

    def read(self, path: Path, display_name: str, options: ReadOptions) -> Iterator[ReadItem]:
        with open_text(path, options.encoding) as fh:
            sample = fh.read(8192)
            fh.seek(0)
            reader = csv.reader(fh, delimiter=sniff_dialect(sample, options.delimiter))
            try:
                header = next(reader)
            except StopIteration:
                yield Rejection(display_name, "file", None, "empty file", "empty")
                return
            names, problems = resolve_header(header, options.column_mapping)
            if problems:
                for problem in problems:
                    yield Rejection(display_name, "line 1 (header)", None, problem, "bad_header")
                return
            yield from consignments_from_rows(
                self._rows(reader, names, display_name), self.format, display_name
            )

    @staticmethod
    def _rows(reader: Iterator[list[str]], names: list[str | None], file: str) -> Iterator[Row]:
        width = len(names)
        for record in reader:
            line = getattr(reader, "line_num", 0)
            if not any(cell.strip() for cell in record):
                continue
            if len(record) > width and any(c.strip() for c in record[width:]):
                # Too many cells usually means an unquoted delimiter: keep the row, but the extra
                # cells are dropped; validation of the mapped fields still applies.
                record = record[:width]
            values = {name: cell for name, cell in zip(names, record, strict=False) if name is not None}
            yield Row(number=line, values=values)
