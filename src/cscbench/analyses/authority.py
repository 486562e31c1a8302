"""One authority's benchmark: :func:`benchmark` (one row per indicator, one year) and
:func:`series` (every year), against its comparator group, region and England;
:func:`benchmark_and_series` gives both at once.

Comparator statistics follow DfE's LAIT (see :mod:`cscbench.analyses.engine`).

Example:
    >>> b = benchmark("Derby", year=2017, group="sn2021", include_self=True,
    ...               indicators=["rereferral_pct"])
    >>> round(b["value"].item(), 1), round(b["comparator_mean"].item(), 1)
    (21.3, 22.7)
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import polars as pl

from cscbench.analyses.group_stats import custom_membership, group_label
from cscbench.analyses.held import check_exists, check_held, year_or_latest
from cscbench.analyses.status import with_targets
from cscbench.analyses.table import assemble, panel
from cscbench.analyses.wording import year_ending, year_label
from cscbench.datasets import group as group_of
from cscbench.datasets import load_areas
from cscbench.datasets.areas import find_area
from cscbench.datasets.groups import ComparatorGroup
from cscbench.datasets.registry import indicator_ids
from cscbench.datasets.store import Source
from cscbench.datasets.targets import TargetPlan
from cscbench.errors import UsageError


def benchmark(
    la: str,
    year: int | str | None = None,
    group: str | ComparatorGroup = "sn2025",
    comparators: str | Sequence[str] | None = None,
    include_self: bool = False,
    indicators: str | Sequence[str] | None = None,
    base_year: int | str | None = None,
    source: Source = None,
    group_name: str | None = None,
    targets: TargetPlan | str | Path | None = None,
    exclude_doubtful: bool = False,
) -> pl.DataFrame:
    """One authority's benchmark: one row per indicator (columns in :data:`COLUMNS`).

    ``group`` is sn2025 (default), sn2021, region, england, all, or custom (with
    ``comparators``: names or codes), or a :class:`ComparatorGroup` already made.
    ``year`` defaults to the latest year. With ``targets`` (a targets file or plan), the
    columns of :func:`~cscbench.analyses.performance.with_targets` are added.
    ``exclude_doubtful`` leaves doubtful zeros out of every group statistic
    (:func:`group_statistics`); by default they count, as in LAIT, and ``group_doubtful`` and
    ``comparator_mean_without_doubtful`` say what difference they make.

    Example:
        >>> b = benchmark("Derby", year=2025, indicators=["cla_rate"])
        >>> b.select("value", "group_n").row(0)[1]
        10
    """
    rows, _ = benchmark_and_series(
        la, (), year, group, comparators, include_self, indicators, base_year, source,
        group_name, targets, exclude_doubtful,
    )  # fmt: skip
    return rows


def benchmark_and_series(
    la: str,
    charted: Sequence[str],
    year: int | str | None = None,
    group: str | ComparatorGroup = "sn2025",
    comparators: str | Sequence[str] | None = None,
    include_self: bool = False,
    indicators: str | Sequence[str] | None = None,
    base_year: int | str | None = None,
    source: Source = None,
    group_name: str | None = None,
    targets: TargetPlan | str | Path | None = None,
    exclude_doubtful: bool = False,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """:func:`benchmark`, and every year of the authority's rows of the ``charted``
    indicators among ``indicators`` (as :func:`series` gives them, under the benchmark's group
    label), from one pass over the group's figures: what a pack's table and its trend charts
    need, for two-thirds of the work of asking for each.

    Example:
        >>> table, history = benchmark_and_series("Derby", ["cla_rate"], year=2025)
        >>> table.height > 50, sorted(set(history["year"]))[-1]
        (True, 2025)
    """
    areas = load_areas(source)
    focus = find_area(la, areas)
    year = year_or_latest(year, source)
    base_year = year_ending(base_year)
    if base_year is not None and base_year >= year:
        raise UsageError(
            f"the base year, {year_label(base_year)}, is not before the year benchmarked, "
            f"{year_label(year)}"
        )
    check_exists(focus, year)
    chosen = group_of(focus["la_code"], group, comparators, source)  # comparators: custom
    label = group_label(
        group_name or chosen.label, include_self, focus["area_name"], exclude_doubtful
    )
    indicators = indicator_ids(indicators)
    # a base year changes every row's changes since it: the history is then series' own
    history_of = [] if base_year is not None else list(charted)
    figures = panel(indicators, source, [chosen.focus, *chosen.members])
    found = assemble(
        figures,
        custom_membership(chosen),
        areas,
        include_self,
        base_year,
        label,
        focus=focus["la_code"],
        order=indicators,
        exclude_doubtful=exclude_doubtful,
        year=year,
        every_year_of=history_of,
    )
    rows = found.filter(pl.col("year") == year) if history_of else found
    held = figures.filter(pl.col("la_code") == focus["la_code"])  # the rows of every year
    check_held(rows, held, focus["area_name"], f"in {year_label(year)}")
    if rows.is_empty():
        raise UsageError(f"no figures for {focus['area_name']} in {year_label(year)}")
    if targets is not None:
        rows = with_targets(rows, targets)
    if history_of:
        history = found.filter(pl.col("indicator").is_in(history_of))
    elif charted:
        history = series(
            focus["la_code"], charted, chosen, include_self, source, exclude_doubtful
        ).with_columns(pl.lit(label).alias("group"))
    else:
        history = found.clear()
    return rows, history


def series(
    la: str,
    indicators: str | Sequence[str] | None = None,
    group: str = "sn2025",
    include_self: bool = False,
    source: Source = None,
    exclude_doubtful: bool = False,
) -> pl.DataFrame:
    """Every year of the authority's benchmark rows for ``indicators`` (default: all).

    Example:
        >>> rows = series("Derby", ["cp_count"], group="sn2021")
        >>> rows.filter(pl.col("year") == 2017)["value"].item()
        368.0
    """
    areas = load_areas(source)
    chosen = group_of(la, group, source=source)
    return assemble(
        panel(indicators, source, [chosen.focus, *chosen.members]),
        custom_membership(chosen),
        areas,
        include_self,
        None,
        group_label(chosen.label, include_self, exclude_doubtful=exclude_doubtful),
        focus=chosen.focus,
        exclude_doubtful=exclude_doubtful,
    )
