"""The `corridor` command: `corridor <noun> <verb>`; tables by default, one JSON document with --json."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import typer
from sqlalchemy import Engine

from corridor.accounts.cli import audit_app, offices_app, users_app
from corridor.cli_support import EXIT_USAGE, err, handles_errors, print_json, print_table
from corridor.consignments.cli import app as consignments_app
from corridor.domain.consignment import Consignment
from corridor.domain.errors import CorridorError
from corridor.exchange.cli import audit_list as exchange_audit_list
from corridor.exchange.cli import audit_verify as exchange_audit_verify
from corridor.exchange.cli import register as register_exchange
from corridor.goods.cli import app as goods_app
from corridor.ingest.cli import batches_app, ingest_command
from corridor.maritime.cli import app as maritime_app
from corridor.model.cli import model_app
from corridor.ops.cli import retention_app
from corridor.risk.cli import profiles_app, risk_app
from corridor.screening.cli import app as lists_app
from corridor.screening.cli import screen as screen_command
from corridor.seizures.cli import app as seizures_app

app = typer.Typer(
    name="corridor",
    help="Corridor: customs risk targeting and secure information exchange.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
schema_app = typer.Typer(help="Published JSON Schemas.", no_args_is_help=True)
reference_app = typer.Typer(help="Reference data look-ups: HS, countries, UN/LOCODE.", no_args_is_help=True)
demo_app = typer.Typer(help="Synthetic demo data for the Caspian corridors.", no_args_is_help=True)

app.command("ingest")(ingest_command)
app.add_typer(batches_app, name="batches")
app.add_typer(consignments_app, name="consignments")
app.add_typer(db_app, name="db")
app.add_typer(schema_app, name="schema")
app.add_typer(reference_app, name="reference")
app.add_typer(demo_app, name="demo")
app.add_typer(goods_app, name="goods")
app.add_typer(users_app, name="users")
app.add_typer(offices_app, name="offices")
app.add_typer(audit_app, name="audit")
app.add_typer(risk_app, name="risk")
app.add_typer(profiles_app, name="profiles")
app.add_typer(model_app, name="model")
app.add_typer(maritime_app, name="maritime")
app.add_typer(lists_app, name="lists")
app.command("screen")(screen_command)
app.add_typer(seizures_app, name="seizures")
app.add_typer(retention_app, name="retention")
# Exchange between nodes; `corridor audit` (accounts) also gets `verify` and `chain` for the exchange log.
register_exchange(app)
audit_app.command("verify")(exchange_audit_verify)
audit_app.command("chain")(exchange_audit_list)


@db_app.command("upgrade")
@handles_errors
def db_upgrade() -> None:
    """Apply pending migrations to the configured database."""
    from corridor.db.engine import get_engine
    from corridor.db.migrate import current_revision, upgrade

    engine = get_engine()
    upgrade(engine)
    err.print(
        f"database at revision {current_revision(engine)} ({engine.url.render_as_string(hide_password=True)})"
    )


@db_app.command("current")
@handles_errors
def db_current(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Show the schema revision of the configured database."""
    from corridor.db.engine import get_engine
    from corridor.db.migrate import current_revision
    from corridor.db.ready import head_revision

    engine = get_engine()
    data = {
        "url": engine.url.render_as_string(hide_password=True),
        "current": current_revision(engine),
        "head": head_revision(engine),
    }
    if as_json:
        print_json(data)
    else:
        print_table("Database", ["url", "current", "head"], [[data["url"], data["current"], data["head"]]])


@db_app.command("backup")
@handles_errors
def db_backup(
    file: Annotated[Path, typer.Argument(help="archive to write, e.g. corridor-2026-11-22.tar.gz")],
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Back up the database and the data directory's files (keys, photos, models) into one archive."""
    from corridor.db.backup import create_backup
    from corridor.db.engine import get_engine
    from corridor.settings import get_settings

    manifest = create_backup(get_engine(), get_settings().data_dir, file)
    database = manifest["database"]
    if as_json:
        print_json({"file": str(file), **manifest})
        return
    err.print(
        f"backup {file}: {database['kind']} at {','.join(database['revisions']) or 'no revision'}, "
        f"{sum(database['row_counts'].values())} rows, {len(manifest['members']) - 1} data files"
    )


@db_app.command("restore")
@handles_errors
def db_restore(
    file: Annotated[Path, typer.Argument(help="archive written by `corridor db backup`")],
    force: Annotated[bool, typer.Option("--force", help="replace a database that holds data")] = False,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Restore a backup (checked against its manifest first), then upgrade it to this release's schema."""
    from dataclasses import asdict

    from corridor.db.backup import restore_backup
    from corridor.db.engine import get_engine
    from corridor.settings import get_settings

    report = restore_backup(get_engine(), get_settings().data_dir, file, force=force)
    if as_json:
        print_json(asdict(report))
        return
    err.print(
        f"restored {file}: {sum(report.row_counts.values())} rows, {report.files} data files; "
        f"schema {','.join(report.revisions_before_upgrade)} -> {','.join(report.revisions)}"
    )


@schema_app.command("consignment")
def schema_consignment(
    output: Annotated[Path | None, typer.Option("--out", help="write to a file instead of stdout")] = None,
) -> None:
    """The JSON Schema of a Corridor JSON consignment."""
    from corridor.api.schemas import consignment_json_schema

    text = json.dumps(consignment_json_schema(), indent=2, ensure_ascii=False)
    if output:
        output.write_text(text + "\n", encoding="utf-8")
    else:
        typer.echo(text)


@reference_app.command("locode")
def reference_locode(
    code: Annotated[str, typer.Argument(help="UN/LOCODE, e.g. AZBAK")],
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Look up a UN/LOCODE location."""
    from corridor.reference import location

    found = location(code)
    if found is None:
        err.print(f"[red]error[/red] {code} is not a known UN/LOCODE")
        raise typer.Exit(EXIT_USAGE)
    data = {
        "locode": found.locode,
        "name": found.name,
        "country": found.country,
        "function": found.function,
        "lat": found.lat,
        "lon": found.lon,
        "seaport": found.is_seaport,
    }
    if as_json:
        print_json(data)
    else:
        print_table(None, list(data), [list(data.values())])


@reference_app.command("hs")
def reference_hs(
    code: Annotated[str, typer.Argument(help="HS code (2, 4, 6 digits or longer national code)")],
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Look up an HS 2022 code and its chapter/heading path."""
    from corridor.reference.hs import hs_entry, hs_path

    entry = hs_entry(code)
    if entry is None:
        err.print(f"[red]error[/red] {code} is not in the HS 2022 nomenclature")
        raise typer.Exit(EXIT_USAGE)
    path = [{"code": e.code, "description": e.description} for e in hs_path(entry.code)]
    if as_json:
        print_json({"code": code, "section": entry.section, "path": path})
    else:
        print_table(
            f"HS {code} (section {entry.section})",
            ["code", "description"],
            [[p["code"], p["description"]] for p in path],
        )


@reference_app.command("country")
def reference_country(
    code: Annotated[str, typer.Argument(help="ISO 3166-1 alpha-2 or alpha-3")],
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Look up a country."""
    from corridor.reference import country

    found = country(code)
    if found is None:
        err.print(f"[red]error[/red] {code} is not an ISO 3166-1 country code")
        raise typer.Exit(EXIT_USAGE)
    data = {
        "alpha2": found.alpha2,
        "alpha3": found.alpha3,
        "name": found.name,
        "name_ru": found.name_ru,
        "region": found.subregion or found.region,
        "currency": found.currency,
    }
    if as_json:
        print_json(data)
    else:
        print_table(None, list(data), [list(data.values())])


@demo_app.command("generate")
@handles_errors
def demo_generate(
    count: Annotated[int, typer.Option(min=1, help="number of consignments")] = 1000,
    seed: Annotated[int, typer.Option(help="random seed (same seed, same data)")] = 1,
    output: Annotated[Path, typer.Option("--out", help="file to write")] = Path("demo-consignments.csv"),
    fmt: Annotated[str, typer.Option("--format", help="csv, json, jsonl or cuscar")] = "csv",
    days: Annotated[int, typer.Option(help="ETA window in days around today")] = 30,
) -> None:
    """Write realistic synthetic pre-arrival data for the Caspian corridors."""
    from rich.progress import Progress

    from corridor.demo.generator import generate
    from corridor.demo.writers import write_file

    if fmt not in ("csv", "json", "jsonl", "cuscar"):
        err.print(f"[red]error[/red] unknown format {fmt!r}; use csv, json, jsonl or cuscar")
        raise typer.Exit(EXIT_USAGE)
    with Progress(console=err, transient=True) as progress:
        task = progress.add_task(f"generating {output.name}", total=count)

        def counted() -> Iterator[Consignment]:
            for i, item in enumerate(generate(count, seed, days=days), start=1):
                if i % 1000 == 0:
                    progress.update(task, completed=i)
                yield item

        written = write_file(counted(), output, fmt)
    err.print(f"wrote {written:,} consignments to {output} ({fmt})")


@demo_app.command("setup")
@handles_errors
def demo_setup(
    count: Annotated[int, typer.Option(min=1, help="number of consignments")] = 5000,
    seed: Annotated[int, typer.Option(help="random seed")] = 1,
) -> None:
    """Create the demo database: generated consignments ingested into the configured database."""
    from corridor.db.ready import ready_engine
    from corridor.demo.generator import generate
    from corridor.demo.writers import write_file
    from corridor.ingest.service import ingest_paths
    from corridor.settings import get_settings

    settings = get_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    # Regenerated on every set-up so that the queue always has today's and upcoming arrivals.
    # JSON Lines carries everything the generator knows, including past inspection outcomes (the
    # model learns from them) and the planted-scenario markers; the CSV layout has no place for them.
    path = settings.data_dir / f"demo-{count}-{seed}.jsonl"
    write_file(generate(count, seed), path, "jsonl")
    engine = ready_engine()
    report = ingest_paths(engine, [path], origin="demo")
    err.print(
        f"demo data: {report.total('accepted')} new, {report.total('duplicates')} already loaded, "
        f"{report.total('rejected')} rejected → {settings.effective_database_url}"
    )
    from corridor.seizures.demo import load as load_demo_seizures

    err.print(f"demo seizures (a year along the corridors): {load_demo_seizures(engine, seed)}")
    _demo_watchlists(engine)
    _demo_model(engine)
    _demo_maritime(engine)
    from corridor.risk.service import assess_pending

    # The queue ranks by the risk engine's assessments: score every stored consignment not yet assessed.
    assessed = sum(len(r.consignment_ids) for r in assess_pending(engine))
    err.print(f"risk assessments: {assessed} consignments assessed")
    from corridor.accounts.demo import DEMO_ACCOUNTS, create_demo_accounts

    created = create_demo_accounts(engine)
    err.print(f"demo accounts: {len(created)} created, {len(DEMO_ACCOUNTS) - len(created)} already there")
    for account in DEMO_ACCOUNTS:
        offices = (
            (", ".join(account.offices) or "all offices of the agency")
            if account.role != "administrator"
            else "all"
        )
        err.print(f"  {account.username:<11} {account.password:<20} {account.role} ({offices})")


def _demo_maritime(engine: Engine) -> None:
    """A synthetic Caspian day (AIS, radar, planted events) for the maritime picture, once."""
    from sqlalchemy import func, select
    from sqlalchemy.orm import Session

    from corridor.maritime import scenario as sc
    from corridor.maritime.demo import load_scenario
    from corridor.maritime.events import KINDS
    from corridor.maritime.models import PositionRow
    from corridor.maritime.service import run_detection

    with Session(engine) as session:
        if session.scalar(select(func.count()).select_from(PositionRow)):
            err.print("maritime picture: positions already loaded")
            return
    generated = sc.generate(7)
    loaded = load_scenario(engine, generated)
    result = run_detection(engine, since=None, until=None, config=None, kinds=KINDS)
    err.print(
        f"maritime picture: {loaded['positions']:,} AIS positions, {loaded['radar_plots']:,} radar plots, "
        f"{len(result.events)} events detected"
    )


def _demo_model(engine: Engine) -> None:
    """Train the targeting model on the demo's past consignments with known outcomes, once."""
    from corridor.model.service import list_models, train_from_store
    from corridor.model.train import TrainConfig

    if list_models(engine):
        err.print("targeting model: already trained")
        return
    try:
        summary = train_from_store(engine, TrainConfig(), activate=True)
    except CorridorError as error:
        err.print(f"targeting model: not trained ({error.detail})")
        return
    err.print(f"targeting model: {summary.get('version')} trained on the demo history and activated")


def _demo_watchlists(engine: Engine) -> None:
    """Import the public sanctions lists from the shared reference data, if it is there, and screen."""
    import os

    from corridor.screening.consignments import screen_pending
    from corridor.screening.service import import_list

    shared = Path(os.environ.get("CORRIDOR_SHARED_DATA", Path.cwd().parent / "shared" / "data")) / "sanctions"
    files = [
        (shared / "ofac_sdn_2024-05-03.csv", "ofac-sdn", "OFAC SDN (2024-05-03)"),
        (shared / "un_sc_consolidated_list_2024-09-26.xml", "un-sc", "UN Security Council (2024-09-26)"),
    ]
    present = [f for f in files if f[0].is_file()]
    if not present:
        err.print(f"watch lists: none imported ({shared} not found; use `corridor lists import FILE`)")
        return
    for path, code, name in present:
        report = import_list(engine, path, code=code, name=name, mode="upsert")
        err.print(
            f"watch list {code}: version {report.version} (+{len(report.added)} ~{len(report.changed)} "
            f"-{len(report.removed)}, {report.unchanged} unchanged)"
        )
    screened = screen_pending(engine)
    err.print(f"screening: {screened.consignments} consignments, {screened.open_hits} open hits")


@app.command("serve")
def serve(
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port")] = 8000,
    reload: Annotated[bool, typer.Option(help="reload on code changes (development)")] = False,
    ssl_certfile: Annotated[
        Path | None, typer.Option(help="serve HTTPS with this certificate (see `corridor node tls-cert`)")
    ] = None,
    ssl_keyfile: Annotated[Path | None, typer.Option(help="private key of the HTTPS certificate")] = None,
    uvicorn_access_log: Annotated[
        bool, typer.Option(help="also write uvicorn's own access lines (corridor.access has more fields)")
    ] = False,
    workers: Annotated[
        int | None,
        typer.Option(
            min=1, max=64, help="worker processes (default CORRIDOR_WORKERS, 1); background work runs in one"
        ),
    ] = None,
) -> None:
    """Serve the API and the workbench."""
    import logging
    import os

    import uvicorn

    from corridor.db.ready import ready_engine
    from corridor.ops.logs import configure_logging
    from corridor.settings import get_settings

    settings = get_settings()
    count = workers if workers is not None else settings.workers
    if reload and count > 1:
        err.print("[red]error[/red] --reload and --workers are exclusive: reload runs one process")
        raise typer.Exit(EXIT_USAGE)
    # The workers read their settings from the environment: they learn how many they are (rate
    # limits are divided among them; background jobs take a leader lock when there are several).
    os.environ["CORRIDOR_WORKERS"] = str(count)
    get_settings.cache_clear()
    settings = get_settings()
    # Configured before the first migration or log line, so that everything the server prints is
    # in one format (CORRIDOR_LOG_FORMAT) and passes the secret redaction filter.
    log_config = configure_logging(
        settings.effective_log_format, settings.log_level, uvicorn_access=uvicorn_access_log
    )
    ready_engine()
    if (ssl_certfile is None) != (ssl_keyfile is None):
        err.print("[red]error[/red] HTTPS needs both --ssl-certfile and --ssl-keyfile")
        raise typer.Exit(EXIT_USAGE)
    for path in (ssl_certfile, ssl_keyfile):
        if path is not None and not path.is_file():
            err.print(f"[red]error[/red] no such file: {path}")
            raise typer.Exit(EXIT_USAGE)
    key_password: str | None = None
    if ssl_certfile is not None and ssl_keyfile is not None:
        from corridor.domain.errors import CorridorError
        from corridor.exchange.identity import tls_key_password

        try:
            key_password = tls_key_password(ssl_certfile, ssl_keyfile)
        except CorridorError as error:
            err.print(f"[red]error[/red] {error.detail}")
            raise typer.Exit(EXIT_USAGE) from None
    scheme = "https" if ssl_certfile else "http"
    logging.getLogger("corridor").info(
        "Corridor on %s://%s:%s  (API docs at /docs, %d worker%s)",
        scheme,
        host,
        port,
        count,
        "" if count == 1 else "s",
        extra={"url": f"{scheme}://{host}:{port}"},
    )
    options: dict[str, Any] = {
        "factory": True,
        "host": host,
        "port": port,
        "log_config": log_config,
        "log_level": settings.log_level,
        "access_log": uvicorn_access_log,
        "ssl_certfile": str(ssl_certfile) if ssl_certfile else None,
        "ssl_keyfile": str(ssl_keyfile) if ssl_keyfile else None,
        # Never None for an encrypted key: OpenSSL would ask for it on the terminal (tls_key_password).
        "ssl_keyfile_password": key_password,
    }
    if count > 1:
        from corridor.ops.workers import run_workers

        # Not uvicorn.run(workers=N): its workers share one socket and one of them takes every
        # keep-alive connection (corridor.ops.workers).
        run_workers(uvicorn.Config("corridor.api.app:create_app", workers=count, **options))
        return
    uvicorn.run("corridor.api.app:create_app", reload=reload, **options)


def main() -> None:
    from corridor.ops.logs import protect_last_resort

    # Commands other than `serve` configure no logging; their warnings still pass the secret filter.
    protect_last_resort()
    app()
