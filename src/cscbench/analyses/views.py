"""Views across authorities and years: :func:`rank` (every authority on one indicator),
:func:`trend` (an authority's series with its comparators) and :func:`outliers` (every flagged
figure, with why).

Example:
    >>> trend("Derby", "cp_count", 2016, 2017, group="sn2021")["value"].to_list()
    [314.0, 368.0]
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from cscbench.analyses import ranks
from cscbench.analyses.authority import series
from cscbench.analyses.flags import FLAG_MEANINGS, flag_ids
from cscbench.analyses.held import check_held, year_or_latest
from cscbench.analyses.table import benchmark_table
from cscbench.analyses.wording import year_ending, year_label
from cscbench.datasets import comparator_group, load_areas, load_neighbours, split_names
from cscbench.datasets.areas import find_area
from cscbench.datasets.registry import in_order
from cscbench.datasets.store import Source
from cscbench.errors import UsageError


def rank(
    indicator: str,
    year: int | str | None = None,
    la: str | None = None,
    group: str = "all",
    source: Source = None,
    unrounded: bool = False,
) -> pl.DataFrame:
    """Every authority (or ``la`` and its group) ranked on one indicator, with band and flags.

    Ranks and bands are taken on DfE's published figure, as LAIT takes them (ties share the
    better rank); ``unrounded`` takes them on the unrounded values. ``rank_rule`` says which.

    Example:
        >>> r = rank("rereferral_pct", year=2017, la="Derby", group="sn2021")
        >>> r.height, r.filter(pl.col("la_code") == "831")["rank"].item()
        (11, 8)
    """
    rule = "unrounded" if unrounded else "published"
    year = year_or_latest(year, source)
    table = benchmark_table(indicators=[indicator], source=source)
    rows = table.filter(pl.col("year") == year)
    check_held(rows, table, indicator, f"in {year_label(year)}")
    rows = ranks.national_standing(rows, rule)  # national: over every authority, before any group
    if la is not None and group not in ("all", "england"):
        areas = load_areas(source)
        focus = find_area(la, areas)
        chosen = comparator_group(focus["la_code"], group, areas, load_neighbours(source=source))
        codes = [chosen.focus, *chosen.members]
        rows = rows.filter(pl.col("la_code").is_in(codes))
    v = ranks.ranked_figure(rows, rule)
    return (
        rows.with_columns(
            v.rank("min", descending=True).cast(pl.Int32).alias("rank"),
            v.count().cast(pl.Int32).alias("rank_of"),
        )
        .sort("rank", "area_name", nulls_last=True)
        .select(
            "rank",
            "rank_of",
            "la_code",
            "area_name",
            "value",
            "numerator",
            "denominator",
            "ci95_low",
            "ci95_high",
            "status",
            "national_rank",
            "national_rank_best",
            "quartile_band",
            "rank_rule",
            "percentile",
            "england_comparison_95",
            "robust_score",
            "flags",
        )
    )


def trend(
    la: str,
    indicator: str,
    year_from: int | str | None = None,
    year_to: int | str | None = None,
    group: str = "sn2025",
    include_self: bool = False,
    source: Source = None,
) -> pl.DataFrame:
    """An authority's series with its comparator mean, its region and England, per year.

    Example:
        >>> t = trend("Derby", "cp_count", 2016, 2017, group="sn2021", include_self=True)
        >>> t["value"].to_list()
        [314.0, 368.0]
    """
    year_from = year_ending(year_from)
    year_to = year_ending(year_to)
    if year_from is not None and year_to is not None and year_from > year_to:
        raise UsageError(
            f"the first year, {year_label(year_from)}, is after the last, {year_label(year_to)}"
        )
    rows = series(la, [indicator], group, include_self, source)
    view = trend_view(rows, year_from, year_to)
    asked = [f"from {year_label(year_from)}"] if year_from is not None else []
    asked += [f"{'to' if asked else 'up to'} {year_label(year_to)}"] if year_to is not None else []
    check_held(view, rows, f"{rows['area_name'][0]} on {indicator}", " ".join(asked))
    return view


#: The columns of a trend view (:func:`trend_view`), in order.
TREND_COLUMNS = (
    "year",
    "la_code",
    "area_name",
    "value",
    "ci95_low",
    "ci95_high",
    "status",
    "comparator_mean",
    "group_n",
    "group_missing",
    "region",
    "england",
    "change_1y",
    "change_1y_pct",
    "spc_rule",
    "trend",
    "trend_reason",
    "flags",
)


def trend_view(
    rows: pl.DataFrame, year_from: int | None = None, year_to: int | None = None
) -> pl.DataFrame:
    """The columns of :func:`trend` from an authority's benchmark rows of one indicator."""
    return _viewed(rows.lazy(), year_from, year_to).select(TREND_COLUMNS).sort("year").collect()


def trend_views(
    rows: pl.DataFrame, year_from: int | None = None, year_to: int | None = None
) -> dict[str, pl.DataFrame]:
    """:func:`trend_view` of every indicator in ``rows`` at once, by indicator: one query
    where a pack's 19 trend charts took four each.

    Example:
        >>> rows = series("Derby", ["cla_rate", "cin_rate"])
        >>> views = trend_views(rows, year_to=2024)
        >>> views["cla_rate"].equals(trend_view(rows.filter(pl.col("indicator") == "cla_rate"),
        ...                                     year_to=2024))
        True
    """
    frame = (
        _viewed(rows.lazy(), year_from, year_to)
        .select("indicator", *TREND_COLUMNS)
        .sort("indicator", "year")
        .collect()
    )
    parts = frame.partition_by("indicator", as_dict=True, include_key=False)
    return {indicator: part for (indicator,), part in parts.items()}


def _viewed(rows: pl.LazyFrame, year_from: int | None, year_to: int | None) -> pl.LazyFrame:
    """``rows`` within the years asked."""
    if year_from is not None:
        rows = rows.filter(pl.col("year") >= year_from)
    if year_to is not None:
        rows = rows.filter(pl.col("year") <= year_to)
    return rows


def outliers(
    year: int | str | None = None,
    indicators: str | Sequence[str] | None = None,
    group: str = "sn2025",
    source: Source = None,
    flags: str | Sequence[str] | None = None,
    la: str | Sequence[str] | None = None,
) -> pl.DataFrame:
    """Every authority and indicator carrying a flag in ``year``, with why; ``flags`` keeps
    the rows carrying any of those flags, ``la`` the rows of those authorities (names or
    codes, a list or separated by commas).

    Example:
        >>> o = outliers(2025, ["cp_subsequent_pct"])
        >>> set(o["indicator"]) == {"cp_subsequent_pct"} and o["why"].str.len_chars().min() > 0
        True
        >>> outliers(2025, flags="zero_unlikely", la="West Sussex")["indicator"].to_list()
        ['nfa_pct']
    """
    year = year_or_latest(year, source)
    wanted = flag_ids(flags)
    codes = None
    if la is not None:
        areas = load_areas(source)
        names = split_names(la, source) if isinstance(la, str) else list(la)
        codes = [find_area(name, areas)["la_code"] for name in names]
    table = benchmark_table(group=group, indicators=indicators, source=source)
    in_year = table.filter(pl.col("year") == year)
    check_held(in_year, table, "any indicator", f"in {year_label(year)}")
    rows = in_year.filter(pl.col("flags").list.len() > 0)
    if wanted is not None:
        rows = rows.filter(pl.col("flags").list.eval(pl.element().is_in(wanted)).list.any())
    if codes is not None:
        rows = rows.filter(pl.col("la_code").is_in(codes))
    meanings = pl.col("flags").list.eval(pl.element().replace_strict(FLAG_MEANINGS))
    return rows.select(
        "indicator",
        "year",
        "la_code",
        "area_name",
        "value",
        "england",
        "comparator_mean",
        "robust_score",
        "flags",
        meanings.list.join("; ").alias("why"),
    ).sort(in_order(), "area_name")


def spread(indicators: Sequence[str], year: int, source: Source = None) -> pl.DataFrame:
    """The spread of every authority's figure on each of ``indicators`` in ``year``: lowest,
    lower quartile, upper quartile and highest (quartiles interpolated linearly, as OHID's
    Fingertips spine charts draw them).

    Example:
        >>> row = spread(["cla_rate"], 2025).row(0, named=True)
        >>> row["indicator"], row["min"] <= row["q1"] <= row["q3"] <= row["max"]
        ('cla_rate', True)
    """
    from cscbench.analyses.table import panel

    return (
        panel(list(indicators), source, years=[year])
        .group_by("indicator")
        .agg(
            pl.col("value").min().alias("min"),
            pl.col("value").quantile(0.25, "linear").alias("q1"),
            pl.col("value").quantile(0.75, "linear").alias("q3"),
            pl.col("value").max().alias("max"),
        )
        .sort("indicator")
    )
