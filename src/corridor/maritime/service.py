"""Maritime use cases: ingest, detect, list and review events, vessels, map layers, links to cargo.

This is the only module of the package that commits.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import polars as pl
from sqlalchemy import Engine, func, or_, select
from sqlalchemy.orm import Session

from corridor.db.engine import unit_of_work
from corridor.domain.errors import InvalidInput, NotFound
from corridor.maritime.config import DetectorConfig
from corridor.maritime.events import KINDS, Event, iso
from corridor.maritime.mid import flag_of
from corridor.maritime.models import EventRow, IngestRow, PositionRow, RadarPlotRow, VesselRow, ZoneRow
from corridor.maritime.nmea import ReadReport
from corridor.maritime.pipeline import detect_all
from corridor.maritime.readers import read_ais_csv, read_nmea, read_radar_csv, sniff_format
from corridor.maritime.store import db_time as _db_time
from corridor.maritime.store import load_positions, load_radar, store_positions, store_radar
from corridor.maritime.zones import Zone, polygon_zone

FORMATS = ("nmea", "ais-csv", "radar-csv")
STATUSES = ("open", "confirmed", "dismissed")
DEFAULT_WINDOW = timedelta(hours=48)


def _now() -> datetime:
    return datetime.now(UTC)


def _utc(value: datetime | None) -> datetime | None:
    # SQLite hands back naive datetimes (stored as UTC); PostgreSQL aware ones in the session's zone
    # (e.g. Etc/UTC), which polars will not mix with "UTC" in one expression.
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


# ---------------------------------------------------------------- ingest


@dataclass(slots=True)
class IngestResult:
    ingest_id: int
    report: ReadReport
    new_positions: int
    vessels: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "ingest_id": self.ingest_id,
            "new_positions": self.new_positions,
            "duplicates": self.report.positions - self.new_positions,
            "vessels": self.vessels,
            **self.report.as_dict(),
        }


def store_batch(
    session: Session,
    report: ReadReport,
    positions: pl.DataFrame | None = None,
    statics: pl.DataFrame | None = None,
    radar: pl.DataFrame | None = None,
) -> IngestResult:
    """Store one read batch (positions, static data, radar plots) with its report; commits."""
    row = IngestRow(
        source=report.source[:500],
        format=report.format,
        received_at=_now(),
        positions=report.positions,
        new_positions=0,
        rejected=report.rejected_total,
        report=report.as_dict(),
    )
    session.add(row)
    session.flush()
    vessels = 0
    if positions is not None and positions.height:
        store_positions(session, positions, row.id)
        vessels = _upsert_vessels(session, positions, statics)
    elif statics is not None and statics.height:
        vessels = _upsert_vessels(session, None, statics)
    if radar is not None and radar.height:
        store_radar(session, radar, row.id)
    session.flush()
    counted: type[PositionRow] | type[RadarPlotRow] = (
        RadarPlotRow if report.format == "radar-csv" else PositionRow
    )
    # Rows this ingest inserted carry its id; duplicates kept the id of the ingest that brought them first.
    row.new_positions = int(
        session.scalar(select(func.count()).select_from(counted).where(counted.ingest_id == row.id)) or 0
    )
    session.commit()
    return IngestResult(row.id, report, row.new_positions, vessels)


def _upsert_vessels(session: Session, positions: pl.DataFrame | None, statics: pl.DataFrame | None) -> int:
    seen: dict[str, tuple[datetime, datetime]] = {}
    if positions is not None and positions.height:
        span = positions.group_by("vessel").agg(pl.col("ts").min().alias("a"), pl.col("ts").max().alias("b"))
        seen = {v: (a, b) for v, a, b in span.iter_rows()}
    static: dict[str, dict[str, Any]] = {}
    if statics is not None and statics.height:
        latest = (
            statics.sort("ts")
            .group_by("vessel")
            .agg(*(pl.col(c).drop_nulls().last() for c in ("name", "imo", "call_sign", "ship_type")))
        )
        static = {r["vessel"]: r for r in latest.iter_rows(named=True)}
    ids = sorted(set(seen) | set(static))
    existing: dict[str, VesselRow] = {}
    for i in range(0, len(ids), 500):
        chunk = ids[i : i + 500]
        existing.update(
            {v.vessel: v for v in session.scalars(select(VesselRow).where(VesselRow.vessel.in_(chunk)))}
        )
    now = _now()
    for vessel_id in ids:
        row = existing.get(vessel_id)
        if row is None:
            mmsi = vessel_id if len(vessel_id) == 9 and vessel_id.isdigit() else None
            flag = flag_of(mmsi)
            row = VesselRow(
                vessel=vessel_id[:40], mmsi=mmsi, flag=flag.alpha2 if flag else None, updated_at=now
            )
            session.add(row)
        if vessel_id in seen:
            first, last = seen[vessel_id]
            row.first_seen = min(_utc(row.first_seen) or first, first)
            row.last_seen = max(_utc(row.last_seen) or last, last)
        info = static.get(vessel_id)
        if info:
            if info.get("name"):
                row.name = str(info["name"])[:120]
            imo = info.get("imo")
            if imo and str(imo).isdigit() and len(str(imo)) == 7:
                row.imo = str(imo)
            row.call_sign = (str(info["call_sign"])[:20] if info.get("call_sign") else None) or row.call_sign
            ship_type = info.get("ship_type")
            if ship_type not in (None, "") and str(ship_type).isdigit():
                row.ship_type = int(str(ship_type))
        row.updated_at = now
    return len(ids)


def ingest_file(
    engine: Engine, path: Path, fmt: str | None = None, received_at: datetime | None = None
) -> IngestResult:
    """Read one NMEA, AIS CSV or radar CSV file and store what it holds; the report says what was rejected."""
    if not path.is_file():
        raise InvalidInput("no such file", where=str(path))
    fmt = fmt or sniff_format(path)
    if fmt not in FORMATS:
        raise InvalidInput(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}", where="format")
    with unit_of_work(engine) as session:
        if fmt == "nmea":
            positions, statics, report = read_nmea(path, received_at)
            return store_batch(session, report, positions, statics)
        if fmt == "ais-csv":
            positions, statics, report = read_ais_csv(path)
            return store_batch(session, report, positions, statics)
        radar, report = read_radar_csv(path)
        return store_batch(session, report, radar=radar)


def list_ingests(session: Session, limit: int = 50) -> list[dict[str, Any]]:
    rows = session.scalars(select(IngestRow).order_by(IngestRow.id.desc()).limit(limit))
    return [
        {
            "id": r.id,
            "source": r.source,
            "format": r.format,
            "received_at": iso(_utc(r.received_at)),
            "positions": r.positions,
            "new_positions": r.new_positions,
            "rejected": r.rejected,
            "rejected_by_reason": r.report.get("rejected", {}),
        }
        for r in rows
    ]


# ---------------------------------------------------------------- zones


def user_zones(session: Session) -> list[Zone]:
    return [
        polygon_zone(f"user:{r.code}", r.name, r.geometry, where=f"zone {r.code}")
        for r in session.scalars(select(ZoneRow).order_by(ZoneRow.code))
    ]


def create_zone(session: Session, code: str, name: str, geometry: dict[str, Any]) -> dict[str, Any]:
    code = code.strip().lower()
    if not code or len(code) > 60 or not all(c.isalnum() or c in "-_" for c in code):
        raise InvalidInput("a zone code is 1-60 letters, digits, '-' or '_'", where="code")
    zone = polygon_zone(f"user:{code}", name, geometry)  # validates the polygon
    row = session.scalar(select(ZoneRow).where(ZoneRow.code == code))
    if row is None:
        row = ZoneRow(code=code, name=name, geometry=geometry, created_at=_now())
        session.add(row)
    else:
        row.name, row.geometry = name, geometry
    session.commit()
    return zone.geojson()


def delete_zone(session: Session, code: str) -> None:
    row = session.scalar(select(ZoneRow).where(ZoneRow.code == code.strip().lower()))
    if row is None:
        raise NotFound(f"no zone {code!r}", where="code")
    session.delete(row)
    session.commit()


# ---------------------------------------------------------------- detection


@dataclass(slots=True)
class DetectionResult:
    since: datetime | None
    until: datetime | None
    positions: int
    radar_plots: int
    new: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    events: list[Event] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "since": iso(self.since),
            "until": iso(self.until),
            "positions": self.positions,
            "radar_plots": self.radar_plots,
            "new": self.new,
            "updated": self.updated,
            "events": len(self.events),
        }


def run_detection(
    engine: Engine,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    config: DetectorConfig | None = None,
    kinds: Iterable[str] = KINDS,
) -> DetectionResult:
    """Run the detectors over stored positions in [since, until] and store the events (idempotently).

    Without bounds the window is the 48 hours up to the latest stored position; AIS gaps still
    running are measured up to `until` (or that latest position).
    """
    kinds = list(kinds)
    unknown = [k for k in kinds if k not in KINDS]
    if unknown:
        raise InvalidInput(f"unknown detector {unknown[0]!r}; use {', '.join(KINDS)}", where="kinds")
    with unit_of_work(engine) as session:
        if until is None:
            latest = session.scalar(select(func.max(PositionRow.ts)))
            until_eff = _utc(latest)
        else:
            until_eff = _utc(until)
        since_eff = _utc(since) or (until_eff - DEFAULT_WINDOW if until_eff else None)
        positions = load_positions(session, since_eff, until_eff)
        radar = load_radar(session, since_eff, until_eff)
        events = detect_all(positions, radar, config, user_zones(session), kinds=kinds, as_of=until_eff)
        result = DetectionResult(since_eff, until_eff, positions.height, radar.height, events=events)
        result.new, result.updated = store_events(session, events)
        session.commit()
        return result


def store_events(session: Session, events: Sequence[Event]) -> tuple[dict[str, int], dict[str, int]]:
    """Insert new events, refresh known ones (end, evidence) and keep their review status."""
    new: dict[str, int] = {}
    updated: dict[str, int] = {}
    keys = [e.key for e in events]
    existing: dict[str, EventRow] = {}
    for i in range(0, len(keys), 500):
        existing.update(
            {r.key: r for r in session.scalars(select(EventRow).where(EventRow.key.in_(keys[i : i + 500])))}
        )
    now = _now()
    for event in events:
        row = existing.get(event.key)
        if row is None:
            row = EventRow(key=event.key, status="open", detected_at=now)
            session.add(row)
            new[event.kind] = new.get(event.kind, 0) + 1
        elif row.evidence == event.evidence and _utc(row.end_at) == event.end:
            continue
        else:
            updated[event.kind] = updated.get(event.kind, 0) + 1
        row.kind, row.vessel, row.other = event.kind, event.vessel, event.other
        row.start_at, row.end_at = event.start, event.end
        row.lat, row.lon, row.severity = event.lat, event.lon, event.severity
        row.summary, row.evidence, row.updated_at = event.summary, event.evidence, now
    session.flush()
    return new, updated


# ---------------------------------------------------------------- events


def event_dict(row: EventRow, *, with_evidence: bool = True) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": row.id,
        "key": row.key,
        "kind": row.kind,
        "vessel": row.vessel,
        "other": row.other,
        "start": iso(_utc(row.start_at)),
        "end": iso(_utc(row.end_at)),
        "lat": row.lat,
        "lon": row.lon,
        "severity": row.severity,
        "status": row.status,
        "summary": row.summary,
        "note": row.note,
        "detected_at": iso(_utc(row.detected_at)),
    }
    if with_evidence:
        data["evidence"] = row.evidence
    return data


def list_events(
    session: Session,
    *,
    kind: str | None = None,
    status: str | None = None,
    vessel: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 100,
    offset: int = 0,
) -> dict[str, Any]:
    if kind is not None and kind not in KINDS:
        raise InvalidInput(f"unknown event kind {kind!r}; use {', '.join(KINDS)}", where="kind")
    if status is not None and status not in STATUSES:
        raise InvalidInput(f"unknown status {status!r}; use {', '.join(STATUSES)}", where="status")
    stmt = select(EventRow)
    if kind:
        stmt = stmt.where(EventRow.kind == kind)
    if status:
        stmt = stmt.where(EventRow.status == status)
    if vessel:
        stmt = stmt.where(or_(EventRow.vessel == vessel, EventRow.other == vessel))
    if since:
        stmt = stmt.where(or_(EventRow.end_at.is_(None), EventRow.end_at >= _db_time(session, since)))
    if until:
        stmt = stmt.where(EventRow.start_at <= _db_time(session, until))
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(
        stmt.order_by(EventRow.start_at.desc(), EventRow.id.desc()).limit(limit).offset(offset)
    )
    return {"total": total, "items": [event_dict(r, with_evidence=False) for r in rows]}


def list_open_events(session: Session, *, kind: str | None = None, limit: int = 500) -> list[dict[str, Any]]:
    """Events nobody has reviewed yet, newest first, with their evidence: what an alert queue shows."""
    rows = session.scalars(
        select(EventRow)
        .where(EventRow.status == "open", *([EventRow.kind == kind] if kind else []))
        .order_by(EventRow.start_at.desc(), EventRow.id.desc())
        .limit(limit)
    )
    return [event_dict(r) for r in rows]


def get_event(session: Session, event_id: int) -> dict[str, Any]:
    row = session.get(EventRow, event_id)
    if row is None:
        raise NotFound(f"no maritime event {event_id}", where="event_id")
    data = event_dict(row)
    data["vessel_detail"] = _vessel_dict(
        session.scalar(select(VesselRow).where(VesselRow.vessel == row.vessel))
    )
    return data


def set_event_status(session: Session, event_id: int, status: str, note: str | None = None) -> dict[str, Any]:
    if status not in STATUSES:
        raise InvalidInput(f"unknown status {status!r}; use {', '.join(STATUSES)}", where="status")
    row = session.get(EventRow, event_id)
    if row is None:
        raise NotFound(f"no maritime event {event_id}", where="event_id")
    row.status = status
    if note is not None:
        row.note = note
    row.updated_at = _now()
    session.commit()
    return event_dict(row)


# ---------------------------------------------------------------- vessels, links, screening


def _vessel_dict(row: VesselRow | None) -> dict[str, Any] | None:
    if row is None:
        return None
    flag = flag_of(row.mmsi)
    return {
        "vessel": row.vessel,
        "mmsi": row.mmsi,
        "imo": row.imo,
        "name": row.name,
        "call_sign": row.call_sign,
        "ship_type": row.ship_type,
        "flag": row.flag,
        "flag_allocated_to": flag.allocated_to if flag else None,
        "first_seen": iso(_utc(row.first_seen)),
        "last_seen": iso(_utc(row.last_seen)),
    }


def list_vessels(session: Session, q: str | None = None, limit: int = 100, offset: int = 0) -> dict[str, Any]:
    stmt = select(VesselRow)
    if q:
        like = f"%{q.strip().upper()}%"
        stmt = stmt.where(
            or_(func.upper(VesselRow.name).like(like), VesselRow.vessel.like(like), VesselRow.imo.like(like))
        )
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(stmt.order_by(VesselRow.vessel).limit(limit).offset(offset))
    return {"total": total, "items": [_vessel_dict(r) for r in rows]}


def get_vessel(session: Session, vessel: str) -> dict[str, Any]:
    row = session.scalar(select(VesselRow).where(VesselRow.vessel == vessel))
    if row is None:
        raise NotFound(f"no vessel {vessel!r}", where="vessel")
    data = _vessel_dict(row)
    assert data is not None
    data["positions"] = session.scalar(
        select(func.count()).select_from(PositionRow).where(PositionRow.vessel == vessel)
    )
    data["open_events"] = session.scalar(
        select(func.count())
        .select_from(EventRow)
        .where(or_(EventRow.vessel == vessel, EventRow.other == vessel), EventRow.status == "open")
    )
    return data


def linked_consignments(session: Session, vessel: str, limit: int = 100) -> list[dict[str, Any]]:
    """Consignments whose conveyance names this vessel: by IMO, by MMSI, or by exact (normalised) name."""
    from corridor.consignments.models import ConsignmentRow
    from corridor.consignments.service import summary

    row = session.scalar(select(VesselRow).where(VesselRow.vessel == vessel))
    if row is None:
        raise NotFound(f"no vessel {vessel!r}", where="vessel")
    found: dict[int, tuple[ConsignmentRow, list[str]]] = {}

    def add(rows: Iterable[ConsignmentRow], how: str) -> None:
        for c in rows:
            found.setdefault(c.id, (c, []))[1].append(how)

    if row.imo:
        add(
            session.scalars(
                select(ConsignmentRow).where(ConsignmentRow.conveyance_imo == row.imo).limit(limit)
            ),
            "imo",
        )
    if row.mmsi:
        mmsi_expr = ConsignmentRow.data["conveyance"]["mmsi"].as_string()
        add(session.scalars(select(ConsignmentRow).where(mmsi_expr == row.mmsi).limit(limit)), "mmsi")
    if row.name:
        name = " ".join(row.name.upper().split())
        add(
            session.scalars(
                select(ConsignmentRow).where(func.upper(ConsignmentRow.conveyance_name) == name).limit(limit)
            ),
            "name",
        )
    return [{**summary(c), "matched_on": how} for c, how in list(found.values())[:limit]]


def screen_vessel(session: Session, vessel: str, lookup: Any = None) -> dict[str, Any]:
    """The vessel's name, IMO and MMSI against the stored watch lists of kind `vessels`.

    Goes through the risk engine's WatchlistLookup protocol (exact normalised matching on named
    lists); the screening package's fuzzy matcher plugs in through the same protocol via `lookup`.
    """
    from corridor.risk.watchlist import WatchQuery

    row = session.scalar(select(VesselRow).where(VesselRow.vessel == vessel))
    if row is None:
        raise NotFound(f"no vessel {vessel!r}", where="vessel")
    identifiers = tuple(
        i
        for i in (row.imo, f"IMO:{row.imo}" if row.imo else None, f"MMSI:{row.mmsi}" if row.mmsi else None)
        if i
    )
    if lookup is None:
        from corridor.risk.service import watchlist_for

        lookup = watchlist_for(session)
    matches = lookup.lookup([WatchQuery(ref=0, kind="vessel", name=row.name, identifiers=identifiers)])
    return {
        "vessel": row.vessel,
        "queried": {"name": row.name, "identifiers": list(identifiers)},
        "matches": [{"list": m.list_name, "score": m.score, "matched": m.matched} for m in matches],
    }
