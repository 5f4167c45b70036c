"""Each size and depth limit of the parsers ends in a clear, located refusal (docs/fuzzing.md, "Limits")."""

from __future__ import annotations

import io
import json
import tracemalloc
from pathlib import Path

import pytest

from corridor.domain.errors import InvalidInput
from corridor.exchange import envelope
from corridor.exchange.errors import Malformed
from corridor.ingest import edifact, limits
from corridor.ingest.base import Parsed, ReadItem, ReadOptions, Rejection
from corridor.ingest.cargo_xml import CargoXmlReader
from corridor.ingest.csv_reader import CsvReader
from corridor.ingest.cuscar import CuscarReader
from corridor.ingest.excel_reader import ExcelReader
from corridor.ingest.json_reader import JsonReader
from corridor.ingest.kcs_reader import KcsReader
from corridor.ingest.wco_xml import WcoXmlReader
from corridor.maritime.nmea import decode_lines
from corridor.screening.sources import read_list
from corridor.seizures import template
from fuzz.seeds import generated_seeds

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>
<{root}><ID>&lol4;</ID></{root}>"""


def _read(reader: object, tmp_path: Path, name: str, data: bytes, **options: object) -> list[ReadItem]:
    path = tmp_path / name
    path.write_bytes(data)
    return list(reader.read(path, name, ReadOptions(**options)))  # type: ignore[attr-defined, arg-type]


def _only_rejection(items: list[ReadItem]) -> Rejection:
    assert len(items) == 1 and isinstance(items[0], Rejection), items
    return items[0]


# --------------------------------------------------------------------------- XML


@pytest.mark.parametrize(("reader", "root"), [(WcoXmlReader(), "Declaration"), (CargoXmlReader(), "Waybill")])
def test_billion_laughs_is_refused_before_any_expansion(reader: object, root: str, tmp_path: Path) -> None:
    rejection = _only_rejection(_read(reader, tmp_path, "laughs.xml", BILLION_LAUGHS.replace(b"{root}", root.encode())))
    assert rejection.code == "unsafe_xml" and "DTD" in rejection.reason
    assert rejection.location.startswith("line ")


@pytest.mark.parametrize(("reader", "root"), [(WcoXmlReader(), "Declaration"), (CargoXmlReader(), "Waybill")])
def test_external_file_entity_is_refused_and_never_read(reader: object, root: str, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT")
    doc = (f'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file://{secret}">]>'
           f"<{root}><ID>&xxe;</ID></{root}>").encode()  # fmt: skip
    items = _read(reader, tmp_path, "xxe.xml", doc)
    rejection = _only_rejection(items)
    assert rejection.code == "unsafe_xml"
    assert "TOP-SECRET" not in repr(items)


def test_un_list_refuses_entities(tmp_path: Path) -> None:
    path = tmp_path / "un.xml"
    path.write_bytes(BILLION_LAUGHS.replace(b"{root}", b"CONSOLIDATED_LIST"))
    parsed = read_list(path, "un-sc")
    assert not parsed.entries and "DTD" in parsed.problems[0].reason


@pytest.mark.parametrize(
    ("reader", "root"), [(WcoXmlReader(), "Declaration"), (CargoXmlReader(), "Waybill"), (None, "CONSOLIDATED_LIST")]
)
def test_10000_deep_xml_is_refused_at_the_depth_limit(reader: object, root: str, tmp_path: Path) -> None:
    doc = f"<{root}>".encode() + b"<a>" * 10_000 + b"</a>" * 10_000 + f"</{root}>".encode()
    if reader is None:
        path = tmp_path / "un.xml"
        path.write_bytes(doc)
        problem = read_list(path, "un-sc").problems[0]
        assert f"more than {limits.MAX_XML_DEPTH} levels" in problem.reason
        return
    rejection = _only_rejection(_read(reader, tmp_path, "deep.xml", doc))
    assert rejection.code == "too_deep" and rejection.location.startswith(f"/{root}/a/a")


# --------------------------------------------------------------------------- JSON

DEEP_JSON = b"[" * 10_000 + b"]" * 10_000


@pytest.mark.parametrize(
    "doc",
    [
        DEEP_JSON,  # a top-level array, streamed element by element
        b'{"document_number": "A", "attributes": ' + b'{"a":' * 10_000 + b"1" + b"}" * 10_001,  # whole document
        b'{"document_number": "A"}\n{"x": ' + DEEP_JSON + b"}\n",  # JSON Lines
    ],
    ids=["array", "object", "lines"],
)
def test_10000_deep_json_is_a_too_deep_rejection(doc: bytes, tmp_path: Path) -> None:
    items = _read(JsonReader(), tmp_path, "deep.json", doc)
    deep = [i for i in items if isinstance(i, Rejection) and i.code == "too_deep"]
    assert deep and "levels deep" in deep[0].reason and deep[0].location


def test_json_deeper_than_the_limit_rejects_only_that_consignment(tmp_path: Path) -> None:
    ok = json.loads(next(d for n, d in generated_seeds("json") if n == "gen-one.json"))
    nested: object = "x"
    for _ in range(limits.MAX_JSON_DEPTH + 1):
        nested = [nested]
    bad = {**ok, "document_number": "DEEP-1", "attributes": {"k": nested}}
    items = _read(JsonReader(), tmp_path, "mixed.json", json.dumps([ok, bad]).encode())
    assert isinstance(items[0], Parsed)
    assert isinstance(items[1], Rejection) and items[1].code == "too_deep" and items[1].location.startswith("element [1]")


def test_json_element_over_the_size_limit_stops_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_JSON_ELEMENT_BYTES", 1000)
    monkeypatch.setattr("corridor.ingest.json_reader._CHUNK", 256)
    doc = b'[{"document_number": "A", "x": "' + b"y" * 5000 + b'"}]'
    rejection = _only_rejection(_read(JsonReader(), tmp_path, "big.json", doc))
    assert rejection.code == "too_large" and rejection.location.startswith("element [0]")


def test_json_line_over_the_size_limit_is_skipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_JSON_ELEMENT_BYTES", 1000)
    doc = b'{"document_number": "A"}\n{"document_number": "B", "x": "' + b"y" * 5000 + b'"}\n{"document_number": "C"}\n'
    items = _read(JsonReader(), tmp_path, "big.jsonl", doc)
    assert [i.location for i in items] == ["line 1", "line 2", "line 3"]
    assert isinstance(items[1], Rejection) and items[1].code == "too_large"
    assert not (isinstance(items[2], Rejection) and items[2].code == "too_large")


def test_deep_json_elsewhere_is_refused_with_a_place(tmp_path: Path) -> None:
    with pytest.raises(Malformed) as refused:
        envelope.parse(DEEP_JSON, 1 << 20)
    assert refused.value.where == "body"
    with pytest.raises(InvalidInput) as invalid:
        template.read(DEEP_JSON, "s.geojson", "geojson")
    assert invalid.value.where == "file"
    ftm = tmp_path / "deep.ftm.jsonl"
    ftm.write_bytes(b'{"id": "a"}\n' + DEEP_JSON + b"\n")
    assert read_list(ftm, "ftm").problems[-1].position == "line 2"


# --------------------------------------------------------------------------- CSV and Excel


def test_50_mb_csv_field_is_a_located_rejection_in_bounded_memory(tmp_path: Path) -> None:
    path = tmp_path / "huge.csv"
    with path.open("wb") as fh:
        fh.write(b"document_number,description\nA1,small\nB2,\"")
        chunk = b"x" * (1 << 20)
        for _ in range(50):
            fh.write(chunk)
        fh.write(b'"\n')
    tracemalloc.start()
    try:
        items = list(CsvReader().read(path, "huge.csv", ReadOptions()))
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert isinstance(items[0], Parsed) and items[0].consignment.document_number == "A1"
    rejection = items[-1]
    assert isinstance(rejection, Rejection) and rejection.code == "bad_csv"
    assert rejection.location == "line 3" and "longer than 10 MiB" in rejection.reason
    # The field is refused at 10 MiB: the 50 MB file was never held whole.
    assert peak < 40 * 1024 * 1024, peak


def _over_limit_field() -> bytes:
    return b"x" * (limits.MAX_CSV_FIELD_BYTES + 10)


def test_oversized_fields_in_other_csv_parsers(tmp_path: Path) -> None:
    field = _over_limit_field()
    kcs = _read(KcsReader(), tmp_path, "kcs.csv", b"Declaration ID,Date,HS6 Code\n1,2020-01-01,\"" + field + b'"\n')
    assert kcs[-1].code == "bad_csv" and kcs[-1].location == "line 2"  # type: ignore[union-attr]
    with pytest.raises(InvalidInput) as invalid:
        template.read(b'date,notes\n2024-01-01,"' + field + b'"\n', "s.csv", "csv")
    assert invalid.value.where == "row 2"
    for fmt, data in (("ofac-sdn", b'1,"' + field + b'"\n'), ("csv", b'id,name\n1,"' + field + b'"\n')):
        path = tmp_path / f"{fmt}.csv"
        path.write_bytes(data)
        problem = read_list(path, fmt).problems[-1]
        assert "longer than 10 MiB" in problem.reason and problem.position.split()[0] in ("line", "row")


def test_xlsx_unpacking_beyond_the_limit_is_refused_unopened(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_XLSX_UNCOMPRESSED_BYTES", 1000)
    data = next(d for _n, d in generated_seeds("excel"))
    rejection = _only_rejection(_read(ExcelReader(), tmp_path, "bomb.xlsx", data))
    assert rejection.code == "bad_file" and "above the 1000-byte limit" in rejection.reason
    with pytest.raises(InvalidInput, match="above the 1000-byte limit"):
        template.read(data, "bomb.xlsx", "xlsx")


# --------------------------------------------------------------------------- EDIFACT and NMEA

_UNB = b"UNB+UNOA:2+S+R+240501:0800+1'UNH+1+CUSCAR:D:95B:UN'"


def test_edifact_segment_with_too_many_elements(tmp_path: Path) -> None:
    doc = _UNB + b"FTX" + b"+a" * (limits.MAX_EDIFACT_ELEMENTS + 1) + b"'UNT+3+1'UNZ+1+1'"
    items = _read(CuscarReader(), tmp_path, "wide.edi", doc)
    syntax = [i for i in items if isinstance(i, Rejection) and i.code == "syntax"]
    assert syntax and "segment 3 (FTX)" in syntax[0].reason and "line 1" in syntax[0].reason


def test_edifact_segment_without_terminator_stops_at_the_segment_limit(tmp_path: Path) -> None:
    doc = _UNB + b"FTX+" + b"a" * (edifact.MAX_SEGMENT_BYTES + 10)
    items = _read(CuscarReader(), tmp_path, "endless.edi", doc)
    assert any(isinstance(i, Rejection) and "no segment terminator" in i.reason for i in items)


def test_edifact_message_over_the_segment_limit_is_skipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(edifact, "MAX_EDIFACT_MESSAGE_SEGMENTS", 50)
    doc = _UNB + b"FTX+AAA+++x'" * 100 + b"UNT+102+1'UNZ+1+1'"
    items = _read(CuscarReader(), tmp_path, "long.edi", doc)
    rejection = _only_rejection(items)
    assert rejection.code == "too_large" and "segment 2 (UNH)" in rejection.location


def test_nmea_overlong_line_is_rejected_and_the_next_line_still_read() -> None:
    good = b"!AIVDM,1,1,,A,13HOI:0P0000VOHLCnHQKwvL05Ip,0*23\n"
    decoder = decode_lines(io.BytesIO(b"!AIVDM," + b"1" * (5 << 20) + b"\n" + good))
    assert decoder.report.rejected == {"line_too_long": 1}
    assert decoder.report.errors[0].line == 1 and len(decoder.report.errors[0].excerpt) <= 200
    assert len(decoder.positions) == 1
