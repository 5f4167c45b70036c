"""Map layers as GeoJSON: seizure points, origin→destination flows along the corridors, H3 hexagons.

Countries are placed at a point inside them (shapely's representative point of the largest polygon
of the packaged Natural Earth boundaries), so a flow from Iran through Azerbaijan to Russia is drawn
through the three countries, never through the sea between two centroids of a concave country.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

import h3
import polars as pl

from corridor.analytics.aggregates import with_measures
from corridor.domain.errors import InvalidInput
from corridor.reference._files import data_path

H3_STORED = 8  # the resolution kept on every record (seizures.service.H3_RESOLUTION)


@lru_cache(maxsize=1)
def country_shapes() -> dict[str, Any]:
    """ISO alpha-2 -> shapely geometry of the packaged boundaries."""
    from shapely.geometry import shape

    doc = json.loads(data_path("countries.geojson").read_text(encoding="utf-8"))
    out: dict[str, Any] = {}
    for feature in doc["features"]:
        code = (feature.get("properties") or {}).get("iso_a2")
        if code and code != "-99":
            out[str(code)] = shape(feature["geometry"])
    return out


@lru_cache(maxsize=512)
def country_point(code: str) -> tuple[float, float] | None:
    """(lon, lat) of a point inside the country, or None for a code without a boundary."""
    geometry = country_shapes().get(code)
    if geometry is None:
        return None
    if geometry.geom_type == "MultiPolygon":
        geometry = max(geometry.geoms, key=lambda g: g.area)
    point = geometry.representative_point()
    return (round(point.x, 4), round(point.y, 4))


def _collection(features: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": features}


def points(frame: pl.DataFrame, limit: int = 20_000) -> dict[str, Any]:
    """One feature per seizure with a location (newest first, at most `limit`)."""
    rows = (
        frame.lazy()
        .filter(pl.col("lat").is_not_null() & pl.col("lon").is_not_null())
        .sort("seized_at", descending=True)
        .head(limit)
        .select(
            "ref",
            "seized_at",
            "lat",
            "lon",
            "office",
            "category",
            "commodity_type",
            "quantity",
            "unit",
            "detection",
        )
        .collect()
    )
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [r["lon"], r["lat"]]},
            "properties": {
                "ref": r["ref"],
                "date": r["seized_at"].date().isoformat() if r["seized_at"] else None,
                "office": r["office"],
                "category": r["category"],
                "commodity_type": r["commodity_type"],
                "quantity": r["quantity"],
                "unit": r["unit"],
                "detection": r["detection"],
            },
        }
        for r in rows.iter_rows(named=True)
    ]
    return _collection(features)


def flow_table(frame: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame:
    """Seizures per route (departure > transit > destination) with the leading commodity category."""
    lazy = with_measures(frame.lazy()).filter(pl.col("route").is_not_null())
    out: pl.DataFrame = (
        lazy.group_by("route")
        .agg(
            pl.len().alias("seizures"),
            pl.col("kg").sum().alias("kg"),
            pl.col("value_usd").sum().alias("value_usd"),
            pl.col("category").mode().first().alias("top_category"),
        )
        .sort(["seizures", "route"], descending=[True, False])
        .collect()
    )
    return out


def flows(frame: pl.DataFrame | pl.LazyFrame) -> dict[str, Any]:
    features = []
    for r in flow_table(frame).iter_rows(named=True):
        codes = [c for c in str(r["route"]).split(">") if c != "??"]
        coords = [p for p in (country_point(c) for c in codes) if p is not None]
        # Consecutive duplicates (a route that stays in one country) would draw nothing.
        path = [p for i, p in enumerate(coords) if i == 0 or p != coords[i - 1]]
        if len(path) < 2:
            continue
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "LineString", "coordinates": [list(p) for p in path]},
                "properties": {
                    "route": r["route"],
                    "seizures": r["seizures"],
                    "kg": r["kg"],
                    "value_usd": r["value_usd"],
                    "top_category": r["top_category"],
                },
            }
        )
    return _collection(features)


def hexagon_table(frame: pl.DataFrame | pl.LazyFrame, resolution: int = 6) -> pl.DataFrame:
    """Seizures per H3 cell at `resolution` (0..8): grouped by the stored resolution-8 cell, then the
    few distinct cells are mapped to their parents and grouped again."""
    if not 0 <= resolution <= H3_STORED:
        raise InvalidInput(f"the H3 resolution must be between 0 and {H3_STORED}", where="resolution")
    fine: pl.DataFrame = (
        frame.lazy()
        .filter(pl.col("h3_cell").is_not_null())
        .group_by("h3_cell")
        .agg(pl.len().alias("seizures"), pl.col("value_usd").sum().alias("value_usd"))
        .collect()
    )
    if resolution == H3_STORED:
        return fine.rename({"h3_cell": "cell"}).sort("seizures", descending=True)
    parents = {c: h3.cell_to_parent(c, resolution) for c in fine["h3_cell"].to_list()}
    return (
        fine.with_columns(pl.col("h3_cell").replace_strict(parents, return_dtype=pl.String).alias("cell"))
        .group_by("cell")
        .agg(pl.col("seizures").sum(), pl.col("value_usd").sum())
        .sort(["seizures", "cell"], descending=[True, False])
    )


def hexagons(frame: pl.DataFrame | pl.LazyFrame, resolution: int = 6) -> dict[str, Any]:
    features = []
    for r in hexagon_table(frame, resolution).iter_rows(named=True):
        ring = [[lon, lat] for lat, lon in h3.cell_to_boundary(r["cell"])]
        ring.append(ring[0])
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Polygon", "coordinates": [ring]},
                "properties": {"cell": r["cell"], "seizures": r["seizures"], "value_usd": r["value_usd"]},
            }
        )
    return _collection(features)


LAYERS = ("points", "flows", "hexagons")


def layer(frame: pl.DataFrame, name: str, resolution: int = 6) -> dict[str, Any]:
    if name == "points":
        return points(frame)
    if name == "flows":
        return flows(frame)
    if name == "hexagons":
        return hexagons(frame, resolution)
    raise InvalidInput(f"unknown map layer {name!r}; use {', '.join(LAYERS)}", where="layer")
