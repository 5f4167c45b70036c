"""The alerts inbox: alerts received from partner customs through the exchange, and maritime events.

Both kinds are node-wide (a partner alerts the administration, a detector watches the sea), so every
user with VIEW_ALERTS sees them; what is office-scoped is the consignments they are linked to: the
exchange's `match()` over the consignments of the user's offices, and the maritime vessel links
filtered to those offices. Closing an alert, confirming or dismissing an event needs HANDLE_ALERTS,
a note, the page's CSRF token, and is written to the audit log in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from corridor.accounts.deps import Auth, client_ip
from corridor.accounts.models import UserRow
from corridor.accounts.roles import Permission
from corridor.accounts.service import audit, in_scope, visible_offices
from corridor.api.deps import SessionDep
from corridor.cases.service import require
from corridor.domain.errors import InvalidInput, NotFound
from corridor.web.deps import CsrfAuth, PageAuth, render, translator_for
from corridor.web.errors import mark_web
from corridor.web.i18n import Translator

router = APIRouter(include_in_schema=False, dependencies=[Depends(mark_web)])

SOURCES = ("all", "exchange", "maritime")
STATES = ("open", "closed", "all")
MATCH_WINDOW = timedelta(days=30)  # consignments arrived or arriving within this window are matched
MATCH_LIMIT = 5000
NOTE_MAX = 2000


@dataclass(slots=True)
class Linked:
    id: int
    label: str
    office: str | None
    how: str  # what matched: container, vessel, party, route, imo, mmsi, name


@dataclass(slots=True)
class InboxItem:
    source: str  # exchange or maritime
    id: int
    when: datetime | None
    title: str
    severity: str
    open: bool
    status: str
    facts: list[tuple[str, str]]
    evidence: list[tuple[str, str]] = field(default_factory=list)
    note: str | None = None
    links: list[Linked] = field(default_factory=list)


def _when(value: str | None) -> datetime | None:
    if not value:
        return None
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


# --- evidence, as readable lines ------------------------------------------------------------------


def _point(t: Translator, value: dict[str, Any]) -> str:
    where = f"{value.get('lat', 0):.4f}, {value.get('lon', 0):.4f}"
    extra = f" · {t.number(value['sog'], 1)} {t('unit.kn')}" if value.get("sog") is not None else ""
    moment = _when(value.get("ts"))
    return f"{where} · {t.datetime(moment)}{extra}" if moment else where + extra


def _measure(t: Translator, key: str, value: Any) -> str | None:
    if not isinstance(value, int | float) or isinstance(value, bool):
        return None
    if key.endswith("_m"):
        return (
            f"{t.number(value / 1000, 1)} {t('unit.km')}"
            if value >= 1000
            else f"{t.number(value)} {t('unit.m')}"
        )
    if key.endswith("_hours"):
        return f"{t.number(value, 1)} {t('unit.h')}"
    if key.endswith("_minutes"):
        return f"{t.number(value)} {t('unit.min')}"
    if key.endswith("_knots"):
        return f"{t.number(value, 1)} {t('unit.kn')}"
    return t.number(value, 2 if isinstance(value, float) and not value.is_integer() else 0)


def evidence_lines(t: Translator, evidence: dict[str, Any]) -> list[tuple[str, str]]:
    """Positions, durations and distances of a maritime event, labelled in the user's language."""
    lines: list[tuple[str, str]] = []
    for key, value in evidence.items():
        label = t(f"ev.{key}") if t.has(f"ev.{key}") else key.replace("_", " ")
        if value is None or value == [] or value == {}:
            continue
        if isinstance(value, bool):
            lines.append((label, t("common.yes") if value else t("common.no")))
        elif isinstance(value, dict):
            bits = [_point(t, value)] if "lat" in value and "lon" in value else []
            for k, v in value.items():
                if v is None or k in ("lat", "lon", "ts", "sog"):
                    continue
                shown = _measure(t, k, v) or _measure(t, key, v) or str(v)
                bits.append(f"{t(f'ev.{k}') if t.has(f'ev.{k}') else k.replace('_', ' ')}: {shown}")
            lines.append((label, "; ".join(bits)))
        elif key == "path" and isinstance(value, list):
            lines.append((label, t("alerts.path_points", n=t.number(len(value)))))
        elif key == "jumps" and isinstance(value, list):
            for jump in value[:5]:
                if isinstance(jump, dict):
                    distance = _measure(t, "distance_m", jump.get("distance_m")) or "—"
                    speed = _measure(t, "speed_knots", jump.get("implied_speed_knots")) or "∞"
                    lines.append(
                        (
                            label,
                            f"{_point(t, jump.get('from') or {})} → {_point(t, jump.get('to') or {})}: "
                            f"{distance}, {speed}",
                        )
                    )
            if len(value) > 5:
                lines.append((label, t("alerts.more", n=t.number(len(value) - 5))))
        elif isinstance(value, list):
            lines.append((label, ", ".join(str(v) for v in value[:10])))
        else:
            lines.append((label, _measure(t, key, value) or str(value)))
    return lines


# --- links to consignments in the user's scope ----------------------------------------------------


def _scoped_recent(session: Session, user: UserRow) -> list[Any]:
    from corridor.consignments.models import ConsignmentRow

    scope = visible_offices(session, user)
    now = datetime.now(UTC)
    stmt = select(ConsignmentRow).where(
        ConsignmentRow.status == "active",
        or_(
            ConsignmentRow.eta.is_(None),
            ConsignmentRow.eta.between(now - MATCH_WINDOW, now + MATCH_WINDOW),
        ),
    )
    if scope is not None:
        stmt = stmt.where(ConsignmentRow.office.in_(sorted(scope)))
    return list(session.scalars(stmt.order_by(ConsignmentRow.eta.desc()).limit(MATCH_LIMIT)))


def _label(row: Any) -> str:
    return f"{row.document_type} {row.document_number}"


def exchange_links(session: Session, user: UserRow) -> dict[int, list[Linked]]:
    """Open, unexpired alerts → the consignments of the user's offices they hit (exchange.alerts.match)."""
    from corridor.domain.consignment import Consignment
    from corridor.exchange.alerts import active_alerts, match

    active = active_alerts(session)
    found: dict[int, list[Linked]] = {}
    if not len(active):
        return found
    for row in _scoped_recent(session, user):
        try:
            consignment = Consignment.model_validate(row.data)
        except ValueError:
            continue
        for hit in match(consignment, active):
            found.setdefault(hit.alert.id, []).append(
                Linked(row.id, _label(row), row.office, f"{hit.matched} {hit.value}")
            )
    return found


def vessel_links(session: Session, user: UserRow, vessels: set[str]) -> dict[str, list[Linked]]:
    """Vessel → consignments on it (maritime.service.linked_consignments), kept to the user's offices."""
    from corridor.maritime.service import linked_consignments

    scope = visible_offices(session, user)
    out: dict[str, list[Linked]] = {}
    for vessel in sorted(vessels):
        try:
            rows = linked_consignments(session, vessel, limit=20)
        except NotFound:
            continue
        out[vessel] = [
            Linked(
                int(r["id"]),
                f"{r['document_type']} {r['document_number']}",
                r.get("office"),
                ", ".join(r.get("matched_on") or []),
            )
            for r in rows
            if in_scope(scope, r.get("office"))
        ]
    return out


# --- the inbox ------------------------------------------------------------------------------------


def _target(t: Translator, a: Any) -> str:
    if a.container:
        return f"{t('alerts.container')} {a.container}"
    if a.vessel_imo or a.vessel_name or a.vessel_mmsi:
        return f"{t('alerts.vessel')} {a.vessel_name or ''} {a.vessel_imo or a.vessel_mmsi or ''}".strip()
    if a.party_name:
        return f"{t('alerts.party')} {a.party_name}"
    if a.route:
        return f"{t('alerts.route')} {a.route[0]} → {a.route[1]}"
    return str(a.target)


def _exchange_items(
    session: Session, user: UserRow, t: Translator, state: str, sender: str | None
) -> list[InboxItem]:
    from corridor.exchange.alerts import list_received_alerts

    alerts = list_received_alerts(session, only_open=state == "open", sender=sender or None, limit=200)
    if state == "closed":
        alerts = [a for a in alerts if not a.open]
    links = exchange_links(session, user) if any(a.open for a in alerts) else {}
    closed = [a.id for a in alerts if not a.open]
    notes: dict[int, str | None] = {}
    if closed:
        from corridor.exchange.models import AlertRow

        stmt = select(AlertRow.id, AlertRow.closed_note).where(AlertRow.id.in_(closed))
        notes = {row[0]: row[1] for row in session.execute(stmt)}
    items = []
    for a in alerts:
        facts: list[tuple[str, str]] = [(t("alerts.from"), a.sender + (f" · {a.group}" if a.group else ""))]
        if a.container:
            facts.append((t("alerts.container"), a.container))
        if a.vessel_imo or a.vessel_mmsi or a.vessel_name:
            ids = " ".join(
                x
                for x in (
                    f"IMO {a.vessel_imo}" if a.vessel_imo else "",
                    f"MMSI {a.vessel_mmsi}" if a.vessel_mmsi else "",
                )
                if x
            )
            facts.append((t("alerts.vessel"), f"{a.vessel_name or ''} {ids}".strip()))
        if a.party_name:
            facts.append(
                (t("alerts.party"), a.party_name + (f" ({a.party_country})" if a.party_country else ""))
            )
        if a.route:
            via = f" ({t('alerts.via')} {', '.join(a.route[2])})" if a.route[2] else ""
            facts.append((t("alerts.route"), f"{a.route[0]} → {a.route[1]}{via}"))
        facts.append((t("alerts.reason"), a.reason))
        facts.append((t("alerts.action"), t.opt("alerts.act", a.action)))
        if a.reference:
            facts.append((t("alerts.reference"), a.reference))
        facts.append(
            (t("alerts.valid_until"), t.datetime(a.valid_until) if a.valid_until else t("alerts.no_expiry"))
        )
        facts.append((t("alerts.message"), a.message_id))
        items.append(
            InboxItem(
                source="exchange",
                id=a.id,
                when=a.received_at,
                title=_target(t, a),
                severity=a.severity,
                open=a.open,
                status="open" if a.open else "closed",
                facts=facts,
                note=notes.get(a.id),
                links=links.get(a.id, []),
            )
        )
    return items


def _maritime_items(
    session: Session, user: UserRow, t: Translator, state: str, kind: str | None
) -> list[InboxItem]:
    from corridor.maritime.events import KINDS
    from corridor.maritime.service import get_event, list_events, list_open_events

    if kind and kind not in KINDS:
        raise InvalidInput(f"unknown event kind {kind!r}", where="kind")
    events: list[dict[str, Any]] = []
    if state in ("open", "all"):
        events.extend(list_open_events(session, kind=kind or None, limit=200))
    if state in ("closed", "all"):
        for status in ("confirmed", "dismissed"):
            listed = list_events(session, kind=kind or None, status=status, limit=100)["items"]
            events.extend(get_event(session, int(e["id"])) for e in listed)
    vessels = {e["vessel"] for e in events} | {e["other"] for e in events if e.get("other")}
    links = vessel_links(session, user, vessels)
    names = _vessel_names(session, vessels)
    items = []
    for e in events:
        facts = [
            (t("alerts.kind"), t.opt("mkind", e["kind"])),
            (
                t("alerts.vessel"),
                names.get(e["vessel"], e["vessel"])
                + (f" · {names.get(e['other'], e['other'])}" if e.get("other") else ""),
            ),
            (t("alerts.position"), f"{e['lat']:.4f}, {e['lon']:.4f}"),
            (t("alerts.period"), f"{t.datetime(_when(e['start']))} – {t.datetime(_when(e.get('end')))}"),
            (t("alerts.summary"), e["summary"]),
        ]
        linked = [*links.get(e["vessel"], []), *(links.get(e["other"], []) if e.get("other") else [])]
        items.append(
            InboxItem(
                source="maritime",
                id=int(e["id"]),
                when=_when(e["start"]),
                title=f"{t.opt('mkind', e['kind'])} · {names.get(e['vessel'], e['vessel'])}",
                severity=e["severity"],
                open=e["status"] == "open",
                status=e["status"],
                facts=facts,
                evidence=evidence_lines(t, e.get("evidence") or {}),
                note=e.get("note"),
                links=linked,
            )
        )
    return items


def _vessel_names(session: Session, vessels: set[str]) -> dict[str, str]:
    """Vessel id (MMSI) → "NAME (IMO n, MMSI m)" where the static data is known."""
    from corridor.maritime.models import VesselRow

    if not vessels:
        return {}
    out = {}
    for row in session.scalars(select(VesselRow).where(VesselRow.vessel.in_(sorted(vessels)))):
        ids = ", ".join(
            x for x in (f"IMO {row.imo}" if row.imo else "", f"MMSI {row.mmsi}" if row.mmsi else "") if x
        )
        out[row.vessel] = f"{row.name or row.vessel}" + (f" ({ids})" if ids else "")
    return out


@router.get("/alerts")
def alerts_page(
    request: Request,
    session: SessionDep,
    auth: PageAuth,
    source: str = "all",
    status: str = "open",
    kind: str | None = None,
    sender: str | None = None,
    done: str | None = None,
) -> Response:
    from corridor.maritime.events import KINDS

    require(auth.user, Permission.VIEW_ALERTS)
    source = source if source in SOURCES else "all"
    status = status if status in STATES else "open"
    t = translator_for(request, auth)
    items: list[InboxItem] = []
    if source in ("all", "exchange") and not kind:
        items.extend(_exchange_items(session, auth.user, t, status, sender))
    if source in ("all", "maritime") and not sender:
        items.extend(_maritime_items(session, auth.user, t, status, kind))
    items.sort(key=lambda i: (not i.open, -(i.when.timestamp() if i.when else 0)))
    flash = t(f"alerts.flash_{done}") if done in ("closed", "confirmed", "dismissed") else None
    context = {
        "inbox": items,
        "flt": {"source": source, "status": status, "kind": kind or "", "sender": sender or ""},
        "kinds": KINDS,
        "flash": flash,
        "back": urlencode({"source": source, "status": status, **({"kind": kind} if kind else {})}),
    }
    return render(request, "alerts.html", context, auth=auth)


def _note(note: str) -> str:
    cleaned = note.strip()
    if not cleaned:
        raise InvalidInput("write a note: what was done, or why it is dismissed", where="note")
    return cleaned[:NOTE_MAX]


def _back(back: str, done: str) -> str:
    allowed = {
        k: v
        for k, v in (p.split("=", 1) for p in back.split("&") if "=" in p)
        if k in ("source", "status", "kind")
    }
    return "/alerts?" + urlencode({**allowed, "done": done})


@router.post("/alerts/exchange/{alert_id}/close")
def close_exchange_alert(
    request: Request,
    session: SessionDep,
    auth: CsrfAuth,
    alert_id: int,
    note: Annotated[str, Form(max_length=NOTE_MAX)] = "",
    back: Annotated[str, Form(max_length=300)] = "",
) -> Response:
    from corridor.exchange.alerts import close_alert
    from corridor.exchange.models import AlertRow

    require(auth.user, Permission.HANDLE_ALERTS)
    text = _note(note)
    row = session.get(AlertRow, alert_id)
    if row is None:
        raise NotFound(f"no received alert {alert_id}", where="alert_id")
    _audit_handled(session, auth, request, "alert.close", "exchange_alert", alert_id, text, row.sender)
    close_alert(session, alert_id, text)  # commits the audit entry with the change
    return RedirectResponse(_back(back, "closed"), status_code=303)


@router.post("/alerts/maritime/{event_id}/review")
def review_maritime_event(
    request: Request,
    session: SessionDep,
    auth: CsrfAuth,
    event_id: int,
    decision: Annotated[str, Form(max_length=20)],
    note: Annotated[str, Form(max_length=NOTE_MAX)] = "",
    back: Annotated[str, Form(max_length=300)] = "",
) -> Response:
    from corridor.maritime.models import EventRow
    from corridor.maritime.service import set_event_status

    require(auth.user, Permission.HANDLE_ALERTS)
    if decision not in ("confirmed", "dismissed"):
        raise InvalidInput("confirm or dismiss the event", where="decision")
    text = _note(note)
    row = session.get(EventRow, event_id)
    if row is None:
        raise NotFound(f"no maritime event {event_id}", where="event_id")
    action = {"confirmed": "maritime_event.confirm", "dismissed": "maritime_event.dismiss"}[decision]
    _audit_handled(
        session, auth, request, action, "maritime_event", event_id, text, f"{row.kind} {row.vessel}"
    )
    set_event_status(session, event_id, decision, text)  # commits the audit entry with the change
    return RedirectResponse(_back(back, decision), status_code=303)


def _audit_handled(
    session: Session,
    auth: Auth,
    request: Request,
    action: str,
    object_type: str,
    object_id: int,
    note: str,
    summary: str,
) -> None:
    audit(
        session,
        auth.user,
        action,
        object_type,
        str(object_id),
        ip=client_ip(request),
        summary=summary[:200],
        detail={"note": note},
    )
