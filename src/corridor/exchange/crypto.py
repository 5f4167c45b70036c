"""Pure cryptography of the exchange: keys, canonical JSON, signatures and per-recipient sealing.

Nothing here touches the database or the file system, so that the envelope rules can be tested
and reviewed on their own. Algorithms are fixed by the protocol version (no negotiation, so no
downgrade): Ed25519 signatures, X25519 key agreement with an ephemeral key, HKDF-SHA256 and
AES-256-GCM.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, padding, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC

from corridor.exchange.errors import NodeKeysLocked as KeysLocked

HKDF_INFO = b"corridor-exchange/1 key-wrap"
NONCE_BYTES = 12


# Private keys at rest: PKCS#8 encrypted with PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC), the format
# OpenSSL, nginx and uvicorn read. cryptography's BestAvailableEncryption writes it with 2,048 PBKDF2
# iterations, too few against guessing a passphrase offline; 600,000 is OWASP's figure for
# PBKDF2-HMAC-SHA256 and costs about 65 ms per key opened.
PBKDF2_ITERATIONS = 600_000
_PBES2 = bytes.fromhex("06092a864886f70d01050d")
_PBKDF2 = bytes.fromhex("06092a864886f70d01050c")
_HMAC_SHA256 = bytes.fromhex("06082a864886f70d0209")
_AES256_CBC = bytes.fromhex("060960864801650304012a")


def _der(tag: int, content: bytes) -> bytes:
    size = len(content)
    if size < 0x80:
        return bytes([tag, size]) + content
    length = size.to_bytes((size.bit_length() + 7) // 8, "big")
    return bytes([tag, 0x80 | len(length)]) + length + content


def private_key_pem(key: PrivateKeyTypes, passphrase: bytes | None) -> bytes:
    """PKCS#8 PEM of any private key; encrypted (PBES2, PBKDF2_ITERATIONS) when a passphrase is given."""
    fmt = serialization.PrivateFormat.PKCS8
    if not passphrase:
        return key.private_bytes(serialization.Encoding.PEM, fmt, serialization.NoEncryption())
    plain = key.private_bytes(serialization.Encoding.DER, fmt, serialization.NoEncryption())
    salt, iv = os.urandom(16), os.urandom(16)
    secret = PBKDF2HMAC(hashes.SHA256(), 32, salt, PBKDF2_ITERATIONS).derive(passphrase)
    padder = padding.PKCS7(128).padder()
    encryptor = Cipher(algorithms.AES(secret), modes.CBC(iv)).encryptor()
    sealed = encryptor.update(padder.update(plain) + padder.finalize()) + encryptor.finalize()
    iterations = _der(0x02, PBKDF2_ITERATIONS.to_bytes(PBKDF2_ITERATIONS.bit_length() // 8 + 1, "big"))
    kdf = _der(0x30, _PBKDF2 + _der(0x30, _der(0x04, salt) + iterations + _der(0x30, _HMAC_SHA256 + b"\x05\x00")))
    scheme = _der(0x30, _AES256_CBC + _der(0x04, iv))
    der = _der(0x30, _der(0x30, _PBES2 + _der(0x30, kdf + scheme)) + _der(0x04, sealed))
    body = base64.b64encode(der)
    lines = b"\n".join(body[i : i + 64] for i in range(0, len(body), 64))
    return b"-----BEGIN ENCRYPTED PRIVATE KEY-----\n" + lines + b"\n-----END ENCRYPTED PRIVATE KEY-----\n"


class CryptoFailure(Exception):
    """A signature, key or ciphertext did not check out; the message says which."""


def b64e(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def b64d(text: str, *, what: str = "value", size: int | None = None) -> bytes:
    try:
        data = base64.b64decode(text.encode("ascii"), validate=True)
    except (ValueError, UnicodeEncodeError) as error:
        raise CryptoFailure(f"{what} is not valid base64") from error
    if size is not None and len(data) != size:
        raise CryptoFailure(f"{what} must be {size} bytes, got {len(data)}")
    return data


def canonical(value: Any) -> bytes:
    """Canonical JSON (sorted keys, no whitespace, UTF-8): what is signed and bound as AAD."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def raw_public(key: Ed25519PublicKey | X25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def fingerprint(signing_public: bytes, encryption_public: bytes) -> str:
    """SHA-256 over both public keys, shown in groups of four hex digits for reading aloud."""
    digest = hashlib.sha256(b"corridor-node-keys/1" + signing_public + encryption_public).hexdigest()[:40]
    return " ".join(digest[i : i + 4] for i in range(0, len(digest), 4)).upper()


def key_id(signing_public: bytes, encryption_public: bytes) -> str:
    """A short stable name for one key pair (used in envelopes to say which key signed/sealed)."""
    return fingerprint(signing_public, encryption_public).replace(" ", "")[:16].lower()


@dataclass(frozen=True)
class KeyPair:
    """One node key generation: an Ed25519 signing key and an X25519 encryption key."""

    signing: Ed25519PrivateKey
    encryption: X25519PrivateKey

    @classmethod
    def generate(cls) -> KeyPair:
        return cls(Ed25519PrivateKey.generate(), X25519PrivateKey.generate())

    # Cached: every envelope sealed names the sender's key id, derived from both public keys.
    @cached_property
    def signing_public(self) -> bytes:
        return raw_public(self.signing.public_key())

    @cached_property
    def encryption_public(self) -> bytes:
        return raw_public(self.encryption.public_key())

    @cached_property
    def kid(self) -> str:
        return key_id(self.signing_public, self.encryption_public)

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.signing_public, self.encryption_public)

    def private_pem(self, passphrase: bytes | None = None) -> tuple[bytes, bytes]:
        """PKCS#8 PEM of both keys; encrypted with the passphrase when one is given (private_key_pem)."""
        return private_key_pem(self.signing, passphrase), private_key_pem(self.encryption, passphrase)

    @classmethod
    def from_pem(cls, signing_pem: bytes, encryption_pem: bytes, passphrase: bytes | None = None) -> KeyPair:
        try:
            signing = serialization.load_pem_private_key(signing_pem, password=passphrase)
            encryption = serialization.load_pem_private_key(encryption_pem, password=passphrase)
        except TypeError:
            # Raised both for "encrypted but no passphrase" and "passphrase given, key not encrypted".
            if passphrase:
                signing = serialization.load_pem_private_key(signing_pem, password=None)
                encryption = serialization.load_pem_private_key(encryption_pem, password=None)
            else:
                raise KeysLocked(
                    "the node's private keys are encrypted: set CORRIDOR_NODE_KEY_PASSPHRASE"
                ) from None
        except ValueError:
            raise KeysLocked(
                "the node's private keys do not open with CORRIDOR_NODE_KEY_PASSPHRASE (wrong passphrase?)"
            ) from None
        if not isinstance(signing, Ed25519PrivateKey) or not isinstance(encryption, X25519PrivateKey):
            raise CryptoFailure("the key files are not an Ed25519 signing key and an X25519 encryption key")
        return cls(signing, encryption)


def sign(key: Ed25519PrivateKey, data: bytes) -> str:
    return b64e(key.sign(data))


def verify(public: bytes, signature: str, data: bytes) -> None:
    try:
        Ed25519PublicKey.from_public_bytes(public).verify(b64d(signature, what="signature", size=64), data)
    except InvalidSignature as error:
        raise CryptoFailure("the signature does not match the envelope") from error


def _kek(shared: bytes, ephemeral_public: bytes, recipient_public: bytes) -> bytes:
    # Both public keys go into the salt so that a key-encryption key is bound to this exchange.
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=ephemeral_public + recipient_public, info=HKDF_INFO
    ).derive(shared)


def encrypt_payload(plaintext: bytes, aad: bytes) -> tuple[bytes, str, str]:
    """AES-256-GCM under a fresh content key: (content key, nonce b64, ciphertext b64)."""
    content_key = AESGCM.generate_key(bit_length=256)
    nonce = os.urandom(NONCE_BYTES)
    return content_key, b64e(nonce), b64e(AESGCM(content_key).encrypt(nonce, plaintext, aad))


def decrypt_payload(content_key: bytes, nonce: str, ciphertext: str, aad: bytes) -> bytes:
    try:
        return AESGCM(content_key).decrypt(
            b64d(nonce, what="nonce", size=NONCE_BYTES), b64d(ciphertext, what="ciphertext"), aad
        )
    except InvalidTag as error:
        raise CryptoFailure("the payload does not decrypt: ciphertext or header altered") from error


def wrap_key(content_key: bytes, recipient_public: bytes, aad: bytes) -> dict[str, str]:
    """Wrap the content key for one recipient with an ephemeral X25519 key (ECIES style)."""
    ephemeral = X25519PrivateKey.generate()
    ephemeral_public = raw_public(ephemeral.public_key())
    shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(recipient_public))
    nonce = os.urandom(NONCE_BYTES)
    wrapped = AESGCM(_kek(shared, ephemeral_public, recipient_public)).encrypt(nonce, content_key, aad)
    return {"epk": b64e(ephemeral_public), "nonce": b64e(nonce), "wrapped": b64e(wrapped)}


def unwrap_key(entry: dict[str, str], recipient: X25519PrivateKey, aad: bytes) -> bytes:
    ephemeral_public = b64d(entry.get("epk", ""), what="epk", size=32)
    recipient_public = raw_public(recipient.public_key())
    try:
        shared = recipient.exchange(X25519PublicKey.from_public_bytes(ephemeral_public))
        return AESGCM(_kek(shared, ephemeral_public, recipient_public)).decrypt(
            b64d(entry.get("nonce", ""), what="key nonce", size=NONCE_BYTES),
            b64d(entry.get("wrapped", ""), what="wrapped key"),
            aad,
        )
    except (InvalidTag, ValueError) as error:
        raise CryptoFailure("the content key does not unwrap with this node's key") from error


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
