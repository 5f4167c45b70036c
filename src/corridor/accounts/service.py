"""Account use cases: users, offices, log-in with lock-out, sessions and API tokens, audit log.

The only place in accounts that commits. Every function takes the SQLAlchemy session of the caller
(a request or a CLI command) and commits when its use case is complete.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from corridor.accounts.config import account_settings
from corridor.accounts.models import AgencyRow, AuditRow, OfficeRow, SessionRow, UserRow
from corridor.accounts.roles import SCOPES, Role, Scope, parse_role
from corridor.accounts.security import (
    check_password_policy,
    digest,
    hash_password,
    needs_rehash,
    new_secret,
    verify_password,
)
from corridor.domain.errors import Conflict, CorridorError, InvalidInput, NotFound, Unauthorized

LOCALES = ("en", "ru", "az")
OFFICE_KINDS = ("pcu", "border_post", "airport", "rail", "inland")
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")


class AccountLocked(CorridorError):
    status = 423
    code = "account_locked"


def now() -> datetime:
    return datetime.now(UTC)


def as_utc(value: datetime | None) -> datetime | None:
    # SQLite returns naive datetimes; everything is stored in UTC.
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


# --- agencies and offices ---------------------------------------------------------------------


def ensure_agency(session: Session, code: str, name: str) -> AgencyRow:
    code = code.strip().upper()
    if not code:
        raise InvalidInput("an agency needs a code", where="agency")
    row = session.scalars(select(AgencyRow).where(AgencyRow.code == code)).first()
    if row is None:
        row = AgencyRow(code=code, name=name or code)
        session.add(row)
        session.flush()
    return row


def get_agency(session: Session, code: str) -> AgencyRow:
    row = session.scalars(select(AgencyRow).where(AgencyRow.code == code.strip().upper())).first()
    if row is None:
        raise NotFound(f"no agency {code!r}", where="agency")
    return row


def upsert_office(
    session: Session,
    *,
    code: str,
    agency: AgencyRow,
    name_en: str,
    kind: str,
    name_ru: str | None = None,
    name_az: str | None = None,
    locode: str | None = None,
    daily_capacity: int = 20,
) -> OfficeRow:
    code = code.strip().upper()
    if not code:
        raise InvalidInput("an office needs a code", where="code")
    if kind not in OFFICE_KINDS:
        raise InvalidInput(
            f"unknown office kind {kind!r}; use one of {', '.join(OFFICE_KINDS)}", where="kind"
        )
    if daily_capacity < 0:
        raise InvalidInput("daily inspection capacity cannot be negative", where="daily_capacity")
    row = session.scalars(select(OfficeRow).where(OfficeRow.code == code)).first()
    if row is None:
        row = OfficeRow(code=code)
        session.add(row)
    row.agency_id = agency.id
    row.name_en = name_en
    row.name_ru = name_ru
    row.name_az = name_az
    row.kind = kind
    row.locode = locode
    row.daily_capacity = daily_capacity
    session.flush()
    return row


def list_offices(session: Session, codes: Iterable[str] | None = None) -> list[OfficeRow]:
    stmt = select(OfficeRow).order_by(OfficeRow.code)
    if codes is not None:
        stmt = stmt.where(OfficeRow.code.in_(list(codes)))
    return list(session.scalars(stmt))


# --- users --------------------------------------------------------------------------------------


@dataclass(slots=True)
class NewUser:
    username: str
    password: str | None
    role: str
    agency: str
    offices: Sequence[str] = ()
    display_name: str | None = None
    email: str | None = None
    locale: str = "en"
    timezone: str = "Asia/Baku"


def create_user(session: Session, new: NewUser, *, actor: UserRow | None = None) -> UserRow:
    username = new.username.strip().lower()
    if not _USERNAME.match(username):
        raise InvalidInput(
            "a username has 2-64 characters: lower-case letters, digits, '.', '_' or '-'", where="username"
        )
    role = parse_role(new.role)
    if new.locale not in LOCALES:
        raise InvalidInput(
            f"unknown language {new.locale!r}; use one of {', '.join(LOCALES)}", where="locale"
        )
    _check_timezone(new.timezone)
    if session.scalars(select(UserRow).where(UserRow.username == username)).first() is not None:
        raise Conflict(f"user {username!r} already exists", where="username")
    agency = get_agency(session, new.agency)
    offices = _offices(session, new.offices, agency)
    if SCOPES[role] is Scope.OWN_OFFICES and not offices:
        raise InvalidInput(f"a {role.value} must belong to at least one office", where="offices")
    if new.password is not None:
        check_password_policy(new.password, username, account_settings().min_password_length)
    user = UserRow(
        username=username,
        display_name=(new.display_name or username).strip(),
        email=new.email,
        role=role.value,
        agency_id=agency.id,
        password_hash=hash_password(new.password) if new.password is not None else None,
        locale=new.locale,
        timezone=new.timezone,
        active=True,
        failed_logins=0,
        created_at=now(),
    )
    user.offices = offices
    session.add(user)
    session.flush()
    audit(
        session,
        actor,
        "user.create",
        "user",
        username,
        detail={"role": role.value, "agency": agency.code, "offices": [o.code for o in offices]},
    )
    session.commit()
    return user


def _check_timezone(name: str) -> None:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(f"unknown time zone {name!r}", where="timezone") from None


def _offices(session: Session, codes: Sequence[str], agency: AgencyRow) -> list[OfficeRow]:
    wanted = [c.strip().upper() for c in codes if c.strip()]
    found = {o.code: o for o in list_offices(session, wanted)}
    missing = [c for c in wanted if c not in found]
    if missing:
        raise InvalidInput(f"unknown office(s): {', '.join(missing)}", where="offices")
    foreign = [c for c in wanted if found[c].agency_id != agency.id]
    if foreign:
        raise InvalidInput(f"office(s) {', '.join(foreign)} belong to another agency", where="offices")
    return [found[c] for c in wanted]


def get_user(session: Session, username: str) -> UserRow:
    row = session.scalars(select(UserRow).where(UserRow.username == username.strip().lower())).first()
    if row is None:
        raise NotFound(f"no user {username!r}", where="username")
    return row


def list_users(session: Session) -> list[UserRow]:
    return list(session.scalars(select(UserRow).order_by(UserRow.username)))


def count_users(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(UserRow)) or 0)


def set_active(session: Session, username: str, active: bool, *, actor: UserRow | None = None) -> UserRow:
    user = get_user(session, username)
    user.active = active
    if not active:
        # A disabled user is logged out everywhere at once, API tokens included.
        for s in session.scalars(select(SessionRow).where(SessionRow.user_id == user.id)):
            s.revoked = True
    else:
        user.failed_logins = 0
        user.locked_until = None
    audit(session, actor, "user.enable" if active else "user.disable", "user", user.username)
    session.commit()
    return user


def set_password(session: Session, username: str, password: str, *, actor: UserRow | None = None) -> UserRow:
    user = get_user(session, username)
    check_password_policy(password, user.username, account_settings().min_password_length)
    user.password_hash = hash_password(password)
    user.failed_logins = 0
    user.locked_until = None
    audit(session, actor, "user.password", "user", user.username)
    session.commit()
    return user


def set_locale(session: Session, user: UserRow, locale: str) -> None:
    if locale not in LOCALES:
        raise InvalidInput(f"unknown language {locale!r}; use one of {', '.join(LOCALES)}", where="locale")
    user.locale = locale
    audit(session, user, "user.locale", "user", user.username, detail={"locale": locale})
    session.commit()


# --- log-in, lock-out, sessions ---------------------------------------------------------------


def authenticate(session: Session, username: str, password: str, *, ip: str | None = None) -> UserRow:
    """The user for a correct password; a lock-out after repeated failures, whatever the password."""
    cfg = account_settings()
    name = username.strip().lower()
    user = session.scalars(select(UserRow).where(UserRow.username == name)).first()
    moment = now()
    if user is None:
        verify_password(None, password)
        audit(
            session,
            None,
            "login",
            "user",
            name[:64],
            outcome="refused",
            ip=ip,
            detail={"why": "unknown user"},
        )
        session.commit()
        raise Unauthorized("wrong username or password", where="password")
    locked_until = as_utc(user.locked_until)
    if locked_until is not None and locked_until > moment:
        audit(session, user, "login", "user", name, outcome="refused", ip=ip, detail={"why": "locked"})
        session.commit()
        raise AccountLocked(
            f"too many failed log-ins: the account is locked until {locked_until:%H:%M} UTC", where="username"
        )
    if not verify_password(user.password_hash, password):
        user.failed_logins += 1
        detail: dict[str, Any] = {"why": "wrong password", "failures": user.failed_logins}
        if user.failed_logins >= cfg.lockout_threshold:
            user.locked_until = moment + timedelta(minutes=cfg.lockout_minutes)
            user.failed_logins = 0
            detail["locked_until"] = user.locked_until.isoformat()
        audit(session, user, "login", "user", name, outcome="refused", ip=ip, detail=detail)
        session.commit()
        raise Unauthorized("wrong username or password", where="password")
    if not user.active:
        audit(session, user, "login", "user", name, outcome="refused", ip=ip, detail={"why": "disabled"})
        session.commit()
        raise Unauthorized("this account is disabled; ask an administrator", where="username")
    if user.password_hash and needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = moment
    session.commit()
    return user


@dataclass(slots=True)
class OpenedSession:
    token: str
    row: SessionRow


def open_session(
    session: Session, user: UserRow, *, ip: str | None = None, via: str = "password"
) -> OpenedSession:
    cfg = account_settings()
    token = new_secret()
    moment = now()
    row = SessionRow(
        token_hash=digest(token),
        user_id=user.id,
        kind="browser",
        csrf_token=new_secret(),
        created_at=moment,
        last_seen_at=moment,
        expires_at=moment + timedelta(hours=cfg.session_max_hours),
        revoked=False,
    )
    session.add(row)
    audit(session, user, "login", "user", user.username, ip=ip, detail={"via": via})
    session.commit()
    return OpenedSession(token, row)


def issue_api_token(
    session: Session, user: UserRow, label: str, *, days: int | None = None, actor: UserRow | None = None
) -> str:
    token = "cor_" + new_secret()
    moment = now()
    session.add(
        SessionRow(
            token_hash=digest(token),
            user_id=user.id,
            kind="api",
            csrf_token=new_secret(),
            label=label[:100],
            created_at=moment,
            last_seen_at=moment,
            expires_at=moment + timedelta(days=days or account_settings().api_token_days),
            revoked=False,
        )
    )
    audit(session, actor or user, "token.issue", "user", user.username, detail={"label": label})
    session.commit()
    return token


@dataclass(slots=True)
class Resolved:
    """What a cookie or token resolves to: a live session, or why there is none."""

    row: SessionRow | None
    reason: str | None = None  # "expired", "revoked", "unknown", "disabled"
    extra: dict[str, Any] = field(default_factory=dict)


def resolve(session: Session, token: str | None, *, kind: str = "browser", touch: bool = True) -> Resolved:
    if not token:
        return Resolved(None, "missing")
    row = session.scalars(
        select(SessionRow).where(SessionRow.token_hash == digest(token), SessionRow.kind == kind)
    ).first()
    if row is None:
        return Resolved(None, "unknown")
    if row.revoked:
        return Resolved(None, "revoked")
    if not row.user.active:
        return Resolved(None, "disabled")
    moment = now()
    expires_at = as_utc(row.expires_at)
    last_seen = as_utc(row.last_seen_at)
    idle = timedelta(minutes=account_settings().session_idle_minutes)
    if (expires_at is not None and expires_at <= moment) or (
        kind == "browser" and last_seen is not None and last_seen + idle <= moment
    ):
        row.revoked = True
        session.commit()
        return Resolved(None, "expired")
    # Sliding idle expiry, written at most once a minute so that page loads do not all write.
    if touch and last_seen is not None and moment - last_seen > timedelta(seconds=60):
        row.last_seen_at = moment
        session.commit()
    return Resolved(row)


def close_session(session: Session, token: str | None, *, ip: str | None = None) -> None:
    resolved = resolve(session, token, touch=False)
    if resolved.row is not None:
        resolved.row.revoked = True
        audit(session, resolved.row.user, "logout", "user", resolved.row.user.username, ip=ip)
        session.commit()


# --- scope --------------------------------------------------------------------------------------


def visible_offices(session: Session, user: UserRow) -> frozenset[str] | None:
    """Office codes whose consignments the user may see; None means every office (administrators)."""
    scope = SCOPES[Role(user.role)]
    if scope is Scope.ALL:
        return None
    if scope is Scope.AGENCY:
        return frozenset(session.scalars(select(OfficeRow.code).where(OfficeRow.agency_id == user.agency_id)))
    return frozenset(o.code for o in user.offices)


def in_scope(scope: frozenset[str] | None, office: str | None) -> bool:
    return scope is None or (office is not None and office in scope)


# --- audit --------------------------------------------------------------------------------------


def audit(
    session: Session,
    user: UserRow | None,
    action: str,
    object_type: str | None = None,
    object_id: str | None = None,
    *,
    office: str | None = None,
    outcome: str = "ok",
    ip: str | None = None,
    detail: dict[str, Any] | None = None,
    summary: str | None = None,
) -> AuditRow:
    """Add an audit entry to the caller's transaction (it commits with the use case it records)."""
    row = AuditRow(
        at=now(),
        user_id=user.id if user is not None else None,
        username=user.username if user is not None else None,
        action=action,
        object_type=object_type,
        object_id=object_id,
        office=office,
        outcome=outcome,
        ip=ip,
        detail=detail or {},
        summary=summary,
    )
    session.add(row)
    return row


@dataclass(slots=True)
class AuditFilter:
    username: str | None = None
    action: str | None = None
    object_type: str | None = None
    object_id: str | None = None
    office: str | None = None
    outcome: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def search_audit(
    session: Session, flt: AuditFilter, *, limit: int = 100, offset: int = 0
) -> tuple[list[AuditRow], int]:
    if limit < 1 or limit > 1000 or offset < 0:
        raise InvalidInput("limit must be 1..1000 and offset >= 0", where="limit")
    conditions = []
    if flt.username:
        conditions.append(AuditRow.username == flt.username.strip().lower())
    if flt.action:
        conditions.append(AuditRow.action.like(flt.action.strip() + "%"))
    if flt.object_type:
        conditions.append(AuditRow.object_type == flt.object_type)
    if flt.object_id:
        conditions.append(AuditRow.object_id == flt.object_id.strip())
    if flt.office:
        conditions.append(AuditRow.office == flt.office.strip().upper())
    if flt.outcome:
        conditions.append(AuditRow.outcome == flt.outcome)
    if flt.since:
        conditions.append(AuditRow.at >= flt.since)
    if flt.until:
        conditions.append(AuditRow.at < flt.until)
    stmt = select(AuditRow).where(*conditions)
    total = int(session.scalar(select(func.count()).select_from(stmt.subquery())) or 0)
    rows = list(
        session.scalars(stmt.order_by(AuditRow.at.desc(), AuditRow.id.desc()).limit(limit).offset(offset))
    )
    return rows, total


def audit_actions(session: Session) -> list[str]:
    return list(session.scalars(select(AuditRow.action).distinct().order_by(AuditRow.action)))
