"""Received alerts, as the officers' alerts inbox and the risk engine use them.

`list_received_alerts` feeds the workbench page; `active_alerts` gives the risk engine what to
match (containers, vessels, parties, routes) and `match` says which alerts a consignment hits,
with the reason of each, so that a raised score can explain itself.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from corridor.domain.consignment import Consignment
from corridor.domain.errors import NotFound
from corridor.exchange import audit
from corridor.exchange.models import AlertRow


def _aware(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class ReceivedAlert:
    id: int
    sender: str
    message_id: str
    group: str | None
    container: str | None
    vessel_imo: str | None
    vessel_mmsi: str | None
    vessel_name: str | None
    party_name: str | None
    party_country: str | None
    route: tuple[str, str, tuple[str, ...]] | None
    reason: str
    action: str
    severity: str
    reference: str | None
    valid_until: datetime | None
    received_at: datetime
    open: bool

    @property
    def target(self) -> str:
        if self.container:
            return f"container {self.container}"
        if self.vessel_imo or self.vessel_name or self.vessel_mmsi:
            return f"vessel {self.vessel_name or ''} {self.vessel_imo or self.vessel_mmsi or ''}".strip()
        if self.party_name:
            return f"party {self.party_name}" + (f" ({self.party_country})" if self.party_country else "")
        if self.route:
            return f"route {self.route[0]} → {self.route[1]}"
        return "unspecified"

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "from": self.sender,
            "message_id": self.message_id,
            "group": self.group,
            "target": self.target,
            "container": self.container,
            "vessel": {"imo": self.vessel_imo, "mmsi": self.vessel_mmsi, "name": self.vessel_name},
            "party": {"name": self.party_name, "country": self.party_country},
            "route": {"origin": self.route[0], "destination": self.route[1], "via": list(self.route[2])}
            if self.route
            else None,
            "reason": self.reason,
            "action": self.action,
            "severity": self.severity,
            "reference": self.reference,
            "valid_until": self.valid_until.isoformat() if self.valid_until else None,
            "received_at": self.received_at.isoformat(),
            "open": self.open,
        }


def _alert(row: AlertRow) -> ReceivedAlert:
    route = (
        (row.route_origin, row.route_destination, tuple(row.route_via or ()))
        if row.route_origin and row.route_destination
        else None
    )
    received = _aware(row.received_at)
    assert received is not None
    return ReceivedAlert(
        id=row.id,
        sender=row.sender,
        message_id=row.message_id,
        group=row.group_name,
        container=row.container,
        vessel_imo=row.vessel_imo,
        vessel_mmsi=row.vessel_mmsi,
        vessel_name=row.vessel_name,
        party_name=row.party_name,
        party_country=row.party_country,
        route=route,
        reason=row.reason,
        action=row.action,
        severity=row.severity,
        reference=row.reference,
        valid_until=_aware(row.valid_until),
        received_at=received,
        open=row.open,
    )


def list_received_alerts(
    session: Session, *, only_open: bool = False, sender: str | None = None, limit: int = 200, offset: int = 0
) -> list[ReceivedAlert]:
    """The officers' alerts inbox: newest first."""
    query = (
        select(AlertRow).order_by(AlertRow.received_at.desc(), AlertRow.id.desc()).limit(limit).offset(offset)
    )
    if only_open:
        query = query.where(AlertRow.open.is_(True))
    if sender:
        query = query.where(AlertRow.sender == sender)
    return [_alert(row) for row in session.scalars(query)]


def close_alert(session: Session, alert_id: int, note: str | None = None) -> ReceivedAlert:
    """An officer closes an alert (dealt with, or no longer relevant); it stops raising risk."""
    row = session.get(AlertRow, alert_id)
    if row is None:
        raise NotFound(f"no received alert {alert_id}", where="alert_id")
    row.open = False
    row.closed_note = note
    audit.append(
        session, "alert.closed", partner=row.sender, message_id=row.message_id, detail={"note": note}
    )
    session.commit()
    return _alert(row)


def normalise_name(name: str) -> str:
    """Case, accents, punctuation and spacing do not make a different party."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii").lower()
    return " ".join("".join(ch if ch.isalnum() else " " for ch in folded).split())


@dataclass(slots=True)
class ActiveAlerts:
    """Open, unexpired alerts indexed by what a consignment can match."""

    containers: dict[str, list[ReceivedAlert]] = field(default_factory=dict)
    vessels: dict[str, list[ReceivedAlert]] = field(
        default_factory=dict
    )  # keys "imo:..", "mmsi:..", "name:.."
    parties: dict[str, list[ReceivedAlert]] = field(default_factory=dict)  # normalised names
    routes: list[ReceivedAlert] = field(default_factory=list)

    def __len__(self) -> int:
        seen = {
            a.id
            for group in (*self.containers.values(), *self.vessels.values(), *self.parties.values())
            for a in group
        }
        return len(seen | {a.id for a in self.routes})


def active_alerts(session: Session, at: datetime | None = None) -> ActiveAlerts:
    """What the risk engine should raise: open alerts whose validity has not ended at `at`."""
    moment = at or datetime.now(UTC)
    result = ActiveAlerts()
    query = select(AlertRow).where(
        AlertRow.open.is_(True), or_(AlertRow.valid_until.is_(None), AlertRow.valid_until >= moment)
    )
    for alert in (_alert(row) for row in session.scalars(query)):
        if alert.container:
            result.containers.setdefault(alert.container, []).append(alert)
        for key in (
            f"imo:{alert.vessel_imo}" if alert.vessel_imo else None,
            f"mmsi:{alert.vessel_mmsi}" if alert.vessel_mmsi else None,
            f"name:{normalise_name(alert.vessel_name)}" if alert.vessel_name else None,
        ):
            if key:
                result.vessels.setdefault(key, []).append(alert)
        if alert.party_name:
            result.parties.setdefault(normalise_name(alert.party_name), []).append(alert)
        if alert.route:
            result.routes.append(alert)
    return result


@dataclass(frozen=True, slots=True)
class AlertMatch:
    alert: ReceivedAlert
    matched: str  # container, vessel, party or route
    value: str

    @property
    def explanation(self) -> str:
        return f"alert from {self.alert.sender} on {self.matched} {self.value}: {self.alert.reason}"


def _route_points(c: Consignment) -> list[str]:
    points: list[str] = []
    for place in (
        c.place_of_loading,
        *(s.place for s in c.itinerary),
        c.place_of_discharge,
        c.place_of_delivery,
    ):
        if place is None:
            continue
        if place.locode:
            points.append(place.locode)
        country = place.country or (place.locode[:2] if place.locode else None)
        if country:
            points.append(country)
    return points


def _on_route(points: list[str], route: tuple[str, str, tuple[str, ...]]) -> bool:
    origin, destination, via = route

    def index(code: str, start: int = 0) -> int | None:
        for i in range(start, len(points)):
            if points[i] == code:
                return i
        return None

    first = index(origin)
    if first is None:
        return False
    position = first
    for stop in via:
        found = index(stop, position)
        if found is None:
            return False
        position = found
    return index(destination, position) is not None


def match(consignment: Consignment, alerts: ActiveAlerts) -> list[AlertMatch]:
    """The active alerts this consignment hits, each with what matched."""
    hits: list[AlertMatch] = []
    containers: set[str] = {e.number.replace(" ", "").upper() for e in consignment.equipment}
    containers |= {n.replace(" ", "").upper() for g in consignment.goods for n in g.containers}
    for number in sorted(containers):
        hits.extend(AlertMatch(a, "container", number) for a in alerts.containers.get(number, []))
    vessel = consignment.conveyance
    if vessel is not None:
        for key, value in (("imo", vessel.imo), ("mmsi", vessel.mmsi), ("name", vessel.name)):
            if value:
                lookup = f"{key}:{normalise_name(value) if key == 'name' else value}"
                hits.extend(AlertMatch(a, "vessel", value) for a in alerts.vessels.get(lookup, []))
    parties: Iterable[Any] = [*consignment.parties, *([consignment.carrier] if consignment.carrier else [])]
    for party in parties:
        if party.name:
            for alert in alerts.parties.get(normalise_name(party.name), []):
                if alert.party_country is None or party.country in (None, alert.party_country):
                    hits.append(AlertMatch(alert, "party", party.name))
    if alerts.routes:
        points = _route_points(consignment)
        for alert in alerts.routes:
            if alert.route and _on_route(points, alert.route):
                hits.append(AlertMatch(alert, "route", f"{alert.route[0]} → {alert.route[1]}"))
    unique: dict[tuple[int, str], AlertMatch] = {}
    for hit in hits:
        unique.setdefault((hit.alert.id, hit.matched), hit)
    return list(unique.values())
