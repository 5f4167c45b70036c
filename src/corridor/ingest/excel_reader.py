"""Excel workbooks (.xlsx) in the default layout or with a column mapping, read in streaming mode."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

from corridor.ingest.base import ReadItem, ReadOptions, Rejection
from corridor.ingest.limits import xlsx_problem
from corridor.ingest.tabular import Row, consignments_from_rows, resolve_header


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class ExcelReader:
    format = "excel"

    def read(self, path: Path, display_name: str, options: ReadOptions) -> Iterator[ReadItem]:
        from openpyxl import load_workbook

        problem = xlsx_problem(str(path))
        if problem is not None:
            yield Rejection(display_name, "file", None, problem, "bad_file")
            return
        try:
            workbook = load_workbook(path, read_only=True, data_only=True)
        except Exception as err:  # openpyxl raises many types for a damaged workbook
            yield Rejection(display_name, "file", None, f"not a readable .xlsx workbook: {err}", "bad_file")
            return
        try:
            if options.sheet and options.sheet not in workbook.sheetnames:
                yield Rejection(
                    display_name,
                    "file",
                    "sheet",
                    f"no sheet {options.sheet!r}; sheets: {', '.join(workbook.sheetnames)}",
                    "bad_sheet",
                )
                return
            if not workbook.worksheets:
                yield Rejection(display_name, "file", None, "the workbook has no worksheet", "empty")
                return
            sheet = workbook[options.sheet] if options.sheet else workbook.worksheets[0]
            rows = sheet.iter_rows(values_only=True)
            try:
                header = [_cell_text(v) for v in next(rows)]
            except StopIteration:
                yield Rejection(display_name, f"sheet {sheet.title}", None, "empty sheet", "empty")
                return
            except Exception as err:  # the sheet's XML is parsed lazily, row by row
                yield Rejection(display_name, f"sheet {sheet.title}, row 1", None, _damaged(err), "bad_file")
                return
            names, problems = resolve_header(header, options.column_mapping)
            if problems:
                for problem in problems:
                    yield Rejection(display_name, f"sheet {sheet.title}, row 1", None, problem, "bad_header")
                return

            failures: list[Rejection] = []

            def generate() -> Iterator[Row]:
                number = 1
                try:
                    for number, record in enumerate(rows, start=2):
                        cells = [_cell_text(v) for v in record]
                        if not any(c.strip() for c in cells):
                            continue
                        values = {n: c for n, c in zip(names, cells, strict=False) if n is not None}
                        yield Row(number=number, values=values)
                except Exception as err:  # a damaged row ends the sheet; the rows before it stand
                    failures.append(
                        Rejection(display_name, f"sheet {sheet.title}, after row {number}", None,
                                  f"{_damaged(err)}; the rest of the sheet was not read", "bad_file")
                    )  # fmt: skip

            yield from consignments_from_rows(generate(), self.format, display_name)
            yield from failures
        finally:
            workbook.close()


def _damaged(error: Exception) -> str:
    return f"damaged worksheet: {type(error).__name__}: {error}"
