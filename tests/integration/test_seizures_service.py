"""Seizure use cases on SQLite and PostgreSQL: record, import, export, statistics, the record made from
the workbench's seizure form, outcomes fed back to targeting, and the national watch list."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from corridor.analytics.aggregates import records, stats
from corridor.analytics.frames import seizure_frame
from corridor.seizures import feedback, service
from corridor.seizures.demo import generate
from corridor.seizures.models import CenSeizureRow
from corridor.seizures.schemas import SeizureIn
from corridor.seizures.template import to_bytes

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
CMR = {
    "document_type": "CMR",
    "document_number": "CMR-SZ-1",
    "mode": "road",
    "office": "AZ-ASTARA-BP",
    "eta": "2026-11-20T09:00:00Z",
    "place_of_loading": {"locode": "IRTBZ"},
    "place_of_discharge": {"locode": "AZAST"},
    "departure_country": "IR",
    "destination_country": "RU",
    "transit_countries": ["AZ"],
    "conveyance": {"mode": "road", "registration": "IR 12 B 345"},
    "parties": [
        {
            "role": "consignor",
            "name": "Tabriz Sabz Fruit Co.",
            "country": "IR",
            "identifiers": [{"scheme": "TIN", "value": "IR-7788"}],
        },
        {"role": "consignee", "name": "Volga Components OOO", "country": "RU"},
    ],
    "goods": [{"sequence": 1, "hs_code": "080810", "description": "fresh apples", "gross_kg": 19500}],
}


def heroin(ref: str | None = "T-1", **kw: object) -> SeizureIn:
    doc: dict[str, object] = {
        "ref": ref,
        "seized_at": "2026-10-05T08:00:00Z",
        "office": "AZ-ASTARA-BP",
        "locode": "AZAST",
        "commodity_type": "heroin",
        "quantity": 12.5,
        "unit": "kg",
        "concealment": "false_compartment",
        "detection": "canine",
        "transport_mode": "road",
        "departure_country": "IR",
        "transit_countries": ["AZ"],
        "destination_country": "RU",
        "parties": [
            {"name": "Reza Ahmadi", "role": "driver", "nationality": "IR", "identifier": "PASSPORT:IR1234567"}
        ],
    }
    doc.update(kw)
    return SeizureIn.model_validate(doc)


def test_record_is_idempotent_and_updates(engine: Engine) -> None:
    with Session(engine, expire_on_commit=False) as session:
        row, status = service.record(session, heroin())
        assert status == "created" and row.category == "drugs" and row.quantity_kg == 12.5
        assert row.lat is not None and row.h3_cell is not None and row.route == "IR>AZ>RU"
        assert service.record(session, heroin())[1] == "unchanged"
        assert service.record(session, heroin(quantity=13.0))[1] == "updated"
        # Without a ref the natural key is derived from the content: the same record twice is one.
        first, _ = service.record(session, heroin(ref=None, commodity_type="opium"))
        again, status = service.record(session, heroin(ref=None, commodity_type="opium"))
        assert first.id == again.id and status == "unchanged"
        assert session.scalar(select(CenSeizureRow.quantity).where(CenSeizureRow.ref == "T-1")) == 13.0
        assert len(service.get(session, "t-1").parties) == 1


def test_import_keeps_good_rows_and_export_round_trips(engine: Engine) -> None:
    items = generate(3, end=date(2026, 10, 31), count=60)
    rows = list(csv.DictReader(io.StringIO(to_bytes(items, "csv").decode())))
    rows[4]["unit"] = "bags"  # spreadsheet row 6 (header is row 1)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    lines = out.getvalue().splitlines()
    with Session(engine, expire_on_commit=False) as session:
        report = service.import_records(session, ("\n".join(lines) + "\n").encode(), "year.csv")
        assert (report.created, report.rejected) == (59, 1)
        assert (report.rejections[0].row, report.rejections[0].column) == (6, "unit")
        again = service.import_records(session, ("\n".join(lines) + "\n").encode(), "year.csv")
        assert (again.created, again.unchanged, again.rejected) == (0, 59, 1)
        exported = service.all_inputs(session, service.SeizureFilter())
        expected = [i for n, i in enumerate(items) if n != 4]
        assert sorted(e.model_dump_json() for e in exported) == sorted(e.model_dump_json() for e in expected)
        by = {r["key"]: r["seizures"] for r in records(stats(seizure_frame(session), "commodity"))}
        assert sum(by.values()) == 59
        scoped = seizure_frame(session, service.SeizureFilter(offices=frozenset({"AZ-BAKU-AIR"})))
        assert set(scoped["office"].to_list()) <= {"AZ-BAKU-AIR"}
        bad_link = service.import_records(
            session, to_bytes([heroin(ref="L-1", consignment="NO-SUCH")], "geojson"), "link.geojson"
        )
        assert bad_link.rejected == 1 and bad_link.rejections[0].column == "consignment"


def _case_seizure(engine: Engine) -> tuple[int, int]:
    """A consignment assessed red, selected, inspected with a seizure and a photo, on the workbench."""
    from corridor.accounts.service import NewUser, create_user, ensure_agency, upsert_office
    from corridor.cases.service import Photo, SeizureForm, decide, record_inspection, record_seizure
    from corridor.ingest.service import ingest_documents
    from corridor.risk.models import AssessmentRow

    report = ingest_documents(engine, [CMR])
    cid = report.consignment_ids[0]
    assert cid is not None
    with Session(engine, expire_on_commit=False) as session:
        agency = ensure_agency(session, "AZ-SCS", "Customs")
        upsert_office(
            session, code="AZ-ASTARA-BP", agency=agency, name_en="Astara", kind="border_post", locode="AZAST"
        )
        user = create_user(session, NewUser("boss", "a-long-password-1", "administrator", "AZ-SCS"))
        session.add(
            AssessmentRow(
                consignment_id=cid,
                consignment_version=1,
                score=88.0,
                lane="red",
                selected=True,
                exploration=False,
                profile_set={"DRG-PRODUCE-IR": 1},
                model_version=None,
                assessed_at=datetime(2026, 11, 19, tzinfo=UTC),
                hits=[
                    {
                        "source": "profile",
                        "rule_id": "DRG-PRODUCE-IR",
                        "version": 1,
                        "title": "Produce from Iran",
                        "weight": 40,
                    }
                ],
            )
        )
        session.commit()
        decide(session, user, cid, action="select", method="physical")
        inspection = record_inspection(session, user, cid, result="seizure")
        seizure = record_seizure(
            session,
            user,
            inspection.id,
            SeizureForm(commodity="narcotics", quantity=2, unit="cartons", concealment="vehicle"),
            [Photo("boot.png", PNG)],
        )
        return cid, seizure.id


def test_record_from_case_links_everything_and_feeds_back(engine: Engine) -> None:
    cid, seizure_id = _case_seizure(engine)
    with Session(engine, expire_on_commit=False) as session:
        row, status = service.record_from_case(session, seizure_id)
        assert status == "created"
        assert (row.consignment_id, row.case_seizure_id, row.office, row.locode) == (
            cid,
            seizure_id,
            "AZ-ASTARA-BP",
            "AZAST",
        )
        assert row.detection == "risk_profile" and [h["rule_id"] for h in row.profile_hits] == [
            "DRG-PRODUCE-IR"
        ]
        assert (row.unit, row.quantity, row.concealment) == ("packs", 20.0, "vehicle_body")
        assert row.route == "IR>AZ>RU" and row.conveyance == "IR 12 B 345"
        assert {(p.name, p.role, p.nationality, p.identifier) for p in row.parties} == {
            ("Tabriz Sabz Fruit Co.", "consignor", "IR", "TIN:IR-7788"),
            ("Volga Components OOO", "consignee", "RU", None),
        }
        assert len(row.attachments) == 1 and row.attachments[0].kind == "photo"
        found, path = service.open_attachment(session, row.attachments[0].id)
        assert path.read_bytes() == PNG
        # The analyst refines the type; a later sync from the form keeps it.
        data = service.to_input(row, "CMR:CMR-SZ-1").model_copy(update={"commodity_type": "heroin"})
        service.record(session, data)
        again, _ = service.record_from_case(session, seizure_id)
        assert again.id == row.id and again.commodity_type == "heroin"

        outcomes = feedback.consignment_outcomes(session)
        assert outcomes[cid].result == "seizure" and outcomes[cid].categories == ["drugs"]
        labels = feedback.training_labels(session)
        assert labels.row(0, named=True)["id"] == "CMR:CMR-SZ-1" and labels["fraud"].to_list() == [True]
        from corridor.consignments.service import get_consignment

        crow, doc = get_consignment(session, cid)
        [applied] = feedback.apply_outcomes(session, [(crow.id, doc)])
        assert (
            applied.outcome is not None and applied.outcome.critical and applied.outcome.result == "seizure"
        )
        rates = {r.rule_id: r for r in feedback.profile_hit_rates(session)}
        assert (rates["DRG-PRODUCE-IR"].inspected, rates["DRG-PRODUCE-IR"].seizures) == (1, 1)
        # The seizure is a training label of the model and an outcome of the risk back-test.
        from corridor.model.service import stored_frame

        frame = stored_frame(session)
        assert frame.filter(frame["id"] == "CMR:CMR-SZ-1")["fraud"].to_list() == [True]
    from datetime import date

    from corridor.risk.service import backtest_stored, ensure_starter

    ensure_starter(engine)
    report = backtest_stored(engine, date(2026, 11, 1), date(2026, 11, 30))
    assert (report["consignments"], report["inspected"], report["positives"]) == (1, 1, 1)


def test_watch_list_reaches_the_risk_engine_lists(engine: Engine) -> None:
    from corridor.risk.service import all_lists
    from corridor.risk.watchlist import NamedListWatchlist, WatchQuery

    with Session(engine, expire_on_commit=False) as session:
        row, _ = service.record(
            session,
            heroin(
                parties=[
                    {
                        "name": "Reza Ahmadi",
                        "role": "driver",
                        "nationality": "IR",
                        "identifier": "PASSPORT:IR1234567",
                    },
                    {"name": "Golden Crescent Trading FZE", "role": "consignee", "kind": "company"},
                ]
            ),
        )
        added = service.watch_parties(session, "T-1", actor="analyst")
        assert {a.entry for a in added} == {"PASSPORT:IR1234567", "Golden Crescent Trading FZE"}
        assert service.watch_parties(session, "T-1") == []  # already on the list
        lists = all_lists(session)
        national = lists[service.NATIONAL_LIST]
        assert national.kind == "parties" and "PASSPORT:IR1234567" in national.items
        matcher = NamedListWatchlist({n: (lst.kind, lst.items) for n, lst in lists.items()})
        hits = matcher.lookup([WatchQuery(1, "party", "golden crescent trading fze")])
        assert [h.list_name for h in hits] == [service.NATIONAL_LIST]
