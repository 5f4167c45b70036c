"""Ingest into real databases: acceptance, rejection report, warnings, idempotency and amendments."""

from __future__ import annotations

import json
from itertools import islice
from pathlib import Path

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from corridor.consignments.models import ConsignmentRow, ConsignmentVersionRow, GoodsItemRow, PartyRow
from corridor.consignments.service import diff_versions, get_consignment, history
from corridor.ingest.base import ReadOptions
from corridor.ingest.service import batch_rejections, ingest_documents, ingest_paths, rejections_csv

HEADER = (
    "document_number,mode,carrier_name,conveyance_name,imo,office,eta,loading_locode,discharge_locode,"
    "transit_countries,consignor_name,consignor_country,consignee_name,consignee_country,equipment,"
    "hs_code,description,packages,gross_kg,net_kg,value,currency\n"
)
GOOD_1 = (
    "BL-001,sea,Caspian Shipping,PROFESSOR GUL,9321483,AZ-ALAT-PCU,2026-11-25T08:00:00Z,KZSCO,AZALA,KZ,"
    "Aktau Grain LLP,KZ,Caspian Trade MMC,AZ,CSQU3054383:22G1:SL1,100199,wheat,20,21000,20000,5200,USD\n"
)
GOOD_1_ITEM_2 = "BL-001,,,,,,,,,,,,,,,100390,barley,5,5000,4900,1000,USD\n"
BAD_NUMBER = (
    "BL-002,sea,Caspian Shipping,,,AZ-ALAT-PCU,2026-11-25,KZSCO,AZALA,,A,KZ,B,AZ,,100199,wheat,ten,1,1,1,USD\n"
)
NO_DOC = ",sea,,,,,,,,,,,,,,,,1,1,1,1,USD\n"
WARNED = (
    "BL-003,sea,Caspian Shipping,,,AZ-ALAT-PCU,2026-11-26T08:00:00Z,ZZZZZ,AZALA,,Tabriz Co,IR,Baku MMC,AZ,"
    "CSQU3054384,123456,mystery,1,100,90,10,USD\n"
)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def count(engine: Engine, model: type) -> int:
    with Session(engine) as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_good_rows_are_kept_and_bad_rows_reported_with_place_and_reason(engine: Engine, tmp_path: Path) -> None:
    path = write(tmp_path, "manifest.csv", HEADER + GOOD_1 + GOOD_1_ITEM_2 + BAD_NUMBER + NO_DOC + WARNED)

    report = ingest_paths(engine, [path])

    assert (report.total("accepted"), report.total("rejected")) == (2, 2)
    by_location = {r.location: r for r in report.rejections}
    assert by_location["row 4"].field == "row 4: packages"
    assert "not a whole number" in by_location["row 4"].reason or "not a number" in by_location["row 4"].reason
    assert by_location["row 5"].field == "document_number"
    with Session(engine) as session:
        stored = batch_rejections(session, report.batch_id)
        assert sorted(r.location for r in stored) == ["row 4", "row 5"]
        assert "manifest.csv" in rejections_csv(stored)
        row, consignment = get_consignment(session, "BL-001")
        assert row.goods_count == 2 and [g.hs_code for g in consignment.goods] == ["100199", "100390"]
        assert consignment.equipment[0].number == "CSQU3054383" and consignment.equipment[0].seals == ["SL1"]
        assert consignment.conveyance is not None and consignment.conveyance.imo == "9321483"
        assert not consignment.warnings
        _row3, warned = get_consignment(session, "BL-003")
        codes = {w.code for w in warned.warnings}
        assert {"unknown_locode", "unknown_hs", "container_check_digit"} <= codes
        assert session.scalar(select(func.count()).select_from(GoodsItemRow)) == 3
        assert session.scalar(select(func.count()).select_from(PartyRow)) == 6  # consignor, consignee, carrier each


def test_reingesting_the_same_file_is_a_no_op(engine: Engine, tmp_path: Path) -> None:
    path = write(tmp_path, "manifest.csv", HEADER + GOOD_1 + GOOD_1_ITEM_2 + WARNED)
    first = ingest_paths(engine, [path])
    second = ingest_paths(engine, [path])
    assert first.total("accepted") == 2
    assert (second.total("accepted"), second.total("amended"), second.total("duplicates")) == (0, 0, 2)
    assert count(engine, ConsignmentRow) == 2
    assert count(engine, ConsignmentVersionRow) == 2
    assert count(engine, GoodsItemRow) == 3


def test_amendment_supersedes_and_keeps_history(engine: Engine, tmp_path: Path) -> None:
    ingest_paths(engine, [write(tmp_path, "v1.csv", HEADER + GOOD_1)])
    amended = GOOD_1.replace("21000,20000", "26000,25000").replace("2026-11-25T08:00:00Z", "2026-11-27T06:00:00Z")
    report = ingest_paths(engine, [write(tmp_path, "v2.csv", HEADER + amended)])
    assert (report.total("accepted"), report.total("amended")) == (0, 1)
    # The original re-sent later is recognised as already seen, not as a third version.
    again = ingest_paths(engine, [write(tmp_path, "v1-again.csv", HEADER + GOOD_1)])
    assert again.total("duplicates") == 1
    with Session(engine) as session:
        row, consignment = get_consignment(session, "BL:BL-001")
        assert row.version == 2
        assert consignment.goods[0].gross_kg == 26000
        versions = history(session, row.id)
        assert [v["version"] for v in versions] == [1, 2]
        changed = diff_versions(versions[0]["data"], versions[1]["data"])
        assert "eta" in changed and "goods" in changed
        assert versions[0]["source_file"] == "v1.csv" and versions[1]["source_file"] == "v2.csv"
    assert count(engine, GoodsItemRow) == 1


def test_kcs_declarations_with_outcomes(engine: Engine, tmp_path: Path, shared_data: Path) -> None:
    source = shared_data / "customs-declarations" / "df_syn_valid_eng.csv"
    with source.open(encoding="utf-8") as fh:
        head = "".join(islice(fh, 301))
    path = write(tmp_path, "kcs.csv", head)
    report = ingest_paths(engine, [path])
    assert report.files[0].format == "kcs"
    assert report.total("accepted") == 300 and report.total("rejected") == 0
    first_id = head.splitlines()[1].split(",")[0]
    with Session(engine) as session:
        _row, declaration = get_consignment(session, f"DEC:{first_id}")
    assert declaration.outcome is not None and declaration.outcome.fraud is not None
    assert declaration.goods[0].value is not None and declaration.goods[0].value.currency == "KRW"
    assert {p.role.value for p in declaration.parties} >= {"declarant", "importer"}


def test_json_batch_keeps_good_elements(engine: Engine) -> None:
    good = {"document_type": "CMR", "document_number": "CMR-77", "mode": "road",
            "parties": [{"role": "consignee", "name": "Astara Fruit MMC", "country": "AZ"}],
            "goods": [{"sequence": 1, "hs_code": "080810", "description": "apples", "gross_kg": 18000}]}
    bad = {"document_type": "CMR", "document_number": "CMR-78", "goods": [{"sequence": 0, "gross_kg": -5}]}
    report = ingest_documents(engine, [good, bad, "not an object"])
    assert report.total("accepted") == 1 and report.total("rejected") == 2
    fields = {r.location: r.field for r in report.rejections}
    assert "goods[0].sequence" in (fields["element [1]"] or "")
    assert "goods[0].gross_kg" in (fields["element [1]"] or "")


def test_user_column_mapping(engine: Engine, tmp_path: Path) -> None:
    text = "Waybill;Transport;Receiver;HS;Weight\nRW-9;rail;Baku Steel MMC;720839;60000\n"
    path = write(tmp_path, "rail.csv", text)
    mapping = {"Waybill": "document_number", "Transport": "mode", "Receiver": "consignee_name",
               "HS": "hs_code", "Weight": "gross_kg"}
    report = ingest_paths(engine, [path], options=ReadOptions(column_mapping=mapping))
    assert report.total("accepted") == 1, report.as_dict()
    with Session(engine) as session:
        _row, c = get_consignment(session, "CIM:RW-9")
    assert c.document_type.value == "CIM" and c.goods[0].gross_kg == 60000


def test_unrecognised_file_is_one_rejection_and_others_still_load(engine: Engine, tmp_path: Path) -> None:
    junk = tmp_path / "photo.bin"
    junk.write_bytes(b"\x00\x01\x02binary")
    good = write(tmp_path, "ok.json", json.dumps({"document_type": "AWB", "document_number": "123-45678901",
                                                   "mode": "air"}))
    report = ingest_paths(engine, [junk, good])
    assert report.total("accepted") == 1 and report.total("rejected") == 1
    assert report.rejections[0].location == "file" and report.rejections[0].code == "unsupported_format"
