"""`corridor risk assess|select|backtest|indicators|fields` and `corridor profiles ...`."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from corridor.cli_support import EXIT_REJECTED, err, handles_errors, print_json, print_table

risk_app = typer.Typer(
    help="Risk assessment: assess, select within capacity, back-test.", no_args_is_help=True
)
profiles_app = typer.Typer(
    help="Risk profiles and shared lists: validate, test, import, export.", no_args_is_help=True
)

JsonOpt = Annotated[bool, typer.Option("--json", help="one JSON document on stdout")]


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list):
        return "[" + ",".join(_fmt(v) for v in value) + "]"
    return str(value)


def explain(hit: dict[str, Any]) -> str:
    """One line per hit: profile, version, weight and the evidence values."""
    ev = hit.get("evidence") or {}
    parts = [f"{k}={_fmt(v)}" for k, v in (ev.get("fields") or {}).items()]
    for item in ev.get("goods") or []:
        seq = item.get("goods.sequence")
        inner = ", ".join(f"{k}={_fmt(v)}" for k, v in item.items() if k != "goods.sequence")
        parts.append(f"goods[{seq}]: {inner}")
    lane = f" lane={hit['lane']}" if hit.get("lane") else ""
    return f"{hit['rule_id']} v{hit['version']} w={hit['weight']:g}{lane}: {hit['title']} — " + "; ".join(
        parts
    )


def _print_assessments(
    items: list[dict[str, Any]], as_json: bool, extra: dict[str, Any] | None = None
) -> None:
    if as_json:
        print_json({**(extra or {}), "count": len(items), "items": items})
        return
    rows = [
        [
            i["document_number"],
            i["office"],
            f"{i['score']:.1f}",
            i["lane"],
            "\n".join(explain(h) for h in i["hits"]) or "-",
        ]
        for i in items
    ]
    print_table("Assessments", ["document", "office", "score", "lane", "hits (evidence)"], rows)


@risk_app.command("assess")
@handles_errors
def assess_command(
    files: Annotated[
        list[Path] | None, typer.Argument(help="data files to assess without storing them")
    ] = None,
    as_json: JsonOpt = False,
    limit: Annotated[
        int | None, typer.Option(min=1, help="assess at most this many stored consignments")
    ] = None,
) -> None:
    """Assess the stored consignments not yet assessed (new or amended) against the active profiles,
    or the consignments of FILES; print score, lane and every hit with its evidence."""
    from corridor.db.ready import ready_engine
    from corridor.domain.errors import InvalidInput
    from corridor.risk import service

    engine = ready_engine()
    if files:
        consignments, rejected = service.read_consignments(files)
        if not consignments:
            raise InvalidInput("no consignments could be read", where=str(files[0]))
        result = service.assess_documents(engine, consignments)
        _print_assessments(result.items(), as_json, {"rejected_records": rejected})
        if rejected:
            raise typer.Exit(EXIT_REJECTED)
        return
    if service.ensure_starter(engine):
        err.print("no profiles were stored: the starter library was imported")
    results = service.assess_pending(engine, limit=limit)
    items = [i for r in results for i in r.items()]
    if not as_json and not items:
        err.print("nothing to assess: every stored consignment has a current assessment")
    _print_assessments(items, as_json)


@risk_app.command("select")
@handles_errors
def select_command(
    day: Annotated[
        str | None, typer.Option("--date", help="day of arrival, YYYY-MM-DD (default today, UTC)")
    ] = None,
    office: Annotated[str | None, typer.Option(help="customs office (default: all)")] = None,
    policy: Annotated[
        Path | None, typer.Option(help="selection policy YAML (default: data dir risk-policy.yaml)")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Select consignments for inspection within the capacity of each office and day."""
    from corridor.db.ready import ready_engine
    from corridor.domain.errors import InvalidInput
    from corridor.risk import service

    try:
        when = date.fromisoformat(day) if day else datetime.now(UTC).date()
    except ValueError:
        raise InvalidInput(f"--date must be YYYY-MM-DD, not {day!r}", where="--date") from None
    items, report = service.select_day(ready_engine(), when, office, service.current_policy(policy))
    if as_json:
        print_json({"date": when.isoformat(), "office": office, "capacity": report, "items": items})
        return
    print_table(
        "Capacity",
        [
            "office",
            "day",
            "capacity",
            "consignments",
            "selected",
            "mandatory",
            "risk",
            "exploration",
            "over capacity",
        ],
        [
            [
                r["office"],
                r["day"],
                r["capacity"] if r["capacity"] is not None else "unlimited",
                r["consignments"],
                r["selected"],
                r["mandatory"],
                r["risk"],
                r["exploration"],
                r["over_capacity"],
            ]
            for r in report
        ],
    )
    print_table(
        f"Queue {when.isoformat()}",
        ["document", "office", "score", "lane", "selected", "why"],
        [
            [
                i["document_number"],
                i["office"],
                f"{i['score']:.1f}",
                i["lane"],
                "yes" if i["selected"] else "",
                i["reason"] or "",
            ]
            for i in items
        ],
    )


@risk_app.command("backtest")
@handles_errors
def backtest_command(
    data: Annotated[
        list[Path] | None, typer.Option("--data", help="data file(s) with known outcomes")
    ] = None,
    profiles: Annotated[
        list[Path] | None,
        typer.Option(
            "--profiles",
            help="profile files or directories (default: starter library, or the stored profiles with --from/--to)",
        ),
    ] = None,
    against: Annotated[
        list[Path] | None, typer.Option("--against", help="a second profile set to compare with")
    ] = None,
    history: Annotated[
        list[Path] | None,
        typer.Option("--history", help="earlier data for first-seen and unit-value history"),
    ] = None,
    start: Annotated[
        str | None, typer.Option("--from", help="stored consignments from this day (YYYY-MM-DD)")
    ] = None,
    end: Annotated[
        str | None, typer.Option("--to", help="stored consignments to this day (YYYY-MM-DD)")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Run a profile set over data with known inspection outcomes: hits, inspections, positives,
    hit rate and lift per profile; with --against, two sets side by side."""
    from corridor.domain.errors import InvalidInput
    from corridor.risk import service

    if data:
        out = service.backtest_paths(data, profiles, history=history or (), against=against)
    elif start and end:
        from corridor.db.ready import ready_engine

        try:
            d0, d1 = date.fromisoformat(start), date.fromisoformat(end)
        except ValueError:
            raise InvalidInput("--from and --to must be YYYY-MM-DD", where="--from") from None
        out = service.backtest_stored(ready_engine(), d0, d1, profiles, against)
    else:
        raise InvalidInput("give --data FILE, or --from and --to for stored consignments", where="--data")
    if as_json:
        print_json(out)
        return
    reports = [out["a"], out["b"]] if "comparison" in out else [out]
    for rep in reports:
        err.print(
            f"[bold]{rep['name']}[/bold]: {rep['consignments']:,} consignments, {rep['inspected']:,} inspected, "
            f"{rep['positives']:,} positive (base rate {_fmt(rep['base_rate'])})"
        )
    if "comparison" in out:
        cmp = out["comparison"]
        rows = []
        for r in cmp["profiles"]:
            a, b = r["a"] or {}, r["b"] or {}
            rows.append(
                [
                    r["profile_id"],
                    a.get("hits", ""),
                    a.get("positives", ""),
                    _fmt(a.get("hit_rate")),
                    _fmt(a.get("lift")),
                    b.get("hits", ""),
                    b.get("positives", ""),
                    _fmt(b.get("hit_rate")),
                    _fmt(b.get("lift")),
                ]
            )
        for label, key in (("(red lane)", "red"), ("(any hit)", "any_hit")):
            a, b = cmp["overall"]["a"][key], cmp["overall"]["b"][key]
            rows.append(
                [
                    label,
                    a["hits"],
                    a["positives"],
                    _fmt(a["hit_rate"]),
                    _fmt(a["lift"]),
                    b["hits"],
                    b["positives"],
                    _fmt(b["hit_rate"]),
                    _fmt(b["lift"]),
                ]
            )
        print_table(
            "Back-test: A vs B",
            ["profile", "A hits", "A pos", "A rate", "A lift", "B hits", "B pos", "B rate", "B lift"],
            rows,
        )
        return
    rows = [
        [
            p["profile_id"],
            p["version"],
            p["hits"],
            p["inspections"],
            p["positives"],
            _fmt(p["hit_rate"]),
            _fmt(p["lift"]),
            _fmt(p["recall"]),
        ]
        for p in out["profiles"]
    ]
    for label, key in (("(red lane)", "red"), ("(any hit)", "any_hit")):
        o = out["overall"][key]
        rows.append(
            [
                label,
                "",
                o["hits"],
                o["inspections"],
                o["positives"],
                _fmt(o["hit_rate"]),
                _fmt(o["lift"]),
                _fmt(o["recall"]),
            ]
        )
    print_table(
        "Back-test",
        ["profile", "version", "hits", "inspections", "positives", "hit rate", "lift", "recall"],
        rows,
    )


@risk_app.command("indicators")
def indicators_command(as_json: JsonOpt = False) -> None:
    """The indicator library: what each computes and the fields it gives profiles."""
    from corridor.risk.indicators import INDICATORS

    data = [i.as_dict() for i in INDICATORS]
    if as_json:
        print_json(data)
        return
    print_table(
        "Indicators",
        ["indicator", "fields", "doc"],
        [[i.name, "\n".join(f.name for f in i.fields), i.doc] for i in INDICATORS],
    )


@risk_app.command("fields")
def fields_command(as_json: JsonOpt = False) -> None:
    """Every field a profile can test, with its level, kind and meaning."""
    from corridor.risk.language import OPS_BY_KIND, catalogue

    specs = list(catalogue().values())
    if as_json:
        print_json(
            {
                "fields": [s.as_dict() for s in specs],
                "operators": {k: sorted(v) for k, v in OPS_BY_KIND.items()},
            }
        )
        return
    print_table(
        "Fields", ["field", "level", "kind", "doc"], [[s.name, s.level, s.kind, s.doc] for s in specs]
    )


# ---------------------------------------------------------------- profiles


def _report_profile_error(error: Exception) -> None:
    from rich.markup import escape

    from corridor.risk.language import ProfileError

    if isinstance(error, ProfileError):
        for issue in error.issues:
            err.print(f"[red]error[/red] {escape(str(issue))}", soft_wrap=True, highlight=False)
        raise typer.Exit(EXIT_REJECTED)
    raise error


@profiles_app.command("validate")
@handles_errors
def validate_command(
    paths: Annotated[list[Path], typer.Argument(help="profile files or directories")],
    as_json: JsonOpt = False,
) -> None:
    """Check profile and list files; every mistake is reported with its file, line and field."""
    from corridor.risk.language import ProfileError
    from corridor.risk.library import load_profiles

    try:
        profiles, _lists = load_profiles(paths)
    except ProfileError as error:
        if as_json:
            print_json({"valid": False, "issues": [i.as_dict() for i in error.issues]})
            raise typer.Exit(EXIT_REJECTED) from None
        _report_profile_error(error)
        return
    if as_json:
        print_json(
            {
                "valid": True,
                "profiles": [{"id": p.id, "status": p.doc.status, "source": p.source} for p in profiles],
            }
        )
        return
    print_table(
        "Valid profiles",
        ["id", "title", "weight", "lane", "status", "file"],
        [
            [p.id, p.doc.title, p.doc.weight, p.doc.lane.value if p.doc.lane else "", p.doc.status, p.source]
            for p in profiles
        ],
    )


@profiles_app.command("test")
@handles_errors
def test_command(
    profile: Annotated[Path, typer.Argument(help="profile file (or directory) to try")],
    on: Annotated[list[Path], typer.Option("--on", help="data file(s) to run it on")],
    history: Annotated[
        list[Path] | None, typer.Option("--history", help="earlier data for history indicators")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Show which consignments of a file a profile hits, and why (the evidence values)."""
    from corridor.domain.errors import InvalidInput
    from corridor.risk.engine import RiskContext, assess
    from corridor.risk.flatten import flatten
    from corridor.risk.history import History
    from corridor.risk.language import ProfileError
    from corridor.risk.library import load_profiles
    from corridor.risk.service import read_consignments

    try:
        profiles, lists = load_profiles([profile])
    except ProfileError as error:
        _report_profile_error(error)
        return
    consignments, rejected = read_consignments(on)
    if not consignments:
        raise InvalidInput("no consignments could be read", where=str(on[0]))
    past = History.from_frames(flatten(read_consignments(history)[0])) if history else None
    batch = assess(consignments, RiskContext.build(profiles, lists), past)
    hit_rows = []
    for a, row in zip(batch.assessments(), batch.frame.iter_rows(named=True), strict=True):
        if a.hits:
            hit_rows.append(
                {
                    "document_number": row["document_number"],
                    "consignment_key": a.consignment_key,
                    "score": a.score,
                    "lane": a.lane.value,
                    "hits": [h.model_dump(mode="json") for h in a.hits],
                }
            )
    summary = {
        "profiles": [p.id for p in profiles],
        "consignments": len(consignments),
        "hit": len(hit_rows),
        "rejected_records": rejected,
    }
    if as_json:
        print_json({**summary, "items": hit_rows})
        return
    err.print(
        f"{len(hit_rows):,} of {len(consignments):,} consignments hit by {', '.join(p.id for p in profiles)}"
    )
    print_table(
        "Hits",
        ["document", "score", "lane", "why"],
        [
            [h["document_number"], f"{h['score']:.1f}", h["lane"], "\n".join(explain(x) for x in h["hits"])]
            for h in hit_rows
        ],
    )


@profiles_app.command("import")
@handles_errors
def import_command(
    paths: Annotated[
        list[Path] | None, typer.Argument(help="files or directories (none: the starter library)")
    ] = None,
    author: Annotated[
        str | None, typer.Option(help="who made this change (kept with each new version)")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Store profiles and lists; a changed profile becomes a new version, an unchanged one is a no-op."""
    from corridor.db.ready import ready_engine
    from corridor.risk import service
    from corridor.risk.language import ProfileError

    try:
        report = service.import_paths(ready_engine(), paths or None, author)
    except ProfileError as error:
        _report_profile_error(error)
        return
    data = report.as_dict()
    if as_json:
        print_json(data)
        return
    print_table(
        "Imported",
        ["what", "outcome", "count", "ids"],
        [
            [what, outcome, len(ids), ", ".join(ids)]
            for what, by in data.items()
            for outcome, ids in by.items()
        ],
    )


@profiles_app.command("list")
@handles_errors
def list_command(
    status: Annotated[str | None, typer.Option(help="draft, active or retired")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Stored profiles with their current version."""
    from corridor.db.engine import unit_of_work
    from corridor.db.ready import ready_engine
    from corridor.risk import service

    with unit_of_work(ready_engine()) as session:
        items = service.list_profiles(session, status)
    if as_json:
        print_json(items)
        return
    print_table(
        "Profiles",
        ["id", "version", "status", "weight", "lane", "threat", "title"],
        [
            [p["id"], p["version"], p["status"], p["weight"], p["lane"] or "", p["threat"] or "", p["title"]]
            for p in items
        ],
    )


@profiles_app.command("show")
@handles_errors
def show_command(profile_id: Annotated[str, typer.Argument()], as_json: JsonOpt = False) -> None:
    """A profile with its version history."""
    from corridor.db.engine import unit_of_work
    from corridor.db.ready import ready_engine
    from corridor.risk import service
    from corridor.risk.library import dump_document

    with unit_of_work(ready_engine()) as session:
        detail = service.profile_detail(session, profile_id)
    if as_json:
        print_json(detail)
        return
    typer.echo(dump_document(detail["document"]))
    print_table(
        "Versions",
        ["version", "status", "author", "source", "created"],
        [
            [v["version"], v["status"], v["author"] or "", v["source"] or "", v["created_at"]]
            for v in detail["versions"]
        ],
    )


def _set_status(profile_id: str, status: str, author: str | None) -> None:
    from corridor.db.ready import ready_engine
    from corridor.risk import service

    version = service.set_status(ready_engine(), profile_id, status, author)
    err.print(f"{profile_id} is {status} (version {version})")


@profiles_app.command("activate")
@handles_errors
def activate_command(profile_id: str, author: Annotated[str | None, typer.Option()] = None) -> None:
    """Make a profile active (a new version)."""
    _set_status(profile_id, "active", author)


@profiles_app.command("retire")
@handles_errors
def retire_command(profile_id: str, author: Annotated[str | None, typer.Option()] = None) -> None:
    """Retire a profile (a new version); it stays in the history."""
    _set_status(profile_id, "retired", author)


@profiles_app.command("export")
@handles_errors
def export_command(
    directory: Annotated[Path, typer.Argument(help="directory to write YAML files to")],
) -> None:
    """Write the current version of every profile, and the stored lists, as YAML files."""
    from corridor.db.ready import ready_engine
    from corridor.risk import service

    written = service.export_profiles(ready_engine(), directory)
    err.print(f"wrote {len(written)} files to {directory}")


@profiles_app.command("lists")
@handles_errors
def lists_command(as_json: JsonOpt = False) -> None:
    """Shared named lists: packaged (version 0) and stored."""
    from corridor.db.engine import unit_of_work
    from corridor.db.ready import ready_engine
    from corridor.risk import service

    with unit_of_work(ready_engine()) as session:
        lists = service.all_lists(session)
    if as_json:
        print_json([lst.as_dict() for lst in lists.values()])
        return
    print_table(
        "Lists",
        ["name", "kind", "version", "items", "title"],
        [[n, lst.kind, lst.version, len(lst.items), lst.title] for n, lst in sorted(lists.items())],
    )
