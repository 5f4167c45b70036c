"""The tamper-evident audit log of the exchange: every message sent, delivered, received or refused.

Each entry's hash is SHA-256 over the previous hash and the entry's canonical JSON, so changing,
inserting or deleting any entry breaks every later link; the head row keeps the last hash so that
cutting the tail off is detected too. Appends happen in the caller's transaction: an entry exists
exactly when the change it records was committed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from corridor.exchange.crypto import canonical
from corridor.exchange.models import AuditHeadRow, AuditRow

GENESIS = "0" * 64


def _at(moment: datetime) -> str:
    # SQLite hands back naive datetimes: storage is UTC, so naive means UTC.
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _body(row: AuditRow | Entry, seq: int, at: datetime) -> dict[str, Any]:
    return {
        "seq": seq,
        "at": _at(at),
        "event": row.event,
        "partner": row.partner,
        "message_id": row.message_id,
        "message_type": row.message_type,
        "digest": row.digest,
        "detail": row.detail or {},
    }


def entry_hash(prev_hash: str, row: AuditRow) -> str:
    return _link(prev_hash, _body(row, row.seq, row.at))


def _link(prev_hash: str, body: dict[str, Any]) -> str:
    return hashlib.sha256(prev_hash.encode("ascii") + canonical(body)).hexdigest()


@dataclass(frozen=True, slots=True)
class Entry:
    """What one audit entry records; its place in the chain is given when it is appended."""

    event: str
    partner: str | None = None
    message_id: str | None = None
    message_type: str | None = None
    digest: str | None = None
    detail: dict[str, Any] | None = None


def append_many(session: Session, entries: Sequence[Entry]) -> int:
    """Link entries to the chain in the caller's transaction; returns the last sequence number.

    One head update reserves the whole run of sequence numbers and one insert writes it, so a
    batch of received or delivered messages costs three statements, not three per message.
    """
    if not entries:
        return 0
    # Bumping the head first takes the row lock (PostgreSQL) or the write lock (SQLite): two
    # concurrent appends can never link to the same previous hash.
    last, prev_hash = session.execute(
        update(AuditHeadRow)
        .where(AuditHeadRow.id == 1)
        .values(seq=AuditHeadRow.seq + len(entries))
        .returning(AuditHeadRow.seq, AuditHeadRow.hash)
    ).one()
    moment = datetime.now(UTC)
    rows: list[dict[str, Any]] = []
    for seq, entry in enumerate(entries, start=last - len(entries) + 1):
        body = _body(entry, seq, moment)
        link = _link(prev_hash, body)
        rows.append(
            {
                "seq": seq,
                "at": moment,
                "event": entry.event,
                "partner": entry.partner,
                "message_id": entry.message_id,
                "message_type": entry.message_type,
                "digest": entry.digest,
                "detail": entry.detail or {},
                "prev_hash": prev_hash,
                "hash": link,
            }
        )
        prev_hash = link
    session.execute(insert(AuditRow), rows)
    session.execute(update(AuditHeadRow).where(AuditHeadRow.id == 1).values(hash=prev_hash))
    return int(last)


def append(
    session: Session,
    event: str,
    *,
    partner: str | None = None,
    message_id: str | None = None,
    message_type: str | None = None,
    digest: str | None = None,
    detail: dict[str, Any] | None = None,
) -> int:
    """Append one entry (see append_many); returns its sequence number."""
    return append_many(session, [Entry(event, partner, message_id, message_type, digest, detail)])


@dataclass(slots=True)
class Verification:
    ok: bool
    entries: int
    head: str
    broken_at: int | None = None
    reason: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "entries": self.entries,
            "head": self.head,
            "broken_at": self.broken_at,
            "reason": self.reason,
        }


def _rows(session: Session, chunk: int = 5000) -> Iterator[AuditRow]:
    last = 0
    while True:
        rows = list(
            session.scalars(select(AuditRow).where(AuditRow.seq > last).order_by(AuditRow.seq).limit(chunk))
        )
        if not rows:
            return
        yield from rows
        last = rows[-1].seq
        session.expunge_all()


def verify(session: Session) -> Verification:
    """Recompute the chain from the genesis hash and compare with the stored links and head."""
    head = session.get(AuditHeadRow, 1)
    if head is None:
        return Verification(False, 0, GENESIS, None, "the audit head row is missing")
    head_seq, head_hash = head.seq, head.hash
    prev, expected_seq, count = GENESIS, 1, 0
    for row in _rows(session):
        if row.seq != expected_seq:
            return Verification(False, count, head_hash, expected_seq, f"entry {expected_seq} is missing")
        if row.prev_hash != prev:
            return Verification(
                False, count, head_hash, row.seq, f"entry {row.seq} does not link to entry {row.seq - 1}"
            )
        if entry_hash(prev, row) != row.hash:
            return Verification(
                False, count, head_hash, row.seq, f"entry {row.seq} was altered (hash mismatch)"
            )
        prev, expected_seq, count = row.hash, expected_seq + 1, count + 1
    if count != head_seq or prev != head_hash:
        return Verification(
            False,
            count,
            head_hash,
            count + 1,
            f"the head says {head_seq} entries but the chain has {count}: entries were removed",
        )
    return Verification(True, count, head_hash)


def entries(session: Session, *, limit: int = 100, message_id: str | None = None) -> list[AuditRow]:
    query = select(AuditRow).order_by(AuditRow.seq.desc()).limit(limit)
    if message_id:
        query = query.where(AuditRow.message_id == message_id)
    return list(session.scalars(query))
