"""Map layers: points, flows through the countries of the route, H3 hexagons at any resolution."""

from __future__ import annotations

from datetime import date

import h3
import pytest

from corridor.analytics import geo
from corridor.analytics.frames import frame_from_inputs
from corridor.domain.errors import InvalidInput
from corridor.seizures.demo import generate


@pytest.fixture(scope="module")
def frame():  # type: ignore[no-untyped-def]
    return frame_from_inputs(generate(5, end=date(2026, 6, 30), count=300))


def test_hexagons_add_up_and_nest(frame) -> None:  # type: ignore[no-untyped-def]
    located = frame.filter(frame["lat"].is_not_null()).height
    for resolution in (3, 5, 8):
        table = geo.hexagon_table(frame, resolution)
        assert table["seizures"].sum() == located
        assert all(h3.get_resolution(c) == resolution for c in table["cell"].to_list())
    coarse = geo.hexagon_table(frame, 4)
    fine = geo.hexagon_table(frame, 6)
    regrouped: dict[str, int] = {}
    for cell, n in zip(fine["cell"].to_list(), fine["seizures"].to_list(), strict=True):
        parent = h3.cell_to_parent(cell, 4)
        regrouped[parent] = regrouped.get(parent, 0) + n
    assert regrouped == dict(zip(coarse["cell"].to_list(), coarse["seizures"].to_list(), strict=True))
    layer = geo.hexagons(frame, 5)
    ring = layer["features"][0]["geometry"]["coordinates"][0]
    assert ring[0] == ring[-1] and len(ring) == 7  # a closed hexagon
    with pytest.raises(InvalidInput, match="between 0 and 8"):
        geo.hexagon_table(frame, 9)


def test_flows_pass_through_the_transit_countries(frame) -> None:  # type: ignore[no-untyped-def]
    layer = geo.flows(frame)
    by_route = {f["properties"]["route"]: f for f in layer["features"]}
    line = by_route["CN>KZ>AZ"]["geometry"]["coordinates"]
    assert line == [list(geo.country_point(c)) for c in ("CN", "KZ", "AZ")]  # type: ignore[arg-type]
    assert sum(f["properties"]["seizures"] for f in layer["features"]) <= frame.height
    lon, lat = geo.country_point("AZ")  # type: ignore[misc]
    assert 44 < lon < 51 and 38 < lat < 42


def test_points_and_layer_names(frame) -> None:  # type: ignore[no-untyped-def]
    points = geo.layer(frame, "points")
    assert len(points["features"]) == frame.height
    assert points["features"][0]["properties"]["ref"].startswith("DEMO-5-")
    with pytest.raises(InvalidInput, match="unknown map layer"):
        geo.layer(frame, "heatmap")
