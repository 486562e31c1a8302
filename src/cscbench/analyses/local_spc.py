"""SPC on the authority's own monthly and quarterly measures, as NHS England's "Making Data
Count" draws it.

The chart of each measure is an XmR chart worked by :func:`cscbench.analyses.spc_charts.
spc_many` (the same limits and rules, in the same priority, as every SPC chart cscbench
draws; they reproduce NHSRplotthedots' ``ptd_spc`` to the last digit):

- **Rebasing.** A change point in the measures file ("new front door model" on the row of
  2024-10) starts a new segment: its mean and limits are worked from its own points only, and
  no rule runs across it (NHSRplotthedots' ``rebase``). With ``fix_after``, a segment's limits
  come from its first so many points (``fix_after_n_points``).
- **Enough points.** A segment with fewer than :data:`~cscbench.analyses.spc_charts.MIN_POINTS`
  points has no limits; one with fewer than :data:`ADVISED` has provisional limits, said so
  wherever it is shown (Making Data Count advises 15 to 20 points; NHSRplotthedots warns
  below 12). A point with no figure (kept, with its note) is left out of the limits and the
  rules, the series closing up around it.
- **Point types** (NHSRplotthedots ``ptd_calculate_point_type``): a point that any rule marks
  is special cause, *improving* when it is on the better side of the mean for the measure's
  polarity, *concerning* on the worse side, and *neither* (high or low) for a context
  measure; every other point is common cause.
- **Icons** (NHS England, Making Data Count): the variation icon is the type of the latest
  point; the assurance icon sets a target against the latest segment's limits: beyond the
  limits on the good side the target is consistently met, beyond them on the bad side
  consistently missed, between them hit and missed at random (``ptd_calculate_assurance_type``,
  strict comparisons). Each has a symbol and words, never colour alone (:data:`VARIATION`,
  :data:`ASSURANCE`).
- **Targets** from a targets file (:mod:`cscbench.datasets.targets`) apply to a measure of
  the same id: each point gets its status (:func:`cscbench.analyses.performance.
  target_status`) and the measure its assurance.

Example:
    >>> from cscbench.datasets.local_measures import LocalMeasures
    >>> points = spc_points(example_measures())
    >>> points.filter(pl.col("period") == "2025-12").select("rule", "point_type").row(0)
    ('spc_low', 'special_cause_concern')
    >>> points["segment_start"].unique().sort().to_list()
    ['2023-04', '2024-10']
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl

from cscbench.analyses.spc_charts import MIN_POINTS, spc_many
from cscbench.analyses.status import SYMBOL, target_status
from cscbench.datasets.local_measures import LocalMeasures, read_measures
from cscbench.datasets.targets import Target, TargetPlan, read_targets
from cscbench.errors import UsageError

#: Making Data Count's advice: limits on fewer points are provisional.
ADVISED = 15

#: The variation icons: (symbol, words) by point type and side.
VARIATION = {
    "common_cause": ("~", "common cause variation: no significant change"),
    "special_cause_improvement_high": ("H+", "special cause variation, improving: higher"),
    "special_cause_improvement_low": ("L+", "special cause variation, improving: lower"),
    "special_cause_concern_high": ("H-", "special cause variation, concerning: higher"),
    "special_cause_concern_low": ("L-", "special cause variation, concerning: lower"),
    "special_cause_neutral_high": (
        "H",
        "special cause variation: higher (neither better nor worse)",
    ),
    "special_cause_neutral_low": ("L", "special cause variation: lower (neither better nor worse)"),
}

#: The assurance icons: (symbol, words) by assurance type.
ASSURANCE = {
    "consistent_pass": (
        "P",
        "the target will be met consistently (it lies beyond the process limits on the good side)",
    ),
    "consistent_fail": (
        "F",
        "the target will be missed consistently unless the process "
        "changes (it lies beyond the process limits on the bad side)",
    ),
    "inconsistent": (
        "?",
        "the target lies within the process limits: it will be hit and missed at random",
    ),
}

RULE_WORDS = {
    "spc_high": "above the upper process limit",
    "spc_low": "below the lower process limit",
    "spc_trend": "part of 7 points each higher (or lower) than the one before",
    "spc_near_limit": "2 of 3 points near a process limit",
    "spc_run": "part of 7 points on one side of the mean",
}


def as_measures(measures: LocalMeasures | str | Path) -> LocalMeasures:
    return measures if isinstance(measures, LocalMeasures) else read_measures(measures)


def as_plan(targets: TargetPlan | str | Path | None) -> TargetPlan | None:
    return targets if targets is None or isinstance(targets, TargetPlan) else read_targets(targets)


def _targets_for(local: LocalMeasures, plan: TargetPlan | None) -> dict[str, Target]:
    """Each measure's target; a target whose unit is not the measure's is refused."""
    if plan is None:
        return {}
    found = {}
    for row in local.measures.select("measure", "unit").iter_rows(named=True):
        target = plan.get(row["measure"])
        if target is None:
            continue
        if target.unit != row["unit"]:
            raise UsageError(
                f"the target for {row['measure']} is in {target.unit}; {local.path.name} "
                f"gives {row['measure']} in {row['unit']}"
            )
        found[row["measure"]] = target
    return found


def _segments(points: pl.DataFrame) -> pl.DataFrame:
    """Segment of each point (a new one at each change point) and its place among the
    segment's points with a figure."""
    points = points.with_columns(
        pl.col("change").is_not_null().cast(pl.Int32).cum_sum().over("measure").alias("segment")
    )
    key = ["measure", "segment"]
    has = pl.col("value").is_not_null()
    return points.with_columns(
        pl.col("period").first().over(key).alias("segment_start"),
        pl.when(has).then(has.cast(pl.Int32).cum_sum().over(key) - 1).alias("position"),
        has.sum().over(key).alias("segment_points"),
    )


def spc_points(
    measures: LocalMeasures | str | Path,
    measure: str | None = None,
    targets: TargetPlan | str | Path | None = None,
    fix_after: int | None = None,
) -> pl.DataFrame:
    """Every point of every measure (or of ``measure``) with its segment, limits, rule, point
    type, variation icon and, where a target applies, its target status.

    Columns: the measure's details (measure, title, unit, polarity, theme, frequency), the
    point's (period, start, year, value, numerator, denominator, note, change), then segment,
    segment_start, segment_points, limits ('limits', 'provisional' or 'none'), limit_points,
    mean, lower, upper, near_lower, near_upper, rule, point_type, variation,
    variation_symbol, variation_words, target, target_direction, target_status,
    target_symbol.
    """
    local = as_measures(measures)
    details = local.measures.select(
        "measure", "title", "unit", "polarity", "theme", "frequency", "national"
    )
    points = local.points
    if measure is not None:
        if measure not in details["measure"].to_list():
            raise UsageError(
                f"{local.path.name} has no measure {measure!r} (it has: "
                f"{', '.join(details['measure'].to_list())})"
            )
        points = points.filter(pl.col("measure") == measure)
    points = _segments(points.join(details, on="measure", maintain_order="left"))
    groups = points.select("measure", "segment").unique(maintain_order=True)
    groups = groups.with_row_index("group")
    points = points.join(groups, on=["measure", "segment"], maintain_order="left")
    lengths = (points.group_by("group").agg(pl.col("segment_points").first()).sort("group"))[
        "segment_points"
    ].to_numpy()
    width = max(int(lengths.max()) if lengths.size else 0, 1)
    y = np.full((len(groups), width), np.nan)
    filled = points.filter(pl.col("value").is_not_null())
    y[filled["group"].to_numpy(), filled["position"].to_numpy()] = filled["value"].to_numpy()
    baseline = None if fix_after is None else np.full(len(groups), fix_after)
    mean, lower, upper, near_lower, near_upper, rules = spc_many(y, lengths, baseline, True)
    used = lengths if fix_after is None else np.minimum(lengths, fix_after)
    by_group = pl.DataFrame(
        {
            "group": np.arange(len(groups), dtype=np.uint32),
            "limit_points": used.astype(np.int64),
            "mean": mean,
            "lower": lower,
            "upper": upper,
            "near_lower": near_lower,
            "near_upper": near_upper,
        }
    ).with_columns(pl.col(pl.Float64).fill_nan(None))
    points = points.join(by_group, on="group", maintain_order="left")
    rule = [
        rules[g, p] if p is not None else ""
        for g, p in zip(points["group"], points["position"], strict=True)
    ]
    points = points.with_columns(pl.Series("rule", rule, dtype=pl.String).replace("", None))
    points = _point_types(points)
    points = _with_targets(points, _targets_for(local, as_plan(targets)))
    return points.drop("group", "position")


def _point_types(points: pl.DataFrame) -> pl.DataFrame:
    """Point type (NHSRplotthedots' words) and the variation icon's symbol and words."""
    side = (
        pl.when(pl.col("value") > pl.col("mean"))
        .then(1)
        .when(pl.col("value") < pl.col("mean"))
        .then(-1)
        .otherwise(0)
    )
    better = pl.col("polarity").replace_strict(
        {"high_is_good": 1, "low_is_good": -1, "context": 0}, return_dtype=pl.Int32
    )
    high_low = pl.when(side > 0).then(pl.lit("high")).otherwise(pl.lit("low"))
    point_type = (
        pl.when(pl.col("mean").is_null() | pl.col("value").is_null())
        .then(None)
        .when(pl.col("rule").is_null())
        .then(pl.lit("common_cause"))
        .when(better == 0)
        .then(pl.concat_str(pl.lit("special_cause_neutral_"), high_low))
        .when(side == better)
        .then(pl.lit("special_cause_improvement"))
        .otherwise(pl.lit("special_cause_concern"))
    )
    points = points.with_columns(
        pl.when(pl.col("limit_points") < MIN_POINTS)
        .then(pl.lit("none"))
        .when(pl.col("limit_points") < ADVISED)
        .then(pl.lit("provisional"))
        .otherwise(pl.lit("limits"))
        .alias("limits"),
        point_type.alias("point_type"),
    )
    variation = (
        pl.when(pl.col("point_type").is_in(["special_cause_improvement", "special_cause_concern"]))
        .then(pl.concat_str("point_type", pl.lit("_"), high_low))
        .otherwise("point_type")
    )
    return points.with_columns(variation.alias("variation")).with_columns(
        pl.col("variation")
        .replace_strict({k: v[0] for k, v in VARIATION.items()}, default=None)
        .alias("variation_symbol"),
        pl.col("variation")
        .replace_strict({k: v[1] for k, v in VARIATION.items()}, default=None)
        .alias("variation_words"),
    )


def _with_targets(points: pl.DataFrame, targets: dict[str, Target]) -> pl.DataFrame:
    rows = points.select("measure", "value").iter_rows()
    previous: dict[str, float] = {}
    status = []
    for measure, value in rows:
        target = targets.get(measure)
        status.append(
            None if target is None else target_status(value, target, previous.get(measure))
        )
        if value is not None:
            previous[measure] = value
    values = {m: t.value for m, t in targets.items()}
    directions = {m: t.direction for m, t in targets.items()}
    return points.with_columns(
        pl.col("measure")
        .replace_strict(values, default=None, return_dtype=pl.Float64)
        .alias("target"),
        pl.col("measure")
        .replace_strict(directions, default=None, return_dtype=pl.String)
        .alias("target_direction"),
        pl.Series("target_status", status, dtype=pl.String),
    ).with_columns(
        pl.col("target_status").replace_strict(SYMBOL, default=None).alias("target_symbol")
    )


def assurance(
    target: float | None, direction: str | None, lower: float | None, upper: float | None
) -> str | None:
    """The assurance type of a target against process limits (None without both).

    Example:
        >>> [assurance(4, "at least", lo, hi) for lo, hi in ((1, 3), (5, 7), (1, 5))]
        ['consistent_fail', 'consistent_pass', 'inconsistent']
        >>> [assurance(4, "at most", lo, hi) for lo, hi in ((1, 3), (5, 7), (1, 5))]
        ['consistent_pass', 'consistent_fail', 'inconsistent']
    """
    if target is None or direction is None or lower is None or upper is None:
        return None
    at_least = direction == "at least"
    if target > upper:
        return "consistent_fail" if at_least else "consistent_pass"
    if target < lower:
        return "consistent_pass" if at_least else "consistent_fail"
    return "inconsistent"


def example_measures() -> LocalMeasures:
    """A made-up monthly measure for examples: return interviews within 72 hours from April
    2023, a change of provider from October 2024 and a fall in December 2025."""
    from datetime import date

    values = [
        70,
        72,
        71,
        69,
        73,
        70,
        72,
        71,
        70,
        74,
        69,
        72,
        71,
        70,
        73,
        72,
        71,
        70,
        80,
        82,
        79,
        81,
        83,
        80,
        82,
        79,
        81,
        80,
        82,
        80,
        81,
        79,
        66,
    ]
    months = [2023 * 12 + 3 + i for i in range(len(values))]
    points = pl.DataFrame(
        {
            "measure": ["ri_72h_pct"] * len(values),
            "row": list(range(2, len(values) + 2)),
            "period": [f"{m // 12}-{m % 12 + 1:02d}" for m in months],
            "start": [date(m // 12, m % 12 + 1, 1) for m in months],
            "year": [m // 12 + (m % 12 >= 3) for m in months],
            "index": months,
            "value": [float(v) for v in values],
            "numerator": [None] * len(values),
            "denominator": [None] * len(values),
            "note": [None] * len(values),
            "change": [None] * 18 + ["change of provider"] + [None] * 14,
        },
        schema_overrides={
            "numerator": pl.Float64,
            "denominator": pl.Float64,
            "note": pl.String,
            "year": pl.Int32,
        },
    )
    measures = pl.DataFrame(
        {
            "measure": ["ri_72h_pct"],
            "title": ["Return interviews offered within 72 hours (%)"],
            "unit": ["percent"],
            "polarity": ["high_is_good"],
            "theme": ["Missing and exploitation"],
            "frequency": ["month"],
            "definition": [None],
            "national": [None],
            "row": [2],
        },
        schema_overrides={"definition": pl.String, "national": pl.String},
    )
    return LocalMeasures(Path("example.csv"), measures, points)
