"""The all-authority benchmark table: every authority x indicator x year with its comparator
statistics, changes and flags (:data:`COLUMNS`), and the authority panel it is built on.

Example:
    >>> t = benchmark_table(indicators=["cla_rate"])
    >>> t.columns == COLUMNS, t.filter(pl.col("year") == 2025)["la_code"].n_unique()
    (True, 153)
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from functools import lru_cache
from pathlib import Path

import polars as pl

from cscbench.analyses.changes import base_years, matched_changes, with_changes
from cscbench.analyses.flags import boundary_events, with_flags
from cscbench.analyses.group_stats import group_label, group_statistics, membership
from cscbench.analyses.wording import year_ending
from cscbench.datasets import load_areas, load_indicators, load_neighbours
from cscbench.datasets.groups import MODEL_LABEL
from cscbench.datasets.registry import INDICATORS, SIZES, in_order, indicator_ids
from cscbench.datasets.store import Source, resolve, stored

#: One figure as every table gives it: its unit and polarity, the value with its count and base,
#: its 95% and 99.8% intervals, and DfE's status (``published``, a symbol, or ``computed``).
FIGURE_COLUMNS = [
    "unit",
    "polarity",
    "value",
    "numerator",
    "denominator",
    "ci95_low",
    "ci95_high",
    "ci998_low",
    "ci998_high",
    "status",
]

COLUMNS = [
    "indicator",
    "year",
    "la_code",
    "area_name",
    *FIGURE_COLUMNS,
    "published_value",
    "group",
    "group_size",
    "group_n",
    "group_missing",
    "group_doubtful",
    "comparator_mean",
    "comparator_mean_without_doubtful",
    "comparator_median",
    "comparator_min",
    "comparator_max",
    "comparator_pooled",
    "rank",
    "rank_of",
    "rank_best",
    "rank_ties",
    "national_rank",
    "national_of",
    "national_rank_best",
    "quartile_band",
    "rank_rule",
    "percentile",
    "england",
    "region",
    "region_name",
    "previous_value",
    "previous_status",
    "change_1y",
    "change_1y_pct",
    "base_year",
    "base_value",
    "change_since_base",
    "change_since_base_pct",
    "comparator_mean_previous",
    "comparator_mean_change_1y",
    "comparator_mean_change_1y_pct",
    "group_missing_previous",
    "comparator_matched_n_1y",
    "comparator_matched_change_1y",
    "comparator_matched_change_1y_pct",
    "comparator_mean_base",
    "comparator_mean_change_since_base",
    "comparator_mean_change_since_base_pct",
    "group_missing_base",
    "comparator_matched_n_base",
    "comparator_matched_change_since_base",
    "comparator_matched_change_since_base_pct",
    "england_previous",
    "england_change_1y",
    "england_change_1y_pct",
    "england_base",
    "england_change_since_base",
    "england_change_since_base_pct",
    "england_comparison_95",
    "england_comparison_998",
    "funnel95_low",
    "funnel95_high",
    "funnel998_low",
    "funnel998_high",
    "funnel_phi",
    "funnel_tau2",
    "funnel_method",
    "spc_rule",
    "spc_mean",
    "spc_lower",
    "spc_upper",
    "spc_points",
    "robust_score",
    "trend",
    "trend_assessment",
    "trend_reason",
    "trend_chi2",
    "trend_annual_change_pct",
    "flags",
]


#: banded, nor scored against the median authority (LAIT gives no rank where a measure has no
#: polarity, as its counts have none).
NOT_FOR_COUNTS = (
    "rank",
    "rank_best",
    "rank_ties",
    "national_rank",
    "national_rank_best",
    "quartile_band",
    "percentile",
    "robust_score",
)


def _unranked_counts() -> list[pl.Expr]:
    counted = pl.col("unit").is_in(sorted(SIZES))
    return [pl.when(~counted).then(pl.col(c)).alias(c) for c in NOT_FOR_COUNTS]


def assemble(
    panel: pl.DataFrame,
    members: pl.DataFrame,
    areas: pl.DataFrame,
    include_self: bool,
    base_year: int | None,
    label: str,
    focus: str | None = None,
    order: Sequence[str] | None = None,
    exclude_doubtful: bool = False,
    year: int | None = None,
    every_year_of: Sequence[str] = (),
) -> pl.DataFrame:
    """Join group statistics, changes and flags onto the panel rows of the focus authorities,
    sorted by authority, indicator (``order``, else the registry's) and year.

    With ``year`` (and ``focus``), only that year's rows, and every year's of the indicators
    in ``every_year_of``: the group statistics are worked for those rows and the years their
    changes look back to alone (:func:`years_needed`), the same figures for a third of the
    work.
    """
    rows = panel if focus is None else panel.filter(pl.col("la_code") == focus)
    counted = panel
    if year is not None:
        if focus is None:
            raise ValueError("assemble: year needs focus")
        needed = years_needed(rows, year, base_year)
        if every_year_of:  # each of their years, and the year before it (1-year changes)
            history = rows.filter(pl.col("indicator").is_in(list(every_year_of)))
            shown = history.select(needed.columns)
            before = shown.with_columns(pl.col("year") - 1)
            needed = pl.concat([needed, shown, before]).unique()
        counted = panel.join(needed, on=["indicator", "year"], how="semi", maintain_order="left")
    stats = group_statistics(counted, members, areas, include_self, exclude_doubtful)
    table = rows.join(
        stats.rename({"focus": "la_code"}), on=["la_code", "indicator", "year"], how="left"
    )
    sizes = members.group_by("focus").agg(pl.len().cast(pl.Int32).alias("group_size"))
    table = table.join(sizes.rename({"focus": "la_code"}), on="la_code", how="left")
    table = table.with_columns(
        pl.col("group_missing").fill_null(pl.lit([], pl.List(pl.String))),
        pl.col("group_doubtful").fill_null(pl.lit([], pl.List(pl.String))),
        pl.col("group_n").fill_null(0),
        pl.col("group_size").fill_null(0),
        pl.lit(label).alias("group"),
        *_unranked_counts(),
    )
    table = with_changes(table, base_year)
    if year is not None:
        kept = pl.col("year") == year
        if every_year_of:
            kept = kept | pl.col("indicator").is_in(list(every_year_of))
        table = table.filter(kept)
    table = matched_changes(table, counted, members, include_self, exclude_doubtful)
    table = with_flags(table, boundary_events(members))
    return table.select(COLUMNS).sort("la_code", in_order(order), "year")


def years_needed(rows: pl.DataFrame, year: int, base_year: int | None) -> pl.DataFrame:
    """(indicator, year) pairs whose group statistics one authority's ``year`` needs: that
    year, the year before and each indicator's base year (:func:`base_years` of its ``rows``).

    Example:
        >>> rows = pl.DataFrame({"la_code": ["831"] * 3, "indicator": ["cla_rate"] * 3,
        ...                      "year": [2019, 2020, 2021], "value": [None, 80.0, 88.0]})
        >>> years_needed(rows, 2021, None).sort("year")["year"].to_list()
        [2020, 2021]
    """
    kind = rows.schema["year"]
    shown = (
        rows.select("indicator")
        .unique()
        .join(pl.DataFrame({"year": [year - 1, year]}, schema={"year": kind}), how="cross")
    )
    bases = base_years(rows, base_year).select("indicator", pl.col("base_year").cast(kind))
    return pl.concat([shown, bases.rename({"base_year": "year"})]).unique()


@lru_cache(maxsize=8)
def _computed_panel(indicators: tuple[str, ...] | None, source: str | None) -> pl.DataFrame:
    from cscbench.analyses.panel_stats import authority_panel, year_grid
    from cscbench.datasets.store import scan

    # The whole data's years (only its year column read), so any subset's rows are the whole's.
    years = year_grid(scan("indicators", source).select("year").collect())
    return authority_panel(load_indicators(indicators, source=source), years)


def panel(
    indicators: str | Sequence[str] | None = None,
    source: Source = None,
    la_codes: Sequence[str] | None = None,
    years: Sequence[int] | None = None,
) -> pl.DataFrame:
    """The authority panel (:func:`~cscbench.analyses.panel_stats.authority_panel`) in use:
    its rows of ``indicators``, ``la_codes`` and ``years`` (None: all).

    Read from the snapshot when it holds the precomputed panel (only the rows asked for, in
    the stored form :func:`~cscbench.analyses.stored_panel.from_stored` reads); otherwise
    computed once per process and kept.

    Example:
        >>> derby = panel(["cla_rate"], la_codes=["831"], years=[2025])
        >>> round(derby["value"].item(), 1)
        87.7
    """
    indicators = indicator_ids(indicators)
    lazy = stored("panel", source)
    computed = lazy is None  # raw files: the panel worked out once and kept
    if computed:
        key = tuple(sorted(indicators)) if indicators is not None else None
        folder = resolve(source)
        where = str(Path(folder).resolve()) if folder is not None else None
        lazy = _computed_panel(key, where).lazy()
    elif indicators is not None:
        lazy = lazy.filter(pl.col("indicator").is_in(indicators))
    if la_codes is not None:
        lazy = lazy.filter(pl.col("la_code").is_in(list(la_codes)))
    if years is not None:
        lazy = lazy.filter(pl.col("year").is_in(list(years)))
    if computed:
        return lazy.collect()
    from cscbench.analyses.stored_panel import from_stored

    return from_stored(lazy.collect())


def derived_tables(indicators: pl.DataFrame) -> dict[str, pl.DataFrame]:
    """Tables the snapshot stores precomputed: the authority panel, its percentile and robust
    score in their stored form (:func:`~cscbench.analyses.stored_panel.stored_panel`)."""
    from cscbench.analyses.panel_stats import authority_panel
    from cscbench.analyses.stored_panel import stored_panel

    return {"panel": stored_panel(authority_panel(indicators))}


def benchmark_table(
    group: str = "sn2025",
    include_self: bool = False,
    indicators: str | Sequence[str] | None = None,
    base_year: int | str | None = None,
    source: Source = None,
    data: pl.DataFrame | None = None,
    areas: pl.DataFrame | None = None,
    neighbours: pl.DataFrame | None = None,
    exclude_doubtful: bool = False,
) -> pl.DataFrame:
    """The full benchmark table: every authority x indicator x year (LAIT's LA view for all).

    ``data``, ``areas`` and ``neighbours`` replace the frames read from ``source`` (for
    synthetic panels, as the performance suite's scale case builds). ``exclude_doubtful``
    leaves doubtful zeros out of every group statistic (see :func:`group_statistics`).

    Example:
        >>> t = benchmark_table(indicators=["cp_subsequent_pct"])
        >>> t.filter(pl.col("year") == 2025)["la_code"].n_unique()
        153
    """
    base_year = year_ending(base_year)
    indicators = indicator_ids(indicators)
    areas = load_areas(source) if areas is None else areas
    if data is None:
        rows = panel(indicators, source)
    else:
        from cscbench.analyses.panel_stats import authority_panel, year_grid

        years = year_grid(data)  # the whole frame's, so a subset's rows are the whole's
        if indicators is not None:
            data = data.filter(pl.col("indicator").is_in(list(indicators)))
        rows = authority_panel(data, years)
    if neighbours is None:
        neighbours = load_neighbours(source=source)
    members = membership(group, areas, neighbours)
    label = (
        MODEL_LABEL.get(group)
        or {
            "region": "Authorities in the region",
            "england": "All authorities",
            "all": "All authorities",
        }[group]
    )
    return assemble(
        rows,
        members,
        areas,
        include_self,
        base_year,
        group_label(label, include_self, exclude_doubtful=exclude_doubtful),
        exclude_doubtful=exclude_doubtful,
    )


def benchmark_table_parts(
    group: str = "sn2025",
    include_self: bool = False,
    indicators: str | Sequence[str] | None = None,
    base_year: int | str | None = None,
    source: Source = None,
    data: pl.DataFrame | None = None,
    areas: pl.DataFrame | None = None,
    neighbours: pl.DataFrame | None = None,
    exclude_doubtful: bool = False,
) -> Iterator[pl.DataFrame]:
    """:func:`benchmark_table` one indicator at a time: the same rows, in parts.

    Every statistic of the table is worked within one indicator (funnels and ranks across the
    authorities of an indicator and year, trends and SPC along one authority's series), so
    the parts are exactly the whole table's rows, and a national run at any scale holds one
    indicator's rows at a time (:func:`cscbench.output.write_parts` streams them to a file).

    Example:
        >>> parts = benchmark_table_parts(indicators=["cla_rate", "cp_rate"])
        >>> [part["indicator"].unique().to_list() for part in parts]
        [['cla_rate'], ['cp_rate']]
    """
    indicators = indicator_ids(indicators) or _indicators_in(source, data)
    for indicator in indicators:
        yield benchmark_table(
            group,
            include_self,
            [indicator],
            base_year,
            source,
            data,
            areas,
            neighbours,
            exclude_doubtful,
        )


def _indicators_in(source: Source, data: pl.DataFrame | None) -> list[str]:
    """The indicators of ``data``, or of the data in use, in registry order (names only: the
    stored panel's column, or the indicator data's, is read, never a whole panel)."""
    if data is not None:
        present = set(data["indicator"].unique())
    else:
        from cscbench.datasets.store import scan

        lazy = stored("panel", source)
        lazy = scan("indicators", source) if lazy is None else lazy
        present = set(lazy.select(pl.col("indicator").unique()).collect()["indicator"])
    return [name for name in INDICATORS if name in present]
