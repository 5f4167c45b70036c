"""The envelope: a signed header, a payload encrypted once, and its content key wrapped per recipient.

    {"protocol": "corridor-exchange/1",
     "header": {"id", "type", "version", "sender", "sender_kid", "recipients", "group",
                "created", "expires", "sequence"},
     "keys": [{"node", "kid", "epk", "nonce", "wrapped"}],
     "nonce": "...", "ciphertext": "...",
     "signature": "..."}

The canonical header is the associated data of the payload and of every wrapped key, so a header
cannot be moved onto another ciphertext; the signature covers everything but itself.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from corridor.exchange import crypto
from corridor.exchange.errors import (
    BadSignature,
    ClockSkew,
    DecryptionFailed,
    Expired,
    Malformed,
    NotForThisNode,
    Oversized,
    UnsupportedVersion,
)

PROTOCOL = "corridor-exchange/1"
NodeName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
B64 = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9+/=]+$", max_length=50_000_000)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Header(_Strict):
    id: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9._:-]{8,100}$")]
    type: Annotated[str, StringConstraints(pattern=r"^[a-z_]{1,40}$")]
    version: int = Field(ge=1, le=1000)
    sender: NodeName
    sender_kid: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{16}$")]
    recipients: list[NodeName] = Field(min_length=1, max_length=200)
    group: NodeName | None = None
    created: datetime
    expires: datetime
    sequence: int = Field(ge=1)


class KeyEntry(_Strict):
    node: NodeName
    kid: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{16}$")]
    epk: B64
    nonce: B64
    wrapped: B64


class Envelope(_Strict):
    protocol: str
    header: Header
    keys: list[KeyEntry] = Field(min_length=1, max_length=200)
    nonce: B64
    ciphertext: B64
    signature: B64


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def header_dict(header: Header) -> dict[str, Any]:
    """The header as it is signed: fixed ISO timestamps so that both ends canonicalise alike."""
    data = header.model_dump(mode="json")
    data["created"] = iso(header.created)
    data["expires"] = iso(header.expires)
    return data


def _wrap_aad(header_bytes: bytes, node: str, kid: str) -> bytes:
    return header_bytes + b"|" + node.encode() + b"|" + kid.encode()


@dataclass(frozen=True, slots=True)
class Recipient:
    name: str
    kid: str
    encryption_public: bytes


def seal(
    *,
    message_id: str,
    message_type: str,
    version: int,
    payload: Mapping[str, Any],
    sender: str,
    keys: crypto.KeyPair,
    recipients: Sequence[Recipient],
    sequence: int,
    created: datetime,
    ttl: timedelta,
    group: str | None = None,
) -> dict[str, Any]:
    """Encrypt the payload for every recipient and sign the whole; returns the envelope as JSON data."""
    header = Header(
        id=message_id,
        type=message_type,
        version=version,
        sender=sender,
        sender_kid=keys.kid,
        recipients=[r.name for r in recipients],
        group=group,
        created=created,
        expires=created + ttl,
        sequence=sequence,
    )
    hdr = header_dict(header)
    aad = crypto.canonical(hdr)
    content_key, nonce, ciphertext = crypto.encrypt_payload(crypto.canonical(dict(payload)), aad)
    entries = [
        {
            "node": r.name,
            "kid": r.kid,
            **crypto.wrap_key(content_key, r.encryption_public, _wrap_aad(aad, r.name, r.kid)),
        }
        for r in recipients
    ]
    unsigned = {
        "protocol": PROTOCOL,
        "header": hdr,
        "keys": entries,
        "nonce": nonce,
        "ciphertext": ciphertext,
    }
    return {**unsigned, "signature": crypto.sign(keys.signing, crypto.canonical(unsigned))}


def parse(raw: bytes, max_bytes: int) -> tuple[Envelope, dict[str, Any]]:
    """Size first (before any parsing), then JSON, then the envelope schema and protocol version."""
    if len(raw) > max_bytes:
        raise Oversized(
            f"the message has {len(raw)} bytes; this node accepts at most {max_bytes}", where="body"
        )
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as error:
        raise Malformed(f"the message is not JSON: {error}", where="body") from None
    except RecursionError:
        # Deep nesting exhausts Python's JSON parser; no envelope is nested more than a few levels.
        raise Malformed("the message is not an envelope: JSON nested too deeply", where="body") from None
    if not isinstance(data, dict):
        raise Malformed("the message must be a JSON object (an envelope)", where="body")
    if data.get("protocol") != PROTOCOL:
        raise UnsupportedVersion(
            f"protocol {data.get('protocol')!r} is not supported; this node speaks {PROTOCOL}",
            where="protocol",
        )
    try:
        envelope = Envelope.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        raise Malformed(str(first["msg"]), where=".".join(str(p) for p in first["loc"])) from None
    if envelope.header.created.tzinfo is None or envelope.header.expires.tzinfo is None:
        raise Malformed("created and expires must carry a time zone (UTC)", where="header.created")
    return envelope, data


def check_signature(data: Mapping[str, Any], signing_public: bytes) -> None:
    unsigned = {k: v for k, v in data.items() if k != "signature"}
    try:
        crypto.verify(signing_public, str(data.get("signature", "")), crypto.canonical(unsigned))
    except crypto.CryptoFailure as error:
        raise BadSignature(str(error), where="signature") from None


def check_times(header: Header, now: datetime, skew: timedelta) -> None:
    if header.created > now + skew:
        raise ClockSkew(
            f"created {iso(header.created)} is ahead of this node's clock ({iso(now)}) by more than "
            f"{int(skew.total_seconds())} s",
            where="header.created",
        )
    if header.expires < now - skew:
        raise Expired(f"the message expired at {iso(header.expires)}", where="header.expires")
    if header.expires <= header.created:
        raise Malformed("expires must be after created", where="header.expires")


def check_recipient(header: Header, me: str) -> None:
    if me not in header.recipients:
        raise NotForThisNode(
            f"the message is addressed to {', '.join(header.recipients)}, not to {me}",
            where="header.recipients",
        )


def open_payload(
    envelope: Envelope, data: Mapping[str, Any], me: str, my_keys: Mapping[str, crypto.KeyPair]
) -> Any:
    """Unwrap this node's content key and decrypt; DecryptionFailed when anything was altered."""
    aad = crypto.canonical(data["header"])
    entry = next((k for k in envelope.keys if k.node == me), None)
    if entry is None:
        raise DecryptionFailed(f"the message carries no key for {me}", where="keys")
    keys = my_keys.get(entry.kid)
    if keys is None:
        raise DecryptionFailed(f"key {entry.kid} is not (or no longer) a key of {me}", where="keys")
    try:
        content_key = crypto.unwrap_key(entry.model_dump(), keys.encryption, _wrap_aad(aad, me, entry.kid))
        plaintext = crypto.decrypt_payload(content_key, envelope.nonce, envelope.ciphertext, aad)
    except crypto.CryptoFailure as error:
        raise DecryptionFailed(str(error), where="ciphertext") from None
    try:
        return json.loads(plaintext)
    except ValueError:
        raise DecryptionFailed("the decrypted payload is not JSON", where="ciphertext") from None
