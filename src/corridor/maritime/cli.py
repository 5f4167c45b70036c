"""`corridor maritime ...`: ingest AIS/radar, run detectors, review events, zones, live feed, scenario."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from corridor.cli_support import EXIT_REJECTED, EXIT_USAGE, err, handles_errors, print_json, print_table
from corridor.domain.errors import InvalidInput

app = typer.Typer(
    help="Maritime picture: AIS and radar, tracks, dark vessels and other events.", no_args_is_help=True
)

JsonOpt = Annotated[bool, typer.Option("--json", help="one JSON document on stdout")]


def _when(value: str | None, where: str) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInput(f"{value!r} is not an ISO 8601 time", where=where) from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _engine() -> Any:
    from corridor.db.ready import ready_engine

    return ready_engine()


@app.command("ingest")
@handles_errors
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="NMEA (.nmea/.ais/.txt), AIS CSV or radar CSV files")],
    fmt: Annotated[
        str | None, typer.Option("--format", help="nmea, ais-csv or radar-csv (default: sniffed)")
    ] = None,
    received_at: Annotated[
        str | None, typer.Option(help="time of NMEA lines without a tag block or prefix (default: now)")
    ] = None,
    rejections: Annotated[Path | None, typer.Option(help="write the rejected lines (JSON) here")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Read files into the store; bad lines are counted and reported, never fatal (exit 1 if any)."""
    from rich.progress import Progress

    from corridor.maritime.service import ingest_file

    when = _when(received_at, "--received-at")
    engine = _engine()
    results = []
    with Progress(console=err, transient=True) as progress:
        task = progress.add_task("ingesting", total=len(paths))
        for path in paths:
            progress.update(task, description=f"ingesting {path.name}")
            results.append(ingest_file(engine, path, fmt, when).as_dict())
            progress.advance(task)
    if rejections:
        errors = [{"source": r["source"], **e} for r in results for e in r["errors"]]
        rejections.write_text(json.dumps(errors, indent=2), encoding="utf-8")
    if as_json:
        print_json(results if len(results) > 1 else results[0])
    else:
        print_table(
            "Maritime ingest",
            ["source", "format", "lines", "positions", "new", "static", "ignored", "rejected"],
            [
                [
                    Path(r["source"]).name,
                    r["format"],
                    r["lines"],
                    r["positions"],
                    r["new_positions"],
                    r["static"],
                    r["ignored"],
                    ", ".join(f"{k} {v}" for k, v in r["rejected"].items()) or "0",
                ]
                for r in results
            ],
        )
    if any(r["rejected_total"] for r in results):
        raise typer.Exit(EXIT_REJECTED)


@app.command("detect")
@handles_errors
def detect(
    since: Annotated[str | None, typer.Option(help="ISO 8601 start (default: 48 h before until)")] = None,
    until: Annotated[str | None, typer.Option(help="ISO 8601 end (default: the latest position)")] = None,
    kind: Annotated[
        list[str] | None, typer.Option("--kind", help="only these detectors (repeatable)")
    ] = None,
    config: Annotated[Path | None, typer.Option(help="JSON/YAML file of detector settings to change")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Run the detectors over stored positions and store the events (re-running adds no duplicates)."""
    from corridor.maritime.config import load_config_file
    from corridor.maritime.events import KINDS
    from corridor.maritime.service import run_detection

    cfg = load_config_file(config) if config else None
    err.print("detecting…")
    result = run_detection(
        _engine(),
        since=_when(since, "--since"),
        until=_when(until, "--until"),
        config=cfg,
        kinds=kind or KINDS,
    )
    data = result.as_dict()
    if as_json:
        print_json(data)
        return
    found: dict[str, int] = {}
    for e in result.events:
        found[e.kind] = found.get(e.kind, 0) + 1
    print_table(
        f"Detection {data['since']} – {data['until']} ({data['positions']} positions, {data['radar_plots']} radar plots)",
        ["kind", "found", "new", "updated"],
        [[k, found.get(k, 0), result.new.get(k, 0), result.updated.get(k, 0)] for k in KINDS],
    )


@app.command("events")
@handles_errors
def events(
    kind: Annotated[
        str | None, typer.Option(help="ais_gap, loitering, encounter, geofence, spoofing, dark_target")
    ] = None,
    status: Annotated[str | None, typer.Option(help="open, confirmed or dismissed")] = None,
    vessel: Annotated[str | None, typer.Option(help="MMSI or radar track")] = None,
    limit: Annotated[int, typer.Option(min=1, max=10000)] = 100,
    as_json: JsonOpt = False,
) -> None:
    """List stored events, newest first."""
    from corridor.db.engine import unit_of_work
    from corridor.maritime.service import list_events

    with unit_of_work(_engine()) as session:
        page = list_events(session, kind=kind, status=status, vessel=vessel, limit=limit)
    if as_json:
        print_json(page)
        return
    print_table(
        f"Maritime events ({page['total']})",
        ["id", "kind", "severity", "status", "vessel", "start", "summary"],
        [
            [e["id"], e["kind"], e["severity"], e["status"], e["vessel"], e["start"], e["summary"]]
            for e in page["items"]
        ],
    )


@app.command("event")
@handles_errors
def event(event_id: Annotated[int, typer.Argument()], as_json: JsonOpt = False) -> None:
    """One event with its evidence."""
    from corridor.db.engine import unit_of_work
    from corridor.maritime.service import get_event

    with unit_of_work(_engine()) as session:
        data = get_event(session, event_id)
    if as_json:
        print_json(data)
        return
    rows = [
        [k, data[k]] for k in ("kind", "severity", "status", "vessel", "other", "start", "end", "summary")
    ]
    print_table(f"Event {event_id}", ["field", "value"], rows)
    print_table(
        "Evidence",
        ["item", "value"],
        [[k, json.dumps(v, ensure_ascii=False)[:300]] for k, v in data["evidence"].items()],
    )


@app.command("review")
@handles_errors
def review(
    event_id: Annotated[int, typer.Argument()],
    status: Annotated[str, typer.Option(help="confirmed, dismissed or open")],
    note: Annotated[str | None, typer.Option()] = None,
    as_json: JsonOpt = False,
) -> None:
    """Confirm or dismiss an event (it leaves the open list)."""
    from corridor.db.engine import unit_of_work
    from corridor.maritime.service import set_event_status

    with unit_of_work(_engine()) as session:
        data = set_event_status(session, event_id, status, note)
    if as_json:
        print_json(data)
    else:
        err.print(f"event {event_id} is now {data['status']}")


@app.command("vessels")
@handles_errors
def vessels(
    q: Annotated[str | None, typer.Option(help="part of a name, MMSI or IMO")] = None,
    limit: Annotated[int, typer.Option(min=1, max=10000)] = 100,
    as_json: JsonOpt = False,
) -> None:
    """Vessels seen, with their static data and flag."""
    from corridor.db.engine import unit_of_work
    from corridor.maritime.service import list_vessels

    with unit_of_work(_engine()) as session:
        page = list_vessels(session, q, limit)
    if as_json:
        print_json(page)
        return
    cols = ["vessel", "name", "imo", "call_sign", "flag", "last_seen"]
    print_table(f"Vessels ({page['total']})", cols, [[v[c] for c in cols] for v in page["items"]])


@app.command("vessel")
@handles_errors
def vessel(vessel_id: Annotated[str, typer.Argument(help="MMSI")], as_json: JsonOpt = False) -> None:
    """A vessel, the consignments it carries (by IMO, MMSI or name) and its watch-list matches."""
    from corridor.db.engine import unit_of_work
    from corridor.maritime.service import get_vessel, linked_consignments, screen_vessel

    with unit_of_work(_engine()) as session:
        data = get_vessel(session, vessel_id)
        data["consignments"] = linked_consignments(session, vessel_id)
        data["screening"] = screen_vessel(session, vessel_id)
    if as_json:
        print_json(data)
        return
    keys = (
        "vessel",
        "name",
        "imo",
        "call_sign",
        "flag",
        "flag_allocated_to",
        "first_seen",
        "last_seen",
        "positions",
        "open_events",
    )
    print_table(f"Vessel {vessel_id}", ["field", "value"], [[k, data[k]] for k in keys])
    print_table(
        "Consignments",
        ["document", "eta", "discharge", "matched on"],
        [
            [c["document_number"], c["eta"], c["discharge_locode"], ", ".join(c["matched_on"])]
            for c in data["consignments"]
        ],
    )
    print_table(
        "Watch lists", ["list", "matched"], [[m["list"], m["matched"]] for m in data["screening"]["matches"]]
    )


@app.command("platforms")
def platforms_command(as_json: JsonOpt = False) -> None:
    """The packaged offshore installations (approximate positions from public sources)."""
    from corridor.maritime.zones import platforms

    rows = [[p.id, p.name, p.operator, p.lat, p.lon, p.safety_zone_m] for p in platforms()]
    if as_json:
        print_json([p.geojson() for p in platforms()])
    else:
        print_table(
            "Offshore installations (approximate)", ["id", "name", "operator", "lat", "lon", "zone m"], rows
        )


@app.command("flag")
def flag(mmsi: Annotated[str, typer.Argument()], as_json: JsonOpt = False) -> None:
    """The flag an MMSI claims (ITU Maritime Identification Digits)."""
    from corridor.maritime.mid import flag_of

    found = flag_of(mmsi)
    if found is None:
        err.print(f"[red]error[/red] {mmsi} is not a 9-digit MMSI with a known MID")
        raise typer.Exit(EXIT_USAGE)
    data = {
        "mmsi": mmsi,
        "mid": found.mid,
        "flag": found.alpha2,
        "allocated_to": found.allocated_to,
        "station": found.station,
    }
    if as_json:
        print_json(data)
    else:
        print_table(None, list(data), [list(data.values())])


@app.command("zone-add")
@handles_errors
def zone_add(
    code: Annotated[str, typer.Argument()],
    geojson: Annotated[
        Path, typer.Argument(help="file with a GeoJSON Polygon, Feature or FeatureCollection")
    ],
    name: Annotated[str | None, typer.Option()] = None,
) -> None:
    """Add (or replace) a user geofence polygon."""
    from corridor.db.engine import unit_of_work
    from corridor.maritime.service import create_zone

    try:
        doc = json.loads(geojson.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise InvalidInput(f"cannot read GeoJSON: {error}", where=str(geojson)) from None
    if isinstance(doc, dict) and doc.get("type") == "FeatureCollection":
        doc = (doc.get("features") or [None])[0]
    if isinstance(doc, dict) and doc.get("type") == "Feature":
        doc = doc.get("geometry")
    if not isinstance(doc, dict):
        raise InvalidInput("no Polygon found", where=str(geojson))
    with unit_of_work(_engine()) as session:
        create_zone(session, code, name or code, doc)
    err.print(f"zone {code} saved")


@app.command("zones")
@handles_errors
def zones(as_json: JsonOpt = False) -> None:
    """Safety zones of the installations and the user polygons, as GeoJSON or a table."""
    from corridor.db.engine import unit_of_work
    from corridor.maritime.maplayers import zones_geojson

    with unit_of_work(_engine()) as session:
        data = zones_geojson(session)
    if as_json:
        print_json(data)
    else:
        props = [f["properties"] for f in data["features"]]
        ids = [f["id"] for f in data["features"]]
        print_table(
            "Zones",
            ["id", "name", "kind"],
            [[i, p["name"], p["kind"]] for i, p in zip(ids, props, strict=True)],
        )


@app.command("zone-remove")
@handles_errors
def zone_remove(code: Annotated[str, typer.Argument()]) -> None:
    """Remove a user geofence."""
    from corridor.db.engine import unit_of_work
    from corridor.maritime.service import delete_zone

    with unit_of_work(_engine()) as session:
        delete_zone(session, code)
    err.print(f"zone {code} removed")


@app.command("listen")
@handles_errors
def listen(
    tcp: Annotated[int | None, typer.Option(help="TCP port to accept NMEA on")] = None,
    udp: Annotated[int | None, typer.Option(help="UDP port to receive NMEA on")] = None,
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    max_lines: Annotated[int | None, typer.Option(min=1, help="stop after this many lines")] = None,
    seconds: Annotated[float | None, typer.Option(min=0, help="stop after this many seconds")] = None,
    flush_lines: Annotated[int, typer.Option(min=1, help="store every this many lines")] = 500,
    as_json: JsonOpt = False,
) -> None:
    """Ingest a live NMEA feed over TCP or UDP (Ctrl-C, --max-lines or --seconds stop it)."""
    from corridor.maritime.live import listen_udp, serve_tcp

    if (tcp is None) == (udp is None):
        err.print("[red]error[/red] give exactly one of --tcp PORT or --udp PORT")
        raise typer.Exit(EXIT_USAGE)
    engine = _engine()
    kind = "tcp" if tcp is not None else "udp"

    def ready(port: int) -> None:
        err.print(f"listening for NMEA on {kind}://{host}:{port}")

    runner = serve_tcp if tcp is not None else listen_udp
    port = tcp if tcp is not None else udp
    assert port is not None
    try:
        stats = asyncio.run(
            runner(
                engine,
                host,
                port,
                max_lines=max_lines,
                seconds=seconds,
                flush_lines=flush_lines,
                on_ready=ready,
            )
        )
    except OSError as error:
        raise InvalidInput(
            f"cannot listen: {error.strerror or error}", where=f"{kind}://{host}:{port}"
        ) from None
    if as_json:
        print_json(stats.as_dict())
    else:
        print_table("Live feed", list(stats.as_dict()), [list(stats.as_dict().values())])


@app.command("scenario")
@handles_errors
def scenario(
    out: Annotated[
        Path | None, typer.Option("--out", help="write ais.csv, ais.nmea, radar.csv, truth.json here")
    ] = None,
    seed: Annotated[int, typer.Option()] = 7,
    background: Annotated[int, typer.Option(min=0, help="ordinary vessels besides the planted ones")] = 40,
    interval: Annotated[float, typer.Option(min=1, help="seconds between AIS reports")] = 120.0,
    load: Annotated[bool, typer.Option(help="store the scenario in the database")] = False,
    score: Annotated[
        bool, typer.Option(help="run the detectors in memory and print precision/recall")
    ] = False,
    nmea: Annotated[bool, typer.Option(help="also write NMEA (slower)")] = True,
    as_json: JsonOpt = False,
) -> None:
    """A synthetic Caspian day around Neft Daşları, ACG and Shah Deniz with planted events."""
    from corridor.maritime import scenario as sc

    generated = sc.generate(seed, background=background, interval_s=interval)
    result: dict[str, Any] = {
        "positions": generated.positions.height,
        "radar_plots": generated.radar.height,
        "planted": len(generated.truth),
    }
    if out is not None:
        from corridor.maritime.demo import write_files

        result["files"] = write_files(generated, out, nmea=nmea)
    if load:
        from corridor.maritime.demo import load_scenario

        result["loaded"] = load_scenario(_engine(), generated)
    if score:
        from corridor.maritime.events import KINDS
        from corridor.maritime.pipeline import detect_all

        found = detect_all(
            generated.positions, generated.radar, user_zones=generated.user_zones, as_of=generated.end
        )
        result["scores"] = [s.as_dict() for s in sc.score(found, generated.truth, generated.end, KINDS)]
    if as_json:
        print_json(result)
        return
    err.print(
        f"scenario seed {seed}: {result['positions']:,} AIS positions, {result['radar_plots']:,} radar plots, "
        f"{result['planted']} planted events"
    )
    if "scores" in result:
        cols = ["kind", "planted", "detected", "precision", "recall"]
        print_table(
            "Detectors against the planted truth", cols, [[s[c] for c in cols] for s in result["scores"]]
        )
