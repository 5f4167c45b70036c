"""Ingest use case: read files (any format), validate, store in chunks, and keep every rejection.

Each chunk is committed on its own: a crash loses at most the chunk in flight, and re-running the
same files afterwards is a no-op for everything already stored (idempotent by content hash).
"""

from __future__ import annotations

import csv
import gc
import io
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, insert, select, update
from sqlalchemy.orm import Session

from corridor.consignments.models import IngestBatchRow, RejectionRow
from corridor.consignments.repository import save_consignments
from corridor.domain.consignment import Consignment
from corridor.domain.errors import CorridorError, NotFound
from corridor.ingest.base import ReadItem, ReadOptions, Rejection
from corridor.ingest.detect import detect, reader_for
from corridor.ingest.validate import validate
from corridor.settings import get_settings

Progress = Callable[[str, int], None]
"""Called with the file being read and the number of records read from it since the last call."""


@dataclass(slots=True)
class FileSummary:
    file: str
    format: str
    accepted: int = 0
    amended: int = 0
    duplicates: int = 0
    rejected: int = 0
    warnings: int = 0


@dataclass(slots=True)
class IngestReport:
    batch_id: int
    files: list[FileSummary] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
    consignment_ids: list[int] = field(default_factory=list)
    duplicate_ids: list[int] = field(default_factory=list)

    def total(self, name: str) -> int:
        return sum(getattr(f, name) for f in self.files)

    @property
    def ok(self) -> bool:
        return self.total("rejected") == 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "batch_id": self.batch_id,
            "accepted": self.total("accepted"),
            "amended": self.total("amended"),
            "duplicates": self.total("duplicates"),
            "rejected": self.total("rejected"),
            "warnings": self.total("warnings"),
            "files": [vars_of(f) for f in self.files],
            "rejections": [r.as_dict() for r in self.rejections],
        }


def vars_of(obj: Any) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in obj.__slots__}


class _Sink:
    """Buffers accepted records and rejections, writing them chunk by chunk."""

    def __init__(self, engine: Engine, batch_id: int, chunk_size: int, keep_ids: bool) -> None:
        self.engine = engine
        self.batch_id = batch_id
        self.chunk_size = chunk_size
        self.keep_ids = keep_ids
        self.pending: list[Consignment] = []
        self.pending_rejections: list[Rejection] = []
        self.ids: list[int] = []
        self.duplicate_ids: list[int] = []

    def add(self, summary: FileSummary, item: ReadItem, report: IngestReport, keep_rejections: int) -> None:
        if isinstance(item, Rejection):
            summary.rejected += 1
            self.pending_rejections.append(item)
            if len(report.rejections) < keep_rejections:
                report.rejections.append(item)
        else:
            consignment = validate(item.consignment)
            summary.warnings += len(consignment.warnings)
            self.pending.append(consignment)
        if len(self.pending) >= self.chunk_size or len(self.pending_rejections) >= self.chunk_size:
            self.flush(summary)

    def flush(self, summary: FileSummary) -> None:
        if not self.pending and not self.pending_rejections:
            return
        with Session(self.engine) as session:
            if self.pending:
                result = save_consignments(session, self.pending, self.batch_id)
                summary.accepted += result.new
                summary.amended += result.amended
                summary.duplicates += result.duplicates
                if self.keep_ids:
                    self.ids.extend(result.changed_ids)
                    self.duplicate_ids.extend(result.duplicate_ids)
            if self.pending_rejections:
                session.execute(
                    insert(RejectionRow),
                    [
                        {
                            "batch_id": self.batch_id,
                            "file": r.file[:500],
                            "location": r.location[:200],
                            "field": (r.field or "")[:200] or None,
                            "code": r.code[:50],
                            "reason": r.reason,
                            "excerpt": r.excerpt,
                        }
                        for r in self.pending_rejections
                    ],
                )
            session.commit()
        self.pending = []
        self.pending_rejections = []


def _start_batch(engine: Engine, files: list[str], origin: str) -> int:
    with Session(engine) as session:
        batch_id = session.execute(
            insert(IngestBatchRow).returning(IngestBatchRow.id),
            [{"started_at": datetime.now(UTC), "origin": origin, "files": files}],
        ).scalar_one()
        session.commit()
        return int(batch_id)


def _finish_batch(engine: Engine, report: IngestReport) -> None:
    with Session(engine) as session:
        session.execute(
            update(IngestBatchRow)
            .where(IngestBatchRow.id == report.batch_id)
            .values(
                finished_at=datetime.now(UTC),
                accepted=report.total("accepted"),
                amended=report.total("amended"),
                duplicates=report.total("duplicates"),
                rejected=report.total("rejected"),
                warnings=report.total("warnings"),
            )
        )
        session.commit()


def ingest_paths(
    engine: Engine,
    paths: Sequence[Path],
    *,
    options: ReadOptions | None = None,
    fmt: str | None = None,
    progress: Progress | None = None,
    origin: str = "cli",
    keep_rejections: int = 100_000,
    keep_ids: bool = False,
) -> IngestReport:
    """Ingest files; a file that cannot be read at all becomes one rejection, the others go on."""
    with _bulk_gc():
        return _ingest_paths(engine, paths, options, fmt, progress, origin, keep_rejections, keep_ids)


@contextmanager
def _bulk_gc() -> Iterator[None]:
    # Millions of short-lived acyclic objects make the cyclic GC rescan the same survivors over and
    # over (a third of ingest time on large files); collect rarely while a bulk load runs.
    old = gc.get_threshold()
    gc.set_threshold(200_000, 50, 1000)
    try:
        yield
    finally:
        gc.set_threshold(*old)


def _ingest_paths(
    engine: Engine,
    paths: Sequence[Path],
    options: ReadOptions | None,
    fmt: str | None,
    progress: Progress | None,
    origin: str,
    keep_rejections: int,
    keep_ids: bool,
) -> IngestReport:
    options = options or ReadOptions()
    settings = get_settings()
    batch_id = _start_batch(engine, [p.name for p in paths], origin)
    report = IngestReport(batch_id=batch_id)
    sink = _Sink(engine, batch_id, settings.ingest_chunk_size, keep_ids)
    for path in paths:
        display = path.name
        try:
            file_format = fmt or detect(path)
            reader = reader_for(file_format)
        except CorridorError as err:
            summary = FileSummary(file=display, format="unknown")
            report.files.append(summary)
            sink.add(summary, Rejection(display, "file", None, err.detail, err.code), report, keep_rejections)
            sink.flush(summary)
            continue
        except OSError as err:
            summary = FileSummary(file=display, format="unknown")
            report.files.append(summary)
            sink.add(
                summary,
                Rejection(display, "file", None, f"cannot read: {err}", "unreadable"),
                report,
                keep_rejections,
            )
            sink.flush(summary)
            continue
        summary = FileSummary(file=display, format=file_format)
        report.files.append(summary)
        for item in _with_progress(reader.read(path, display, options), display, progress):
            sink.add(summary, item, report, keep_rejections)
        sink.flush(summary)
    report.consignment_ids = sink.ids
    report.duplicate_ids = sink.duplicate_ids
    _finish_batch(engine, report)
    return report


def _with_progress(items: Iterator[ReadItem], file: str, progress: Progress | None) -> Iterator[ReadItem]:
    if progress is None:
        yield from items
        return
    count = 0
    for item in items:
        count += 1
        yield item
        if count == 500:
            progress(file, count)
            count = 0
    progress(file, count)


def ingest_documents(
    engine: Engine, documents: Iterable[Any], *, origin: str = "api", source: str = "request"
) -> IngestReport:
    """Ingest already-decoded Corridor JSON documents (API submissions, exchange messages)."""
    from corridor.ingest.json_reader import JsonReader

    batch_id = _start_batch(engine, [source], origin)
    report = IngestReport(batch_id=batch_id)
    summary = FileSummary(file=source, format="json")
    report.files.append(summary)
    sink = _Sink(engine, batch_id, get_settings().ingest_chunk_size, keep_ids=True)
    for index, doc in enumerate(documents):
        item = JsonReader.one(doc, source, f"element [{index}]")
        sink.add(summary, item, report, 100_000)
    sink.flush(summary)
    report.consignment_ids = sink.ids
    report.duplicate_ids = sink.duplicate_ids
    _finish_batch(engine, report)
    return report


def batch_rejections(session: Session, batch_id: int) -> list[Rejection]:
    if session.get(IngestBatchRow, batch_id) is None:
        raise NotFound(f"no ingest batch {batch_id}", where="batch_id")
    rows = session.scalars(
        select(RejectionRow).where(RejectionRow.batch_id == batch_id).order_by(RejectionRow.id)
    )
    return [Rejection(r.file, r.location, r.field, r.reason, r.code, r.excerpt) for r in rows]


def rejections_csv(rejections: Iterable[Rejection]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=["file", "location", "field", "code", "reason", "excerpt"])
    writer.writeheader()
    for r in rejections:
        writer.writerow(r.as_dict())
    return out.getvalue()


def rejections_json(rejections: Iterable[Rejection]) -> str:
    return json.dumps([r.as_dict() for r in rejections], ensure_ascii=False, indent=2)


def write_rejection_report(path: Path, rejections: Iterable[Rejection]) -> None:
    text = rejections_json(rejections) if path.suffix.lower() == ".json" else rejections_csv(rejections)
    path.write_text(text, encoding="utf-8")
