"""`corridor model train|evaluate|simulate|activate|rollback|list|show|explain`."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer

from corridor.cli_support import EXIT_USAGE, err, handles_errors, print_json, print_table

model_app = typer.Typer(
    help="Learning targeting model: train, evaluate, simulate, registry.", no_args_is_help=True
)

JsonOpt = Annotated[bool, typer.Option("--json", help="one JSON document on stdout")]
LabelOpt = Annotated[str, typer.Option(help="label to learn: fraud or critical")]


def default_data_dir() -> Path:
    """The shared KCS dataset: CORRIDOR_SHARED_DATA, else ../shared/data next to the checkout."""
    import os

    base = os.environ.get("CORRIDOR_SHARED_DATA")
    if base:
        return Path(base) / "customs-declarations"
    here = Path.cwd()
    for root in (here, *here.parents):
        candidate = root / "shared" / "data" / "customs-declarations"
        if candidate.is_dir():
            return candidate
    return Path("../shared/data/customs-declarations")


def _label(label: str) -> str:
    if label not in ("fraud", "critical"):
        err.print(f"[red]error[/red] unknown label {label!r}; use fraud or critical")
        raise typer.Exit(EXIT_USAGE)
    return label


def _shares(values: dict[str, float]) -> str:
    return "  ".join(f"@{float(s):.0%} {v:.3f}" for s, v in values.items())


@model_app.command("train")
@handles_errors
def train_command(
    data: Annotated[
        Path | None, typer.Option(help="KCS dataset folder; without it, stored consignments")
    ] = None,
    label: LabelOpt = "fraud",
    trees: Annotated[int, typer.Option(min=1, help="boosting rounds")] = 150,
    seed: Annotated[int, typer.Option(help="random seed")] = 0,
    ranking: Annotated[str, typer.Option(help="probability, expected_revenue or blend")] = "probability",
    since: Annotated[str | None, typer.Option(help="stored data from this date (YYYY-MM-DD)")] = None,
    until: Annotated[str | None, typer.Option(help="stored data up to this date (YYYY-MM-DD)")] = None,
    activate: Annotated[bool, typer.Option("--activate", help="make it the active model")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Train a model, measure it, and register it as a new version."""
    from corridor.db.ready import ready_engine
    from corridor.model import service
    from corridor.model.train import TrainConfig

    if ranking not in ("probability", "expected_revenue", "blend"):
        err.print(f"[red]error[/red] unknown ranking {ranking!r}")
        raise typer.Exit(EXIT_USAGE)
    config = TrainConfig.model_validate(
        {"label": _label(label), "n_estimators": trees, "seed": seed, "ranking": ranking}
    )
    engine = ready_engine()
    with err.status("training") as status:

        def progress(msg: str) -> None:
            status.update(msg)

        if data is not None:
            summary = service.train_from_dataset(engine, data, config, activate=activate, progress=progress)
        else:
            summary = service.train_from_store(
                engine,
                config,
                since=date.fromisoformat(since) if since else None,
                until=date.fromisoformat(until) if until else None,
                activate=activate,
                progress=progress,
            )
    if as_json:
        print_json(summary)
        return
    _print_versions([summary])
    err.print(f"registered {summary['version']} ({summary['status']}) at {summary['path']}")


@model_app.command("evaluate")
@handles_errors
def evaluate_command(
    data: Annotated[
        Path | None, typer.Option(help="KCS dataset folder (default: the shared dataset)")
    ] = None,
    label: LabelOpt = "fraud",
    seeds: Annotated[int, typer.Option(min=1, help="number of seeds (0..n-1)")] = 5,
    models: Annotated[
        str,
        typer.Option(
            help="comma-separated: corridor,logistic_regression,random_forest,xgboost,lightgbm_default"
        ),
    ] = "corridor,logistic_regression,random_forest,xgboost,lightgbm_default",
    report: Annotated[
        Path | None, typer.Option(help="write report.md/.html and plots into this folder")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Precision@n% and Recall@n% of our model and the baselines on the dataset's test file."""
    from corridor.model.evaluate import BASELINES, OURS, evaluate_dataset
    from corridor.model.report import write_report

    wanted = [m.strip() for m in models.split(",") if m.strip()]
    unknown = [m for m in wanted if m not in (OURS, *BASELINES)]
    if unknown:
        err.print(f"[red]error[/red] unknown model(s): {', '.join(unknown)}")
        raise typer.Exit(EXIT_USAGE)
    with err.status("evaluating") as status:
        result = evaluate_dataset(
            data or default_data_dir(),
            _label(label),
            list(range(seeds)),
            wanted,
            progress=lambda m: status.update(m),
        ).as_dict()
    if report is not None:
        paths = write_report(report, [result])
        err.print(f"report written to {paths['markdown']} and {paths['html']}")
    if as_json:
        print_json(result)
        return
    shares = result["shares"]
    rows = [
        [
            m["name"],
            *(f"{m['precision'][s]:.3f}±{m['precision_std'][s]:.3f}" for s in shares),
            m["train_seconds"],
        ]
        for m in result["models"]
    ]
    if result.get("published"):
        pub = result["published"]["precision"]
        rows.append(
            ["published (paper, LightGBM)", *(f"{pub[s]:.3f}" if s in pub else "–" for s in shares), "–"]
        )
    print_table(
        f"Precision@n% on {result['label']} ({result['test_rows']:,} test declarations, seeds {result['seeds']})",
        ["model", *(f"P@{float(s):.0%}" for s in shares), "train s"],
        rows,
    )


@model_app.command("simulate")
@handles_errors
def simulate_command(
    data: Annotated[
        Path | None, typer.Option(help="KCS dataset folder (default: the shared dataset)")
    ] = None,
    demo: Annotated[int, typer.Option(help="simulate on this many generated demo consignments instead")] = 0,
    label: LabelOpt = "fraud",
    rates: Annotated[str, typer.Option(help="comma-separated inspection rates")] = "0.01,0.02,0.05,0.1",
    exploration: Annotated[
        float, typer.Option(min=0, max=1, help="share of the budget chosen at random")
    ] = 0.1,
    retrain_every: Annotated[int, typer.Option(min=1, help="retrain every N weeks")] = 1,
    weeks: Annotated[int | None, typer.Option(min=1, help="simulate only this many weeks")] = None,
    trees: Annotated[int, typer.Option(min=1, help="boosting rounds per retrain")] = 150,
    report: Annotated[
        Path | None, typer.Option(help="write report.md/.html and plots into this folder")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Weekly online selection: top share plus random share, learn only the inspected, retrain."""
    from datetime import timedelta

    import polars as pl

    from corridor.model.features import read_kcs_splits
    from corridor.model.report import write_report
    from corridor.model.simulate import SimulationConfig, simulate
    from corridor.model.train import TrainConfig

    config = SimulationConfig(
        rates=[float(r) for r in rates.split(",") if r.strip()],
        exploration=exploration,
        retrain_every=retrain_every,
        train=TrainConfig.model_validate(
            {"label": _label(label), "n_estimators": trees, "learning_rate": 0.1}
        ),
    )
    if demo:
        from corridor.model.demo import demo_frame

        # Only consignments whose source data carries an outcome: like the KCS files, every row of
        # the simulated timeline must have a truth to reveal when it is inspected.
        frame = demo_frame(demo).filter(pl.col("fraud").is_not_null()).sort("date")
        start = frame["date"][int(frame.height * 0.6)]
    else:
        splits = read_kcs_splits(data or default_data_dir())
        frame = pl.concat([splits["train"], splits["valid"], splits["test"]])
        start = splits["valid"]["date"].min()
    end = start + timedelta(days=7 * weeks) if weeks else None
    with err.status("simulating") as status:
        result = simulate(frame, start, config, end=end, progress=lambda m: status.update(m))
    if report is not None:
        paths = write_report(report, [], result)
        err.print(f"report written to {paths['markdown']} and {paths['html']}")
    if as_json:
        print_json(result)
        return
    rows = []
    for run in result["runs"]:
        t = run["total"]
        rows.append(
            [
                f"{run['rate']:.0%}",
                f"{run['explore']:.0%}",
                f"{t['precision']:.3f}",
                f"{t['recall']:.3f}",
                "–" if t["revenue"] is None else f"{t['revenue']:.3f}",
                t["inspected"],
            ]
        )
    print_table(
        f"Simulation: {result['periods']} weekly periods from {result['start']}",
        ["rate", "exploration", "precision", "recall", "revenue", "inspected"],
        rows,
    )


def _print_versions(items: list[dict[str, Any]]) -> None:
    rows = [
        [
            i["version"],
            i["status"],
            i["label"],
            f"{i['window'][0]} … {i['window'][1]}",
            i["rows"],
            _shares(i["precision"]) if i["precision"] else "–",
            i["created_at"],
        ]
        for i in items
    ]
    print_table(
        "Model versions", ["version", "status", "label", "window", "rows", "precision", "created"], rows
    )


@model_app.command("list")
@handles_errors
def list_command(as_json: JsonOpt = False) -> None:
    """Registered model versions, newest first."""
    from corridor.db.ready import ready_engine
    from corridor.model import service

    items = service.list_models(ready_engine())
    if as_json:
        print_json({"count": len(items), "items": items})
    else:
        _print_versions(items)


@model_app.command("show")
@handles_errors
def show_command(
    version: Annotated[str, typer.Argument(help="model version, e.g. v3")], as_json: JsonOpt = False
) -> None:
    """A version's metrics and model card."""
    from corridor.db.ready import ready_engine
    from corridor.model import service

    detail = service.model_detail(ready_engine(), version)
    if as_json:
        print_json(detail)
    else:
        typer.echo(detail["card"])


@model_app.command("activate")
@handles_errors
def activate_command(
    version: Annotated[str, typer.Argument(help="model version, e.g. v3")], as_json: JsonOpt = False
) -> None:
    """Make a version the active model (the previous one is retired)."""
    from corridor.db.ready import ready_engine
    from corridor.model import service

    summary = service.activate_model(ready_engine(), version)
    if as_json:
        print_json(summary)
    else:
        err.print(f"{summary['version']} is now the active model")


@model_app.command("rollback")
@handles_errors
def rollback_command(as_json: JsonOpt = False) -> None:
    """Re-activate the version that was active before the current one."""
    from corridor.db.ready import ready_engine
    from corridor.model import service

    summary = service.rollback_model(ready_engine())
    if as_json:
        print_json(summary)
    else:
        err.print(f"rolled back: {summary['version']} is the active model again")


@model_app.command("explain")
@handles_errors
def explain_command(
    ref: Annotated[str, typer.Argument(help="consignment key, document number or id")],
    top: Annotated[int, typer.Option(min=1, help="number of reasons")] = 5,
    as_json: JsonOpt = False,
) -> None:
    """The active model's probability and top reasons for a stored consignment."""
    from corridor.db.engine import unit_of_work
    from corridor.db.ready import ready_engine
    from corridor.model import service

    with unit_of_work(ready_engine()) as session:
        result = service.explain_consignment(session, ref, top=top)
    if as_json:
        print_json(result)
        return
    rows = [[h["rule_id"], f"{h['weight']:+.2f}", h["title"]] for h in result["reasons"]]
    print_table(
        f"{result['consignment']}: P({'positive'}) = {result['probability']:.3f} (model {result['model_version']})",
        ["feature", "log-odds", "reason"],
        rows,
    )
