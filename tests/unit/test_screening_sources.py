"""Every sample list format imports; a malformed entry is reported with its position and the rest loads."""

from __future__ import annotations

from pathlib import Path

import pytest

from corridor.domain.errors import InvalidInput, UnsupportedFormat
from corridor.screening.sources import detect_format, read_list


@pytest.fixture(scope="module")
def sanctions(shared_data: Path) -> Path:
    return shared_data / "sanctions"


def test_ofac_sdn_csv(sanctions: Path) -> None:
    parsed = read_list(sanctions / "ofac_sdn_2024-05-03.csv")
    assert parsed.format == "ofac-sdn" and len(parsed.entries) == 14965 and parsed.problems == []
    by_key = {e.key: e for e in parsed.entries}
    assert by_key["306"].names == ["BANCO NACIONAL DE CUBA", "BNC"]
    ebano = by_key["4243"]
    assert ebano.schema == "vessel" and ("imo", "7406784") in ebano.identifiers
    assert {"ANA I", "SAND SWAN"} <= set(ebano.names) and "PA" in ebano.countries
    person = by_key["36051"]
    assert person.names[0] == "Aleksey Lvovich RAKHMANOV" and person.birth_dates == ["1964-07-18"]
    assert person.countries == ["RU"] and "Alexei L RAKHMANOV" in person.names


def test_un_consolidated_xml(sanctions: Path) -> None:
    parsed = read_list(sanctions / "un_sc_consolidated_list_2024-09-26.xml")
    assert parsed.format == "un-sc" and len(parsed.entries) == 875 and parsed.problems == []
    anwari = next(e for e in parsed.entries if e.key == "110447")
    assert anwari.names[:2] == ["MUHAMMAD TAHER ANWARI", "محمد طاهر أنوري"]
    assert anwari.weak_names == ["Haji Mudir"]  # quality "Low": kept, not screened
    assert anwari.countries == ["AF"] and anwari.birth_dates == ["1961"]
    assert sum(e.schema == "organization" for e in parsed.entries) == 193


def test_opensanctions_ftm_lines(sanctions: Path) -> None:
    parsed = read_list(sanctions / "opensanctions_yente_fixture_t1.ftm.jsonl")
    assert parsed.format == "ftm" and len(parsed.entries) == 6 and parsed.skipped == 1
    kuzmenko = next(e for e in parsed.entries if "KUZMENKO" in e.names[0])
    assert ("tax", "366510784303") in kuzmenko.identifiers and kuzmenko.birth_dates == ["1971-01-22"]
    zala = read_list(sanctions / "opensanctions_yente_fixture_zala.ftm.jsonl")
    assert len(zala.entries) == 17 and zala.skipped == 74 and zala.problems == []


def test_malformed_entries_are_reported_with_their_position(tmp_path: Path, sanctions: Path) -> None:
    lines = (sanctions / "ofac_sdn_2024-05-03.csv").read_bytes().splitlines(keepends=True)[:4]
    ofac = tmp_path / "sdn.csv"
    ofac.write_bytes(b"".join(lines[:2]) + b'X12,"BROKEN",-0- \r\n' + b"".join(lines[2:]))
    parsed = read_list(ofac)
    assert len(parsed.entries) == 4
    assert [(p.position, p.reason) for p in parsed.problems] == [("line 3", "expected 12 columns, found 3")]

    ftm_lines = (sanctions / "opensanctions_yente_fixture_t1.ftm.jsonl").read_text().splitlines()
    ftm = tmp_path / "entities.jsonl"
    ftm.write_text(
        "\n".join([ftm_lines[0], '{"id": "x", "schema": "Person", "properties": ', *ftm_lines[1:3]]) + "\n"
    )
    parsed = read_list(ftm)
    assert len(parsed.entries) == 3 and parsed.problems[0].position == "line 2"
    assert parsed.problems[0].reason.startswith("not JSON")

    xml = tmp_path / "un.xml"
    xml.write_text(
        "<CONSOLIDATED_LIST><INDIVIDUALS>"
        "<INDIVIDUAL><DATAID>1</DATAID><FIRST_NAME>RZA</FIRST_NAME><SECOND_NAME>HUSEYNOV</SECOND_NAME></INDIVIDUAL>"
        "<INDIVIDUAL><FIRST_NAME>NO ID</FIRST_NAME></INDIVIDUAL>"
        "<INDIVIDUAL><DATAID>3</DATAID><FIRST_NAME/></INDIVIDUAL>"
        "</INDIVIDUALS></CONSOLIDATED_LIST>"
    )
    parsed = read_list(xml)
    assert [e.names for e in parsed.entries] == [["RZA HUSEYNOV"]]
    assert [(p.position, p.reason) for p in parsed.problems] == [
        ("/CONSOLIDATED_LIST/INDIVIDUALS/INDIVIDUAL[2]", "no DATAID"),
        (
            "/CONSOLIDATED_LIST/INDIVIDUALS/INDIVIDUAL[3]",
            "DATAID 3: no name (FIRST_NAME..FOURTH_NAME are empty)",
        ),
    ]
    broken = tmp_path / "broken.xml"
    broken.write_text(xml.read_text()[:150])
    parsed = read_list(broken)
    assert len(parsed.entries) == 1 and parsed.problems[-1].position.startswith("line 1, column")


def test_national_csv(tmp_path: Path) -> None:
    path = tmp_path / "az-national.csv"
    path.write_text(
        "id,name,type,aliases,country,birth_date,imo,mmsi,call_sign,tax_id,program,remarks\n"
        "AZ-1,Rza Hüseynov,person,Рза Гусейнов;Reza Huseinov,AZ,1970-05-01,,,,,customs,\n"
        "AZ-2,Caspian Star Shipping MMC,organization,,Azerbaijan,,,,,1400123451,customs,\n"
        "AZ-3,,person,,AZ,,,,,,customs,\n"
        "AZ-4,MV Caspian Star,vessel,,AZ,,IMO 9187629,273123456,UBCD7,,customs,\n"
        "AZ-5,Bad Ship,vessel,,AZ,,12345,,,,customs,\n"
    )
    parsed = read_list(path)
    assert detect_format(path) == "csv"
    assert [e.key for e in parsed.entries] == ["AZ-1", "AZ-2", "AZ-4"]
    assert parsed.entries[0].names == ["Rza Hüseynov", "Рза Гусейнов", "Reza Huseinov"]
    assert ("imo", "9187629") in parsed.entries[2].identifiers
    assert [(p.position, p.reason) for p in parsed.problems] == [
        ("row 4", "name is empty"),
        ("row 6", "imo '12345' is not 7 digits"),
    ]


def test_unknown_files_are_refused_with_a_reason(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("hello\n")
    with pytest.raises(UnsupportedFormat, match="not an OFAC SDN CSV"):
        read_list(path)
    with pytest.raises(InvalidInput, match="no such file"):
        read_list(tmp_path / "missing.csv")
    headerless = tmp_path / "x.csv"
    headerless.write_text("id,title\n1,x\n")
    with pytest.raises(InvalidInput, match="lacks name"):
        read_list(headerless, "csv")
