"""Writing consignments in bulk: new documents, amendments with history, and exact re-deliveries.

The natural key is document type + number. A document whose content hash matches any stored
version of the same key is a duplicate (a no-op); other content for a known key is an amendment:
the current row is replaced and the previous content stays in consignment_versions. Nothing here
commits: the calling use case does.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import JSON, delete, insert, select, update
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Session

from corridor.consignments.models import (
    ConsignmentRow,
    ConsignmentVersionRow,
    EquipmentRow,
    GoodsItemRow,
    PartyRow,
)
from corridor.domain import iso6346
from corridor.domain.consignment import Consignment, MessageFunction, PartyRole

_KEY_BATCH = 500


@dataclass(slots=True)
class SaveResult:
    new: int = 0
    amended: int = 0
    duplicates: int = 0
    ids: list[int] = field(default_factory=list)
    changed_ids: list[int] = field(default_factory=list)
    # Stored before with the same content: a re-sent batch (after a timeout, a crash) lands here.
    duplicate_ids: list[int] = field(default_factory=list)


@dataclass(slots=True)
class _State:
    id: int | None
    version: int
    hashes: set[str]
    pending: list[tuple[int, Consignment, dict[str, Any], str]] = field(default_factory=list)


def document_and_hash(c: Consignment) -> tuple[dict[str, Any], str]:
    data = c.model_dump(mode="json", exclude_none=True)
    content = {k: v for k, v in data.items() if k not in ("provenance", "warnings")}
    return data, hashlib.sha256(orjson.dumps(content, option=orjson.OPT_SORT_KEYS)).hexdigest()


def bulk_insert(session: Session, table: Any, rows: list[dict[str, Any]]) -> None:
    """Insert many rows: COPY on PostgreSQL, executemany elsewhere (never the ORM unit of work)."""
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        # Core executemany: the ORM's bulk path fetches and splices rows it does not need here.
        connection.execute(insert(table), rows)
        return
    from psycopg.types.json import Jsonb

    columns = list(rows[0])
    json_columns = {c.name for c in table.columns if isinstance(c.type, JSON | JSONB)}
    raw = connection.connection.driver_connection
    assert raw is not None
    names = ", ".join(f'"{c}"' for c in columns)
    with raw.cursor() as cursor, cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row(
                [
                    Jsonb(row[c], dumps=_json_text) if c in json_columns and row[c] is not None else row[c]
                    for c in columns
                ]
            )


def _json_text(value: Any) -> str:
    return orjson.dumps(value).decode("utf-8")


def _trunc(value: str | None, size: int) -> str | None:
    return value[:size] if value else value


def _row(c: Consignment, data: dict[str, Any], digest: str, version: int, now: datetime) -> dict[str, Any]:
    consignor = c.party(PartyRole.CONSIGNOR) or c.party(PartyRole.EXPORTER) or c.party(PartyRole.SELLER)
    consignee = c.party(PartyRole.CONSIGNEE) or c.party(PartyRole.IMPORTER)
    return {
        "key": c.key,
        "document_type": c.document_type.value,
        "document_number": c.document_number,
        "master_document_number": c.master_document_number,
        "status": "cancelled" if c.function == MessageFunction.CANCELLATION else "active",
        "version": version,
        "content_hash": digest,
        "mode": c.mode.value,
        "office": _trunc(c.office, 35),
        "carrier_name": _trunc(c.carrier.name if c.carrier else None, 200),
        "conveyance_name": _trunc(c.conveyance.name if c.conveyance else None, 200),
        "conveyance_imo": c.conveyance.imo if c.conveyance else None,
        "filed_at": c.filed_at,
        "departure_at": c.departure_at,
        "eta": c.eta,
        "arrival_at": c.arrival_at,
        "loading_locode": c.place_of_loading.locode if c.place_of_loading else None,
        "discharge_locode": c.place_of_discharge.locode if c.place_of_discharge else None,
        "origin_country": c.origin_country,
        "departure_country": c.departure_country,
        "destination_country": c.destination_country,
        "consignor_name": _trunc((consignor.name or consignor.key()) if consignor else None, 200),
        "consignee_name": _trunc((consignee.name or consignee.key()) if consignee else None, 200),
        "goods_count": len(c.goods),
        "total_gross_kg": c.gross_kg(),
        "warning_count": len(c.warnings),
        "source_format": c.provenance.format if c.provenance else "api",
        "data": data,
        "updated_at": now,
    }


def _children(consignment_id: int, c: Consignment) -> tuple[list[dict[str, Any]], ...]:
    parties = [
        {
            "consignment_id": consignment_id,
            "role": p.role.value,
            "party_key": p.key()[:200],
            "name": _trunc(p.name, 200),
            "country": p.country,
        }
        for p in ([*c.parties, c.carrier] if c.carrier else c.parties)
    ]
    goods = [
        {
            "consignment_id": consignment_id,
            "sequence": g.sequence,
            "hs_code": g.hs_code,
            "hs6": g.hs6,
            "description": g.description,
            "packages": g.packages,
            "gross_kg": g.gross_kg,
            "net_kg": g.net_kg,
            "value_amount": g.value.amount if g.value else None,
            "value_currency": g.value.currency if g.value else None,
            "origin_country": g.origin_country,
        }
        for g in c.goods
    ]
    equipment = [
        {
            "consignment_id": consignment_id,
            "number": e.number[:20],
            "size_type": _trunc(e.size_type, 10),
            "seals": _trunc(" ".join(e.seals), 500) or None,
            "check_digit_ok": iso6346.is_valid(e.number) if iso6346.looks_like_container(e.number) else None,
        }
        for e in c.equipment
    ]
    return parties, goods, equipment


def _existing(session: Session, keys: Sequence[str]) -> dict[str, _State]:
    states: dict[str, _State] = {}
    for start in range(0, len(keys), _KEY_BATCH):
        part = keys[start : start + _KEY_BATCH]
        rows = session.execute(
            select(ConsignmentRow.id, ConsignmentRow.key, ConsignmentRow.version).where(
                ConsignmentRow.key.in_(part)
            )
        ).all()
        by_id: dict[int, _State] = {}
        for cid, key, version in rows:
            state = _State(id=cid, version=version, hashes=set())
            states[key] = state
            by_id[cid] = state
        if by_id:
            for cid, digest in session.execute(
                select(ConsignmentVersionRow.consignment_id, ConsignmentVersionRow.content_hash).where(
                    ConsignmentVersionRow.consignment_id.in_(list(by_id))
                )
            ):
                by_id[cid].hashes.add(digest)
    return states


def save_consignments(
    session: Session, items: Sequence[Consignment], batch_id: int | None = None
) -> SaveResult:
    """Store a chunk of validated consignments; returns counts and the ids written or re-seen."""
    result = SaveResult()
    if not items:
        return result
    now = datetime.now(UTC)
    keys = list(dict.fromkeys(c.key for c in items))
    states = _existing(session, keys)
    for c in items:
        data, digest = document_and_hash(c)
        state = states.get(c.key)
        if state is None:
            state = _State(id=None, version=0, hashes=set())
            states[c.key] = state
        if digest in state.hashes:
            result.duplicates += 1
            if state.id is not None:
                result.duplicate_ids.append(state.id)
            continue
        state.version += 1
        state.hashes.add(digest)
        state.pending.append((state.version, c, data, digest))
        if state.id is None and state.version == 1:
            result.new += 1
        else:
            result.amended += 1

    to_insert = [(k, s) for k, s in states.items() if s.pending and s.id is None]
    to_update = [(k, s) for k, s in states.items() if s.pending and s.id is not None]
    if to_insert:
        rows = []
        for _key, state in to_insert:
            version, c, data, digest = state.pending[-1]
            row = _row(c, data, digest, version, now)
            row["created_at"] = now
            rows.append(row)
        # Plain executemany, then ids by the unique key: RETURNING through executemany is slow on
        # SQLite (rows are spliced batch by batch) and the key identifies each row exactly anyway.
        bulk_insert(session, ConsignmentRow.__table__, rows)
        by_key = dict(to_insert)
        inserted = list(by_key)
        for start in range(0, len(inserted), _KEY_BATCH):
            part = inserted[start : start + _KEY_BATCH]
            for cid, key in session.execute(
                select(ConsignmentRow.id, ConsignmentRow.key).where(ConsignmentRow.key.in_(part))
            ):
                by_key[key].id = cid
    if to_update:
        updates = []
        for _key, state in to_update:
            version, c, data, digest = state.pending[-1]
            row = _row(c, data, digest, version, now)
            row["id"] = state.id
            updates.append(row)
        session.execute(update(ConsignmentRow), updates)
        changed = [s.id for _k, s in to_update if s.id is not None]
        for start in range(0, len(changed), _KEY_BATCH):
            ids = changed[start : start + _KEY_BATCH]
            for table in (PartyRow, GoodsItemRow, EquipmentRow):
                session.execute(delete(table).where(table.consignment_id.in_(ids)))

    versions: list[dict[str, Any]] = []
    parties: list[dict[str, Any]] = []
    goods: list[dict[str, Any]] = []
    equipment: list[dict[str, Any]] = []
    for _key, state in [*to_insert, *to_update]:
        assert state.id is not None
        for version, c, data, digest in state.pending:
            prov = c.provenance
            versions.append(
                {
                    "consignment_id": state.id,
                    "version": version,
                    "content_hash": digest,
                    "function": c.function.value,
                    "source_format": prov.format if prov else "api",
                    "source_file": _trunc(prov.file if prov else None, 500),
                    "source_location": _trunc(prov.location if prov else None, 200),
                    "batch_id": batch_id,
                    "data": data,
                    "received_at": now,
                }
            )
        p, g, e = _children(state.id, state.pending[-1][1])
        parties += p
        goods += g
        equipment += e
        result.changed_ids.append(state.id)
    tables: tuple[tuple[Any, list[dict[str, Any]]], ...] = (
        (ConsignmentVersionRow, versions),
        (PartyRow, parties),
        (GoodsItemRow, goods),
        (EquipmentRow, equipment),
    )
    for model, rows_ in tables:
        if rows_:
            bulk_insert(session, model.__table__, rows_)
    result.ids = [s.id for s in states.values() if s.id is not None]
    return result
