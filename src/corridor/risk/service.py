"""Use cases of the risk engine; the only place in the package that commits.

- profiles: import files (or the starter library) as new versions, change status, export;
- assessment: of stored consignments not yet assessed (new or amended), of given ids, or of posted
  documents; results are stored with the profile and list versions used;
- selection: lanes within capacity for an office and day, with exploration;
- back-testing: over files or stored consignments with known outcomes, optionally against a
  second profile set.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import polars as pl
from sqlalchemy import Engine, and_, func, or_, select
from sqlalchemy.orm import Session

from corridor.consignments.models import ConsignmentRow
from corridor.db.engine import unit_of_work
from corridor.domain.consignment import Consignment
from corridor.domain.errors import InvalidInput, NotFound
from corridor.risk import repository as repo
from corridor.risk.backtest import BacktestReport, backtest, compare
from corridor.risk.engine import AssessmentBatch, RiskContext, assess_frames
from corridor.risk.flatten import flatten
from corridor.risk.history import History
from corridor.risk.language import Profile, RawDocuments, parse_profiles, parse_stored, read_documents
from corridor.risk.library import load_profiles, read_paths, read_starter
from corridor.risk.lists import NamedList, builtin_lists
from corridor.risk.models import AssessmentRow, NamedListRow, ProfileRow
from corridor.risk.policy import SelectionPolicy, load_policy
from corridor.risk.selection import SEVERITY, capacity_report
from corridor.risk.selection import select as select_within_capacity
from corridor.risk.signals import Signals
from corridor.risk.signals import collect as collect_signals
from corridor.risk.watchlist import CombinedWatchlist, NamedListWatchlist, WatchlistLookup
from corridor.settings import get_settings

STARTER_AUTHOR = "starter-library"


# ---------------------------------------------------------------- policy


def default_policy_path() -> Path:
    return get_settings().data_dir / "risk-policy.yaml"


def current_policy(path: Path | None = None) -> SelectionPolicy:
    """The policy file given, else risk-policy.yaml in the data directory, else the defaults."""
    if path is not None:
        return load_policy(path)
    default = default_policy_path()
    return load_policy(default) if default.exists() else SelectionPolicy()


# ---------------------------------------------------------------- profiles


@dataclass(slots=True)
class ImportReport:
    profiles: dict[str, list[str]] = field(
        default_factory=lambda: {"created": [], "new_version": [], "unchanged": []}
    )
    lists: dict[str, list[str]] = field(
        default_factory=lambda: {"created": [], "updated": [], "unchanged": []}
    )

    def as_dict(self) -> dict[str, Any]:
        return {"profiles": self.profiles, "lists": self.lists}


def all_lists(session: Session) -> dict[str, NamedList]:
    return {**builtin_lists(), **repo.stored_lists(session)}


def _import(session: Session, raw: RawDocuments, author: str | None) -> ImportReport:
    profiles = parse_profiles(raw, all_lists(session))  # every document checked before anything is written
    now = datetime.now(UTC)
    report = ImportReport()
    for doc, _loc, _src in raw.lists:
        report.lists[repo.save_list(session, doc.to_list(), now)].append(doc.name)
    session.flush()
    texts = {id(doc): src for doc, _loc, src in raw.profiles}
    for profile in profiles:
        outcome, _version = repo.save_profile_document(
            session,
            profile.doc.model_dump(mode="json", exclude_none=True),
            None,
            texts.get(id(profile.doc)),
            author,
            now,
        )
        report.profiles[outcome].append(profile.id)
    return report


def import_paths(engine: Engine, paths: Sequence[Path] | None, author: str | None = None) -> ImportReport:
    """Store the profiles and lists of files (the starter library when `paths` is empty)."""
    raw = read_paths(paths) if paths else read_starter()
    with unit_of_work(engine) as session:
        report = _import(session, raw, author if paths else (author or STARTER_AUTHOR))
        session.commit()
    return report


def import_text(engine: Engine, text: str, source: str, author: str | None = None) -> ImportReport:
    raw = read_documents(text, source)
    with unit_of_work(engine) as session:
        report = _import(session, raw, author)
        session.commit()
    return report


def validate_text(engine: Engine | None, text: str, source: str) -> list[Profile]:
    raw = read_documents(text, source)
    if engine is None:
        from corridor.risk.library import starter_lists

        return parse_profiles(raw, {**builtin_lists(), **starter_lists()})
    with unit_of_work(engine) as session:
        return parse_profiles(raw, all_lists(session))


def ensure_starter(engine: Engine) -> bool:
    """Import the starter library when no profile was ever stored (a fresh installation)."""
    with unit_of_work(engine) as session:
        return ensure_starter_in(session)


def ensure_starter_in(session: Session) -> bool:
    if repo.profile_count(session):
        return False
    _import(session, read_starter(), STARTER_AUTHOR)
    session.commit()
    return True


def set_status(engine: Engine, profile_id: str, status: str, author: str | None = None) -> int:
    if status not in ("draft", "active", "retired"):
        raise InvalidInput(f"status must be draft, active or retired, not {status!r}", where="status")
    with unit_of_work(engine) as session:
        rows = {p.id: v for p, v in repo.current_documents(session)}
        if profile_id not in rows:
            raise NotFound(f"no profile {profile_id!r}", where="profile")
        document = dict(rows[profile_id].document)
        document["status"] = status
        _outcome, version = repo.save_profile_document(
            session, document, None, None, author, datetime.now(UTC)
        )
        session.commit()
    return version


def list_profiles(session: Session, status: str | None = None) -> list[dict[str, Any]]:
    return [
        {
            "id": p.id,
            "title": p.title,
            "owner": p.owner,
            "status": p.status,
            "threat": p.threat,
            "version": p.current_version,
            "weight": v.document.get("weight"),
            "lane": v.document.get("lane"),
            "valid_from": v.document.get("valid_from"),
            "valid_to": v.document.get("valid_to"),
            "updated_at": _iso(p.updated_at),
        }
        for p, v in repo.current_documents(session, status)
    ]


def profile_detail(session: Session, profile_id: str) -> dict[str, Any]:
    row = session.get(ProfileRow, profile_id)
    if row is None:
        raise NotFound(f"no profile {profile_id!r}", where="profile")
    versions = repo.profile_versions(session, profile_id)
    return {
        "id": row.id,
        "title": row.title,
        "owner": row.owner,
        "status": row.status,
        "version": row.current_version,
        "document": versions[-1].document,
        "versions": [
            {
                "version": v.version,
                "status": v.status,
                "author": v.author,
                "source": v.source_name,
                "created_at": _iso(v.created_at),
                "content_hash": v.content_hash,
                "document": v.document,
            }
            for v in versions
        ],
    }


def export_profiles(engine: Engine, directory: Path) -> list[Path]:
    """Current versions as one YAML file per profile plus lists.yaml; re-importing them is a no-op."""
    from corridor.risk.library import dump_document

    directory.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    with unit_of_work(engine) as session:
        for p, v in repo.current_documents(session):
            path = directory / f"{p.id}.yaml"
            path.write_text(dump_document(v.document), encoding="utf-8")
            written.append(path)
        lists = list(session.scalars(select(NamedListRow).order_by(NamedListRow.name)))
        if lists:
            docs = [
                dump_document(
                    {
                        "kind": "list",
                        "name": r.name,
                        "list_kind": r.kind,
                        "title": r.title,
                        "description": r.description,
                        "items": list(r.items),
                    }
                )
                for r in lists
            ]
            path = directory / "lists.yaml"
            path.write_text("---\n".join(docs), encoding="utf-8")
            written.append(path)
    return written


# ---------------------------------------------------------------- the active context (cached)

_CONTEXTS: dict[tuple[Any, ...], RiskContext] = {}


def _fingerprint(session: Session, policy: SelectionPolicy) -> tuple[Any, ...]:
    p = session.execute(select(func.count(), func.max(ProfileRow.updated_at))).one()
    lst = session.execute(select(func.count(), func.max(NamedListRow.updated_at))).one()
    return (str(session.get_bind().engine.url), tuple(p), tuple(lst), policy.model_dump_json())


def watchlist_for(session: Session, lists: dict[str, NamedList] | None = None) -> CombinedWatchlist:
    """Named lists (exact) and the screening matcher (fuzzy, across scripts): what the watch-list
    indicator asks, and what other packages (maritime vessel screening) should ask too."""
    if lists is None:
        lists = all_lists(session)
    bind = session.get_bind()
    engine = bind if isinstance(bind, Engine) else bind.engine

    def screening() -> WatchlistLookup | None:
        from corridor.screening.adapter import screening_watchlist

        return screening_watchlist(engine)

    named = NamedListWatchlist({n: (lst.kind, lst.items) for n, lst in lists.items()})
    return CombinedWatchlist(named, screening)


def active_context(session: Session, policy: SelectionPolicy | None = None) -> RiskContext:
    """The active profiles (current versions with status active) compiled once and cached until a
    profile or list changes."""
    policy = policy or current_policy()
    key = _fingerprint(session, policy)
    found = _CONTEXTS.get(key)
    if found is not None:
        return found
    lists = all_lists(session)
    profiles = [
        parse_stored(v.document, f"{p.id} v{v.version}", lists, v.version)
        for p, v in repo.current_documents(session, "active")
    ]
    if not profiles:
        raise InvalidInput(
            "no active risk profiles: import some with `corridor profiles import` (no path: the starter library)",
            where="profiles",
        )
    ctx = RiskContext.build(profiles, lists, policy=policy, watchlist=watchlist_for(session, lists))
    if len(_CONTEXTS) > 8:
        _CONTEXTS.clear()
    _CONTEXTS[key] = ctx
    return ctx


# ---------------------------------------------------------------- assessment


@dataclass(slots=True)
class AssessResult:
    batch: AssessmentBatch
    consignment_ids: list[int | None]
    run_id: str
    signals: Signals = field(default_factory=Signals)

    def items(self) -> list[dict[str, Any]]:
        out = []
        for a, cid, row in zip(
            self.batch.assessments(),
            self.consignment_ids,
            self.batch.frame.iter_rows(named=True),
            strict=True,
        ):
            out.append(
                {
                    "consignment_id": cid,
                    "consignment_key": a.consignment_key,
                    "document_number": row["document_number"],
                    "office": row["office"],
                    "score": row["score"],
                    "lane": row["lane"],
                    "stored": cid is not None,
                    "hits": [h.model_dump(mode="json") for h in a.hits]
                    + self.signals.hits.get(row["_row"], []),
                    "profile_set": a.profile_set,
                    "model_version": self.signals.model_version,
                    "assessed_at": _iso(a.assessed_at),
                }
            )
        return out


def _fold_signals(batch: AssessmentBatch, signals: Signals, ctx: RiskContext) -> None:
    """Model and partner-alert signals enter the score and lane like profile hits do."""
    if not signals.weights and not signals.lanes:
        return
    names = {v: k for k, v in SEVERITY.items()}
    scores, lanes = [], []
    for r in batch.frame.select("_row", "office", "score", "lane").iter_rows(named=True):
        score = signals.score(r["_row"], r["score"])
        office = ctx.policy.for_office(r["office"])
        by_score = "red" if score >= office.red else "yellow" if score >= office.yellow else "green"
        candidates = [r["lane"], by_score, signals.lanes.get(r["_row"], "green")]
        lanes.append(names[max(SEVERITY[c] for c in candidates)])
        scores.append(score)
    batch.frame = batch.frame.with_columns(pl.Series("score", scores), pl.Series("lane", lanes))


def _assess(
    session: Session,
    consignments: list[Consignment],
    rows: list[ConsignmentRow | None],
    ctx: RiskContext,
) -> AssessResult:
    now = datetime.now(UTC)
    frames = flatten(consignments, ctx.compiled.attributes)
    history = repo.load_history(session, frames, ctx.indicator_config.history_months)
    batch = assess_frames(frames, ctx, history, now)
    signals = collect_signals(session, consignments)
    _fold_signals(batch, signals, ctx)
    run_id = uuid.uuid4().hex
    hits_by_row: dict[int, list[dict[str, Any]]] = {}
    for h in batch.hits.iter_rows(named=True):
        hits_by_row.setdefault(h["_row"], []).append(_hit_json(h))
    for row_index, extra in signals.hits.items():
        hits_by_row.setdefault(row_index, []).extend(extra)
    records = []
    for r in batch.frame.iter_rows(named=True):
        row = rows[r["_row"]]
        if row is None:
            continue
        records.append(
            {
                "consignment_id": row.id,
                "consignment_version": row.version,
                "score": r["score"],
                "lane": r["lane"],
                "selected": False,
                "exploration": False,
                "hits": hits_by_row.get(r["_row"], []),
                "profile_set": batch.profile_set,
                "model_version": signals.model_version,
                "assessed_at": now,
                "run_id": run_id,
            }
        )
    if records:
        from sqlalchemy import insert

        session.execute(insert(AssessmentRow), records)
    return AssessResult(batch, [r.id if r is not None else None for r in rows], run_id, signals)


def _hit_json(h: dict[str, Any]) -> dict[str, Any]:
    return {
        "source": "profile",
        "rule_id": h["profile_id"],
        "version": h["version"],
        "title": h["title"],
        "weight": h["weight"],
        "lane": h["lane"],
        "evidence": orjson.loads(h["evidence"]),
        "rationale": h["rationale"],
    }


def _chunked(ids: list[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def assess_pending(engine: Engine, *, limit: int | None = None, chunk: int = 20_000) -> list[AssessResult]:
    """Assess the stored consignments whose current version has no assessment yet, and store them."""
    ensure_starter(engine)
    results = []
    with unit_of_work(engine) as session:
        ctx = active_context(session)
        ids = repo.pending_ids(session, limit)
        for part in _chunked(ids, chunk):
            rows = repo.consignment_rows(session, part)
            results.append(
                _assess(session, [Consignment.model_validate(r.data) for r in rows], list(rows), ctx)
            )
            session.commit()
    return results


def assess_ids(engine: Engine, ids: Sequence[int]) -> AssessResult:
    with unit_of_work(engine) as session:
        return assess_ids_in(session, ids)


def assess_ids_in(session: Session, ids: Sequence[int]) -> AssessResult:
    ensure_starter_in(session)
    ctx = active_context(session)
    rows = repo.consignment_rows(session, list(dict.fromkeys(ids)))
    missing = sorted(set(ids) - {r.id for r in rows})
    if missing:
        raise NotFound(f"no consignment with id {missing[0]}", where="ids")
    result = _assess(session, [Consignment.model_validate(r.data) for r in rows], list(rows), ctx)
    session.commit()
    return result


def assess_documents(engine: Engine, consignments: list[Consignment]) -> AssessResult:
    with unit_of_work(engine) as session:
        return assess_documents_in(session, consignments)


def assess_documents_in(session: Session, consignments: list[Consignment]) -> AssessResult:
    """Assess posted documents. Those stored with exactly this content (same key and content hash)
    get their assessment stored; the others are assessed and returned only. Uses the caller's
    session: a request must not hold two pooled connections at once (the pool would deadlock)."""
    from corridor.consignments.repository import document_and_hash

    ensure_starter_in(session)
    ctx = active_context(session)
    stored = repo.rows_by_key(session, [c.key for c in consignments])
    rows: list[ConsignmentRow | None] = []
    for c in consignments:
        row = stored.get(c.key)
        rows.append(row if row is not None and row.content_hash == document_and_hash(c)[1] else None)
    result = _assess(session, consignments, rows, ctx)
    session.commit()
    return result


def assessment_of(session: Session, ref: str | int) -> dict[str, Any]:
    from corridor.consignments.service import get_row

    row = get_row(session, ref)
    a = repo.latest_assessment(session, row.id)
    if a is None:
        raise NotFound(f"consignment {row.document_number} has not been assessed yet", where="assessment")
    return assessment_json(a, row)


def assessment_json(a: AssessmentRow, row: ConsignmentRow) -> dict[str, Any]:
    return {
        "id": a.id,
        "consignment_id": row.id,
        "consignment_key": row.key,
        "document_number": row.document_number,
        "consignment_version": a.consignment_version,
        "current": a.consignment_version == row.version,
        "score": a.score,
        "lane": a.lane,
        "selected": a.selected,
        "exploration": a.exploration,
        "hits": a.hits,
        "profile_set": a.profile_set,
        "model_version": a.model_version,
        "assessed_at": _iso(a.assessed_at),
        "run_id": a.run_id,
    }


# ---------------------------------------------------------------- selection


def select_day(
    engine: Engine, day: date, office: str | None = None, policy: SelectionPolicy | None = None
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Apply lanes, capacity and exploration to the current assessments of the consignments expected
    on `day` (ETA, else filing date) at `office` (all offices when None); store the outcome."""
    policy = policy or current_policy()
    with unit_of_work(engine) as session:
        start = datetime(day.year, day.month, day.day, tzinfo=UTC)
        end = start + timedelta(days=1)
        on_day = or_(
            and_(ConsignmentRow.eta >= start, ConsignmentRow.eta < end),
            and_(
                ConsignmentRow.eta.is_(None), ConsignmentRow.filed_at >= start, ConsignmentRow.filed_at < end
            ),
        )
        stmt = select(ConsignmentRow).where(ConsignmentRow.status == "active", on_day)
        if office:
            stmt = stmt.where(ConsignmentRow.office == office)
        candidates = list(session.scalars(stmt.order_by(ConsignmentRow.id)))
        latest = repo.latest_assessments(session, [r.id for r in candidates])
        rows = [r for r in candidates if r.id in latest]
        if not rows:
            raise NotFound(
                f"no assessed consignments for {day.isoformat()}" + (f" at {office}" if office else "")
            )
        frame = pl.DataFrame(
            {
                "_row": list(range(len(rows))),
                "_key": [r.key for r in rows],
                "document_number": [r.document_number for r in rows],
                "office": [r.office for r in rows],
                "score": [latest[r.id].score for r in rows],
                "_override": [_override(latest[r.id].hits) for r in rows],
                "mandatory": [any(h.get("lane") == "red" for h in latest[r.id].hits) for r in rows],
                "eta": [r.eta.replace(tzinfo=UTC) if r.eta and r.eta.tzinfo is None else r.eta for r in rows],
                "_ref_at": [_ref(r) for r in rows],
            },
            schema={
                "_row": pl.Int64,
                "_key": pl.String,
                "document_number": pl.String,
                "office": pl.String,
                "score": pl.Float64,
                "_override": pl.Int64,
                "mandatory": pl.Boolean,
                "eta": pl.Datetime("us", "UTC"),
                "_ref_at": pl.Datetime("us", "UTC"),
            },
        )
        chosen = select_within_capacity(frame, policy)
        out = []
        for r in chosen.iter_rows(named=True):
            row = rows[r["_row"]]
            a = latest[row.id]
            a.selected, a.exploration, a.lane = bool(r["selected"]), bool(r["exploration"]), r["lane"]
            out.append(
                {
                    "consignment_id": row.id,
                    "document_number": row.document_number,
                    "office": row.office,
                    "score": a.score,
                    "lane": a.lane,
                    "selected": a.selected,
                    "exploration": a.exploration,
                    "reason": r["selection_reason"],
                }
            )
        report = capacity_report(chosen, policy)
        session.commit()
    out.sort(key=lambda x: (not x["selected"], -float(x["score"]), x["document_number"]))
    return out, report


def _override(hits: list[dict[str, Any]]) -> int:
    return max([SEVERITY[h["lane"]] for h in hits if h.get("lane") in SEVERITY] or [-1])


def _ref(r: ConsignmentRow) -> datetime | None:
    for t in (r.filed_at, r.eta, r.arrival_at, r.departure_at):
        if t is not None:
            return t.replace(tzinfo=UTC) if t.tzinfo is None else t
    return None


# ---------------------------------------------------------------- back-testing


def read_consignments(paths: Sequence[Path]) -> tuple[list[Consignment], int]:
    """Consignments of data files in any supported format (not stored); and the rejected count."""
    from corridor.ingest.base import Parsed, ReadOptions
    from corridor.ingest.detect import detect, reader_for

    out: list[Consignment] = []
    rejected = 0
    for path in paths:
        if not path.is_file():
            raise InvalidInput(f"no such file: {path}", where=str(path))
        reader = reader_for(detect(path))
        for item in reader.read(path, path.name, ReadOptions()):
            if isinstance(item, Parsed):
                out.append(item.consignment)
            else:
                rejected += 1
    return out, rejected


def backtest_consignments(
    consignments: list[Consignment],
    profiles: list[Profile],
    lists: dict[str, NamedList],
    *,
    history: History | None = None,
    policy: SelectionPolicy | None = None,
    name: str = "profiles",
) -> BacktestReport:
    runnable = [p for p in profiles if p.doc.status != "retired"]
    if not runnable:
        raise InvalidInput("no draft or active profiles to back-test", where="profiles")
    ctx = RiskContext.build(runnable, lists, policy=policy)
    frames = flatten(consignments, ctx.compiled.attributes)
    return backtest(assess_frames(frames, ctx, history), name)


def backtest_paths(
    data: Sequence[Path],
    profiles: Sequence[Path] | None,
    *,
    history: Sequence[Path] = (),
    against: Sequence[Path] | None = None,
    engine: Engine | None = None,
    policy: SelectionPolicy | None = None,
) -> dict[str, Any]:
    """Back-test profile files (default: the starter library) over data files with outcomes."""
    consignments, rejected = read_consignments(data)
    if not consignments:
        raise InvalidInput("no consignments could be read from the data files", where=str(data[0]))
    past = History.empty()
    if history:
        past_items, _ = read_consignments(history)
        past = History.from_frames(flatten(past_items))
    stored: dict[str, NamedList] = {}
    if engine is not None:
        with unit_of_work(engine) as session:
            stored = repo.stored_lists(session)

    def profile_set(paths: Sequence[Path] | None) -> tuple[list[Profile], dict[str, NamedList], str]:
        if not paths:
            from corridor.risk.library import load_starter

            ps, ls = load_starter()
            return ps, {**ls, **stored}, "starter library"
        ps, ls = load_profiles(paths, stored)
        return ps, ls, ", ".join(str(p) for p in paths)

    ps, ls, name = profile_set(profiles)
    report = backtest_consignments(consignments, ps, ls, history=past, policy=policy, name=name)
    out: dict[str, Any] = {"rejected_records": rejected, **report.as_dict()}
    if against is not None:
        ps_b, ls_b, name_b = profile_set(against)
        report_b = backtest_consignments(consignments, ps_b, ls_b, history=past, policy=policy, name=name_b)
        out = {
            "rejected_records": rejected,
            "a": report.as_dict(),
            "b": report_b.as_dict(),
            "comparison": compare(report, report_b),
        }
    return out


def backtest_stored(
    engine: Engine,
    start: date,
    end: date,
    profiles: Sequence[Path] | None = None,
    against: Sequence[Path] | None = None,
) -> dict[str, Any]:
    def from_paths(paths: Sequence[Path]) -> Loader:
        return lambda lists: (*load_profiles(paths, lists), ", ".join(str(p) for p in paths))

    return _backtest_stored(
        engine,
        start,
        end,
        from_paths(profiles) if profiles else None,
        from_paths(against) if against else None,
    )


Loader = Callable[[dict[str, NamedList]], tuple[list[Profile], dict[str, NamedList], str]]


def backtest_stored_text(
    engine: Engine, start: date, end: date, profiles: str | None = None, against: str | None = None
) -> dict[str, Any]:
    """As backtest_stored, with profile sets given as YAML text (the API)."""

    def from_text(text: str, name: str) -> Loader:
        def load(lists: dict[str, NamedList]) -> tuple[list[Profile], dict[str, NamedList], str]:
            raw = read_documents(text, name)
            every = dict(lists)
            ps = parse_profiles(raw, every)
            every.update({d.name: d.to_list() for d, _l, _s in raw.lists})
            return ps, every, name

        return load

    return _backtest_stored(
        engine,
        start,
        end,
        from_text(profiles, "profiles") if profiles else None,
        from_text(against, "against") if against else None,
    )


def _backtest_stored(
    engine: Engine, start: date, end: date, profiles: Loader | None, against: Loader | None
) -> dict[str, Any]:
    """Back-test over stored consignments dated in [start, end] that carry an outcome; the history
    is everything stored before each consignment (point-in-time)."""
    with unit_of_work(engine) as session:
        from corridor.seizures.feedback import apply_outcomes

        in_period = [
            r
            for r in session.scalars(select(ConsignmentRow).order_by(ConsignmentRow.id))
            if (d := _ref(r)) is not None and start <= d.date() <= end
        ]
        # Outcomes: what this node's inspections and seizures found, else what came with the data.
        enriched = apply_outcomes(session, [(r.id, Consignment.model_validate(r.data)) for r in in_period])
        consignments = [c for c in enriched if c.outcome is not None]
        if not consignments:
            raise NotFound(f"no stored consignments with outcomes between {start} and {end}", where="period")
        frames = flatten(consignments)
        history = repo.load_history(session, frames)
        lists = all_lists(session)
        if profiles is not None:
            ps, ls, name = profiles(lists)
        else:
            ps = [
                parse_stored(v.document, p.id, lists, v.version) for p, v in repo.current_documents(session)
            ]
            ls, name = lists, "stored profiles"
        report = backtest_consignments(consignments, ps, ls, history=history, name=name)
        out: dict[str, Any] = report.as_dict()
        if against is not None:
            ps_b, ls_b, name_b = against(lists)
            report_b = backtest_consignments(consignments, ps_b, ls_b, history=history, name=name_b)
            out = {"a": report.as_dict(), "b": report_b.as_dict(), "comparison": compare(report, report_b)}
    return out


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.isoformat().replace("+00:00", "Z")
