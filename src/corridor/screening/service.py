"""Screening use cases: import and update lists, screen names, remember decisions. The only place that commits.

Consignment screening (every party, carrier and vessel of stored consignments) is in
consignments.py next to this module; it shares the index and the decisions kept here.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, delete, insert, select, update
from sqlalchemy.orm import Session

from corridor.db.engine import unit_of_work
from corridor.domain.errors import Conflict, InvalidInput, NotFound
from corridor.screening.entries import EntryProblem, ListEntry
from corridor.screening.index import Screening, ScreeningIndex, name_keys
from corridor.screening.matcher import DEFAULT_THRESHOLD, Candidate, MatchResult, Query
from corridor.screening.models import (
    ScreeningDecisionRow,
    ScreeningEntryRow,
    ScreeningListRow,
    ScreeningListVersionRow,
    ScreeningNameRow,
)
from corridor.screening.normalise import abjad_mask, entry_name_forms, stored_form
from corridor.screening.sources import read_list
from corridor.screening.subjects import subject_key

DEFAULT_CODES = {"ofac-sdn": "ofac-sdn", "un-sc": "un-sc", "ftm": "opensanctions", "csv": "national"}
DEFAULT_NAMES = {
    "ofac-sdn": "OFAC Specially Designated Nationals",
    "un-sc": "UN Security Council consolidated list",
    "ftm": "OpenSanctions (FollowTheMoney)",
    "csv": "National watch list",
}
DECISIONS = ("true_match", "false_positive")
_CHUNK = 2000
_KEEP_PROBLEMS = 1000


def now() -> datetime:
    return datetime.now(UTC)


# --- lists ---------------------------------------------------------------------------------------


@dataclass(slots=True)
class ImportReport:
    code: str
    name: str
    format: str
    source: str
    version: int
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0
    skipped: int = 0
    problems: list[EntryProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self, sample: int = 20) -> dict[str, Any]:
        return {
            "list": self.code,
            "name": self.name,
            "format": self.format,
            "source": self.source,
            "version": self.version,
            "added": len(self.added),
            "changed": len(self.changed),
            "removed": len(self.removed),
            "unchanged": self.unchanged,
            "skipped": self.skipped,
            "problems": [p.as_dict() for p in self.problems],
            "added_keys": self.added[:sample],
            "changed_keys": self.changed[:sample],
            "removed_keys": self.removed[:sample],
        }


def _name_rows(entry_id: int, entry: ListEntry) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for position, form in entry_name_forms(entry.names, entry.schema):
        rows.append(
            {
                "entry_id": entry_id,
                "position": position,
                "name": form.original,
                "latin": form.latin,
                "folded": " ".join(p.folded for p in form.parts),
                "abjad": abjad_mask(form),
                "legal_forms": "|".join(form.legal_forms),
                "keys": " ".join(name_keys(form)),
            }
        )
    return rows


def _entry_values(entry: ListEntry, digest: str) -> dict[str, Any]:
    return {
        "schema": entry.schema,
        "caption": entry.names[0][:500],
        "data": entry.as_data(),
        "content_hash": digest,
    }


def _chunks(items: Sequence[Any], size: int = _CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def import_list(
    engine: Engine,
    path: Path,
    *,
    code: str | None = None,
    name: str | None = None,
    fmt: str | None = None,
    mode: str = "import",
) -> ImportReport:
    """Load a list file as a new version of a list: entries added, changed and removed are reported.

    mode "import" creates the list (Conflict if it exists), "update" needs it to exist, "upsert"
    does either. A list whose content did not change keeps its version.
    """
    parsed = read_list(path, fmt)
    code = (code or DEFAULT_CODES[parsed.format]).strip().lower()
    if not code or len(code) > 40:
        raise InvalidInput("a list code has 1-40 characters", where="list")
    source_sha = hashlib.sha256(path.read_bytes()).hexdigest()
    moment = now()
    with unit_of_work(engine) as session:
        row = session.scalars(select(ScreeningListRow).where(ScreeningListRow.code == code)).first()
        if row is not None and mode == "import":
            raise Conflict(f"list {code!r} exists (version {row.version}); use `update`", where="list")
        if row is None and mode == "update":
            raise NotFound(f"no list {code!r}; use `import` first", where="list")
        if row is None:
            row = ScreeningListRow(
                code=code,
                name=name or DEFAULT_NAMES[parsed.format],
                format=parsed.format,
                version=0,
                entry_count=0,
                source=path.name,
                source_sha256=source_sha,
                updated_at=moment,
            )
            session.add(row)
            session.flush()
        report = ImportReport(code, row.name, parsed.format, path.name, row.version + 1)
        report.skipped, report.problems = parsed.skipped, parsed.problems
        existing = {
            key: (eid, digest, removed)
            for key, eid, digest, removed in session.execute(
                select(
                    ScreeningEntryRow.key,
                    ScreeningEntryRow.id,
                    ScreeningEntryRow.content_hash,
                    ScreeningEntryRow.removed_version,
                ).where(ScreeningEntryRow.list_id == row.id)
            )
        }
        version = report.version
        new_entries: list[tuple[ListEntry, str]] = []
        changed: list[tuple[int, ListEntry, str]] = []
        seen: set[str] = set()
        for entry in parsed.entries:
            seen.add(entry.key)
            digest = entry.content_hash()
            old = existing.get(entry.key)
            if old is None:
                new_entries.append((entry, digest))
                report.added.append(entry.key)
            elif old[2] is not None or old[1] != digest:
                changed.append((old[0], entry, digest))
                (report.added if old[2] is not None else report.changed).append(entry.key)
            else:
                report.unchanged += 1
        gone = [(k, v[0]) for k, v in existing.items() if k not in seen and v[2] is None]
        report.removed = sorted(k for k, _ in gone)
        if not (new_entries or changed or gone) and row.version > 0:
            report.version = row.version
            _record_version(session, row, report, path, source_sha, moment, bump=False)
            session.commit()
            return report
        row.version = version
        for chunk in _chunks(new_entries):
            session.execute(
                insert(ScreeningEntryRow),
                [
                    {
                        "list_id": row.id,
                        "key": e.key,
                        **_entry_values(e, d),
                        "first_version": version,
                        "changed_version": version,
                        "removed_version": None,
                        "updated_at": moment,
                    }
                    for e, d in chunk
                ],
            )
        # .all() first: dict(result) would take the Result for a mapping (it has a keys() method)
        stmt = select(ScreeningEntryRow.key, ScreeningEntryRow.id).where(ScreeningEntryRow.list_id == row.id)
        ids: dict[str, int] = dict(session.execute(stmt).all())
        for chunk in _chunks(changed):
            session.execute(
                delete(ScreeningNameRow).where(ScreeningNameRow.entry_id.in_([eid for eid, _, _ in chunk]))
            )
            for eid, entry, digest in chunk:
                session.execute(
                    update(ScreeningEntryRow)
                    .where(ScreeningEntryRow.id == eid)
                    .values(
                        **_entry_values(entry, digest),
                        changed_version=version,
                        removed_version=None,
                        updated_at=moment,
                    )
                )
        for chunk in _chunks(gone):
            entry_ids = [eid for _, eid in chunk]
            session.execute(delete(ScreeningNameRow).where(ScreeningNameRow.entry_id.in_(entry_ids)))
            session.execute(
                update(ScreeningEntryRow)
                .where(ScreeningEntryRow.id.in_(entry_ids))
                .values(removed_version=version, updated_at=moment)
            )
        to_name = [(ids[e.key], e) for e, _ in new_entries] + [(eid, e) for eid, e, _ in changed]
        for chunk in _chunks(to_name):
            rows = [r for eid, e in chunk for r in _name_rows(eid, e)]
            if rows:
                session.execute(insert(ScreeningNameRow), rows)
        row.entry_count = len(parsed.entries)
        _record_version(session, row, report, path, source_sha, moment, bump=True)
        session.commit()
    return report


def _record_version(
    session: Session,
    row: ScreeningListRow,
    report: ImportReport,
    path: Path,
    sha: str,
    moment: datetime,
    bump: bool,
) -> None:
    row.source, row.source_sha256, row.updated_at = path.name, sha, moment
    if not bump:
        return  # same content again: no new version, nothing to re-screen
    problems = [p.as_dict() for p in report.problems[:_KEEP_PROBLEMS]]
    session.add(
        ScreeningListVersionRow(
            list_id=row.id,
            version=report.version,
            source=path.name,
            source_sha256=sha,
            imported_at=moment,
            added=len(report.added),
            changed=len(report.changed),
            removed=len(report.removed),
            unchanged=report.unchanged,
            problems=problems,
        )
    )


def list_lists(session: Session) -> list[ScreeningListRow]:
    return list(session.scalars(select(ScreeningListRow).order_by(ScreeningListRow.code)))


def get_list(session: Session, code: str) -> ScreeningListRow:
    row = session.scalars(select(ScreeningListRow).where(ScreeningListRow.code == code.lower())).first()
    if row is None:
        known = ", ".join(r.code for r in list_lists(session)) or "none imported"
        raise NotFound(f"no list {code!r} (lists: {known})", where="list")
    return row


def list_versions(session: Session, code: str) -> list[ScreeningListVersionRow]:
    row = get_list(session, code)
    stmt = select(ScreeningListVersionRow).where(ScreeningListVersionRow.list_id == row.id)
    return list(session.scalars(stmt.order_by(ScreeningListVersionRow.version.desc())))


def get_entry(session: Session, code: str, key: str) -> ScreeningEntryRow:
    row = get_list(session, code)
    stmt = select(ScreeningEntryRow).where(ScreeningEntryRow.list_id == row.id, ScreeningEntryRow.key == key)
    entry = session.scalars(stmt).first()
    if entry is None:
        raise NotFound(f"list {code!r} has no entry {key!r}", where="entry")
    return entry


# --- the in-memory index -------------------------------------------------------------------------


def lists_signature(session: Session) -> str:
    """The list versions in force, e.g. "ofac-sdn:3,un-sc:2": a change means rebuild and re-screen."""
    rows = session.execute(
        select(ScreeningListRow.code, ScreeningListRow.version).order_by(ScreeningListRow.code)
    )
    return ",".join(f"{code}:{version}" for code, version in rows)


def build_index(session: Session, signature: str) -> ScreeningIndex:
    """Every active entry with its stored prepared names (no normalisation runs here)."""
    stmt = (
        select(
            ScreeningEntryRow.id,
            ScreeningListRow.code,
            ScreeningEntryRow.key,
            ScreeningEntryRow.schema,
            ScreeningEntryRow.caption,
            ScreeningEntryRow.content_hash,
            ScreeningEntryRow.data,
        )
        .join(ScreeningListRow, ScreeningListRow.id == ScreeningEntryRow.list_id)
        .where(ScreeningEntryRow.removed_version.is_(None))
        .order_by(ScreeningEntryRow.id)
    )
    by_id: dict[int, Candidate] = {}
    keys: dict[int, list[list[str]]] = {}
    for eid, code, key, schema, caption, digest, data in session.execute(stmt):
        years = {int(d[:4]) for d in data.get("birth_dates", []) if d[:4].isdigit()}
        by_id[eid] = Candidate(
            entry_id=eid,
            list_code=code,
            entry_key=key,
            schema=schema,
            caption=caption,
            content_hash=digest,
            names=[],
            identifiers=tuple((s, v) for s, v in data.get("identifiers", [])),
            countries=frozenset(data.get("countries", [])),
            birth_years=frozenset(years),
        )
        keys[eid] = []
    names = select(
        ScreeningNameRow.entry_id,
        ScreeningNameRow.name,
        ScreeningNameRow.latin,
        ScreeningNameRow.folded,
        ScreeningNameRow.abjad,
        ScreeningNameRow.legal_forms,
        ScreeningNameRow.keys,
    ).order_by(ScreeningNameRow.entry_id, ScreeningNameRow.position)
    for eid, name, latin, folded, abjad, legal, name_keys_text in session.execute(names):
        cand = by_id.get(eid)
        if cand is not None:
            cand.names.append(stored_form(name, latin, folded, abjad, legal, cand.schema))
            keys[eid].append(name_keys_text.split())
    usable = [c for c in by_id.values() if c.names or c.identifiers]
    return ScreeningIndex(usable, signature=signature, name_keys_by_entry=[keys[c.entry_id] for c in usable])


_INDEXES: dict[str, ScreeningIndex] = {}
_LOCK = threading.Lock()


def get_index(engine: Engine, session: Session | None = None) -> ScreeningIndex:
    """The index of this database, rebuilt only when a list version changed (once per process)."""
    url = engine.url.render_as_string(hide_password=False)
    borrowed: AbstractContextManager[Session] = (
        unit_of_work(engine) if session is None else nullcontext(session)
    )
    with borrowed as s:
        signature = lists_signature(s)
        cached = _INDEXES.get(url)
        if cached is not None and cached.signature == signature:
            return cached
        with _LOCK:
            cached = _INDEXES.get(url)
            if cached is None or cached.signature != signature:
                cached = build_index(s, signature)
                _INDEXES[url] = cached
            return cached


# --- screening names and decisions ---------------------------------------------------------------


@dataclass(slots=True)
class Decision:
    decision: str
    current: bool  # taken on the entry's present content (else the entry changed since)
    note: str | None
    decided_by: str | None
    decided_at: datetime


@dataclass(slots=True)
class ScreenOutcome:
    query: Query
    subject_key: str
    screening: Screening
    decisions: dict[int, Decision]

    def match_dicts(self) -> list[dict[str, Any]]:
        return [match_dict(r, self.decisions.get(r.candidate.entry_id)) for r in self.screening.results]

    def open_matches(self) -> list[MatchResult]:
        return [
            r
            for r in self.screening.results
            if r.passed and not suppressed(self.decisions.get(r.candidate.entry_id))
        ]


def suppressed(decision: Decision | None) -> bool:
    """A false positive stays cleared for the same pair until the list entry changes."""
    return decision is not None and decision.current and decision.decision == "false_positive"


def match_dict(result: MatchResult, decision: Decision | None) -> dict[str, Any]:
    cand = result.candidate
    return {
        "list": cand.list_code,
        "entry_key": cand.entry_key,
        "entry_id": cand.entry_id,
        "caption": cand.caption,
        "schema": cand.schema,
        "score": round(result.score, 4),
        "passed": result.passed,
        "decision": decision.decision if decision and decision.current else None,
        "suppressed": suppressed(decision),
        "explanation": result.explanation(),
    }


def decisions_for(
    session: Session, keys: Iterable[str], hashes: dict[int, str]
) -> dict[tuple[str, int], Decision]:
    """Decisions on (subject key, entry id) pairs; `hashes` is each entry's present content hash."""
    out: dict[tuple[str, int], Decision] = {}
    wanted = sorted(set(keys))
    for chunk in _chunks(wanted, 500):
        stmt = select(ScreeningDecisionRow).where(ScreeningDecisionRow.subject_key.in_(chunk))
        for row in session.scalars(stmt):
            current = hashes.get(row.entry_id) == row.entry_hash
            out[(row.subject_key, row.entry_id)] = Decision(
                row.decision, current, row.note, row.decided_by, row.decided_at
            )
    return out


def screen_queries(
    engine: Engine,
    queries: Sequence[Query],
    *,
    threshold: float = DEFAULT_THRESHOLD,
    limit: int = 10,
    min_score: float = 0.5,
) -> list[ScreenOutcome]:
    """Screen names against every list in force, with the analysts' decisions applied."""
    index = get_index(engine)
    results: list[ScreenOutcome] = []
    hashes: dict[int, str] = {}
    for q in queries:
        if not q.name.strip() and not q.identifiers:
            raise InvalidInput("a screened name is empty and has no identifier", where="name")
        screening = index.screen(q, threshold=threshold, limit=limit, min_score=min_score)
        for r in screening.results:
            hashes[r.candidate.entry_id] = r.candidate.content_hash
        results.append(ScreenOutcome(q, subject_key(q.name, q.identifiers), screening, {}))
    with unit_of_work(engine) as session:
        found = decisions_for(session, (o.subject_key for o in results), hashes)
    for outcome in results:
        outcome.decisions = {eid: d for (key, eid), d in found.items() if key == outcome.subject_key}
    return results


def record_decision(
    engine: Engine,
    *,
    subject: str,
    identifiers: Sequence[tuple[str, str]] = (),
    list_code: str,
    entry_key: str,
    decision: str,
    note: str | None = None,
    decided_by: str | None = None,
) -> dict[str, Any]:
    """Remember an analyst's decision on a (subject, entry) pair, tied to the entry's present content."""
    if decision not in DECISIONS:
        raise InvalidInput(f"decision must be one of {', '.join(DECISIONS)}", where="decision")
    key = subject_key(subject, identifiers)
    if key == "name:":
        raise InvalidInput("the subject has no name and no identifier", where="subject")
    with unit_of_work(engine) as session:
        entry = get_entry(session, list_code, entry_key)
        if entry.removed_version is not None:
            raise Conflict(
                f"entry {entry_key!r} was removed from {list_code!r} in version {entry.removed_version}"
            )
        row = session.scalars(
            select(ScreeningDecisionRow).where(
                ScreeningDecisionRow.subject_key == key, ScreeningDecisionRow.entry_id == entry.id
            )
        ).first()
        if row is None:
            row = ScreeningDecisionRow(subject_key=key, entry_id=entry.id)
            session.add(row)
        row.subject_name = (subject or key)[:300]
        row.entry_hash = entry.content_hash
        row.decision = decision
        row.note = note
        row.decided_by = decided_by
        row.decided_at = now()
        session.commit()
        return {
            "subject_key": key,
            "list": list_code,
            "entry_key": entry_key,
            "decision": decision,
            "entry_hash": entry.content_hash,
            "decided_at": row.decided_at.isoformat(),
        }
