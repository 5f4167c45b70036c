"""`corridor retention purge`: personal data older than N years, pseudonymised or removed."""

from __future__ import annotations

from typing import Annotated

import typer

from corridor.cli_support import EXIT_USAGE, err, handles_errors, print_json, print_table

retention_app = typer.Typer(
    help="Data retention: purge personal data older than N years.", no_args_is_help=True
)


@retention_app.command("purge")
@handles_errors
def retention_purge(
    years: Annotated[
        int | None,
        typer.Option(min=1, max=100, help="retention in years (default: CORRIDOR_RETENTION_YEARS)"),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="count what would change; change nothing")
    ] = False,
    full: Annotated[
        bool,
        typer.Option("--full", help="read every old record again, not only those new since the last run"),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Pseudonymise persons and remove personal details older than N years (docs/operations.md)."""
    from corridor.db.ready import ready_engine
    from corridor.ops.retention import purge
    from corridor.settings import get_settings

    settings = get_settings()
    chosen = years if years is not None else settings.retention_years
    if chosen is None:
        err.print("[red]error[/red] give --years N or set CORRIDOR_RETENTION_YEARS")
        raise typer.Exit(EXIT_USAGE)
    report = purge(ready_engine(), chosen, secret=settings.secret_key, dry_run=dry_run, full=full)
    if as_json:
        print_json(report.as_dict())
        return
    title = f"Retention {chosen} years: before {report.cutoff:%Y-%m-%d}" + (" (dry run)" if dry_run else "")
    print_table(title, ["what", "records"], [[k, v] for k, v in sorted(report.counts.items())])
    verb = "would change" if dry_run else "changed"
    err.print(f"{report.total} records {verb}; review_watch_entries are counted, never purged automatically")
