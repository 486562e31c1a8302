"""Targets by period: each period's figure against its target, as a performance framework.

The status rule is :mod:`cscbench.analyses.status`'s (:func:`target_status`, re-exported here
with its constants, :func:`travel`, :func:`as_plan` and :func:`with_targets`).

Example:
    >>> from cscbench.datasets.targets import Target
    >>> t = Target("cp_subsequent_pct", "Repeat plans (%)", "percent", 17.0, "at most", 1.7)
    >>> SYMBOL[target_status(18.8, t)]
    '✗'
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from cscbench.analyses.authority import benchmark
from cscbench.analyses.status import (
    CONCERN,
    ON_TARGET,
    RECOVERABLE,
    SYMBOL,
    as_plan,
    target_status,
    travel,
    with_targets,
)
from cscbench.analyses.views import series
from cscbench.datasets.store import Source
from cscbench.datasets.targets import TargetPlan, period_label, read_quarterly

__all__ = [
    "CONCERN",
    "ON_TARGET",
    "RECOVERABLE",
    "SCHEMA",
    "SYMBOL",
    "as_plan",
    "target_status",
    "targets",
    "travel",
    "with_targets",
]


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
