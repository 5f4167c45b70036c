"""Exchange use cases on the sending side: partners, agreements, closed user groups and sending.

Nothing leaves the node unless an agreement (or a group the node belongs to, or the message being
answered) allows it; the payload is minimised for each recipient before it is sealed. Every use
case here commits once, together with its audit-log entries.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from corridor.domain.errors import Conflict, CorridorError, Forbidden, InvalidInput, NotFound
from corridor.exchange import audit, crypto, envelope
from corridor.exchange.identity import NodeIdentity, check_endpoint, check_name, verify_public_document
from corridor.exchange.messages import AGREEABLE, CURRENT_VERSION, MessageType, parse_type, validate_payload
from corridor.exchange.minimise import check_fields, check_profile, minimise
from corridor.exchange.models import (
    AgreementRow,
    GroupRow,
    InboxRow,
    OutboxRow,
    PartnerKeyRow,
    PartnerRow,
)
from corridor.settings import Settings

log = logging.getLogger("corridor.exchange")


def now() -> datetime:
    return datetime.now(UTC)


# --- partner directory ---------------------------------------------------------------------------


def get_partner(session: Session, name: str) -> PartnerRow:
    row = session.scalars(select(PartnerRow).where(PartnerRow.name == name)).first()
    if row is None:
        raise NotFound(
            f"no partner {name!r}: add it with `corridor partners add IDENTITY.json`", where="partner"
        )
    return row


def partner_keys(session: Session, partner: PartnerRow) -> list[PartnerKeyRow]:
    return list(
        session.scalars(
            select(PartnerKeyRow).where(PartnerKeyRow.partner_id == partner.id).order_by(PartnerKeyRow.id)
        )
    )


def current_key(session: Session, partner: PartnerRow) -> PartnerKeyRow:
    for key in partner_keys(session, partner):
        if key.status == "current":
            return key
    raise Conflict(f"partner {partner.name} has no current key", where="partner")


def _check_identity_doc(doc: Any) -> dict[str, Any]:
    if not isinstance(doc, dict):
        raise InvalidInput("an identity document is a JSON object from `corridor node identity --json`")
    for field in ("name", "kid", "signing_key", "encryption_key", "fingerprint"):
        if not isinstance(doc.get(field), str):
            raise InvalidInput(f"the identity document has no {field}", where=field)
    check_name(doc["name"])
    verify_public_document(doc)
    signing = crypto.b64d(doc["signing_key"], what="signing_key", size=32)
    encryption = crypto.b64d(doc["encryption_key"], what="encryption_key", size=32)
    if (
        crypto.key_id(signing, encryption) != doc["kid"]
        or crypto.fingerprint(signing, encryption) != doc["fingerprint"]
    ):
        raise InvalidInput(
            "the key id or fingerprint does not match the keys in the document", where="fingerprint"
        )
    return doc


def _key_row(partner: PartnerRow, data: dict[str, Any], status: str) -> PartnerKeyRow:
    signing = crypto.b64d(str(data["signing_key"]), what="signing_key", size=32)
    encryption = crypto.b64d(str(data["encryption_key"]), what="encryption_key", size=32)
    if crypto.key_id(signing, encryption) != data.get("kid"):
        raise InvalidInput(f"key {data.get('kid')} does not match its public keys", where="previous_keys")
    return PartnerKeyRow(
        partner_id=partner.id,
        kid=data["kid"],
        signing_key=data["signing_key"],
        encryption_key=data["encryption_key"],
        fingerprint=crypto.fingerprint(signing, encryption),
        status=status,
        added_at=now(),
    )


def add_partner(
    session: Session,
    identity: NodeIdentity,
    doc: Any,
    *,
    endpoint: str | None = None,
    expect_fingerprint: str | None = None,
) -> PartnerRow:
    """Add a partner from its identity document; the fingerprint should be checked out of band."""
    doc = _check_identity_doc(doc)
    if doc["name"] == identity.name:
        raise InvalidInput("that is this node's own identity", where="name")
    if expect_fingerprint and expect_fingerprint.replace(" ", "").upper() != doc["fingerprint"].replace(
        " ", ""
    ):
        raise InvalidInput(
            f"fingerprint mismatch: the document says {doc['fingerprint']}, you expected {expect_fingerprint}",
            where="fingerprint",
        )
    if session.scalars(select(PartnerRow).where(PartnerRow.name == doc["name"])).first() is not None:
        raise Conflict(f"partner {doc['name']} exists: use `corridor partners update`", where="name")
    moment = now()
    partner = PartnerRow(
        name=doc["name"],
        agency=doc.get("agency"),
        country=doc.get("country"),
        endpoint=check_endpoint(endpoint or doc.get("endpoint")),
        tls_certificate=doc.get("tls_certificate"),
        status="active",
        out_sequence=0,
        in_sequence=0,
        added_at=moment,
        updated_at=moment,
    )
    session.add(partner)
    session.flush()
    session.add(_key_row(partner, doc, "current"))
    for previous in doc.get("previous_keys") or []:
        session.add(_key_row(partner, previous, "previous"))
    audit.append(
        session,
        "partner.added",
        partner=partner.name,
        detail={"fingerprint": doc["fingerprint"], "kid": doc["kid"]},
    )
    session.commit()
    return partner


def _endorsed(keys: dict[str, PartnerKeyRow], doc: dict[str, Any]) -> bool:
    """True when a key this node trusts for the partner signed the new identity document."""
    body = crypto.canonical({k: v for k, v in doc.items() if k not in ("self_signature", "endorsements")})
    for kid, signature in (doc.get("endorsements") or {}).items():
        known = keys.get(kid)
        if known is None or known.status == "revoked":
            continue
        try:
            crypto.verify(crypto.b64d(known.signing_key, size=32), str(signature), body)
            return True
        except crypto.CryptoFailure:
            continue
    return False


def check_identity_update(
    session: Session, partner: PartnerRow, doc: Any, *, force: bool = False
) -> dict[str, Any]:
    """The partner's new identity document, checked: self-signed, and its new key endorsed."""
    checked = _check_identity_doc(doc)
    if checked["name"] != partner.name:
        raise InvalidInput(f"the identity is {checked['name']}'s, not {partner.name}'s", where="name")
    keys = {k.kid: k for k in partner_keys(session, partner)}
    if checked["kid"] not in keys and not force and not _endorsed(keys, checked):
        raise Forbidden(
            f"the new key {checked['kid']} of {partner.name} is not endorsed by a key you trust; check the "
            f"fingerprint {checked['fingerprint']} with the partner and use --force",
            where="endorsements",
        )
    return checked


def apply_identity_update(
    session: Session,
    partner: PartnerRow,
    doc: dict[str, Any],
    *,
    endpoint: str | None = None,
    via: str = "operator",
) -> None:
    """Take a checked identity document (see check_identity_update) in the caller's transaction."""
    keys = {k.kid: k for k in partner_keys(session, partner)}
    if doc["kid"] not in keys:
        for key in keys.values():
            if key.status == "current":
                key.status = "previous"
        session.add(_key_row(partner, doc, "current"))
    else:
        for key in keys.values():
            if key.status != "revoked":
                key.status = "current" if key.kid == doc["kid"] else "previous"
    for kid in doc.get("revoked_keys") or []:
        if kid in keys:
            keys[kid].status = "revoked"
    partner.agency = doc.get("agency")
    partner.country = doc.get("country")
    partner.endpoint = check_endpoint(endpoint or doc.get("endpoint") or partner.endpoint)
    partner.tls_certificate = doc.get("tls_certificate")
    partner.updated_at = now()
    audit.append(
        session,
        "partner.updated",
        partner=partner.name,
        detail={"fingerprint": doc["fingerprint"], "kid": doc["kid"], "via": via},
    )


def update_partner(
    session: Session, doc: Any, *, endpoint: str | None = None, force: bool = False
) -> PartnerRow:
    """Take a partner's new identity (key rotation, revocations, endpoint).

    A new current key is accepted when a key already trusted for that partner endorses it (the
    partner's node signs its new identity with its previous key); otherwise only with --force,
    after the new fingerprint was checked out of band. Partners' nodes normally send it themselves
    (a key_update message); this is the manual way.
    """
    checked = _check_identity_doc(doc)
    partner = get_partner(session, checked["name"])
    checked = check_identity_update(session, partner, checked, force=force)
    apply_identity_update(session, partner, checked, endpoint=endpoint)
    session.commit()
    return partner


def revoke_partner(session: Session, name: str, *, key: str | None = None) -> PartnerRow:
    """Stop trusting a partner (nothing sent, nothing accepted) or one of its keys."""
    partner = get_partner(session, name)
    if key is None:
        partner.status = "revoked"
        detail: dict[str, Any] = {"scope": "partner"}
    else:
        row = next((k for k in partner_keys(session, partner) if k.kid == key), None)
        if row is None:
            raise NotFound(f"partner {name} has no key {key}", where="kid")
        row.status = "revoked"
        detail = {"scope": "key", "kid": key}
    partner.updated_at = now()
    audit.append(session, "partner.revoked", partner=name, detail=detail)
    session.commit()
    return partner


def list_partners(session: Session) -> list[dict[str, Any]]:
    result = []
    for partner in session.scalars(select(PartnerRow).order_by(PartnerRow.name)):
        keys = partner_keys(session, partner)
        current = next((k for k in keys if k.status == "current"), None)
        result.append(
            {
                "name": partner.name,
                "agency": partner.agency,
                "country": partner.country,
                "endpoint": partner.endpoint,
                "status": partner.status,
                "kid": current.kid if current else None,
                "fingerprint": current.fingerprint if current else None,
                "keys": [{"kid": k.kid, "status": k.status, "fingerprint": k.fingerprint} for k in keys],
                "tls_pinned": partner.tls_certificate is not None,
                "sent": partner.out_sequence,
                "received": partner.in_sequence,
            }
        )
    return result


# --- agreements ----------------------------------------------------------------------------------


def _agreeable(types: Sequence[str]) -> list[MessageType]:
    parsed: list[MessageType] = []
    for value in types:
        if value == "all":
            parsed.extend(AGREEABLE)
            continue
        kind = parse_type(value)
        if kind not in AGREEABLE:
            raise InvalidInput(
                f"{kind.value} needs no agreement (it answers a message); agree on {', '.join(AGREEABLE)}",
                where="types",
            )
        parsed.append(kind)
    return list(dict.fromkeys(parsed))


def allow(
    session: Session,
    partner_name: str,
    *,
    send: Sequence[str] = (),
    receive: Sequence[str] = (),
    profile: str = "full",
    fields: Sequence[str] | None = None,
) -> list[AgreementRow]:
    """Allow message types to a partner and/or from it, with what data may go (profile, fields)."""
    partner = get_partner(session, partner_name)
    check_profile(profile)
    checked_fields = check_fields(fields)
    if not send and not receive:
        raise InvalidInput("name what may be sent (--send) and/or received (--receive)", where="types")
    rows = []
    for direction, types in (("send", send), ("receive", receive)):
        for kind in _agreeable(types):
            row = session.scalars(
                select(AgreementRow).where(
                    AgreementRow.partner_id == partner.id,
                    AgreementRow.direction == direction,
                    AgreementRow.message_type == kind.value,
                )
            ).first()
            if row is None:
                row = AgreementRow(
                    partner_id=partner.id, direction=direction, message_type=kind.value, created_at=now()
                )
                session.add(row)
            row.profile = profile
            row.fields = checked_fields
            rows.append(row)
            audit.append(
                session,
                "agreement.allowed",
                partner=partner.name,
                message_type=kind.value,
                detail={"direction": direction, "profile": profile, "fields": checked_fields},
            )
    session.commit()
    return rows


def disallow(
    session: Session, partner_name: str, *, send: Sequence[str] = (), receive: Sequence[str] = ()
) -> int:
    partner = get_partner(session, partner_name)
    removed = 0
    for direction, types in (("send", send), ("receive", receive)):
        for kind in _agreeable(types):
            row = session.scalars(
                select(AgreementRow).where(
                    AgreementRow.partner_id == partner.id,
                    AgreementRow.direction == direction,
                    AgreementRow.message_type == kind.value,
                )
            ).first()
            if row is not None:
                session.delete(row)
                removed += 1
                audit.append(
                    session,
                    "agreement.revoked",
                    partner=partner.name,
                    message_type=kind.value,
                    detail={"direction": direction},
                )
    session.commit()
    return removed


def agreement(
    session: Session, partner: PartnerRow, direction: str, message_type: str
) -> AgreementRow | None:
    return session.scalars(
        select(AgreementRow).where(
            AgreementRow.partner_id == partner.id,
            AgreementRow.direction == direction,
            AgreementRow.message_type == message_type,
        )
    ).first()


def list_agreements(session: Session, partner_name: str | None = None) -> list[dict[str, Any]]:
    query = (
        select(AgreementRow, PartnerRow.name)
        .join(PartnerRow)
        .order_by(PartnerRow.name, AgreementRow.direction)
    )
    if partner_name:
        query = query.where(PartnerRow.id == get_partner(session, partner_name).id)
    return [
        {
            "partner": name,
            "direction": row.direction,
            "type": row.message_type,
            "profile": row.profile,
            "fields": row.fields,
        }
        for row, name in session.execute(query)
    ]


# --- closed user groups --------------------------------------------------------------------------


def get_group(session: Session, name: str) -> GroupRow:
    row = session.scalars(select(GroupRow).where(GroupRow.name == name)).first()
    if row is None:
        raise NotFound(f"no group {name!r}", where="group")
    return row


def member_names(group: GroupRow) -> list[str]:
    return [m["name"] for m in group.members]


def create_group(
    session: Session,
    identity: NodeIdentity,
    name: str,
    *,
    types: Sequence[str] = ("alert",),
    profile: str = "full",
) -> GroupRow:
    check_name(name)
    check_profile(profile)
    kinds = _agreeable(types)
    if session.scalars(select(GroupRow).where(GroupRow.name == name)).first() is not None:
        raise Conflict(f"group {name} exists", where="group")
    group = GroupRow(
        name=name,
        owner=identity.name,
        version=1,
        types=[k.value for k in kinds],
        profile=profile,
        members=[],
        updated_at=now(),
    )
    session.add(group)
    audit.append(session, "group.created", detail={"group": name, "types": group.types, "profile": profile})
    session.commit()
    return group


def _publish_membership(
    session: Session, identity: NodeIdentity, settings: Settings, group: GroupRow, extra: Sequence[str] = ()
) -> None:
    payload = {
        "group": group.name,
        "owner": group.owner,
        "version": group.version,
        "types": group.types,
        "profile": group.profile,
        "members": group.members,
    }
    recipients = [n for n in [*member_names(group), *extra] if n != identity.name]
    if recipients:
        _enqueue(
            session, identity, settings, MessageType.GROUP_MEMBERSHIP, payload, recipients, group=group.name
        )


def change_membership(
    session: Session,
    identity: NodeIdentity,
    settings: Settings,
    group_name: str,
    *,
    add: Sequence[str] = (),
    remove: Sequence[str] = (),
) -> GroupRow:
    """The owner adds or removes members; every member (and every removed one) gets the new list."""
    group = get_group(session, group_name)
    if group.owner != identity.name:
        raise Forbidden(f"only the owner ({group.owner}) manages the members of {group.name}", where="group")
    members = {m["name"]: m for m in group.members}
    for name in add:
        partner = get_partner(session, name)
        if partner.status != "active":
            raise Forbidden(f"partner {name} is revoked", where="partner")
        members[name] = {"name": name, "fingerprint": current_key(session, partner).fingerprint}
    removed = [n for n in remove if n in members]
    for name in remove:
        if name not in members:
            raise NotFound(f"{name} is not a member of {group.name}", where="member")
        del members[name]
    if identity.name not in members:
        members[identity.name] = {"name": identity.name, "fingerprint": identity.current.fingerprint}
    group.members = sorted(members.values(), key=lambda m: m["name"])
    group.version += 1
    group.updated_at = now()
    audit.append(
        session,
        "group.changed",
        detail={"group": group.name, "version": group.version, "members": member_names(group)},
    )
    _publish_membership(session, identity, settings, group, extra=removed)
    session.commit()
    return group


def list_groups(session: Session) -> list[dict[str, Any]]:
    return [
        {
            "name": g.name,
            "owner": g.owner,
            "version": g.version,
            "types": g.types,
            "profile": g.profile,
            "members": member_names(g),
        }
        for g in session.scalars(select(GroupRow).order_by(GroupRow.name))
    ]


# --- sending -------------------------------------------------------------------------------------


@dataclass(slots=True)
class Sent:
    message_id: str
    message_type: str
    recipients: list[str]

    def as_dict(self) -> dict[str, Any]:
        return {"message_id": self.message_id, "type": self.message_type, "recipients": self.recipients}


def _received_from(
    session: Session, partner: PartnerRow, message_id: str, message_type: str | None = None
) -> bool:
    query = select(InboxRow.id).where(InboxRow.partner_id == partner.id, InboxRow.message_id == message_id)
    if message_type:
        query = query.where(InboxRow.message_type == message_type)
    return session.scalars(query).first() is not None


def pseudonym_key(identity: NodeIdentity, partner: str) -> bytes:
    """A key per partner that only this node can derive: pseudonyms differ between partners."""
    secret = identity.signing_keys.signing.private_bytes_raw()
    return hashlib.sha256(b"corridor-pseudonym/1|" + secret + b"|" + partner.encode("utf-8")).digest()


def send_rule(
    session: Session,
    identity: NodeIdentity,
    partner: PartnerRow,
    kind: MessageType,
    payload: dict[str, Any],
    group: GroupRow | None,
) -> tuple[str, list[str] | None]:
    """(profile, fields) for sending this to the partner, or Forbidden saying what would allow it."""
    if partner.status != "active":
        raise Forbidden(f"partner {partner.name} is revoked: nothing is sent to it", where="partner")
    if kind is MessageType.KEY_UPDATE:
        return "full", None
    if kind is MessageType.GROUP_MEMBERSHIP:
        if group is None or group.owner != identity.name:
            raise Forbidden("only a group's owner sends its membership", where="group")
        return "full", None
    if kind is MessageType.ACKNOWLEDGEMENT:
        if not _received_from(session, partner, str(payload.get("message_id"))):
            raise Forbidden(
                f"no message {payload.get('message_id')} was received from {partner.name}", where="message_id"
            )
        return "full", None
    if kind is MessageType.RFI_REPLY:
        if not _received_from(session, partner, str(payload.get("in_reply_to")), MessageType.RFI.value):
            raise Forbidden(
                f"no request {payload.get('in_reply_to')} was received from {partner.name}",
                where="in_reply_to",
            )
        return "full", None
    if group is not None:
        if kind.value not in group.types:
            raise Forbidden(
                f"group {group.name} carries {', '.join(group.types)}, not {kind.value}", where="type"
            )
        return group.profile, None
    rule = agreement(session, partner, "send", kind.value)
    if rule is None:
        raise Forbidden(
            f"no agreement allows sending {kind.value} to {partner.name}: "
            f"`corridor agreements allow {partner.name} --send {kind.value}`",
            where="agreement",
        )
    return rule.profile, rule.fields


def next_sequence(session: Session, partner: PartnerRow) -> int:
    # One atomic increment: concurrent senders (CLI and API) never share a sequence number.
    return int(
        session.execute(
            update(PartnerRow)
            .where(PartnerRow.id == partner.id)
            .values(out_sequence=PartnerRow.out_sequence + 1)
            .returning(PartnerRow.out_sequence)
        ).scalar_one()
    )


def _signer(identity: NodeIdentity, message_type: str) -> crypto.KeyPair:
    """The current key; a key update is signed with the oldest key partners may still know instead.

    A partner that has not yet taken the new identity knows only an older key: signed with it, the
    update is accepted, and the new key it carries is endorsed by that same older key.
    """
    if message_type == MessageType.KEY_UPDATE.value:
        previous = [k for k in identity.keys if k.status == "previous"]
        if previous:
            return identity.pair(previous[0].kid)
    return identity.signing_keys


def seal_for(
    session: Session,
    identity: NodeIdentity,
    settings: Settings,
    partner: PartnerRow,
    row: OutboxRow,
    created: datetime,
    key: PartnerKeyRow | None = None,
    signer: crypto.KeyPair | None = None,
) -> None:
    """(Re)seal an outbox row for the partner's current key with the next sequence of the channel."""
    key = key or current_key(session, partner)
    row.sequence = next_sequence(session, partner)
    sealed = envelope.seal(
        message_id=row.message_id,
        message_type=row.message_type,
        version=CURRENT_VERSION,
        payload=row.payload,
        sender=identity.name,
        keys=signer or _signer(identity, row.message_type),
        recipients=[envelope.Recipient(partner.name, key.kid, crypto.b64d(key.encryption_key, size=32))],
        sequence=row.sequence,
        created=created,
        ttl=timedelta(hours=settings.exchange_message_ttl_hours),
        group=row.group_name,
    )
    text = crypto.canonical(sealed).decode("utf-8")
    if len(text) > settings.exchange_max_message_bytes:
        raise InvalidInput(
            f"the sealed message has {len(text)} bytes, more than the {settings.exchange_max_message_bytes} "
            "a message may have: send fewer consignments per report",
            where="payload",
        )
    row.envelope = text
    row.size = len(text)
    row.created_at = created
    row.expires_at = created + timedelta(hours=settings.exchange_message_ttl_hours)
    row.next_attempt_at = created
    row.status = "queued"
    row.attempts = 0
    row.last_error = None


def summarise(kind: str, payload: dict[str, Any]) -> str:
    if kind == MessageType.CARGO_REPORT.value:
        docs = payload.get("consignments") or []
        numbers = ", ".join(str(d.get("document_number")) for d in docs[:3])
        return f"{len(docs)} consignment(s): {numbers}{'...' if len(docs) > 3 else ''}"[:300]
    if kind == MessageType.ALERT.value:
        target = (
            payload.get("container")
            or (payload.get("vessel") or {}).get("name")
            or (payload.get("vessel") or {}).get("imo")
            or (payload.get("party") or {}).get("name")
            or (payload.get("route") and "route")
        )
        return f"{target}: {payload.get('reason', '')}"[:300]
    if kind == MessageType.SEIZURE_NOTICE.value:
        return f"{payload.get('reference')}: {(payload.get('goods') or [{}])[0].get('description', '')}"[:300]
    if kind == MessageType.KEY_UPDATE.value:
        doc = payload.get("identity") or {}
        return f"new identity: key {doc.get('kid')}"[:300]
    for field in ("subject", "answer", "status", "group"):
        if field in payload:
            return str(payload[field])[:300]
    return kind


class _SendContext:
    """What sending many messages in one transaction reads once: partners, keys, rules; audit entries."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.partners: dict[str, PartnerRow] = {}
        self.keys: dict[int, PartnerKeyRow] = {}
        self.rules: dict[tuple[int, str, str | None], tuple[str, list[str] | None]] = {}
        self.groups: dict[str, GroupRow] = {}
        self.audit: list[audit.Entry] = []

    def partner(self, name: str) -> PartnerRow:
        if name not in self.partners:
            self.partners[name] = get_partner(self.session, name)
        return self.partners[name]

    def key(self, partner: PartnerRow) -> PartnerKeyRow:
        if partner.id not in self.keys:
            self.keys[partner.id] = current_key(self.session, partner)
        return self.keys[partner.id]

    def group(self, name: str) -> GroupRow:
        if name not in self.groups:
            self.groups[name] = get_group(self.session, name)
        return self.groups[name]

    def rule(
        self,
        identity: NodeIdentity,
        partner: PartnerRow,
        kind: MessageType,
        payload: dict[str, Any],
        group: GroupRow | None,
    ) -> tuple[str, list[str] | None]:
        # Answers (acknowledgement, reply) and memberships depend on the payload: never cached.
        if kind in (
            MessageType.ACKNOWLEDGEMENT,
            MessageType.RFI_REPLY,
            MessageType.GROUP_MEMBERSHIP,
            MessageType.KEY_UPDATE,
        ):
            return send_rule(self.session, identity, partner, kind, payload, group)
        cache_key = (partner.id, kind.value, group.name if group else None)
        if cache_key not in self.rules:
            self.rules[cache_key] = send_rule(self.session, identity, partner, kind, payload, group)
        return self.rules[cache_key]


def _enqueue(
    session: Session,
    identity: NodeIdentity,
    settings: Settings,
    kind: MessageType,
    payload: dict[str, Any],
    recipients: Sequence[str],
    *,
    group: str | None = None,
    message_id: str | None = None,
    context: _SendContext | None = None,
) -> Sent:
    """Minimise, seal and queue one message for each recipient: for all of them or, on error, none.

    Everything that can refuse the message runs before a row is added; a refusal after a channel's
    sequence was taken leaves a gap in it, which receivers accept (sequences only have to grow).
    """
    ctx = context or _SendContext(session)
    validate_payload(kind.value, CURRENT_VERSION, payload)
    group_row = ctx.group(group) if group else None
    message_id = message_id or f"{identity.name}:{uuid.uuid4().hex}"
    created = now()
    planned: list[tuple[PartnerRow, str, dict[str, Any]]] = []
    for name in dict.fromkeys(recipients):
        partner = ctx.partner(name)
        profile, fields = ctx.rule(identity, partner, kind, payload, group_row)
        minimised = minimise(payload, profile, fields, pseudonym_key=pseudonym_key(identity, name))
        try:
            validate_payload(kind.value, CURRENT_VERSION, minimised)
        except Exception as error:
            raise InvalidInput(
                f"after the {profile!r} data profile for {name} the {kind.value} is no longer valid: {error}",
                where="agreement",
            ) from None
        planned.append((partner, profile, minimised))
    rows: list[tuple[OutboxRow, audit.Entry]] = []
    for partner, profile, minimised in planned:
        row = OutboxRow(
            message_id=message_id,
            partner_id=partner.id,
            message_type=kind.value,
            group_name=group,
            summary=summarise(kind.value, minimised),
            payload=minimised,
        )
        seal_for(session, identity, settings, partner, row, created, ctx.key(partner))
        entry = audit.Entry(
            "sent",
            partner=partner.name,
            message_id=message_id,
            message_type=kind.value,
            digest=crypto.digest(row.envelope.encode("utf-8")),
            detail={"sequence": row.sequence, "group": group, "profile": profile},
        )
        rows.append((row, entry))
    for row, entry in rows:
        session.add(row)
        ctx.audit.append(entry)
    if context is None:
        audit.append_many(session, ctx.audit)
    return Sent(message_id, kind.value, [p.name for p, _, _ in planned])


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One message to send: its type, payload, and partners (`to`) and/or a closed user group."""

    message_type: str
    payload: dict[str, Any]
    to: Sequence[str] = ()
    group: str | None = None


def _recipients(ctx: _SendContext, identity: NodeIdentity, message: Outgoing) -> list[str]:
    recipients = list(message.to)
    if message.group:
        group_row = ctx.group(message.group)
        names = member_names(group_row) + [group_row.owner]
        if identity.name not in names:
            raise Forbidden(f"this node is not a member of {message.group}", where="group")
        recipients += [n for n in dict.fromkeys(names) if n != identity.name]
    if not recipients:
        raise InvalidInput("name a recipient (--to PARTNER) or a group (--group NAME)", where="to")
    return recipients


def send_many(
    session: Session, identity: NodeIdentity, settings: Settings, messages: Sequence[Outgoing]
) -> list[Sent | CorridorError]:
    """Queue many messages in one transaction; a refused message is answered with its error.

    The messages that pass are queued (in the order given) even when others in the batch are
    refused; each result says which happened. One commit and one audit append for the batch.
    """
    ctx = _SendContext(session)
    results: list[Sent | CorridorError] = []
    for message in messages:
        try:
            kind = parse_type(message.message_type)
            if kind is MessageType.GROUP_MEMBERSHIP:
                raise InvalidInput("group memberships are sent by `corridor groups add/remove`", where="type")
            if kind is MessageType.KEY_UPDATE:
                raise InvalidInput(
                    "key updates are sent by `corridor node rotate-keys|revoke-key|set-endpoint`",
                    where="type",
                )
            recipients = _recipients(ctx, identity, message)
            results.append(
                _enqueue(
                    session,
                    identity,
                    settings,
                    kind,
                    message.payload,
                    recipients,
                    group=message.group,
                    context=ctx,
                )
            )
        except CorridorError as error:
            results.append(error)
    audit.append_many(session, ctx.audit)
    session.commit()
    for result in results:
        if isinstance(result, Sent):
            log.info(
                "queued %s %s for %s", result.message_type, result.message_id, ", ".join(result.recipients)
            )
    return results


def announce_identity(session: Session, identity: NodeIdentity, settings: Settings) -> list[str]:
    """Queue this node's current identity (a key_update) for every active partner; their names.

    Run after a key rotation, a key revocation or a new endpoint, so that partners' nodes take the
    change themselves instead of waiting for an operator to run `corridor partners update`.
    """
    partners = list(
        session.scalars(select(PartnerRow).where(PartnerRow.status == "active").order_by(PartnerRow.name))
    )
    if not partners:
        return []
    sent = _enqueue(
        session,
        identity,
        settings,
        MessageType.KEY_UPDATE,
        {"identity": identity.public_document()},
        [p.name for p in partners],
    )
    session.commit()
    log.info("queued key update %s for %s", sent.message_id, ", ".join(sent.recipients))
    return sent.recipients


def send(
    session: Session,
    identity: NodeIdentity,
    settings: Settings,
    message_type: str,
    payload: dict[str, Any],
    *,
    to: Sequence[str] = (),
    group: str | None = None,
) -> Sent:
    """Queue a message for partners (`to`) or for every other member of a closed user group."""
    result = send_many(session, identity, settings, [Outgoing(message_type, payload, to, group)])[0]
    if isinstance(result, CorridorError):
        raise result
    return result


def retry_dead(session: Session, identity: NodeIdentity, settings: Settings, outbox_id: int) -> OutboxRow:
    """Queue a dead message again: sealed anew with the next sequence (the old one may be passed)."""
    row = session.get(OutboxRow, outbox_id)
    if row is None:
        raise NotFound(f"no outbox message {outbox_id}", where="id")
    if row.status != "dead":
        raise Conflict(f"outbox message {outbox_id} is {row.status}, not dead", where="id")
    partner = session.get(PartnerRow, row.partner_id)
    assert partner is not None
    send_rule(
        session,
        identity,
        partner,
        MessageType(row.message_type),
        row.payload,
        get_group(session, row.group_name) if row.group_name else None,
    )
    seal_for(session, identity, settings, partner, row, now())
    audit.append(
        session,
        "requeued",
        partner=partner.name,
        message_id=row.message_id,
        message_type=row.message_type,
        digest=crypto.digest(row.envelope.encode("utf-8")),
        detail={"sequence": row.sequence},
    )
    session.commit()
    return row


# --- views ---------------------------------------------------------------------------------------


def _iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return envelope.iso(aware)


def outbox(
    session: Session, *, status: str | None = None, partner: str | None = None, limit: int = 100
) -> list[dict[str, Any]]:
    query = select(OutboxRow, PartnerRow.name).join(PartnerRow).order_by(OutboxRow.id.desc()).limit(limit)
    if status:
        query = query.where(OutboxRow.status == status)
    if partner:
        query = query.where(PartnerRow.name == partner)
    return [
        {
            "id": row.id,
            "message_id": row.message_id,
            "to": name,
            "type": row.message_type,
            "group": row.group_name,
            "sequence": row.sequence,
            "status": row.status,
            "attempts": row.attempts,
            "summary": row.summary,
            "created_at": _iso(row.created_at),
            "next_attempt_at": _iso(row.next_attempt_at) if row.status == "queued" else None,
            "delivered_at": _iso(row.delivered_at),
            "last_error": row.last_error,
            "acknowledged": row.acknowledged,
            "size": row.size,
        }
        for row, name in session.execute(query)
    ]


def inbox(
    session: Session,
    *,
    message_type: str | None = None,
    partner: str | None = None,
    status: str | None = None,
    limit: int = 100,
) -> list[dict[str, Any]]:
    query = select(InboxRow, PartnerRow.name).join(PartnerRow).order_by(InboxRow.id.desc()).limit(limit)
    if message_type:
        query = query.where(InboxRow.message_type == parse_type(message_type).value)
    if partner:
        query = query.where(PartnerRow.name == partner)
    if status:
        query = query.where(InboxRow.status == status)
    return [
        {
            "id": row.id,
            "message_id": row.message_id,
            "from": name,
            "type": row.message_type,
            "group": row.group_name,
            "sequence": row.sequence,
            "status": row.status,
            "summary": row.summary,
            "created_at": _iso(row.created_at),
            "received_at": _iso(row.received_at),
            "applied_at": _iso(row.applied_at),
            "error": row.error,
            "result": row.result,
            "payload": row.payload,
        }
        for row, name in session.execute(query)
    ]
