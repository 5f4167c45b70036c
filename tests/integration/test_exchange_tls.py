"""A node serves HTTPS with its self-signed certificate; a partner pinning that certificate connects,
and a client that does not trust it is refused."""

from __future__ import annotations

import json
import os
import socket
import ssl
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from corridor.exchange.models import AlertRow, OutboxRow, PartnerKeyRow
from tests.integration.test_exchange_nodes import Node, introduce, wait_for


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_over_https_with_the_node_certificate(tmp_path: Path) -> None:
    env = {**os.environ, "CORRIDOR_DATA_DIR": str(tmp_path / "node")}
    env.pop("CORRIDOR_DATABASE_URL", None)
    init = subprocess.run(
        [sys.executable, "-m", "corridor", "node", "init", "--name", "baku-pcu"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert init.returncode == 0, init.stderr
    made = subprocess.run(
        [sys.executable, "-m", "corridor", "node", "tls-cert", "--host", "127.0.0.1"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert made.returncode == 0, made.stderr
    cert = tmp_path / "node" / "exchange" / "tls" / "cert.pem"
    key = tmp_path / "node" / "exchange" / "tls" / "key.pem"
    assert cert.is_file() and key.is_file()
    port = _free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "corridor",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--ssl-certfile",
            str(cert),
            "--ssl-keyfile",
            str(key),
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        response = https_health(proc, port, cert)
        assert response.status_code == 200 and response.json()["status"] == "ok"
        with pytest.raises(httpx.ConnectError):
            httpx.get(f"https://127.0.0.1:{port}/health", timeout=5)  # system trust store: not trusted
        with pytest.raises(httpx.RemoteProtocolError):
            httpx.get(f"http://127.0.0.1:{port}/health", timeout=5)  # plain HTTP is not served
    finally:
        proc.terminate()
        proc.wait(timeout=15)


def https_health(proc: subprocess.Popen[bytes], port: int, cert: Path) -> httpx.Response:
    """GET /health over HTTPS pinned to `cert`, once the server at `port` answers (within 60 s)."""
    pinned = ssl.create_default_context(cadata=cert.read_text())
    deadline = time.monotonic() + 60
    while True:
        try:
            return httpx.get(f"https://127.0.0.1:{port}/health", verify=pinned, timeout=2)
        except httpx.TransportError:
            assert proc.poll() is None, proc.stdout.read().decode() if proc.stdout else "server exited"
            assert time.monotonic() < deadline, "HTTPS server did not start in 60 s"
            time.sleep(0.3)


class HttpsNode(Node):
    """A node serving HTTPS with its own self-signed certificate (`corridor node tls-cert`)."""

    def __init__(self, name: str, root: Path) -> None:
        super().__init__(name, root)
        self.url = f"https://127.0.0.1:{self.port}"

    @property
    def cert(self) -> Path:
        return self.data_dir / "exchange" / "tls" / "cert.pem"

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                [
                    sys.executable, "-m", "corridor", "serve", "--host", "127.0.0.1", "--port", str(self.port),
                    "--ssl-certfile", str(self.cert),
                    "--ssl-keyfile", str(self.cert.with_name("key.pem")),
                ],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        pinned = ssl.create_default_context(cadata=self.cert.read_text())
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{self.url}/health", verify=pinned, timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            assert self.proc.poll() is None, self.log.read_text()[-3000:]
            assert time.monotonic() < deadline, f"{self.name} did not start in 60 s"
            time.sleep(0.3)


def test_nodes_deliver_over_https_pinning_each_others_certificate_and_rotate_keys(tmp_path: Path) -> None:
    az, kz = HttpsNode("AZ-SCS", tmp_path), HttpsNode("KZ-SRC", tmp_path)
    try:
        for node in (az, kz):
            node.cli("node", "init", "--name", node.name, "--endpoint", node.url)
            node.cli("node", "tls-cert", "--host", "127.0.0.1")
        introduce(az, kz, tmp_path)  # the identity documents carry the certificates partners pin
        az.cli("agreements", "allow", "KZ-SRC", "--send", "alert")
        kz.cli("agreements", "allow", "AZ-SCS", "--receive", "alert")
        az.start()
        kz.start()
        az.cli("send", "alert", "--to", "KZ-SRC", "--container", "MSCU1234565", "--reason", "over TLS")
        wait_for("the alert over HTTPS", lambda: kz.count(AlertRow) == 1, nodes=(az, kz))
        wait_for("the receipt", lambda: az.count(OutboxRow, OutboxRow.status == "delivered") == 1, nodes=(az, kz))
        # AZ rotates its keys: KZ takes the new identity from a key_update, then a message signed
        # with the new key, without anyone running `corridor partners update` at KZ.
        old = az.json("node", "identity")["kid"]
        new = az.json("node", "rotate-keys")["kid"]
        az.cli("send", "alert", "--to", "KZ-SRC", "--container", "MSCU1234565", "--reason", "after rotation")
        wait_for("both messages", lambda: kz.count(AlertRow) == 2, nodes=(az, kz))
        partner = next(p for p in kz.json("partners", "list") if p["name"] == "AZ-SCS")
        assert partner["fingerprint"] == az.json("node", "identity")["fingerprint"]
        with Session(kz.engine) as session:
            keys = {k.kid: k.status for k in session.scalars(select(PartnerKeyRow))}
        assert keys == {old: "previous", new: "current"}
        assert kz.json("inbox", "list")[0]["type"] == "alert"
        assert json.loads(az.cli("audit", "verify", "--json").stdout)["ok"] is True
        assert json.loads(kz.cli("audit", "verify", "--json").stdout)["ok"] is True
    finally:
        az.stop()
        kz.stop()
