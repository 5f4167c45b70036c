"""Password hashing (Argon2id), random secrets, and their one-way digests."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from corridor.domain.errors import InvalidInput

# argon2-cffi's defaults follow RFC 9106's second recommended profile (Argon2id, 64 MiB, t=3).
_hasher = PasswordHasher()

# Verified when a username does not exist, so that a failed login takes as long either way and does not
# reveal which usernames exist.
_DUMMY_HASH = _hasher.hash("corridor-dummy-password-for-timing")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    if not stored_hash:
        _verify_quietly(_DUMMY_HASH, password)
        return False
    return _verify_quietly(stored_hash, password)


def _verify_quietly(stored_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _hasher.check_needs_rehash(stored_hash)


def check_password_policy(password: str, username: str, min_length: int) -> None:
    """Length over complexity rules (NIST SP 800-63B): long enough, and not the username."""
    if len(password) < min_length:
        raise InvalidInput(f"a password needs at least {min_length} characters", where="password")
    if password.strip().lower() == username.strip().lower():
        raise InvalidInput("the password must not be the username", where="password")
    if len(set(password)) < 4:
        raise InvalidInput("the password repeats too few characters", where="password")


def new_secret() -> str:
    """256 random bits, URL-safe: session cookies, API tokens, CSRF tokens."""
    return secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    """What the database keeps of a session or token: a leaked table does not yield usable cookies."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def same(a: str | None, b: str | None) -> bool:
    if not a or not b:
        return False
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))
