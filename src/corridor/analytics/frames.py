"""Seizure records as a Polars frame: the one shape every aggregate, map layer and chart reads.

The database does the filtering (period, office scope); Polars does the grouping. The same functions
run over a Parquet export (`read_parquet_frame`), which is how the 1M-record benchmark and large
offline analyses work.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import polars as pl
from sqlalchemy import select
from sqlalchemy.orm import Session

from corridor.seizures.models import CenSeizureRow
from corridor.seizures.schemas import SeizureIn
from corridor.seizures.service import SeizureFilter, filtered

FRAME_SCHEMA: dict[str, Any] = {
    "id": pl.Int64,
    "ref": pl.String,
    "seized_at": pl.Datetime("us", "UTC"),
    "office": pl.String,
    "locode": pl.String,
    "place": pl.String,
    "lat": pl.Float64,
    "lon": pl.Float64,
    "h3_cell": pl.String,
    "category": pl.String,
    "commodity_type": pl.String,
    "quantity": pl.Float64,
    "unit": pl.String,
    "quantity_kg": pl.Float64,
    "value_usd": pl.Float64,
    "concealment": pl.String,
    "detection": pl.String,
    "transport_mode": pl.String,
    "departure_country": pl.String,
    "destination_country": pl.String,
    "transit_countries": pl.List(pl.String),
    "route": pl.String,
    "consignment_id": pl.Int64,
    "profile_hits": pl.List(pl.String),
}
_COLUMNS = [c for c in FRAME_SCHEMA if c != "profile_hits"]


def seizure_frame(session: Session, flt: SeizureFilter | None = None) -> pl.DataFrame:
    s = CenSeizureRow
    stmt = filtered(select(*[getattr(s, c) for c in _COLUMNS], s.profile_hits), flt or SeizureFilter())
    rows = []
    for r in session.execute(stmt):
        values = list(r)
        when = values[2]
        if when is not None and when.tzinfo is None:
            from datetime import UTC

            values[2] = when.replace(tzinfo=UTC)  # SQLite hands back naive datetimes (stored in UTC)
        hits = values[-1] or []
        values[-1] = [str(h.get("rule_id")) for h in hits if h.get("rule_id")]
        rows.append(values)
    return pl.DataFrame(rows, schema=FRAME_SCHEMA, orient="row")


def read_parquet_frame(path: Path) -> pl.LazyFrame:
    """A Parquet file in FRAME_SCHEMA (e.g. the benchmark's) as a lazy frame."""
    return pl.scan_parquet(path)


def frame_from_inputs(items: Sequence[SeizureIn]) -> pl.DataFrame:
    """The frame of records that are not stored (tests, benchmarks, a file analysed before import)."""
    from corridor.seizures.service import cell_of, quantity_kg

    rows = [
        (
            i,
            item.ref,
            item.seized_at,
            item.office,
            item.locode,
            item.place,
            item.lat,
            item.lon,
            cell_of(item.lat, item.lon),
            item.category,
            item.commodity_type,
            item.quantity,
            item.unit,
            quantity_kg(item.quantity, item.unit),
            item.value_usd,
            item.concealment,
            item.detection,
            item.transport_mode,
            item.departure_country,
            item.destination_country,
            list(item.transit_countries),
            item.route,
            None,
            [h.rule_id for h in item.profile_hits],
        )
        for i, item in enumerate(items, start=1)
    ]
    return pl.DataFrame(rows, schema=FRAME_SCHEMA, orient="row")
