"""Why a node refuses a message: one error class per stable code, sent back to the sender.

The codes are part of the protocol (docs/exchange-protocol.md): a sender decides from them
whether to retry (`retryable`) or move the message to its dead-letter view.
"""

from __future__ import annotations

from typing import ClassVar

from corridor.domain.errors import CorridorError


class Refused(CorridorError):
    """A message refused by the receiving node. Not retryable unless a subclass says so."""

    status = 400
    code = "refused"
    retryable: ClassVar[bool] = False
    # Set once the refusal is in the rejection log and the audit chain, so it is recorded once.
    recorded: bool = False


class Oversized(Refused):
    status = 413
    code = "oversized"


class Malformed(Refused):
    status = 400
    code = "malformed"


class UnsupportedVersion(Refused):
    status = 400
    code = "unsupported_version"


class NotForThisNode(Refused):
    status = 421
    code = "not_for_this_node"


class UnknownSender(Refused):
    status = 403
    code = "unknown_sender"


class RevokedKey(Refused):
    status = 403
    code = "revoked_key"


class BadSignature(Refused):
    status = 401
    code = "bad_signature"


class Expired(Refused):
    status = 410
    code = "expired"


class ClockSkew(Refused):
    status = 400
    code = "clock_skew"


class Replayed(Refused):
    status = 409
    code = "replayed"


class DecryptionFailed(Refused):
    status = 400
    code = "decryption_failed"


class InvalidPayload(Refused):
    status = 422
    code = "invalid_payload"


class NotAgreed(Refused):
    status = 403
    code = "not_agreed"


class Busy(Refused):
    """The receiver could not store the message now (database busy, shutting down): try again."""

    status = 503
    code = "busy"
    retryable = True


class NodeNotInitialised(CorridorError):
    status = 409
    code = "node_not_initialised"


class NodeKeysLocked(CorridorError):
    """The private keys are encrypted and the passphrase is missing or wrong."""

    status = 503
    code = "node_keys_locked"


REFUSALS: tuple[type[Refused], ...] = (
    Oversized,
    Malformed,
    UnsupportedVersion,
    NotForThisNode,
    UnknownSender,
    RevokedKey,
    BadSignature,
    Expired,
    ClockSkew,
    Replayed,
    DecryptionFailed,
    InvalidPayload,
    NotAgreed,
    Busy,
)
