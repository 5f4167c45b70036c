"""Retention on SQLite and PostgreSQL: personal data older than N years goes, newer stays, facts stay.

The check is over a dump of every table: an old person's name, address, passport number and
driver's name must appear nowhere in the database after the purge, while a recent person, the
companies and the seizure facts are untouched; the dry run changes nothing; a second run changes
nothing; the exchange audit chain still verifies.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from corridor.accounts.models import AgencyRow, AuditRow, SessionRow, UserRow
from corridor.cli import app
from corridor.consignments.models import IngestBatchRow, RejectionRow
from corridor.db.models import metadata
from corridor.exchange import audit as exchange_audit
from corridor.exchange.models import AlertRow, InboxRow, PartnerRow
from corridor.ingest.service import ingest_documents
from corridor.ops.personal import is_organisation, pseudonym
from corridor.ops.retention import cutoff_for, purge
from corridor.risk.models import AssessmentRow
from corridor.screening.models import ScreeningDecisionRow, ScreeningEntryRow, ScreeningListRow
from corridor.seizures.models import CenPartyRow, CenSeizureRow
from corridor.settings import get_settings

SECRET = "test-retention-secret-0123456789abcdef"
NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
OLD = NOW - timedelta(days=365 * 6)
RECENT = NOW - timedelta(days=30)
# What must be gone: an old consignee (a person), his address and passport, the old driver.
GONE = (
    "Ivan Petrov",
    "IVAN PETROV",
    "Lenina 12",
    "P1234567",
    "Rashid Aliyev",
    "Tural Qasimov",
    "AZE998877",
)
# What must stay: a recent person, the companies, the seizure facts.
KEPT = ("Anna Smirnova", "Steppe Auto Export TOO", "Caspian Shipping Co", "cocaine")


def _doc(
    number: str, arrival: datetime, person: str, *, attributes: dict[str, str] | None = None
) -> dict[str, Any]:
    return {
        "document_type": "CMR",
        "document_number": number,
        "mode": "road",
        "office": "AZ-ASTARA-BP",
        "arrival_at": arrival.isoformat(),
        "place_of_loading": {"locode": "IRTBZ"},
        "place_of_discharge": {"locode": "AZAST"},
        "carrier": {"role": "carrier", "name": "Caspian Shipping Co", "country": "AZ"},
        "parties": [
            {"role": "consignor", "name": "Steppe Auto Export TOO", "country": "KZ"},
            {
                "role": "consignee",
                "name": person,
                "address": "Lenina 12" if person == "Ivan Petrov" else "Nizami 5",
                "city": "Baku",
                "country": "AZ",
                "identifiers": [
                    {"scheme": "PASSPORT", "value": "P1234567" if person == "Ivan Petrov" else "C7654321"}
                ],
            },
        ],
        "goods": [
            {"sequence": 1, "hs_code": "080810", "description": f"apples for {person}", "gross_kg": 900}
        ],
        "attributes": attributes or {},
    }


def _world(engine: Engine) -> dict[str, int]:
    report = ingest_documents(
        engine,
        [
            _doc(
                "CMR-OLD-1",
                OLD,
                "Ivan Petrov",
                attributes={"driver_name": "Rashid Aliyev", "trailer_type": "reefer"},
            ),
            _doc("CMR-NEW-1", RECENT, "Anna Smirnova"),
        ],
    )
    old_id, new_id = report.consignment_ids
    with Session(engine) as session:
        for cid, name in ((old_id, "IVAN PETROV"), (new_id, "ANNA SMIRNOVA")):
            session.add(
                AssessmentRow(
                    consignment_id=cid, consignment_version=1, score=70.0, lane="red", selected=True,
                    exploration=False, profile_set={}, assessed_at=NOW, run_id="t",
                    hits=[{"rule_id": "watch", "title": f"Consignee {name} on the watch list", "evidence": {"matched": name}}],
                )
            )  # fmt: skip
        for when, ref, person in ((OLD, "SZ-OLD", "Tural Qasimov"), (RECENT, "SZ-NEW", "Anna Smirnova")):
            seizure = CenSeizureRow(
                ref=ref, seized_at=when, office="AZ-ASTARA-BP", category="drugs", commodity_type="cocaine",
                description=f"found on {person}", quantity=2.5, unit="kg", quantity_kg=2.5, concealment="body",
                detection="profile", transport_mode="road", transit_countries=[], profile_hits=[], source="manual",
                notes=f"{person} arrested", content_hash=ref, created_at=when, updated_at=when,
            )  # fmt: skip
            seizure.parties = [
                CenPartyRow(
                    role="courier",
                    kind="person",
                    name=person,
                    nationality="AZ",
                    identifier="AZE998877" if when == OLD else "AZE112233",
                ),
                CenPartyRow(role="owner", kind="company", name="Caspian Shipping Co", nationality="AZ"),
            ]
            session.add(seizure)
        agency = AgencyRow(code="AZ", name="State Customs Committee")
        session.add(agency)
        session.flush()
        admin = UserRow(
            username="admin", display_name="Admin", role="administrator", agency_id=agency.id, created_at=OLD
        )
        session.add(admin)
        session.flush()
        session.add(
            AuditRow(at=OLD, username="admin", action="login", outcome="ok", ip="203.0.113.9", detail={})
        )
        session.add(
            AuditRow(at=RECENT, username="admin", action="login", outcome="ok", ip="198.51.100.7", detail={})
        )
        session.add(
            SessionRow(
                token_hash="0" * 64, user_id=admin.id, kind="browser", csrf_token="c" * 32, created_at=OLD,
                last_seen_at=OLD, expires_at=OLD + timedelta(hours=12),
            )
        )  # fmt: skip
        batch = IngestBatchRow(started_at=OLD, origin="cli", files=["old.csv"])
        session.add(batch)
        session.flush()
        session.add(
            RejectionRow(
                batch_id=batch.id, file="old.csv", location="line 7", code="bad_date", reason="bad date",
                excerpt="CMR-X;Ivan Petrov;Lenina 12",
            )
        )  # fmt: skip
        partner = PartnerRow(name="kz-node", added_at=OLD, updated_at=OLD)
        session.add(partner)
        session.flush()
        inbox = InboxRow(
            message_id="m-old", partner_id=partner.id, message_type="alert", version=1, sequence=1,
            summary="alert", status="applied", payload={"party": {"name": "Ivan Petrov"}}, digest="d" * 64,
            created_at=OLD, received_at=OLD,
        )  # fmt: skip
        session.add(inbox)
        session.flush()
        session.add(
            AlertRow(
                inbox_id=inbox.id, sender="kz-node", message_id="m-old", party_name="Ivan Petrov",
                party_identifiers=[{"scheme": "PASSPORT", "value": "P1234567"}], reason="Ivan Petrov couriers cash",
                action="inspect", severity="high", received_at=OLD,
            )
        )  # fmt: skip
        _screening_decisions(session)
        exchange_audit.append(
            session, "message.received", partner="kz-node", message_id="m-old", digest="d" * 64
        )
        session.commit()
    return {"old": old_id, "new": new_id}


def _screening_decisions(session: Session) -> None:
    lst = ScreeningListRow(
        code="t", name="t", format="csv", version=1, entry_count=1, source="t", source_sha256="0" * 64,
        updated_at=OLD,
    )  # fmt: skip
    session.add(lst)
    session.flush()
    entry = ScreeningEntryRow(
        list_id=lst.id, key="e1", schema="person", caption="Sanctioned Person", data={}, content_hash="h",
        first_version=1, changed_version=1, updated_at=OLD,
    )  # fmt: skip
    session.add(entry)
    session.flush()
    for subject in ("Ivan Petrov", "Steppe Auto Export TOO"):
        session.add(
            ScreeningDecisionRow(
                subject_key=subject.upper(), subject_name=subject, entry_id=entry.id, entry_hash="h",
                decision="false_positive", decided_at=OLD,
            )
        )  # fmt: skip


def _dump(engine: Engine) -> str:
    """Every row of every table as text: what a purge must have removed must not be in it."""
    with engine.connect() as conn:
        return "\n".join(
            f"{table.name}: {tuple(row)}"
            for table in metadata.sorted_tables
            for row in conn.execute(table.select())
        )


def test_purge_removes_old_personal_data_keeps_the_rest(engine: Engine) -> None:
    _world(engine)
    before = _dump(engine)
    assert all(secret in before for secret in GONE)
    # Everything is younger than seven years: nothing to do.
    assert purge(engine, 7, secret=SECRET, now=NOW).total == 0
    before = _dump(engine)  # now with the audit entry of that purge
    assert all(secret in before for secret in GONE)

    dry = purge(engine, 5, secret=SECRET, dry_run=True, now=NOW)
    assert dry.total > 0 and _dump(engine) == before  # the dry run counts and changes nothing

    report = purge(engine, 5, secret=SECRET, now=NOW)
    assert report.counts == dry.counts
    after = _dump(engine)
    for secret in GONE:
        assert secret.casefold() not in after.casefold(), secret
    for kept in KEPT:
        assert kept in after, kept
    assert "198.51.100.7" in after and "203.0.113.9" not in after  # recent audit IP kept, old removed
    assert pseudonym(SECRET, "Ivan Petrov") in after  # the same pseudonym everywhere he was named
    assert "reefer" in after  # non-personal attributes stay

    counts = report.counts
    assert counts["consignments"] == 1 and counts["consignment_versions"] == 1
    assert counts["seizure_persons"] == 1 and counts["exchange_inbox_payloads"] == 1
    assert counts["exchange_alert_persons"] == 1 and counts["expired_sessions"] == 1
    assert counts["ingest_rejection_excerpts"] == 1 and counts["audit_log_ips"] == 1
    assert counts["screening_decisions"] == 1  # the decision on the person; the company's stays

    with Session(engine) as session:
        # The seizure facts are what the law-enforcement record needs: all still there.
        old = session.scalars(select(CenSeizureRow).where(CenSeizureRow.ref == "SZ-OLD")).one()
        assert (old.commodity_type, old.quantity, old.unit, old.concealment) == ("cocaine", 2.5, "kg", "body")
        assert [p.kind for p in old.parties] == ["person", "company"]
        assert exchange_audit.verify(session).ok
        purges = session.scalars(
            select(AuditRow).where(AuditRow.action == "retention.purge").order_by(AuditRow.id)
        ).all()
        assert [p.object_id for p in purges] == ["7", "5"] and purges[1].detail["counts"] == counts
        assert session.scalars(select(ScreeningDecisionRow.subject_name)).all() == ["Steppe Auto Export TOO"]

    again = purge(engine, 5, secret=SECRET, now=NOW)
    assert again.total == 0 and _dump(engine).count("[person ") == after.count("[person ")
    assert again.since is not None and purge(engine, 5, secret=SECRET, now=NOW, full=True).total == 0

    # Old records imported after the last run are still found by the next (incremental) run.
    ingest_documents(engine, [_doc("CMR-OLD-LATE", OLD, "Boris Latecomer")])
    late = purge(engine, 5, secret=SECRET, now=NOW)
    assert late.counts["consignments"] == 1 and "Latecomer" not in _dump(engine)


@pytest.mark.parametrize(
    ("name", "organisation"),
    [
        ("Steppe Auto Export TOO", True),
        ("Baku Motors MMC", True),
        ("ООО Каспий", True),
        ("Tabriz Fresh Fruit Co.", True),
        ("Ivan Petrov", False),
        ("Rza Huseyn oglu", False),
        (None, False),
    ],
)
def test_organisation_or_person(name: str | None, organisation: bool) -> None:
    assert is_organisation(name) is organisation


def test_cutoff_is_the_same_day_years_ago() -> None:
    assert cutoff_for(5, NOW) == datetime(2021, 11, 22, 12, 0, tzinfo=UTC)
    assert cutoff_for(1, datetime(2028, 2, 29, tzinfo=UTC)) == datetime(2027, 2, 28, tzinfo=UTC)


def test_cli_purge(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from corridor.db.ready import ready_engine

    monkeypatch.setenv("CORRIDOR_SECRET_KEY", SECRET)
    get_settings.cache_clear()
    _world(ready_engine())  # the configured node: SQLite in the test's data directory
    runner = CliRunner()
    missing = runner.invoke(app, ["retention", "purge"])
    assert missing.exit_code == 2 and "CORRIDOR_RETENTION_YEARS" in missing.output
    # Five years before today: the world's OLD records (six years before NOW) are older still.
    dry = runner.invoke(app, ["retention", "purge", "--years", "5", "--dry-run", "--json"])
    assert dry.exit_code == 0, dry.output
    report = json.loads(dry.stdout)
    assert report["dry_run"] and report["changed"] > 0 and report["counts"]["consignments"] >= 1
    monkeypatch.setenv("CORRIDOR_RETENTION_YEARS", "5")
    get_settings.cache_clear()
    done = runner.invoke(app, ["retention", "purge"])
    assert done.exit_code == 0 and "consignments" in done.stdout
    again = json.loads(runner.invoke(app, ["retention", "purge", "--json"]).stdout)
    assert again["changed"] == 0
