"""Every route × every role × own/other office, against a declared policy.

The policy table below names, for each (method, path) of create_app(), what a caller needs: nothing
(public), any logged-in user, a permission of accounts/roles.py, or the exchange roles; whether the
path addresses an office-scoped object (a consignment, an inspection, a photo, a seizure record...);
and, where a route checks permissions only after reading its input, a valid request. The test walks
app.routes, so a route added without a policy entry fails it; then every route is called as the
anonymous caller and as each role, for an object of the caller's own office and of another office:

- anonymous: 401 (API) or a redirect to /login (pages), except public routes;
- a role without the permission: 403 (404 is accepted for another office's object: no probing);
- a role limited to its own offices, asking for another office's object: 404, and the refusal is in
  the audit log;
- otherwise allowed: neither 401/403 nor an audited scope refusal. No answer is ever a 500.

It runs on SQLite for every route and, to stay within the test budget, on PostgreSQL for the
office-scoped routes (their queries and audited refusals are what could differ). Public routes are
called as the anonymous caller and one user. The matrix size is printed (`pytest -s`).
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from corridor.accounts.deps import SESSION_COOKIE
from corridor.accounts.models import AuditRow, UserRow
from corridor.accounts.roles import PERMISSIONS, SCOPES, Permission, Role, Scope
from corridor.accounts.service import open_session
from corridor.api.app import create_app
from tests.e2e.seed import Alerts, World, seed, seed_alerts, seed_watchlist

P = Permission
PUBLIC = "public"  # no credentials needed
LOGIN = "login"  # the log-in itself: public, and a wrong password is its 401
USER = "user"  # any logged-in user
EXCHANGE = "exchange"  # liaison officers and administrators (exchange.routes.EXCHANGE_ROLES)
CLOSED = "closed"  # first-run set-up: closed for everyone once an administrator exists
Need = Permission | str


@dataclass(frozen=True)
class Rule:
    need: Need
    obj: str | None = None  # the office-scoped object the path addresses
    agency_wide: bool = False  # a list that cannot be limited to offices: refused to own-office roles
    office_at: str | None = None  # "json" or "query": the request names an office (own or another)
    json: Any = None
    form: dict[str, Any] | None = None
    files: dict[str, tuple[str, bytes, str]] | None = None
    query: dict[str, str] = field(default_factory=dict)
    fresh_session: bool = False  # the call ends the session (log-out): use a throwaway one


def R(need: Need, **kw: Any) -> Rule:
    return Rule(need, **kw)


SEIZURE_IN = {
    "seized_at": "2026-01-15T10:00:00Z",
    "commodity_type": "heroin",
    "quantity": 1.5,
    "unit": "kg",
    "detection": "xray",
    "transport_mode": "sea",
}
SETUP_FORM = {
    "agency": "XX-TEST",
    "agency_name": "Test",
    "username": "second.admin",
    "password": "second-admin-pass",
    "password2": "second-admin-pass",
}
CSV = ("seizures.csv", b"ref,seized_at\n", "text/csv")
PNG = ("photo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "image/png")

POLICY: dict[tuple[str, str], Rule] = {
    # API description and probes
    ("GET", "/openapi.json"): R(PUBLIC),
    ("GET", "/docs"): R(PUBLIC),
    ("GET", "/docs/oauth2-redirect"): R(PUBLIC),
    ("GET", "/redoc"): R(PUBLIC),
    ("GET", "/health"): R(PUBLIC),
    ("GET", "/health/ready"): R(PUBLIC),
    ("GET", "/metrics"): R(PUBLIC),  # its own token or loopback check (corridor.ops)
    ("GET", "/schemas/consignment.json"): R(PUBLIC),
    ("GET", "/reference/locodes/{code}"): R(PUBLIC),
    ("GET", "/reference/hs/{code}"): R(PUBLIC),
    ("GET", "/reference/countries/{code}"): R(PUBLIC),
    ("GET", "/"): R(PUBLIC),
    # goods intelligence
    ("GET", "/goods/hs"): R(P.VIEW_CONSIGNMENTS, query={"q": "cars"}),
    ("GET", "/goods/hs/{code}"): R(P.VIEW_CONSIGNMENTS),
    ("POST", "/goods/suggest"): R(P.VIEW_CONSIGNMENTS, json={"description": "used cars"}),
    ("POST", "/goods/check"): R(P.VIEW_CONSIGNMENTS, json={"description": "used cars", "hs_code": "870323"}),
    # consignments and ingest
    ("POST", "/consignments"): R(P.INGEST, json=[]),
    ("POST", "/ingest"): R(P.INGEST, files={"file": CSV}),
    ("GET", "/consignments"): R(P.VIEW_CONSIGNMENTS, office_at="query"),
    ("GET", "/consignments/{ref}"): R(P.VIEW_CONSIGNMENTS, obj="consignment"),
    ("GET", "/consignments/{ref}/history"): R(P.VIEW_CONSIGNMENTS, obj="consignment"),
    ("GET", "/ingest/batches"): R(P.INGEST),
    ("GET", "/ingest/batches/{batch_id}/rejections"): R(P.INGEST),
    # accounts
    ("POST", "/auth/login"): R(LOGIN, json={"username": "nobody-at-all", "password": "not-a-password"}),
    ("POST", "/auth/logout"): R(USER, fresh_session=True),
    ("GET", "/auth/me"): R(USER),
    ("POST", "/auth/tokens"): R(USER, json={"label": "matrix"}),
    ("GET", "/audit-log"): R(P.SEARCH_AUDIT),
    # exchange: the node-to-node protocol (signatures, not users) and its management
    ("GET", "/exchange/v1/identity"): R(PUBLIC),
    ("GET", "/exchange/v1/schemas"): R(PUBLIC),
    ("POST", "/exchange/v1/messages"): R(PUBLIC, json={}),
    ("GET", "/exchange/node"): R(EXCHANGE),
    ("GET", "/exchange/partners"): R(EXCHANGE),
    ("POST", "/exchange/partners"): R(EXCHANGE, json={}),
    ("PUT", "/exchange/partners"): R(EXCHANGE, json={}),
    ("POST", "/exchange/partners/{name}/revoke"): R(EXCHANGE),
    ("GET", "/exchange/agreements"): R(EXCHANGE),
    ("POST", "/exchange/agreements"): R(EXCHANGE, json={}),
    ("GET", "/exchange/groups"): R(EXCHANGE),
    ("POST", "/exchange/groups"): R(EXCHANGE, json={}),
    ("POST", "/exchange/groups/{name}/members"): R(EXCHANGE, json={}),
    ("POST", "/exchange/send"): R(EXCHANGE, json={}),
    ("POST", "/exchange/send/{message_type}"): R(EXCHANGE, json={}),
    ("GET", "/exchange/outbox"): R(EXCHANGE),
    ("POST", "/exchange/outbox/{outbox_id}/retry"): R(EXCHANGE),
    ("GET", "/exchange/inbox"): R(EXCHANGE),
    ("GET", "/exchange/alerts"): R(EXCHANGE),
    ("POST", "/exchange/alerts/{alert_id}/close"): R(EXCHANGE, json={"note": "matrix"}),
    ("GET", "/exchange/audit"): R(EXCHANGE),
    ("GET", "/exchange/audit/verify"): R(EXCHANGE),
    # risk engine
    ("POST", "/assessments"): R(P.VIEW_CONSIGNMENTS, json={"ids": []}),
    ("GET", "/consignments/{ref}/assessment"): R(P.VIEW_CONSIGNMENTS, obj="consignment"),
    ("GET", "/risk/indicators"): R(P.VIEW_CONSIGNMENTS),
    ("GET", "/risk/fields"): R(P.VIEW_CONSIGNMENTS),
    ("GET", "/risk/profiles"): R(P.VIEW_CONSIGNMENTS),
    ("GET", "/risk/profiles/{profile_id}"): R(P.VIEW_CONSIGNMENTS),
    ("POST", "/risk/profiles/validate"): R(P.EDIT_PROFILES, json={"text": ""}),
    ("POST", "/risk/profiles"): R(P.EDIT_PROFILES, json={"text": ""}),
    ("POST", "/risk/profiles/{profile_id}/status"): R(P.EDIT_PROFILES, json={"status": "retired"}),
    ("GET", "/risk/lists"): R(P.VIEW_CONSIGNMENTS),
    ("POST", "/risk/selection"): R(P.DECIDE, json={"date": "2020-01-01"}, office_at="json"),
    ("POST", "/risk/backtest"): R(P.EDIT_PROFILES, json={}),
    # screening
    ("POST", "/screen"): R(P.VIEW_CONSIGNMENTS, json={"name": "Baku Motors"}),
    ("POST", "/screen/batch"): R(P.VIEW_CONSIGNMENTS, json={"names": []}),
    ("GET", "/screening/features"): R(P.VIEW_CONSIGNMENTS),
    ("GET", "/screening/lists"): R(P.VIEW_CONSIGNMENTS),
    ("POST", "/screening/decisions"): R(P.DECIDE, json={}),
    ("POST", "/screening/consignments"): R(P.INGEST, json={"ids": []}),
    ("GET", "/screening/consignments/{consignment_id}/hits"): R(P.VIEW_CONSIGNMENTS, obj="consignment"),
    # model registry
    ("GET", "/models"): R(P.VIEW_CONSIGNMENTS),
    ("GET", "/models/{version}"): R(P.VIEW_CONSIGNMENTS),
    ("POST", "/models/{version}/activate"): R(P.EDIT_PROFILES),
    ("POST", "/models/rollback"): R(P.EDIT_PROFILES),
    ("GET", "/consignments/{ref}/model"): R(P.VIEW_CONSIGNMENTS, obj="consignment"),
    # maritime
    ("GET", "/maritime/events"): R(P.VIEW_DASHBOARD),
    ("GET", "/maritime/events/open"): R(P.VIEW_DASHBOARD),
    ("GET", "/maritime/events/{event_id}"): R(P.VIEW_DASHBOARD),
    ("POST", "/maritime/events/{event_id}/review"): R(P.DECIDE, json={"status": "confirmed"}),
    ("GET", "/maritime/detectors"): R(P.VIEW_DASHBOARD),
    ("POST", "/maritime/detect"): R(P.INGEST, json={}),
    ("POST", "/maritime/ingest"): R(P.INGEST, files={"file": ("ais.nmea", b"", "text/plain")}),
    ("GET", "/maritime/ingests"): R(P.VIEW_DASHBOARD),
    ("GET", "/maritime/vessels"): R(P.VIEW_DASHBOARD),
    ("GET", "/maritime/vessels/{vessel}"): R(P.VIEW_DASHBOARD),
    ("GET", "/maritime/vessels/{vessel}/consignments"): R(P.VIEW_DASHBOARD, agency_wide=True),
    ("GET", "/maritime/vessels/{vessel}/screening"): R(P.VIEW_DASHBOARD),
    ("GET", "/maritime/flag/{mmsi}"): R(P.VIEW_DASHBOARD),
    ("POST", "/maritime/zones"): R(P.INGEST, json={}),
    ("DELETE", "/maritime/zones/{code}"): R(P.INGEST),
    ("GET", "/maritime/map/tracks"): R(P.VIEW_DASHBOARD),
    ("GET", "/maritime/map/platforms"): R(P.VIEW_DASHBOARD),
    ("GET", "/maritime/map/zones"): R(P.VIEW_DASHBOARD),
    ("GET", "/maritime/map/events"): R(P.VIEW_DASHBOARD),
    # seizure database and analytics
    ("GET", "/seizures"): R(P.VIEW_DASHBOARD),
    ("POST", "/seizures"): R(P.RECORD_INSPECTION, json=SEIZURE_IN, office_at="json"),  # or INGEST (ALSO)
    ("POST", "/seizures/import"): R(P.INGEST, files={"file": CSV}),
    ("GET", "/seizures/export"): R(P.VIEW_DASHBOARD),
    ("GET", "/seizures/stats"): R(P.VIEW_DASHBOARD),
    ("GET", "/seizures/trend"): R(P.VIEW_DASHBOARD, query={"month": "2026-01"}),
    ("GET", "/seizures/profiles"): R(P.VIEW_DASHBOARD),
    ("GET", "/seizures/map/{layer}.geojson"): R(P.VIEW_DASHBOARD),
    ("GET", "/seizures/report"): R(P.VIEW_DASHBOARD, query={"month": "2026-01", "format": "html"}),
    ("GET", "/seizures/watchlist"): R(P.VIEW_DASHBOARD),
    ("POST", "/seizures/from-case/{seizure_id}"): R(P.RECORD_INSPECTION, obj="case_seizure"),
    ("GET", "/seizures/attachments/{attachment_id}"): R(P.VIEW_DASHBOARD, obj="attachment"),
    ("GET", "/seizures/{ref}"): R(P.VIEW_DASHBOARD, obj="record"),
    ("POST", "/seizures/{ref}/attachments"): R(P.RECORD_INSPECTION, obj="record", files={"file": PNG}),
    ("POST", "/seizures/{ref}/watch"): R(P.EDIT_PROFILES, obj="record", json={}),
    # workbench: log-in, set-up, language
    ("GET", "/login"): R(PUBLIC),
    ("GET", "/login/oidc"): R(PUBLIC),
    ("GET", "/login/oidc/callback"): R(PUBLIC),
    ("POST", "/login"): R(LOGIN, form={"username": "nobody-at-all", "password": "not-a-password"}),
    ("POST", "/logout"): R(USER, fresh_session=True),
    ("GET", "/setup"): R(CLOSED),
    ("POST", "/setup"): R(CLOSED, form=SETUP_FORM),
    ("POST", "/preferences/locale"): R(USER, form={"locale": "en"}),
    ("GET", "/lang/{code}"): R(PUBLIC),
    # workbench: queue, consignment, decisions, inspections, seizures
    ("GET", "/queue"): R(P.VIEW_CONSIGNMENTS),
    ("GET", "/queue/rows"): R(P.VIEW_CONSIGNMENTS),
    ("GET", "/consignment/{consignment_id}"): R(P.VIEW_CONSIGNMENTS, obj="consignment"),
    ("POST", "/consignment/{consignment_id}/decide/check"): R(P.DECIDE, obj="consignment"),
    ("POST", "/consignment/{consignment_id}/decide"): R(
        P.DECIDE, obj="consignment", form={"action": "select", "method": "xray"}
    ),
    ("GET", "/consignment/{consignment_id}/inspect"): R(P.RECORD_INSPECTION, obj="consignment"),
    ("POST", "/consignment/{consignment_id}/inspect"): R(
        P.RECORD_INSPECTION, obj="consignment", form={"result": "nothing_found"}
    ),
    ("GET", "/inspections/{inspection_id}/seizure"): R(P.RECORD_INSPECTION, obj="inspection"),
    ("POST", "/inspections/{inspection_id}/seizure"): R(P.RECORD_INSPECTION, obj="inspection", form={}),
    ("GET", "/photos/{photo_id}"): R(P.VIEW_CONSIGNMENTS, obj="photo"),
    # workbench: overview, audit, users
    ("GET", "/dashboard"): R(P.VIEW_DASHBOARD),
    ("GET", "/map"): R(P.VIEW_DASHBOARD),
    ("GET", "/geo/countries.geojson"): R(USER),
    ("GET", "/map/data.geojson"): R(P.VIEW_DASHBOARD),
    ("GET", "/audit"): R(P.SEARCH_AUDIT),
    ("GET", "/admin/users"): R(P.MANAGE_USERS),
    ("POST", "/admin/users"): R(
        P.MANAGE_USERS,
        form={
            "username": "matrix.user",
            "role": "supervisor",
            "agency": "AZ-SCS",
            "password": "matrix-pass-123",
        },
    ),
    ("POST", "/admin/users/{username}/{verb}"): R(P.MANAGE_USERS),
    # workbench: profiles
    ("GET", "/profiles"): R(P.VIEW_DASHBOARD),
    ("GET", "/profiles/{profile_id}"): R(P.VIEW_DASHBOARD),
    ("GET", "/profiles/{profile_id}/edit"): R(P.EDIT_PROFILES),
    ("POST", "/profiles/validate"): R(P.EDIT_PROFILES, form={"text": ""}),
    ("POST", "/profiles/{profile_id}/edit"): R(P.EDIT_PROFILES, form={"text": ""}),
    ("POST", "/profiles/{profile_id}/status"): R(P.EDIT_PROFILES, form={"status": "retired"}),
    ("GET", "/profiles/{profile_id}/backtest"): R(P.VIEW_DASHBOARD),
    ("POST", "/profiles/test"): R(P.EDIT_PROFILES, form={"text": ""}),
    # workbench: seizure analytics, alerts, watch lists, the sea
    ("GET", "/analytics/seizures"): R(P.VIEW_DASHBOARD),
    ("GET", "/alerts"): R(P.VIEW_ALERTS),
    ("POST", "/alerts/exchange/{alert_id}/close"): R(P.HANDLE_ALERTS, form={"note": "matrix"}),
    ("POST", "/alerts/maritime/{event_id}/review"): R(
        P.HANDLE_ALERTS, form={"decision": "confirmed", "note": "matrix"}
    ),
    ("GET", "/watchlists"): R(P.VIEW_WATCHLISTS),
    ("GET", "/watchlists/screen"): R(P.VIEW_WATCHLISTS, query={"name": "Baku Motors"}),
    ("POST", "/watchlists/hits/{hit_id}/decide"): R(P.DECIDE_SCREENING, obj="hit", form={"decision": "open"}),
    ("GET", "/sea"): R(P.VIEW_DASHBOARD),
}
# Routes whose permission is one of several (seizures: a record comes from an inspection or an import).
ALSO: dict[tuple[str, str], tuple[Permission, ...]] = {
    ("POST", "/seizures"): (P.INGEST,),
    ("POST", "/seizures/from-case/{seizure_id}"): (P.INGEST,),
    ("POST", "/seizures/{ref}/attachments"): (P.INGEST,),
}
EXCHANGE_ROLES = frozenset({Role.LIAISON_OFFICER, Role.ADMINISTRATOR})
# One account per role; the officer and the liaison officer work at Alat (the liaison also at the airport).
PRINCIPALS: dict[str, Role | None] = {
    "anonymous": None,
    "officer": Role.TARGETING_OFFICER,
    "analyst": Role.RISK_ANALYST,
    "liaison": Role.LIAISON_OFFICER,
    "supervisor": Role.SUPERVISOR,
    "admin": Role.ADMINISTRATOR,
}
# Path parameters that name no office-scoped object.
PLAIN = {
    "code": "AZALA",
    "profile_id": "P-NOT-THERE",
    "version": "not-a-version",
    "vessel": "273456780",
    "mmsi": "273456780",
    "name": "XX-NOBODY",
    "message_type": "alert",
    "outbox_id": "999999",
    "batch_id": "999999",
    "layer": "points",
    "username": "nobody-here",
    "verb": "disable",
}


def _may(role: Role, method: str, path: str, rule: Rule) -> bool:
    if rule.need in (PUBLIC, LOGIN, USER):
        return True
    if rule.need == EXCHANGE:
        return role in EXCHANGE_ROLES
    if rule.need == CLOSED:
        return False
    wanted = (Permission(rule.need), *ALSO.get((method, path), ()))
    return any(p in PERMISSIONS[role] for p in wanted)


@dataclass
class Objects:
    """Ids of office-scoped objects at Alat (own office of the officer and the liaison officer) and Astara."""

    own: dict[str, int]
    other: dict[str, int]
    events: Alerts


def _objects(engine: Engine, world: World, tmp: Path) -> Objects:
    from corridor.cases.models import SeizurePhotoRow
    from corridor.cases.service import Photo, SeizureForm, decide, record_inspection, record_seizure
    from corridor.cases.vocabulary import CONCEALMENTS
    from corridor.screening.models import ScreeningHitRow
    from corridor.seizures import service as records

    alerts = seed_alerts(engine)
    seed_watchlist(engine, tmp)
    ids: dict[str, dict[str, int]] = {"own": {}, "other": {}}
    with Session(engine, expire_on_commit=False) as session:
        admin = session.scalars(select(UserRow).where(UserRow.username == "admin")).one()
        for side, consignment in (("own", world.riskiest), ("other", world.astara)):
            decide(session, admin, consignment, action="select", method="physical")
            inspection = record_inspection(session, admin, consignment, result="seizure")
            seizure = record_seizure(
                session,
                admin,
                inspection.id,
                SeizureForm(commodity="tobacco", quantity=20, unit="cartons", concealment=CONCEALMENTS[0]),
                [Photo("seizure.png", _png())],
            )
            record, _status = records.record_from_case(session, seizure.id)
            attachment = records.add_attachment(session, record.id, "xray.png", _png(), kind="xray")
            hit = session.scalars(
                select(ScreeningHitRow.id).where(ScreeningHitRow.consignment_id == consignment)
            ).first()
            assert hit is not None, "the seeded watch list names a party of every consignment"
            photo = session.scalars(
                select(func.min(SeizurePhotoRow.id)).where(SeizurePhotoRow.seizure_id == seizure.id)
            ).one()
            ids[side] = {
                "consignment": consignment,
                "inspection": inspection.id,
                "photo": int(photo),
                "case_seizure": seizure.id,
                "record": record.id,
                "attachment": attachment.id,
                "hit": hit,
            }
        session.commit()
    return Objects(ids["own"], ids["other"], alerts)


def _png() -> bytes:
    from tests.e2e.test_workbench_browser import _png as png

    return png()


def _routes(app: Any) -> list[tuple[str, str]]:
    found = []
    for route in iter_route_contexts(app.routes):
        if route.methods is None or route.path is None:
            continue  # the static files mount
        found.extend((method, route.path) for method in sorted(route.methods - {"HEAD"}))
    return found


def _log_in(app: Any, engine: Engine, username: str) -> tuple[TestClient, str]:
    """A browser session of `username`, opened as a log-in does (the log-in itself is tested elsewhere;
    this spares the password hasher a thousand times over)."""
    with Session(engine, expire_on_commit=False) as session:
        user = session.scalars(select(UserRow).where(UserRow.username == username)).one()
        opened = open_session(session, user, via="test")
    client = TestClient(app, raise_server_exceptions=False, cookies={SESSION_COOKIE: opened.token})
    return client, opened.row.csrf_token


def _refusals(engine: Engine, username: str) -> int:
    with Session(engine) as session:
        return int(
            session.scalar(
                select(func.count())
                .select_from(AuditRow)
                .where(AuditRow.username == username, AuditRow.outcome == "refused")
            )
            or 0
        )


@dataclass
class Call:
    principal: str
    method: str
    path: str
    side: str  # "own", "other" or "-" (no office-scoped object)
    expect: str  # "public", "login", "allowed", "denied", "hidden", "closed"
    status: int = 0
    audited: bool = False

    def ok(self) -> bool:
        s = self.status
        if s >= 500:
            return False
        if self.expect == "public":
            return s != 401
        if self.expect == "login-route":
            return True  # below 500: a wrong password is its 401, a forged form its 403
        if self.expect == "login":
            return s == 401 or s == 303
        if self.expect == "closed":
            return s in (303, 403)
        if self.expect == "denied":
            return s == 403 or (self.side == "other" and s == 404)
        if self.expect == "hidden":
            return s == 404 and self.audited
        # an own-office object may still be "not found" for its own reasons (no active model), but the
        # answer is never the scope refusal, which is audited
        return s not in (401, 403) and not self.audited


def _office_scoped(rule: Rule) -> bool:
    return rule.obj is not None or rule.office_at is not None or rule.agency_wide


def _expect(role: Role | None, method: str, path: str, rule: Rule, side: str) -> str:
    if rule.need == PUBLIC:
        return "public"
    if rule.need == LOGIN:
        return "login-route"
    if rule.need == CLOSED:
        return "closed"
    if role is None:
        return "login"
    if not _may(role, method, path, rule):
        return "denied"
    if rule.agency_wide and SCOPES[role] is Scope.OWN_OFFICES:
        return "denied"
    if side == "other" and SCOPES[role] is Scope.OWN_OFFICES:
        return "denied" if rule.office_at else "hidden"
    return "allowed"


def _url(path: str, rule: Rule, ids: dict[str, int], objects: Objects) -> str:
    params = dict(PLAIN)
    params["event_id"] = str(objects.events.gap_event)
    params["alert_id"] = str(objects.events.container_alert)
    if rule.obj is not None:
        value = str(ids[rule.obj])
        for name in (
            "ref",
            "consignment_id",
            "inspection_id",
            "photo_id",
            "seizure_id",
            "attachment_id",
            "hit_id",
        ):
            params[name] = value
    return re.sub(r"\{([^}]+)\}", lambda m: params[m.group(1)], path)


OFFICES = {"own": "AZ-ALAT-PCU", "other": "AZ-ASTARA-BP"}


def _send(client: TestClient, csrf: str | None, method: str, url: str, rule: Rule, side: str) -> Response:
    headers = {"X-CSRF-Token": csrf} if csrf else {}
    office = {"office": OFFICES[side]} if rule.office_at else {}
    query = {**rule.query, **office} if rule.office_at == "query" else rule.query
    kwargs: dict[str, Any] = {"params": query, "headers": headers, "follow_redirects": False}
    if rule.json is not None:
        kwargs["json"] = {**rule.json, **office} if rule.office_at == "json" else rule.json
    elif rule.files is not None:
        kwargs["files"] = rule.files
    elif rule.form is not None:
        kwargs["data"] = rule.form
    return client.request(method, url, **kwargs)


def test_every_route_role_and_office_against_the_policy(
    engine: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    world = seed(engine, datetime.now(UTC))
    objects = _objects(engine, world, tmp_path)
    app = create_app(engine)
    every = _routes(app)
    missing = sorted(set(every) - set(POLICY))
    assert not missing, "routes without a policy entry (add them to POLICY):\n" + "\n".join(
        f"{m} {p}" for m, p in missing
    )
    stale = sorted(set(POLICY) - set(every))
    # Within the test budget: every route on SQLite; on PostgreSQL the routes whose answer depends on
    # the office scope (scoped queries, audited refusals), where the databases could differ.
    routes = every if engine.dialect.name == "sqlite" else [r for r in every if _office_scoped(POLICY[r])]
    assert not stale, f"policy entries for routes that no longer exist: {stale}"

    clients: dict[str, tuple[TestClient, str | None]] = {"anonymous": (TestClient(app), None)}
    for username in PRINCIPALS:
        if username != "anonymous":
            clients[username] = _log_in(app, engine, username)

    calls: list[Call] = []
    for method, path in routes:
        rule = POLICY[(method, path)]
        sides = ("own", "other") if rule.obj or rule.office_at else ("-",)
        callers = PRINCIPALS.items()
        if rule.need in (PUBLIC, LOGIN):  # they never look at the caller: anonymous and one user suffice
            callers = [(u, r) for u, r in PRINCIPALS.items() if u in ("anonymous", "admin")]
        for username, role in callers:
            for side in sides:
                ids = objects.other if side == "other" else objects.own
                call = Call(username, method, path, side, _expect(role, method, path, rule, side))
                client, csrf = clients[username]
                if rule.fresh_session and role is not None:
                    client, csrf = _log_in(app, engine, username)
                scoped = rule.obj is not None and role is not None
                before = _refusals(engine, username) if scoped else 0
                call.status = _send(
                    client, csrf, method, _url(path, rule, ids, objects), rule, side
                ).status_code
                if scoped:
                    call.audited = _refusals(engine, username) > before
                calls.append(call)

    wrong = [c for c in calls if not c.ok()]
    by_expect: dict[str, int] = {}
    for c in calls:
        by_expect[c.expect] = by_expect.get(c.expect, 0) + 1
    scoped = sum(1 for r in routes if _office_scoped(POLICY[r]))
    with capsys.disabled():
        sys.stdout.write(
            f"\naccess matrix [{engine.dialect.name}]: {len(routes)} of {len(every)} routes × {len(PRINCIPALS)} callers"
            f" (own and other office for {scoped} of them) = {len(calls)} calls; {by_expect}\n"
        )
    assert not wrong, f"{len(wrong)} of {len(calls)} calls broke the policy:\n" + "\n".join(
        f"{c.principal:<10} {c.method:<6} {c.path} [{c.side}] expected {c.expect}, got {c.status}"
        + (" (not audited)" if c.expect == "hidden" and c.status == 404 else "")
        for c in wrong
    )


def test_policy_table_names_real_permissions_and_every_role_is_a_principal() -> None:
    needs = {r.need for r in POLICY.values()}
    assert needs - {PUBLIC, LOGIN, USER, EXCHANGE, CLOSED} <= set(Permission)
    assert {r for r in PRINCIPALS.values() if r is not None} == set(Role)
    assert {r.obj for r in POLICY.values()} - {None} == {
        "consignment",
        "inspection",
        "photo",
        "case_seizure",
        "record",
        "attachment",
        "hit",
    }
