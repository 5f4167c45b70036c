"""This node's identity on disk: name, endpoint and its key generations under <data_dir>/exchange/.

    identity.json             public facts and the key history (current, previous, revoked)
    keys/<kid>.signing.pem    Ed25519 private key (PKCS#8, mode 0600)
    keys/<kid>.encryption.pem X25519 private key
    tls/cert.pem, tls/key.pem optional self-signed TLS certificate for `corridor serve`; the key is
                              encrypted like the others when CORRIDOR_NODE_KEY_PASSPHRASE is set

Previous key generations stay usable for decryption so that messages sealed before a rotation
still open; a revoked generation is never used again and its private keys are deleted.
"""

from __future__ import annotations

import ipaddress
import json
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from corridor.domain.errors import Conflict, InvalidInput, NotFound
from corridor.exchange import crypto
from corridor.exchange.envelope import PROTOCOL
from corridor.exchange.errors import NodeKeysLocked, NodeNotInitialised

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes

IDENTITY_FILE = "identity.json"


def exchange_dir(data_dir: Path) -> Path:
    return data_dir / "exchange"


@dataclass(slots=True)
class KeyRecord:
    kid: str
    signing_public: str
    encryption_public: str
    fingerprint: str
    status: str  # current, previous or revoked
    created: str

    def public(self) -> dict[str, str]:
        return {
            "kid": self.kid,
            "signing_key": self.signing_public,
            "encryption_key": self.encryption_public,
            "fingerprint": self.fingerprint,
        }


@dataclass(slots=True)
class NodeIdentity:
    name: str
    agency: str | None
    country: str | None
    endpoint: str | None
    created: str
    keys: list[KeyRecord]
    tls_certificate: str | None = None
    directory: Path = field(default=Path("."))
    _pairs: dict[str, crypto.KeyPair] = field(default_factory=dict)

    @property
    def current(self) -> KeyRecord:
        return next(k for k in self.keys if k.status == "current")

    @property
    def signing_keys(self) -> crypto.KeyPair:
        return self.pair(self.current.kid)

    def pair(self, kid: str) -> crypto.KeyPair:
        if kid not in self._pairs:
            folder = self.directory / "keys"
            self._pairs[kid] = crypto.KeyPair.from_pem(
                (folder / f"{kid}.signing.pem").read_bytes(),
                (folder / f"{kid}.encryption.pem").read_bytes(),
                passphrase(),
            )
        return self._pairs[kid]

    def decryption_keys(self) -> dict[str, crypto.KeyPair]:
        """Current and previous generations: a message sealed just before a rotation still opens."""
        return {k.kid: self.pair(k.kid) for k in self.keys if k.status in ("current", "previous")}

    def public_document(self) -> dict[str, Any]:
        """What a partner needs, signed by the current key and endorsed by the previous ones."""
        current = self.current
        doc: dict[str, Any] = {
            "protocol": PROTOCOL,
            "name": self.name,
            "agency": self.agency,
            "country": self.country,
            "endpoint": self.endpoint,
            **current.public(),
            "previous_keys": [k.public() for k in self.keys if k.status == "previous"],
            "revoked_keys": [k.kid for k in self.keys if k.status == "revoked"],
            "tls_certificate": self.tls_certificate,
        }
        body = crypto.canonical(doc)
        doc["self_signature"] = crypto.sign(self.signing_keys.signing, body)
        # A partner who trusts an older key accepts the new one because the older key vouches for it.
        doc["endorsements"] = {
            k.kid: crypto.sign(self.pair(k.kid).signing, body) for k in self.keys if k.status == "previous"
        }
        return doc

    def to_file(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "agency": self.agency,
            "country": self.country,
            "endpoint": self.endpoint,
            "created": self.created,
            "tls_certificate": self.tls_certificate,
            "keys": [
                {
                    "kid": k.kid,
                    "signing_public": k.signing_public,
                    "encryption_public": k.encryption_public,
                    "fingerprint": k.fingerprint,
                    "status": k.status,
                    "created": k.created,
                }
                for k in self.keys
            ],
        }


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _write_private(path: Path, data: bytes) -> None:
    # Created with 0600 from the start: never readable by others, not even for a moment.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


def passphrase() -> bytes | None:
    """CORRIDOR_NODE_KEY_PASSPHRASE: when set, private keys are written encrypted and read with it."""
    from corridor.settings import get_settings

    secret = get_settings().node_key_passphrase
    return secret.get_secret_value().encode("utf-8") if secret else None


def _store_pair(directory: Path, pair: crypto.KeyPair) -> KeyRecord:
    folder = directory / "keys"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    signing_pem, encryption_pem = pair.private_pem(passphrase())
    _write_private(folder / f"{pair.kid}.signing.pem", signing_pem)
    _write_private(folder / f"{pair.kid}.encryption.pem", encryption_pem)
    return KeyRecord(
        kid=pair.kid,
        signing_public=crypto.b64e(pair.signing_public),
        encryption_public=crypto.b64e(pair.encryption_public),
        fingerprint=pair.fingerprint,
        status="current",
        created=_now(),
    )


def save(identity: NodeIdentity) -> None:
    path = identity.directory / IDENTITY_FILE
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(identity.to_file(), indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, path)  # atomic: a crash never leaves half an identity
    _cache.clear()


_NAME_CHARS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")


def check_name(name: str) -> str:
    if not (1 <= len(name) <= 64) or not set(name) <= _NAME_CHARS or not name[0].isalnum():
        raise InvalidInput(
            "a node name has 1-64 letters, digits, '.', '_' or '-' and starts with a letter or digit",
            where="name",
        )
    return name


def check_endpoint(endpoint: str | None) -> str | None:
    if endpoint is None:
        return None
    if not endpoint.startswith(("https://", "http://")):
        raise InvalidInput(
            "the endpoint must be an http(s):// URL, e.g. https://node.customs.az:8443", where="endpoint"
        )
    return endpoint.rstrip("/")


def init(
    data_dir: Path, name: str, *, agency: str | None, country: str | None, endpoint: str | None
) -> NodeIdentity:
    directory = exchange_dir(data_dir)
    if (directory / IDENTITY_FILE).exists():
        raise Conflict(
            f"this node already has an identity in {directory}; use `corridor node rotate-keys` for new keys",
            where="node",
        )
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    pair = crypto.KeyPair.generate()
    identity = NodeIdentity(
        name=check_name(name),
        agency=agency,
        country=country.upper() if country else None,
        endpoint=check_endpoint(endpoint),
        created=_now(),
        keys=[_store_pair(directory, pair)],
        directory=directory,
    )
    identity._pairs[pair.kid] = pair
    save(identity)
    return identity


_cache: dict[tuple[Path, int], NodeIdentity] = {}


def load(data_dir: Path) -> NodeIdentity:
    """The identity, re-read when the file changes (a rotation by the CLI reaches a running server)."""
    directory = exchange_dir(data_dir)
    path = directory / IDENTITY_FILE
    try:
        stamp = path.stat().st_mtime_ns
    except FileNotFoundError:
        raise NodeNotInitialised(
            f"this node has no identity in {directory}: run `corridor node init --name NAME`", where="node"
        ) from None
    key = (path.resolve(), stamp)
    if key not in _cache:
        raw = json.loads(path.read_text(encoding="utf-8"))
        _cache.clear()
        _cache[key] = NodeIdentity(
            name=raw["name"],
            agency=raw.get("agency"),
            country=raw.get("country"),
            endpoint=raw.get("endpoint"),
            created=raw["created"],
            tls_certificate=raw.get("tls_certificate"),
            keys=[KeyRecord(**k) for k in raw["keys"]],
            directory=directory,
        )
    return _cache[key]


def _replace_private(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.unlink(missing_ok=True)
    _write_private(tmp, data)
    os.replace(tmp, path)  # atomic: a crash leaves the old key file or the new one, never half


def tls_key_path(data_dir: Path) -> Path:
    return exchange_dir(data_dir) / "tls" / "key.pem"


def _private_pem(key: PrivateKeyTypes, secret: bytes | None) -> bytes:
    """PKCS#8 PEM, encrypted exactly as crypto.KeyPair.private_pem encrypts the node keys."""
    return crypto.private_key_pem(key, secret)


def open_tls_key(path: Path, secret: bytes | None) -> PrivateKeyTypes:
    """The TLS private key, plain or encrypted with `secret`; never an OpenSSL terminal prompt."""
    from cryptography.hazmat.primitives import serialization

    data = path.read_bytes()
    try:
        return serialization.load_pem_private_key(data, password=secret)
    except TypeError:
        # Raised both for "encrypted but no passphrase" and "passphrase given, key not encrypted".
        if secret:
            return serialization.load_pem_private_key(data, password=None)
        raise NodeKeysLocked(
            f"the node's TLS key {path} is encrypted: set CORRIDOR_NODE_KEY_PASSPHRASE", where="tls_key"
        ) from None
    except ValueError:
        raise NodeKeysLocked(
            f"the node's TLS key {path} does not open with CORRIDOR_NODE_KEY_PASSPHRASE (wrong passphrase?)",
            where="tls_key",
        ) from None


def protect_keys(data_dir: Path, new_passphrase: bytes | None = None) -> int:
    """Rewrite every kept private key encrypted; returns how many key generations were written.

    Keys are read with CORRIDOR_NODE_KEY_PASSPHRASE (or as plain PEM) and written encrypted with
    `new_passphrase`, by default the same passphrase: so it both protects plain keys and changes
    the passphrase. The TLS key (tls/key.pem), when there is one, is rewritten with them: one
    passphrase opens everything the node holds.
    """
    secret = new_passphrase or passphrase()
    if not secret:
        raise InvalidInput(
            "set CORRIDOR_NODE_KEY_PASSPHRASE to the passphrase the keys should be encrypted with",
            where="CORRIDOR_NODE_KEY_PASSPHRASE",
        )
    identity = load(data_dir)
    kept = [record for record in identity.keys if record.status != "revoked"]
    # Everything is opened before anything is rewritten: a wrong passphrase changes no file.
    pairs = [(record.kid, identity.pair(record.kid)) for record in kept]
    tls_path = tls_key_path(data_dir)
    tls_key = open_tls_key(tls_path, passphrase()) if tls_path.is_file() else None
    folder = identity.directory / "keys"
    for kid, pair in pairs:
        signing_pem, encryption_pem = pair.private_pem(secret)
        _replace_private(folder / f"{kid}.signing.pem", signing_pem)
        _replace_private(folder / f"{kid}.encryption.pem", encryption_pem)
    if tls_key is not None:
        _replace_private(tls_path, _private_pem(tls_key, secret))
    return len(pairs)


def tls_key_password(certfile: Path, keyfile: Path) -> str | None:
    """The password `corridor serve` hands uvicorn for its TLS key, checked before the server starts.

    None only for a key that is not encrypted: given no password, OpenSSL asks for one on the
    terminal, which would hang a service (or a worker) instead of failing. The key is loaded here
    through a callback that refuses when CORRIDOR_NODE_KEY_PASSPHRASE is unset, so it never prompts.
    """
    import ssl

    secret = passphrase()
    asked: list[bool] = []

    def password() -> bytes:
        asked.append(True)
        if secret is None:
            raise NodeKeysLocked(
                f"the TLS key {keyfile} is encrypted: set CORRIDOR_NODE_KEY_PASSPHRASE to its passphrase",
                where="ssl_keyfile",
            )
        return secret

    try:
        ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER).load_cert_chain(certfile, keyfile, password=password)
    except ssl.SSLError as error:
        raise NodeKeysLocked(
            f"cannot load the TLS certificate {certfile} with the key {keyfile}: {error} (a key encrypted "
            "with another passphrase than CORRIDOR_NODE_KEY_PASSPHRASE, or a key that does not match "
            "the certificate)",
            where="ssl_keyfile",
        ) from None
    return secret.decode("utf-8") if secret is not None and asked else None


def set_endpoint(data_dir: Path, endpoint: str) -> NodeIdentity:
    identity = load(data_dir)
    identity.endpoint = check_endpoint(endpoint)
    save(identity)
    return load(data_dir)


def rotate(data_dir: Path) -> NodeIdentity:
    """A new current key generation; the old one becomes `previous` (still decrypts, endorses)."""
    identity = load(data_dir)
    for record in identity.keys:
        if record.status == "current":
            record.status = "previous"
    identity.keys.append(_store_pair(identity.directory, crypto.KeyPair.generate()))
    save(identity)
    return load(data_dir)


def revoke(data_dir: Path, kid: str) -> NodeIdentity:
    """Retire a previous key generation for good and delete its private keys."""
    identity = load(data_dir)
    record = next((k for k in identity.keys if k.kid == kid), None)
    if record is None:
        raise NotFound(f"this node has no key {kid}", where="kid")
    if record.status == "current":
        raise Conflict(
            "the current key cannot be revoked: rotate first, then revoke the old one", where="kid"
        )
    record.status = "revoked"
    for suffix in ("signing", "encryption"):
        (identity.directory / "keys" / f"{kid}.{suffix}.pem").unlink(missing_ok=True)
    save(identity)
    return load(data_dir)


def make_tls_certificate(data_dir: Path, hosts: list[str], days: int = 825) -> tuple[Path, Path]:
    """A self-signed certificate for `corridor serve --tls`; partners pin it from the identity file."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    identity = load(data_dir)
    key = ec.generate_private_key(ec.SECP256R1())
    names: list[x509.GeneralName] = []
    for host in hosts:
        try:
            names.append(x509.IPAddress(ipaddress.ip_address(host)))
        except ValueError:
            names.append(x509.DNSName(host))
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"corridor node {identity.name}")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=days))
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .sign(key, hashes.SHA256())
    )
    folder = identity.directory / "tls"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    key_path, cert_path = folder / "key.pem", folder / "cert.pem"
    key_path.unlink(missing_ok=True)
    _write_private(key_path, _private_pem(key, passphrase()))
    pem = cert.public_bytes(serialization.Encoding.PEM)
    cert_path.write_bytes(pem)
    identity.tls_certificate = pem.decode("ascii")
    save(identity)
    return cert_path, key_path


def verify_public_document(doc: dict[str, Any]) -> None:
    """The identity document must be signed by the key it announces (proof of possession)."""
    try:
        body = {k: v for k, v in doc.items() if k not in ("self_signature", "endorsements")}
        crypto.verify(
            crypto.b64d(str(doc["signing_key"]), what="signing_key", size=32),
            str(doc.get("self_signature", "")),
            crypto.canonical(body),
        )
    except (KeyError, crypto.CryptoFailure) as error:
        raise InvalidInput(
            f"the identity document is not self-signed correctly: {error}", where="self_signature"
        ) from None
