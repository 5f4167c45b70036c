"""Distances on the sphere, as Polars expressions for frames and as plain functions for scalars."""

from __future__ import annotations

import math

import polars as pl

EARTH_RADIUS_M = 6_371_008.8
METRES_PER_NM = 1852.0
KNOT_MS = METRES_PER_NM / 3600.0  # one knot in metres per second


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def haversine_expr(lat1: pl.Expr, lon1: pl.Expr, lat2: pl.Expr, lon2: pl.Expr) -> pl.Expr:
    """Great-circle distance in metres between two columns of positions."""
    p1, p2 = lat1.radians(), lat2.radians()
    dp, dl = p2 - p1, (lon2 - lon1).radians()
    a = (dp / 2).sin().pow(2) + p1.cos() * p2.cos() * (dl / 2).sin().pow(2)
    return 2 * EARTH_RADIUS_M * a.sqrt().clip(upper_bound=1.0).arcsin()


def metres_to_lat_deg(metres: float) -> float:
    return metres / (EARTH_RADIUS_M * math.pi / 180.0)


def metres_to_lon_deg(metres: float, lat: float) -> float:
    # Longitude degrees shrink with latitude; callers pass the highest latitude they cover.
    return metres / (EARTH_RADIUS_M * math.pi / 180.0 * max(math.cos(math.radians(lat)), 0.01))


def offset(lat: float, lon: float, north_m: float, east_m: float) -> tuple[float, float]:
    """A position moved by north/east metres (flat-earth; fine for the few kilometres used here)."""
    return lat + metres_to_lat_deg(north_m), lon + metres_to_lon_deg(east_m, lat)


def destination(lat: float, lon: float, bearing_deg: float, distance_m: float) -> tuple[float, float]:
    b = math.radians(bearing_deg)
    return offset(lat, lon, distance_m * math.cos(b), distance_m * math.sin(b))


def bearing_deg(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dl = math.radians(lon2 - lon1)
    y = math.sin(dl) * math.cos(p2)
    x = math.cos(p1) * math.sin(p2) - math.sin(p1) * math.cos(p2) * math.cos(dl)
    return (math.degrees(math.atan2(y, x)) + 360.0) % 360.0
