"""Targets and status: each period's figure against its target, as a performance framework.

The status rule (one function, :func:`target_status`), after the "Key to Status" of Derby
Safeguarding Children Board's performance monitoring framework 2007-08 (on target / off target
and recoverable / off target and causing concern):

- the figure is compared as it is displayed (rounded to the indicator's decimals: 16.25% is
  16.3%), so a report never shows a figure equal to its target marked as missed;
- ``on target``: the figure meets the target (at most, or at least, the target value);
- ``off target, recoverable``: it misses by no more than the target's ``margin`` (from
  ``recoverable_within`` in the targets file: a number in the indicator's unit, or a share of
  the target; default 10% of the target);
- ``off target, causing concern``: it misses by more. With ``improving_is_recoverable`` set in
  the file, a bigger miss that moved towards the target since the previous period is still
  recoverable.

Every status has a symbol as well as its words, so neither tables nor charts rely on colour.

Example:
    >>> from cscbench.datasets.targets import Target
    >>> t = Target("cp_subsequent_pct", "Repeat plans (%)", "percent", 17.0, "at most", 1.7)
    >>> [target_status(v, t) for v in (16.2, 17.04, 18.7, 18.8)]
    ['on target', 'on target', 'off target, recoverable', 'off target, causing concern']
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from cscbench.datasets.store import Source
from cscbench.datasets.targets import (
    Target,
    TargetPlan,
    period_label,
    read_quarterly,
    read_targets,
)

ON_TARGET = "on target"
RECOVERABLE = "off target, recoverable"
CONCERN = "off target, causing concern"

#: The symbol shown beside each status (shape, not colour, carries the meaning).
SYMBOL = {ON_TARGET: "✓", RECOVERABLE: "!", CONCERN: "✗"}


def _shown(value: float, target: Target) -> float:
    return round(value, target.decimals)


def target_status(
    value: float | None,
    target: Target,
    previous: float | None = None,
    improving_is_recoverable: bool = False,
) -> str | None:
    """The status of ``value`` against ``target`` (see the module's rule); None without a value.

    Example:
        >>> from cscbench.datasets.targets import Target
        >>> t = Target("reviews", "Reviews in time (%)", "percent", 100.0, "at least", 10.0)
        >>> target_status(84.2, t), target_status(84.2, t, 80.3, improving_is_recoverable=True)
        ('off target, causing concern', 'off target, recoverable')
    """
    if value is None:
        return None
    miss = _miss(_shown(value, target), target)
    if miss <= 0:
        return ON_TARGET
    if miss <= target.margin + 1e-9:
        return RECOVERABLE
    improved = previous is not None and miss < _miss(_shown(previous, target), target)
    return RECOVERABLE if improving_is_recoverable and improved else CONCERN


def _miss(value: float, target: Target) -> float:
    """How far ``value`` falls short of the target (0 or less: met)."""
    gap = value - target.value if target.direction == "at most" else target.value - value
    return round(gap, 9)


def travel(value: float | None, previous: float | None, target: Target) -> str | None:
    """'improving', 'worsening' or 'no change' since the previous period, by the target's
    direction (at most: lower is better), as displayed.

    Example:
        >>> from cscbench.datasets.targets import Target
        >>> t = Target("cp_start_rate", "Plans starting", "rate_per_10k", 45.0, "at most", 4.5)
        >>> travel(49.9, 55.0, t), travel(54.4, 49.9, t), travel(54.4, 54.4, t)
        ('improving', 'worsening', 'no change')
    """
    if value is None or previous is None:
        return None
    now, before = _shown(value, target), _shown(previous, target)
    if now == before:
        return "no change"
    better = now < before if target.direction == "at most" else now > before
    return "improving" if better else "worsening"


def as_plan(targets: TargetPlan | str | Path) -> TargetPlan:
    """A targets plan from a plan or a TOML file's path."""
    return targets if isinstance(targets, TargetPlan) else read_targets(targets)


def _status_rows(rows: list[dict], plan: TargetPlan) -> list[dict]:
    """Add target, status, symbol, change and travel to one indicator's rows, in period order."""
    out, previous = [], {}
    for row in rows:
        target = plan.get(row["indicator"])
        kind = row["quarter"] is not None  # quarters follow quarters, years follow years
        before = previous.get(kind)
        status = target_status(row["value"], target, before, plan.improving_is_recoverable)
        out.append(
            row
            | {
                "target": target.value,
                "direction": target.direction,
                "recoverable_within": target.margin,
                "status": status,
                "symbol": SYMBOL.get(status),
                "change": None if row["value"] is None or before is None else row["value"] - before,
                "travel": travel(row["value"], before, target),
            }
        )
        if row["value"] is not None:
            previous[kind] = row["value"]
    return out


SCHEMA = {
    "indicator": pl.String,
    "title": pl.String,
    "unit": pl.String,
    "period": pl.String,
    "figures": pl.String,
    "value": pl.Float64,
    "numerator": pl.Float64,
    "denominator": pl.Float64,
    "target": pl.Float64,
    "direction": pl.String,
    "recoverable_within": pl.Float64,
    "status": pl.String,
    "symbol": pl.String,
    "change": pl.Float64,
    "travel": pl.String,
    "published_year": pl.Int32,
    "published_value": pl.Float64,
    "comparator_mean": pl.Float64,
    "region": pl.Float64,
    "england": pl.Float64,
}


def targets(
    la: str,
    plan: TargetPlan | str | Path,
    local: pl.DataFrame | str | Path | None = None,
    year: int | str | None = None,
    group: str = "sn2025",
    include_self: bool = False,
    periods: int = 5,
    source: Source = None,
) -> pl.DataFrame:
    """Each target's figures by period with their status, beside the latest published values.

    Figures come from ``local`` (the authority's quarterly CSV, or a frame from
    :func:`~cscbench.datasets.targets.read_quarterly`) where it has them; otherwise, for DfE's
    indicators, from the last ``periods`` published years up to ``year``. ``figures`` says
    which ("local" or "DfE"). ``published_*``, ``comparator_mean``, ``region`` and ``england``
    are DfE's latest year (``year``), for comparison with local quarters.

    Example:
        >>> import os, tempfile
        >>> p = os.path.join(tempfile.mkdtemp(), "t.toml")
        >>> _ = open(p, "w").write('[[target]]\\nindicator = "rereferral_pct"\\n'
        ...                        'target = 22\\ndirection = "at most"\\n')
        >>> t = targets("Derby", p, year=2017, group="sn2021")
        >>> t.select("period", pl.col("value").round(1), "symbol", "status").row(-1)
        ('2016-17', 21.3, '✓', 'on target')
    """
    from cscbench.analyses.engine import benchmark, series

    plan = as_plan(plan)
    if local is not None and not isinstance(local, pl.DataFrame):
        local = read_quarterly(local, plan)
    published = [t.indicator for t in plan.targets if t.published]
    latest = {}
    history = pl.DataFrame()
    if published:
        table = benchmark(
            la,
            year=year,
            group=group,
            include_self=include_self,
            indicators=published,
            source=source,
        )
        latest = {r["indicator"]: r for r in table.iter_rows(named=True)}
        year = int(table["year"][0])
        history = series(la, published, group, include_self, source).filter(
            pl.col("year").is_between(year - periods + 1, year)
        )
    rows = []
    for target in plan.targets:
        mine = local.filter(pl.col("indicator") == target.indicator) if local is not None else None
        if mine is not None and mine.height:
            periods_rows = [r | {"figures": "local"} for r in mine.iter_rows(named=True)]
        elif target.published:
            periods_rows = [
                {
                    "indicator": target.indicator,
                    "period": period_label(r["year"], None),
                    "quarter": None,
                    "value": r["value"],
                    "numerator": r["numerator"],
                    "denominator": r["denominator"],
                    "figures": "DfE",
                }
                for r in history.filter(pl.col("indicator") == target.indicator)
                .sort("year")
                .iter_rows(named=True)
            ]
        else:
            periods_rows = [
                {
                    "indicator": target.indicator,
                    "period": None,
                    "quarter": None,
                    "value": None,
                    "numerator": None,
                    "denominator": None,
                    "figures": "none given",
                }
            ]
        pub = latest.get(target.indicator, {})
        for row in _status_rows(periods_rows, plan):
            rows.append(
                {k: row.get(k) for k in SCHEMA}
                | {
                    "title": target.title,
                    "unit": target.unit,
                    "published_year": pub.get("year"),
                    "published_value": pub.get("value"),
                    "comparator_mean": pub.get("comparator_mean"),
                    "region": pub.get("region"),
                    "england": pub.get("england"),
                }
            )
    return pl.DataFrame(rows, schema=SCHEMA)


def with_targets(table: pl.DataFrame, plan: TargetPlan | str | Path) -> pl.DataFrame:
    """A benchmark table with ``target``, ``target_direction``, ``target_status`` and
    ``target_symbol`` for each indicator that has a target (null elsewhere).

    Example:
        >>> from cscbench.analyses import benchmark
        >>> from cscbench.datasets.targets import Target, TargetPlan
        >>> plan = TargetPlan("t", (Target("rereferral_pct", "Re-referrals (%)", "percent",
        ...                               20.0, "at most", 2.0),))
        >>> b = benchmark("Derby", year=2017, group="sn2021", indicators=["rereferral_pct"])
        >>> with_targets(b, plan).select("target", "target_status").row(0)
        (20.0, 'off target, recoverable')
    """
    plan = as_plan(plan)
    values = []
    for row in table.select("indicator", "value", "previous_value").iter_rows(named=True):
        target = plan.get(row["indicator"])
        if target is None:
            values.append((None, None, None, None))
            continue
        status = target_status(
            row["value"], target, row["previous_value"], plan.improving_is_recoverable
        )
        values.append((target.value, target.direction, status, SYMBOL.get(status)))
    names = ("target", "target_direction", "target_status", "target_symbol")
    types = (pl.Float64, pl.String, pl.String, pl.String)
    return table.with_columns(
        pl.Series(name, [v[i] for v in values], dtype=dtype)
        for i, (name, dtype) in enumerate(zip(names, types, strict=True))
    )
