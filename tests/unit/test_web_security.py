"""Security helpers: Argon2 hashing, password policy, token digests, safe redirects, lane overrides, roles."""

from __future__ import annotations

import pytest

from corridor.accounts.roles import PERMISSIONS, SCOPES, Permission, Role, can, parse_role
from corridor.accounts.security import (
    check_password_policy,
    digest,
    hash_password,
    needs_rehash,
    new_secret,
    same,
    verify_password,
)
from corridor.cases.vocabulary import is_override
from corridor.domain.errors import InvalidInput
from corridor.web.pages_auth import safe_next


def test_argon2_hash_and_verify() -> None:
    stored = hash_password("correct horse battery")
    assert stored.startswith("$argon2id$")
    assert verify_password(stored, "correct horse battery")
    assert not verify_password(stored, "correct horse battery!")
    assert not verify_password(None, "anything")
    assert not verify_password("not-a-hash", "anything")
    assert not needs_rehash(stored)
    assert hash_password("same") != hash_password("same")  # salted


def test_password_policy() -> None:
    check_password_policy("a-long-password", "leyla", 10)
    for bad in ("short", "leyla.user", "aaaaaaaaaaaa"):
        with pytest.raises(InvalidInput):
            check_password_policy(bad, "leyla.user", 10)


def test_secrets_and_digests() -> None:
    a, b = new_secret(), new_secret()
    assert a != b and len(a) >= 40
    assert digest(a) == digest(a) and len(digest(a)) == 64 and digest(a) != a
    assert same(a, a) and not same(a, b) and not same(None, a) and not same("", "")


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/consignment/5", "/consignment/5"),
        ("https://evil.example/", "/queue"),
        ("//evil.example", "/queue"),
        ("javascript:alert(1)", "/queue"),
        (None, "/queue"),
        ("queue", "/queue"),
    ],
)
def test_only_local_redirects_after_login(target: str | None, expected: str) -> None:
    assert safe_next(target) == expected


def test_lane_overrides() -> None:
    assert is_override("red", "release") and is_override("yellow", "release")
    assert is_override("green", "select") and is_override("blue", "select")
    assert not is_override("red", "select") and not is_override("green", "release")
    assert not is_override("red", "hold") and not is_override(None, "release")


def test_roles() -> None:
    assert set(PERMISSIONS) == set(Role) == set(SCOPES)
    assert can("targeting_officer", Permission.DECIDE) and not can("risk_analyst", Permission.DECIDE)
    assert not can("liaison_officer", Permission.DECIDE) and can("administrator", Permission.SEARCH_AUDIT)
    assert not can("supervisor", Permission.MANAGE_USERS) and not can("nobody", Permission.VIEW_CONSIGNMENTS)
    assert parse_role("Targeting Officer") is Role.TARGETING_OFFICER
    with pytest.raises(InvalidInput):
        parse_role("boss")
