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
- otherwise allowed: the call succeeds (2xx, or a redirect that is not to the log-in) and is no audited
  scope refusal; a route that cannot succeed declares its status and why (Rule.allowed_status, .why).
  No answer is ever a 500.

So that allowed calls can succeed, _objects seeds what the routes name (profiles, registered model
versions, an ingest batch, zones, an exchange node with partners, a group and dead outbox messages,
screening hits...) and each Rule gives a valid request; an object a call consumes (a deleted zone, a
revoked partner, a retried message) is one per caller, so that no call depends on the calls before it.

It runs on SQLite for every route and, to stay within the test budget, on PostgreSQL for the
office-scoped routes (their queries and audited refusals are what could differ). Public routes are
called as the anonymous caller and one user. The matrix size is printed (`pytest -s`).
"""

from __future__ import annotations

import functools
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
from corridor.cases.vocabulary import CONCEALMENTS
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
    # The request: a value, or a function of the call (Ctx) for what only the seeded world knows.
    json: Any = None
    form: Any = None
    files: Any = None
    query: Any = field(default_factory=dict)
    path: Any = None  # path parameters that differ from PLAIN for this route
    fresh_session: bool = False  # the call ends the session (log-out): use a throwaway one
    # An allowed call succeeds (2xx/3xx) unless its status is declared here, with the reason.
    allowed_status: int | None = None
    why: str = ""


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
# A profile of the matrix's own, so that saving and status changes leave the packaged ones alone.
PROFILE = """id: MTX-001
title: Seal number used twice (access matrix)
owner: hq-risk/general
weight: 0.5
status: draft
threat: security
rationale: Written by the access matrix test.
when:
  equipment.repeated_seals: {gte: 1}
"""
ZONE = {
    "code": "matrix-bay",
    "name": "Matrix bay",
    "geometry": {
        "type": "Polygon",
        "coordinates": [[[49.0, 40.0], [50.0, 40.0], [50.0, 41.0], [49.0, 40.0]]],
    },
}
AIS = (
    "ais.nmea",
    b"!AIVDM,2,1,1,A,55?MbV02;H;s<HtKR20EHE:0@T4@Dn2222222216L961O5Gf0NSQEp6ClRp8,0*1C\n"
    b"!AIVDM,2,2,1,A,88888888880,2*25\n",
    "text/plain",
)
ALERT = {"container": "MSCU1234565", "reason": "undeclared cigarettes", "action": "inspect"}
PARTNER = "KZ-MTX"  # an exchange partner seeded with a send agreement for alerts
SEIZURE_FORM = {"commodity": "tobacco", "quantity": "5", "unit": "cartons", "concealment": CONCEALMENTS[0]}
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
    ("GET", "/goods/hs/{code}"): R(P.VIEW_CONSIGNMENTS, path={"code": "870323"}),
    ("POST", "/goods/suggest"): R(P.VIEW_CONSIGNMENTS, json={"description": "used cars"}),
    ("POST", "/goods/check"): R(P.VIEW_CONSIGNMENTS, json={"description": "used cars", "hs_code": "870323"}),
    # consignments and ingest
    ("POST", "/consignments"): R(P.INGEST, json=[]),
    ("POST", "/ingest"): R(P.INGEST, files={"file": CSV}),
    ("GET", "/consignments"): R(P.VIEW_CONSIGNMENTS, office_at="query"),
    ("GET", "/consignments/{ref}"): R(P.VIEW_CONSIGNMENTS, obj="consignment"),
    ("GET", "/consignments/{ref}/history"): R(P.VIEW_CONSIGNMENTS, obj="consignment"),
    ("GET", "/ingest/batches"): R(P.INGEST),
    ("GET", "/ingest/batches/{batch_id}/rejections"): R(P.INGEST, path=lambda c: {"batch_id": c["batch"]}),
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
    ("POST", "/exchange/partners"): R(EXCHANGE, json=lambda c: {"identity": c[f"new_partner:{c.caller}"]}),
    ("PUT", "/exchange/partners"): R(EXCHANGE, json=lambda c: {"identity": c["partner"]}),
    ("POST", "/exchange/partners/{name}/revoke"): R(
        EXCHANGE, path=lambda c: {"name": c[f"revoked:{c.caller}"]}
    ),
    ("GET", "/exchange/agreements"): R(EXCHANGE),
    ("POST", "/exchange/agreements"): R(
        EXCHANGE, json={"partner": PARTNER, "send": ["alert"], "receive": ["alert"]}
    ),
    ("GET", "/exchange/groups"): R(EXCHANGE),
    ("POST", "/exchange/groups"): R(EXCHANGE, json=lambda c: {"name": f"MTX-{c.caller.upper()}"}),
    ("POST", "/exchange/groups/{name}/members"): R(
        EXCHANGE, path={"name": "MTX-GROUP"}, json={"add": [PARTNER]}
    ),
    ("POST", "/exchange/send"): R(
        EXCHANGE, json={"messages": [{"type": "alert", "to": [PARTNER], "payload": ALERT}]}
    ),
    ("POST", "/exchange/send/{message_type}"): R(EXCHANGE, json={"to": [PARTNER], "payload": ALERT}),
    ("GET", "/exchange/outbox"): R(EXCHANGE),
    ("POST", "/exchange/outbox/{outbox_id}/retry"): R(
        EXCHANGE, path=lambda c: {"outbox_id": c[f"dead:{c.caller}"]}
    ),
    ("GET", "/exchange/inbox"): R(EXCHANGE),
    ("GET", "/exchange/alerts"): R(EXCHANGE),
    ("POST", "/exchange/alerts/{alert_id}/close"): R(EXCHANGE, json={"note": "matrix"}),
    ("GET", "/exchange/audit"): R(EXCHANGE),
    ("GET", "/exchange/audit/verify"): R(EXCHANGE),
    # risk engine
    ("POST", "/assessments"): R(P.VIEW_CONSIGNMENTS, json=lambda c: {"ids": [c.objects.own["consignment"]]}),
    ("GET", "/consignments/{ref}/assessment"): R(P.VIEW_CONSIGNMENTS, obj="consignment"),
    ("GET", "/risk/indicators"): R(P.VIEW_CONSIGNMENTS),
    ("GET", "/risk/fields"): R(P.VIEW_CONSIGNMENTS),
    ("GET", "/risk/profiles"): R(P.VIEW_CONSIGNMENTS),
    ("GET", "/risk/profiles/{profile_id}"): R(P.VIEW_CONSIGNMENTS),
    ("POST", "/risk/profiles/validate"): R(P.EDIT_PROFILES, json={"text": PROFILE}),
    ("POST", "/risk/profiles"): R(P.EDIT_PROFILES, json={"text": PROFILE}),
    ("POST", "/risk/profiles/{profile_id}/status"): R(
        P.EDIT_PROFILES, path={"profile_id": "MTX-001"}, json={"status": "draft"}
    ),
    ("GET", "/risk/lists"): R(P.VIEW_CONSIGNMENTS),
    ("POST", "/risk/selection"): R(P.DECIDE, json=lambda c: {"date": c[f"day:{c.side}"]}, office_at="json"),
    ("POST", "/risk/backtest"): R(P.EDIT_PROFILES, json=lambda c: {"from": c["day:own"], "to": c["day:own"]}),
    # screening
    ("POST", "/screen"): R(P.VIEW_CONSIGNMENTS, json={"name": "Baku Motors"}),
    ("POST", "/screen/batch"): R(P.VIEW_CONSIGNMENTS, json={"queries": [{"name": "Baku Motors"}]}),
    ("GET", "/screening/features"): R(P.VIEW_CONSIGNMENTS),
    ("GET", "/screening/lists"): R(P.VIEW_CONSIGNMENTS),
    ("POST", "/screening/decisions"): R(P.DECIDE, json=lambda c: c["decision"]),
    ("POST", "/screening/consignments"): R(P.INGEST, json=lambda c: {"ids": [c.objects.own["consignment"]]}),
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
    ("POST", "/maritime/ingest"): R(P.INGEST, files={"file": AIS}),
    ("GET", "/maritime/ingests"): R(P.VIEW_DASHBOARD),
    ("GET", "/maritime/vessels"): R(P.VIEW_DASHBOARD),
    ("GET", "/maritime/vessels/{vessel}"): R(P.VIEW_DASHBOARD),
    ("GET", "/maritime/vessels/{vessel}/consignments"): R(P.VIEW_DASHBOARD, agency_wide=True),
    ("GET", "/maritime/vessels/{vessel}/screening"): R(P.VIEW_DASHBOARD),
    ("GET", "/maritime/flag/{mmsi}"): R(P.VIEW_DASHBOARD),
    ("POST", "/maritime/zones"): R(P.INGEST, json=ZONE),
    ("DELETE", "/maritime/zones/{code}"): R(P.INGEST, path=lambda c: {"code": f"matrix-{c.caller}"}),
    ("GET", "/maritime/map/tracks"): R(P.VIEW_DASHBOARD),
    ("GET", "/maritime/map/platforms"): R(P.VIEW_DASHBOARD),
    ("GET", "/maritime/map/zones"): R(P.VIEW_DASHBOARD),
    ("GET", "/maritime/map/events"): R(P.VIEW_DASHBOARD),
    # seizure database and analytics
    ("GET", "/seizures"): R(P.VIEW_DASHBOARD),
    ("POST", "/seizures"): R(P.RECORD_INSPECTION, json=SEIZURE_IN, office_at="json"),  # or INGEST (ALSO)
    ("POST", "/seizures/import"): R(P.INGEST, files=lambda c: {"file": c["seizures.csv"]}),
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
    ("POST", "/inspections/{inspection_id}/seizure"): R(
        P.RECORD_INSPECTION, obj="inspection", form=SEIZURE_FORM
    ),
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
    ("POST", "/admin/users/{username}/{verb}"): R(
        P.MANAGE_USERS, path={"username": "astara", "verb": "enable"}
    ),
    # workbench: profiles
    ("GET", "/profiles"): R(P.VIEW_DASHBOARD),
    ("GET", "/profiles/{profile_id}"): R(P.VIEW_DASHBOARD),
    ("GET", "/profiles/{profile_id}/edit"): R(P.EDIT_PROFILES),
    ("POST", "/profiles/validate"): R(P.EDIT_PROFILES, form={"text": PROFILE}),
    ("POST", "/profiles/{profile_id}/edit"): R(
        P.EDIT_PROFILES, path={"profile_id": "MTX-001"}, form={"text": PROFILE}
    ),
    ("POST", "/profiles/{profile_id}/status"): R(
        P.EDIT_PROFILES, path={"profile_id": "MTX-001"}, form={"status": "draft"}
    ),
    ("GET", "/profiles/{profile_id}/backtest"): R(P.VIEW_DASHBOARD),
    ("POST", "/profiles/test"): R(P.EDIT_PROFILES, form={"text": PROFILE}),
    # workbench: seizure analytics, alerts, watch lists, the sea
    ("GET", "/analytics/seizures"): R(P.VIEW_DASHBOARD),
    ("GET", "/alerts"): R(P.VIEW_ALERTS),
    ("POST", "/alerts/exchange/{alert_id}/close"): R(P.HANDLE_ALERTS, form={"note": "matrix"}),
    ("POST", "/alerts/maritime/{event_id}/review"): R(
        P.HANDLE_ALERTS, form={"decision": "confirmed", "note": "matrix"}
    ),
    ("GET", "/watchlists"): R(P.VIEW_WATCHLISTS),
    ("GET", "/watchlists/screen"): R(P.VIEW_WATCHLISTS, query={"name": "Baku Motors"}),
    ("POST", "/watchlists/hits/{hit_id}/decide"): R(
        P.DECIDE_SCREENING, obj="hit", form={"decision": "true_match", "note": "matrix"}
    ),
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
    "profile_id": "GEN-003",  # packaged (ensure_starter)
    "version": "v3",  # the model registered last (_objects)
    "vessel": "273456780",
    "mmsi": "273456780",
    "name": PARTNER,
    "message_type": "alert",
    "layer": "points",
    "username": "astara",
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
    """Ids of office-scoped objects at Alat (own office of the officer and the liaison officer) and Astara,
    and what else the routes need to succeed (profile ids, a model version, partner identities...)."""

    own: dict[str, int]
    other: dict[str, int]
    events: Alerts
    values: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Ctx:
    """One call, for the requests that depend on the seeded world or on the caller."""

    objects: Objects
    caller: str
    side: str

    def __getitem__(self, key: str) -> Any:
        return self.objects.values[key]


def _value(given: Any, ctx: Ctx) -> Any:
    return given(ctx) if callable(given) else given


def _objects(engine: Engine, world: World, tmp: Path) -> Objects:
    from corridor.cases.models import SeizurePhotoRow
    from corridor.cases.service import Photo, SeizureForm, decide, record_inspection, record_seizure
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
    values = _world_values(engine, world, tmp, ids["own"]["hit"])
    return Objects(ids["own"], ids["other"], alerts, values)


@functools.cache
def _trained() -> Any:
    from corridor.model.features import read_kcs
    from corridor.model.train import TrainConfig, train
    from tests.conftest import SHARED_DATA

    frame = read_kcs(SHARED_DATA / "customs-declarations" / "df_syn_train_eng.csv").head(2000)
    return train(frame, TrainConfig(n_estimators=20, num_leaves=7))


def _world_values(engine: Engine, world: World, tmp: Path, hit_id: int) -> dict[str, Any]:
    """What the routes that name no office-scoped object need to succeed: profiles, model versions, an
    ingest batch, a day with assessed consignments, zones, an exchange node with partners, a group and
    dead outbox messages. Objects a call consumes (a deleted zone, a revoked partner, a retried message)
    are one per caller, so that no call depends on the ones before it."""
    from corridor.consignments.models import ConsignmentRow, IngestBatchRow
    from corridor.exchange import identity
    from corridor.exchange import service as exchange
    from corridor.exchange.models import OutboxRow
    from corridor.maritime.service import create_zone
    from corridor.model import registry
    from corridor.model import service as models
    from corridor.risk.service import ensure_starter, import_text
    from corridor.screening.models import ScreeningEntryRow, ScreeningHitRow, ScreeningListRow
    from corridor.seizures.demo import generate
    from corridor.seizures.template import to_bytes
    from corridor.settings import get_settings

    values: dict[str, Any] = {}
    ensure_starter(engine)
    import_text(engine, PROFILE, "matrix", None)
    settings = get_settings()
    node = identity.init(settings.data_dir, "AZ-MTX", agency=None, country="AZ", endpoint=None)
    callers = list(PRINCIPALS)  # denied callers too: their (refused) requests name objects of their own

    def partner(name: str) -> dict[str, Any]:
        keys = identity.init(
            tmp / "nodes" / name, name, agency=None, country=name[:2], endpoint="http://127.0.0.1:9"
        )
        return keys.public_document()

    with Session(engine, expire_on_commit=False) as session:
        model = _trained()
        for _ in range(3):
            registry.register(session, model, "access matrix")
        session.commit()
        values["batch"] = session.scalars(select(func.max(IngestBatchRow.id))).one()
        for side, consignment in (("own", world.riskiest), ("other", world.astara)):
            eta = session.get(ConsignmentRow, consignment)
            assert eta is not None and eta.eta is not None
            values[f"day:{side}"] = eta.eta.date().isoformat()
        hit, key, code = session.execute(
            select(ScreeningHitRow, ScreeningEntryRow.key, ScreeningListRow.code)
            .join(ScreeningEntryRow, ScreeningEntryRow.id == ScreeningHitRow.entry_id)
            .join(ScreeningListRow, ScreeningListRow.id == ScreeningEntryRow.list_id)
            .where(ScreeningHitRow.id == hit_id)
        ).one()
        values["decision"] = {
            "subject": hit.subject_name,
            "list": code,
            "entry_key": key,
            "decision": "true_match",  # a false positive would clear the hit the workbench route decides
            "note": "matrix",
        }
        for caller in callers:
            create_zone(session, f"matrix-{caller}", caller, ZONE["geometry"])
        values["partner"] = partner(PARTNER)
        exchange.add_partner(session, node, values["partner"])
        exchange.allow(session, PARTNER, send=["alert"], receive=["alert"])
        exchange.create_group(session, node, "MTX-GROUP", types=["alert"], profile="full")
        for caller in callers:
            values[f"new_partner:{caller}"] = partner(f"TM-{caller.upper()}")
            revoked = partner(f"KG-{caller.upper()}")
            exchange.add_partner(session, node, revoked)
            values[f"revoked:{caller}"] = revoked["name"]
            exchange.send(session, node, settings, "alert", ALERT, to=[PARTNER])
            dead = session.scalars(select(OutboxRow).order_by(OutboxRow.id.desc())).first()
            assert dead is not None
            dead.status = "dead"
            values[f"dead:{caller}"] = dead.id
        session.commit()
    for version in ("v1", "v2", "v3"):  # two earlier active versions: each model manager can roll back once
        models.activate_model(engine, version)
    values["seizures.csv"] = ("seizures.csv", to_bytes(generate(3, count=5), "csv"), "text/csv")
    return values


def _current_hit(engine: Engine, consignment: int) -> int:
    from corridor.screening.models import ScreeningHitRow

    with Session(engine) as session:
        hit = session.scalars(
            select(func.min(ScreeningHitRow.id)).where(ScreeningHitRow.consignment_id == consignment)
        ).one()
    assert hit is not None, f"consignment {consignment} has no screening hit left"
    return int(hit)


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
    declared: int | None = None  # Rule.allowed_status
    detail: str = ""  # the error body, or where a redirect goes
    ends_session: bool = False

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
        # allowed: the call does what it asks (or answers the status its rule declares, with the reason);
        # a page that sends its caller to the log-in did not
        if 300 <= s < 400 and self.detail.startswith("/login") and not self.ends_session:
            return False
        return (s < 400 or s == self.declared) and not self.audited


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


def _url(path: str, rule: Rule, ids: dict[str, int], ctx: Ctx) -> str:
    objects = ctx.objects
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
    params.update({k: str(v) for k, v in (_value(rule.path, ctx) or {}).items()})
    return re.sub(r"\{([^}]+)\}", lambda m: params[m.group(1)], path)


OFFICES = {"own": "AZ-ALAT-PCU", "other": "AZ-ASTARA-BP"}


def _send(client: TestClient, csrf: str | None, method: str, url: str, rule: Rule, ctx: Ctx) -> Response:
    headers = {"X-CSRF-Token": csrf} if csrf else {}
    office = {"office": OFFICES[ctx.side]} if rule.office_at else {}
    query = _value(rule.query, ctx)
    query = {**query, **office} if rule.office_at == "query" else query
    kwargs: dict[str, Any] = {"params": query, "headers": headers, "follow_redirects": False}
    json, files, form = _value(rule.json, ctx), _value(rule.files, ctx), _value(rule.form, ctx)
    if json is not None:
        kwargs["json"] = {**json, **office} if rule.office_at == "json" else json
    elif files is not None:
        kwargs["files"] = files
        if form is not None:
            kwargs["data"] = form
    elif form is not None:
        kwargs["data"] = form
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
                if rule.obj == "hit":  # deciding (or screening) a consignment screens it again: new hit ids
                    ids = {**ids, "hit": _current_hit(engine, ids["consignment"])}
                ctx = Ctx(objects, username, side)
                call = Call(username, method, path, side, _expect(role, method, path, rule, side))
                call.declared = rule.allowed_status
                client, csrf = clients[username]
                if rule.fresh_session and role is not None:
                    client, csrf = _log_in(app, engine, username)
                scoped = rule.obj is not None and role is not None
                before = _refusals(engine, username) if scoped else 0
                answer = _send(client, csrf, method, _url(path, rule, ids, ctx), rule, ctx)
                call.status = answer.status_code
                call.detail = answer.text[:300] if call.status >= 400 else answer.headers.get("location", "")
                call.ends_session = rule.fresh_session
                if scoped:
                    call.audited = _refusals(engine, username) > before
                calls.append(call)

    wrong = [c for c in calls if not c.ok()]
    by_expect: dict[str, int] = {}
    for c in calls:
        by_expect[c.expect] = by_expect.get(c.expect, 0) + 1
    scoped = sum(1 for r in routes if _office_scoped(POLICY[r]))
    allowed = [c for c in calls if c.expect == "allowed"]
    succeeded = sum(1 for c in allowed if c.status < 400)
    exceptions = sum(1 for r in routes if POLICY[r].allowed_status is not None)
    with capsys.disabled():
        sys.stdout.write(
            f"\naccess matrix [{engine.dialect.name}]: {len(routes)} of {len(every)} routes × {len(PRINCIPALS)} callers"
            f" (own and other office for {scoped} of them) = {len(calls)} calls; {by_expect};"
            f" {succeeded} of {len(allowed)} allowed calls succeeded (2xx/3xx),"
            f" {exceptions} routes declare another status\n"
        )
    assert not wrong, f"{len(wrong)} of {len(calls)} calls broke the policy:\n" + "\n".join(
        f"{c.principal:<10} {c.method:<6} {c.path} [{c.side}] expected {c.expect}, got {c.status}"
        + (" (not audited)" if c.expect == "hidden" and c.status == 404 else "")
        + (f": {c.detail}" if c.expect == "allowed" else "")
        for c in wrong
    )


def test_policy_table_names_real_permissions_and_every_role_is_a_principal() -> None:
    needs = {r.need for r in POLICY.values()}
    unexplained = [k for k, r in POLICY.items() if (r.allowed_status is None) != (not r.why)]
    assert not unexplained, f"a declared non-success status needs its reason (and only then): {unexplained}"
    assert all(r.allowed_status is None or r.allowed_status >= 400 for r in POLICY.values())
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
