"""Case use cases: open a consignment in scope, decide, record an inspection and a seizure with photos.

Scope is enforced here, not in templates: a consignment of an office the user does not see is
"not found" (404) and the attempt is audited. Every view and every decision writes an audit entry.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from corridor.accounts.models import UserRow
from corridor.accounts.roles import Permission, can
from corridor.accounts.service import audit, in_scope, visible_offices
from corridor.cases.models import DecisionRow, InspectionRow, SeizurePhotoRow, SeizureRow
from corridor.cases.vocabulary import COMMODITIES, CONCEALMENTS, METHODS, RESULTS, UNITS, is_override
from corridor.consignments.models import ConsignmentRow, PartyRow
from corridor.consignments.service import get_row
from corridor.domain.consignment import Consignment
from corridor.domain.errors import Conflict, Forbidden, InvalidInput, NotFound, PayloadTooLarge
from corridor.risk.models import AssessmentRow
from corridor.settings import get_settings

MAX_PHOTO_BYTES = 15 * 1024 * 1024
TRADE_ROLES = ("consignor", "consignee", "importer", "exporter", "notify", "seller", "buyer")
MAX_PHOTOS = 12
_IMAGE_TYPES = (
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
)


def now() -> datetime:
    return datetime.now(UTC)


@dataclass(slots=True)
class Opened:
    row: ConsignmentRow
    consignment: Consignment
    assessment: AssessmentRow | None
    decisions: list[DecisionRow]
    inspections: list[InspectionRow]


def require(user: UserRow, permission: Permission) -> None:
    if not can(user.role, permission):
        raise Forbidden(f"a {user.role.replace('_', ' ')} may not {permission.value.replace('_', ' ')}")


def scoped_row(session: Session, user: UserRow, ref: str | int, *, ip: str | None = None) -> ConsignmentRow:
    """The consignment if the user may see it; otherwise NotFound, and the attempt is audited."""
    require(user, Permission.VIEW_CONSIGNMENTS)
    try:
        row = get_row(session, ref)
    except NotFound:
        raise
    if not in_scope(visible_offices(session, user), row.office):
        audit(
            session,
            user,
            "consignment.view",
            "consignment",
            str(row.id),
            office=row.office,
            outcome="refused",
            ip=ip,
            detail={"why": "office out of scope", "ref": str(ref)},
        )
        session.commit()
        # The same answer as for a consignment that does not exist: no probing other offices' data.
        raise NotFound(f"no consignment {ref!r}", where="consignment")
    return row


def latest_assessment(session: Session, consignment_id: int) -> AssessmentRow | None:
    return session.scalars(
        select(AssessmentRow)
        .where(AssessmentRow.consignment_id == consignment_id)
        .order_by(AssessmentRow.assessed_at.desc(), AssessmentRow.id.desc())
        .limit(1)
    ).first()


def decisions_of(session: Session, consignment_id: int) -> list[DecisionRow]:
    return list(
        session.scalars(
            select(DecisionRow)
            .where(DecisionRow.consignment_id == consignment_id)
            .order_by(DecisionRow.decided_at.desc(), DecisionRow.id.desc())
        )
    )


def inspections_of(session: Session, consignment_id: int) -> list[InspectionRow]:
    return list(
        session.scalars(
            select(InspectionRow)
            .where(InspectionRow.consignment_id == consignment_id)
            .order_by(InspectionRow.inspected_at.desc(), InspectionRow.id.desc())
        )
    )


def open_consignment(session: Session, user: UserRow, ref: str | int, *, ip: str | None = None) -> Opened:
    row = scoped_row(session, user, ref, ip=ip)
    audit(
        session,
        user,
        "consignment.view",
        "consignment",
        str(row.id),
        office=row.office,
        ip=ip,
        summary=row.key,
    )
    session.commit()
    return Opened(
        row=row,
        consignment=Consignment.model_validate(row.data),
        assessment=latest_assessment(session, row.id),
        decisions=decisions_of(session, row.id),
        inspections=inspections_of(session, row.id),
    )


def decide(
    session: Session,
    user: UserRow,
    ref: str | int,
    *,
    action: str,
    method: str | None = None,
    reason: str | None = None,
    ip: str | None = None,
) -> DecisionRow:
    require(user, Permission.DECIDE)
    row = scoped_row(session, user, ref, ip=ip)
    if action not in ("select", "release", "hold"):
        raise InvalidInput(f"unknown decision {action!r}; use select, release or hold", where="action")
    method = (method or "").strip() or None
    if action == "select":
        if method not in METHODS:
            raise InvalidInput(f"choose an inspection method: {', '.join(METHODS)}", where="method")
    elif method is not None:
        raise InvalidInput("only a selection for inspection takes a method", where="method")
    reason = (reason or "").strip() or None
    assessment = latest_assessment(session, row.id)
    lane = assessment.lane if assessment is not None else None
    override = is_override(lane, action)
    if override and not reason:
        raise InvalidInput(
            f"deciding {action} against the {lane} lane is an override: give the reason", where="reason"
        )
    if action == "hold" and not reason:
        raise InvalidInput("a hold needs a reason", where="reason")
    if reason is not None and len(reason) > 2000:
        raise InvalidInput("a reason has at most 2000 characters", where="reason")
    decision = DecisionRow(
        consignment_id=row.id,
        consignment_version=row.version,
        office=row.office,
        action=action,
        method=method,
        reason=reason,
        override=override,
        lane=lane,
        score=assessment.score if assessment is not None else None,
        assessment_id=assessment.id if assessment is not None else None,
        user_id=user.id,
        decided_at=now(),
    )
    session.add(decision)
    session.flush()
    audit(
        session,
        user,
        f"decision.{action}",
        "consignment",
        str(row.id),
        office=row.office,
        ip=ip,
        summary=row.key,
        detail={
            "decision_id": decision.id,
            "method": method,
            "reason": reason,
            "override": override,
            "lane": lane,
            "score": decision.score,
        },
    )
    session.commit()
    return decision


def record_inspection(
    session: Session,
    user: UserRow,
    ref: str | int,
    *,
    result: str,
    notes: str | None = None,
    ip: str | None = None,
) -> InspectionRow:
    require(user, Permission.RECORD_INSPECTION)
    row = scoped_row(session, user, ref, ip=ip)
    if result not in RESULTS:
        raise InvalidInput(f"unknown result {result!r}; use {', '.join(RESULTS)}", where="result")
    decisions = decisions_of(session, row.id)
    if not decisions or decisions[0].action != "select":
        raise Conflict(
            "only a consignment selected for inspection can have an inspection result", where="consignment"
        )
    notes = (notes or "").strip() or None
    inspection = InspectionRow(
        consignment_id=row.id,
        decision_id=decisions[0].id,
        office=row.office,
        method=decisions[0].method,
        result=result,
        notes=notes,
        user_id=user.id,
        inspected_at=now(),
    )
    session.add(inspection)
    session.flush()
    audit(
        session,
        user,
        f"inspection.{result}",
        "consignment",
        str(row.id),
        office=row.office,
        ip=ip,
        summary=row.key,
        detail={"inspection_id": inspection.id, "method": inspection.method, "notes": notes},
    )
    session.commit()
    return inspection


@dataclass(slots=True)
class Photo:
    filename: str
    data: bytes


@dataclass(slots=True)
class SeizureForm:
    commodity: str
    quantity: float
    unit: str
    concealment: str
    description: str | None = None


def get_inspection(
    session: Session, user: UserRow, inspection_id: int, *, ip: str | None = None
) -> InspectionRow:
    inspection = session.get(InspectionRow, inspection_id)
    if inspection is None:
        raise NotFound(f"no inspection {inspection_id}", where="inspection")
    scoped_row(session, user, inspection.consignment_id, ip=ip)
    return inspection


def record_seizure(
    session: Session,
    user: UserRow,
    inspection_id: int,
    form: SeizureForm,
    photos: list[Photo],
    *,
    ip: str | None = None,
) -> SeizureRow:
    require(user, Permission.RECORD_INSPECTION)
    inspection = get_inspection(session, user, inspection_id, ip=ip)
    if inspection.result != "seizure":
        raise Conflict(
            "a seizure form belongs to an inspection whose result is a seizure", where="inspection"
        )
    if form.commodity not in COMMODITIES:
        raise InvalidInput(f"unknown commodity category {form.commodity!r}", where="commodity")
    if form.unit not in UNITS:
        raise InvalidInput(f"unknown unit {form.unit!r}; use {', '.join(UNITS)}", where="unit")
    if form.concealment not in CONCEALMENTS:
        raise InvalidInput(f"unknown concealment {form.concealment!r}", where="concealment")
    if not form.quantity > 0:
        raise InvalidInput("the quantity must be greater than zero", where="quantity")
    if len(photos) > MAX_PHOTOS:
        raise InvalidInput(f"at most {MAX_PHOTOS} photos per seizure", where="photos")
    checked = [(_image_type(p), p) for p in photos]
    seizure = SeizureRow(
        inspection_id=inspection.id,
        consignment_id=inspection.consignment_id,
        office=inspection.office,
        commodity=form.commodity,
        description=(form.description or "").strip() or None,
        quantity=form.quantity,
        unit=form.unit,
        concealment=form.concealment,
        user_id=user.id,
        seized_at=now(),
    )
    session.add(seizure)
    session.flush()
    stored = []
    for (content_type, ext), photo in checked:
        sha = hashlib.sha256(photo.data).hexdigest()
        path = _store_photo(sha, ext, photo.data)
        stored.append(sha)
        session.add(
            SeizurePhotoRow(
                seizure_id=seizure.id,
                sha256=sha,
                filename=Path(photo.filename).name[:255] or f"photo.{ext}",
                content_type=content_type,
                size=len(photo.data),
                path=str(path),
                uploaded_at=now(),
            )
        )
    audit(
        session,
        user,
        "seizure.record",
        "consignment",
        str(inspection.consignment_id),
        office=inspection.office,
        ip=ip,
        detail={
            "seizure_id": seizure.id,
            "commodity": form.commodity,
            "quantity": form.quantity,
            "unit": form.unit,
            "concealment": form.concealment,
            "photos": stored,
        },
    )
    session.commit()
    session.refresh(seizure)
    return seizure


def _image_type(photo: Photo) -> tuple[str, str]:
    if len(photo.data) > MAX_PHOTO_BYTES:
        raise PayloadTooLarge(
            f"{photo.filename}: a photo has at most {MAX_PHOTO_BYTES // (1024 * 1024)} MB", where="photos"
        )
    for magic, content_type, ext in _IMAGE_TYPES:
        if photo.data.startswith(magic):
            return content_type, ext
    raise InvalidInput(f"{photo.filename}: a photo must be a JPEG or PNG image", where="photos")


def photo_root() -> Path:
    return get_settings().data_dir / "photos"


def _store_photo(sha: str, ext: str, data: bytes) -> Path:
    # Content-addressed: the same photo uploaded twice is stored once, and its name is its hash.
    relative = Path(sha[:2]) / f"{sha}.{ext}"
    target = photo_root() / relative
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(".part")
        tmp.write_bytes(data)
        tmp.replace(target)
    return relative


def open_photo(
    session: Session, user: UserRow, photo_id: int, *, ip: str | None = None
) -> tuple[SeizurePhotoRow, Path]:
    photo = session.get(SeizurePhotoRow, photo_id)
    if photo is None:
        raise NotFound(f"no photo {photo_id}", where="photo")
    seizure = session.get(SeizureRow, photo.seizure_id)
    assert seizure is not None  # a photo row cannot outlive its seizure (cascade)
    scoped_row(session, user, seizure.consignment_id, ip=ip)
    path = photo_root() / photo.path
    if not path.is_file() or hashlib.sha256(path.read_bytes()).hexdigest() != photo.sha256:
        raise NotFound(f"photo {photo_id} is missing or damaged on disk", where="photo")
    return photo, path


def party_history(
    session: Session, user: UserRow, consignment_id: int, *, limit: int = 20
) -> list[dict[str, Any]]:
    """Other consignments of the same parties (in the user's scope), newest first, with outcomes."""
    # Trade parties only: the carrier or the broker who declares for everyone would flood the history.
    keys = list(
        session.scalars(
            select(PartyRow.party_key).where(
                PartyRow.consignment_id == consignment_id, PartyRow.role.in_(TRADE_ROLES)
            )
        )
    )
    if not keys:
        return []
    scope = visible_offices(session, user)
    stmt = (
        select(PartyRow.role, PartyRow.name, ConsignmentRow)
        .join(ConsignmentRow, ConsignmentRow.id == PartyRow.consignment_id)
        .where(
            PartyRow.party_key.in_(keys),
            PartyRow.role.in_(TRADE_ROLES),
            PartyRow.consignment_id != consignment_id,
        )
    )
    if scope is not None:
        stmt = stmt.where(ConsignmentRow.office.in_(list(scope)))
    rows = session.execute(
        stmt.order_by(ConsignmentRow.eta.desc(), ConsignmentRow.id.desc()).limit(limit * 4)
    ).all()
    # One line per consignment, listing every party it shares with this one.
    merged: dict[int, dict[str, Any]] = {}
    for role, name, c in rows:
        entry = merged.setdefault(c.id, {"row": c, "parties": [], "result": None})
        if (role, name) not in entry["parties"]:
            entry["parties"].append((role, name))
    entries = list(merged.values())[:limit]
    ids = [e["row"].id for e in entries]
    if ids:
        for insp in session.scalars(
            select(InspectionRow)
            .where(InspectionRow.consignment_id.in_(ids))
            .order_by(InspectionRow.inspected_at)
        ):
            merged[insp.consignment_id]["result"] = insp.result
    return entries
