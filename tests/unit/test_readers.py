"""Readers and format detection on small inline inputs (the shared samples are used elsewhere)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openpyxl import Workbook

from corridor.domain.errors import UnsupportedFormat
from corridor.ingest import json_reader
from corridor.ingest.base import Parsed, ReadOptions, Rejection
from corridor.ingest.csv_reader import CsvReader
from corridor.ingest.detect import detect, sniff
from corridor.ingest.excel_reader import ExcelReader
from corridor.ingest.json_reader import JsonReader
from corridor.ingest.tabular import COLUMN_NAMES, resolve_header


@pytest.mark.parametrize(
    ("head", "fmt"),
    [
        (b"UNA:+.? 'UNB+UNOA:2+X+Y'", "edifact"),
        (b"\xef\xbb\xbfUNB+UNOB:2+SENDER", "edifact"),
        (b'<?xml version="1.0"?>\n<!-- c -->\n<md:MetaData xmlns:md="urn:wco:datamodel:WCO:x">', "wco"),
        (b'<?xml version="1.0"?><ns2:Waybill xmlns:ns2="iata:waybill:1">', "cargo_xml"),
        (b"<html><body>", "xml"),
        (b'  [{"document_number": "1"}]', "json"),
        (b"Declaration ID,Date,Office ID,Importer ID,Fraud\n1,2020", "kcs"),
        (b"document_number;mode\nA;sea\n", "csv"),
        (b"PK\x03\x04rest", "excel"),
        (b"\x00\x01binary", None),
    ],
)
def test_sniff(head: bytes, fmt: str | None) -> None:
    assert sniff(head) == fmt


def test_detect_refuses_unknown_content(tmp_path: Path) -> None:
    path = tmp_path / "x.xml"
    path.write_text("<html></html>")
    with pytest.raises(UnsupportedFormat):
        detect(path)


def test_header_resolution_suggests_the_closest_column() -> None:
    names, problems = resolve_header(["doc_number", "mode"], {})
    assert names == [None, "mode"]
    assert "document_number" in problems[0]
    _names, problems = resolve_header(["B/L"], {"B/L": "document_numbr"})
    assert any("did you mean 'document_number'" in p for p in problems)


def test_every_documented_column_is_read(tmp_path: Path) -> None:
    names, problems = resolve_header([n.upper().replace("_", " ") for n in COLUMN_NAMES], {})
    assert not problems and names == COLUMN_NAMES


def _read_csv(tmp_path: Path, text: str, **kw: object) -> list[Parsed | Rejection]:
    path = tmp_path / "in.csv"
    path.write_text(text, encoding=str(kw.pop("encoding", "utf-8")))
    return list(CsvReader().read(path, "in.csv", ReadOptions(**kw)))  # type: ignore[arg-type]


def test_csv_decimal_comma_semicolons_and_cyrillic(tmp_path: Path) -> None:
    text = "document_number;mode;consignee_name;gross_kg;value;currency\nБ-1;rail;ООО Каспий;1 250,5;10,00;RUB\n"
    items = _read_csv(tmp_path, text)
    assert isinstance(items[0], Parsed)
    c = items[0].consignment
    assert c.document_number == "Б-1" and c.goods[0].gross_kg == 1250.5
    assert c.parties[0].name == "ООО Каспий"


def test_csv_in_windows_1251_is_read(tmp_path: Path) -> None:
    text = "document_number,mode,consignee_name\nA1,road,ООО Ромашка\n"
    items = _read_csv(tmp_path, text, encoding="cp1251")
    assert isinstance(items[0], Parsed) and items[0].consignment.parties[0].name == "ООО Ромашка"


def test_csv_value_without_currency_is_rejected_with_row_and_field(tmp_path: Path) -> None:
    items = _read_csv(tmp_path, "document_number,mode,value\nA1,sea,100\nA2,sea,\n")
    assert isinstance(items[0], Rejection) and items[0].field == "row 2: currency"
    assert isinstance(items[1], Parsed)


def test_csv_unknown_mode_names_the_choices(tmp_path: Path) -> None:
    items = _read_csv(tmp_path, "document_number,mode\nA1,boat\n")
    assert isinstance(items[0], Rejection) and "sea" in items[0].reason and items[0].field == "mode"


def test_excel_workbook(tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Manifest"
    ws.append(["document_number", "mode", "hs_code", "gross_kg", "eta"])
    ws.append(["XL-1", "sea", 300490, 120.0, "2026-11-30T10:00:00Z"])
    ws.append([None, None, None, None, None])
    ws.append(["XL-2", "sea", "0808.10", "abc", None])
    path = tmp_path / "m.xlsx"
    wb.save(path)
    items = list(ExcelReader().read(path, "m.xlsx", ReadOptions()))
    assert isinstance(items[0], Parsed) and items[0].consignment.goods[0].hs_code == "300490"
    assert isinstance(items[1], Rejection) and items[1].location == "row 4"
    missing = list(ExcelReader().read(path, "m.xlsx", ReadOptions(sheet="Nope")))
    assert isinstance(missing[0], Rejection) and "Manifest" in missing[0].reason


def test_json_array_is_streamed_across_buffer_boundaries(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(json_reader, "_CHUNK", 64)
    docs = [{"document_type": "BL", "document_number": f"N{i}", "mode": "sea",
             "goods": [{"sequence": 1, "description": "x" * (i % 50)}]} for i in range(40)]
    docs[17] = {"document_type": "BL", "document_number": ""}
    path = tmp_path / "a.json"
    path.write_text(json.dumps({"consignments": docs}, indent=1))
    items = list(JsonReader().read(path, "a.json", ReadOptions()))
    assert len(items) == 40
    rejected = [i for i in items if isinstance(i, Rejection)]
    assert len(rejected) == 1 and rejected[0].location.startswith("element [17]")
    assert [i.consignment.document_number for i in items if isinstance(i, Parsed)][:3] == ["N0", "N1", "N2"]


def test_json_syntax_error_reports_position(tmp_path: Path) -> None:
    path = tmp_path / "b.json"
    path.write_text('[{"document_type": "BL", "document_number": "A"},\n {"document_type": ]')
    items = list(JsonReader().read(path, "b.json", ReadOptions()))
    assert isinstance(items[0], Parsed)
    assert isinstance(items[1], Rejection) and "line 2" in items[1].location


def test_json_lines(tmp_path: Path) -> None:
    path = tmp_path / "c.jsonl"
    path.write_text('{"document_type": "AWB", "document_number": "1"}\n{broken\n'
                    '{"document_type": "AWB", "document_number": "2"}\n')
    items = list(JsonReader().read(path, "c.jsonl", ReadOptions()))
    assert [type(i).__name__ for i in items] == ["Parsed", "Rejection", "Parsed"]
    assert isinstance(items[1], Rejection) and items[1].location.startswith("line 2")


def test_a_dtd_with_an_internal_subset_still_reaches_the_reader_that_refuses_it(tmp_path: Path) -> None:
    bomb = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]>'
            b'<ns2:Waybill xmlns:ns2="iata:waybill:1">&lol2;</ns2:Waybill>')
    assert sniff(bomb) == "cargo_xml"
