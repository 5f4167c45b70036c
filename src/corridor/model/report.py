"""Written output of the model package: the model card of a version, and the evaluation report
(Markdown + HTML with matplotlib PNG plots of precision@n and of the simulation curves).
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from corridor.model.train import TrainedModel

CARD_TEMPLATE = """# Model card — {version}

| | |
|---|---|
| task | probability that an inspection of a declaration finds `{label}` |
| family | LightGBM gradient-boosted trees ({n_estimators} trees, {num_leaves} leaves, depth ≤ {max_depth}, learning rate {learning_rate}) |
| revenue model | {revenue} |
| ranking | {ranking} |
| trained on | {source} |
| training window | {start} … {end} |
| labelled rows | {rows:,} ({positives:,} positive, {rate:.1%}) |
| features | {n_features} (value ratios, value per kg against the HS-6 norm, point-in-time history of {n_encodings} entity keys) |
| training time | {seconds:.1f} s |

## Metrics at training time

{metrics}

## Intended use

Ranks declarations for inspection as one weighted signal of the risk engine, next to the rule
profiles; its top reasons (tree SHAP contributions) are shown to the targeting officer. It is not a
decision on its own: an officer decides, and a share of inspections is kept random (exploration)
so that the outcomes it learns from are not only those it chose.

## Limits

- It learns only from inspected declarations; what was never inspected is unknown, not clean.
- History features describe the past up to the end of the training window; retrain as outcomes come in.
- Entities never seen before get the prior rate; their risk rests on the value features alone.
"""


def _metrics_table(metrics: dict[str, Any]) -> str:
    precision = metrics.get("precision") or {}
    if not precision:
        return "No held-out metrics were recorded for this version."
    shares = list(precision)
    head = "| metric | " + " | ".join(f"@{float(s):.0%}" for s in shares) + " |"
    rule = "|---|" + "---|" * len(shares)
    rows = [head, rule]
    for metric in ("precision", "recall", "revenue"):
        values = metrics.get(metric)
        if values:
            rows.append(f"| {metric} | " + " | ".join(f"{values[s]:.3f}" for s in shares) + " |")
    note = metrics.get("note")
    return "\n".join(rows) + (f"\n\n{note}" if note else "")


def model_card(model: TrainedModel, source: str) -> str:
    cfg = model.config
    rate = model.positives / model.rows if model.rows else 0.0
    return CARD_TEMPLATE.format(
        version=model.version or "unregistered",
        label=cfg.label,
        n_estimators=cfg.n_estimators,
        num_leaves=cfg.num_leaves,
        max_depth=cfg.max_depth,
        learning_rate=cfg.learning_rate,
        revenue="LightGBM regressor of log revenue of a positive"
        if model.revenue_booster
        else "none (no revenue labels)",
        ranking=cfg.ranking if model.revenue_booster else "probability",
        source=source,
        start=model.window[0],
        end=model.window[1],
        rows=model.rows,
        positives=model.positives,
        rate=rate,
        n_features=len(model.features),
        n_encodings=len(model.encoder.encodings),
        seconds=model.train_seconds,
        metrics=_metrics_table(model.metrics),
    )


# -- evaluation report --------------------------------------------------------------------------------


def _fmt(mean: float, std: float) -> str:
    return f"{mean:.3f} ± {std:.3f}"


def evaluation_markdown(
    evaluations: Sequence[dict[str, Any]], simulation: dict[str, Any] | None, images: dict[str, str]
) -> str:
    lines = ["# Model evaluation", ""]
    for ev in evaluations:
        shares = ev["shares"]
        lines += [
            f"## Label `{ev['label']}` — {ev['data']}",
            "",
            f"Fitted on train+valid ({ev['train_rows']:,} rows), measured on the test file ({ev['test_rows']:,} rows, "
            f"{ev['test_positive_rate']:.1%} positive); mean ± standard deviation over seeds {ev['seeds']}.",
            "",
            "| model | "
            + " | ".join(f"P@{float(s):.0%}" for s in shares)
            + " | "
            + " | ".join(f"R@{float(s):.0%}" for s in shares)
            + " | train s |",
            "|---|" + "---|" * (2 * len(shares) + 1),
        ]
        for m in ev["models"]:
            p = [_fmt(m["precision"][s], m["precision_std"][s]) for s in shares]
            r = [_fmt(m["recall"][s], m["recall_std"][s]) for s in shares]
            lines.append(
                f"| {m['name']} | " + " | ".join(p) + " | " + " | ".join(r) + f" | {m['train_seconds']} |"
            )
        if ev.get("published"):
            pub = ev["published"]
            cells = [f"{pub['precision'][s]:.3f}" if s in pub["precision"] else "–" for s in shares]
            lines.append(
                f"| {pub['name']} | " + " | ".join(cells) + " | " + " | ".join("–" for _ in shares) + " | – |"
            )
        key = f"precision_{ev['label']}"
        if key in images:
            lines += ["", f"![precision@n, {ev['label']}]({images[key]})"]
        lines.append("")
    if simulation:
        lines += simulation_markdown(simulation)
        if "simulation" in images:
            lines += ["", f"![simulation]({images['simulation']})"]
    return "\n".join(lines) + "\n"


def simulation_markdown(sim: dict[str, Any]) -> list[str]:
    lines = [
        "## Online simulation",
        "",
        f"Initial training up to {sim['initial_end']}; then {sim['periods']} weekly periods from {sim['start']}: select within the "
        f"budget, learn only the outcomes of the inspected, retrain every {sim['retrain_every']} week(s). "
        f"Exploration: {sim['exploration']:.0%} of the budget chosen at random.",
        "",
        "| rate | exploration | precision | recall | revenue | inspected |",
        "|---|---|---|---|---|---|",
    ]
    for run in sim["runs"]:
        t = run["total"]
        revenue = f"{t['revenue']:.3f}" if t.get("revenue") is not None else "–"
        lines.append(
            f"| {run['rate']:.0%} | {'yes' if run['explore'] > 0 else 'no'} | {t['precision']:.3f} | {t['recall']:.3f} | {revenue} | {t['inspected']:,} |"
        )
    return lines


def _plot_precision(ev: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    shares = ev["shares"]
    x = [float(s) * 100 for s in shares]
    fig, ax = plt.subplots(figsize=(7, 4.2))
    for m in ev["models"]:
        y = [m["precision"][s] for s in shares]
        err = [m["precision_std"][s] for s in shares]
        ax.errorbar(x, y, yerr=err, marker="o", capsize=3, label=m["name"])
    if ev.get("published"):
        pub = ev["published"]["precision"]
        ax.scatter(
            [float(s) * 100 for s in pub],
            list(pub.values()),
            marker="*",
            s=120,
            color="black",
            label="published",
            zorder=5,
        )
    ax.set_xscale("log")
    ax.set_xticks(x, [f"{v:g}%" for v in x])
    ax.set_xlabel("share of declarations inspected")
    ax.set_ylabel(f"precision ({ev['label']})")
    ax.set_ylim(0, 1.02)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _plot_simulation(sim: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 4.5))
    for run in sim["runs"]:
        weeks = [p["start"] for p in run["periods"]]
        y = [p["precision"] for p in run["periods"]]
        style = "-" if run["explore"] == 0 else "--"
        ax.plot(
            range(len(weeks)),
            y,
            style,
            marker=".",
            label=f"{run['rate']:.0%}{' + explore' if run['explore'] else ''}",
        )
    ax.set_xlabel("week of the simulation")
    ax.set_ylabel("precision of the inspected")
    ax.set_ylim(0, 1.02)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, ncol=2)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write_report(
    out_dir: Path, evaluations: Sequence[dict[str, Any]], simulation: dict[str, Any] | None = None
) -> dict[str, Path]:
    """Write report.md, report.html and the PNG plots into `out_dir`; return their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    images: dict[str, str] = {}
    for ev in evaluations:
        name = f"precision_{ev['label']}.png"
        _plot_precision(ev, out_dir / name)
        images[f"precision_{ev['label']}"] = name
    if simulation:
        _plot_simulation(simulation, out_dir / "simulation.png")
        images["simulation"] = "simulation.png"
    markdown = evaluation_markdown(evaluations, simulation, images)
    (out_dir / "report.md").write_text(markdown, encoding="utf-8")
    (out_dir / "report.html").write_text(_html(markdown), encoding="utf-8")
    return {
        "markdown": out_dir / "report.md",
        "html": out_dir / "report.html",
        **{k: out_dir / v for k, v in images.items()},
    }


def _html(markdown: str) -> str:
    """A small Markdown subset (headings, tables, images, paragraphs) as a standalone page."""
    body: list[str] = []
    table: list[list[str]] = []

    def flush() -> None:
        if not table:
            return
        head, *rows = [r for r in table if not set("".join(r)) <= set("-: ")]
        body.append("<table><thead><tr>" + "".join(f"<th>{c}</th>" for c in head) + "</tr></thead><tbody>")
        body.extend("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows)
        body.append("</tbody></table>")
        table.clear()

    for line in markdown.splitlines():
        if line.startswith("|"):
            table.append([html.escape(c.strip()) for c in line.strip("|").split("|")])
            continue
        flush()
        if line.startswith("## "):
            body.append(f"<h2>{html.escape(line[3:])}</h2>")
        elif line.startswith("# "):
            body.append(f"<h1>{html.escape(line[2:])}</h1>")
        elif line.startswith("!["):
            alt, _, src = line[2:].partition("](")
            body.append(f'<p><img src="{html.escape(src.rstrip(")"))}" alt="{html.escape(alt)}"></p>')
        elif line.strip():
            body.append(f"<p>{html.escape(line)}</p>")
    flush()
    style = "body{font-family:sans-serif;max-width:1100px;margin:2em auto}table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ccc;padding:3px 6px}"
    return f"<!doctype html><html><head><meta charset='utf-8'><title>Model evaluation</title><style>{style}</style></head><body>{''.join(body)}</body></html>\n"
