"""Mutual TLS through a real nginx running the shipped deploy/nginx-corridor.conf.

A receiving node (KZ-SRC) sits behind nginx, which serves the node's own certificate (pinned by its
partners) and trusts as client certificates only `corridor partners tls-bundle`. A partner whose
identity carries its certificate delivers through it; a partner without one, a client without a
certificate and a client with a stranger's certificate are refused at /exchange/v1/ while the
sender keeps the message for retry; the workbench still serves browsers without a certificate.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import ssl
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from pydantic import SecretStr
from sqlalchemy import select
from sqlalchemy.orm import Session

from corridor.exchange.delivery import ClientCertificateError, Transport
from corridor.exchange.models import AlertRow, InboxRow, OutboxRow, PartnerRow
from corridor.settings import Settings
from tests.integration.test_exchange_nodes import Node, free_port, wait_for

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "deploy" / "nginx-corridor.conf"
NGINX = Path("/usr/sbin/nginx")
PASSPHRASE = "correct horse battery staple"


def _nginx() -> Path:
    if not NGINX.is_file():
        if os.environ.get("CI"):
            pytest.fail(f"{NGINX} is missing: CI installs Debian's nginx-light with `make nginx`")
        pytest.skip(f"{NGINX} is not installed (`make nginx` installs Debian's nginx-light)")
    return NGINX


def _self_signed(folder: Path, name: str, cert_file: str, key_file: str) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=1))
        .not_valid_after(now + timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    folder.mkdir(parents=True, exist_ok=True)
    cert_path, key_path = folder / cert_file, folder / key_file
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_path, key_path


def _encrypt_key(path: Path, passphrase: str) -> None:
    """What an operator does to keep the TLS key encrypted with the node key passphrase."""
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(passphrase.encode("utf-8")),
        )
    )


def _replace(text: str, old: str, new: str) -> str:
    # Each substitution must hit: a change to the shipped file fails here instead of testing a variant.
    assert old in text, f"{old!r} is no longer in {SHIPPED.name}"
    return text.replace(old, new)


class Nginx:
    """The shipped site on loopback ports, as a non-daemon child with its own prefix."""

    def __init__(self, root: Path, etc_tls: Path, node_tls: Path, upstream: int) -> None:
        self.root = root
        self.web_port, self.exchange_port, self.http_port = free_port(), free_port(), free_port()
        site = SHIPPED.read_text(encoding="utf-8")
        site = _replace(site, "/etc/corridor/tls/", f"{etc_tls}/")
        site = _replace(site, "/var/lib/corridor/exchange/tls/", f"{node_tls}/")
        site = _replace(site, "server 127.0.0.1:8000;", f"server 127.0.0.1:{upstream};")
        site = _replace(site, "listen 80;", f"listen 127.0.0.1:{self.http_port};")
        site = _replace(site, "listen 443 ssl http2;", f"listen 127.0.0.1:{self.web_port} ssl http2;")
        site = _replace(site, "listen 8443 ssl;", f"listen 127.0.0.1:{self.exchange_port} ssl;")
        site = "\n".join(line for line in site.splitlines() if "listen [::]" not in line)
        root.mkdir(parents=True, exist_ok=True)
        (root / "corridor.conf").write_text(site, encoding="utf-8")
        temp = "".join(f"    {kind}_temp_path {root}/{kind};\n" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
        (root / "nginx.conf").write_text(
            # As root, workers would run as nobody and could not enter pytest's 0700 directories.
            ("user root;\n" if os.geteuid() == 0 else "")
            + f"pid {root}/nginx.pid;\n"
            f"error_log {root}/error.log info;\n"
            "worker_processes 1;\n"
            "events {}\n"
            "http {\n"
            f"    access_log {root}/access.log;\n"
            f"{temp}"
            f"    include {root}/corridor.conf;\n"
            "}\n",
            encoding="utf-8",
        )
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [
                str(NGINX), "-p", str(self.root), "-e", str(self.root / "error.log"),
                "-c", str(self.root / "nginx.conf"), "-g", "daemon off;",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        )
        for port in (self.web_port, self.exchange_port):
            wait_for(f"nginx on port {port}", lambda port=port: self._listening(port))

    def _listening(self, port: int) -> bool:
        assert self.proc is not None and self.proc.poll() is None, self.error_log()
        with socket.socket() as s:
            return s.connect_ex(("127.0.0.1", port)) == 0

    def reload(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGHUP)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)  # fast shutdown: master and workers exit
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        self.proc = None

    def error_log(self) -> str:
        path = self.root / "error.log"
        return path.read_text(encoding="utf-8")[-3000:] if path.exists() else ""

    def access_log(self) -> str:
        path = self.root / "access.log"
        return path.read_text(encoding="utf-8") if path.exists() else ""


def _identity_file(node: Node, tmp: Path) -> tuple[Path, dict[str, object]]:
    doc = node.json("node", "identity")
    path = tmp / f"{node.name}.identity.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path, doc


def _partner_row(node: Node, name: str) -> int:
    with Session(node.engine) as session:
        return int(session.scalars(select(PartnerRow.id).where(PartnerRow.name == name)).one())


def _outbox(node: Node) -> list[OutboxRow]:
    with Session(node.engine) as session:
        return list(session.scalars(select(OutboxRow).order_by(OutboxRow.id)))


def test_partners_deliver_through_nginx_with_client_certificates_and_others_are_refused(tmp_path: Path) -> None:
    _nginx()
    kz = Node("KZ-SRC", tmp_path)  # the receiver, plain HTTP behind nginx
    # AZ keeps its keys, the TLS key included, encrypted with the node key passphrase.
    az = Node("AZ-SCS", tmp_path, CORRIDOR_NODE_KEY_PASSPHRASE=PASSPHRASE)
    tm = Node("TM-SCS", tmp_path, CORRIDOR_EXCHANGE_MAX_ATTEMPTS="10000")  # no certificate at first
    etc_tls = tmp_path / "etc-tls"
    _self_signed(etc_tls, "corridor.example.org", "fullchain.pem", "privkey.pem")  # the workbench's
    bundle = etc_tls / "partners.pem"
    proxy = Nginx(tmp_path / "nginx", etc_tls, kz.data_dir / "exchange" / "tls", kz.port)
    exchange_url = f"https://127.0.0.1:{proxy.exchange_port}"
    try:
        kz.cli("node", "init", "--name", kz.name, "--endpoint", exchange_url)
        kz.cli("node", "tls-cert", "--host", "127.0.0.1")  # served by nginx, pinned by the partners
        for sender in (az, tm):
            sender.cli("node", "init", "--name", sender.name, "--endpoint", sender.url)
        az.cli("node", "tls-cert", "--host", "127.0.0.1")
        az_tls = az.data_dir / "exchange" / "tls"
        # tls-cert encrypts the key itself when the node key passphrase is set.
        assert b"ENCRYPTED" in (az_tls / "key.pem").read_bytes()

        kz_file, kz_doc = _identity_file(kz, tmp_path)
        for sender in (tm, az):
            sender.cli("partners", "add", str(kz_file), "--fingerprint", str(kz_doc["fingerprint"]))
            sender.cli("agreements", "allow", "KZ-SRC", "--send", "alert")
            path, doc = _identity_file(sender, tmp_path)
            kz.cli("partners", "add", str(path), "--fingerprint", str(doc["fingerprint"]))
            kz.cli("agreements", "allow", sender.name, "--receive", "alert")
            if sender is tm:  # only TM so far, without a certificate: nothing to bundle
                refused = kz.cli("partners", "tls-bundle", "--out", str(bundle), ok=False)
                assert refused.returncode != 0 and "no active partner has a TLS certificate" in refused.stderr
                assert not bundle.exists()
        made = kz.cli("partners", "tls-bundle", "--out", str(bundle))
        assert bundle.read_text() == (az_tls / "cert.pem").read_text(), "AZ's certificate, and only it"
        assert "TM-SCS" in made.stderr and "refused by a proxy" in made.stderr

        officer = subprocess.run(
            [sys.executable, "-m", "corridor", "users", "create", "admin", "--role", "administrator",
             "--agency", "KZ-SRC", "--password-stdin"],
            env=kz.env, input="a long enough password\n", capture_output=True, text=True, timeout=120,
        )  # with no user at all, /login sends the browser to /setup
        assert officer.returncode == 0, officer.stderr

        proxy.start()
        for node in (kz, az, tm):
            node.start()
        kz_cert = (kz.data_dir / "exchange" / "tls" / "cert.pem").read_text()
        pinned = ssl.create_default_context(cadata=kz_cert)

        # (c) The workbench is served to a browser that has no client certificate.
        workbench = ssl.create_default_context(cadata=(etc_tls / "fullchain.pem").read_text())
        workbench.check_hostname = False  # the stand-in certificate names corridor.example.org
        login = httpx.get(f"https://127.0.0.1:{proxy.web_port}/login", verify=workbench, timeout=10)
        assert login.status_code == 200 and 'name="password"' in login.text, login.text[:500]

        # (b) Without a certificate, or with one that is no partner's, /exchange/v1/ refuses.
        anonymous = httpx.post(
            f"{exchange_url}/exchange/v1/messages",
            content=b"",
            headers={"content-type": "application/x-ndjson"},
            verify=pinned,
            timeout=10,
        )
        assert anonymous.status_code == 403, anonymous.text
        assert anonymous.json()["error"]["code"] == "client_certificate_refused"
        stranger = ssl.create_default_context(cadata=kz_cert)
        cert, key = _self_signed(tmp_path / "stranger", "corridor node AZ-SCS", "cert.pem", "key.pem")
        stranger.load_cert_chain(cert, key)  # claims AZ's name, but is not the certificate in the bundle
        forged = httpx.post(
            f"{exchange_url}/exchange/v1/messages",
            content=b"",
            headers={"content-type": "application/x-ndjson"},
            verify=stranger,
            timeout=10,
        )
        assert forged.status_code == 403 and forged.json()["error"]["code"] == "client_certificate_refused"

        # (a) AZ, whose certificate is in the bundle, delivers through nginx; each message arrives once.
        for n in range(2):
            az.cli("send", "alert", "--to", "KZ-SRC", "--container", "MSCU1234565", "--reason", f"via nginx {n}")
        wait_for("AZ's alerts at KZ", lambda: kz.count(AlertRow) == 2, nodes=(az, kz))
        wait_for(
            "AZ's receipts",
            lambda: az.count(OutboxRow, OutboxRow.status == "delivered") == 2,
            nodes=(az, kz),
        )
        assert kz.count(InboxRow, InboxRow.partner_id == _partner_row(kz, "AZ-SCS")) == 2
        assert [p["endpoint"] for p in az.json("partners", "list")] == [exchange_url]
        assert '"POST /exchange/v1/messages HTTP/1.1" 200' in proxy.access_log()

        # (b) TM is a partner at the exchange layer but presents no certificate: refused by nginx,
        # and its outbox keeps the message, retrying.
        tm.cli("send", "alert", "--to", "KZ-SRC", "--container", "TCLU7654321", "--reason", "no certificate")

        def refused_twice() -> bool:
            rows = _outbox(tm)
            return len(rows) == 1 and rows[0].attempts >= 2

        wait_for("TM's refused attempts", refused_twice, nodes=(tm,))
        (row,) = _outbox(tm)
        assert row.status == "queued" and (row.last_error or {}).get("code") == "client_certificate_refused"
        assert kz.count(InboxRow, InboxRow.partner_id == _partner_row(kz, "TM-SCS")) == 0
        assert '"POST /exchange/v1/messages HTTP/1.1" 403' in proxy.access_log()

        # TM gets a certificate, KZ takes its new identity and bundles it: the kept message arrives
        # once, picked up by TM's running deliverer without a restart.
        tm.cli("node", "tls-cert", "--host", "127.0.0.1")
        tm_file, _ = _identity_file(tm, tmp_path)
        kz.cli("partners", "update", str(tm_file))
        kz.cli("partners", "tls-bundle", "--out", str(bundle))
        assert bundle.read_text().count("BEGIN CERTIFICATE") == 2
        proxy.reload()
        wait_for(
            "TM's kept alert at KZ",
            lambda: tm.count(OutboxRow, OutboxRow.status == "delivered") == 1,
            nodes=(tm, kz),
        )
        assert kz.count(InboxRow, InboxRow.partner_id == _partner_row(kz, "TM-SCS")) == 1
        assert kz.count(AlertRow) == 3
        (row,) = _outbox(tm)
        assert row.attempts >= 3, "refused at least twice, then delivered"
        for node in (kz, az, tm):
            assert node.json("audit", "verify")["ok"] is True
    finally:
        for node in (az, tm, kz):
            node.stop()
        proxy.stop()


def test_an_encrypted_tls_key_opens_only_with_the_node_passphrase(tmp_path: Path) -> None:
    tls = tmp_path / "exchange" / "tls"
    _self_signed(tls, "corridor node AZ-SCS", "cert.pem", "key.pem")
    _encrypt_key(tls / "key.pem", PASSPHRASE)
    partner = PartnerRow(id=1, name="KZ-SRC", tls_certificate=None)
    # Without the passphrase: a clear error, never an OpenSSL prompt on the daemon's terminal.
    transport = Transport(Settings(data_dir=tmp_path, node_key_passphrase=None))
    with pytest.raises(ClientCertificateError, match="CORRIDOR_NODE_KEY_PASSPHRASE"):
        transport.client(partner)
    transport = Transport(Settings(data_dir=tmp_path, node_key_passphrase=SecretStr("another passphrase")))
    with pytest.raises(ClientCertificateError, match="cannot load this node's TLS client certificate"):
        transport.client(partner)
    transport = Transport(Settings(data_dir=tmp_path, node_key_passphrase=SecretStr(PASSPHRASE)))
    try:
        assert isinstance(transport.client(partner), httpx.Client)
    finally:
        transport.close()
