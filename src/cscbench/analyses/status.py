"""Target status: one figure against its target (the rule below), and a benchmark table's
figures against a plan's targets (:func:`with_targets`).

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

from cscbench.datasets.targets import Target, TargetPlan, read_targets

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
