"""Inputs that crashed a parser while fuzzing (docs/fuzzing.md, "Crashes found and fixed"), kept as tests."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from corridor.domain.errors import InvalidInput
from corridor.ingest.base import ReadItem, ReadOptions, Rejection
from corridor.ingest.cuscar import CuscarReader
from corridor.ingest.excel_reader import ExcelReader
from corridor.ingest.kcs_reader import KcsReader
from corridor.screening.sources import read_list
from corridor.seizures import template
from fuzz.seeds import generated_seeds
from fuzz.targets import TARGETS


def _read(reader: object, tmp_path: Path, name: str, data: bytes) -> list[ReadItem]:
    path = tmp_path / name
    path.write_bytes(data)
    return list(reader.read(path, name, ReadOptions()))  # type: ignore[attr-defined]


def test_kcs_file_that_is_not_utf8_is_one_located_rejection(tmp_path: Path) -> None:
    data = "Declaration ID,Date,HS6 Code\n1,2020-01-01,010121\n2,2020-01-01,Ж\n".encode("cp1251")
    items = _read(KcsReader(), tmp_path, "kcs.csv", data)
    assert isinstance(items[-1], Rejection) and items[-1].code == "bad_encoding"
    assert items[-1].location == "line 3"


def test_kcs_row_with_extra_cells_is_read(tmp_path: Path) -> None:
    items = _read(KcsReader(), tmp_path, "kcs.csv", b"Declaration ID,Date,HS6 Code\n1,2020-01-01,010121,x,y\n")
    assert len(items) == 1 and items[0].location == "line 2"


@pytest.mark.parametrize("count", ["³13", "٣", "²"])
def test_edifact_count_in_unicode_digits_is_a_count_problem(count: str, tmp_path: Path) -> None:
    data = (f"UNB+UNOW:4+S+R+20240501:0800+1'UNH+1+CUSCAR:D:95B:UN'BGM+85+X'GID+{count}'"
            f"UNT+{count}+1'UNZ+{count}+1'").encode()  # fmt: skip
    items = _read(CuscarReader(), tmp_path, "count.edi", data)
    problems = [i for i in items if isinstance(i, Rejection)]
    assert any(p.code == "segment_count" and "is not a number" in p.reason for p in problems)
    assert any(p.code == "interchange_count" for p in problems)


def test_xlsx_with_an_unsupported_zip_version_is_refused(tmp_path: Path) -> None:
    data = bytearray(next(d for _n, d in generated_seeds("excel")))
    central = data.index(b"PK\x01\x02")
    data[central + 6] = 235  # "version needed to extract": 23.5
    with pytest.raises(NotImplementedError):
        zipfile.ZipFile(io.BytesIO(bytes(data)))
    items = _read(ExcelReader(), tmp_path, "v.xlsx", bytes(data))
    assert isinstance(items[0], Rejection) and items[0].code == "bad_file" and "23.5" in items[0].reason
    with pytest.raises(InvalidInput):
        template.read(bytes(data), "v.xlsx", "xlsx")


def test_seizure_csv_in_neither_utf8_nor_cp1251_is_read_with_replacements() -> None:
    good, bad = template.read(b"date,notes\n2024-01-01,\x98\n", "s.csv", "csv")
    assert len(good) + len(bad) == 1


def test_un_birth_years_in_unicode_digits_are_not_a_range(tmp_path: Path) -> None:
    doc = ("<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL><DATAID>1</DATAID><FIRST_NAME>A</FIRST_NAME>"
           "<INDIVIDUAL_DATE_OF_BIRTH><FROM_YEAR>١٩٥٠</FROM_YEAR><TO_YEAR>1951</TO_YEAR>"
           "</INDIVIDUAL_DATE_OF_BIRTH></INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>")  # fmt: skip
    path = tmp_path / "un.xml"
    path.write_text(doc, encoding="utf-8")
    parsed = read_list(path, "un-sc")
    assert [e.birth_years() for e in parsed.entries] == [set()]


def test_list_birth_date_in_unicode_digits_is_a_problem(tmp_path: Path) -> None:
    path = tmp_path / "list.csv"
    path.write_text("id,name,type,birth_date\nN-1,Ivan Petrov,person,١٩٥٠\n", encoding="utf-8")
    parsed = read_list(path, "csv")
    assert not parsed.entries and "birth_date" in parsed.problems[0].reason


@pytest.mark.parametrize(
    ("target", "data"),
    [
        ("envelope", b"[" * 10_000),
        ("ftm", b"{" * 10_000),
        ("seizures_geojson", b"[" * 10_000),
        ("json", b'{"consignments": ' + b"[" * 10_000),
        ("ofac", b'1,"' + b"x" * 200_000 + b'"\n'),
        ("list_csv", b'id,name\n1,"' + b"x" * 200_000 + b'"\n'),
        ("seizures_csv", b'date,notes\n2024-01-01,"' + b"x" * 200_000 + b'"\n'),
    ],
    ids=["envelope", "ftm", "geojson", "json", "ofac", "list_csv", "seizures_csv"],
)
def test_deep_or_wide_inputs_that_crashed_are_refused_cleanly(target: str, data: bytes) -> None:
    TARGETS[target].run(data)


@pytest.mark.parametrize(
    "features",
    [
        [{"properties": {"parties": None}}],
        [1, "x", None, {"properties": [1]}],
        [{"properties": {}, "geometry": {"type": "Point", "coordinates": 5}}],
    ],
)
def test_geojson_features_of_the_wrong_shape_are_row_rejections(features: list[object]) -> None:
    data = json.dumps({"type": "FeatureCollection", "features": features}).encode()
    good, bad = template.read(data, "s.geojson", "geojson")
    assert not good and bad and all(r.row is not None for r in bad)


def test_geojson_features_that_are_not_a_list_are_refused() -> None:
    with pytest.raises(InvalidInput) as invalid:
        template.read(b'{"type": "FeatureCollection", "features": {"a": 1}}', "s.geojson", "geojson")
    assert invalid.value.where == "features"


# Seven bytes atheris changed in the generated seizure Parquet file; polars' Rust reader panicked on it.
_PARQUET_PATCH = {1278: b"i", 1718: b"`", 2999: b"5", 3777: b"k", 4080: b"(", 6392: b"%", 7865: b"?"}


def test_damaged_parquet_that_made_polars_panic_is_refused() -> None:
    data = bytearray(next(d for _n, d in generated_seeds("seizures_parquet")))
    for offset, byte in _PARQUET_PATCH.items():
        data[offset : offset + 1] = byte
    with pytest.raises(InvalidInput) as invalid:
        template.read(bytes(data), "s.parquet", "parquet")
    assert invalid.value.where == "file"


def test_polars_panic_is_an_invalid_input(monkeypatch: pytest.MonkeyPatch) -> None:
    def panic(*_args: object, **_kw: object) -> None:
        raise pl.exceptions.PanicException("called `Option::unwrap()` on a `None` value")

    monkeypatch.setattr(pl, "read_parquet", panic)
    with pytest.raises(InvalidInput, match="not a readable Parquet file"):
        template.read(b"PAR1", "s.parquet", "parquet")


def _workbook_without_sheets() -> bytes:
    source = zipfile.ZipFile(io.BytesIO(next(d for _n, d in generated_seeds("excel"))))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/workbook.xml":
                data = re.sub(rb"<sheets>.*</sheets>", b"<sheets/>", data, flags=re.S)
            target.writestr(info, data)
    return out.getvalue()


def test_workbook_without_any_worksheet_is_refused(tmp_path: Path) -> None:
    data = _workbook_without_sheets()
    items = _read(ExcelReader(), tmp_path, "none.xlsx", data)
    assert isinstance(items[0], Rejection) and "no worksheet" in items[0].reason
    with pytest.raises(InvalidInput, match="no worksheet"):
        template.read(data, "none.xlsx", "xlsx")


# Edits (start, end, new bytes) atheris made to the generated seizure Parquet file: polars' own reader
# tried a 2**61-byte allocation on it and aborted the process, which no `except` can catch.
_PARQUET_ABORT_EDITS = [
    (912, 913, b"5"), (2228, 2230, b"\xff\xff"), (3041, 3042, b"\r"), (4697, 5527, b""), (5995, 5995, b"e"),
    (5996, 5997, b""), (9822, 9823, b"q"),
]  # fmt: skip

_READ_IN_CHILD = """
import sys
from corridor.domain.errors import InvalidInput
from corridor.seizures import template
try:
    template.read(sys.stdin.buffer.read(), "s.parquet", "parquet")
except InvalidInput as error:
    print("refused at", error.where)
"""


def test_parquet_that_aborted_the_process_is_refused_and_the_process_exits_cleanly() -> None:
    seed = next(d for _n, d in generated_seeds("seizures_parquet"))
    data, pos = bytearray(), 0
    for start, end, new in _PARQUET_ABORT_EDITS:
        data += seed[pos:start] + new
        pos = end
    data += seed[pos:]
    # In a child process: before the fix this input killed the interpreter (SIGABRT), and reading
    # through a Python file object aborted it at exit.
    child = subprocess.run([sys.executable, "-c", _READ_IN_CHILD], input=bytes(data), capture_output=True)
    assert child.returncode == 0, child.stderr[-2000:]
    assert child.stdout.decode().strip() == "refused at file"


def test_parquet_timestamp_beyond_python_datetimes_is_refused() -> None:
    table = pa.table(
        {"ref": ["S-1", "S-2"], "seized_at": pa.array([10**15, 10**18], type=pa.timestamp("us", tz="UTC"))}
    )
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    with pytest.raises(InvalidInput, match="date value out of range") as invalid:
        template.read(buffer.getvalue(), "s.parquet", "parquet")
    assert invalid.value.where == "file"


def test_ais_file_of_only_a_bom_is_not_a_known_format(tmp_path: Path) -> None:
    from corridor.maritime.readers import sniff_format

    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbf")
    with pytest.raises(InvalidInput) as invalid:
        sniff_format(path)
    assert invalid.value.where == str(path)


def test_polars_panic_while_converting_rows_is_an_invalid_input(monkeypatch: pytest.MonkeyPatch) -> None:
    """atheris run 3: a damaged nested value made polars panic ("PyObject pointer is null") in iter_rows."""

    def panic(*_args: object, **_kw: object) -> None:
        raise pl.exceptions.PanicException("PyObject pointer is null")

    monkeypatch.setattr(pl.DataFrame, "iter_rows", panic)
    data = next(d for _n, d in generated_seeds("seizures_parquet"))
    with pytest.raises(InvalidInput, match="PyObject pointer is null") as invalid:
        template.read(data, "s.parquet", "parquet")
    assert invalid.value.where == "file"
