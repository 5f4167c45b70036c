"""`corridor seizures ...`: record, import, export, list, show, statistics, report, watch list."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError

from corridor.cli_support import EXIT_REJECTED, EXIT_USAGE, err, handles_errors, print_json, print_table

app = typer.Typer(
    help="CEN-like seizure records: record, import, export, statistics, reports.", no_args_is_help=True
)


def _session() -> Any:
    from corridor.db.engine import unit_of_work
    from corridor.db.ready import ready_engine

    return unit_of_work(ready_engine())


def _month(value: str | None, name: str) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d" if len(value) > 7 else "%Y-%m").replace(tzinfo=UTC)
    except ValueError:
        err.print(f"[red]error[/red] {name}: {value!r} is not a date (YYYY-MM-DD) or a month (YYYY-MM)")
        raise typer.Exit(EXIT_USAGE) from None


def _party(text: str) -> dict[str, str | None]:
    parts = [p.strip() or None for p in text.split(":")]
    if not parts or not parts[0]:
        err.print(f"[red]error[/red] --party {text!r}: write NAME[:ROLE[:KIND[:NATIONALITY[:IDENTIFIER]]]]")
        raise typer.Exit(EXIT_USAGE)
    keys = ("name", "role", "kind", "nationality", "identifier")
    # The identifier itself may contain ':' (PASSPORT:IR1234567): everything after the 4th colon.
    if len(parts) > 5:
        parts = parts[:4] + [":".join(p or "" for p in parts[4:])]
    return {k: v for k, v in zip(keys, parts, strict=False) if v is not None}


@app.command("add")
@handles_errors
def add(
    commodity_type: Annotated[
        str, typer.Option("--type", help="commodity type, e.g. heroin, cigarettes, cash")
    ],
    quantity: Annotated[float, typer.Option(help="quantity in --unit")],
    unit: Annotated[str, typer.Option(help="kg, g, t, l, pcs, sticks, packs, usd, eur, azn")],
    detection: Annotated[
        str, typer.Option(help="risk_profile, xray, canine, random, intelligence, partner_alert")
    ],
    mode: Annotated[str, typer.Option(help="transport mode: sea, road, rail, air, post, pedestrian, other")],
    date: Annotated[str, typer.Option(help="when (ISO 8601, UTC if no offset)")],
    office: Annotated[str | None, typer.Option(help="customs office code")] = None,
    locode: Annotated[str | None, typer.Option(help="UN/LOCODE of the place (gives coordinates)")] = None,
    lat: Annotated[float | None, typer.Option(help="latitude")] = None,
    lon: Annotated[float | None, typer.Option(help="longitude")] = None,
    concealment: Annotated[str, typer.Option(help="concealment method")] = "other",
    route: Annotated[
        str | None, typer.Option(help="DEPARTURE>TRANSIT>...>DESTINATION, e.g. IR>AZ>RU")
    ] = None,
    conveyance: Annotated[str | None, typer.Option(help="vehicle plate, vessel, flight ...")] = None,
    party: Annotated[
        list[str] | None, typer.Option(help="NAME:ROLE:KIND:NATIONALITY:IDENTIFIER (repeat)")
    ] = None,
    consignment: Annotated[
        str | None, typer.Option(help="linked consignment (id, key or document number)")
    ] = None,
    profile: Annotated[list[str] | None, typer.Option(help="id of a risk profile that hit (repeat)")] = None,
    value_usd: Annotated[float | None, typer.Option(help="estimated value in USD")] = None,
    description: Annotated[str | None, typer.Option(help="what was found")] = None,
    ref: Annotated[str | None, typer.Option(help="reference (natural key); generated when absent")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Record one seizure (the same reference again updates it)."""
    from corridor.seizures.schemas import SeizureIn
    from corridor.seizures.service import as_json as row_json
    from corridor.seizures.service import record

    countries = [c for c in (route or "").split(">") if c.strip()]
    if route is not None and len(countries) < 2:
        err.print(f"[red]error[/red] --route {route!r}: give at least DEPARTURE>DESTINATION")
        raise typer.Exit(EXIT_USAGE)
    doc: dict[str, Any] = {
        "ref": ref,
        "seized_at": date,
        "office": office,
        "locode": locode,
        "lat": lat,
        "lon": lon,
        "commodity_type": commodity_type,
        "quantity": quantity,
        "unit": unit,
        "detection": detection,
        "transport_mode": mode,
        "concealment": concealment,
        "conveyance": conveyance,
        "departure_country": countries[0] if countries else None,
        "transit_countries": countries[1:-1],
        "destination_country": countries[-1] if countries else None,
        "parties": [_party(p) for p in party or []],
        "consignment": consignment,
        "profile_hits": [{"rule_id": p} for p in profile or []],
        "value_usd": value_usd,
        "description": description,
    }
    try:
        data = SeizureIn.model_validate(doc)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "record"
        err.print(f"[red]error[/red] {where}: {str(first['msg']).removeprefix('Value error, ')}")
        raise typer.Exit(EXIT_USAGE) from None
    with _session() as session:
        row, status = record(session, data)
        body = {"status": status, **row_json(row)}
    if as_json:
        print_json(body)
    else:
        err.print(f"seizure {body['ref']} {status}")


@app.command("import")
@handles_errors
def import_(
    path: Annotated[Path, typer.Argument(help="template file: .csv, .xlsx, .geojson or .parquet")],
    fmt: Annotated[str | None, typer.Option("--format", help="csv, xlsx, geojson or parquet")] = None,
    rejections: Annotated[Path | None, typer.Option(help="write the rejected rows to this JSON file")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Import seizures from the documented template; bad rows are reported by row and column and the
    good rows are kept (exit status 1 when any row was rejected)."""
    from corridor.seizures.service import import_records

    if not path.is_file():
        err.print(f"[red]error[/red] no such file: {path}")
        raise typer.Exit(EXIT_USAGE)
    with _session() as session:
        report = import_records(session, path.read_bytes(), path.name, fmt=fmt)
    body = report.model_dump(mode="json")
    if rejections is not None:
        rejections.write_text(
            json.dumps(body["rejections"], indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
    if as_json:
        print_json(body)
    else:
        err.print(
            f"{path.name}: {report.created} created, {report.updated} updated, {report.unchanged} unchanged, "
            f"{report.rejected} rejected"
        )
        if report.rejections:
            print_table(
                "Rejected rows",
                ["row", "column", "reason"],
                [[r.row, r.column, r.reason] for r in report.rejections],
            )
    if report.rejected:
        raise typer.Exit(EXIT_REJECTED)


@app.command("export")
@handles_errors
def export(
    output: Annotated[Path, typer.Option("--out", help="file to write; the format follows the extension")],
    fmt: Annotated[str | None, typer.Option("--format", help="csv, xlsx, geojson or parquet")] = None,
    since: Annotated[str | None, typer.Option(help="from this date or month")] = None,
    until: Annotated[str | None, typer.Option(help="before this date or month")] = None,
    category: Annotated[str | None, typer.Option(help="commodity category")] = None,
    office: Annotated[str | None, typer.Option(help="office code")] = None,
) -> None:
    """Export seizures in the template (CSV, Excel), as GeoJSON points or as Parquet."""
    from corridor.seizures.service import SeizureFilter, all_inputs
    from corridor.seizures.template import detect_format, to_bytes

    fmt = fmt or detect_format(output.name)
    flt = SeizureFilter(
        since=_month(since, "--since"), until=_month(until, "--until"), category=category, office=office
    )
    with _session() as session:
        items = all_inputs(session, flt)
    output.write_bytes(to_bytes(items, fmt))
    err.print(f"wrote {len(items):,} seizures to {output} ({fmt})")


@app.command("list")
@handles_errors
def list_(
    since: Annotated[str | None, typer.Option(help="from this date or month")] = None,
    until: Annotated[str | None, typer.Option(help="before this date or month")] = None,
    category: Annotated[str | None, typer.Option(help="commodity category")] = None,
    office: Annotated[str | None, typer.Option(help="office code")] = None,
    limit: Annotated[int, typer.Option(min=1)] = 50,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """The most recent seizures."""
    from corridor.seizures.service import SeizureFilter, list_seizures
    from corridor.seizures.service import as_json as row_json

    flt = SeizureFilter(
        since=_month(since, "--since"), until=_month(until, "--until"), category=category, office=office
    )
    with _session() as session:
        rows, total = list_seizures(session, flt, limit=limit)
        items = [row_json(r) for r in rows]
    if as_json:
        print_json({"total": total, "items": items})
        return
    print_table(
        f"Seizures ({len(items)} of {total})",
        ["ref", "date", "office", "type", "quantity", "concealment", "detection", "route"],
        [
            [
                i["ref"],
                i["seized_at"][:10],
                i["office"],
                i["commodity_type"],
                f"{i['quantity']:g} {i['unit']}",
                i["concealment"],
                i["detection"],
                i["route"],
            ]
            for i in items
        ],
    )


@app.command("show")
@handles_errors
def show(
    ref: Annotated[str, typer.Argument(help="reference or id")],
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """One seizure record with its parties and attachments."""
    from corridor.seizures.service import as_json as row_json
    from corridor.seizures.service import get

    with _session() as session:
        body = row_json(get(session, ref))
    if as_json:
        print_json(body)
        return
    simple = {k: v for k, v in body.items() if not isinstance(v, list | dict)}
    print_table(f"Seizure {body['ref']}", ["field", "value"], [[k, v] for k, v in simple.items()])
    if body["parties"]:
        print_table(
            "Parties",
            ["id", "name", "role", "kind", "nationality", "identifier"],
            [
                [p["id"], p["name"], p["role"], p["kind"], p["nationality"], p["identifier"]]
                for p in body["parties"]
            ],
        )


@app.command("stats")
@handles_errors
def stats(
    by: Annotated[
        str,
        typer.Option(
            help="commodity, type, route, concealment, detection, office, month, mode, departure, destination"
        ),
    ] = "commodity",
    since: Annotated[str | None, typer.Option(help="from this date or month")] = None,
    until: Annotated[str | None, typer.Option(help="before this date or month")] = None,
    category: Annotated[str | None, typer.Option(help="only this commodity category")] = None,
    office: Annotated[str | None, typer.Option(help="only this office")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Counts and quantities of seizures grouped by one dimension."""
    from corridor.analytics.aggregates import records
    from corridor.analytics.aggregates import stats as group
    from corridor.analytics.frames import seizure_frame
    from corridor.seizures.service import SeizureFilter

    flt = SeizureFilter(
        since=_month(since, "--since"), until=_month(until, "--until"), category=category, office=office
    )
    with _session() as session:
        rows = records(group(seizure_frame(session, flt), by))
    if as_json:
        print_json({"by": by, "rows": rows})
        return
    print_table(
        f"Seizures by {by}",
        ["key", "seizures", "share", "kg", "litres", "sticks", "pieces", "cash USD", "value USD"],
        [
            [
                r["key"],
                r["seizures"],
                f"{r['share']:.0%}",
                _num(r["kg"], 1),
                _num(r["litres"]),
                _num(r["sticks"]),
                _num(r["pieces"]),
                _num(r["cash_usd"]),
                _num(r["value_usd"]),
            ]
            for r in rows
        ],
    )


def _num(value: float | None, digits: int = 0) -> str:
    return "" if not value else f"{value:,.{digits}f}"


@app.command("report")
@handles_errors
def report(
    month: Annotated[str, typer.Option(help="the month, YYYY-MM")],
    output: Annotated[Path, typer.Option("--out", help="file to write")],
    fmt: Annotated[str, typer.Option("--format", help="pdf or html")] = "pdf",
    office: Annotated[list[str] | None, typer.Option(help="limit to these offices (repeat)")] = None,
) -> None:
    """The printable monthly report (charts, routes map, density map, tables)."""
    from corridor.analytics.report import build_report, render_html, render_pdf

    if fmt not in ("pdf", "html"):
        err.print(f"[red]error[/red] unknown format {fmt!r}; use pdf or html")
        raise typer.Exit(EXIT_USAGE)
    offices = frozenset(o.strip().upper() for o in office) if office else None
    with _session() as session:
        data = build_report(
            session, month, offices=offices, scope=", ".join(sorted(offices)) if offices else "all offices"
        )
    if fmt == "pdf":
        output.write_bytes(render_pdf(data))
    else:
        output.write_text(render_html(data), encoding="utf-8")
    err.print(f"wrote the {month} report to {output} ({fmt}; {data.totals['seizures']} seizures)")


@app.command("from-case")
@handles_errors
def from_case(
    seizure_id: Annotated[int, typer.Argument(help="id of the workbench's seizure form")],
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Create or update the CEN record of a seizure recorded on the workbench."""
    from corridor.seizures.service import as_json as row_json
    from corridor.seizures.service import record_from_case

    with _session() as session:
        row, status = record_from_case(session, seizure_id)
        body = {"status": status, **row_json(row)}
    if as_json:
        print_json(body)
    else:
        err.print(f"seizure {body['ref']} {status} from workbench seizure {seizure_id}")


@app.command("watch")
@handles_errors
def watch(
    ref: Annotated[str, typer.Argument(help="seizure reference or id")],
    party_id: Annotated[
        list[int] | None, typer.Option("--party", help="party id (repeat); default: all")
    ] = None,
    reason: Annotated[str | None, typer.Option(help="why (kept with the entry)")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Put the parties of a seizure on the national watch list (read by the risk engine)."""
    from corridor.seizures.service import watch_parties

    with _session() as session:
        added = watch_parties(session, ref, party_ids=party_id, actor="cli", reason=reason)
        body = [{"entry": a.entry, "name": a.name, "nationality": a.nationality} for a in added]
    if as_json:
        print_json({"added": body})
    else:
        err.print(f"{len(body)} new entries on the national watch list")


@app.command("demo")
@handles_errors
def demo(
    seed: Annotated[int, typer.Option(help="random seed (same seed, same data)")] = 1,
    count: Annotated[int, typer.Option(min=1, help="number of seizures over the year")] = 1200,
) -> None:
    """Load a realistic year of demo seizures along the Caspian corridors."""
    from corridor.seizures.demo import generate
    from corridor.seizures.service import record_many

    with _session() as session:
        done = record_many(session, generate(seed, count=count), source="demo")
    err.print(
        f"demo seizures: {len(done['created'])} new, {len(done['unchanged']) + len(done['updated'])} already loaded"
    )
