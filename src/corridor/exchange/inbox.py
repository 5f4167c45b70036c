"""Receiving: check an envelope, refuse it with a stable code, or store it once and apply it.

The checks run cheapest and least trusting first: size before parsing, schema, addressee, sender
and key, signature, then (only for authentic messages) duplicate, times, sequence, decryption,
payload schema and agreement. A message is stored and applied exactly once: (sender, message id)
is unique, the sequence per sender only grows, and the effects of a message are committed with its
inbox row, except ingestion of cargo reports, which is idempotent by content and re-run for any
row left `received` by a crash.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import JSON, Engine, bindparam, insert, select, update
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from corridor.domain.errors import CorridorError, Forbidden
from corridor.exchange import audit, crypto, envelope
from corridor.exchange.errors import (
    Busy,
    InvalidPayload,
    NotAgreed,
    Refused,
    Replayed,
    RevokedKey,
    UnknownSender,
)
from corridor.exchange.identity import NodeIdentity
from corridor.exchange.messages import Alert, MessageType, validate_payload
from corridor.exchange.minimise import minimise
from corridor.exchange.models import (
    AlertRow,
    GroupRow,
    InboxRow,
    OutboxRow,
    PartnerKeyRow,
    PartnerRow,
    RejectionRow,
)
from corridor.exchange.service import (
    agreement,
    apply_identity_update,
    check_identity_update,
    summarise,
)
from corridor.settings import Settings

log = logging.getLogger("corridor.exchange.inbox")


@dataclass(slots=True)
class Received:
    receipt: dict[str, Any]
    inbox_id: int
    duplicate: bool
    needs_apply: bool


def record_refusal(
    engine: Engine,
    error: Refused,
    *,
    raw_size: int,
    remote: str | None,
    sender: str | None,
    message_id: str | None,
) -> Refused:
    """Log the reason, keep it in the rejection table and the audit chain, hand the error back."""
    log.warning(
        "refused message %s from %s (%s): %s %s",
        message_id,
        sender or "?",
        remote or "?",
        error.code,
        error.detail,
    )
    try:
        with Session(engine) as session:
            session.add(
                RejectionRow(
                    at=datetime.now(UTC),
                    claimed_sender=(sender or None) and str(sender)[:64],
                    message_id=(message_id or None) and str(message_id)[:100],
                    code=error.code,
                    detail=error.detail,
                    where=error.where,
                    remote=remote,
                    size=raw_size,
                )
            )
            audit.append(
                session,
                "refused",
                partner=(sender or None) and str(sender)[:64],
                message_id=(message_id or None) and str(message_id)[:100],
                detail={"code": error.code, "detail": error.detail[:500], "where": error.where},
            )
            session.commit()
    except OperationalError:
        log.exception("could not record the refusal of %s", message_id)
    return error


def _receipt(
    identity: NodeIdentity, header: envelope.Header, digest: str, status: str, received_at: datetime
) -> dict[str, Any]:
    """A signed proof of delivery the sender keeps: who took which message, when, in what state."""
    body = {
        "message_id": header.id,
        "sender": header.sender,
        "receiver": identity.name,
        "sequence": header.sequence,
        "digest": digest,
        "status": status,
        "received_at": envelope.iso(received_at),
        "kid": identity.current.kid,
    }
    return {**body, "signature": crypto.sign(identity.signing_keys.signing, crypto.canonical(body))}


@dataclass(slots=True)
class _NewInbox:
    """An inbox row of this batch: written with the batch's others in one statement at commit."""

    message_id: str
    partner_id: int
    message_type: str
    version: int
    sequence: int
    group_name: str | None
    digest: str
    created_at: datetime
    received_at: datetime
    summary: str = ""
    status: str = "received"
    error: dict[str, Any] | None = None
    payload: dict[str, Any] | None = None
    applied_at: datetime | None = None
    id: int = 0  # known once the batch's rows are inserted

    def values(self) -> dict[str, Any]:
        return {
            "message_id": self.message_id,
            "partner_id": self.partner_id,
            "message_type": self.message_type,
            "version": self.version,
            "sequence": self.sequence,
            "group_name": self.group_name,
            "summary": self.summary,
            "status": self.status,
            "error": self.error,
            "payload": self.payload,
            "digest": self.digest,
            "created_at": self.created_at,
            "received_at": self.received_at,
            "applied_at": self.applied_at,
        }


# An absent error or payload is SQL NULL, not JSON null: one statement writes accepted and refused
# rows alike, and readers (and the rows stored before) tell "none" by IS NULL.
_JSON_OR_NULL: Any = JSON(none_as_null=True).with_variant(JSONB(none_as_null=True), "postgresql")
_INSERT_INBOX = insert(InboxRow).values(
    error=bindparam("error", type_=_JSON_OR_NULL), payload=bindparam("payload", type_=_JSON_OR_NULL)
)


class _Lookups:
    """What a batch reads once: partners, their keys and agreements, groups, messages seen before.

    Every envelope of a request is checked against these in memory, so that a batch of a hundred
    messages costs a handful of queries rather than a handful per message.
    """

    def __init__(self, session: Session) -> None:
        self.session = session
        self.partners: dict[str, PartnerRow | None] = {}
        self.keys: dict[tuple[int, str], PartnerKeyRow | None] = {}
        self.rules: dict[tuple[int, str], Any] = {}
        self.groups: dict[str, GroupRow | None] = {}
        self.seen: dict[tuple[int, str], InboxRow | _NewInbox] = {}
        self.start_sequence: dict[int, int] = {}

    def preload_seen(self, headers: list[envelope.Header]) -> None:
        names = {h.sender for h in headers}
        for name in names:
            self.partner(name)
        ids_by_partner: dict[int, list[str]] = {}
        for h in headers:
            partner = self.partners.get(h.sender)
            if partner is not None:
                ids_by_partner.setdefault(partner.id, []).append(h.id)
        for partner_id, ids in ids_by_partner.items():
            for row in self.session.scalars(
                select(InboxRow).where(InboxRow.partner_id == partner_id, InboxRow.message_id.in_(ids))
            ):
                self.seen[(partner_id, row.message_id)] = row

    def partner(self, name: str) -> PartnerRow | None:
        if name not in self.partners:
            row = self.session.scalars(select(PartnerRow).where(PartnerRow.name == name)).first()
            self.partners[name] = row
            if row is not None:
                self.start_sequence[row.id] = row.in_sequence
        return self.partners[name]

    def key(self, partner: PartnerRow, kid: str) -> PartnerKeyRow | None:
        if (partner.id, kid) not in self.keys:
            self.keys[(partner.id, kid)] = self.session.scalars(
                select(PartnerKeyRow).where(PartnerKeyRow.partner_id == partner.id, PartnerKeyRow.kid == kid)
            ).first()
        return self.keys[(partner.id, kid)]

    def receive_rule(self, partner: PartnerRow, message_type: str) -> Any:
        if (partner.id, message_type) not in self.rules:
            self.rules[(partner.id, message_type)] = agreement(self.session, partner, "receive", message_type)
        return self.rules[(partner.id, message_type)]

    def group(self, name: str) -> GroupRow | None:
        if name not in self.groups:
            self.groups[name] = self.session.scalars(select(GroupRow).where(GroupRow.name == name)).first()
        return self.groups[name]


def _sender_key(lookups: _Lookups, header: envelope.Header) -> tuple[PartnerRow, PartnerKeyRow]:
    partner = lookups.partner(header.sender)
    if partner is None:
        raise UnknownSender(f"{header.sender} is not a partner of this node", where="header.sender")
    if partner.status != "active":
        raise RevokedKey(f"{header.sender} has been revoked by this node", where="header.sender")
    key = lookups.key(partner, header.sender_kid)
    if key is None:
        raise UnknownSender(
            f"key {header.sender_kid} is not known for {header.sender}: send the new identity to this node",
            where="header.sender_kid",
        )
    if key.status == "revoked":
        raise RevokedKey(f"key {header.sender_kid} of {header.sender} is revoked", where="header.sender_kid")
    return partner, key


def _group_allows(lookups: _Lookups, identity: NodeIdentity, header: envelope.Header) -> GroupRow:
    group = lookups.group(str(header.group))
    if group is None:
        raise NotAgreed(f"this node is in no group {header.group}", where="header.group")
    names = {m["name"] for m in group.members} | {group.owner}
    if header.sender not in names or identity.name not in names:
        raise NotAgreed(
            f"{header.sender} and this node are not both members of {group.name}", where="header.group"
        )
    if header.type not in group.types:
        raise NotAgreed(
            f"group {group.name} carries {', '.join(group.types)}, not {header.type}", where="header.type"
        )
    return group


def _receive_rule(
    lookups: _Lookups,
    identity: NodeIdentity,
    partner: PartnerRow,
    header: envelope.Header,
    payload: dict[str, Any],
) -> dict[str, Any]:
    """What this node keeps of the payload, or NotAgreed when nothing allows the message."""
    session = lookups.session
    kind = MessageType(header.type)
    if kind is MessageType.GROUP_MEMBERSHIP:
        if payload.get("owner") != partner.name or payload.get("group") != header.group:
            raise NotAgreed("a group membership comes from the group's owner only", where="payload.owner")
        existing = lookups.group(str(header.group))
        if existing is not None and existing.owner != partner.name:
            raise NotAgreed(f"group {header.group} is owned by {existing.owner}", where="payload.owner")
        return payload
    if kind is MessageType.KEY_UPDATE:
        try:
            checked = check_identity_update(session, partner, payload.get("identity"))
        except Forbidden as error:
            raise NotAgreed(error.detail, where="payload.identity.endorsements") from None
        except CorridorError as error:
            raise InvalidPayload(
                error.detail, where=f"payload.identity.{error.where or ''}".rstrip(".")
            ) from None
        return {"identity": checked}
    if kind is MessageType.ACKNOWLEDGEMENT or kind is MessageType.RFI_REPLY:
        ref = payload.get("message_id") if kind is MessageType.ACKNOWLEDGEMENT else payload.get("in_reply_to")
        sent = session.scalars(
            select(OutboxRow.id).where(OutboxRow.partner_id == partner.id, OutboxRow.message_id == ref)
        ).first()
        if sent is None:
            raise NotAgreed(f"no message {ref} was sent to {partner.name}", where="payload")
        return payload
    if header.group is not None:
        group = _group_allows(lookups, identity, header)
        return minimise(payload, group.profile, None)
    rule = lookups.receive_rule(partner, header.type)
    if rule is None:
        raise NotAgreed(
            f"this node has no agreement to receive {header.type} from {partner.name}", where="header.type"
        )
    return minimise(payload, rule.profile, rule.fields)


def _alert_row(partner: PartnerRow, row: _NewInbox) -> dict[str, Any]:
    """The alert table's row for a stored alert (a None here is JSON null, as the ORM wrote it)."""
    alert = Alert.model_validate(row.payload or {})
    return {
        "inbox_id": row.id,
        "sender": partner.name,
        "message_id": row.message_id,
        "group_name": row.group_name,
        "container": alert.container.replace(" ", "") if alert.container else None,
        "vessel_imo": alert.vessel.imo if alert.vessel else None,
        "vessel_mmsi": alert.vessel.mmsi if alert.vessel else None,
        "vessel_name": alert.vessel.name if alert.vessel else None,
        "party_name": alert.party.name if alert.party else None,
        "party_country": alert.party.country if alert.party else None,
        "party_identifiers": [i.model_dump() for i in alert.party.identifiers] if alert.party else None,
        "route_origin": alert.route.origin if alert.route else None,
        "route_destination": alert.route.destination if alert.route else None,
        "route_via": list(alert.route.via) if alert.route else None,
        "reason": alert.reason,
        "action": alert.action.value,
        "severity": alert.severity,
        "reference": alert.reference,
        "valid_until": alert.valid_until,
        "received_at": row.received_at,
        "open": True,
    }


def _apply_now(lookups: _Lookups, partner: PartnerRow, row: _NewInbox) -> bool:
    """Effects that live in this database, committed with the inbox row. False: applied later.

    Alerts are written once the batch's inbox rows have their ids (see _Batch.commit).
    """
    payload = row.payload or {}
    kind = MessageType(row.message_type)
    if kind is MessageType.CARGO_REPORT:
        return False
    if kind is MessageType.KEY_UPDATE:
        apply_identity_update(
            lookups.session, partner, payload["identity"], via=f"key_update {row.message_id}"
        )
        # The batch's later messages may already be signed with the new key: read keys afresh.
        lookups.session.flush()
        lookups.keys = {k: v for k, v in lookups.keys.items() if k[0] != partner.id}
    elif kind is MessageType.ACKNOWLEDGEMENT:
        lookups.session.execute(
            update(OutboxRow)
            .where(OutboxRow.partner_id == partner.id, OutboxRow.message_id == payload["message_id"])
            .values(
                acknowledged={
                    "status": payload.get("status"),
                    "note": payload.get("note"),
                    "ack_id": row.message_id,
                }
            )
        )
    elif kind is MessageType.GROUP_MEMBERSHIP:
        group = lookups.group(payload["group"])
        if group is None:
            group = GroupRow(
                name=payload["group"], owner=partner.name, version=0, types=[], profile="full", members=[]
            )
            lookups.session.add(group)
            lookups.groups[group.name] = group
        if int(payload["version"]) > group.version:
            group.version = int(payload["version"])
            group.types = list(payload["types"])
            group.profile = str(payload.get("profile", "full"))
            group.members = list(payload["members"])
            group.updated_at = row.received_at
    row.status = "applied"
    row.applied_at = row.received_at
    return True


@dataclass(slots=True)
class _Stored:
    """A message stored in this batch: its receipt is valid once the batch commits."""

    row: _NewInbox
    partner: PartnerRow
    receipt: dict[str, Any]
    needs_apply: bool


@dataclass(slots=True)
class _Repeated:
    """A second copy of a message stored earlier in this batch: a duplicate once the batch commits."""

    row: _NewInbox
    receipt: dict[str, Any]


class _Batch:
    """The envelopes of one request, checked one by one and committed in one transaction."""

    def __init__(self, session: Session, identity: NodeIdentity, settings: Settings, remote: str | None):
        self.session = session
        self.identity = identity
        self.settings = settings
        self.remote = remote
        self.lookups = _Lookups(session)
        self.audit: list[audit.Entry] = []
        self.stored: list[_Stored] = []
        self.inbox: list[_NewInbox] = []
        self.sequence: dict[int, int] = {}

    def refuse(self, error: Refused, *, raw_size: int, sender: str | None, message_id: str | None) -> Refused:
        """Keep an unauthenticated refusal (the rejection table and the audit chain) with the batch."""
        log.warning(
            "refused message %s from %s (%s): %s %s",
            message_id,
            sender or "?",
            self.remote or "?",
            error.code,
            error.detail,
        )
        sender_text = (sender or None) and str(sender)[:64]
        id_text = (message_id or None) and str(message_id)[:100]
        self.session.add(
            RejectionRow(
                at=datetime.now(UTC),
                claimed_sender=sender_text,
                message_id=id_text,
                code=error.code,
                detail=error.detail,
                where=error.where,
                remote=self.remote,
                size=raw_size,
            )
        )
        self.audit.append(
            audit.Entry(
                "refused",
                partner=sender_text,
                message_id=id_text,
                detail={"code": error.code, "detail": error.detail[:500], "where": error.where},
            )
        )
        error.recorded = True
        return error

    def check(
        self, raw: bytes, parsed: tuple[envelope.Envelope, dict[str, Any]], now: datetime
    ) -> Received | _Stored | _Repeated:
        env, data = parsed
        header = env.header
        envelope.check_recipient(header, self.identity.name)
        digest = crypto.digest(raw)
        partner, key = _sender_key(self.lookups, header)
        envelope.check_signature(data, crypto.b64d(key.signing_key, size=32))
        # From here on the sender is authentic. A message seen before is acknowledged again,
        # even past its expiry: the sender may have crashed before it recorded the first receipt.
        seen = self.lookups.seen.get((partner.id, header.id))
        if seen is not None:
            if seen.status == "refused" and seen.error:
                raise _error_from(seen.error)
            if isinstance(seen, _NewInbox):
                return _Repeated(seen, _receipt(self.identity, header, seen.digest, "duplicate", now))
            return Received(
                _receipt(self.identity, header, seen.digest, "duplicate", now), seen.id, True, False
            )
        envelope.check_times(header, now, timedelta(seconds=self.settings.exchange_clock_skew))
        in_sequence = self.sequence.get(partner.id, partner.in_sequence)
        if header.sequence <= in_sequence:
            raise Replayed(
                f"sequence {header.sequence} from {partner.name} is not after {in_sequence}, "
                "and the message id is new: a replay or a reused sequence",
                where="header.sequence",
            )
        if header.type not in {t.value for t in MessageType}:
            raise InvalidPayload(f"unknown message type {header.type!r}", where="header.type")
        payload = envelope.open_payload(env, data, self.identity.name, self.identity.decryption_keys())
        row = _NewInbox(
            message_id=header.id,
            partner_id=partner.id,
            message_type=header.type,
            version=header.version,
            sequence=header.sequence,
            group_name=header.group,
            digest=digest,
            created_at=header.created,
            received_at=now,
        )
        # The sequence is used up whether the message is kept or refused, so later messages still flow.
        self.sequence[partner.id] = header.sequence
        self.lookups.seen[(partner.id, header.id)] = row
        try:
            validate_payload(header.type, header.version, payload)
            kept = _receive_rule(self.lookups, self.identity, partner, header, payload)
            validate_payload(header.type, header.version, kept)
        except Refused as refusal:
            # Authentic but not acceptable: remembered with its reason, so that a retry gets the
            # same answer.
            row.status = "refused"
            row.error = refusal.to_body()["error"]
            row.summary = refusal.code
            self.inbox.append(row)
            self.audit.append(
                audit.Entry(
                    "refused",
                    partner=partner.name,
                    message_id=header.id,
                    message_type=header.type,
                    digest=digest,
                    detail={
                        "code": refusal.code,
                        "detail": refusal.detail[:500],
                        "sequence": header.sequence,
                    },
                )
            )
            log.warning("refused %s from %s: %s %s", header.id, partner.name, refusal.code, refusal.detail)
            refusal.recorded = True
            raise
        row.payload = kept
        row.summary = summarise(header.type, kept)
        self.inbox.append(row)
        applied = _apply_now(self.lookups, partner, row)
        self.audit.append(
            audit.Entry(
                "received",
                partner=partner.name,
                message_id=header.id,
                message_type=header.type,
                digest=digest,
                detail={"sequence": header.sequence, "group": header.group},
            )
        )
        stored = _Stored(row, partner, _receipt(self.identity, header, digest, "accepted", now), not applied)
        self.stored.append(stored)
        return stored

    def commit(self) -> None:
        """Move each channel's sequence (compare-and-set), write alerts and audit, commit; or Busy."""
        session = self.session
        for partner_id, sequence in self.sequence.items():
            # Of two concurrent deliveries on one channel only one moves it from where both started;
            # the other rolls back and its sender retries, to be answered "duplicate".
            result = session.execute(
                update(PartnerRow)
                .where(
                    PartnerRow.id == partner_id,
                    PartnerRow.in_sequence == self.lookups.start_sequence[partner_id],
                )
                .values(in_sequence=sequence)
            )
            if getattr(result, "rowcount", 0) != 1:
                session.rollback()
                raise Busy("another delivery of this channel is in progress", where="header.sequence")
        try:
            session.flush()
            self._insert_inbox()
            alerts = [
                _alert_row(stored.partner, stored.row)
                for stored in self.stored
                if stored.row.message_type == MessageType.ALERT.value
            ]
            if alerts:
                session.execute(insert(AlertRow), alerts)
            audit.append_many(session, self.audit)
            session.commit()
        except IntegrityError:
            session.rollback()
            raise Busy("the message was stored by a concurrent delivery; retry", where="header.id") from None

    def _insert_inbox(self) -> None:
        """Write the batch's inbox rows in one executemany, in arrival order; then read their ids."""
        if not self.inbox:
            return
        # Not INSERT .. RETURNING: for that SQLAlchemy writes one statement with a VALUES tuple per
        # row, which psycopg re-parses on every batch; an executemany and a select by the unique
        # (partner, message id) cost a third of that.
        self.session.execute(_INSERT_INBOX, [row.values() for row in self.inbox])
        by_partner: dict[int, dict[str, _NewInbox]] = {}
        for row in self.inbox:
            by_partner.setdefault(row.partner_id, {})[row.message_id] = row
        for partner_id, rows in by_partner.items():
            message_ids = list(rows)
            for start in range(0, len(message_ids), 500):
                for message_id, inbox_id in self.session.execute(
                    select(InboxRow.message_id, InboxRow.id).where(
                        InboxRow.partner_id == partner_id,
                        InboxRow.message_id.in_(message_ids[start : start + 500]),
                    )
                ):
                    rows[message_id].id = inbox_id


def receive_batch(
    engine: Engine,
    identity: NodeIdentity,
    settings: Settings,
    lines: list[bytes],
    *,
    remote: str | None = None,
) -> list[Received | Refused | None]:
    """Check and store the envelopes of one request in one transaction; one result per envelope.

    After a retryable refusal the rest of the batch is left out (None), so that the sender keeps
    its order. If the transaction cannot commit, every envelope
    of the batch is answered with a retryable error and nothing of it is stored.
    """
    results: list[Received | _Stored | _Repeated | Refused | None] = []
    now = datetime.now(UTC)
    parsed: list[tuple[envelope.Envelope, dict[str, Any]] | Refused] = []
    for raw in lines:
        try:
            parsed.append(envelope.parse(raw, settings.exchange_max_message_bytes))
        except Refused as error:
            parsed.append(error)
    try:
        with Session(engine, expire_on_commit=False) as session, session.no_autoflush:
            batch = _Batch(session, identity, settings, remote)
            batch.lookups.preload_seen([p[0].header for p in parsed if not isinstance(p, Refused)])
            stopped = False
            for raw, item in zip(lines, parsed, strict=True):
                if stopped:
                    results.append(None)
                    continue
                sender = message_id = None
                try:
                    if isinstance(item, Refused):
                        raise item
                    sender, message_id = item[0].header.sender, item[0].header.id
                    results.append(batch.check(raw, item, now))
                except Refused as error:
                    if not error.recorded and not error.retryable:
                        batch.refuse(error, raw_size=len(raw), sender=sender, message_id=message_id)
                    results.append(error)
                    stopped = error.retryable
            batch.commit()
    except Busy as busy:
        return [busy] * len(lines)
    except OperationalError as error:
        log.warning("database busy while receiving %d message(s): %s", len(lines), error)
        unavailable = Busy("the receiving node could not store the message now; retry", where="database")
        return [unavailable] * len(lines)
    return [
        Received(r.receipt, r.row.id, False, r.needs_apply)
        if isinstance(r, _Stored)
        else Received(r.receipt, r.row.id, True, False)
        if isinstance(r, _Repeated)
        else r
        for r in results
    ]


def receive(
    engine: Engine, identity: NodeIdentity, settings: Settings, raw: bytes, *, remote: str | None = None
) -> Received:
    """Check, store and (where it can be done in the same transaction) apply one envelope."""
    result = receive_batch(engine, identity, settings, [raw], remote=remote)[0]
    if isinstance(result, Refused):
        raise result
    assert result is not None  # a batch of one has nothing after it to leave out
    return result


def _error_from(body: dict[str, Any]) -> Refused:
    from corridor.exchange.errors import REFUSALS

    cls = next((c for c in REFUSALS if c.code == body.get("code")), Refused)
    return cls(str(body.get("detail")), where=body.get("where"))


_APPLYING = threading.Lock()


def apply_pending(engine: Engine, *, limit: int = 50) -> int:
    """Ingest the cargo reports stored but not yet applied (also what a crash left half done)."""
    # The request's background task and the deliverer's pass both call this: one at a time in a
    # process, so that the recorded result is the ingestion that stored the data, not its echo.
    with _APPLYING:
        return _apply_pending(engine, limit)


def _apply_pending(engine: Engine, limit: int) -> int:
    from corridor.ingest.service import ingest_documents
    from corridor.targeting import after_ingest

    with Session(engine) as session:
        pending = list(
            session.execute(
                select(
                    InboxRow.id, InboxRow.message_id, InboxRow.payload, InboxRow.received_at, PartnerRow.name
                )
                .join(PartnerRow)
                .where(InboxRow.status == "received")
                .order_by(InboxRow.id)
                .limit(limit)
            )
        )
    done = 0
    for inbox_id, message_id, payload, received_at, sender in pending:
        at = received_at if received_at.tzinfo else received_at.replace(tzinfo=UTC)
        docs = [
            {
                **doc,
                "provenance": {
                    "format": "json",
                    "sender": sender,
                    "message_id": message_id,
                    "received_at": envelope.iso(at),
                },
            }
            for doc in (payload or {}).get("consignments", [])
        ]
        # Ingestion commits on its own and is idempotent by content: if this process dies before the
        # row is marked applied, the next pass ingests again and finds only duplicates.
        report = ingest_documents(engine, docs, origin="exchange", source=f"exchange/{sender}/{message_id}")
        # A partner's pre-arrival report is targeted like our own: screened and risk-assessed now.
        follow_up = after_ingest(engine, report.consignment_ids, recheck=report.duplicate_ids)
        with Session(engine) as session:
            row = session.get(InboxRow, inbox_id)
            if row is None or row.status != "received":
                continue
            row.status = "applied"
            row.applied_at = datetime.now(UTC)
            summary = report.as_dict()
            row.result = {
                key: summary[key] for key in ("batch_id", "accepted", "amended", "duplicates", "rejected")
            } | {
                "consignment_ids": report.consignment_ids[:1000],
                "rejections": summary["rejections"][:20],
                "targeting": follow_up.as_dict(),
            }
            audit.append(
                session,
                "applied",
                partner=sender,
                message_id=message_id,
                message_type=MessageType.CARGO_REPORT.value,
                detail={
                    "batch_id": report.batch_id,
                    "accepted": summary["accepted"],
                    "rejected": summary["rejected"],
                },
            )
            session.commit()
            done += 1
    return done
