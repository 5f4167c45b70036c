"""The node's private keys on disk: encrypted with CORRIDOR_NODE_KEY_PASSPHRASE when it is set,
refused with a clear error when the passphrase is missing or wrong, and protectable afterwards."""

from __future__ import annotations

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
