"""The Caspian scenario as files (AIS CSV, NMEA with tag-block times, radar CSV, truth) or in the database."""

from __future__ import annotations

import json
from datetime import UTC
from pathlib import Path
from typing import Any

import polars as pl
from pyais.encode import encode_dict
from pyais.messages import TagBlock
from sqlalchemy import Engine

from corridor.db.engine import unit_of_work
from corridor.maritime.nmea import ReadReport
from corridor.maritime.scenario import Scenario


def nmea_lines(scenario: Scenario) -> list[str]:
    """Type 5 static reports at the start, then type 1 position reports, each with a `c:` tag block."""
    lines = []
    start = int(scenario.start.timestamp())
    for row in scenario.statics.iter_rows(named=True):
        fields = {
            "type": 5,
            "mmsi": int(row["vessel"]),
            "imo": int(row["imo"]),
            "callsign": row["call_sign"],
            "shipname": row["name"][:20],
            "ship_type": int(row["ship_type"]),
        }
        tag = TagBlock.create(receiver_timestamp=str(start), source_station="corridor-demo").decode()  # type: ignore[arg-type]
        lines += [f"\\{tag}\\{s}" for s in encode_dict(fields, talker_id="AI", sentence_type="VDM")]
    ordered = scenario.positions.sort("ts")
    for row in ordered.iter_rows(named=True):
        fields = {
            "type": 1,
            "mmsi": int(row["vessel"]),
            "lat": row["lat"],
            "lon": row["lon"],
            "speed": min(row["sog"] if row["sog"] is not None else 102.3, 102.2),
            "course": row["cog"] if row["cog"] is not None else 360.0,
            "heading": int(row["heading"]) if row["heading"] is not None else 511,
            "second": row["ts"].second,
        }
        stamp = f"{row['ts'].astimezone(UTC).timestamp():.0f}"
        tag = TagBlock.create(receiver_timestamp=stamp).decode()  # type: ignore[arg-type]
        lines += [f"\\{tag}\\{s}" for s in encode_dict(fields, talker_id="AI", sentence_type="VDM")]
    return lines


def write_files(scenario: Scenario, out: Path, *, nmea: bool = True) -> dict[str, str]:
    out.mkdir(parents=True, exist_ok=True)
    paths: dict[str, str] = {}
    ais = scenario.positions.join(scenario.statics, on="vessel", how="left").with_columns(
        pl.col("ts").dt.strftime("%Y-%m-%dT%H:%M:%S%.3fZ")
    )
    ais.rename({"vessel": "mmsi", "ts": "timestamp"}).write_csv(out / "ais.csv")
    paths["ais_csv"] = str(out / "ais.csv")
    scenario.radar.with_columns(pl.col("ts").dt.strftime("%Y-%m-%dT%H:%M:%S%.3fZ")).rename(
        {"ts": "time", "track": "track_id"}
    ).write_csv(out / "radar.csv")
    paths["radar_csv"] = str(out / "radar.csv")
    if nmea:
        (out / "ais.nmea").write_text("\n".join(nmea_lines(scenario)) + "\n", encoding="ascii")
        paths["nmea"] = str(out / "ais.nmea")
    truth: dict[str, Any] = {
        "start": scenario.start.isoformat(),
        "end": scenario.end.isoformat(),
        "roles": scenario.roles,
        "events": [t.as_dict() for t in scenario.truth],
    }
    (out / "truth.json").write_text(json.dumps(truth, indent=2), encoding="utf-8")
    paths["truth"] = str(out / "truth.json")
    zones = {"type": "FeatureCollection", "features": [z.geojson() for z in scenario.user_zones]}
    (out / "zones.geojson").write_text(json.dumps(zones, indent=2), encoding="utf-8")
    paths["zones"] = str(out / "zones.geojson")
    return paths


def load_scenario(engine: Engine, scenario: Scenario) -> dict[str, Any]:
    """Store the scenario's AIS, static data, radar and user zones as if they had been ingested."""
    from corridor.maritime.service import create_zone, store_batch

    with unit_of_work(engine) as session:
        report = ReadReport(source="scenario", format="ais-csv", lines=scenario.positions.height)
        report.positions, report.static = scenario.positions.height, scenario.statics.height
        statics = scenario.statics.with_columns(pl.lit(scenario.start).alias("ts"))
        ais = store_batch(session, report, scenario.positions, statics)
        radar_report = ReadReport(source="scenario", format="radar-csv", lines=scenario.radar.height)
        radar_report.positions = scenario.radar.height
        radar = store_batch(session, radar_report, radar=scenario.radar)
        for zone in scenario.user_zones:
            create_zone(session, zone.id.removeprefix("user:"), zone.name, zone.geojson()["geometry"])
    return {
        "positions": ais.new_positions,
        "vessels": ais.vessels,
        "radar_plots": radar.new_positions,
        "zones": len(scenario.user_zones),
    }
