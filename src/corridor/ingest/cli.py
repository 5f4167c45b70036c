"""`corridor ingest FILE...` and `corridor batches list|rejections`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn
from sqlalchemy.orm import Session

from corridor.cli_support import (
    EXIT_REJECTED,
    EXIT_USAGE,
    err,
    handles_errors,
    print_json,
    print_table,
)
from corridor.consignments.service import batch_summary, list_batches
from corridor.db.ready import ready_engine
from corridor.ingest.base import ReadOptions
from corridor.ingest.detect import READERS
from corridor.ingest.service import (
    IngestReport,
    batch_rejections,
    ingest_paths,
    rejections_csv,
    rejections_json,
    write_rejection_report,
)

batches_app = typer.Typer(help="Ingest batches and their rejection reports.", no_args_is_help=True)


def _load_mapping(path: Path | None) -> dict[str, str]:
    if path is None:
        return {}
    try:
        mapping = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        err.print(f"[red]error[/red] cannot read column mapping {path}: {error}")
        raise typer.Exit(EXIT_USAGE) from None
    if not isinstance(mapping, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in mapping.items()
    ):
        err.print(
            f'[red]error[/red] {path}: a column mapping is a JSON object {{"Your column": "corridor_column"}}'
        )
        raise typer.Exit(EXIT_USAGE)
    return mapping


def _print_summary(report: IngestReport) -> None:
    print_table(
        f"Ingest batch {report.batch_id}",
        ["file", "format", "accepted", "amended", "duplicates", "rejected", "warnings"],
        [
            [f.file, f.format, f.accepted, f.amended, f.duplicates, f.rejected, f.warnings]
            for f in report.files
        ],
    )
    if report.rejections:
        shown = report.rejections[:20]
        print_table(
            f"Rejected ({report.total('rejected')}; first {len(shown)} shown)",
            ["file", "location", "field", "reason"],
            [[r.file, r.location, r.field, r.reason] for r in shown],
        )


@handles_errors
def ingest_command(
    files: Annotated[list[Path], typer.Argument(help="files to ingest; the format is detected from content")],
    fmt: Annotated[
        str | None, typer.Option("--format", help=f"force a format: {', '.join(sorted(READERS))}")
    ] = None,
    mapping: Annotated[
        Path | None,
        typer.Option("--mapping", help='JSON column mapping for CSV/Excel: {"B/L": "document_number"}'),
    ] = None,
    sheet: Annotated[str | None, typer.Option(help="Excel sheet name (default: first)")] = None,
    lenient: Annotated[
        bool, typer.Option(help="accept messages with envelope count errors, with a warning")
    ] = False,
    rejections: Annotated[
        Path | None, typer.Option("--rejections", help="write the rejection report here (.csv or .json)")
    ] = None,
    assess: Annotated[
        bool, typer.Option("--assess/--no-assess", help="screen and risk-assess what was stored (default: yes)")
    ] = True,
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON document")] = False,
) -> None:
    """Load pre-arrival cargo information: CSV, Excel, Corridor JSON, CUSCAR, WCO XML, Cargo-XML, KCS CSV."""
    missing = [str(f) for f in files if not f.is_file()]
    if missing:
        err.print(f"[red]error[/red] no such file: {', '.join(missing)}")
        raise typer.Exit(EXIT_USAGE)
    if fmt is not None and fmt not in READERS:
        err.print(f"[red]error[/red] unknown format {fmt!r}; use one of {', '.join(sorted(READERS))}")
        raise typer.Exit(EXIT_USAGE)
    options = ReadOptions(column_mapping=_load_mapping(mapping), sheet=sheet, lenient=lenient)
    engine = ready_engine()
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TextColumn("{task.completed:,.0f} records"),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    ) as progress:
        tasks: dict[str, TaskID] = {}

        def advance(file: str, records: int) -> None:
            if file not in tasks:
                tasks[file] = progress.add_task(file, total=None)
            progress.advance(tasks[file], records)

        report = ingest_paths(engine, files, options=options, fmt=fmt, progress=advance, keep_ids=assess)
    follow_up = None
    # Duplicates only: maybe the re-run of an ingest cut between storing and assessing.
    if assess and (report.consignment_ids or report.duplicate_ids):
        from corridor.targeting import after_ingest

        with err.status("screening and assessing the stored consignments"):
            follow_up = after_ingest(engine, report.consignment_ids, recheck=report.duplicate_ids)
    if rejections is not None:
        with Session(engine) as session:
            write_rejection_report(rejections, batch_rejections(session, report.batch_id))
    if as_json:
        print_json({**report.as_dict(), "targeting": follow_up.as_dict() if follow_up else None})
    else:
        _print_summary(report)
        if follow_up is not None:
            err.print(follow_up.line())
        if rejections is not None:
            err.print(f"rejection report written to {rejections}")
    if not report.ok:
        raise typer.Exit(EXIT_REJECTED)


@batches_app.command("list")
@handles_errors
def batches_list(
    limit: Annotated[int, typer.Option(help="how many recent batches")] = 20,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Recent ingest batches with their counts."""
    with Session(ready_engine()) as session:
        data = [batch_summary(b) for b in list_batches(session, limit)]
    if as_json:
        print_json(data)
        return
    print_table(
        "Ingest batches",
        ["id", "started", "origin", "files", "accepted", "amended", "duplicates", "rejected", "warnings"],
        [
            [
                b["id"],
                b["started_at"],
                b["origin"],
                ", ".join(b["files"])[:60],
                b["accepted"],
                b["amended"],
                b["duplicates"],
                b["rejected"],
                b["warnings"],
            ]
            for b in data
        ],
    )


@batches_app.command("rejections")
@handles_errors
def batches_rejections(
    batch_id: Annotated[int, typer.Argument(help="batch id (see `corridor batches list`)")],
    output: Annotated[str, typer.Option("--output", "-o", help="table, csv or json")] = "table",
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """The rejection report of a batch: file, location, field and reason of every rejected record."""
    with Session(ready_engine()) as session:
        items = batch_rejections(session, batch_id)
    if as_json or output == "json":
        typer.echo(rejections_json(items))
    elif output == "csv":
        typer.echo(rejections_csv(items), nl=False)
    else:
        print_table(
            f"Rejections of batch {batch_id}",
            ["file", "location", "field", "code", "reason"],
            [[r.file, r.location, r.field, r.code, r.reason] for r in items],
        )
