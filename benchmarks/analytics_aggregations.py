"""Seizure aggregations and map layers over 1,000,000 records: Polars and DuckDB over Parquet against
the same queries in plain SQL on SQLite, on two cores.

    python benchmarks/analytics_aggregations.py [--rows 1000000] [--repeat 5]

The records are generated column-wise with numpy (fixed seed) in the shape of `analytics.frames`:
categories, units, offices, routes, concealment and detection with the demo's proportions, points
around the Caspian offices with their stored H3 cell (resolution 8). They are written once to
Parquet and once to an indexed SQLite table. Each query runs `--repeat` times per engine and the
table gives the median wall time; the goal is under one second per query with 2 threads.

Queries: by commodity (count, kg, sticks, value), by month, by route, office × month, the flows
layer (route with leading category), and the hexagon layer (resolution 6: group by the stored cell,
then the few thousand distinct cells are mapped to their parents in Python, for every engine).
"""

from __future__ import annotations

import os

os.environ.setdefault("POLARS_MAX_THREADS", "2")  # before polars is imported

import argparse  # noqa: E402
import sqlite3  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import duckdb  # noqa: E402
import h3  # noqa: E402
import numpy as np  # noqa: E402
import polars as pl  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from corridor.analytics import aggregates as agg  # noqa: E402

CATEGORIES = [
    "drugs",
    "tobacco",
    "currency",
    "counterfeit",
    "strategic",
    "precursors",
    "weapons",
    "wildlife",
    "alcohol",
]
CAT_P = [0.32, 0.19, 0.11, 0.1, 0.08, 0.06, 0.05, 0.05, 0.04]
UNIT_OF = {
    "drugs": "kg",
    "tobacco": "sticks",
    "currency": "usd",
    "counterfeit": "pcs",
    "strategic": "pcs",
    "precursors": "l",
    "weapons": "pcs",
    "wildlife": "kg",
    "alcohol": "l",
}
OFFICES = {
    "AZ-ASTARA-BP": (38.45, 48.87),
    "AZ-ALAT-PCU": (39.95, 49.4),
    "AZ-YALAMA-BP": (41.75, 48.57),
    "AZ-REDBRIDGE-BP": (41.1, 45.35),
    "AZ-BOYUKKESIK-RW": (41.12, 45.45),
    "AZ-BAKU-AIR": (40.47, 50.03),
}
ROUTES = [
    "IR>AZ",
    "IR>AZ>RU",
    "IR>AZ>GE",
    "AF>IR>AZ>RU",
    "CN>KZ>AZ",
    "CN>KZ>AZ>GE",
    "CN>KZ>AZ>TR",
    "CN>AZ>TM",
    "IN>AZ>AF",
    "TR>GE>AZ>RU",
    "RU>AZ",
    "AZ>AE",
    "AE>IR>AZ",
    "GE>AZ",
    "TR>AZ",
]
CONCEALMENTS = [
    "false_compartment",
    "within_goods",
    "misdeclared",
    "container_structure",
    "luggage",
    "on_body",
    "vehicle_body",
    "fuel_tank",
    "in_cargo",
]
DETECTIONS = ["risk_profile", "xray", "canine", "random", "intelligence", "partner_alert"]


def generate(rows: int, seed: int = 1) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    cat = rng.choice(len(CATEGORIES), rows, p=CAT_P)
    office = rng.integers(0, len(OFFICES), rows)
    centres = np.array(list(OFFICES.values()))
    # Points on a 0.01° grid around the offices: the stored H3 cell is computed once per grid point.
    lat = np.round(centres[office, 0] + rng.normal(0, 0.08, rows), 2)
    lon = np.round(centres[office, 1] + rng.normal(0, 0.08, rows), 2)
    start = np.datetime64("2016-01-01T00:00:00", "us")
    seconds = rng.integers(0, 10 * 365 * 86400, rows)
    frame = pl.DataFrame(
        {
            "id": np.arange(1, rows + 1),
            "seized_at": start + seconds.astype("timedelta64[s]"),
            "office": np.array(list(OFFICES))[office],
            "lat": lat,
            "lon": lon,
            "category": np.array(CATEGORIES)[cat],
            "quantity": np.round(rng.lognormal(2, 1.2, rows), 1),
            "concealment": np.array(CONCEALMENTS)[rng.integers(0, len(CONCEALMENTS), rows)],
            "detection": np.array(DETECTIONS)[rng.integers(0, len(DETECTIONS), rows)],
            "route": np.array(ROUTES)[rng.integers(0, len(ROUTES), rows)],
            "value_usd": np.round(rng.lognormal(9, 1.5, rows), -1),
        }
    ).with_columns(
        pl.col("seized_at").dt.replace_time_zone("UTC"),
        pl.col("category").replace_strict(UNIT_OF).alias("unit"),
    )
    grid = frame.select("lat", "lon").unique()
    cells = [
        h3.latlng_to_cell(a, b, 8) for a, b in zip(grid["lat"].to_list(), grid["lon"].to_list(), strict=True)
    ]
    grid = grid.with_columns(pl.Series("h3_cell", cells))
    return (
        frame.join(grid, on=["lat", "lon"], how="left")
        .with_columns(pl.when(pl.col("unit") == "kg").then(pl.col("quantity")).alias("quantity_kg"))
        .sort("id")
    )


def to_sqlite(frame: pl.DataFrame, path: Path) -> sqlite3.Connection:
    con = sqlite3.connect(path)
    con.execute(
        "CREATE TABLE cen_seizures (id INTEGER PRIMARY KEY, seized_at TEXT, office TEXT, lat REAL, lon REAL,"
        " category TEXT, quantity REAL, concealment TEXT, detection TEXT, route TEXT, value_usd REAL, unit TEXT,"
        " h3_cell TEXT, quantity_kg REAL)"
    )
    rows = frame.with_columns(pl.col("seized_at").dt.strftime("%Y-%m-%d %H:%M:%S")).iter_rows()
    con.executemany("INSERT INTO cen_seizures VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)
    # The indexes the application's migration creates on these columns.
    con.execute("CREATE INDEX ix_office ON cen_seizures (office)")
    con.execute("CREATE INDEX ix_seized_at ON cen_seizures (seized_at)")
    con.execute("CREATE INDEX ix_category_at ON cen_seizures (category, seized_at)")
    con.execute("CREATE INDEX ix_h3 ON cen_seizures (h3_cell)")
    con.commit()
    return con


def parents(cells: list[tuple[str, int]], resolution: int = 6) -> dict[str, int]:
    out: dict[str, int] = {}
    for cell, n in cells:
        parent = h3.cell_to_parent(cell, resolution)
        out[parent] = out.get(parent, 0) + n
    return out


SQL: dict[str, str] = {
    "by commodity": "SELECT category, count(*), sum(quantity_kg), sum(CASE WHEN unit='sticks' THEN quantity END),"
    " sum(value_usd) FROM {t} GROUP BY category",
    "by month": "SELECT {month} AS m, count(*), sum(quantity_kg) FROM {t} GROUP BY m ORDER BY m",
    "by route": "SELECT route, count(*), sum(quantity_kg), sum(value_usd) FROM {t} GROUP BY route",
    "office × month": "SELECT office, {month} AS m, count(*), sum(value_usd) FROM {t} GROUP BY office, m",
}
FLOWS_SQL = (
    "SELECT route, count(*) AS n, sum(quantity_kg), sum(value_usd) FROM {t} GROUP BY route",
    "SELECT route, category, count(*) AS n FROM {t} GROUP BY route, category",
)


def sqlite_queries(con: sqlite3.Connection) -> dict[str, Callable[[], Any]]:
    month = "substr(seized_at, 1, 7)"
    out: dict[str, Callable[[], Any]] = {
        name: (lambda q=q: con.execute(q.format(t="cen_seizures", month=month)).fetchall())
        for name, q in SQL.items()
    }

    def flows() -> Any:
        totals = con.execute(FLOWS_SQL[0].format(t="cen_seizures")).fetchall()
        leading: dict[str, tuple[str, int]] = {}
        for route, category, n in con.execute(FLOWS_SQL[1].format(t="cen_seizures")):
            if route not in leading or n > leading[route][1]:
                leading[route] = (category, n)
        return [(r, n, kg, v, leading[r][0]) for r, n, kg, v in totals]

    out["flows layer"] = flows
    out["hexagon layer (res 6)"] = lambda: parents(
        con.execute("SELECT h3_cell, count(*) FROM cen_seizures GROUP BY h3_cell").fetchall()
    )
    return out


def duckdb_queries(parquet: Path) -> dict[str, Callable[[], Any]]:
    con = duckdb.connect()
    con.execute("SET threads = 2")
    t = f"read_parquet('{parquet}')"
    month = "strftime(seized_at, '%Y-%m')"
    out: dict[str, Callable[[], Any]] = {
        name: (lambda q=q: con.execute(q.format(t=t, month=month)).fetchall()) for name, q in SQL.items()
    }
    out["flows layer"] = lambda: con.execute(
        f"SELECT route, count(*), sum(quantity_kg), sum(value_usd), mode(category) FROM {t} GROUP BY route"
    ).fetchall()
    out["hexagon layer (res 6)"] = lambda: parents(
        con.execute(f"SELECT h3_cell, count(*) FROM {t} GROUP BY h3_cell").fetchall()
    )
    return out


def polars_queries(parquet: Path) -> dict[str, Callable[[], Any]]:
    from corridor.analytics.geo import flow_table, hexagon_table

    def scan() -> pl.LazyFrame:
        return pl.scan_parquet(parquet)

    return {
        # The application's own functions, run lazily over the Parquet file.
        "by commodity": lambda: agg.stats(scan(), "commodity"),
        "by month": lambda: agg.stats(scan(), "month"),
        "by route": lambda: agg.stats(scan(), "route"),
        "office × month": lambda: (
            agg.with_measures(scan())
            .group_by("office", "month")
            .agg(pl.len(), pl.col("value_usd").sum())
            .collect()
        ),
        "flows layer": lambda: flow_table(scan()),
        "hexagon layer (res 6)": lambda: hexagon_table(scan(), 6),
    }


def median_time(fn: Callable[[], Any], repeat: int) -> float:
    fn()  # warm-up: file cache, query plans
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        frame = generate(args.rows)
        parquet = Path(tmp) / "seizures.parquet"
        frame.write_parquet(parquet)
        con = to_sqlite(frame, Path(tmp) / "seizures.sqlite3")
        print(
            f"{args.rows:,} records generated, written to Parquet and SQLite in {time.perf_counter() - t0:.1f} s; "
            f"median of {args.repeat} runs, 2 threads"
        )
        engines = {
            "Polars (Parquet)": polars_queries(parquet),
            "DuckDB (Parquet)": duckdb_queries(parquet),
            "SQLite (plain SQL)": sqlite_queries(con),
        }
        names = list(SQL) + ["flows layer", "hexagon layer (res 6)"]
        results = {e: {n: median_time(q[n], args.repeat) for n in names} for e, q in engines.items()}
        width = max(len(n) for n in names) + 2
        print(f"\n{'query':<{width}}" + "".join(f"{e:>20}" for e in engines) + f"{'best / SQLite':>16}")
        for name in names:
            cells = [results[e][name] for e in engines]
            best = min(cells[:2])
            print(
                f"{name:<{width}}"
                + "".join(f"{c * 1000:>17.0f} ms" for c in cells)
                + f"{cells[2] / best:>15.1f}x"
            )
        worst = max(min(results[e][n] for e in list(engines)[:2]) for n in names)
        print(f"\nslowest query on the faster of Polars/DuckDB: {worst * 1000:.0f} ms (goal: under 1000 ms)")


if __name__ == "__main__":
    main()
