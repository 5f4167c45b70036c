"""Flatten a batch of consignments once into columnar frames that indicators and profiles work on.

Three frames share the row number `_row` of the consignment in the batch:

- consignments: one row per consignment, the consignment-level fields of fields.py plus hidden
  helper columns (prefixed `_`) such as the reference time, the key and the known outcome;
- goods: one row per goods item;
- equipment: one row per container, trailer or wagon.

The loops here are the only per-consignment Python work of an assessment: they pull the values out
of the objects column by column, and everything after them is columnar.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl

from corridor.domain.consignment import Consignment, Party, PartyRole
from corridor.risk.fields import PARTY_ROLES

UTC_US = pl.Datetime("us", "UTC")

_FALLBACK_ROLES: dict[str, tuple[PartyRole, ...]] = {
    "consignor": (PartyRole.CONSIGNOR, PartyRole.EXPORTER, PartyRole.SELLER),
    "consignee": (PartyRole.CONSIGNEE, PartyRole.IMPORTER),
    "notify": (PartyRole.NOTIFY,),
    "declarant": (PartyRole.DECLARANT,),
    "freight_forwarder": (PartyRole.FREIGHT_FORWARDER,),
}


@dataclass(slots=True)
class Frames:
    consignments: pl.DataFrame
    goods: pl.DataFrame
    equipment: pl.DataFrame

    @property
    def height(self) -> int:
        return self.consignments.height


def _party_by_role(c: Consignment) -> dict[str, Party | None]:
    found: dict[str, Party | None] = {}
    by_role: dict[PartyRole, Party] = {}
    for p in c.parties:
        by_role.setdefault(p.role, p)
    for name, roles in _FALLBACK_ROLES.items():
        found[name] = next((by_role[r] for r in roles if r in by_role), None)
    found["carrier"] = c.carrier or by_role.get(PartyRole.CARRIER)
    return found


def _dedupe_consecutive(values: Iterable[str | None]) -> list[str]:
    out: list[str] = []
    for v in values:
        if v and (not out or out[-1] != v):
            out.append(v)
    return out


_OUTBOUND = frozenset({"receipt", "loading", "transit", "transhipment"})

_CONSIGNMENT_SCHEMA: dict[str, Any] = {
    "_key": pl.String,
    "document_number": pl.String,
    "document_type": pl.String,
    "function": pl.String,
    "mode": pl.String,
    "office": pl.String,
    "origin_country": pl.String,
    "departure_country": pl.String,
    "destination_country": pl.String,
    "transit_countries": pl.List(pl.String),
    "loading.locode": pl.String,
    "loading.country": pl.String,
    "discharge.locode": pl.String,
    "discharge.country": pl.String,
    "delivery.locode": pl.String,
    "delivery.country": pl.String,
    "route.ports": pl.List(pl.String),
    "route.countries": pl.List(pl.String),
    "_transhipments": pl.Int32,
    "conveyance.name": pl.String,
    "conveyance.imo": pl.String,
    "conveyance.flag": pl.String,
    "conveyance.registration": pl.String,
    "filed_at": UTC_US,
    "departure_at": UTC_US,
    "eta": UTC_US,
    "arrival_at": UTC_US,
    "freight_payment": pl.String,
    "total_packages": pl.Float64,
    "total_gross_kg": pl.Float64,
    "goods.count": pl.Int32,
    "equipment.count": pl.Int32,
    "equipment.numbers": pl.List(pl.String),
    "equipment.seals": pl.List(pl.String),
    **{f"{role}.{attr}": pl.String for role in PARTY_ROLES for attr in ("name", "country", "key")},
    "_inspected": pl.Boolean,
    "_fraud": pl.Boolean,
    "_critical": pl.Boolean,
}

GOODS_SCHEMA: dict[str, Any] = {
    "_row": pl.Int64,
    "goods.sequence": pl.Int32,
    "goods.hs_code": pl.String,
    "goods.description": pl.String,
    "goods.packages": pl.Float64,
    "goods.package_type": pl.String,
    "goods.gross_kg": pl.Float64,
    "goods.net_kg": pl.Float64,
    "goods.value": pl.Float64,
    "goods.currency": pl.String,
    "goods.origin_country": pl.String,
    "goods.dangerous_goods_un": pl.String,
}

EQUIPMENT_SCHEMA: dict[str, Any] = {
    "_row": pl.Int64,
    "number": pl.String,
    "seal_count": pl.Int32,
    "full": pl.Boolean,
}


def _route(c: Consignment) -> tuple[list[str], list[str], int]:
    stops = sorted(c.itinerary, key=lambda s: s.sequence)
    ports = _dedupe_consecutive(
        [
            c.place_of_loading.locode if c.place_of_loading else None,
            *(s.place.locode for s in stops),
            c.place_of_discharge.locode if c.place_of_discharge else None,
            c.place_of_delivery.locode if c.place_of_delivery else None,
        ]
    )
    # The ordered path comes from the itinerary when there is one; declared transit countries it
    # does not show go after its last loading or transit stop (their exact order is unknown).
    departure = c.departure_country or (c.place_of_loading.country if c.place_of_loading else None)
    destination = c.destination_country or (c.place_of_delivery.country if c.place_of_delivery else None)
    if stops:
        head = [s.place.country for s in stops if s.role.value in _OUTBOUND]
        tail = [s.place.country for s in stops if s.role.value not in _OUTBOUND]
        path = [departure if not head else None, *head]
    else:
        tail = [c.place_of_discharge.country if c.place_of_discharge else None]
        path = [departure]
    known = set(path) | set(tail)
    path += [t for t in c.transit_countries if t not in known]
    countries = _dedupe_consecutive([*path, *tail, destination])
    tranship = sum(1 for s in stops if s.role.value in ("transit", "transhipment"))
    return ports, countries, tranship


def flatten(consignments: Sequence[Consignment], attributes: Iterable[str] = ()) -> Frames:
    """The frames of a batch. `attributes` names the format-specific attributes profiles refer to."""
    attribute_names = sorted(set(attributes))
    rows: list[tuple[Any, ...]] = []
    goods: list[tuple[Any, ...]] = []
    equipment: list[tuple[Any, ...]] = []
    attribute_values: list[list[str | None]] = [[] for _ in attribute_names]
    for i, c in enumerate(consignments):
        parties = _party_by_role(c)
        ports, countries, tranship = _route(c)
        loading, discharge, delivery, conv = (
            c.place_of_loading,
            c.place_of_discharge,
            c.place_of_delivery,
            c.conveyance,
        )
        party_values: list[str | None] = []
        for role in PARTY_ROLES:
            p = parties[role]
            if p is None:
                party_values += [None, None, None]
            else:
                party_values += [p.name, p.country, p.key()]
        outcome = c.outcome
        rows.append(
            (
                c.key,
                c.document_number,
                c.document_type.value,
                c.function.value,
                c.mode.value,
                c.office,
                c.origin_country,
                c.departure_country,
                c.destination_country,
                c.transit_countries,
                loading.locode if loading else None,
                loading.country if loading else None,
                discharge.locode if discharge else None,
                discharge.country if discharge else None,
                delivery.locode if delivery else None,
                delivery.country if delivery else None,
                ports,
                countries,
                tranship,
                conv.name if conv else None,
                conv.imo if conv else None,
                conv.flag if conv else None,
                conv.registration if conv else None,
                c.filed_at,
                c.departure_at,
                c.eta,
                c.arrival_at,
                c.freight_payment.value,
                c.total_packages,
                c.total_gross_kg,
                len(c.goods),
                len(c.equipment),
                [e.number for e in c.equipment],
                [s for e in c.equipment for s in e.seals],
                *party_values,
                outcome.inspected if outcome else None,
                outcome.fraud if outcome else None,
                outcome.critical if outcome else None,
            )
        )
        for g in c.goods:
            goods.append(
                (
                    i,
                    g.sequence,
                    g.hs_code,
                    g.description,
                    g.packages,
                    g.package_type,
                    g.gross_kg,
                    g.net_kg,
                    g.value.amount if g.value else None,
                    g.value.currency if g.value else None,
                    g.origin_country,
                    g.dangerous_goods_un,
                )
            )
        for e in c.equipment:
            equipment.append((i, e.number, len(e.seals), e.full))
        for j, name in enumerate(attribute_names):
            attribute_values[j].append(c.attributes.get(name))
    frame = pl.DataFrame(rows, schema=_CONSIGNMENT_SCHEMA, orient="row")
    frame = frame.with_row_index("_row").with_columns(pl.col("_row").cast(pl.Int64))
    if attribute_names:
        frame = frame.with_columns(
            pl.Series(f"attributes.{name}", values, dtype=pl.String)
            for name, values in zip(attribute_names, attribute_values, strict=True)
        )
    return Frames(
        consignments=with_reference_time(frame),
        goods=with_hs6(pl.DataFrame(goods, schema=GOODS_SCHEMA, orient="row")),
        equipment=pl.DataFrame(equipment, schema=EQUIPMENT_SCHEMA, orient="row"),
    )


def with_reference_time(frame: pl.DataFrame) -> pl.DataFrame:
    """`_ref_at`: the time a consignment is placed at in history (filing, else ETA, arrival, departure)."""
    return frame.with_columns(
        pl.coalesce("filed_at", "eta", "arrival_at", "departure_at").alias("_ref_at"),
    )


def with_hs6(goods: pl.DataFrame) -> pl.DataFrame:
    return goods.with_columns(
        pl.when(pl.col("goods.hs_code").str.len_chars() >= 6)
        .then(pl.col("goods.hs_code").str.slice(0, 6))
        .otherwise(None)
        .alias("goods.hs6")
    )


def tile(frames: Frames, times: int) -> Frames:
    """The batch repeated `times` times with distinct keys (benchmarks: a generated pool, tiled)."""
    n = frames.height
    cons, goods, eq = [], [], []
    for k in range(times):
        cons.append(
            frames.consignments.with_columns(
                (pl.col("_row") + k * n).alias("_row"),
                (pl.col("_key") + f"#{k}").alias("_key"),
            )
        )
        goods.append(frames.goods.with_columns((pl.col("_row") + k * n).alias("_row")))
        eq.append(frames.equipment.with_columns((pl.col("_row") + k * n).alias("_row")))
    return Frames(pl.concat(cons), pl.concat(goods), pl.concat(eq))
