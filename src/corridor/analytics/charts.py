"""Charts and static maps as PNG bytes (matplotlib, Agg backend: no display, no network).

The static map is drawn from the packaged country boundaries alone (no tiles), so a report renders
the same on an offline machine as on a connected one.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from typing import Any

import h3
import matplotlib

matplotlib.use("Agg")  # before pyplot: reports render on servers without a display

import matplotlib.pyplot as plt  # noqa: E402
import polars as pl  # noqa: E402
from matplotlib import patheffects  # noqa: E402
from matplotlib.collections import PatchCollection  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Polygon  # noqa: E402

from corridor.analytics.geo import country_point, country_shapes, flow_table, hexagon_table  # noqa: E402

# Colour per commodity category, kept the same in every chart and map of a report.
CATEGORY_COLOURS: dict[str, str] = {
    "drugs": "#c0392b",
    "precursors": "#8e44ad",
    "tobacco": "#b9770e",
    "alcohol": "#d4ac0d",
    "weapons": "#2c3e50",
    "strategic": "#1f618d",
    "currency": "#1e8449",
    "wildlife": "#17a589",
    "counterfeit": "#e67e22",
    "other": "#7f8c8d",
}
INK = "#1b2631"


def label(code: str | None) -> str:
    """A vocabulary code as words ("false_compartment" -> "False compartment")."""
    if not code:
        return "unknown"
    text = code.replace("_", " ")
    return text[0].upper() + text[1:]


def _png(fig: Figure, dpi: int = 150) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight", facecolor="white")
    plt.close(fig)
    return buffer.getvalue()


def monthly_chart(table: pl.DataFrame, title: str) -> bytes:
    """Stacked bars of seizures per month by category; `table` has month, key, seizures."""
    months = sorted(set(table["month"].to_list()))
    keys = sorted(
        set(table["key"].to_list()),
        key=lambda k: list(CATEGORY_COLOURS).index(k) if k in CATEGORY_COLOURS else 99,
    )
    fig, ax = plt.subplots(figsize=(7.2, 2.9))
    bottom = [0.0] * len(months)
    for key in keys:
        sub = dict(
            zip(
                table.filter(pl.col("key") == key)["month"].to_list(),
                table.filter(pl.col("key") == key)["seizures"].to_list(),
                strict=True,
            )
        )
        values = [float(sub.get(m) or 0) for m in months]
        ax.bar(
            months,
            values,
            bottom=bottom,
            color=CATEGORY_COLOURS.get(key, "#95a5a6"),
            label=label(key),
            width=0.75,
        )
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    ax.set_title(title, fontsize=10, loc="left", color=INK)
    ax.set_ylabel("seizures", fontsize=8)
    ax.tick_params(axis="x", labelrotation=45, labelsize=7)
    ax.tick_params(axis="y", labelsize=7)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(fontsize=6.5, ncols=5, frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.32))
    return _png(fig)


def bar_chart(
    keys: Sequence[str], values: Sequence[float], title: str, *, colours: Sequence[str] | None = None
) -> bytes:
    """Horizontal bars, largest on top."""
    fig, ax = plt.subplots(figsize=(3.5, 0.28 * max(len(keys), 3) + 0.7))
    positions = list(range(len(keys)))[::-1]
    ax.barh(positions, list(values), color=list(colours) if colours else "#1f618d", height=0.7)
    ax.set_yticks(positions, [label(k) for k in keys], fontsize=7)
    ax.tick_params(axis="x", labelsize=7)
    ax.set_title(title, fontsize=9, loc="left", color=INK)
    ax.spines[["top", "right"]].set_visible(False)
    for pos, value in zip(positions, values, strict=True):
        ax.text(value, pos, f" {value:,.0f}", va="center", fontsize=6.5, color=INK)
    ax.margins(x=0.18)
    return _png(fig)


def _draw_countries(ax: Any, bounds: tuple[float, float, float, float], highlight: str | None = None) -> None:
    west, south, east, north = bounds
    from shapely.geometry import box

    view = box(west - 5, south - 5, east + 5, north + 5)
    patches, colours = [], []
    for code, geometry in country_shapes().items():
        if not geometry.intersects(view):
            continue
        polygons = list(geometry.geoms) if geometry.geom_type == "MultiPolygon" else [geometry]
        for poly in polygons:
            patches.append(Polygon(list(poly.exterior.coords), closed=True))
            colours.append("#f4ecd8" if code == highlight else "#eceff1")
    ax.add_collection(
        PatchCollection(patches, facecolor=colours, edgecolor="#90a4ae", linewidths=0.5, zorder=1)
    )
    ax.set_facecolor("#d6eaf8")  # water: the Caspian and the Black Sea are what the eye looks for
    ax.set_xlim(west, east)
    ax.set_ylim(south, north)
    ax.set_aspect(1 / math.cos(math.radians((south + north) / 2)))
    ax.set_xticks([])
    ax.set_yticks([])


def flow_map(frame: pl.DataFrame, title: str, top: int = 12) -> bytes:
    """Routes (departure → transit → destination) as lines through the countries, width by count."""
    table = flow_table(frame).head(top)
    lines = []
    for r in table.iter_rows(named=True):
        pts = [
            p for p in (country_point(c) for c in str(r["route"]).split(">") if c != "??") if p is not None
        ]
        pts = [p for i, p in enumerate(pts) if i == 0 or p != pts[i - 1]]
        if len(pts) >= 2:
            lines.append((pts, int(r["seizures"]), r["top_category"]))
    xs = [p[0] for pts, _, _ in lines for p in pts] or [44.0, 52.0]
    ys = [p[1] for pts, _, _ in lines for p in pts] or [37.0, 43.0]
    bounds = (min(xs) - 4, min(ys) - 3, max(xs) + 4, max(ys) + 3)
    fig, ax = plt.subplots(figsize=(7.2, 4.0))
    _draw_countries(ax, bounds, highlight="AZ")
    biggest = max((n for _, n, _ in lines), default=1)
    for pts, n, category in sorted(lines, key=lambda x: x[1]):
        ax.plot(
            [p[0] for p in pts],
            [p[1] for p in pts],
            color=CATEGORY_COLOURS.get(category or "", "#7f8c8d"),
            linewidth=0.8 + 5 * n / biggest,
            alpha=0.75,
            solid_capstyle="round",
            zorder=3,
        )
        ax.annotate(
            "",
            xy=pts[-1],
            xytext=pts[-2],
            zorder=4,
            arrowprops={
                "arrowstyle": "-|>",
                "color": CATEGORY_COLOURS.get(category or "", "#7f8c8d"),
                "lw": 0.8,
            },
        )
    for code in {c for r in table["route"].to_list() for c in str(r).split(">") if c != "??"}:
        p = country_point(code)
        if p is not None:
            ax.text(p[0], p[1] + 0.6, code, fontsize=7, ha="center", color=INK, zorder=5, fontweight="bold")
    ax.set_title(title, fontsize=10, loc="left", color=INK)
    handles = [
        Line2D([0], [0], color=CATEGORY_COLOURS[c], lw=3)
        for c in CATEGORY_COLOURS
        if c in set(table["top_category"].to_list())
    ]
    names = [label(c) for c in CATEGORY_COLOURS if c in set(table["top_category"].to_list())]
    ax.legend(handles, names, fontsize=6.5, loc="lower left", frameon=True, framealpha=0.85)
    return _png(fig)


def density_map(frame: pl.DataFrame, title: str, resolution: int = 4) -> bytes:
    """H3 hexagons shaded by number of seizures, with the individual seizure points on top."""
    located = frame.filter(pl.col("lat").is_not_null())
    fig, ax = plt.subplots(figsize=(7.2, 4.0))
    if located.height:
        west, east = float(located["lon"].min()), float(located["lon"].max())  # type: ignore[arg-type]
        south, north = float(located["lat"].min()), float(located["lat"].max())  # type: ignore[arg-type]
    else:
        west, south, east, north = 44.5, 38.3, 50.6, 42.0
    bounds = (min(west, 44.5) - 0.8, min(south, 38.3) - 0.6, max(east, 50.6) + 0.8, max(north, 42.0) + 0.6)
    _draw_countries(ax, bounds, highlight="AZ")
    cells = hexagon_table(located, resolution)
    if cells.height:
        top = float(cells["seizures"].max())  # type: ignore[arg-type]
        cmap = plt.get_cmap("YlOrRd")
        patches, colours = [], []
        for r in cells.iter_rows(named=True):
            ring = [(lon, lat) for lat, lon in h3.cell_to_boundary(r["cell"])]
            patches.append(Polygon(ring, closed=True))
            colours.append(cmap(0.25 + 0.75 * math.sqrt(r["seizures"] / top)))
        ax.add_collection(
            PatchCollection(
                patches, facecolor=colours, edgecolor="#7b241c", linewidths=0.4, alpha=0.7, zorder=2
            )
        )
        for r in cells.head(6).iter_rows(named=True):
            lat, lon = h3.cell_to_latlng(r["cell"])
            text = ax.text(
                lon,
                lat,
                str(r["seizures"]),
                fontsize=7,
                ha="center",
                va="center",
                color=INK,
                zorder=6,
                fontweight="bold",
            )
            text.set_path_effects([patheffects.withStroke(linewidth=2, foreground="white")])
    if located.height:
        ax.scatter(
            located["lon"].to_list(),
            located["lat"].to_list(),
            s=4,
            alpha=0.8,
            c=[CATEGORY_COLOURS.get(c, "#7f8c8d") for c in located["category"].to_list()],
            edgecolors="white",
            linewidths=0.2,
            zorder=3,
        )
    ax.set_title(title, fontsize=10, loc="left", color=INK)
    return _png(fig)
