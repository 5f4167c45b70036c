"""`corridor users ...`, `corridor offices ...` and `corridor audit search`."""

from __future__ import annotations

import sys
from datetime import datetime
from typing import Annotated

import typer
from sqlalchemy.orm import Session

from corridor.cli_support import handles_errors, print_json, print_table

users_app = typer.Typer(
    help="User accounts: create, list, disable, passwords, API tokens.", no_args_is_help=True
)
offices_app = typer.Typer(
    help="Customs offices (PCUs, border posts, airports) and their capacity.", no_args_is_help=True
)
audit_app = typer.Typer(help="The audit log of views and decisions.", no_args_is_help=True)


def _session() -> Session:
    from corridor.db.ready import ready_engine

    return Session(ready_engine(), expire_on_commit=False)


def _password(password_stdin: bool) -> str:
    if password_stdin:
        return sys.stdin.readline().rstrip("\n")
    value: str = typer.prompt("password", hide_input=True, confirmation_prompt=True)
    return value


@users_app.command("create")
@handles_errors
def users_create(
    username: Annotated[str, typer.Argument(help="lower-case login name")],
    role: Annotated[
        str, typer.Option(help="targeting_officer, risk_analyst, liaison_officer, supervisor, administrator")
    ],
    agency: Annotated[str, typer.Option(help="agency code; created when new (see --agency-name)")],
    office: Annotated[
        list[str] | None, typer.Option("--office", help="office code; repeat for several")
    ] = None,
    name: Annotated[str | None, typer.Option(help="display name")] = None,
    email: Annotated[str | None, typer.Option()] = None,
    locale: Annotated[str, typer.Option(help="en, ru or az")] = "en",
    agency_name: Annotated[str | None, typer.Option(help="name of a new agency")] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="read the password from stdin")
    ] = False,
) -> None:
    """Create a user (asks for the password twice unless --password-stdin)."""
    from corridor.accounts.service import NewUser, create_user, ensure_agency

    password = _password(password_stdin)
    with _session() as session:
        ensure_agency(session, agency, agency_name or agency)
        user = create_user(
            session,
            NewUser(
                username=username,
                password=password,
                role=role,
                agency=agency,
                offices=office or [],
                display_name=name,
                email=email,
                locale=locale,
            ),
        )
        typer.echo(f"created {user.username} ({user.role}, {agency.upper()})", err=True)


@users_app.command("setup-admin")
@handles_errors
def users_setup_admin(
    username: Annotated[str, typer.Option(help="administrator login")] = "admin",
    agency: Annotated[str, typer.Option(help="agency code")] = "SCS",
    agency_name: Annotated[str, typer.Option(help="agency name")] = "State Customs Service",
    password_stdin: Annotated[bool, typer.Option("--password-stdin")] = False,
) -> None:
    """First run: create the first administrator. Refused once any user exists."""
    from corridor.accounts.service import NewUser, count_users, create_user, ensure_agency
    from corridor.domain.errors import Conflict

    with _session() as session:
        if count_users(session) > 0:
            raise Conflict("users exist already: use `corridor users create` as an administrator")
        password = _password(password_stdin)
        ensure_agency(session, agency, agency_name)
        create_user(
            session, NewUser(username=username, password=password, role="administrator", agency=agency)
        )
        typer.echo(f"administrator {username} created; log in at /login", err=True)


@users_app.command("list")
@handles_errors
def users_list(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """List users with role, agency, offices and state."""
    from corridor.accounts.service import list_users

    with _session() as session:
        users = list_users(session)
        u_offices = [[o.code for o in u.offices] for u in users]
        rows = [
            {
                "username": u.username,
                "name": u.display_name,
                "role": u.role,
                "agency": u.agency.code,
                "offices": [o.code for o in u.offices],
                "locale": u.locale,
                "active": u.active,
                "locked_until": u.locked_until.isoformat() if u.locked_until else None,
                "last_login_at": u.last_login_at.isoformat() if u.last_login_at else None,
            }
            for u in users
        ]
    if as_json:
        print_json(rows)
    else:
        print_table(
            "Users",
            ["username", "name", "role", "agency", "offices", "active", "last log-in"],
            [
                [
                    r["username"],
                    r["name"],
                    r["role"],
                    r["agency"],
                    ", ".join(u_offices[r_i]),
                    "yes" if r["active"] else "no",
                    r["last_login_at"],
                ]
                for r_i, r in enumerate(rows)
            ],
        )


def _set_active(username: str, active: bool) -> None:
    from corridor.accounts.service import set_active

    with _session() as session:
        set_active(session, username, active)
    typer.echo(f"{username} {'enabled' if active else 'disabled (and logged out everywhere)'}", err=True)


@users_app.command("disable")
@handles_errors
def users_disable(username: str) -> None:
    """Disable a user and end all their sessions and API tokens."""
    _set_active(username, False)


@users_app.command("enable")
@handles_errors
def users_enable(username: str) -> None:
    """Enable a user again (also clears a lock-out)."""
    _set_active(username, True)


@users_app.command("set-password")
@handles_errors
def users_set_password(
    username: str, password_stdin: Annotated[bool, typer.Option("--password-stdin")] = False
) -> None:
    """Set a user's password (clears a lock-out)."""
    from corridor.accounts.service import set_password

    password = _password(password_stdin)
    with _session() as session:
        set_password(session, username, password)
    typer.echo(f"password of {username} changed", err=True)


@users_app.command("token")
@handles_errors
def users_token(
    username: str,
    label: Annotated[str, typer.Option(help="what the token is for")] = "cli",
    days: Annotated[int | None, typer.Option(min=1, max=3650, help="validity in days")] = None,
) -> None:
    """Issue an API token (printed once on stdout; send it as 'Authorization: Bearer <token>')."""
    from corridor.accounts.service import get_user, issue_api_token

    with _session() as session:
        token = issue_api_token(session, get_user(session, username), label, days=days)
    typer.echo(token)


@offices_app.command("add")
@handles_errors
def offices_add(
    code: str,
    name: Annotated[str, typer.Option(help="English name")],
    agency: Annotated[str, typer.Option(help="agency code (must exist)")],
    kind: Annotated[str, typer.Option(help="pcu, border_post, airport, rail or inland")] = "pcu",
    name_ru: Annotated[str | None, typer.Option()] = None,
    name_az: Annotated[str | None, typer.Option()] = None,
    locode: Annotated[str | None, typer.Option(help="UN/LOCODE of the office")] = None,
    capacity: Annotated[int, typer.Option(min=0, help="inspections per day")] = 20,
) -> None:
    """Add or update an office."""
    from corridor.accounts.service import get_agency, upsert_office
    from corridor.domain.errors import InvalidInput
    from corridor.reference import location

    if locode and location(locode) is None:
        raise InvalidInput(f"{locode} is not a known UN/LOCODE", where="locode")
    with _session() as session:
        upsert_office(
            session,
            code=code,
            agency=get_agency(session, agency),
            name_en=name,
            name_ru=name_ru,
            name_az=name_az,
            kind=kind,
            locode=locode,
            daily_capacity=capacity,
        )
        session.commit()
    typer.echo(f"office {code.upper()} saved", err=True)


@offices_app.command("list")
@handles_errors
def offices_list(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """List offices."""
    from corridor.accounts.service import list_offices

    with _session() as session:
        rows = [
            {
                "code": o.code,
                "name": o.name_en,
                "name_ru": o.name_ru,
                "kind": o.kind,
                "locode": o.locode,
                "agency": o.agency.code,
                "daily_capacity": o.daily_capacity,
            }
            for o in list_offices(session)
        ]
    if as_json:
        print_json(rows)
    else:
        print_table(
            "Offices",
            ["code", "name", "kind", "locode", "agency", "capacity/day"],
            [[r["code"], r["name"], r["kind"], r["locode"], r["agency"], r["daily_capacity"]] for r in rows],
        )


@audit_app.command("search")
@handles_errors
def audit_search(
    user: Annotated[str | None, typer.Option(help="username")] = None,
    action: Annotated[str | None, typer.Option(help="action or its prefix, e.g. decision.")] = None,
    consignment: Annotated[str | None, typer.Option(help="consignment id")] = None,
    office: Annotated[str | None, typer.Option()] = None,
    since: Annotated[datetime | None, typer.Option(help="ISO date or time (UTC)")] = None,
    limit: Annotated[int, typer.Option(min=1, max=1000)] = 50,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Search the audit log, newest first."""
    from corridor.accounts.service import AuditFilter, search_audit

    flt = AuditFilter(
        username=user,
        action=action,
        object_id=consignment,
        office=office,
        object_type="consignment" if consignment else None,
        since=since,
    )
    with _session() as session:
        rows, total = search_audit(session, flt, limit=limit)
        items = [
            {
                "at": r.at.isoformat(),
                "user": r.username,
                "action": r.action,
                "object": f"{r.object_type or ''} {r.object_id or ''}".strip(),
                "office": r.office,
                "outcome": r.outcome,
                "ip": r.ip,
                "detail": r.detail,
            }
            for r in rows
        ]
    if as_json:
        print_json({"total": total, "items": items})
    else:
        print_table(
            f"Audit log ({total} entries)",
            ["at", "user", "action", "object", "office", "outcome"],
            [[i["at"], i["user"], i["action"], i["object"], i["office"], i["outcome"]] for i in items],
        )
