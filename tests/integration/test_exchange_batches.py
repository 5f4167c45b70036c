"""Batches and key updates: a request's envelopes are stored in one transaction, each answered on its
own; a sender's key rotation reaches its partners as a signed key_update they apply themselves.

The receiving node is the real app (SQLite and PostgreSQL); the sending node is a second database
and data directory in the same test, whose outbox envelopes are posted to the receiver.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from corridor.accounts.service import NewUser, create_user, ensure_agency, issue_api_token, upsert_office
from corridor.api.app import create_app
from corridor.db.engine import make_engine
from corridor.db.migrate import upgrade
from corridor.exchange import audit, identity, service
from corridor.exchange.models import AlertRow, InboxRow, OutboxRow, PartnerKeyRow, PartnerRow, RejectionRow
from corridor.settings import Settings, get_settings

NDJSON = {"content-type": "application/x-ndjson"}


class Pair:
    """Receiver KZ-SRC (the app under test) and sender AZ-SCS (its own SQLite database)."""

    def __init__(self, engine: Engine, tmp: Path) -> None:
        self.engine = engine
        self.receiver = identity.init(get_settings().data_dir, "KZ-SRC", agency=None, country="KZ", endpoint=None)
        self.sender_dir = tmp / "sender"
        self.sender = identity.init(self.sender_dir, "AZ-SCS", agency=None, country="AZ", endpoint="http://127.0.0.1:9")
        self.sender_settings = Settings(data_dir=self.sender_dir, database_url=f"sqlite:///{tmp / 'sender.sqlite3'}")
        self.sender_engine = make_engine(self.sender_settings.effective_database_url)
        upgrade(self.sender_engine)
        with Session(engine) as session:
            service.add_partner(session, self.receiver, self.sender.public_document())
            service.allow(session, "AZ-SCS", receive=["alert"])
        with Session(self.sender_engine) as session:
            service.add_partner(session, self.sender, {**self.receiver.public_document()}, endpoint="http://127.0.0.1:9")
            service.allow(session, "KZ-SRC", send=["alert", "seizure_notice"])
        self.client = TestClient(create_app(engine))

    def send(self, *payloads: dict[str, Any], kind: str = "alert") -> list[str]:
        with Session(self.sender_engine, expire_on_commit=False) as session:
            results = service.send_many(
                session, identity.load(self.sender_dir), self.sender_settings,
                [service.Outgoing(kind, p, ["KZ-SRC"]) for p in payloads],
            )
        assert all(isinstance(r, service.Sent) for r in results), results
        return [r.message_id for r in results if isinstance(r, service.Sent)]

    def envelopes(self, status: str = "queued") -> list[str]:
        with Session(self.sender_engine) as session:
            return list(
                session.scalars(select(OutboxRow.envelope).where(OutboxRow.status == status).order_by(OutboxRow.sequence))
            )

    def post_batch(self, lines: list[str]) -> list[dict[str, Any]]:
        response = self.client.post("/exchange/v1/messages", content="\n".join(lines).encode(), headers=NDJSON)
        assert response.status_code == 200, response.text
        results: list[dict[str, Any]] = response.json()["results"]
        return results

    def count(self, model: Any, *where: Any) -> int:
        with Session(self.engine) as session:
            return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


@pytest.fixture
def pair(engine: Engine, tmp_path: Path) -> Pair:
    return Pair(engine, tmp_path)


def _alert(i: int) -> dict[str, Any]:
    return {"container": "MSCU1234565", "reason": f"batch test {i}", "action": "inspect"}


def test_a_batch_is_stored_in_one_go_and_each_message_answered(pair: Pair) -> None:
    pair.send(*[_alert(i) for i in range(30)])
    lines = pair.envelopes()
    assert len(lines) == 30
    results = pair.post_batch(lines)
    assert [r["receipt"]["status"] for r in results] == ["accepted"] * 30
    assert [r["receipt"]["sequence"] for r in results] == list(range(1, 31))
    assert pair.count(InboxRow) == 30 and pair.count(AlertRow) == 30
    # The whole batch again (the sender missed the answer): every one a duplicate, nothing new stored.
    again = pair.post_batch(lines)
    assert [r["receipt"]["status"] for r in again] == ["duplicate"] * 30
    assert pair.count(InboxRow) == 30 and pair.count(AlertRow) == 30
    with Session(pair.engine) as session:
        assert audit.verify(session).ok
        assert session.scalars(select(PartnerRow.in_sequence).where(PartnerRow.name == "AZ-SCS")).one() == 30


def test_bad_lines_are_refused_one_by_one_and_the_good_ones_kept(pair: Pair) -> None:
    pair.send(_alert(1), _alert(2), _alert(3))
    good = pair.envelopes()
    tampered = json.loads(good[1])
    tampered["ciphertext"] = tampered["ciphertext"][:-4] + ("AAAA" if not tampered["ciphertext"].endswith("AAAA") else "BBBB")
    lines = [good[0], "{not json", json.dumps(tampered), good[2], good[0]]
    results = pair.post_batch(lines)
    assert results[0]["receipt"]["status"] == "accepted"
    assert results[1]["error"]["code"] == "malformed" and results[1]["retryable"] is False
    assert results[2]["error"]["code"] in {"bad_signature", "decryption_failed"}
    assert results[3]["receipt"]["status"] == "accepted"
    # The same message twice in one request: the second answer is "duplicate", stored once.
    assert results[4]["receipt"]["status"] == "duplicate"
    assert pair.count(InboxRow, InboxRow.status == "applied") == 2
    assert pair.count(RejectionRow) == 2
    with Session(pair.engine) as session:
        assert audit.verify(session).ok


def test_a_replayed_sequence_inside_a_batch_is_refused(pair: Pair) -> None:
    pair.send(_alert(1), _alert(2))
    first, second = pair.envelopes()
    # Delivering the later message first uses up its sequence: the earlier one is then a replay.
    results = pair.post_batch([second, first])
    assert results[0]["receipt"]["status"] == "accepted"
    assert results[1]["error"]["code"] == "replayed"
    assert pair.count(InboxRow) == 1


def test_send_many_queues_the_good_messages_and_names_the_bad(pair: Pair) -> None:
    with Session(pair.sender_engine, expire_on_commit=False) as session:
        results = service.send_many(
            session,
            identity.load(pair.sender_dir),
            pair.sender_settings,
            [
                service.Outgoing("alert", _alert(1), ["KZ-SRC"]),
                service.Outgoing("alert", {"reason": ""}, ["KZ-SRC"]),
                service.Outgoing("rfi", {"subject": "x", "question": "y"}, ["KZ-SRC"]),
                service.Outgoing("alert", _alert(2), ["NOBODY"]),
                service.Outgoing("key_update", {"identity": {}}, ["KZ-SRC"]),
                service.Outgoing("alert", _alert(3), ["KZ-SRC"]),
            ],
        )
    kinds = [type(r).__name__ for r in results]
    assert kinds[0] == "Sent" and kinds[5] == "Sent"
    assert [getattr(r, "code", None) for r in results[1:5]] == ["invalid_payload", "forbidden", "not_found", "invalid_input"]
    sequences = [json.loads(e)["header"]["sequence"] for e in pair.envelopes()]
    assert len(sequences) == 2 and sequences == sorted(sequences)
    with Session(pair.sender_engine) as session:
        assert audit.verify(session).ok


def test_a_rotated_key_reaches_the_partner_as_a_key_update(pair: Pair) -> None:
    old_kid = pair.sender.current.kid
    pair.send(_alert(1))
    rotated = identity.rotate(pair.sender_dir)
    with Session(pair.sender_engine, expire_on_commit=False) as session:
        assert service.announce_identity(session, rotated, pair.sender_settings) == ["KZ-SRC"]
    pair.send(_alert(2))  # signed with the new key
    lines = pair.envelopes()
    headers = [json.loads(line)["header"] for line in lines]
    assert [h["type"] for h in headers] == ["alert", "key_update", "alert"]
    assert [h["sender_kid"] for h in headers] == [old_kid, old_kid, rotated.current.kid]
    results = pair.post_batch(lines)
    assert [r["receipt"]["status"] for r in results] == ["accepted"] * 3, results
    with Session(pair.engine) as session:
        keys = {k.kid: k.status for k in session.scalars(select(PartnerKeyRow))}
    assert keys == {old_kid: "previous", rotated.current.kid: "current"}
    # Revoking the old key is announced too, signed with the new key the partner now knows.
    revoked = identity.revoke(pair.sender_dir, old_kid)
    with Session(pair.sender_engine, expire_on_commit=False) as session:
        service.announce_identity(session, revoked, pair.sender_settings)
    results = pair.post_batch(pair.envelopes()[3:])
    assert results[0]["receipt"]["status"] == "accepted", results
    with Session(pair.engine) as session:
        keys = {k.kid: k.status for k in session.scalars(select(PartnerKeyRow))}
        assert keys == {old_kid: "revoked", rotated.current.kid: "current"}
        assert audit.verify(session).ok


def test_a_key_update_not_endorsed_by_a_trusted_key_is_refused(pair: Pair, tmp_path: Path) -> None:
    # An impostor's identity under the partner's name, sent inside a genuine envelope: the envelope
    # is authentic, the document is not endorsed by a key the receiver trusts.
    impostor = identity.init(tmp_path / "impostor", "AZ-SCS", agency=None, country="AZ", endpoint=None)
    with Session(pair.sender_engine, expire_on_commit=False) as session:
        node = identity.load(pair.sender_dir)
        partner = service.get_partner(session, "KZ-SRC")
        row = OutboxRow(
            message_id="AZ-SCS:impostor-key-update",
            partner_id=partner.id,
            message_type="key_update",
            group_name=None,
            summary="",
            payload={"identity": impostor.public_document()},
        )
        service.seal_for(session, node, pair.sender_settings, partner, row, service.now())
        session.add(row)
        session.commit()
    results = pair.post_batch(pair.envelopes())
    assert results[0]["error"]["code"] == "not_agreed", results
    with Session(pair.engine) as session:
        assert {k.kid for k in session.scalars(select(PartnerKeyRow))} == {pair.sender.current.kid}


def test_the_api_queues_a_batch_of_messages_and_answers_each(pair: Pair, monkeypatch: pytest.MonkeyPatch) -> None:
    # The sender's node serves the management API; a liaison officer queues three messages at once.
    with Session(pair.sender_engine) as session:
        agency = ensure_agency(session, "AZ-SCS", "State Customs Committee")
        upsert_office(session, code="AZ-BAKU-PORT", agency=agency, name_en="Port of Baku", kind="pcu")
        user = create_user(
            session, NewUser("liaison.az", "liaison-password-1", "liaison_officer", "AZ-SCS", ["AZ-BAKU-PORT"])
        )
        token = issue_api_token(session, user, "batch test")
        session.commit()
    headers = {"authorization": f"Bearer {token}"}
    monkeypatch.setenv("CORRIDOR_DATA_DIR", str(pair.sender_dir))  # the app is the sender's node now
    get_settings.cache_clear()
    with TestClient(create_app(pair.sender_engine)) as client:
        body = {
            "messages": [
                {"type": "alert", "to": ["KZ-SRC"], "payload": _alert(1)},
                {"type": "alert", "to": ["KZ-SRC"], "payload": {"reason": "no target"}},
                {"type": "seizure_notice", "to": ["KZ-SRC"], "payload": {"reference": "X"}},
                {"type": "alert", "to": ["KZ-SRC"], "payload": _alert(2)},
            ]
        }
        response = client.post("/exchange/send", json=body, headers=headers)
        forbidden = client.post("/exchange/send", json=body)
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["queued"] == 2 and answer["refused"] == 2
    assert answer["results"][1]["error"]["code"] == "invalid_payload" and answer["results"][1]["index"] == 1
    assert answer["results"][2]["error"]["code"] == "invalid_payload"
    assert len(pair.envelopes()) == 2
    assert forbidden.status_code == 401
