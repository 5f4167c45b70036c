"""Read use cases for stored consignments: list with filters, show one with its amendment history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from corridor.consignments.models import ConsignmentRow, ConsignmentVersionRow, IngestBatchRow
from corridor.domain.consignment import Consignment
from corridor.domain.errors import InvalidInput, NotFound


@dataclass(slots=True)
class ConsignmentFilter:
    q: str | None = None
    office: str | None = None
    mode: str | None = None
    document_type: str | None = None
    status: str | None = None
    origin_country: str | None = None
    discharge_locode: str | None = None
    has_warnings: bool | None = None
    eta_from: datetime | None = None
    eta_to: datetime | None = None
    source_format: str | None = None


SORTS = {
    "id": ConsignmentRow.id,
    "eta": ConsignmentRow.eta,
    "filed_at": ConsignmentRow.filed_at,
    "document_number": ConsignmentRow.document_number,
    "updated_at": ConsignmentRow.updated_at,
}


def _utc(value: datetime | None) -> datetime | None:
    # SQLite hands back naive datetimes; everything is stored in UTC.
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def summary(row: ConsignmentRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "key": row.key,
        "document_type": row.document_type,
        "document_number": row.document_number,
        "master_document_number": row.master_document_number,
        "status": row.status,
        "version": row.version,
        "mode": row.mode,
        "office": row.office,
        "carrier": row.carrier_name,
        "conveyance": row.conveyance_name,
        "filed_at": _iso(row.filed_at),
        "eta": _iso(row.eta),
        "loading_locode": row.loading_locode,
        "discharge_locode": row.discharge_locode,
        "origin_country": row.origin_country,
        "consignor": row.consignor_name,
        "consignee": row.consignee_name,
        "goods_count": row.goods_count,
        "total_gross_kg": row.total_gross_kg,
        "warning_count": row.warning_count,
        "source_format": row.source_format,
    }


def _iso(value: datetime | None) -> str | None:
    value = _utc(value)
    return value.isoformat().replace("+00:00", "Z") if value else None


def list_consignments(
    session: Session,
    flt: ConsignmentFilter,
    *,
    limit: int = 50,
    offset: int = 0,
    sort: str = "id",
    descending: bool = False,
) -> tuple[list[ConsignmentRow], int]:
    if sort not in SORTS:
        raise InvalidInput(f"cannot sort by {sort!r}; use one of {', '.join(SORTS)}", where="sort")
    if limit < 1 or offset < 0:
        raise InvalidInput("limit must be >= 1 and offset >= 0", where="limit")
    stmt = select(ConsignmentRow)
    conditions = []
    if flt.q:
        like = f"%{flt.q.strip().upper()}%"
        conditions.append(
            or_(
                ConsignmentRow.document_number.like(like),
                func.upper(ConsignmentRow.consignor_name).like(like),
                func.upper(ConsignmentRow.consignee_name).like(like),
                func.upper(ConsignmentRow.conveyance_name).like(like),
            )
        )
    for attr in (
        "office",
        "mode",
        "document_type",
        "status",
        "origin_country",
        "discharge_locode",
        "source_format",
    ):
        value = getattr(flt, attr)
        if value:
            conditions.append(getattr(ConsignmentRow, attr) == value)
    if flt.has_warnings is True:
        conditions.append(ConsignmentRow.warning_count > 0)
    elif flt.has_warnings is False:
        conditions.append(ConsignmentRow.warning_count == 0)
    if flt.eta_from:
        conditions.append(ConsignmentRow.eta >= flt.eta_from)
    if flt.eta_to:
        conditions.append(ConsignmentRow.eta < flt.eta_to)
    if conditions:
        stmt = stmt.where(*conditions)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    order = SORTS[sort].desc() if descending else SORTS[sort].asc()
    rows = list(session.scalars(stmt.order_by(order, ConsignmentRow.id).limit(limit).offset(offset)))
    return rows, int(total)


def get_row(session: Session, ref: str | int) -> ConsignmentRow:
    """Find by id, by key (BL:NUMBER) or by document number (unique or the most recent)."""
    row: ConsignmentRow | None = None
    if isinstance(ref, int) or (isinstance(ref, str) and ref.isdigit()):
        row = session.get(ConsignmentRow, int(ref))
    if row is None and isinstance(ref, str):
        text = " ".join(ref.split()).upper()
        row = session.scalars(select(ConsignmentRow).where(ConsignmentRow.key == text)).first()
        if row is None:
            row = session.scalars(
                select(ConsignmentRow)
                .where(ConsignmentRow.document_number == text)
                .order_by(ConsignmentRow.updated_at.desc())
            ).first()
    if row is None:
        raise NotFound(f"no consignment {ref!r}", where="consignment")
    return row


def get_consignment(session: Session, ref: str | int) -> tuple[ConsignmentRow, Consignment]:
    row = get_row(session, ref)
    return row, Consignment.model_validate(row.data)


def history(session: Session, consignment_id: int) -> list[dict[str, Any]]:
    rows = session.scalars(
        select(ConsignmentVersionRow)
        .where(ConsignmentVersionRow.consignment_id == consignment_id)
        .order_by(ConsignmentVersionRow.version)
    )
    return [
        {
            "version": v.version,
            "function": v.function,
            "content_hash": v.content_hash,
            "source_format": v.source_format,
            "source_file": v.source_file,
            "source_location": v.source_location,
            "batch_id": v.batch_id,
            "received_at": _iso(v.received_at),
            "data": v.data,
        }
        for v in rows
    ]


def diff_versions(old: dict[str, Any], new: dict[str, Any], prefix: str = "") -> list[str]:
    """Dotted paths of the fields that differ between two versions (for the amendment history)."""
    changed: list[str] = []
    for key in sorted(set(old) | set(new)):
        if key in ("provenance", "warnings"):
            continue
        a, b = old.get(key), new.get(key)
        path = f"{prefix}{key}"
        if isinstance(a, dict) and isinstance(b, dict):
            changed += diff_versions(a, b, path + ".")
        elif a != b:
            changed.append(path)
    return changed


def list_batches(session: Session, limit: int = 20) -> list[IngestBatchRow]:
    return list(session.scalars(select(IngestBatchRow).order_by(IngestBatchRow.id.desc()).limit(limit)))


def batch_summary(batch: IngestBatchRow) -> dict[str, Any]:
    return {
        "id": batch.id,
        "started_at": _iso(batch.started_at),
        "finished_at": _iso(batch.finished_at),
        "origin": batch.origin,
        "files": batch.files,
        "accepted": batch.accepted,
        "amended": batch.amended,
        "duplicates": batch.duplicates,
        "rejected": batch.rejected,
        "warnings": batch.warnings,
    }
