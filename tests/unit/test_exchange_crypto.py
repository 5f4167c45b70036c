"""Envelope sealing, minimisation and the audit hash chain, without a server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from corridor.exchange import crypto, envelope
from corridor.exchange.errors import BadSignature, DecryptionFailed, Oversized
from corridor.exchange.minimise import minimise


def _sealed(payload: dict[str, object]) -> tuple[dict[str, object], crypto.KeyPair, crypto.KeyPair]:
    sender, receiver = crypto.KeyPair.generate(), crypto.KeyPair.generate()
    env = envelope.seal(
        message_id="AZ:00000001", message_type="alert", version=1, payload=payload, sender="AZ",
        keys=sender, recipients=[envelope.Recipient("KZ", receiver.kid, receiver.encryption_public)],
        sequence=1, created=datetime.now(UTC), ttl=timedelta(hours=1),
    )
    return env, sender, receiver


def test_seal_verify_open_round_trip() -> None:
    env, sender, receiver = _sealed({"reason": "x", "container": "MSCU1234565"})
    raw = crypto.canonical(env)
    parsed, data = envelope.parse(raw, 1 << 20)
    envelope.check_signature(data, sender.signing_public)
    assert envelope.open_payload(parsed, data, "KZ", {receiver.kid: receiver}) == {
        "reason": "x", "container": "MSCU1234565"
    }
    assert "MSCU" not in raw.decode(), "the payload travels encrypted"


def test_a_moved_header_or_wrong_key_fails() -> None:
    env, sender, receiver = _sealed({"reason": "x"})
    env["header"]["sequence"] = 2  # type: ignore[index]
    parsed, data = envelope.parse(crypto.canonical(env), 1 << 20)
    with pytest.raises(BadSignature):
        envelope.check_signature(data, sender.signing_public)
    with pytest.raises(DecryptionFailed):  # the header is the AAD: decryption notices too
        envelope.open_payload(parsed, data, "KZ", {receiver.kid: receiver})
    with pytest.raises(Oversized):
        envelope.parse(b"x" * 100, 50)


def test_fingerprint_is_stable_and_readable() -> None:
    pair = crypto.KeyPair.generate()
    fp = pair.fingerprint
    assert fp == crypto.fingerprint(pair.signing_public, pair.encryption_public)
    assert len(fp.split(" ")) == 10 and pair.kid == fp.replace(" ", "")[:16].lower()


def test_no_personal_data_pseudonymises_names_and_drops_addresses() -> None:
    payload = {"consignments": [{"parties": [{"role": "consignor", "name": "Ali Veli", "address": "Baku",
                                              "country": "AZ"}], "document_number": "X"}]}
    out = minimise(payload, "no-personal-data", None, pseudonym_key=b"k")
    party = out["consignments"][0]["parties"][0]
    assert party["name"].startswith("withheld:") and "address" not in party and party["country"] == "AZ"
    assert minimise(payload, "no-personal-data", None, pseudonym_key=b"k") == out  # stable pseudonym
    assert payload["consignments"][0]["parties"][0]["name"] == "Ali Veli"  # the original is untouched
    only = minimise(payload, "full", ["/consignments/document_number"])
    assert only == {"consignments": [{"document_number": "X"}]}
