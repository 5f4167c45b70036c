"""Three real nodes: separate `corridor serve` processes, data directories and databases, on loopback.

Bilateral pre-arrival exchange with data minimisation, a group alert, a seizure notice, and a
sender and a receiver killed with SIGKILL mid-delivery: nothing lost, nothing applied twice.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from corridor.db.engine import make_engine
from corridor.exchange import identity, service
from corridor.exchange.models import AlertRow, InboxRow, OutboxRow
from corridor.settings import Settings
from tests.dbs import postgres_database, require_postgres

CMR = {
    "document_type": "CMR",
    "document_number": "CMR-EX-001",
    "mode": "road",
    "office": "AZ-ASTARA-BP",
    "eta": "2026-11-25T09:00:00+04:00",
    "place_of_loading": {"locode": "IRTBZ"},
    "place_of_discharge": {"locode": "AZAST"},
    "parties": [
        {"role": "consignor", "name": "Tabriz Fresh Fruit Co.", "address": "1 Bazaar St", "country": "IR"},
        {"role": "consignee", "name": "Astara Meyve MMC", "country": "AZ"},
    ],
    "equipment": [{"number": "MSCU1234565"}],
    "goods": [{"sequence": 1, "hs_code": "080810", "description": "fresh apples", "gross_kg": 19500}],
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Node:
    """One Corridor node: its own data directory, database and `corridor serve` process."""

    def __init__(self, name: str, root: Path, database_url: str | None = None, **env: str) -> None:
        self.name = name
        self.port = free_port()
        self.data_dir = root / name
        self.url = f"http://127.0.0.1:{self.port}"
        self.database_url = database_url or f"sqlite:///{self.data_dir / 'corridor.sqlite3'}"
        self.env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "CORRIDOR_DATA_DIR": str(self.data_dir),
            "CORRIDOR_DATABASE_URL": self.database_url,
            "CORRIDOR_EXCHANGE_DELIVER_INTERVAL": "0.2",
            "CORRIDOR_EXCHANGE_RETRY_BASE": "0.2",
            "CORRIDOR_EXCHANGE_RETRY_MAX": "1",
            **env,
        }
        self.proc: subprocess.Popen[bytes] | None = None
        self._engine: Engine | None = None
        self.log = self.data_dir / "serve.log"

    def cli(self, *args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [sys.executable, "-m", "corridor", *args], env=self.env, capture_output=True, text=True, timeout=120
        )
        if ok:
            assert done.returncode == 0, f"{self.name} corridor {' '.join(args)}: {done.stdout}\n{done.stderr}"
        return done

    def json(self, *args: str) -> Any:
        return json.loads(self.cli(*args, "--json").stdout)

    def start(self, *serve_args: str, within: float = 60) -> None:
        """`corridor serve` (with `serve_args`, e.g. --workers 2), ready once GET /health answers 200."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "corridor", "serve", "--host", "127.0.0.1", "--port", str(self.port),
                 *serve_args],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + within
        while True:
            try:
                if httpx.get(f"{self.url}/health", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            assert self.proc.poll() is None, self.log.read_text()[-3000:]
            assert time.monotonic() < deadline, f"{self.name} did not start in {within:.0f} s"
            time.sleep(0.2)

    def kill(self) -> None:
        """SIGKILL: no shutdown handler runs, whatever was in flight is cut."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=10)
        self.proc = None

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        self.proc = None
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = make_engine(self.database_url)
        return self._engine

    def count(self, model: Any, *where: Any) -> int:
        with Session(self.engine) as session:
            return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)

    def send_direct(self, message_type: str, payload: dict[str, Any], to: list[str]) -> str:
        """Queue through the service in this process (an officer's API call), without a CLI start-up."""
        settings = Settings(data_dir=self.data_dir, database_url=self.database_url)
        with Session(self.engine, expire_on_commit=False) as session:
            sent = service.send(session, identity.load(self.data_dir), settings, message_type, payload, to=to)
        return sent.message_id


def wait_for(what: str, check: Callable[[], bool], timeout: float = 60, nodes: tuple[Node, ...] = ()) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            logs = "\n".join(f"--- {n.name}\n{n.log.read_text()[-2000:]}" for n in nodes if n.log.exists())
            raise AssertionError(f"timed out waiting for {what}\n{logs}")
        time.sleep(0.1)


def introduce(a: Node, b: Node, tmp: Path) -> None:
    """Exchange identities both ways (the out-of-band fingerprint check is the --fingerprint option)."""
    for x, y in ((a, b), (b, a)):
        doc = x.json("node", "identity")
        path = tmp / f"{x.name}.identity.json"
        path.write_text(json.dumps(doc))
        y.cli("partners", "add", str(path), "--endpoint", x.url, "--fingerprint", doc["fingerprint"])


@contextmanager
def nodes(tmp: Path, names: tuple[str, ...], urls: dict[str, str] | None = None, **env: str) -> Iterator[list[Node]]:
    made = [Node(n, tmp, (urls or {}).get(n), **env) for n in names]
    try:
        for node in made:
            node.cli("node", "init", "--name", node.name, "--endpoint", node.url)
        yield made
    finally:
        for node in made:
            node.stop()


@contextmanager
def database_urls(kind: str, names: tuple[str, ...]) -> Iterator[dict[str, str]]:
    if kind == "sqlite":
        yield {}
        return
    require_postgres()
    with ExitStack() as stack:
        yield {n: stack.enter_context(postgres_database()) for n in names}


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
def test_bilateral_group_and_seizure_between_three_nodes(tmp_path: Path, kind: str) -> None:
    names = ("AZ-SCS", "KZ-SRC", "TM-SCS")
    with database_urls(kind, names) as urls, nodes(tmp_path, names, urls) as (az, kz, tm):
        introduce(az, kz, tmp_path)
        introduce(az, tm, tmp_path)
        introduce(kz, tm, tmp_path)
        # AZ sends cargo data to KZ without personal data; KZ accepts cargo reports and alerts.
        az.cli("agreements", "allow", "KZ-SRC", "--send", "cargo_report,alert", "--receive", "seizure_notice",
               "--profile", "no-personal-data")
        kz.cli("agreements", "allow", "AZ-SCS", "--receive", "cargo_report,alert", "--send", "seizure_notice")
        tm.cli("agreements", "allow", "AZ-SCS", "--send", "seizure_notice")
        az.cli("agreements", "allow", "TM-SCS", "--receive", "seizure_notice")
        for node in (az, kz, tm):
            node.start()

        cargo = tmp_path / "cargo.json"
        cargo.write_text(json.dumps([CMR]))
        sent = az.json("send", "cargo", str(cargo), "--to", "KZ-SRC")
        wait_for("the cargo report to be applied at KZ",
                 lambda: kz.count(InboxRow, InboxRow.status == "applied") == 1, nodes=(az, kz))
        received = kz.json("inbox", "list")
        assert [(m["from"], m["type"], m["message_id"]) for m in received] == [
            ("AZ-SCS", "cargo_report", sent["message_id"])
        ]
        assert received[0]["result"]["accepted"] + received[0]["result"]["duplicates"] == 1, received[0]
        from corridor.consignments.models import ConsignmentRow

        with Session(kz.engine) as session:
            document = session.scalars(select(ConsignmentRow)).one().data
        parties = document["parties"]
        assert all(p["name"].startswith("withheld:") and "address" not in p for p in parties), "no personal data"
        assert "Tabriz Fresh" not in json.dumps(document) and "Bazaar" not in json.dumps(document)
        assert {p["country"] for p in parties} == {"IR", "AZ"}
        assert document["provenance"]["sender"] == "AZ-SCS"
        assert document["provenance"]["message_id"] == sent["message_id"]
        outbox = az.json("outbox", "list")
        assert outbox[0]["status"] == "delivered" and outbox[0]["sequence"] == 1

        # A closed user group owned by AZ: an alert from a member reaches every other member.
        az.cli("groups", "create", "caspian", "--types", "alert")
        az.cli("groups", "add", "caspian", "KZ-SRC", "TM-SCS")
        wait_for("the membership to reach both members",
                 lambda: all(n.count(InboxRow, InboxRow.message_type == "group_membership") == 1 for n in (kz, tm)),
                 nodes=(az, kz, tm))
        assert [g["members"] for g in tm.json("groups", "list")] == [["AZ-SCS", "KZ-SRC", "TM-SCS"]]
        kz.cli("send", "alert", "--group", "caspian", "--container", "TCLU 765432 1",
               "--reason", "heroin concealed in machinery, seen at Aktau", "--action", "hold")
        wait_for("the group alert at AZ and TM",
                 lambda: az.count(AlertRow) == 1 and tm.count(AlertRow) == 1, nodes=(az, kz, tm))
        for node in (az, tm):
            alerts = node.json("inbox", "alerts")
            assert alerts[0]["from"] == "KZ-SRC" and alerts[0]["group"] == "caspian"
            assert alerts[0]["container"] == "TCLU7654321" and alerts[0]["action"] == "hold"

        # A seizure notice from TM to AZ (bilateral agreement), then AZ acknowledges it.
        tm.cli("send", "seizure", "--to", "AZ-SCS", "--reference", "TM-2026-0042", "--goods", "tramadol tablets",
               "--place", "TMTMZ", "--container", "MSCU1234565")
        wait_for("the seizure notice at AZ",
                 lambda: az.count(InboxRow, InboxRow.message_type == "seizure_notice") == 1, nodes=(az, tm))
        notice = az.json("inbox", "list", "--type", "seizure_notice")[0]
        assert notice["payload"]["reference"] == "TM-2026-0042" and notice["status"] == "applied"
        az.cli("send", "ack", "--to", "TM-SCS", "--message-id", notice["message_id"], "--status", "actioned")
        wait_for("the acknowledgement at TM",
                 lambda: tm.json("outbox", "list", "--status", "delivered")[0]["acknowledged"] is not None,
                 nodes=(az, tm))

        # Without an agreement nothing leaves: TM may not send alerts to KZ bilaterally.
        refused = tm.cli("send", "alert", "--to", "KZ-SRC", "--container", "MSCU1234565", "--reason", "x", ok=False)
        assert refused.returncode != 0 and "no agreement allows sending alert to KZ-SRC" in refused.stderr

        for node in (az, kz, tm):
            assert node.json("audit", "verify")["ok"] is True


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
def test_nodes_killed_mid_delivery_lose_nothing_and_apply_nothing_twice(tmp_path: Path, kind: str) -> None:
    total = 120
    names = ("AZ-SCS", "KZ-SRC")
    # One envelope per request makes delivery slow enough to be cut in the middle.
    with database_urls(kind, names) as urls, nodes(tmp_path, names, urls, CORRIDOR_EXCHANGE_BATCH_SIZE="1") as (
        az,
        kz,
    ):
        introduce(az, kz, tmp_path)
        az.cli("agreements", "allow", "KZ-SRC", "--send", "alert,cargo_report")
        kz.cli("agreements", "allow", "AZ-SCS", "--receive", "alert,cargo_report")
        kz.start()
        az.start()  # starts the schema; the queue is filled while it runs, so delivery starts at once
        ids = []
        for i in range(total):
            if i % 10 == 0:
                doc = {**CMR, "document_number": f"CMR-CRASH-{i:04d}"}
                ids.append(az.send_direct("cargo_report", {"consignments": [doc]}, ["KZ-SRC"]))
            else:
                ids.append(
                    az.send_direct("alert", {"container": "MSCU1234565", "reason": f"alert {i}"}, ["KZ-SRC"])
                )

        wait_for("some deliveries", lambda: kz.count(InboxRow) >= 10, nodes=(az, kz))
        az.kill()  # the sender dies mid-delivery
        assert kz.count(InboxRow) < total, "delivery finished before the crash: make it longer"
        az.start()
        wait_for("more deliveries", lambda: kz.count(InboxRow) >= 60, nodes=(az, kz))
        kz.kill()  # now the receiver dies mid-delivery
        time.sleep(1.0)  # the sender meets a dead partner and backs off
        kz.start()
        wait_for("every message delivered",
                 lambda: az.count(OutboxRow, OutboxRow.status == "delivered") == total, timeout=120, nodes=(az, kz))
        wait_for("every cargo report applied",
                 lambda: kz.count(InboxRow, InboxRow.status == "applied") == total, timeout=60, nodes=(az, kz))

        with Session(kz.engine) as session:
            rows = list(session.execute(select(InboxRow.message_id, InboxRow.sequence).order_by(InboxRow.sequence)))
        assert [r.message_id for r in rows] == ids, "every message once, in the order sent"
        assert [r.sequence for r in rows] == list(range(1, total + 1))
        assert kz.count(AlertRow) == total - total // 10
        from corridor.consignments.models import ConsignmentRow

        assert kz.count(ConsignmentRow) == total // 10
        assert az.count(OutboxRow, OutboxRow.status != "delivered") == 0
        for node in (az, kz):
            assert node.json("audit", "verify")["ok"] is True
