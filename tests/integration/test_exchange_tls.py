"""A node serves HTTPS with its self-signed certificate; a partner pinning that certificate connects,
and a client that does not trust it is refused."""

from __future__ import annotations

import os
import socket
import ssl
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest


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
    pinned = ssl.create_default_context(cadata=cert.read_text())
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                response = httpx.get(f"https://127.0.0.1:{port}/health", verify=pinned, timeout=2)
                break
            except httpx.TransportError:
                assert proc.poll() is None, proc.stdout.read().decode() if proc.stdout else "server exited"
                assert time.monotonic() < deadline, "HTTPS server did not start in 60 s"
                time.sleep(0.3)
        assert response.status_code == 200 and response.json()["status"] == "ok"
        with pytest.raises(httpx.ConnectError):
            httpx.get(f"https://127.0.0.1:{port}/health", timeout=5)  # system trust store: not trusted
        with pytest.raises(httpx.RemoteProtocolError):
            httpx.get(f"http://127.0.0.1:{port}/health", timeout=5)  # plain HTTP is not served
    finally:
        proc.terminate()
        proc.wait(timeout=15)
