"""Precision@n% / Recall@n% of the Corridor model against logistic regression, default random forest,
default XGBoost and default LightGBM on the raw columns, over 5 seeds, on the KCS customs
declarations dataset (labels Fraud and Critical Fraud), plus Revenue@n% on generated demo data.

    .venv/bin/python benchmarks/model_evaluate.py [--data DIR] [--seeds 5] [--report DIR] [--json]

The table for `Fraud` alone is also `corridor model evaluate --json`.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from corridor.model.cli import default_data_dir
from corridor.model.demo import evaluate_revenue
from corridor.model.evaluate import evaluate_dataset
from corridor.model.report import write_report


def table(ev: dict[str, object]) -> str:
    shares = ev["shares"]  # type: ignore[index]
    lines = [
        f"label {ev['label']}: train {ev['train_rows']:,} rows, test {ev['test_rows']:,} rows ({ev['test_positive_rate']:.1%} positive), seeds {ev['seeds']}"
    ]  # type: ignore[index]
    lines.append(
        f"{'model':<22}"
        + "".join(f"{'P@' + format(float(s), '.0%'):>16}" for s in shares)
        + f"{'train s':>9}"
    )
    for m in ev["models"]:  # type: ignore[index,attr-defined]
        cells = "".join(f"{m['precision'][s]:>9.3f}±{m['precision_std'][s]:<6.3f}" for s in shares)
        lines.append(f"{m['name']:<22}{cells}{m['train_seconds']:>9}")
    for m in ev["models"]:  # type: ignore[index,attr-defined]
        cells = "".join(f"{m['recall'][s]:>9.3f}±{m['recall_std'][s]:<6.3f}" for s in shares)
        lines.append(f"{'R@n ' + m['name']:<22}{cells}")
    if ev.get("published"):  # type: ignore[attr-defined]
        pub = ev["published"]["precision"]  # type: ignore[index]
        lines.append(
            f"{'published (Table 3)':<22}"
            + "".join(f"{pub[s]:>16.3f}" if s in pub else f"{'–':>16}" for s in shares)
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=None)
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--labels", default="fraud,critical")
    parser.add_argument("--demo", type=int, default=40_000, help="demo consignments for Revenue@n% (0: skip)")
    parser.add_argument("--report", type=Path, default=None)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    data = args.data or default_data_dir()
    results = []
    for label in args.labels.split(","):
        started = time.perf_counter()
        ev = evaluate_dataset(
            data, label, list(range(args.seeds)), progress=lambda m: print(m, file=sys.stderr)
        )
        results.append(ev.as_dict())
        print(f"{label}: {time.perf_counter() - started:.0f} s", file=sys.stderr)
    revenue = evaluate_revenue(args.demo, seeds=list(range(args.seeds))) if args.demo else None
    if args.report:
        write_report(args.report, results)
    if args.json:
        print(json.dumps({"evaluations": results, "revenue": revenue}, indent=2))
        return
    for ev in results:
        print(table(ev))
        print()
    if revenue:
        print(
            f"Revenue@n% on {revenue['data']} (test {revenue['test_rows']:,} labelled, {revenue['test_positive_rate']:.1%} positive)"
        )
        for m in revenue["models"]:
            print(
                f"{m['name']:<18}"
                + "".join(
                    f"  @{float(s):.0%} {v:.3f}±{m['revenue_spread'][s] / 2:.3f}"
                    for s, v in m["revenue"].items()
                )
            )


if __name__ == "__main__":
    main()
