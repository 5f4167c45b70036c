"""Screening accuracy on the labelled evaluation set, against nomenklatura logic-v2 and RapidFuzz WRatio.

    .venv/bin/pip install -e '.[bench]'        # nomenklatura (benchmark only)
    .venv/bin/python benchmarks/screening_eval.py [--split test|dev|all]

The set (benchmarks/data/screening_eval.jsonl) is built by scripts/build_screening_eval.py. Each
pair is scored by three matchers, each seeing the query name and every name of the target entry:

* Corridor: corridor.screening.matcher at its default threshold (DEFAULT_THRESHOLD);
* nomenklatura logic-v2 on FollowTheMoney entities (Person / Organization) at 0.70, and at the
  threshold with the best F1 on the dev split (its best case, for fairness);
* RapidFuzz WRatio (default processor), best over the target's names, at 90 and at its best dev
  threshold.

Prints precision, recall and F1 per matcher, then recall (positives) and false-positive rate
(negatives) per kind of pair.
"""

from __future__ import annotations

import argparse
import json
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz, utils

from corridor.screening.matcher import DEFAULT_THRESHOLD, Candidate, Query, score_candidate
from corridor.screening.normalise import entry_name_forms, prepare_name

DATA = Path(__file__).resolve().parent / "data" / "screening_eval.jsonl"
Scorer = Callable[[dict[str, Any]], float]


def corridor_scorer(row: dict[str, Any]) -> float:
    q, t = row["query"], row["target"]
    cand = Candidate(
        entry_id=0,
        list_code="eval",
        entry_key=t["ref"],
        schema=t["schema"],
        caption=t["names"][0],
        content_hash="",
        names=[form for _, form in entry_name_forms(t["names"], t["schema"])],
    )
    query = Query(q["name"], schema=q["schema"])
    return score_candidate(query, prepare_name(q["name"], q["schema"]), cand).score


def wratio_scorer(row: dict[str, Any]) -> float:
    q = row["query"]["name"]
    return max(fuzz.WRatio(q, n, processor=utils.default_process) for n in row["target"]["names"]) / 100.0


def nomenklatura_scorer() -> Scorer | None:
    try:
        from followthemoney import model
        from nomenklatura.matching import get_algorithm
        from nomenklatura.matching.types import ScoringConfig
    except ImportError:
        return None
    algorithm = get_algorithm("logic-v2")
    assert algorithm is not None
    config = ScoringConfig.defaults()
    schemas = {"person": "Person", "organization": "Organization", "vessel": "Vessel"}

    def score(row: dict[str, Any]) -> float:
        q, t = row["query"], row["target"]
        query = model.make_entity(schemas.get(q["schema"], "LegalEntity"))
        # Unique ids per pair: nomenklatura caches comparisons by entity id.
        query.id = f"q{row['id']}"
        query.add("name", q["name"])
        target = model.make_entity(schemas.get(t["schema"], "LegalEntity"))
        target.id = f"t{row['id']}"
        target.add("name", t["names"])
        return float(algorithm.compare(query, target, config).score)

    return score


def metrics(scores: list[float], labels: list[int], threshold: float) -> tuple[float, float, float]:
    tp = sum(1 for s, y in zip(scores, labels, strict=True) if s >= threshold and y)
    fp = sum(1 for s, y in zip(scores, labels, strict=True) if s >= threshold and not y)
    fn = sum(1 for s, y in zip(scores, labels, strict=True) if s < threshold and y)
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f1


def best_threshold(scores: list[float], labels: list[int]) -> float:
    grid = [i / 100 for i in range(30, 100)]
    return max(grid, key=lambda t: metrics(scores, labels, t)[2])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=["test", "dev", "all"], default="test")
    parser.add_argument("--data", type=Path, default=DATA)
    args = parser.parse_args()
    rows = [json.loads(line) for line in args.data.read_text(encoding="utf-8").splitlines() if line.strip()]
    dev = [r for r in rows if r["split"] == "dev"]
    evaluated = rows if args.split == "all" else [r for r in rows if r["split"] == args.split]
    matchers: list[tuple[str, Scorer, float | None]] = [("Corridor", corridor_scorer, DEFAULT_THRESHOLD)]
    nk = nomenklatura_scorer()
    if nk is not None:
        matchers.append(("nomenklatura logic-v2", nk, 0.70))
    else:
        print("nomenklatura is not installed: pip install -e '.[bench]' to compare with logic-v2")
    matchers.append(("RapidFuzz WRatio", wratio_scorer, 0.90))

    labels = [r["label"] for r in evaluated]
    print(
        f"{len(evaluated)} pairs ({args.split} split): {sum(labels)} positive, {len(labels) - sum(labels)} negative"
    )
    print()
    header = f"| {'matcher':40} | {'threshold':>9} | {'precision':>9} | {'recall':>6} | {'F1':>5} | {'pairs/s':>8} |"
    print(header)
    print("|" + "|".join("-" * (len(c)) for c in header.split("|")[1:-1]) + "|")
    per_kind: dict[str, dict[str, list[tuple[float, int]]]] = {}
    thresholds: dict[str, float] = {}
    for name, scorer, default in matchers:
        start = time.perf_counter()
        scores = [scorer(r) for r in evaluated]
        rate = len(evaluated) / (time.perf_counter() - start)
        dev_scores = scores if args.split == "dev" else [scorer(r) for r in dev]
        tuned = best_threshold(dev_scores, [r["label"] for r in dev])
        kinds: dict[str, list[tuple[float, int]]] = defaultdict(list)
        for r, s in zip(evaluated, scores, strict=True):
            kinds[r["kind"]].append((s, r["label"]))
        per_kind[name] = kinds
        rows_out = [(f"{name} (default)", default)] if default is not None else []
        if name != "Corridor":
            rows_out.append((f"{name} (best on dev)", tuned))
        for label, threshold in rows_out:
            if threshold is None:
                continue
            p, rec, f1 = metrics(scores, labels, threshold)
            thresholds[label] = threshold
            print(f"| {label:40} | {threshold:9.2f} | {p:9.3f} | {rec:6.3f} | {f1:5.3f} | {rate:8.0f} |")
        thresholds[name] = default if name == "Corridor" else tuned
    print()
    print("Per kind: recall for positive kinds, false-positive rate for negative kinds")
    names = [n for n, _, _ in matchers]
    print("| kind | label | pairs | " + " | ".join(f"{n} @ {thresholds[n]:.2f}" for n in names) + " |")
    print("|---|---|---|" + "---|" * len(names))
    for kind in sorted(per_kind["Corridor"]):
        pairs = per_kind["Corridor"][kind]
        label = pairs[0][1]
        cells = []
        for n in names:
            got = per_kind[n][kind]
            hit = sum(1 for s, _ in got if s >= thresholds[n]) / len(got)
            cells.append(f"{hit:.3f}")
        print(f"| {kind} | {label} | {len(pairs)} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
