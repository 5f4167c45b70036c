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

from sqlalchemy import Engine, select, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

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
from corridor.exchange.service import agreement, summarise
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


def _sender_key(session: Session, header: envelope.Header) -> tuple[PartnerRow, PartnerKeyRow]:
    partner = session.scalars(select(PartnerRow).where(PartnerRow.name == header.sender)).first()
    if partner is None:
        raise UnknownSender(f"{header.sender} is not a partner of this node", where="header.sender")
    if partner.status != "active":
        raise RevokedKey(f"{header.sender} has been revoked by this node", where="header.sender")
    key = session.scalars(
        select(PartnerKeyRow).where(
            PartnerKeyRow.partner_id == partner.id, PartnerKeyRow.kid == header.sender_kid
        )
    ).first()
    if key is None:
        raise UnknownSender(
            f"key {header.sender_kid} is not known for {header.sender}: send the new identity to this node",
            where="header.sender_kid",
        )
    if key.status == "revoked":
        raise RevokedKey(f"key {header.sender_kid} of {header.sender} is revoked", where="header.sender_kid")
    return partner, key


def _group_allows(session: Session, identity: NodeIdentity, header: envelope.Header) -> GroupRow:
    group = session.scalars(select(GroupRow).where(GroupRow.name == header.group)).first()
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
    session: Session,
    identity: NodeIdentity,
    partner: PartnerRow,
    header: envelope.Header,
    payload: dict[str, Any],
) -> dict[str, Any]:
    """What this node keeps of the payload, or NotAgreed when nothing allows the message."""
    kind = MessageType(header.type)
    if kind is MessageType.GROUP_MEMBERSHIP:
        if payload.get("owner") != partner.name or payload.get("group") != header.group:
            raise NotAgreed("a group membership comes from the group's owner only", where="payload.owner")
        existing = session.scalars(select(GroupRow).where(GroupRow.name == header.group)).first()
        if existing is not None and existing.owner != partner.name:
            raise NotAgreed(f"group {header.group} is owned by {existing.owner}", where="payload.owner")
        return payload
    if kind is MessageType.ACKNOWLEDGEMENT or kind is MessageType.RFI_REPLY:
        ref = payload.get("message_id") if kind is MessageType.ACKNOWLEDGEMENT else payload.get("in_reply_to")
        sent = session.scalars(
            select(OutboxRow.id).where(OutboxRow.partner_id == partner.id, OutboxRow.message_id == ref)
        ).first()
        if sent is None:
            raise NotAgreed(f"no message {ref} was sent to {partner.name}", where="payload")
        return payload
    if header.group is not None:
        group = _group_allows(session, identity, header)
        return minimise(payload, group.profile, None)
    rule = agreement(session, partner, "receive", header.type)
    if rule is None:
        raise NotAgreed(
            f"this node has no agreement to receive {header.type} from {partner.name}", where="header.type"
        )
    return minimise(payload, rule.profile, rule.fields)


def _apply_now(session: Session, partner: PartnerRow, row: InboxRow, header: envelope.Header) -> bool:
    """Effects that live in this database, committed with the inbox row. False: applied later."""
    payload = row.payload or {}
    kind = MessageType(row.message_type)
    if kind is MessageType.CARGO_REPORT:
        return False
    if kind is MessageType.ALERT:
        alert = Alert.model_validate(payload)
        session.add(
            AlertRow(
                inbox_id=row.id,
                sender=partner.name,
                message_id=row.message_id,
                group_name=row.group_name,
                container=alert.container.replace(" ", "") if alert.container else None,
                vessel_imo=alert.vessel.imo if alert.vessel else None,
                vessel_mmsi=alert.vessel.mmsi if alert.vessel else None,
                vessel_name=alert.vessel.name if alert.vessel else None,
                party_name=alert.party.name if alert.party else None,
                party_country=alert.party.country if alert.party else None,
                party_identifiers=[i.model_dump() for i in alert.party.identifiers] if alert.party else None,
                route_origin=alert.route.origin if alert.route else None,
                route_destination=alert.route.destination if alert.route else None,
                route_via=list(alert.route.via) if alert.route else None,
                reason=alert.reason,
                action=alert.action.value,
                severity=alert.severity,
                reference=alert.reference,
                valid_until=alert.valid_until,
                received_at=row.received_at,
                open=True,
            )
        )
    elif kind is MessageType.ACKNOWLEDGEMENT:
        session.execute(
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
        group = session.scalars(select(GroupRow).where(GroupRow.name == payload["group"])).first()
        if group is None:
            group = GroupRow(
                name=payload["group"], owner=partner.name, version=0, types=[], profile="full", members=[]
            )
            session.add(group)
        if int(payload["version"]) > group.version:
            group.version = int(payload["version"])
            group.types = list(payload["types"])
            group.profile = str(payload.get("profile", "full"))
            group.members = list(payload["members"])
            group.updated_at = row.received_at
    row.status = "applied"
    row.applied_at = row.received_at
    return True


def receive(
    engine: Engine, identity: NodeIdentity, settings: Settings, raw: bytes, *, remote: str | None = None
) -> Received:
    """Check, store and (where it can be done in the same transaction) apply one envelope."""
    sender: str | None = None
    message_id: str | None = None
    try:
        env, data = envelope.parse(raw, settings.exchange_max_message_bytes)
        header = env.header
        sender, message_id = header.sender, header.id
        envelope.check_recipient(header, identity.name)
        now = datetime.now(UTC)
        digest = crypto.digest(raw)
        with Session(engine, expire_on_commit=False) as session:
            partner, key = _sender_key(session, header)
            envelope.check_signature(data, crypto.b64d(key.signing_key, size=32))
            # From here on the sender is authentic. A message seen before is acknowledged again,
            # even past its expiry: the sender may have crashed before it recorded the first receipt.
            seen = session.scalars(
                select(InboxRow).where(InboxRow.partner_id == partner.id, InboxRow.message_id == header.id)
            ).first()
            if seen is not None:
                if seen.status == "refused" and seen.error:
                    raise _error_from(seen.error)
                return Received(
                    _receipt(identity, header, seen.digest, "duplicate", now), seen.id, True, False
                )
            envelope.check_times(header, now, timedelta(seconds=settings.exchange_clock_skew))
            if header.sequence <= partner.in_sequence:
                raise Replayed(
                    f"sequence {header.sequence} from {partner.name} is not after {partner.in_sequence}, "
                    "and the message id is new: a replay or a reused sequence",
                    where="header.sequence",
                )
            if header.type not in {t.value for t in MessageType}:
                raise InvalidPayload(f"unknown message type {header.type!r}", where="header.type")
            payload = envelope.open_payload(env, data, identity.name, identity.decryption_keys())
            row = InboxRow(
                message_id=header.id,
                partner_id=partner.id,
                message_type=header.type,
                version=header.version,
                sequence=header.sequence,
                group_name=header.group,
                summary="",
                status="received",
                digest=digest,
                created_at=header.created,
                received_at=now,
            )
            try:
                validate_payload(header.type, header.version, payload)
                kept = _receive_rule(session, identity, partner, header, payload)
                validate_payload(header.type, header.version, kept)
            except Refused as refusal:
                # Authentic but not acceptable: remembered with its reason, so that a retry gets the
                # same answer, and its sequence is used up so that later messages still flow.
                row.status = "refused"
                row.error = refusal.to_body()["error"]
                row.summary = refusal.code
                session.add(row)
                partner.in_sequence = header.sequence
                audit.append(
                    session,
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
                session.commit()
                log.warning(
                    "refused %s from %s: %s %s", header.id, partner.name, refusal.code, refusal.detail
                )
                refusal.recorded = True
                raise
            row.payload = kept
            row.summary = summarise(header.type, kept)
            session.add(row)
            # A compare-and-set on the channel: of two concurrent deliveries of the same sequence,
            # only one moves it, the other rolls back and is answered as a duplicate on retry.
            result = session.execute(
                update(PartnerRow)
                .where(PartnerRow.id == partner.id, PartnerRow.in_sequence < header.sequence)
                .values(in_sequence=header.sequence)
            )
            moved = getattr(result, "rowcount", 0)
            if moved != 1:
                session.rollback()
                raise Busy("another delivery of this channel is in progress", where="header.sequence")
            session.flush()
            applied = _apply_now(session, partner, row, header)
            audit.append(
                session,
                "received",
                partner=partner.name,
                message_id=header.id,
                message_type=header.type,
                digest=digest,
                detail={"sequence": header.sequence, "group": header.group},
            )
            try:
                session.commit()
            except IntegrityError:
                session.rollback()
                raise Busy(
                    "the message was stored by a concurrent delivery; retry", where="header.id"
                ) from None
            return Received(_receipt(identity, header, digest, "accepted", now), row.id, False, not applied)
    except Refused as error:
        if isinstance(error, Busy) or error.recorded:
            raise
        raise record_refusal(
            engine, error, raw_size=len(raw), remote=remote, sender=sender, message_id=message_id
        ) from None
    except OperationalError as error:
        log.warning("database busy while receiving %s: %s", message_id, error)
        raise Busy("the receiving node could not store the message now; retry", where="database") from None


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
        follow_up = after_ingest(engine, report.consignment_ids)
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
