"""`corridor lists import|update|show|decide` and `corridor screen`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from corridor.cli_support import EXIT_REJECTED, EXIT_USAGE, err, handles_errors, print_json, print_table
from corridor.db.engine import unit_of_work
from corridor.db.ready import ready_engine
from corridor.screening.entries import SCHEMAS
from corridor.screening.identifiers import identifier
from corridor.screening.matcher import DEFAULT_THRESHOLD, Query

app = typer.Typer(help="Watch lists: import, update, show; analysts' decisions.", no_args_is_help=True)


def _print_import(report: dict[str, Any], as_json: bool) -> None:
    if as_json:
        print_json(report)
        return
    print_table(
        f"List {report['list']} version {report['version']} ({report['format']}, {report['source']})",
        ["added", "changed", "removed", "unchanged", "skipped", "problems"],
        [
            [
                report["added"],
                report["changed"],
                report["removed"],
                report["unchanged"],
                report["skipped"],
                len(report["problems"]),
            ]
        ],
    )
    for problem in report["problems"][:20]:
        err.print(f"[yellow]problem[/yellow] {problem['position']}: {problem['reason']}")
    if len(report["problems"]) > 20:
        err.print(f"... and {len(report['problems']) - 20} more (use --json)")


def _load(path: Path, code: str | None, name: str | None, fmt: str | None, mode: str, as_json: bool) -> None:
    from corridor.screening.service import import_list

    report = import_list(ready_engine(), path, code=code, name=name, fmt=fmt, mode=mode)
    _print_import(report.as_dict(), as_json)
    if not report.ok:
        raise typer.Exit(EXIT_REJECTED)


@app.command("import")
@handles_errors
def import_command(
    path: Annotated[
        Path, typer.Argument(help="OFAC sdn.csv, UN consolidated XML, FtM .jsonl or national CSV")
    ],
    code: Annotated[str | None, typer.Option("--list", help="list code (default from the format)")] = None,
    name: Annotated[str | None, typer.Option(help="display name of the list")] = None,
    fmt: Annotated[
        str | None, typer.Option("--format", help="ofac-sdn, un-sc, ftm or csv (default: detect)")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Import a new watch list (version 1). Bad entries are reported with their position; exit 1."""
    _load(path, code, name, fmt, "import", as_json)


@app.command("update")
@handles_errors
def update_command(
    path: Annotated[Path, typer.Argument(help="a newer file of the same list")],
    code: Annotated[str | None, typer.Option("--list", help="list code (default from the format)")] = None,
    fmt: Annotated[
        str | None, typer.Option("--format", help="ofac-sdn, un-sc, ftm or csv (default: detect)")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Load a newer file of a list: reports entries added, changed and removed; bumps the version."""
    _load(path, code, None, fmt, "update", as_json)


@app.command("show")
@handles_errors
def show_command(
    code: Annotated[str | None, typer.Argument(help="a list code: show its versions")] = None,
    entry: Annotated[str | None, typer.Option(help="an entry key of that list: show the entry")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """The lists in force; with a code, its version history; with --entry, one entry."""
    from corridor.screening.service import get_entry, list_lists, list_versions

    with unit_of_work(ready_engine()) as session:
        if code and entry:
            row = get_entry(session, code, entry)
            data = {
                "list": code,
                "key": row.key,
                "schema": row.schema,
                "caption": row.caption,
                "first_version": row.first_version,
                "changed_version": row.changed_version,
                "removed_version": row.removed_version,
                **row.data,
            }
            if as_json:
                print_json(data)
            else:
                print_table(None, ["field", "value"], [[k, v] for k, v in data.items()])
            return
        if code:
            versions = [
                {
                    "version": v.version,
                    "imported_at": v.imported_at.isoformat(),
                    "source": v.source,
                    "added": v.added,
                    "changed": v.changed,
                    "removed": v.removed,
                    "unchanged": v.unchanged,
                    "problems": len(v.problems),
                }
                for v in list_versions(session, code)
            ]
            if as_json:
                print_json({"list": code, "versions": versions})
            else:
                print_table(
                    f"List {code}",
                    list(versions[0]) if versions else ["version"],
                    [list(v.values()) for v in versions],
                )
            return
        lists = [
            {
                "list": r.code,
                "name": r.name,
                "format": r.format,
                "version": r.version,
                "entries": r.entry_count,
                "source": r.source,
                "updated_at": r.updated_at.isoformat(),
            }
            for r in list_lists(session)
        ]
    if as_json:
        print_json(lists)
    else:
        print_table(
            "Watch lists",
            ["list", "name", "format", "version", "entries", "source", "updated_at"],
            [list(x.values()) for x in lists],
        )


@app.command("decide")
@handles_errors
def decide_command(
    subject: Annotated[str, typer.Argument(help="the screened name, as screened")],
    code: Annotated[str, typer.Option("--list", help="list code of the entry")],
    entry: Annotated[str, typer.Option(help="entry key in that list")],
    false_positive: Annotated[
        bool, typer.Option("--false-positive/--true-match", help="the decision")
    ] = True,
    note: Annotated[str | None, typer.Option(help="why")] = None,
    by: Annotated[str | None, typer.Option(help="who decided")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Remember a decision on a (name, entry) pair; a false positive stays cleared until the entry changes."""
    from corridor.screening.service import record_decision

    result = record_decision(
        ready_engine(),
        subject=subject,
        list_code=code,
        entry_key=entry,
        decision="false_positive" if false_positive else "true_match",
        note=note,
        decided_by=by,
    )
    if as_json:
        print_json(result)
    else:
        err.print(f"{result['decision']}: {subject!r} vs {code}/{entry} ({result['subject_key']})")


def _contributions(match: dict[str, Any]) -> str:
    return ", ".join(f"{f['feature']} {f['contribution']:+.2f}" for f in match["explanation"]["features"])


def screen_command(
    name: Annotated[str | None, typer.Argument(help="name to screen")] = None,
    country: Annotated[
        list[str] | None, typer.Option("--country", help="ISO country code (repeatable)")
    ] = None,
    schema: Annotated[
        str | None, typer.Option("--type", help="person, organization, vessel or aircraft")
    ] = None,
    birth_year: Annotated[int | None, typer.Option("--birth-year")] = None,
    imo: Annotated[str | None, typer.Option(help="IMO number of a vessel")] = None,
    threshold: Annotated[float, typer.Option(min=0.0, max=1.0)] = DEFAULT_THRESHOLD,
    limit: Annotated[int, typer.Option(min=1, max=100)] = 10,
    consignments: Annotated[
        bool,
        typer.Option(
            "--consignments", help="screen stored consignments not yet screened against the lists in force"
        ),
    ] = False,
    batch_limit: Annotated[
        int | None, typer.Option("--max", help="with --consignments: at most this many")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Screen a name against every watch list (ranked matches, score, threshold, explanation)."""
    engine = ready_engine()
    if consignments:
        from corridor.screening.consignments import screen_pending

        report = screen_pending(engine, limit=batch_limit, threshold=threshold).as_dict()
        if as_json:
            print_json(report)
        else:
            print_table("Consignment screening", list(report), [list(report.values())])
        return
    if not name:
        err.print("[red]error[/red] give a NAME to screen, or --consignments")
        raise typer.Exit(EXIT_USAGE)
    if schema is not None and schema not in SCHEMAS:
        err.print(f"[red]error[/red] --type must be one of {', '.join(SCHEMAS)}")
        raise typer.Exit(EXIT_USAGE)
    from corridor.screening.service import screen_queries

    ids = tuple(p for p in [identifier("imo", imo)] if p) if imo else ()
    query = Query(
        name=name,
        schema=schema,
        countries=frozenset(c.upper() for c in country or []),
        birth_years=frozenset({birth_year}) if birth_year else frozenset(),
        identifiers=ids,
    )
    outcome = screen_queries(engine, [query], threshold=threshold, limit=limit)[0]
    matches = outcome.match_dicts()
    if as_json:
        print_json(
            {
                "query": name,
                "subject_key": outcome.subject_key,
                "threshold": threshold,
                "candidates_scored": outcome.screening.stats.candidates_scored,
                "matches": matches,
            }
        )
        return
    print_table(
        f"Screening {name!r} (threshold {threshold:.2f})",
        ["score", "pass", "list", "entry", "caption", "matched name", "why"],
        [
            [
                f"{m['score']:.3f}",
                ("cleared" if m["suppressed"] else "yes") if m["passed"] else "no",
                m["list"],
                m["entry_key"],
                m["caption"][:40],
                m["explanation"]["matched_name"][:40],
                _contributions(m),
            ]
            for m in matches
        ],
    )
    for m in matches[:3]:
        name_feature = m["explanation"]["features"][0]
        err.print(f"  {m['list']}/{m['entry_key']}: {name_feature['detail']}")


screen = handles_errors(screen_command)
