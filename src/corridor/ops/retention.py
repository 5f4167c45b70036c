"""Data retention: personal data older than N years is pseudonymised or removed; the facts stay.

What is purged (docs/operations.md, "Data retention", says why each):

| where | older than the cut-off by | what happens |
|---|---|---|
| consignments, their versions and party rows | arrival (else ETA, filing, storage) | persons pseudonymised, their addresses and identifiers removed, personal attributes dropped; the same names replaced in assessments, screening hits, decisions, inspection notes and case seizures |
| CEN seizure records | seizure date | persons involved pseudonymised, their identifiers removed; the seizure facts stay |
| exchange inbox / outbox | received / created | the message payload removed once applied, refused or delivered (the digest and the audit chain stay) |
| exchange alerts | received | a person's name pseudonymised, identifiers removed |
| screening decisions on persons | decided | deleted |
| ingest rejections | batch start | the raw excerpt removed |
| audit log, exchange refusals | entry time | IP addresses removed |
| expired sessions and API tokens | expiry | deleted |

Not touched: users (administrators manage accounts), national watch-list entries (an analyst's
deliberate, reviewed decision; the report counts the old ones), the exchange's hash-chained audit
log (it holds digests, not payloads, so it still verifies), maritime data (vessels, not persons).

Work goes in chunks, each its own transaction; a dry run does the same work and rolls every chunk
back, so its counts are exactly what a real run would change. A second run changes nothing.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar, cast

from sqlalchemy import CursorResult, Engine, Result, Text, and_, delete, func, null, or_, select, update
from sqlalchemy import cast as cast_
from sqlalchemy.orm import Session

from corridor.accounts.models import AuditRow, SessionRow
from corridor.cases.models import DecisionRow, InspectionRow, SeizureRow
from corridor.consignments.models import (
    ConsignmentRow,
    ConsignmentVersionRow,
    GoodsItemRow,
    IngestBatchRow,
    PartyRow,
    RejectionRow,
)
from corridor.domain.errors import InvalidInput
from corridor.exchange.models import AlertRow, InboxRow, OutboxRow
from corridor.exchange.models import RejectionRow as ExchangeRejectionRow
from corridor.ops.personal import Replacements, is_organisation, is_pseudonym, pseudonym, scrub_consignment
from corridor.risk.models import AssessmentRow
from corridor.screening.models import ScreeningDecisionRow, ScreeningHitRow
from corridor.seizures.models import CenSeizureRow, CenWatchEntryRow

log = logging.getLogger("corridor.ops.retention")

CHUNK = 500
T = TypeVar("T")


@dataclass(slots=True)
class PurgeReport:
    years: int
    cutoff: datetime
    dry_run: bool
    # The previous completed run (its cut-off and when it ran), or None for a full scan.
    since: tuple[datetime, datetime] | None = None
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, name: str, count: int) -> None:
        self.counts[name] = self.counts.get(name, 0) + count

    @property
    def total(self) -> int:
        return sum(v for k, v in self.counts.items() if not k.startswith("review_"))

    def as_dict(self) -> dict[str, Any]:
        return {
            "years": self.years,
            "cutoff": self.cutoff.isoformat(),
            "dry_run": self.dry_run,
            "scan": "full" if self.since is None else f"since the run of {self.since[1].isoformat()}",
            "changed": self.total,
            "counts": dict(sorted(self.counts.items())),
        }


def cutoff_for(years: int, now: datetime | None = None) -> datetime:
    """The same calendar day `years` ago (29 February becomes 28 February)."""
    if years < 1:
        raise InvalidInput(f"retention must be at least 1 year, not {years}", where="years")
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    try:
        return moment.replace(year=moment.year - years)
    except ValueError:
        return moment.replace(year=moment.year - years, day=28)


def purge(
    engine: Engine,
    years: int,
    *,
    secret: str,
    dry_run: bool = False,
    full: bool = False,
    now: datetime | None = None,
) -> PurgeReport:
    """Pseudonymise or remove personal data older than `years`; audited unless a dry run.

    Consignments and seizures are read again only where a run could find something new: dated
    between the previous run's cut-off and this one, or changed since the previous run (an
    amendment, a late import of old records). `full` reads every old record again.
    """
    # Records changed from here on are the next run's business, even if this run misses them.
    started = datetime.now(UTC)
    report = PurgeReport(years, cutoff_for(years, now), dry_run, None if full else previous_run(engine))
    steps = (
        _consignments,
        _cen_seizures,
        _exchange,
        _screening_decisions,
        _rejection_excerpts,
        _addresses,
        _sessions,
        _watch_entries,
    )
    for step in steps:
        step(engine, report, secret)
    if not dry_run:
        from corridor.accounts.service import audit

        with Session(engine) as session:
            audit(
                session,
                None,
                "retention.purge",
                "retention",
                str(years),
                detail={
                    "years": years,
                    "cutoff": report.cutoff.isoformat(),
                    "started": started.isoformat(),
                    "counts": report.counts,
                },
                summary=f"retention purge: {report.total} records older than {years} years changed",
            )
            session.commit()
    log.info(
        "retention purge%s: %s records older than %s years changed",
        " (dry run)" if dry_run else "",
        report.total,
        years,
        extra={"counts": report.counts, "dry_run": dry_run},
    )
    return report


def previous_run(engine: Engine) -> tuple[datetime, datetime] | None:
    """(cut-off, time) of the last completed purge, from the audit log."""
    with Session(engine) as session:
        last = session.execute(
            select(AuditRow.at, AuditRow.detail)
            .where(AuditRow.action == "retention.purge")
            .order_by(AuditRow.id.desc())
            .limit(1)
        ).first()
    if last is None or not isinstance(last.detail, dict) or "cutoff" not in last.detail:
        return None
    at = last.at if last.at.tzinfo else last.at.replace(tzinfo=UTC)
    started = datetime.fromisoformat(str(last.detail["started"])) if "started" in last.detail else at
    return datetime.fromisoformat(str(last.detail["cutoff"])), started


def _window(report: PurgeReport, dated: Any, changed: Any) -> Any:
    """Records older than the cut-off that the previous run cannot have seen as such."""
    condition = dated < report.cutoff
    if report.since is None:
        return condition
    previous_cutoff, previous_at = report.since
    return and_(condition, or_(dated >= previous_cutoff, changed >= previous_at))


def _finish(session: Session, report: PurgeReport) -> None:
    if report.dry_run:
        session.rollback()
    else:
        session.commit()


def _chunks(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# --- consignments and what repeats their parties -------------------------------------------------


def _consignments(engine: Engine, report: PurgeReport, secret: str) -> None:
    reference = func.coalesce(
        ConsignmentRow.arrival_at, ConsignmentRow.eta, ConsignmentRow.filed_at, ConsignmentRow.created_at
    )
    with Session(engine) as session:
        ids = list(
            session.scalars(
                select(ConsignmentRow.id)
                .where(_window(report, reference, ConsignmentRow.updated_at))
                .order_by(ConsignmentRow.id)
            )
        )
    for chunk in _chunks(ids):
        with Session(engine) as session:
            _consignment_chunk(session, chunk, report, secret)
            _finish(session, report)


def _by_consignment(session: Session, model: Any, ids: Sequence[int]) -> dict[int, list[Any]]:
    """The rows of `model` for these consignments, one query for the whole chunk."""
    grouped: dict[int, list[Any]] = defaultdict(list)
    for item in session.scalars(select(model).where(model.consignment_id.in_(ids))):
        grouped[item.consignment_id].append(item)
    return grouped


def _consignment_chunk(session: Session, ids: Sequence[int], report: PurgeReport, secret: str) -> None:
    """Scrub the documents of a chunk, then the rows that repeat the names found in them."""
    versions = _by_consignment(session, ConsignmentVersionRow, ids)
    found_in: dict[int, Replacements] = {}
    for row in session.scalars(select(ConsignmentRow).where(ConsignmentRow.id.in_(ids))):
        found = Replacements(secret)
        doc = _copy(row.data)
        if scrub_consignment(doc, found):
            row.data = doc
            report.add("consignments", 1)
        for version in versions.get(row.id, []):
            version_doc = _copy(version.data)
            if scrub_consignment(version_doc, found):
                version.data = version_doc
                report.add("consignment_versions", 1)
        if found.found:
            row.consignor_name, row.consignee_name, row.carrier_name = (
                found.found.get(v, v) if v else v
                for v in (row.consignor_name, row.consignee_name, row.carrier_name)
            )
            found_in[row.id] = found
    if not found_in:
        return
    touched = list(found_in)
    for cid, parties in _by_consignment(session, PartyRow, touched).items():
        for party in parties:
            report.add("consignment_parties", _party(party, found_in[cid], secret))
    for cid, assessments in _by_consignment(session, AssessmentRow, touched).items():
        for assessment in assessments:
            hits = found_in[cid].deep(assessment.hits)
            if hits != assessment.hits:
                assessment.hits = hits
                report.add("assessments", 1)
    for cid, hits in _by_consignment(session, ScreeningHitRow, touched).items():
        for hit in hits:
            replacement = found_in[cid].found.get(hit.subject_name)
            if replacement and is_pseudonym(replacement):
                hit.subject_name = hit.subject_key = replacement
                hit.explanation = found_in[cid].deep(hit.explanation)
                report.add("screening_hits", 1)
    texts = (
        (GoodsItemRow, "description"),
        (DecisionRow, "reason"),
        (InspectionRow, "notes"),
        (SeizureRow, "description"),
    )
    for model, column in texts:
        for cid, items in _by_consignment(session, model, touched).items():
            for item in items:
                before = getattr(item, column)
                after = found_in[cid].text(before)
                if after != before:
                    setattr(item, column, after)
                    report.add(f"{model.__tablename__}_text", 1)


def _party(party: PartyRow, found: Replacements, secret: str) -> int:
    replacement = found.found.get(party.name or "")
    if replacement and is_pseudonym(replacement):
        party.name = party.party_key = replacement
        return 1
    keys = {k.upper() for k in found.found}
    if party.name is None and not is_pseudonym(party.party_key) and party.party_key.upper() in keys:
        # A person known only by an identifier ("TIN:123"): the key itself is personal.
        party.party_key = pseudonym(secret, party.party_key)
        return 1
    return 0


def _rowcount(result: Result[Any]) -> int:
    # Bulk UPDATE/DELETE return a CursorResult; the generic Result type does not show its rowcount.
    return int(cast(CursorResult[Any], result).rowcount)


def _copy(doc: Any) -> Any:
    # A fresh structure, so that SQLAlchemy sees the JSON column change (it compares by identity).
    if isinstance(doc, dict):
        return {k: _copy(v) for k, v in doc.items()}
    if isinstance(doc, list):
        return [_copy(v) for v in doc]
    return doc


# --- seizure records ---------------------------------------------------------------------------


def _cen_seizures(engine: Engine, report: PurgeReport, secret: str) -> None:
    with Session(engine) as session:
        ids = list(
            session.scalars(
                select(CenSeizureRow.id)
                .where(_window(report, CenSeizureRow.seized_at, CenSeizureRow.updated_at))
                .order_by(CenSeizureRow.id)
            )
        )
    for chunk in _chunks(ids):
        with Session(engine) as session:
            for seizure in session.scalars(select(CenSeizureRow).where(CenSeizureRow.id.in_(chunk))):
                found = Replacements(secret)
                for party in seizure.parties:
                    if party.kind != "person" or is_pseudonym(party.name):
                        continue
                    party.name = found.name(party.name)
                    found.removed(party.identifier)
                    party.identifier = None
                    report.add("seizure_persons", 1)
                if found.found:
                    seizure.notes = found.text(seizure.notes)
                    seizure.description = found.text(seizure.description)
            _finish(session, report)


def _watch_entries(engine: Engine, report: PurgeReport, _secret: str) -> None:
    with Session(engine) as session:
        old = session.scalar(
            select(func.count())
            .select_from(CenWatchEntryRow)
            .where(CenWatchEntryRow.kind == "person", CenWatchEntryRow.added_at < report.cutoff)
        )
    report.add("review_watch_entries", int(old or 0))


# --- exchange ----------------------------------------------------------------------------------


def _exchange(engine: Engine, report: PurgeReport, secret: str) -> None:
    with Session(engine) as session:
        inbox = session.execute(
            update(InboxRow)
            .where(
                InboxRow.received_at < report.cutoff,
                InboxRow.status.in_(("applied", "refused")),
                # SQL NULL or a JSON null (SQLite stores None as the JSON text "null"): nothing left.
                InboxRow.payload.is_not(None),
                cast_(InboxRow.payload, Text) != "null",
            )
            .values(payload=null())
            .execution_options(synchronize_session=False)
        )
        report.add("exchange_inbox_payloads", _rowcount(inbox))
        outbox = session.execute(
            update(OutboxRow)
            .where(
                OutboxRow.created_at < report.cutoff,
                OutboxRow.status == "delivered",
                OutboxRow.envelope != "",
            )
            .values(payload={}, envelope="")
            .execution_options(synchronize_session=False)
        )
        report.add("exchange_outbox_payloads", _rowcount(outbox))
        for alert in session.scalars(select(AlertRow).where(AlertRow.received_at < report.cutoff)):
            if not alert.party_name or is_pseudonym(alert.party_name) or is_organisation(alert.party_name):
                continue
            found = Replacements(secret)
            alert.party_name = found.name(alert.party_name)
            for ident in alert.party_identifiers or []:
                found.removed(ident.get("value"))
            alert.party_identifiers = None
            alert.reason = found.text(alert.reason) or ""
            alert.closed_note = found.text(alert.closed_note)
            report.add("exchange_alert_persons", 1)
        _finish(session, report)


# --- the rest: decisions on persons, raw excerpts, addresses, expired sessions ----------------------


def _screening_decisions(engine: Engine, report: PurgeReport, _secret: str) -> None:
    with Session(engine) as session:
        old = session.execute(
            select(ScreeningDecisionRow.id, ScreeningDecisionRow.subject_name).where(
                ScreeningDecisionRow.decided_at < report.cutoff
            )
        ).all()
        persons = [i for i, name in old if not is_organisation(name)]
        for chunk in _chunks(persons):
            session.execute(delete(ScreeningDecisionRow).where(ScreeningDecisionRow.id.in_(chunk)))
        report.add("screening_decisions", len(persons))
        _finish(session, report)


def _rejection_excerpts(engine: Engine, report: PurgeReport, _secret: str) -> None:
    with Session(engine) as session:
        old_batches = select(IngestBatchRow.id).where(IngestBatchRow.started_at < report.cutoff)
        result = session.execute(
            update(RejectionRow)
            .where(RejectionRow.batch_id.in_(old_batches), RejectionRow.excerpt.is_not(None))
            .values(excerpt=None)
            .execution_options(synchronize_session=False)
        )
        report.add("ingest_rejection_excerpts", _rowcount(result))
        _finish(session, report)


def _addresses(engine: Engine, report: PurgeReport, _secret: str) -> None:
    with Session(engine) as session:
        audit_ips = session.execute(
            update(AuditRow)
            .where(AuditRow.at < report.cutoff, AuditRow.ip.is_not(None))
            .values(ip=None)
            .execution_options(synchronize_session=False)
        )
        report.add("audit_log_ips", _rowcount(audit_ips))
        remotes = session.execute(
            update(ExchangeRejectionRow)
            .where(ExchangeRejectionRow.at < report.cutoff, ExchangeRejectionRow.remote.is_not(None))
            .values(remote=None)
            .execution_options(synchronize_session=False)
        )
        report.add("exchange_refusal_ips", _rowcount(remotes))
        _finish(session, report)


def _sessions(engine: Engine, report: PurgeReport, _secret: str) -> None:
    with Session(engine) as session:
        result = session.execute(
            delete(SessionRow)
            .where(SessionRow.expires_at < report.cutoff)
            .execution_options(synchronize_session=False)
        )
        report.add("expired_sessions", _rowcount(result))
        _finish(session, report)
