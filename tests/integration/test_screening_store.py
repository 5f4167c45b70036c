"""Lists as versioned data, decisions that stick, screening of stored consignments (SQLite and PostgreSQL)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from corridor.domain.errors import Conflict, NotFound
from corridor.ingest.service import ingest_documents
from corridor.screening.consignments import (
    consignment_hits,
    pending_consignment_ids,
    screen_consignments,
    screen_pending,
)
from corridor.screening.matcher import Query
from corridor.screening.service import import_list, record_decision, screen_queries

HEADER = "id,name,type,aliases,country,birth_date,imo,mmsi,call_sign,tax_id,program,remarks\n"
V1 = (
    HEADER
    + "AZ-1,Rza Hüseynov,person,Рза Гусейнов,AZ,1970,,,,,customs,\n"
    + "AZ-2,Caspian Gas Trading MMC,organization,,AZ,,,,,,customs,\n"
    + "AZ-3,MV Caspian Star,vessel,,AZ,,9187629,,,,customs,\n"
    + "AZ-4,Old Entry Ltd,organization,,AZ,,,,,,customs,\n"
)
V2 = (
    HEADER
    + "AZ-1,Rza Hüseynov,person,Рза Гусейнов,AZ,1970,,,,,customs,\n"
    + "AZ-2,Caspian Gas Trading MMC,organization,Xəzər Qaz Ticarət,AZ,,,,,,customs,\n"
    + "AZ-3,MV Caspian Star,vessel,,AZ,,9187629,,,,customs,\n"
    + "AZ-5,Astara Logistics MMC,organization,,AZ,,,,,,customs,\n"
    + "AZ-6,,person,,AZ,,,,,,customs,\n"
)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_import_then_update_reports_added_changed_removed(engine: Engine, tmp_path: Path) -> None:
    first = import_list(engine, write(tmp_path, "v1.csv", V1), code="az-national")
    assert (first.version, len(first.added), first.problems) == (1, 4, [])
    with pytest.raises(Conflict):
        import_list(engine, write(tmp_path, "v1.csv", V1), code="az-national")
    with pytest.raises(NotFound):
        import_list(engine, write(tmp_path, "v1.csv", V1), code="other", mode="update")

    second = import_list(engine, write(tmp_path, "v2.csv", V2), code="az-national", mode="update")
    assert second.version == 2
    assert (second.added, second.changed, second.removed, second.unchanged) == (
        ["AZ-5"],
        ["AZ-2"],
        ["AZ-4"],
        2,
    )
    assert [(p.position, p.reason) for p in second.problems] == [("row 6", "name is empty")]

    same = import_list(engine, write(tmp_path, "v2.csv", V2), code="az-national", mode="update")
    assert same.version == 2 and same.unchanged == 4 and not (same.added or same.changed or same.removed)

    found = screen_queries(engine, [Query("Old Entry Ltd"), Query("Xezer Qaz Ticaret")])
    assert not [m for m in found[0].match_dicts() if m["passed"]]  # removed entries are not screened
    assert found[1].match_dicts()[0]["entry_key"] == "AZ-2"  # the new alias is


def test_a_false_positive_sticks_until_the_entry_changes(engine: Engine, tmp_path: Path) -> None:
    import_list(engine, write(tmp_path, "v1.csv", V1), code="az-national")
    query = Query("Рза Гусейнов")
    match = screen_queries(engine, [query])[0].match_dicts()[0]
    assert match["entry_key"] == "AZ-1" and match["passed"] and not match["suppressed"]

    record_decision(
        engine, subject="Rza Huseynov", list_code="az-national", entry_key="AZ-1", decision="false_positive"
    )
    # Another spelling of the same subject is the same pair: still cleared.
    again = screen_queries(engine, [query])[0].match_dicts()[0]
    assert again["suppressed"] and again["decision"] == "false_positive"

    changed = V1.replace(
        "AZ-1,Rza Hüseynov,person,Рза Гусейнов,AZ,1970", "AZ-1,Rza Hüseynov,person,Рза Гусейнов,AZ,1971"
    )
    import_list(engine, write(tmp_path, "v1b.csv", changed), code="az-national", mode="update")
    back = screen_queries(engine, [query])[0].match_dicts()[0]
    assert back["passed"] and not back["suppressed"] and back["decision"] is None


def consignment(
    number: str, parties: list[dict[str, Any]], conveyance: dict[str, Any] | None = None
) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "document_type": "BL",
        "document_number": number,
        "mode": "sea",
        "office": "AZ-ALYAT-PCU",
        "place_of_loading": {"locode": "KZAKT"},
        "place_of_discharge": {"locode": "AZBAK"},
        "parties": parties,
        "goods": [{"sequence": 1, "hs_code": "271019", "description": "gas oil", "gross_kg": 1000}],
    }
    if conveyance:
        doc["conveyance"] = conveyance
    return doc


def test_every_party_and_vessel_of_ingested_consignments_is_screened(engine: Engine, tmp_path: Path) -> None:
    import_list(engine, write(tmp_path, "v1.csv", V1), code="az-national")
    docs = [
        consignment(
            "BL-1",
            [
                {"role": "consignor", "name": "Aktau Grain LLP", "country": "KZ"},
                {"role": "consignee", "name": "ГУСЕЙНОВ Рза", "country": "AZ"},
            ],
            {"mode": "sea", "name": "Ocean Pearl", "imo": "9187629"},
        ),
        consignment(
            "BL-2",
            [
                {"role": "consignor", "name": "Caspian Oil Trading LLC", "country": "KZ"},
                {"role": "consignee", "name": "Rza Huseynov", "country": "AZ"},
            ],
        ),
    ]
    report = ingest_documents(engine, docs)
    ids = report.consignment_ids
    assert len(ids) == 2 and pending_consignment_ids(engine) == sorted(ids)

    result = screen_consignments(engine, ids)
    assert result.consignments == 2 and result.subjects == 5 and result.open_hits == 3
    hits = consignment_hits(engine, min(ids))
    assert {(h["subject"], h["entry_key"]) for h in hits} == {("consignee", "AZ-1"), ("conveyance", "AZ-3")}
    vessel = next(h for h in hits if h["subject"] == "conveyance")
    assert any(f["feature"] == "identifier_match" for f in vessel["explanation"]["features"])
    assert consignment_hits(engine, max(ids))[0]["entry_key"] == "AZ-1"  # Caspian *Oil* is not Caspian *Gas*
    assert pending_consignment_ids(engine) == []

    record_decision(
        engine, subject="Rza Huseynov", list_code="az-national", entry_key="AZ-1", decision="false_positive"
    )
    import_list(engine, write(tmp_path, "v2.csv", V2), code="az-national", mode="update")
    assert pending_consignment_ids(engine) == sorted(ids)  # new list version: screen again
    again = screen_pending(engine)
    assert again.consignments == 2 and again.suppressed_hits == 2 and again.open_hits == 1
    assert [h["entry_key"] for h in consignment_hits(engine, max(ids))] == []
    assert len(consignment_hits(engine, max(ids), include_suppressed=True)) == 1


def test_the_risk_engine_lookup_answers_through_the_matcher(engine: Engine, tmp_path: Path) -> None:
    from corridor.risk.watchlist import WatchQuery
    from corridor.screening.adapter import screening_watchlist

    import_list(engine, write(tmp_path, "v1.csv", V1), code="az-national")
    lookup = screening_watchlist(engine)
    matches = lookup.lookup(
        [
            WatchQuery(1, "party", "ГУСЕЙНОВ Рза", ()),
            WatchQuery(2, "vessel", "Ocean Pearl", ("9187629",)),
            WatchQuery(3, "party", "Caspian Oil Trading LLC", ()),
        ]
    )
    assert sorted((m.ref, m.list_name) for m in matches) == [(1, "az-national"), (2, "az-national")]
    record_decision(
        engine, subject="Rza Huseynov", list_code="az-national", entry_key="AZ-1", decision="false_positive"
    )
    assert [m.ref for m in lookup.lookup([WatchQuery(1, "party", "Rza Huseynov", ())])] == []
