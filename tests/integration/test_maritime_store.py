"""Ingest -> store -> detect -> events on SQLite and PostgreSQL, with links to consignments and watch lists."""

from __future__ import annotations

from datetime import UTC
from pathlib import Path

from sqlalchemy import Engine

from corridor.db.engine import unit_of_work
from corridor.maritime import maplayers, service
from corridor.maritime.demo import load_scenario, write_files
from corridor.maritime.scenario import generate, score

SEED = 7


def test_scenario_round_trip_detects_every_planted_event(engine: Engine) -> None:
    s = generate(SEED, background=10)
    loaded = load_scenario(engine, s)
    assert loaded["positions"] == s.positions.height and loaded["radar_plots"] == s.radar.height
    result = service.run_detection(engine, until=s.end)
    scores = score(
        result.events,
        s.truth,
        s.end,
        ("ais_gap", "loitering", "encounter", "geofence", "spoofing", "dark_target"),
    )
    assert all(x.precision == 1.0 and x.recall == 1.0 for x in scores), [x.as_dict() for x in scores]
    assert sum(result.new.values()) == len(s.truth)

    again = service.run_detection(engine, until=s.end)  # idempotent: nothing new, nothing changed
    assert again.new == {} and again.updated == {}
    # Without bounds the window ends at the latest stored position as the database hands it back
    # (PostgreSQL in the session's zone, e.g. Etc/UTC, which polars would not mix with UTC).
    unbounded = service.run_detection(engine)
    assert unbounded.until is not None and unbounded.until.tzinfo is UTC and unbounded.events

    with unit_of_work(engine) as session:
        open_events = service.list_open_events(session)
        assert len(open_events) == len(s.truth) and all(e["evidence"] for e in open_events)
        gap = next(e for e in open_events if e["vessel"] == s.roles["gap_alert"])
        service.set_event_status(session, gap["id"], "dismissed", "known maintenance")
    with unit_of_work(engine) as session:
        assert len(service.list_open_events(session)) == len(s.truth) - 1
        page = service.list_events(session, kind="geofence")
        assert page["total"] == 3
        detail = service.get_event(session, gap["id"])
        assert detail["status"] == "dismissed" and detail["vessel_detail"]["flag"] in {
            "AZ",
            "RU",
            "KZ",
            "TM",
            "IR",
        }
        layer = maplayers.tracks_geojson(session, vessel=s.roles["loiterer"])
        assert layer["features"][0]["geometry"]["type"] == "LineString"
        assert len(maplayers.zones_geojson(session)["features"]) == 12  # 11 installations + the scenario's box


def test_files_ingest_with_report_and_no_duplicates(
    engine: Engine, tmp_path: Path, shared_data: Path
) -> None:
    s = generate(SEED, background=3)
    paths = write_files(s, tmp_path / "scn")
    first = service.ingest_file(engine, Path(paths["nmea"]))
    assert first.report.positions == s.positions.height and first.report.rejected_total == 0
    assert first.new_positions == s.positions.height and first.vessels == s.statics.height
    # The CSV holds the same day with millisecond times (NMEA tag blocks carry whole seconds).
    csv_first = service.ingest_file(engine, Path(paths["ais_csv"]))
    csv_again = service.ingest_file(engine, Path(paths["ais_csv"]))
    assert (
        csv_first.new_positions > 0 and csv_again.new_positions == 0 and csv_again.as_dict()["duplicates"] > 0
    )
    radar = service.ingest_file(engine, Path(paths["radar_csv"]))
    assert radar.new_positions == s.radar.height
    mixed = service.ingest_file(engine, shared_data / "ais" / "pyais_mixed.txt")
    assert mixed.report.rejected == {"bad_checksum": 1} and mixed.as_dict()["errors"][0]["line"] == 23
    with unit_of_work(engine) as session:
        listed = service.list_ingests(session)
        assert listed[0]["rejected_by_reason"] == {"bad_checksum": 1}
        vessel = service.get_vessel(session, "351759000")
        assert vessel["name"] == "EVER DIADEM" and vessel["imo"] == "9134270" and vessel["flag"] == "PA"


def test_vessel_links_to_consignments_and_watch_lists(engine: Engine) -> None:
    from corridor.ingest.service import ingest_documents
    from corridor.risk.watchlist import NamedListWatchlist

    s = generate(SEED, background=0)
    load_scenario(engine, s)
    mmsi = s.roles["encounter_a"]
    info = s.statics.filter(s.statics["vessel"] == mmsi).row(0, named=True)
    doc = {
        "document_type": "BL",
        "document_number": "BL-ALY-1",
        "mode": "sea",
        "office": "AZ-ALAT",
        "place_of_loading": {"locode": "KZAKT"},
        "place_of_discharge": {"locode": "AZBAK"},
        "conveyance": {"mode": "sea", "name": info["name"], "imo": info["imo"], "mmsi": mmsi},
        "parties": [{"role": "consignee", "name": "Baku Trade MMC", "country": "AZ"}],
        "goods": [{"sequence": 1, "hs_code": "100199", "description": "wheat", "gross_kg": 1000}],
    }
    ingest_documents(engine, [doc], origin="test")
    with unit_of_work(engine) as session:
        linked = service.linked_consignments(session, mmsi)
        assert [c["document_number"] for c in linked] == ["BL-ALY-1"]
        assert set(linked[0]["matched_on"]) == {"imo", "mmsi", "name"}
        watch = NamedListWatchlist({"dark-fleet": ("vessels", [info["imo"]])})
        screened = service.screen_vessel(session, mmsi, watch)
        assert screened["matches"] == [{"list": "dark-fleet", "score": 1.0, "matched": info["imo"]}]
        assert service.screen_vessel(session, mmsi)["matches"] == []  # no stored list names it
