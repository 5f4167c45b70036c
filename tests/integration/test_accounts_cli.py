"""`corridor users|offices|audit` and the demo accounts of `corridor demo setup`."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from corridor.cli import app

runner = CliRunner()


def test_users_create_list_disable_and_token() -> None:
    assert (
        runner.invoke(app, ["users", "setup-admin", "--password-stdin"], input="first-admin-pass\n").exit_code
        == 0
    )
    again = runner.invoke(app, ["users", "setup-admin", "--password-stdin"], input="first-admin-pass\n")
    assert again.exit_code == 1 and "users exist already" in again.output
    added = runner.invoke(
        app,
        [
            "offices",
            "add",
            "AZ-ALAT-PCU",
            "--name",
            "Alat PCU",
            "--agency",
            "SCS",
            "--locode",
            "AZALA",
            "--capacity",
            "30",
        ],
    )
    assert added.exit_code == 0, added.output
    bad_locode = runner.invoke(
        app, ["offices", "add", "X", "--name", "X", "--agency", "SCS", "--locode", "ZZZZZ"]
    )
    assert bad_locode.exit_code == 2
    created = runner.invoke(
        app,
        [
            "users",
            "create",
            "leyla",
            "--role",
            "targeting_officer",
            "--agency",
            "SCS",
            "--office",
            "AZ-ALAT-PCU",
            "--locale",
            "ru",
            "--password-stdin",
        ],
        input="leyla-password\n",
    )
    assert created.exit_code == 0, created.output
    weak = runner.invoke(
        app,
        ["users", "create", "weak", "--role", "supervisor", "--agency", "SCS", "--password-stdin"],
        input="short\n",
    )
    assert weak.exit_code == 2 and "at least 10 characters" in weak.output
    listed = json.loads(runner.invoke(app, ["users", "list", "--json"]).stdout)
    assert {u["username"]: u["offices"] for u in listed} == {"admin": [], "leyla": ["AZ-ALAT-PCU"]}
    assert runner.invoke(app, ["users", "disable", "leyla"]).exit_code == 0
    assert [u["active"] for u in json.loads(runner.invoke(app, ["users", "list", "--json"]).stdout)] == [
        True,
        False,
    ]
    token = runner.invoke(app, ["users", "token", "admin", "--label", "ci"])
    assert token.exit_code == 0 and token.stdout.strip().startswith("cor_")
    assert runner.invoke(app, ["users", "disable", "nobody"]).exit_code == 2
    audit = json.loads(runner.invoke(app, ["audit", "search", "--action", "user.", "--json"]).stdout)
    assert {i["action"] for i in audit["items"]} >= {"user.create", "user.disable"}
