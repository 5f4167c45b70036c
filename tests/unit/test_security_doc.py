"""docs/security.md shows the roles, permissions and scopes that accounts/roles.py defines."""

from __future__ import annotations

from pathlib import Path

from corridor.accounts.roles import PERMISSIONS, SCOPES, Permission, Role

DOC = Path(__file__).resolve().parents[2] / "docs" / "security.md"


def _table() -> dict[str, list[str]]:
    rows: dict[str, list[str]] = {}
    for line in DOC.read_text(encoding="utf-8").splitlines():
        if line.startswith("| ") and line.count("|") == len(Role) + 2:
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            rows[cells[0].strip("`")] = cells[1:]
    return rows


def test_roles_table_matches_the_code() -> None:
    table = _table()
    assert table["permission"] == [r.value for r in Role]
    for permission in Permission:
        expected = ["✓" if permission in PERMISSIONS[r] else "" for r in Role]
        assert table.get(permission.value) == expected, permission
    assert table["office scope"] == [SCOPES[r].value for r in Role]
