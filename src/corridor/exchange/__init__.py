"""Secure exchange between Corridor nodes: identity, partners, agreements, envelopes, outbox/inbox.

Each customs administration runs its own node. Messages are signed (Ed25519) and encrypted for
each recipient (X25519 + HKDF + AES-256-GCM), stored in an outbox, delivered with retries and
acknowledged with a signed receipt. The protocol is documented in docs/exchange-protocol.md.
"""
