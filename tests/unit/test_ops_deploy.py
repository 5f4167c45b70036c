"""The shipped deployment files work as shipped: nginx accepts its configuration, systemd its unit,
the body-size limits match the settings, and every setting is documented in docs/operations.md."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from corridor.ops.settings_doc import END, START, markdown_table, rows
from corridor.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
NGINX_CONF = ROOT / "deploy" / "nginx-corridor.conf"
UNIT = ROOT / "deploy" / "corridor.service"
OPERATIONS = ROOT / "docs" / "operations.md"
SYSTEM_PATH = os.environ.get("PATH", "") + ":/usr/sbin:/sbin:/usr/bin:/bin"


def _self_signed(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "corridor.example.org")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=1))
        .not_valid_after(now + timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "fullchain.pem", folder / "privkey.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_path, key_path


def test_nginx_accepts_the_shipped_configuration(tmp_path: Path) -> None:
    nginx = shutil.which("nginx", path=SYSTEM_PATH)
    if nginx is None:
        pytest.skip("nginx is not installed (`make nginx` installs Debian's nginx-light)")
    cert, key = _self_signed(tmp_path)
    shutil.copy(cert, tmp_path / "cert.pem")  # the node's exchange certificate (corridor node tls-cert)
    shutil.copy(key, tmp_path / "key.pem")
    shutil.copy(cert, tmp_path / "partners.pem")  # `corridor partners tls-bundle` for mutual TLS
    site = NGINX_CONF.read_text(encoding="utf-8")
    for folder in ("/etc/corridor/tls/", "/var/lib/corridor/exchange/tls/"):
        assert folder in site
        site = site.replace(folder, f"{tmp_path}/")
    (tmp_path / "corridor.conf").write_text(site, encoding="utf-8")
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\n"
        f"error_log {tmp_path}/error.log;\n"
        "events {}\n"
        "http {\n"
        f"    access_log {tmp_path}/access.log;\n"
        f"    include {tmp_path}/corridor.conf;\n"
        "}\n",
        encoding="utf-8",
    )
    checked = subprocess.run(
        [
            nginx,
            "-t",
            "-p",
            str(tmp_path),
            "-e",
            str(tmp_path / "error.log"),
            "-c",
            str(tmp_path / "nginx.conf"),
        ],
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0, checked.stderr
    assert "test is successful" in checked.stderr


def test_nginx_limits_match_the_settings() -> None:
    text = NGINX_CONF.read_text(encoding="utf-8")
    sizes = [int(m) * 1024 * 1024 for m in re.findall(r"client_max_body_size (\d+)m;", text)]
    fields = Settings.model_fields
    assert sizes == [fields["max_upload_bytes"].default, fields["exchange_max_batch_bytes"].default]
    assert "ssl_protocols TLSv1.2 TLSv1.3;" in text and "Strict-Transport-Security" in text
    # The exchange has its own server and location, with its own rate limit.
    exchange = text.split("server_name exchange.corridor.example.org;", 1)[1]
    assert "location /exchange/v1/ {\n        limit_req zone=corridor_exchange" in exchange
    assert re.search(r"location = /metrics \{\s*return 404;", text)
    # Mutual TLS on the exchange server only: the workbench never asks browsers for a certificate.
    workbench = text.split("server_name corridor.example.org;", 1)[1].split("server {", 1)[0]
    assert "ssl_verify_client" not in workbench
    assert "ssl_verify_client optional;" in exchange and "if ($ssl_client_verify != SUCCESS)" in exchange


def test_systemd_unit_is_hardened_and_verifies(tmp_path: Path) -> None:
    unit = UNIT.read_text(encoding="utf-8")
    for directive in (
        "User=corridor",
        "NoNewPrivileges=yes",
        "ProtectSystem=strict",
        "ReadWritePaths=/var/lib/corridor",
        "PrivateTmp=yes",
        "CapabilityBoundingSet=\n",
        "ExecStart=/opt/corridor/venv/bin/corridor serve --host 127.0.0.1",
    ):
        assert directive in unit, directive
    analyze = shutil.which("systemd-analyze", path=SYSTEM_PATH)
    if analyze is None:
        pytest.skip("systemd-analyze is not installed")
    # verify checks that ExecStart exists: point it at this checkout's command.
    corridor = Path(sys.executable).with_name("corridor")
    local = unit.replace("/opt/corridor/venv/bin/corridor", str(corridor))
    (tmp_path / "corridor.service").write_text(local, encoding="utf-8")
    verified = subprocess.run(
        [analyze, "verify", str(tmp_path / "corridor.service")], capture_output=True, text=True
    )
    assert verified.returncode == 0, verified.stderr


def test_every_setting_is_documented() -> None:
    page = OPERATIONS.read_text(encoding="utf-8")
    missing = [env for env, *_ in rows() if f"`{env}`" not in page]
    assert missing == [], (
        f"not in docs/operations.md: {missing}; run `python scripts/build_operations_settings.py`"
    )
    assert START in page and END in page
    assert "upgrade-and-backup.md" in page


def test_generated_table_is_current() -> None:
    page = OPERATIONS.read_text(encoding="utf-8")
    table = page.split(START, 1)[1].split(END, 1)[0].strip()
    assert table == markdown_table(), "run `python scripts/build_operations_settings.py`"
