"""The receiving node is killed (SIGKILL) twice mid-delivery while officers keep sending.

tests/integration/test_exchange_nodes.py kills each node once, with the outbox filled in-process
before delivery starts. What this adds: the messages are sent through the sender's HTTP API
(POST /exchange/send/...) *while* the receiver is down and restarting, the sender's API never
refuses a send because a partner is down, and after the last restart every message has arrived
exactly once, in order, and every cargo report has been applied once.

It runs on SQLite and on PostgreSQL (one database per node on the shared server). On PostgreSQL the
killed process's database outlives it and the server, not the file's journal, rolls back what the
kill cut, so the receiver's idempotence is checked against both ways of losing a transaction.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from corridor.consignments.models import ConsignmentRow
from corridor.exchange import audit
from corridor.exchange.models import AlertRow, InboxRow, OutboxRow
from tests.faults.support import admin_token, auth, document
from tests.integration.test_exchange_nodes import Node, database_urls, nodes, wait_for

TOTAL = 40
KILL_AT = (6, 18)
KINDS = ["alert", "cargo_report"]  # messages in the receiver's inbox when it is killed


def payload(i: int) -> tuple[str, dict[str, object]]:
    if i % 5 == 0:
        return "cargo_report", {"consignments": [document(f"XKILL-{i:04d}")]}
    return "alert", {"container": "MSCU1234565", "reason": f"receiver-kill alert {i}"}


def introduce_over_api(sender: Node, receiver: Node, tokens: dict[str, str]) -> None:
    """Partners both ways and an agreement, through the management API (no CLI start-up per step)."""
    for x, y in ((sender, receiver), (receiver, sender)):
        doc = httpx.get(f"{x.url}/exchange/v1/identity", timeout=30).json()
        body = {"identity": doc, "endpoint": x.url, "fingerprint": doc["fingerprint"]}
        added = httpx.post(f"{y.url}/exchange/partners", json=body, headers=auth(tokens[y.name]), timeout=30)
        assert added.status_code == 200, added.text
    for node, rule in (
        (sender, {"partner": receiver.name, "send": KINDS}),
        (receiver, {"partner": sender.name, "receive": KINDS}),
    ):
        allowed = httpx.post(
            f"{node.url}/exchange/agreements", json=rule, headers=auth(tokens[node.name]), timeout=30
        )
        assert allowed.status_code == 200, allowed.text


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
def test_receiver_killed_twice_while_sends_continue_loses_and_duplicates_nothing(
    tmp_path: Path, kind: str, fault_summary: Callable[[str], None]
) -> None:
    names = ("AZ-SCS", "KZ-SRC")
    # One envelope per delivery request makes delivery slow enough to be cut in the middle.
    with (
        database_urls(kind, names) as urls,
        nodes(tmp_path, names, urls, CORRIDOR_EXCHANGE_BATCH_SIZE="1") as (az, kz),
    ):
        tokens = {node.name: admin_token(node.database_url) for node in (az, kz)}
        kz.start()
        az.start()
        introduce_over_api(az, kz, tokens)
        token = tokens[az.name]

        sent: list[str] = []
        refused: list[str] = []

        def officer() -> None:
            with httpx.Client(base_url=az.url, headers=auth(token), timeout=30) as client:
                for i in range(TOTAL):
                    kind, body = payload(i)
                    response = client.post(f"/exchange/send/{kind}", json={"to": ["KZ-SRC"], "payload": body})
                    if response.status_code == 200:
                        sent.append(response.json()["message_id"])
                    else:
                        refused.append(f"{i}: {response.status_code} {response.text[:200]}")
                    time.sleep(0.05)

        sender = threading.Thread(target=officer, name="officer-sends", daemon=True)
        sender.start()
        kills = 0
        for threshold in KILL_AT:
            wait_for(
                f"{threshold} messages at KZ", lambda t=threshold: kz.count(InboxRow) >= t, nodes=(az, kz)
            )
            kz.kill()
            kills += 1
            assert kz.count(InboxRow) < TOTAL, "delivery finished before the kill: make it longer"
            time.sleep(1.0)  # the sender meets a dead partner, backs off, and officers keep sending
            kz.start()
        sender.join(timeout=120)
        assert not sender.is_alive(), "the sends did not finish within 120 s"

        wait_for(
            "every message delivered",
            lambda: az.count(OutboxRow, OutboxRow.status == "delivered") == TOTAL,
            timeout=120,
            nodes=(az, kz),
        )
        wait_for(
            "every message applied",
            lambda: kz.count(InboxRow, InboxRow.status == "applied") == TOTAL,
            timeout=60,
            nodes=(az, kz),
        )
        with Session(kz.engine) as session:
            arrived = list(session.scalars(select(InboxRow.message_id).order_by(InboxRow.sequence)))
        lost = set(sent) - set(arrived)
        duplicated = len(arrived) - len(set(arrived))
        fault_summary(
            f"receiver killed mid-delivery ({kind}): faults injected {kills}, messages sent {TOTAL}, "
            f"accepted {len(sent)}, present {len(set(arrived))}, lost {len(lost)}, duplicated {duplicated}"
        )
        assert refused == [], f"the sender's API refused sends while the partner was down: {refused[:3]}"
        assert arrived == sent, "every message once, in the order sent"
        assert kz.count(AlertRow) == TOTAL - TOTAL // 5
        assert kz.count(ConsignmentRow, ConsignmentRow.document_number.like("XKILL-%")) == TOTAL // 5
        for node in (az, kz):
            with Session(node.engine) as session:
                assert audit.verify(session).ok, f"{node.name}: the exchange audit chain is broken"
