"""Every kind of bad message is refused with a stable code, a logged reason and nothing stored.

The receiving node is the real app (on SQLite and PostgreSQL); the sender is a second identity
whose envelopes the test seals, alters or replays.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from corridor.api.app import create_app
from corridor.exchange import crypto, envelope, identity, service
from corridor.exchange.models import AlertRow, InboxRow, RejectionRow
from corridor.settings import get_settings

ALERT = {"container": "MSCU1234565", "reason": "undeclared cigarettes", "action": "inspect"}


class World:
    def __init__(self, engine: Engine, tmp: Path) -> None:
        self.engine = engine
        self.receiver = identity.init(get_settings().data_dir, "KZ-SRC", agency=None, country="KZ", endpoint=None)
        self.sender = identity.init(tmp / "sender", "AZ-SCS", agency=None, country="AZ", endpoint="http://127.0.0.1:1")
        self.stranger = identity.init(tmp / "stranger", "XX-EVIL", agency=None, country=None, endpoint=None)
        with Session(engine) as session:
            service.add_partner(session, self.receiver, self.sender.public_document())
            service.allow(session, "AZ-SCS", receive=["alert"])
        self.client = TestClient(create_app(engine))
        self.sequence = 0

    def seal(self, payload: Any = None, *, keys: identity.NodeIdentity | None = None, sender: str = "AZ-SCS",
             message_type: str = "alert", created: datetime | None = None, ttl: timedelta = timedelta(hours=1),
             sequence: int | None = None, recipient: str = "KZ-SRC") -> dict[str, Any]:
        self.sequence += 1
        me = keys or self.sender
        return envelope.seal(
            message_id=f"{sender}:{self.sequence:08d}-test",
            message_type=message_type,
            version=1,
            payload=ALERT if payload is None else payload,
            sender=sender,
            keys=me.signing_keys,
            recipients=[envelope.Recipient(recipient, self.receiver.current.kid,
                                           crypto.b64d(self.receiver.current.encryption_public))],
            sequence=self.sequence if sequence is None else sequence,
            created=created or datetime.now(UTC),
            ttl=ttl,
        )

    def resign(self, env: dict[str, Any]) -> dict[str, Any]:
        unsigned = {k: v for k, v in env.items() if k != "signature"}
        return {**unsigned, "signature": crypto.sign(self.sender.signing_keys.signing, crypto.canonical(unsigned))}

    def post(self, body: bytes | dict[str, Any]) -> Any:
        content = body if isinstance(body, bytes) else json.dumps(body).encode()
        return self.client.post("/exchange/v1/messages", content=content, headers={"content-type": "application/json"})

    def count(self, model: Any) -> int:
        with Session(self.engine) as session:
            return int(session.scalar(select(func.count()).select_from(model)) or 0)


@pytest.fixture
def world(engine: Engine, tmp_path: Path) -> World:
    return World(engine, tmp_path)


def test_a_good_message_is_stored_once_and_receipted(world: World) -> None:
    env = world.seal()
    first = world.post(env)
    assert first.status_code == 200, first.text
    receipt = first.json()["receipt"]
    assert receipt["status"] == "accepted" and receipt["receiver"] == "KZ-SRC"
    body = {k: v for k, v in receipt.items() if k != "signature"}
    crypto.verify(crypto.b64d(world.receiver.current.signing_public), receipt["signature"], crypto.canonical(body))
    again = world.post(env)  # the sender did not hear the first answer and retries
    assert again.status_code == 200 and again.json()["receipt"]["status"] == "duplicate"
    assert world.count(InboxRow) == 1 and world.count(AlertRow) == 1


def _tamper_header(w: World) -> bytes:
    env = w.seal()
    env["header"]["recipients"] = ["KZ-SRC", "TM-SCS"]
    return json.dumps(env).encode()


def _tamper_ciphertext(w: World) -> bytes:
    env = w.seal()
    raw = bytearray(crypto.b64d(env["ciphertext"]))
    raw[0] ^= 1
    env["ciphertext"] = crypto.b64e(bytes(raw))
    return json.dumps(env).encode()


def _tamper_ciphertext_resigned(w: World) -> bytes:
    # Signed by the real sender after the change: only the AEAD tag can notice.
    raw = bytearray(crypto.b64d((env := w.seal())["ciphertext"]))
    raw[-1] ^= 1
    return json.dumps(w.resign({**env, "ciphertext": crypto.b64e(bytes(raw))})).encode()


def _bad_signature(w: World) -> bytes:
    env = w.seal()  # names AZ-SCS's key but is signed by another one
    unsigned = {k: v for k, v in env.items() if k != "signature"}
    env["signature"] = crypto.sign(w.stranger.signing_keys.signing, crypto.canonical(unsigned))
    return json.dumps(env).encode()


def _unknown_sender(w: World) -> bytes:
    return json.dumps(w.seal(keys=w.stranger, sender="XX-EVIL")).encode()


def _expired(w: World) -> bytes:
    return json.dumps(w.seal(created=datetime.now(UTC) - timedelta(hours=3), ttl=timedelta(hours=1))).encode()


def _from_the_future(w: World) -> bytes:
    return json.dumps(w.seal(created=datetime.now(UTC) + timedelta(hours=2))).encode()


def _oversized(w: World) -> bytes:
    return b"{" + b" " * (get_settings().exchange_max_message_bytes + 1) + b"}"


def _not_json(w: World) -> bytes:
    return b'{"protocol": "corridor-exchange/1", "header": '


def _bad_schema(w: World) -> bytes:
    env = w.seal()
    del env["keys"]
    return json.dumps(env).encode()


def _bad_payload(w: World) -> bytes:
    return json.dumps(w.seal({"container": "MSCU1234565"})).encode()  # no reason


def _wrong_version(w: World) -> bytes:
    return json.dumps({**w.seal(), "protocol": "corridor-exchange/9"}).encode()


def _not_for_me(w: World) -> bytes:
    return json.dumps(w.seal(recipient="TM-SCS")).encode()


def _not_agreed(w: World) -> bytes:
    payload = {"reference": "AZ-1", "seized_at": datetime.now(UTC).isoformat(), "goods": [{"description": "x"}]}
    return json.dumps(w.seal(payload, message_type="seizure_notice")).encode()


CASES: dict[str, tuple[Callable[[World], bytes], int, str]] = {
    "unknown sender": (_unknown_sender, 403, "unknown_sender"),
    "bad signature": (_bad_signature, 401, "bad_signature"),
    "tampered header": (_tamper_header, 401, "bad_signature"),
    "tampered ciphertext": (_tamper_ciphertext, 401, "bad_signature"),
    "tampered ciphertext, re-signed": (_tamper_ciphertext_resigned, 400, "decryption_failed"),
    "expired": (_expired, 410, "expired"),
    "created in the future": (_from_the_future, 400, "clock_skew"),
    "oversized": (_oversized, 413, "oversized"),
    "not JSON": (_not_json, 400, "malformed"),
    "envelope schema": (_bad_schema, 400, "malformed"),
    "payload schema": (_bad_payload, 422, "invalid_payload"),
    "protocol version": (_wrong_version, 400, "unsupported_version"),
    "addressed elsewhere": (_not_for_me, 421, "not_for_this_node"),
    "no agreement": (_not_agreed, 403, "not_agreed"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_messages_are_refused_with_a_stable_code(
    world: World, case: str, caplog: pytest.LogCaptureFixture
) -> None:
    make, status, code = CASES[case]
    with caplog.at_level(logging.WARNING, logger="corridor.exchange"):
        response = world.post(make(world))
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == code and error["detail"]
    assert any(code in r.getMessage() for r in caplog.records), "the refusal is logged with its reason"
    assert world.count(AlertRow) == 0
    with Session(world.engine) as session:
        # Unattributable refusals go to the rejection log; authentic ones stay in the inbox as refused,
        # so that a retry of the same message gets the same answer.
        refused = session.scalars(select(InboxRow).where(InboxRow.status == "refused")).all()
        codes = session.scalars(select(RejectionRow.code)).all() + [r.error["code"] for r in refused if r.error]
        assert codes == [code]


def test_replays_are_refused(world: World) -> None:
    first, second = world.seal(), world.seal()
    assert world.post(second).status_code == 200
    # An older sequence with a new id (a captured message re-sent by someone else, or a reused number).
    replay = world.post(first)
    assert replay.status_code == 409 and replay.json()["error"]["code"] == "replayed"
    assert world.post(second).json()["receipt"]["status"] == "duplicate"
    assert world.count(AlertRow) == 1


def test_a_batch_answers_each_envelope_in_order(world: World) -> None:
    good, bad, later = world.seal(), world.seal({"container": "MSCU1234565"}), world.seal()
    body = b"\n".join(json.dumps(e).encode() for e in (good, bad, later))
    response = world.client.post("/exchange/v1/messages", content=body,
                                 headers={"content-type": "application/x-ndjson"})
    results = response.json()["results"]
    assert "receipt" in results[0] and results[1]["error"]["code"] == "invalid_payload"
    assert "receipt" in results[2] and world.count(AlertRow) == 2


def test_management_api_needs_a_liaison_officer(world: World) -> None:
    assert world.client.get("/exchange/outbox").status_code == 401
    assert world.client.get("/exchange/v1/identity").json()["name"] == "KZ-SRC"


def test_audit_chain_detects_alteration_and_truncation(world: World) -> None:
    from sqlalchemy import delete, update

    from corridor.exchange import audit
    from corridor.exchange.models import AuditRow

    for _ in range(3):
        assert world.post(world.seal()).status_code == 200
    with Session(world.engine) as session:
        assert audit.verify(session).ok
        entries = audit.verify(session).entries
        session.execute(update(AuditRow).where(AuditRow.seq == 2).values(detail={"sequence": 99}))
        session.commit()
        broken = audit.verify(session)
        assert not broken.ok and broken.broken_at == 2 and "altered" in (broken.reason or "")
        session.rollback()
    with Session(world.engine) as session:
        session.execute(update(AuditRow).where(AuditRow.seq == 2).values(detail={}))
        session.execute(delete(AuditRow).where(AuditRow.seq == entries))
        session.commit()
        assert not audit.verify(session).ok
