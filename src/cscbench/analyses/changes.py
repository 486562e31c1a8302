"""Changes: year-on-year and since-base changes of the authority, its comparator mean and
England, and the comparator mean's change like for like (:func:`matched_changes`).

Example:
    >>> t = pl.DataFrame({"la_code": ["831"] * 2, "indicator": ["cla_rate"] * 2,
    ...                   "year": [2024, 2025], "value": [80.0, 88.0],
    ...                   "comparator_mean": [70.0, 70.0], "england": [70.0, 69.0],
    ...                   "status": ["published"] * 2, "group_missing": [[], []]})
    >>> with_changes(t, None).select("change_1y", "change_1y_pct", "england_change_1y").row(1)
    (8.0, 10.0, -1.0)
"""

from __future__ import annotations

import polars as pl

from cscbench.analyses.flags import zero_unlikely
from cscbench.analyses.group_stats import GRID_ROWS
from cscbench.analyses.wording import year_label
from cscbench.errors import UsageError


def _pct_change(new: pl.Expr, old: pl.Expr) -> pl.Expr:
    return pl.when(old != 0).then((new - old) / old.abs() * 100)


def with_changes(table: pl.DataFrame, base_year: int | None) -> pl.DataFrame:
    """Year-on-year and since-base changes for the authority, the comparator mean and England,
    with the members that had no figure in the previous and base years (``group_missing_previous``,
    ``group_missing_base``): a comparator mean's change is over the same authorities only when
    these equal ``group_missing``."""
    if base_year is not None and not table.is_empty() and base_year > table["year"].max():
        raise UsageError(
            f"the base year, {year_label(base_year)}, is after the last year of figures, "
            f"{year_label(table['year'].max())}"
        )
    series = {"value": "", "comparator_mean": "comparator_mean_", "england": "england_"}
    prev = table.select(
        "la_code",
        "indicator",
        (pl.col("year") + 1).alias("year"),
        *(pl.col(c).alias(f"_prev_{c}") for c in series),
        pl.col("status").alias("previous_status"),
        pl.col("group_missing").alias("group_missing_previous"),
    )
    table = table.join(prev, on=["la_code", "indicator", "year"], how="left")
    table = table.join(
        base_years(table, base_year), on=["la_code", "indicator"], how="left", maintain_order="left"
    )
    base = table.select(
        "la_code",
        "indicator",
        pl.col("year").alias("base_year"),
        *(pl.col(c).alias(f"_base_{c}") for c in series),
        pl.col("group_missing").alias("group_missing_base"),
    )
    table = table.join(base, on=["la_code", "indicator", "base_year"], how="left")
    out = []
    for column, prefix in series.items():
        name = prefix or ""
        previous = "previous_value" if column == "value" else f"{name}previous"
        base_name = "base_value" if column == "value" else f"{name}base"
        out += [
            pl.col(f"_prev_{column}").alias(previous),
            (pl.col(column) - pl.col(f"_prev_{column}")).alias(f"{name}change_1y"),
            _pct_change(pl.col(column), pl.col(f"_prev_{column}")).alias(f"{name}change_1y_pct"),
            pl.col(f"_base_{column}").alias(base_name),
            (pl.col(column) - pl.col(f"_base_{column}")).alias(f"{name}change_since_base"),
            _pct_change(pl.col(column), pl.col(f"_base_{column}")).alias(
                f"{name}change_since_base_pct"
            ),
        ]
    table = table.with_columns(out)
    return table.drop([c for c in table.columns if c.startswith("_")])


def base_years(table: pl.DataFrame, base_year: int | None) -> pl.DataFrame:
    """(la_code, indicator, base_year): the first year from ``base_year`` (default: the
    indicator's first year in ``table``) in which each authority has a figure for the
    indicator; no such year, no row. The changes since base of :func:`with_changes` are from it.

    Example:
        >>> t = pl.DataFrame({"la_code": ["831"] * 3, "indicator": ["cla_rate"] * 3,
        ...                   "year": [2023, 2024, 2025], "value": [None, 80.0, 88.0]})
        >>> base_years(t, None).rows(), base_years(t, 2025).rows()
        ([('831', 'cla_rate', 2024)], [('831', 'cla_rate', 2025)])
    """
    first_year = table.group_by("indicator").agg(pl.col("year").min().alias("_first"))
    requested = pl.lit(base_year, pl.Int32) if base_year is not None else pl.col("_first")
    starts = table.filter(pl.col("value").is_not_null()).select("la_code", "indicator", "year")
    return (
        table.select("la_code", "indicator")
        .unique()
        .join(first_year, on="indicator", how="left")
        .with_columns(requested.alias("_requested"))
        .join(starts, on=["la_code", "indicator"], how="left")
        .filter(pl.col("year") >= pl.col("_requested"))
        .group_by("la_code", "indicator")
        .agg(pl.col("year").min().alias("base_year"))
    )


def _comparator_pairs(members: pl.DataFrame, include_self: bool) -> pl.DataFrame:
    """(focus, member) for every authority the comparator mean counts, in group order (a
    fixed order makes the means' sums independent of input order)."""
    pairs = members.sort("focus", "order").select("focus", "member")
    if include_self:
        own = members.select("focus").unique().with_columns(pl.col("focus").alias("member"))
        pairs = pl.concat([own, pairs]).sort("focus", maintain_order=True)
    return pairs


def _matched_means(pairs: pl.DataFrame, name: str) -> pl.DataFrame:
    """Count, change and % change of the mean of ``value`` against the mean of ``then`` per
    (focus, indicator, year), over rows (member figures) that have both."""
    now, before = pl.col("value").mean(), pl.col("then").mean()
    n = "comparator_matched_n_" + ("1y" if name == "1y" else "base")
    return pairs.group_by("focus", "indicator", "year").agg(
        pl.len().cast(pl.Int32).alias(n),
        (now - before).alias(f"comparator_matched_change_{name}"),
        _pct_change(now, before).alias(f"comparator_matched_change_{name}_pct"),
    )


def matched_changes(
    table: pl.DataFrame,
    panel: pl.DataFrame,
    members: pl.DataFrame,
    include_self: bool = False,
    exclude_doubtful: bool = False,
) -> pl.DataFrame:
    """The comparator mean's changes like for like: over the members with a figure in both
    years, for the year-on-year change (``comparator_matched_change_1y``, ``_1y_pct``,
    ``comparator_matched_n_1y``) and the change since ``base_year``
    (``comparator_matched_change_since_base``, ``_since_base_pct``,
    ``comparator_matched_n_base``).

    Each year's ``comparator_mean`` is over the members with a figure that year, as in LAIT,
    so where a member has a figure in one year only, the difference of the two means is partly
    a change of authorities: Rutland's neighbours' mean number of referrals went from 3,506
    (nine) to 7,520 (ten) in 2024-25 because Hampshire (41,142) had no 2023-24 figure. The
    matched change is cscbench's own rule, not LAIT's: the difference of the two years' means
    over the same authorities (a matched, or paired, comparison), 3,506 to 3,784 over the nine,
    +7.9%. Where every member has a figure in both years it equals
    ``comparator_mean_change_1y``. No matched member: the change is null and the count 0;
    no earlier base year: the since-base columns are null.

    Example:
        >>> from cscbench.analyses import benchmark
        >>> t = benchmark("Rutland", year=2025, indicators=["referral_count"])
        >>> row = t.row(0, named=True)
        >>> row["comparator_matched_n_1y"], round(row["comparator_matched_change_1y_pct"], 1)
        (9, 7.9)
    """
    keys = table.select(pl.col("la_code").alias("focus"), "indicator", "year", "base_year")
    if exclude_doubtful:  # left out of the comparator figures, as from every group statistic
        panel = panel.filter(~zero_unlikely().fill_null(False))
    grid = members.height * panel.select("indicator", "year").n_unique()
    if grid <= GRID_ROWS:
        matched = _matched_changes(keys, panel, members, include_self)
    else:  # a large grid indicator by indicator, as in group_statistics, on the keys alone
        keys = keys.with_row_index("_row")
        parts = [
            _matched_changes(rows, panel.filter(pl.col("indicator") == name), members, include_self)
            for (name,), rows in keys.group_by("indicator", maintain_order=True)
        ]
        matched = pl.concat(parts).sort("_row").drop("_row")
    return table.hstack(matched.get_columns())


def _matched_changes(
    keys: pl.DataFrame, panel: pl.DataFrame, members: pl.DataFrame, include_self: bool
) -> pl.DataFrame:
    """The matched columns for ``keys`` (focus, indicator, year, base_year), in their order;
    any other column of ``keys`` is kept."""
    figures = panel.filter(pl.col("value").is_not_null()).select(
        "indicator", "year", pl.col("la_code").alias("member"), "value"
    )
    pairs = _comparator_pairs(members, include_self)
    previous = figures.select(
        "indicator", (pl.col("year") + 1).alias("year"), "member", pl.col("value").alias("then")
    )
    with_previous = figures.join(previous, on=["member", "indicator", "year"])
    one_year = _matched_means(pairs.join(with_previous, on="member", maintain_order="left"), "1y")
    bases = keys.filter(pl.col("base_year") < pl.col("year")).select(
        "focus", "indicator", "year", "base_year"
    )
    at_base = figures.rename({"year": "base_year", "value": "then"})
    since_base = _matched_means(
        bases.join(pairs, on="focus", maintain_order="right")
        .join(figures, on=["member", "indicator", "year"], maintain_order="left")
        .join(at_base, on=["member", "indicator", "base_year"], maintain_order="left"),
        "since_base",
    )
    on = ["focus", "indicator", "year"]
    return (
        keys.join(one_year, on=on, how="left", maintain_order="left")
        .join(since_base, on=on, how="left", maintain_order="left")
        .with_columns(
            pl.col("comparator_matched_n_1y").fill_null(0),
            pl.when(pl.col("base_year") < pl.col("year"))
            .then(pl.col("comparator_matched_n_base").fill_null(0))
            .alias("comparator_matched_n_base"),
        )
        .drop(*on, "base_year")
    )
