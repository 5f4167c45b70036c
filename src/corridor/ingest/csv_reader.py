"""CSV in the documented default layout or with a user column mapping; streamed row by row."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

from corridor.ingest.base import ReadItem, ReadOptions, Rejection
from corridor.ingest.limits import csv_error_line, csv_field_error, csv_lines
from corridor.ingest.tabular import Row, consignments_from_rows, resolve_header


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
            reader = csv.reader(csv_lines(fh), delimiter=sniff_dialect(sample, options.delimiter))
            try:
                header = next(reader)
            except StopIteration:
                yield Rejection(display_name, "file", None, "empty file", "empty")
                return
            except csv.Error as err:
                yield Rejection(display_name, "line 1 (header)", None, csv_field_error(err), "bad_csv")
                return
            names, problems = resolve_header(header, options.column_mapping)
            if problems:
                for problem in problems:
                    yield Rejection(display_name, "line 1 (header)", None, problem, "bad_header")
                return
            failures: list[Rejection] = []
            yield from consignments_from_rows(
                self._rows(reader, names, display_name, failures), self.format, display_name
            )
            yield from failures

    @staticmethod
    def _rows(
        reader: Iterator[list[str]], names: list[str | None], file: str, failures: list[Rejection]
    ) -> Iterator[Row]:
        """Rows as layout names to cells; a csv.Error ends the rows normally, so the consignment
        grouped so far is still completed, and the error is put in `failures`."""
        width = len(names)
        try:
            yield from CsvReader._records(reader, names, width)
        except csv.Error as err:
            failures.append(
                Rejection(
                    file,
                    f"line {csv_error_line(err, getattr(reader, 'line_num', 0))}",
                    None,
                    f"{csv_field_error(err)}; the rest of the file was not read",
                    "bad_csv",
                )
            )

    @staticmethod
    def _records(reader: Iterator[list[str]], names: list[str | None], width: int) -> Iterator[Row]:
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
