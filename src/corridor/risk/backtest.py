"""Back-testing: run a profile set over a period with known inspection outcomes and measure it.

Per profile: hits, inspections (hits that were inspected), positives (inspections that found
fraud), hit rate = positives / inspections, lift = hit rate / base rate, where the base rate is the
positive rate of all inspected consignments of the period, and recall = positives / all positives.
For the set as a whole, the same figures for the consignments it puts in the red lane. Outcomes
come from the data (SourceOutcome: `inspected`, `fraud`); consignments without one are counted as
hits but not as inspections.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl

from corridor.risk.engine import AssessmentBatch


@dataclass(slots=True)
class BacktestReport:
    name: str
    consignments: int
    inspected: int
    positives: int
    base_rate: float | None
    overall: dict[str, Any]
    profiles: list[dict[str, Any]]

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "consignments": self.consignments,
            "inspected": self.inspected,
            "positives": self.positives,
            "base_rate": self.base_rate,
            "overall": self.overall,
            "profiles": self.profiles,
        }


def _rate(num: int, den: int) -> float | None:
    return round(num / den, 4) if den else None


def _lift(rate: float | None, base: float | None) -> float | None:
    return round(rate / base, 3) if rate is not None and base else None


def backtest(batch: AssessmentBatch, name: str = "profiles") -> BacktestReport:
    frame = batch.frame.select(
        "_row",
        pl.col("_inspected").fill_null(False).alias("inspected"),
        (pl.col("_inspected").fill_null(False) & pl.col("_fraud").fill_null(False)).alias("positive"),
        "lane",
    )
    n = frame.height
    inspected = int(frame.get_column("inspected").sum())
    positives = int(frame.get_column("positive").sum())
    base = _rate(positives, inspected)

    def figures(rows: pl.DataFrame) -> dict[str, Any]:
        ins = int(rows.get_column("inspected").sum()) if rows.height else 0
        pos = int(rows.get_column("positive").sum()) if rows.height else 0
        rate = _rate(pos, ins)
        return {
            "hits": rows.height,
            "inspections": ins,
            "positives": pos,
            "hit_rate": rate,
            "lift": _lift(rate, base),
            "recall": _rate(pos, positives),
        }

    per_profile = batch.hits.select("_row", "profile_id", "version", "title", "weight").join(
        frame, on="_row", how="left"
    )
    stats = (
        per_profile.group_by("profile_id", "version", "title", "weight")
        .agg(
            pl.len().alias("hits"),
            pl.col("inspected").sum().alias("inspections"),
            pl.col("positive").sum().alias("positives"),
        )
        .sort("profile_id")
    )
    profiles: list[dict[str, Any]] = []
    hit_ids = set()
    for r in stats.iter_rows(named=True):
        rate = _rate(int(r["positives"]), int(r["inspections"]))
        hit_ids.add(r["profile_id"])
        profiles.append(
            {
                "profile_id": r["profile_id"],
                "version": r["version"],
                "title": r["title"],
                "weight": r["weight"],
                "hits": int(r["hits"]),
                "inspections": int(r["inspections"]),
                "positives": int(r["positives"]),
                "hit_rate": rate,
                "lift": _lift(rate, base),
                "recall": _rate(int(r["positives"]), positives),
            }
        )
    for pid, version in batch.profile_set.items():
        if not pid.startswith("list:") and pid not in hit_ids:
            profiles.append(
                {
                    "profile_id": pid,
                    "version": version,
                    "title": None,
                    "weight": None,
                    "hits": 0,
                    "inspections": 0,
                    "positives": 0,
                    "hit_rate": None,
                    "lift": None,
                    "recall": 0.0 if positives else None,
                }
            )
    profiles.sort(key=lambda p: p["profile_id"])
    overall = {
        "red": figures(frame.filter(pl.col("lane") == "red")),
        "any_hit": figures(frame.join(batch.hits.select("_row").unique(), on="_row", how="semi")),
    }
    return BacktestReport(name, n, inspected, positives, base, overall, profiles)


def compare(a: BacktestReport, b: BacktestReport) -> dict[str, Any]:
    """Two reports side by side: per profile (union of ids) and for the red lane of each set."""
    by_a = {p["profile_id"]: p for p in a.profiles}
    by_b = {p["profile_id"]: p for p in b.profiles}
    rows = []
    for pid in sorted(set(by_a) | set(by_b)):
        pa, pb = by_a.get(pid, {}), by_b.get(pid, {})
        rows.append(
            {
                "profile_id": pid,
                "a": {
                    k: pa.get(k) for k in ("version", "hits", "inspections", "positives", "hit_rate", "lift")
                }
                if pa
                else None,
                "b": {
                    k: pb.get(k) for k in ("version", "hits", "inspections", "positives", "hit_rate", "lift")
                }
                if pb
                else None,
            }
        )
    return {
        "a": a.name,
        "b": b.name,
        "base_rate": a.base_rate,
        "overall": {"a": a.overall, "b": b.overall},
        "profiles": rows,
    }
