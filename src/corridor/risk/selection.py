"""Selection for inspection within the capacity of each office and day.

For each office and day (of the expected arrival, else the reference time):

1. mandatory: consignments hit by a profile with a red lane override are always selected, even
   beyond capacity (the overflow is reported);
2. exploration: `exploration_share` of the capacity (of the flow when capacity is unlimited) is
   drawn at random among the others, recorded as `exploration=True`, so that hit rates measured on
   inspections stay unbiased; the draw is a hash of (seed, consignment key), so the same policy
   picks the same consignments whatever the batch order;
3. risk: threshold mode selects red-lane consignments by score while capacity remains, and the red
   ones beyond capacity become yellow (documentary check); top_k mode selects the highest scores
   (at least min_score) while capacity remains, whatever their lane.

Selected consignments are in the red lane.
"""

from __future__ import annotations

import polars as pl

from corridor.risk.policy import SelectionPolicy

_UNLIMITED = 1 << 40
SEVERITY: dict[str, int] = {"green": 0, "blue": 1, "yellow": 2, "red": 3}
LANES_BY_SEVERITY = ["green", "blue", "yellow", "red"]


def lanes(frame: pl.DataFrame, policy: SelectionPolicy) -> pl.DataFrame:
    """`lane` from the office thresholds and the strongest lane override of the hits (`_override`)."""
    offices = frame.get_column("office").unique().to_list()
    table = pl.DataFrame(
        {
            "office": offices,
            "_red": [policy.for_office(o).red for o in offices],
            "_yellow": [policy.for_office(o).yellow for o in offices],
        },
        schema={"office": pl.String, "_red": pl.Float64, "_yellow": pl.Float64},
    )
    by_score = (
        pl.when(pl.col("score") >= pl.col("_red"))
        .then(SEVERITY["red"])
        .when(pl.col("score") >= pl.col("_yellow"))
        .then(SEVERITY["yellow"])
        .otherwise(SEVERITY["green"])
    )
    names = dict(enumerate(LANES_BY_SEVERITY))
    return (
        frame.drop("lane", strict=False)
        .join(table, on="office", how="left", nulls_equal=True)
        .with_columns(
            pl.max_horizontal(by_score, pl.col("_override"))
            .replace_strict(names, return_dtype=pl.String)
            .alias("lane"),
        )
        .drop("_red", "_yellow")
    )


def select(frame: pl.DataFrame, policy: SelectionPolicy) -> pl.DataFrame:
    """`frame` needs _key, office, score, lane, mandatory and a day source (eta or _ref_at)."""
    frame = lanes(frame, policy)
    if frame.is_empty():
        return frame.with_columns(
            pl.lit(False).alias("selected"),
            pl.lit(False).alias("exploration"),
            pl.lit(None, dtype=pl.String).alias("selection_reason"),
        )
    offices = frame.get_column("office").unique().to_list()
    policies = {o: policy.for_office(o) for o in offices}
    table = pl.DataFrame(
        {
            "office": offices,
            "_capacity": [p.capacity if p.capacity is not None else _UNLIMITED for p in policies.values()],
            "_limited": [p.capacity is not None for p in policies.values()],
            "_topk": [p.mode == "top_k" for p in policies.values()],
            "_min_score": [p.min_score for p in policies.values()],
            "_share": [p.exploration_share for p in policies.values()],
        },
        schema={
            "office": pl.String,
            "_capacity": pl.Int64,
            "_limited": pl.Boolean,
            "_topk": pl.Boolean,
            "_min_score": pl.Float64,
            "_share": pl.Float64,
        },
    )
    day = pl.coalesce("eta", "_ref_at").dt.date()
    group = ["office", "_day"]
    # A uniform draw in [0, 1) from the seed and the key: reproducible, independent of order.
    draw = (pl.col("_key") + f"|{policy.seed}").hash(seed=0) % 1_000_003 / 1_000_003.0
    f = frame.join(table, on="office", how="left", nulls_equal=True).with_columns(
        day.alias("_day"), draw.alias("_draw")
    )
    f = f.with_columns(pl.col("mandatory").cast(pl.Int64).sum().over(group).alias("_mandatory_n"))
    explore_slots = (
        pl.when(pl.col("_limited"))
        .then((pl.col("_capacity") * pl.col("_share")).floor())
        .otherwise(None)
        .cast(pl.Int64)
    )
    f = f.with_columns(explore_slots.alias("_explore_slots"))
    # Exploration among the non-mandatory: the smallest draws, or every draw below the share. Sorting
    # by (draw, key) then counting makes the ranks independent of the batch order.
    f = f.sort("_draw", "_key").with_columns(
        pl.when(~pl.col("mandatory"))
        .then((~pl.col("mandatory")).cast(pl.Int64).cum_sum().over(group))
        .otherwise(None)
        .alias("_draw_rank")
    )
    explore = (
        pl.when(pl.col("_limited"))
        .then(
            (pl.col("_draw_rank") <= pl.col("_explore_slots"))
            & ((pl.col("_capacity") - pl.col("_mandatory_n")) >= pl.col("_draw_rank"))
        )
        .otherwise(pl.col("_draw") < pl.col("_share"))
    )
    f = f.with_columns((explore & ~pl.col("mandatory")).fill_null(False).alias("exploration"))
    f = f.with_columns(
        (
            pl.col("_capacity")
            - pl.col("_mandatory_n")
            - pl.col("exploration").cast(pl.Int64).sum().over(group)
        )
        .clip(lower_bound=0)
        .alias("_room")
    )
    candidate = (
        ~pl.col("mandatory")
        & ~pl.col("exploration")
        & pl.when(pl.col("_topk"))
        .then(pl.col("score") >= pl.col("_min_score"))
        .otherwise(pl.col("lane") == "red")
    )
    # Rank candidates by score (ties: the key) within office and day.
    f = (
        f.with_columns(candidate.alias("_cand"))
        .sort(["score", "_key"], descending=[True, False])
        .with_columns(
            pl.when(pl.col("_cand")).then(pl.col("_cand").cast(pl.Int64).cum_sum().over(group)).alias("_rank")
        )
    )
    by_risk = pl.col("_cand") & (pl.col("_rank") <= pl.col("_room"))
    selected = pl.col("mandatory") | pl.col("exploration") | by_risk.fill_null(False)
    overflow = pl.col("_cand") & ~by_risk.fill_null(False) & (pl.col("lane") == "red")
    reason = (
        pl.when(pl.col("mandatory"))
        .then(pl.lit("mandatory"))
        .when(pl.col("exploration"))
        .then(pl.lit("exploration"))
        .when(by_risk.fill_null(False))
        .then(pl.lit("risk"))
        .when(overflow)
        .then(pl.lit("over_capacity"))
        .otherwise(None)
    )
    out = (
        f.with_columns(selected.alias("selected"), reason.alias("selection_reason"))
        .with_columns(
            pl.when(pl.col("selected"))
            .then(pl.lit("red"))
            .when(pl.col("selection_reason") == "over_capacity")
            .then(pl.lit("yellow"))
            .otherwise(pl.col("lane"))
            .alias("lane")
        )
        .drop(
            "_capacity",
            "_limited",
            "_topk",
            "_min_score",
            "_share",
            "_draw",
            "_mandatory_n",
            "_explore_slots",
            "_draw_rank",
            "_room",
            "_cand",
            "_rank",
        )
    )
    return out.sort("_row") if "_row" in out.columns else out.sort("_key")


def capacity_report(selected: pl.DataFrame, policy: SelectionPolicy) -> list[dict[str, object]]:
    """Per office and day: capacity, selections by reason, over-capacity mandatory selections."""
    rows = (
        selected.group_by("office", "_day")
        .agg(
            pl.len().alias("consignments"),
            pl.col("selected").sum().alias("selected"),
            (pl.col("selection_reason") == "mandatory").sum().alias("mandatory"),
            (pl.col("selection_reason") == "exploration").sum().alias("exploration"),
            (pl.col("selection_reason") == "risk").sum().alias("risk"),
            (pl.col("selection_reason") == "over_capacity").sum().alias("over_capacity"),
        )
        .sort("_day", "office", nulls_last=True)
        .to_dicts()
    )
    for r in rows:
        cap = policy.for_office(r["office"]).capacity
        r["capacity"] = cap
        day = r.pop("_day")
        r["day"] = day.isoformat() if day is not None else None
        r["over_by"] = max(0, int(r["selected"]) - cap) if cap is not None else 0
    return rows
