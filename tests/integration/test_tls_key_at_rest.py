"""The node's TLS key encrypted at rest: `corridor serve` opens it with CORRIDOR_NODE_KEY_PASSPHRASE
and serves HTTPS, and without the passphrase it stops with a usage error instead of OpenSSL's
"Enter PEM pass phrase:" prompt on the terminal (which would hang a service)."""

from __future__ import annotations

import os
import pty
import re
import select
import signal
import socket
import ssl
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.integration.test_exchange_tls import https_health

PASSPHRASE = "correct horse battery staple"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _env(data_dir: Path, secret: str | None) -> dict[str, str]:
    env = {**os.environ, "CORRIDOR_DATA_DIR": str(data_dir), "COLUMNS": "1000"}
    env.pop("CORRIDOR_DATABASE_URL", None)
    env.pop("CORRIDOR_NODE_KEY_PASSPHRASE", None)
    if secret is not None:
        env["CORRIDOR_NODE_KEY_PASSPHRASE"] = secret
    return env


def _corridor(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "corridor", *args], env=env, capture_output=True, text=True, timeout=60
    )


def _serve_args(port: int, cert: Path, key: Path) -> list[str]:
    return [
        "-m", "corridor", "serve", "--host", "127.0.0.1", "--port", str(port),
        "--ssl-certfile", str(cert), "--ssl-keyfile", str(key),
    ]  # fmt: skip


def test_serve_https_with_a_key_encrypted_by_protect_keys(tmp_path: Path) -> None:
    data_dir = tmp_path / "node"
    plain, sealed = _env(data_dir, None), _env(data_dir, PASSPHRASE)
    assert _corridor(plain, "node", "init", "--name", "baku-pcu").returncode == 0
    assert _corridor(plain, "node", "tls-cert", "--host", "127.0.0.1").returncode == 0
    cert = data_dir / "exchange" / "tls" / "cert.pem"
    key = data_dir / "exchange" / "tls" / "key.pem"
    assert key.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
    protected = _corridor(sealed, "node", "protect-keys")
    assert protected.returncode == 0, protected.stderr
    assert "and the TLS key" in protected.stderr
    assert key.read_bytes().startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
    # A wrong current passphrase is refused and changes nothing.
    encrypted = key.read_bytes()
    wrong = _corridor(_env(data_dir, "wrong passphrase entirely"), "node", "protect-keys")
    assert wrong.returncode != 0 and "node_keys_locked" in wrong.stderr, wrong.stderr
    assert key.read_bytes() == encrypted

    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, *_serve_args(port, cert, key)],
        env=sealed,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        response = https_health(proc, port, cert)
        assert response.status_code == 200 and response.json()["status"] == "ok"
        # The server presents the certificate whose key is the encrypted one on disk.
        peer = ssl.get_server_certificate(("127.0.0.1", port))
        assert ssl.PEM_cert_to_DER_cert(peer) == ssl.PEM_cert_to_DER_cert(cert.read_text())
    finally:
        proc.terminate()
        proc.wait(timeout=15)


def _on_a_terminal(args: list[str], env: dict[str, str]) -> tuple[int, str]:
    """Run Python with a pseudo-terminal as its controlling terminal: where OpenSSL would prompt."""
    pid, fd = pty.fork()
    if pid == 0:  # the child
        try:
            os.execve(sys.executable, [sys.executable, *args], env)
        finally:
            os._exit(127)
    output = b""
    deadline = time.monotonic() + 120
    try:
        while True:
            if b"pass phrase" in output.lower():
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                pytest.fail(f"OpenSSL asked for the passphrase on the terminal: {output!r}")
            ready, _, _ = select.select([fd], [], [], 1)
            if ready:
                try:
                    chunk = os.read(fd, 4096)
                except OSError:  # EIO: the child has closed the terminal
                    break
                if not chunk:
                    break
                output += chunk
            elif time.monotonic() > deadline:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                pytest.fail(f"serve neither refused nor exited: {output!r}")
    finally:
        os.close(fd)
    _, status = os.waitpid(pid, 0)
    text = re.sub(r"\x1b\[[0-9;]*m", "", output.decode("utf-8", "replace"))
    return os.waitstatus_to_exitcode(status), " ".join(text.split())


def test_serve_refuses_an_encrypted_key_without_the_passphrase_and_never_prompts(tmp_path: Path) -> None:
    data_dir = tmp_path / "node"
    sealed = _env(data_dir, PASSPHRASE)
    assert _corridor(sealed, "node", "init", "--name", "baku-pcu").returncode == 0
    made = _corridor(sealed, "node", "tls-cert", "--host", "127.0.0.1")
    assert made.returncode == 0 and "encrypted with CORRIDOR_NODE_KEY_PASSPHRASE" in made.stderr, made.stderr
    cert = data_dir / "exchange" / "tls" / "cert.pem"
    key = data_dir / "exchange" / "tls" / "key.pem"
    assert key.read_bytes().startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
    port = _free_port()

    code, output = _on_a_terminal(_serve_args(port, cert, key), _env(data_dir, None))
    assert code == 2, output
    assert f"error the TLS key {key} is encrypted: set CORRIDOR_NODE_KEY_PASSPHRASE" in output, output

    code, output = _on_a_terminal(_serve_args(port, cert, key), _env(data_dir, "wrong passphrase entirely"))
    assert code == 2, output
    assert "another passphrase than CORRIDOR_NODE_KEY_PASSPHRASE" in output, output
    with socket.socket() as probe:  # neither run got as far as listening
        assert probe.connect_ex(("127.0.0.1", port)) != 0
