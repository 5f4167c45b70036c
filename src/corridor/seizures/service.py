"""Seizure use cases: record (idempotent on the natural key), list, show, record from the workbench's
seizure form, attach photos and X-ray images, and put the parties involved on the national watch list.

The only place in the package that commits. A record's `content_hash` is the hash of what it says, so
re-importing the same file is a no-op and a changed row is an update, never a duplicate.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from corridor.consignments.models import ConsignmentRow
from corridor.domain.errors import Conflict, InvalidInput, NotFound, PayloadTooLarge
from corridor.seizures.models import CenAttachmentRow, CenPartyRow, CenSeizureRow, CenWatchEntryRow
from corridor.seizures.schemas import PartyIn, ProfileHitIn, SeizureIn
from corridor.seizures.vocabulary import (
    ATTACHMENT_KINDS,
    CASE_COMMODITY_TYPE,
    CASE_CONCEALMENT,
    CASE_UNIT,
    CASE_UNIT_FACTOR,
    CONSIGNMENT_MODE,
    KG_PER_UNIT,
    TYPE_CATEGORY,
)
from corridor.settings import get_settings

MAX_ATTACHMENT_BYTES = 25 * 1024 * 1024
# What an attachment may be, by its first bytes (never by its name): photos, X-ray images, PDFs.
_MAGIC = (
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
    (b"II*\x00", "image/tiff", "tif"),
    (b"MM\x00*", "image/tiff", "tif"),
    (b"%PDF-", "application/pdf", "pdf"),
)
NATIONAL_LIST = "national-watchlist"


def now() -> datetime:
    return datetime.now(UTC)


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


@dataclass(slots=True)
class SeizureFilter:
    since: datetime | None = None
    until: datetime | None = None
    category: str | None = None
    commodity_type: str | None = None
    office: str | None = None
    offices: frozenset[str] | None = None  # the caller's scope; None: every office
    detection: str | None = None
    route: str | None = None
    source: str | None = None


def content_hash(data: SeizureIn) -> str:
    blob = json.dumps(data.model_dump(mode="json", exclude={"ref"}), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def natural_ref(data: SeizureIn, digest: str) -> str:
    """The ref of a record that came without one: office, date and a content digest (stable)."""
    return f"{data.office or 'XX'}-{data.seized_at:%Y%m%d}-{digest[:6].upper()}"[:40]


H3_RESOLUTION = 8


def cell_of(lat: float | None, lon: float | None) -> str | None:
    if lat is None or lon is None:
        return None
    import h3

    return str(h3.latlng_to_cell(lat, lon, H3_RESOLUTION))


def quantity_kg(quantity: float, unit: str) -> float | None:
    factor = KG_PER_UNIT.get(unit)
    return quantity * factor if factor is not None else None


def _resolve_consignment(session: Session, ref: str | None) -> int | None:
    if ref is None:
        return None
    from corridor.consignments.service import get_row

    try:
        return get_row(session, ref).id
    except NotFound:
        raise InvalidInput(f"no stored consignment {ref!r} to link", where="consignment") from None


def _apply(row: CenSeizureRow, data: SeizureIn, consignment_id: int | None, digest: str) -> None:
    row.seized_at = data.seized_at
    row.office = data.office
    row.locode = data.locode
    row.place = data.place
    row.lat, row.lon = data.lat, data.lon
    row.h3_cell = cell_of(data.lat, data.lon)
    row.category = data.category or TYPE_CATEGORY[data.commodity_type]
    row.commodity_type = data.commodity_type
    row.description = data.description
    row.quantity, row.unit = data.quantity, data.unit
    row.quantity_kg = quantity_kg(data.quantity, data.unit)
    row.value_usd = data.value_usd
    row.concealment = data.concealment
    row.detection = data.detection
    row.transport_mode = data.transport_mode
    row.conveyance = data.conveyance
    row.departure_country = data.departure_country
    row.destination_country = data.destination_country
    row.transit_countries = list(data.transit_countries)
    row.route = data.route
    row.consignment_id = consignment_id
    row.profile_hits = [h.model_dump(exclude_none=True) for h in data.profile_hits]
    row.notes = data.notes
    row.content_hash = digest
    row.parties = [
        CenPartyRow(role=p.role, kind=p.kind, name=p.name, nationality=p.nationality, identifier=p.identifier)
        for p in data.parties
    ]


def upsert(session: Session, data: SeizureIn, *, source: str = "manual") -> tuple[CenSeizureRow, str]:
    """Add or update one record without committing; returns the row and created/updated/unchanged."""
    digest = content_hash(data)
    ref = data.ref or natural_ref(data, digest)
    row = session.scalars(select(CenSeizureRow).where(CenSeizureRow.ref == ref)).first()
    if row is not None and row.content_hash == digest:
        return row, "unchanged"
    consignment_id = _resolve_consignment(session, data.consignment)
    moment = now()
    if row is None:
        row = CenSeizureRow(ref=ref, source=source, created_at=moment, updated_at=moment)
        _apply(row, data, consignment_id, digest)
        session.add(row)
        session.flush()
        return row, "created"
    _apply(row, data, consignment_id, digest)
    row.updated_at = moment
    session.flush()
    return row, "updated"


def record(session: Session, data: SeizureIn, *, source: str = "manual") -> tuple[CenSeizureRow, str]:
    row, status = upsert(session, data, source=source)
    session.commit()
    return row, status


def record_many(
    session: Session, items: Iterable[SeizureIn], *, source: str = "import"
) -> dict[str, list[str]]:
    """Record a batch in one transaction; a record whose link cannot be resolved is reported by ref."""
    done: dict[str, list[str]] = {"created": [], "updated": [], "unchanged": []}
    for item in items:
        row, status = upsert(session, item, source=source)
        done[status].append(row.ref)
    session.commit()
    return done


def get(session: Session, ref: str | int) -> CenSeizureRow:
    row: CenSeizureRow | None = None
    if isinstance(ref, int) or ref.isdigit():
        row = session.get(CenSeizureRow, int(ref))
    if row is None and isinstance(ref, str):
        row = session.scalars(select(CenSeizureRow).where(CenSeizureRow.ref == ref.strip().upper())).first()
    if row is None:
        raise NotFound(f"no seizure record {ref!r}", where="seizure")
    return row


def filtered(stmt: Any, flt: SeizureFilter) -> Any:
    s = CenSeizureRow
    if flt.since is not None:
        stmt = stmt.where(s.seized_at >= flt.since)
    if flt.until is not None:
        stmt = stmt.where(s.seized_at < flt.until)
    for attr in ("category", "commodity_type", "office", "detection", "route", "source"):
        value = getattr(flt, attr)
        if value:
            stmt = stmt.where(getattr(s, attr) == value)
    if flt.offices is not None:
        stmt = stmt.where(s.office.in_(sorted(flt.offices)))
    return stmt


def list_seizures(
    session: Session, flt: SeizureFilter, *, limit: int = 50, offset: int = 0
) -> tuple[list[CenSeizureRow], int]:
    if limit < 1 or offset < 0:
        raise InvalidInput("limit must be >= 1 and offset >= 0", where="limit")
    stmt = filtered(select(CenSeizureRow), flt)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(
        stmt.order_by(CenSeizureRow.seized_at.desc(), CenSeizureRow.id.desc()).limit(limit).offset(offset)
    )
    return list(rows), int(total)


def all_inputs(session: Session, flt: SeizureFilter) -> list[SeizureIn]:
    """Every record in the filter as input documents (what an export writes)."""
    rows = session.scalars(
        filtered(select(CenSeizureRow), flt).order_by(CenSeizureRow.seized_at, CenSeizureRow.id)
    )
    consignment_keys = dict(
        session.execute(
            select(ConsignmentRow.id, ConsignmentRow.key).where(
                ConsignmentRow.id.in_(
                    select(CenSeizureRow.consignment_id).where(CenSeizureRow.consignment_id.isnot(None))
                )
            )
        ).all()
    )
    return [to_input(r, consignment_keys.get(r.consignment_id) if r.consignment_id else None) for r in rows]


def to_input(row: CenSeizureRow, consignment_key: str | None = None) -> SeizureIn:
    return SeizureIn(
        ref=row.ref,
        seized_at=_utc(row.seized_at),
        office=row.office,
        locode=row.locode,
        place=row.place,
        lat=row.lat,
        lon=row.lon,
        category=row.category,
        commodity_type=row.commodity_type,
        description=row.description,
        quantity=row.quantity,
        unit=row.unit,
        value_usd=row.value_usd,
        concealment=row.concealment,
        detection=row.detection,
        transport_mode=row.transport_mode,
        conveyance=row.conveyance,
        departure_country=row.departure_country,
        transit_countries=list(row.transit_countries or []),
        destination_country=row.destination_country,
        consignment=consignment_key,
        profile_hits=[ProfileHitIn.model_validate(h) for h in row.profile_hits or []],
        parties=[
            PartyIn(name=p.name, role=p.role, kind=p.kind, nationality=p.nationality, identifier=p.identifier)
            for p in row.parties
        ],
        notes=row.notes,
    )


def as_json(row: CenSeizureRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "ref": row.ref,
        "seized_at": _utc(row.seized_at).isoformat().replace("+00:00", "Z"),
        "office": row.office,
        "locode": row.locode,
        "place": row.place,
        "lat": row.lat,
        "lon": row.lon,
        "category": row.category,
        "commodity_type": row.commodity_type,
        "description": row.description,
        "quantity": row.quantity,
        "unit": row.unit,
        "quantity_kg": row.quantity_kg,
        "value_usd": row.value_usd,
        "concealment": row.concealment,
        "detection": row.detection,
        "transport_mode": row.transport_mode,
        "conveyance": row.conveyance,
        "departure_country": row.departure_country,
        "transit_countries": list(row.transit_countries or []),
        "destination_country": row.destination_country,
        "route": row.route,
        "consignment_id": row.consignment_id,
        "inspection_id": row.inspection_id,
        "case_seizure_id": row.case_seizure_id,
        "profile_hits": row.profile_hits,
        "source": row.source,
        "notes": row.notes,
        "parties": [
            {
                "id": p.id,
                "name": p.name,
                "role": p.role,
                "kind": p.kind,
                "nationality": p.nationality,
                "identifier": p.identifier,
            }
            for p in row.parties
        ],
        "attachments": [
            {
                "id": a.id,
                "kind": a.kind,
                "sha256": a.sha256,
                "filename": a.filename,
                "content_type": a.content_type,
                "size": a.size,
            }
            for a in row.attachments
        ],
    }


# -- from the workbench's seizure form ------------------------------------------------------------


def record_from_case(session: Session, seizure_id: int) -> tuple[CenSeizureRow, str]:
    """Create or update the CEN record of a workbench seizure (cases.SeizureRow): links the consignment
    and inspection, takes office, route, conveyance and parties from the consignment, the profile hits
    from its latest assessment, and the form's photos as attachments. Commits."""
    from corridor.accounts.models import OfficeRow
    from corridor.cases.models import DecisionRow, InspectionRow, SeizureRow
    from corridor.cases.service import latest_assessment
    from corridor.domain.consignment import Consignment

    case = session.get(SeizureRow, seizure_id)
    if case is None:
        raise NotFound(f"no workbench seizure {seizure_id}", where="seizure_id")
    crow = session.get(ConsignmentRow, case.consignment_id)
    if crow is None:  # the form's consignment is a required foreign key; a dangling one is a bug
        raise NotFound(f"seizure {seizure_id} has no consignment", where="consignment")
    doc = Consignment.model_validate(crow.data)
    inspection = session.get(InspectionRow, case.inspection_id)
    decision = session.get(DecisionRow, inspection.decision_id) if inspection is not None else None
    assessment = latest_assessment(session, crow.id)
    hits = list(assessment.hits or []) if assessment is not None else []

    office_locode = None
    if case.office:
        office_locode = session.scalars(select(OfficeRow.locode).where(OfficeRow.code == case.office)).first()
    locode = office_locode or crow.discharge_locode

    method = inspection.method if inspection is not None else None
    lane = decision.lane if decision is not None else None
    if hits and lane in ("red", "yellow"):
        detection = "risk_profile"
    elif assessment is not None and assessment.exploration:
        detection = "random"
    elif method in ("xray", "canine"):
        detection = str(method)
    else:
        detection = "random"

    existing = session.scalars(select(CenSeizureRow).where(CenSeizureRow.case_seizure_id == case.id)).first()
    mapped_type = CASE_COMMODITY_TYPE.get(case.commodity, "other")
    commodity_type = mapped_type
    if existing is not None and TYPE_CATEGORY.get(existing.commodity_type) == TYPE_CATEGORY[mapped_type]:
        # The analyst refined the type (heroin for "narcotics"): a later sync keeps it.
        commodity_type = existing.commodity_type
    parties = [_party_from_consignment(p) for p in doc.parties if p.name]
    if existing is not None:
        # Parties the analyst added on the CEN record (driver, passenger) survive a re-sync.
        known = {(p.name, p.role) for p in parties}
        parties += [
            PartyIn(name=p.name, role=p.role, kind=p.kind, nationality=p.nationality, identifier=p.identifier)
            for p in existing.parties
            if (p.name, p.role) not in known
        ]
    conveyance = doc.conveyance
    conveyance_text = None
    if conveyance is not None:
        conveyance_text = (
            " / ".join(v for v in (conveyance.name, conveyance.registration, conveyance.journey_number) if v)
            or None
        )
    departure = doc.departure_country or (doc.place_of_loading.country if doc.place_of_loading else None)
    destination = doc.destination_country or (
        doc.place_of_discharge.country if doc.place_of_discharge else None
    )
    data = SeizureIn(
        ref=existing.ref if existing is not None else f"{case.office or 'XX'}-C{case.id:06d}",
        seized_at=_utc(case.seized_at),
        office=case.office,
        locode=locode,
        commodity_type=commodity_type,
        description=case.description,
        quantity=case.quantity * CASE_UNIT_FACTOR.get(case.unit, 1.0),
        unit=CASE_UNIT.get(case.unit, "pcs"),
        concealment=CASE_CONCEALMENT.get(case.concealment, "other"),
        detection=detection,
        transport_mode=CONSIGNMENT_MODE.get(doc.mode.value, "other"),
        conveyance=conveyance_text,
        departure_country=departure,
        transit_countries=list(doc.transit_countries),
        destination_country=destination,
        consignment=crow.key,
        profile_hits=[
            ProfileHitIn(
                rule_id=str(h.get("rule_id"))[:64],
                source=str(h.get("source") or "profile"),
                title=h.get("title"),
                version=h.get("version"),
            )
            for h in hits
            if h.get("rule_id")
        ],
        parties=parties,
        notes=existing.notes if existing is not None else None,
    )
    row, status = upsert(session, data, source="case")
    row.case_seizure_id = case.id
    row.inspection_id = case.inspection_id
    have = {a.sha256 for a in row.attachments}
    for photo in case.photos:
        if photo.sha256 not in have:
            # The form's photo stays where the workbench stored it (content-addressed); no copy.
            row.attachments.append(
                CenAttachmentRow(
                    kind="photo",
                    sha256=photo.sha256,
                    filename=photo.filename,
                    content_type=photo.content_type,
                    size=photo.size,
                    path=str(Path("photos") / photo.path),
                    uploaded_at=_utc(photo.uploaded_at),
                )
            )
            status = "updated" if status == "unchanged" else status
    session.commit()
    return row, status


def _party_from_consignment(p: Any) -> PartyIn:
    role = (
        p.role.value
        if p.role.value in ("consignor", "consignee", "carrier", "declarant", "courier")
        else "other"
    )
    ident = p.identifiers[0] if p.identifiers else None
    return PartyIn(
        name=p.name,
        role=role,
        kind="company",
        nationality=p.country,
        identifier=f"{ident.scheme}:{ident.value}" if ident is not None else None,
    )


# -- attachments ----------------------------------------------------------------------------------


def attachment_root() -> Path:
    return get_settings().data_dir


def add_attachment(
    session: Session, ref: str | int, filename: str, data: bytes, *, kind: str = "photo"
) -> CenAttachmentRow:
    """Store a photo, X-ray image or document by its SHA-256 (the same file twice is stored once)."""
    row = get(session, ref)
    if kind not in ATTACHMENT_KINDS:
        raise InvalidInput(
            f"unknown attachment kind {kind!r}; use {', '.join(ATTACHMENT_KINDS)}", where="kind"
        )
    if len(data) > MAX_ATTACHMENT_BYTES:
        raise PayloadTooLarge(
            f"{filename}: an attachment has at most {MAX_ATTACHMENT_BYTES // (1024 * 1024)} MB", where="file"
        )
    found = next(((ct, ext) for magic, ct, ext in _MAGIC if data.startswith(magic)), None)
    if found is None:
        raise InvalidInput(f"{filename}: an attachment must be a JPEG, PNG, TIFF or PDF file", where="file")
    content_type, ext = found
    sha = hashlib.sha256(data).hexdigest()
    existing = next((a for a in row.attachments if a.sha256 == sha), None)
    if existing is not None:
        return existing
    relative = Path("seizures") / sha[:2] / f"{sha}.{ext}"
    target = attachment_root() / relative
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(".part")
        tmp.write_bytes(data)
        tmp.replace(target)
    attachment = CenAttachmentRow(
        kind=kind,
        sha256=sha,
        filename=Path(filename).name[:255] or f"attachment.{ext}",
        content_type=content_type,
        size=len(data),
        path=str(relative),
        uploaded_at=now(),
    )
    row.attachments.append(attachment)
    session.commit()
    return attachment


def open_attachment(session: Session, attachment_id: int) -> tuple[CenAttachmentRow, Path]:
    attachment = session.get(CenAttachmentRow, attachment_id)
    if attachment is None:
        raise NotFound(f"no attachment {attachment_id}", where="attachment")
    path = attachment_root() / attachment.path
    if not path.is_file() or hashlib.sha256(path.read_bytes()).hexdigest() != attachment.sha256:
        raise NotFound(f"attachment {attachment_id} is missing or damaged on disk", where="attachment")
    return attachment, path


# -- national watch list --------------------------------------------------------------------------


def watch_entry(party: CenPartyRow) -> str:
    """What the list holds for a party: its identifier when known (exact), else its name."""
    return (party.identifier or party.name).strip()[:200]


def watch_parties(
    session: Session,
    ref: str | int,
    *,
    party_ids: Sequence[int] | None = None,
    actor: str | None = None,
    reason: str | None = None,
) -> list[CenWatchEntryRow]:
    """Put parties of a seizure (all, or the given ones) on the national watch list. The entries are
    kept here with their seizure, and the risk engine's `national-watchlist` named list (kind parties,
    matched by its watch-list look-up) is updated in the same transaction. Commits."""
    row = get(session, ref)
    chosen = [p for p in row.parties if party_ids is None or p.id in set(party_ids)]
    if party_ids is not None:
        missing = set(party_ids) - {p.id for p in chosen}
        if missing:
            raise InvalidInput(
                f"seizure {row.ref} has no party {', '.join(str(i) for i in sorted(missing))}",
                where="party_ids",
            )
    if not chosen:
        raise Conflict(f"seizure {row.ref} names no party to put on the watch list", where="parties")
    added: list[CenWatchEntryRow] = []
    for p in chosen:
        entry = watch_entry(p)
        if (
            session.scalars(select(CenWatchEntryRow).where(CenWatchEntryRow.entry == entry)).first()
            is not None
        ):
            continue
        item = CenWatchEntryRow(
            entry=entry,
            name=p.name,
            kind=p.kind,
            nationality=p.nationality,
            identifier=p.identifier,
            seizure_id=row.id,
            reason=reason or f"{p.role} in seizure {row.ref} ({row.commodity_type})",
            added_by=actor,
            added_at=now(),
        )
        session.add(item)
        added.append(item)
    session.flush()
    _sync_national_list(session)
    session.commit()
    return added


def watch_list(session: Session) -> list[CenWatchEntryRow]:
    return list(
        session.scalars(select(CenWatchEntryRow).order_by(CenWatchEntryRow.added_at, CenWatchEntryRow.id))
    )


def _sync_national_list(session: Session) -> None:
    # Entries others put on the list (the starter library, the intelligence unit) are kept: the
    # list is their union with ours, and the risk repository versions it when it changes.
    from corridor.risk import repository as risk_repo
    from corridor.risk.lists import NamedList
    from corridor.risk.service import all_lists

    current = all_lists(session).get(NATIONAL_LIST)
    items = list(current.items) if current is not None else []
    for entry in session.scalars(select(CenWatchEntryRow.entry)):
        if entry not in items:
            items.append(entry)
    risk_repo.save_list(
        session,
        NamedList(
            NATIONAL_LIST,
            "parties",
            tuple(items),
            current.title if current is not None else "National watch list of parties",
            current.description if current is not None else "Parties of seizures, added by analysts.",
        ),
        now(),
    )


# -- import ---------------------------------------------------------------------------------------


def import_records(
    session: Session, data: bytes, name: str, *, fmt: str | None = None, source: str = "import"
) -> Any:
    """Import a template file: good rows go in (idempotent on ref), bad rows come back with their row
    and column; a row whose consignment cannot be found is rejected alone. Commits."""
    from corridor.domain.errors import CorridorError
    from corridor.seizures.schemas import ImportReport, SeizureRejection
    from corridor.seizures.template import detect_format, read

    fmt = fmt or detect_format(name)
    good, bad = read(data, name, fmt)
    report = ImportReport(file=name, format=fmt)
    for number, item in good:
        try:
            row, status = upsert(session, item, source=source)
        except CorridorError as error:
            bad.append(SeizureRejection(file=name, row=number, column=error.where, reason=error.detail))
            continue
        setattr(report, status, getattr(report, status) + 1)
        report.refs.append(row.ref)
    session.commit()
    report.rejections = sorted(bad, key=lambda r: r.row or 0)
    report.rejected = len(bad)
    return report
