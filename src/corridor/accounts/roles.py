"""Roles, what each may do, and which offices' consignments each may see (docs/workbench.md)."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    TARGETING_OFFICER = "targeting_officer"
    RISK_ANALYST = "risk_analyst"
    LIAISON_OFFICER = "liaison_officer"
    SUPERVISOR = "supervisor"
    ADMINISTRATOR = "administrator"


class Permission(StrEnum):
    VIEW_CONSIGNMENTS = "view_consignments"
    DECIDE = "decide"
    RECORD_INSPECTION = "record_inspection"
    VIEW_DASHBOARD = "view_dashboard"
    EDIT_PROFILES = "edit_profiles"
    INGEST = "ingest"
    SEARCH_AUDIT = "search_audit"
    MANAGE_USERS = "manage_users"
    VIEW_ALERTS = "view_alerts"  # the alerts inbox: partner alerts and maritime events
    HANDLE_ALERTS = "handle_alerts"  # close, confirm or dismiss them (with a note)
    VIEW_WATCHLISTS = "view_watchlists"  # lists, interactive screening, consignments' screening hits
    DECIDE_SCREENING = "decide_screening"  # record true match / false positive on a hit


_ALL = frozenset(Permission)

PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.TARGETING_OFFICER: frozenset(
        {
            Permission.VIEW_CONSIGNMENTS,
            Permission.DECIDE,
            Permission.RECORD_INSPECTION,
            Permission.VIEW_DASHBOARD,
            Permission.VIEW_ALERTS,
            Permission.HANDLE_ALERTS,
            Permission.VIEW_WATCHLISTS,
        }
    ),
    Role.RISK_ANALYST: frozenset(
        {
            Permission.VIEW_CONSIGNMENTS,
            Permission.VIEW_DASHBOARD,
            Permission.EDIT_PROFILES,
            Permission.INGEST,
            Permission.VIEW_ALERTS,
            Permission.VIEW_WATCHLISTS,
            Permission.DECIDE_SCREENING,
        }
    ),
    Role.LIAISON_OFFICER: frozenset(
        {
            Permission.VIEW_CONSIGNMENTS,
            Permission.VIEW_DASHBOARD,
            Permission.VIEW_ALERTS,
            Permission.HANDLE_ALERTS,
        }
    ),
    Role.SUPERVISOR: frozenset(
        {
            Permission.VIEW_CONSIGNMENTS,
            Permission.DECIDE,
            Permission.RECORD_INSPECTION,
            Permission.VIEW_DASHBOARD,
            Permission.INGEST,
            Permission.VIEW_ALERTS,
            Permission.HANDLE_ALERTS,
            Permission.VIEW_WATCHLISTS,
            Permission.DECIDE_SCREENING,
        }
    ),
    Role.ADMINISTRATOR: _ALL,
}


class Scope(StrEnum):
    """How far a role sees: its own offices, every office of its agency, or every office."""

    OWN_OFFICES = "own_offices"
    AGENCY = "agency"
    ALL = "all"


SCOPES: dict[Role, Scope] = {
    Role.TARGETING_OFFICER: Scope.OWN_OFFICES,
    Role.LIAISON_OFFICER: Scope.OWN_OFFICES,
    Role.RISK_ANALYST: Scope.AGENCY,
    Role.SUPERVISOR: Scope.AGENCY,
    Role.ADMINISTRATOR: Scope.ALL,
}


def parse_role(value: str) -> Role:
    from corridor.domain.errors import InvalidInput

    try:
        return Role(value.strip().lower().replace("-", "_").replace(" ", "_"))
    except ValueError:
        raise InvalidInput(
            f"unknown role {value!r}; use one of {', '.join(r.value for r in Role)}", where="role"
        ) from None


def can(role: str, permission: Permission) -> bool:
    try:
        return permission in PERMISSIONS[Role(role)]
    except ValueError:
        return False
