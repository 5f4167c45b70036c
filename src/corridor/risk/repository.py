"""Database access of the risk engine, in bulk: history for a batch, stored profiles and lists,
assessments. Nothing here commits; the use cases in service.py do.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
import polars as pl
from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from corridor.consignments.models import ConsignmentRow, GoodsItemRow, PartyRow
from corridor.risk.flatten import UTC_US, Frames
from corridor.risk.history import (
    HISTORY_ROLES,
    PAIR_SEPARATOR,
    SIGHTINGS_SCHEMA,
    UNIT_VALUES_SCHEMA,
    History,
)
from corridor.risk.lists import NamedList
from corridor.risk.models import (
    AssessmentRow,
    NamedListRow,
    NamedListVersionRow,
    ProfileRow,
    ProfileVersionRow,
)

_CHUNK = 500
_CONSIGNOR_ROLES = ("consignor", "exporter", "seller")
_CONSIGNEE_ROLES = ("consignee", "importer")
# The stored roles behind HISTORY_ROLES (a consignor may be stored as exporter or seller ...).
_HISTORY_DB_ROLES = (*_CONSIGNOR_ROLES, *_CONSIGNEE_ROLES, "declarant", "freight_forwarder")


def _chunks(values: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


def _ref_time() -> Any:
    return func.coalesce(
        ConsignmentRow.filed_at, ConsignmentRow.eta, ConsignmentRow.arrival_at, ConsignmentRow.departure_at
    )


def _utc(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def load_history(session: Session, frames: Frames, months: int = 12) -> History:
    """Sightings of the batch's parties and pairs, and unit values of its HS-6 subheadings, from the
    stored consignments: one query per 500 keys, never one per consignment."""
    cons = frames.consignments
    keys: list[str] = sorted(
        {k for role in HISTORY_ROLES for k in cons.get_column(f"{role}.key").drop_nulls().to_list()}
    )
    rows: list[tuple[str, datetime | None, str]] = []
    for part in _chunks(keys):
        rows += [
            (k, _utc(t), ck)
            for k, t, ck in session.execute(
                select(PartyRow.party_key, _ref_time(), ConsignmentRow.key)
                .join(ConsignmentRow, ConsignmentRow.id == PartyRow.consignment_id)
                .where(PartyRow.party_key.in_(part), PartyRow.role.in_(_HISTORY_DB_ROLES))
            )
        ]
    consignees = sorted(set(cons.get_column("consignee.key").drop_nulls().to_list()))
    a, b = PartyRow.__table__.alias("a"), PartyRow.__table__.alias("b")
    for part in _chunks(consignees):
        rows += [
            (f"{x}{PAIR_SEPARATOR}{y}", _utc(t), ck)
            for x, y, t, ck in session.execute(
                select(a.c.party_key, b.c.party_key, _ref_time(), ConsignmentRow.key)
                .join(b, and_(b.c.consignment_id == a.c.consignment_id, b.c.role.in_(_CONSIGNEE_ROLES)))
                .join(ConsignmentRow, ConsignmentRow.id == a.c.consignment_id)
                .where(a.c.role.in_(_CONSIGNOR_ROLES), b.c.party_key.in_(part))
            )
        ]
    sightings = pl.DataFrame(rows, schema=SIGHTINGS_SCHEMA, orient="row").unique(["key", "ckey"])

    hs6 = sorted(set(frames.goods.get_column("goods.hs6").drop_nulls().to_list()))
    end = cons.get_column("_ref_at").max()
    goods_rows: list[tuple[Any, ...]] = []
    for part in _chunks(hs6):
        stmt = (
            select(
                GoodsItemRow.hs6,
                GoodsItemRow.value_amount,
                GoodsItemRow.value_currency,
                GoodsItemRow.net_kg,
                GoodsItemRow.gross_kg,
                GoodsItemRow.packages,
                _ref_time(),
            )
            .join(ConsignmentRow, ConsignmentRow.id == GoodsItemRow.consignment_id)
            .where(GoodsItemRow.hs6.in_(part))
        )
        if isinstance(end, datetime):
            stmt = stmt.where(_ref_time() >= end - timedelta(days=round(months * 30.44)))
        goods_rows += [(*r[:6], _utc(r[6])) for r in session.execute(stmt)]
    goods = pl.DataFrame(
        goods_rows,
        schema={
            "goods.hs6": pl.String,
            "goods.value": pl.Float64,
            "goods.currency": pl.String,
            "goods.net_kg": pl.Float64,
            "goods.gross_kg": pl.Float64,
            "goods.packages": pl.Float64,
            "t": UTC_US,
        },
        orient="row",
    )
    return History(sightings=sightings, unit_values=_unit_values(goods))


def _unit_values(goods: pl.DataFrame) -> pl.DataFrame:
    from corridor.risk.history import unit_value_exprs

    if goods.is_empty():
        return pl.DataFrame(schema=UNIT_VALUES_SCHEMA)
    unit, per_package = unit_value_exprs()
    return goods.select(
        pl.col("goods.hs6").alias("hs6"), unit.alias("unit_value"), per_package.alias("kg_per_package"), "t"
    )


# ---------------------------------------------------------------- profiles and lists


def content_hash(document: dict[str, Any]) -> str:
    return hashlib.sha256(orjson.dumps(document, option=orjson.OPT_SORT_KEYS)).hexdigest()


def stored_lists(session: Session) -> dict[str, NamedList]:
    return {
        r.name: NamedList(r.name, r.kind, tuple(r.items), r.title, r.description, r.version)  # type: ignore[arg-type]
        for r in session.scalars(select(NamedListRow))
    }


def save_list(session: Session, lst: NamedList, now: datetime) -> str:
    """Store a list; a changed list gets a new version. Returns created, updated or unchanged."""
    digest = content_hash({"kind": lst.kind, "items": list(lst.items)})
    row = session.get(NamedListRow, lst.name)
    if row is not None:
        latest = session.scalars(
            select(NamedListVersionRow.content_hash)
            .where(NamedListVersionRow.name == lst.name)
            .order_by(NamedListVersionRow.version.desc())
        ).first()
        if latest == digest and row.title == lst.title and row.description == lst.description:
            return "unchanged"
        if latest != digest:
            row.version += 1
            session.add(
                NamedListVersionRow(
                    name=lst.name,
                    version=row.version,
                    kind=lst.kind,
                    items=list(lst.items),
                    content_hash=digest,
                    created_at=now,
                )
            )
        row.kind, row.items, row.title, row.description, row.updated_at = (
            lst.kind,
            list(lst.items),
            lst.title,
            lst.description,
            now,
        )
        return "updated"
    session.add(
        NamedListRow(
            name=lst.name,
            kind=lst.kind,
            title=lst.title,
            description=lst.description,
            version=1,
            items=list(lst.items),
            updated_at=now,
        )
    )
    session.flush()
    session.add(
        NamedListVersionRow(
            name=lst.name,
            version=1,
            kind=lst.kind,
            items=list(lst.items),
            content_hash=digest,
            created_at=now,
        )
    )
    return "created"


def save_profile_document(
    session: Session,
    document: dict[str, Any],
    source_text: str | None,
    source_name: str | None,
    author: str | None,
    now: datetime,
) -> tuple[str, int]:
    """Store a profile document as a new version unless it equals the current one.
    Returns (created | new_version | unchanged, version)."""
    digest = content_hash(document)
    pid = str(document["id"])
    row = session.get(ProfileRow, pid)
    if row is not None:
        current = session.scalars(
            select(ProfileVersionRow).where(
                ProfileVersionRow.profile_id == pid, ProfileVersionRow.version == row.current_version
            )
        ).one()
        if current.content_hash == digest:
            return "unchanged", row.current_version
        row.current_version += 1
        outcome = "new_version"
    else:
        row = ProfileRow(id=pid, current_version=1)
        session.add(row)
        outcome = "created"
    row.title = str(document["title"])
    row.owner = str(document["owner"])
    row.status = str(document.get("status", "draft"))
    row.threat = document.get("threat")
    row.updated_at = now
    session.flush()
    session.add(
        ProfileVersionRow(
            profile_id=pid,
            version=row.current_version,
            status=row.status,
            document=document,
            source_text=source_text,
            source_name=source_name,
            content_hash=digest,
            author=author,
            created_at=now,
        )
    )
    return outcome, row.current_version


def current_documents(
    session: Session, status: str | None = None
) -> list[tuple[ProfileRow, ProfileVersionRow]]:
    stmt = (
        select(ProfileRow, ProfileVersionRow)
        .join(
            ProfileVersionRow,
            and_(
                ProfileVersionRow.profile_id == ProfileRow.id,
                ProfileVersionRow.version == ProfileRow.current_version,
            ),
        )
        .order_by(ProfileRow.id)
    )
    if status:
        stmt = stmt.where(ProfileRow.status == status)
    return [(p, v) for p, v in session.execute(stmt)]


def profile_versions(session: Session, profile_id: str) -> list[ProfileVersionRow]:
    return list(
        session.scalars(
            select(ProfileVersionRow)
            .where(ProfileVersionRow.profile_id == profile_id)
            .order_by(ProfileVersionRow.version)
        )
    )


def profile_count(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(ProfileRow)) or 0)


# ---------------------------------------------------------------- assessments


def pending_ids(session: Session, limit: int | None = None) -> list[int]:
    """Active consignments whose current version has no assessment yet (new or amended)."""
    assessed = (
        select(AssessmentRow.id)
        .where(
            AssessmentRow.consignment_id == ConsignmentRow.id,
            AssessmentRow.consignment_version == ConsignmentRow.version,
        )
        .exists()
    )
    stmt = (
        select(ConsignmentRow.id)
        .where(ConsignmentRow.status == "active", ~assessed)
        .order_by(ConsignmentRow.id)
    )
    if limit:
        stmt = stmt.limit(limit)
    return list(session.scalars(stmt))


def consignment_rows(session: Session, ids: Sequence[int]) -> list[ConsignmentRow]:
    rows: list[ConsignmentRow] = []
    for part in _chunks(list(ids)):
        rows += list(session.scalars(select(ConsignmentRow).where(ConsignmentRow.id.in_(part))))
    rows.sort(key=lambda r: r.id)
    return rows


def rows_by_key(session: Session, keys: Sequence[str]) -> dict[str, ConsignmentRow]:
    out: dict[str, ConsignmentRow] = {}
    for part in _chunks(list(keys)):
        out.update(
            {r.key: r for r in session.scalars(select(ConsignmentRow).where(ConsignmentRow.key.in_(part)))}
        )
    return out


def latest_assessment(session: Session, consignment_id: int) -> AssessmentRow | None:
    return session.scalars(
        select(AssessmentRow)
        .where(AssessmentRow.consignment_id == consignment_id)
        .order_by(AssessmentRow.assessed_at.desc(), AssessmentRow.id.desc())
    ).first()


def latest_assessments(session: Session, consignment_ids: Sequence[int]) -> dict[int, AssessmentRow]:
    out: dict[int, AssessmentRow] = {}
    for part in _chunks(list(consignment_ids)):
        newest = (
            select(AssessmentRow.consignment_id, func.max(AssessmentRow.id).label("mid"))
            .where(AssessmentRow.consignment_id.in_(part))
            .group_by(AssessmentRow.consignment_id)
            .subquery()
        )
        for row in session.scalars(select(AssessmentRow).join(newest, AssessmentRow.id == newest.c.mid)):
            out[row.consignment_id] = row
    return out
