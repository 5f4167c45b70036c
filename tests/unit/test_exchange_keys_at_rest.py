"""The node's private keys on disk: encrypted with CORRIDOR_NODE_KEY_PASSPHRASE when it is set,
refused with a clear error when the passphrase is missing or wrong, and protectable afterwards."""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from pathlib import Path

import pytest

from corridor.domain.errors import InvalidInput
from corridor.exchange import crypto, identity
from corridor.exchange.errors import NodeKeysLocked
from corridor.settings import get_settings


@pytest.fixture(autouse=True)
def _fresh(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv("CORRIDOR_NODE_KEY_PASSPHRASE", raising=False)
    get_settings.cache_clear()
    identity._cache.clear()
    yield
    get_settings.cache_clear()
    identity._cache.clear()


def _set(monkeypatch: pytest.MonkeyPatch, value: str | None) -> None:
    if value is None:
        monkeypatch.delenv("CORRIDOR_NODE_KEY_PASSPHRASE", raising=False)
    else:
        monkeypatch.setenv("CORRIDOR_NODE_KEY_PASSPHRASE", value)
    get_settings.cache_clear()
    identity._cache.clear()


def _key_files(tmp_path: Path) -> list[Path]:
    return sorted((tmp_path / "exchange" / "keys").glob("*.pem"))


def _signs(tmp_path: Path) -> bool:
    node = identity.load(tmp_path)
    signature = crypto.sign(node.signing_keys.signing, b"x")
    crypto.verify(node.signing_keys.signing_public, signature, b"x")
    return True


def test_keys_are_written_encrypted_and_need_the_passphrase(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _set(monkeypatch, "correct horse battery staple")
    identity.init(tmp_path, "AZ-SCS", agency=None, country="AZ", endpoint=None)
    files = _key_files(tmp_path)
    assert len(files) == 2
    assert all(b"ENCRYPTED PRIVATE KEY" in f.read_bytes() for f in files)
    assert all(f.stat().st_mode & 0o777 == 0o600 for f in files)
    _set(monkeypatch, "correct horse battery staple")
    assert _signs(tmp_path)
    _set(monkeypatch, None)
    with pytest.raises(NodeKeysLocked, match="set CORRIDOR_NODE_KEY_PASSPHRASE"):
        _signs(tmp_path)
    _set(monkeypatch, "wrong passphrase entirely")
    with pytest.raises(NodeKeysLocked, match="wrong passphrase"):
        _signs(tmp_path)


def test_plain_keys_are_protected_later_and_the_passphrase_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    identity.init(tmp_path, "AZ-SCS", agency=None, country="AZ", endpoint=None)
    identity.rotate(tmp_path)  # two generations: both are protected
    assert all(b"BEGIN PRIVATE KEY" in f.read_bytes() for f in _key_files(tmp_path))
    with pytest.raises(InvalidInput, match="CORRIDOR_NODE_KEY_PASSPHRASE"):
        identity.protect_keys(tmp_path)
    _set(monkeypatch, "first passphrase 1")
    assert identity.protect_keys(tmp_path) == 2
    assert all(b"ENCRYPTED PRIVATE KEY" in f.read_bytes() for f in _key_files(tmp_path))
    assert not list((tmp_path / "exchange" / "keys").glob("*.tmp"))
    _set(monkeypatch, "first passphrase 1")
    assert identity.protect_keys(tmp_path, b"second passphrase 2") == 2
    _set(monkeypatch, "first passphrase 1")
    with pytest.raises(NodeKeysLocked):
        _signs(tmp_path)
    _set(monkeypatch, "second passphrase 2")
    assert _signs(tmp_path)
    node = identity.load(tmp_path)
    assert set(node.decryption_keys()) == {k.kid for k in node.keys}


def _tls_files(tmp_path: Path) -> tuple[Path, Path]:
    folder = tmp_path / "exchange" / "tls"
    return folder / "cert.pem", folder / "key.pem"


def _tls_opens(tmp_path: Path, secret: str | None) -> bool:
    """The certificate and key load into an OpenSSL server context, as uvicorn loads them."""
    cert, key = _tls_files(tmp_path)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)

    def password() -> bytes:
        assert secret is not None, "the key asked for a passphrase"
        return secret.encode("utf-8")

    context.load_cert_chain(cert, key, password=password)
    return True


def test_the_tls_key_is_written_encrypted_and_serve_gets_its_password(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _set(monkeypatch, "correct horse battery staple")
    identity.init(tmp_path, "AZ-SCS", agency=None, country="AZ", endpoint=None)
    cert, key = identity.make_tls_certificate(tmp_path, ["127.0.0.1"])
    assert key.read_bytes().startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
    assert key.stat().st_mode & 0o777 == 0o600
    assert _tls_opens(tmp_path, "correct horse battery staple")
    # The password `corridor serve` passes to uvicorn; without it OpenSSL would prompt.
    assert identity.tls_key_password(cert, key) == "correct horse battery staple"
    with pytest.raises(ssl.SSLError):
        _tls_opens(tmp_path, "wrong passphrase entirely")
    _set(monkeypatch, None)
    with pytest.raises(NodeKeysLocked, match="is encrypted: set CORRIDOR_NODE_KEY_PASSPHRASE"):
        identity.tls_key_password(cert, key)
    with pytest.raises(NodeKeysLocked, match="is encrypted: set CORRIDOR_NODE_KEY_PASSPHRASE"):
        identity.open_tls_key(key, identity.passphrase())
    _set(monkeypatch, "wrong passphrase entirely")
    with pytest.raises(NodeKeysLocked, match="another passphrase"):
        identity.tls_key_password(cert, key)
    with pytest.raises(NodeKeysLocked, match="wrong passphrase"):
        identity.open_tls_key(key, identity.passphrase())


def test_a_plain_tls_key_needs_no_password(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    identity.init(tmp_path, "AZ-SCS", agency=None, country="AZ", endpoint=None)
    cert, key = identity.make_tls_certificate(tmp_path, ["127.0.0.1"])
    assert key.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
    assert identity.tls_key_password(cert, key) is None
    _set(monkeypatch, "correct horse battery staple")  # set, but this key does not use it
    assert identity.tls_key_password(cert, key) is None


def test_protect_keys_encrypts_the_tls_key_and_changes_its_passphrase(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    identity.init(tmp_path, "AZ-SCS", agency=None, country="AZ", endpoint=None)
    cert, key = identity.make_tls_certificate(tmp_path, ["127.0.0.1"])
    certificate = cert.read_bytes()
    _set(monkeypatch, "first passphrase 1")
    assert identity.protect_keys(tmp_path) == 1
    assert key.read_bytes().startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
    assert key.stat().st_mode & 0o777 == 0o600
    assert not list(key.parent.glob("*.tmp"))
    assert _tls_opens(tmp_path, "first passphrase 1")  # still the key of the unchanged certificate
    assert identity.protect_keys(tmp_path, b"second passphrase 2") == 1
    with pytest.raises(ssl.SSLError):
        _tls_opens(tmp_path, "first passphrase 1")
    assert _tls_opens(tmp_path, "second passphrase 2")
    _set(monkeypatch, "second passphrase 2")
    assert _signs(tmp_path)
    assert identity.tls_key_password(cert, key) == "second passphrase 2"
    assert cert.read_bytes() == certificate


def _snapshot(tmp_path: Path) -> dict[Path, bytes]:
    return {f: f.read_bytes() for f in [*_key_files(tmp_path), _tls_files(tmp_path)[1]]}


def test_protect_keys_with_a_wrong_passphrase_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _set(monkeypatch, "first passphrase 1")
    identity.init(tmp_path, "AZ-SCS", agency=None, country="AZ", endpoint=None)
    identity.make_tls_certificate(tmp_path, ["127.0.0.1"])
    before = _snapshot(tmp_path)
    _set(monkeypatch, "wrong passphrase entirely")
    with pytest.raises(NodeKeysLocked) as refused:
        identity.protect_keys(tmp_path, b"second passphrase 2")
    assert refused.value.code == "node_keys_locked"
    assert _snapshot(tmp_path) == before
    assert not list((tmp_path / "exchange").rglob("*.tmp"))


def test_a_tls_key_under_another_passphrase_stops_protect_keys_before_any_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The node keys open (plain) but the TLS key does not: the node keys must not be rewritten
    # either, or the node would end with keys under two passphrases.
    identity.init(tmp_path, "AZ-SCS", agency=None, country="AZ", endpoint=None)
    _, key = identity.make_tls_certificate(tmp_path, ["127.0.0.1"])
    plain = identity.open_tls_key(key, None)
    key.write_bytes(identity._private_pem(plain, b"some other passphrase"))
    before = _snapshot(tmp_path)
    assert all(b"BEGIN PRIVATE KEY" in before[f] for f in _key_files(tmp_path))
    _set(monkeypatch, "first passphrase 1")
    with pytest.raises(NodeKeysLocked, match="TLS key .*wrong passphrase"):
        identity.protect_keys(tmp_path)
    assert _snapshot(tmp_path) == before


def test_the_encryption_scheme_is_the_one_documented() -> None:
    # docs/exchange.md names the scheme; a cryptography release that changes it must change the docs.
    import base64

    signing, _ = crypto.KeyPair.generate().private_pem(b"a long random passphrase")
    der = base64.b64decode(b"".join(signing.splitlines()[1:-1]))
    assert bytes.fromhex("06092a864886f70d01050d") in der  # PBES2
    assert bytes.fromhex("06092a864886f70d01050c") in der  # PBKDF2
    assert bytes.fromhex("06082a864886f70d0209") in der  # hmacWithSHA256
    assert bytes.fromhex("060960864801650304012a") in der  # aes-256-cbc
    assert bytes.fromhex("02030927c0") in der  # 600,000 iterations
    assert crypto.PBKDF2_ITERATIONS == 600_000


def test_keys_encrypted_before_with_2048_iterations_still_open() -> None:
    from cryptography.hazmat.primitives import serialization

    pair = crypto.KeyPair.generate()
    old = serialization.BestAvailableEncryption(b"a long random passphrase")
    fmt = serialization.PrivateFormat.PKCS8
    signing = pair.signing.private_bytes(serialization.Encoding.PEM, fmt, old)
    encryption = pair.encryption.private_bytes(serialization.Encoding.PEM, fmt, old)
    opened = crypto.KeyPair.from_pem(signing, encryption, b"a long random passphrase")
    assert opened.kid == pair.kid
    with pytest.raises(NodeKeysLocked):
        crypto.KeyPair.from_pem(*pair.private_pem(b"a long random passphrase"), b"the wrong passphrase")


def test_openssl_reads_the_keys_as_nginx_would(tmp_path: Path) -> None:
    import shutil
    import subprocess

    if shutil.which("openssl") is None:
        pytest.skip("no openssl command on this machine")
    signing, _ = crypto.KeyPair.generate().private_pem(b"a long random passphrase")
    path = tmp_path / "key.pem"
    path.write_bytes(signing)
    done = subprocess.run(
        ["openssl", "pkey", "-in", str(path), "-passin", "pass:a long random passphrase", "-noout"],
        capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 0, done.stderr
