"""Partnerships: several authorities in one report, each against its own comparators, and
the partnership as a whole.

Safeguarding partnerships often cover more than one authority (Derby and Derbyshire;
Leicestershire and Rutland). :func:`partnership` gives one long table: each member's benchmark
rows against its own comparator group (``role`` "member"), and the partnership pooled
(``role`` "partnership"): numerators and denominators summed over the members, the value and
its intervals worked from the sums as for any area (Wilson for percentages, exact Poisson or
Byar's for rates: PHE/OHID technical guidance). A pooled figure is left empty, with the
members that lack a figure named in ``missing``, whenever any member's figure was withheld:
pooling the others would describe a different area.

Example:
    >>> t = partnership(["Leicestershire", "Rutland"], year=2018, indicators=["rereferral_pct"])
    >>> for row in t.select("area_name", "role", pl.col("value").round(1)).rows():
    ...     print(row)
    ('Leicestershire', 'member', 29.9)
    ('Rutland', 'member', 20.8)
    ('Leicestershire and Rutland', 'partnership', 29.6)
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from cscbench.analyses.authority import benchmark
from cscbench.analyses.flags import SMALL_NUMBERS, imprecise
from cscbench.analyses.table import COLUMNS, FIGURE_COLUMNS, panel
from cscbench.analyses.wording import and_list
from cscbench.datasets import find_area, load_areas, split_names
from cscbench.datasets.areas import spoken_name
from cscbench.datasets.registry import MULTIPLIER, SIZES, UNITS, indicator_ids
from cscbench.datasets.store import Source
from cscbench.errors import UsageError

#: Units whose figure is a ratio of counts, which members' summed counts pool.
RATIOS = sorted(k for k, u in UNITS.items() if u.ratio)


def partnership_name(names: Sequence[str]) -> str:
    """'Leicestershire and Rutland'; 'A, B and C'; each as sentences name it.

    Example:
        >>> partnership_name(["Derby", "Derbyshire"])
        'Derby and Derbyshire'
        >>> partnership_name(["Bristol, City of", "South Gloucestershire"])
        'Bristol and South Gloucestershire'
    """
    return and_list([spoken_name(name) for name in names])


def _pool(rows: pl.DataFrame, names: dict[str, str]) -> pl.DataFrame:
    """One pooled row per (indicator, year) from the members' panel rows."""
    complete = (pl.col("status") == "published") & pl.col("numerator").is_not_null()
    summed = pl.col("unit").is_in(sorted(SIZES))  # sizes add up; ratios pool their counts
    poolable = summed | pl.col("unit").is_in(RATIOS)  # a median or an average does not pool
    complete = complete & (pl.col("denominator").is_not_null() | summed) & poolable
    named = rows.with_columns(pl.col("la_code").replace_strict(names).alias("_name"))
    pooled = named.group_by("indicator", "year", "unit", "polarity").agg(
        pl.col("numerator").sum(),
        pl.col("denominator").sum(),
        pl.col("england").first(),
        pl.col("region").first(),
        pl.col("region_code").n_unique().alias("_regions"),
        complete.all().alias("_complete"),
        pl.col("_name").filter(~complete).alias("missing"),
        pl.len().alias("_members"),
    )
    multiplier = pl.col("unit").replace_strict(MULTIPLIER, return_dtype=pl.Float64)
    value = pl.when(pl.col("unit").is_in(sorted(SIZES))).then(pl.col("numerator"))
    value = value.otherwise(pl.col("numerator") / pl.col("denominator") * multiplier)
    return pooled.with_columns(
        pl.when(pl.col("_complete")).then(value).alias("value"),
        pl.when(pl.col("_complete")).then(pl.col("numerator")).alias("numerator"),
        pl.when(pl.col("_complete") & ~pl.col("unit").is_in(sorted(SIZES)))
        .then(pl.col("denominator"))
        .alias("denominator"),
        pl.when(pl.col("_complete"))
        .then(pl.lit("published"))
        .otherwise(pl.lit("incomplete"))
        .alias("status"),
        pl.when(pl.col("_regions") == 1).then(pl.col("region")).alias("region"),
    )


def pooled(
    la_codes: Sequence[str], indicators: Sequence[str] | None = None, source: Source = None
) -> pl.DataFrame:
    """The partnership as one area, every year: pooled numerator, denominator, value, 95% and
    99.8% intervals, ``status`` ("published" when every member has a figure, else
    "incomplete" with ``missing`` naming the members without one), England and region.

    Example:
        >>> p = pooled(["855", "857"], ["cp_count"]).filter(pl.col("year") == 2018)
        >>> p["value"].item()  # 394 in Leicestershire and 19 in Rutland
        413.0
    """
    areas = load_areas(source).filter(pl.col("la_code").is_in(list(la_codes)))
    names = dict(areas.select("la_code", "area_name").rows())
    rows = panel(indicators, source, list(la_codes))
    from cscbench.analyses.panel_stats import with_intervals

    table = with_intervals(_pool(rows, names))
    return table.select("indicator", "year", *FIGURE_COLUMNS, "missing", "england", "region").sort(
        "indicator", "year"
    )


def _partnership_rows(
    name: str, codes: list[str], year: int, indicators, source: Source
) -> pl.DataFrame:
    every = pooled(codes, indicators, source)
    now = every.filter(pl.col("year") == year)
    before = every.filter(pl.col("year") == year - 1).select(
        "indicator", pl.col("value").alias("previous_value")
    )
    rows = now.join(before, on="indicator", how="left").with_columns(
        pl.lit("+".join(codes)).alias("la_code"),
        pl.lit(name).alias("area_name"),
        pl.lit(f"{name} (pooled)").alias("group"),
        (pl.col("value") - pl.col("previous_value")).alias("change_1y"),
        ((pl.col("value") / pl.col("previous_value") - 1) * 100).alias("change_1y_pct"),
    )
    flags = pl.concat_list(
        pl.when(pl.col("numerator") < SMALL_NUMBERS).then(pl.lit("small_numbers")),
        pl.when(imprecise()).then(pl.lit("imprecise")),
        pl.when(pl.col("status") != "published").then(pl.lit("suppressed")),
    ).list.drop_nulls()
    return rows.with_columns(flags.alias("flags"))


def partnership(
    las: str | Sequence[str],
    year: int | str | None = None,
    group: str = "sn2025",
    include_self: bool = False,
    indicators: str | Sequence[str] | None = None,
    base_year: int | str | None = None,
    source: Source = None,
) -> pl.DataFrame:
    """Each member against its own comparator group, and the partnership pooled.

    Columns: those of :func:`~cscbench.analyses.benchmark` (:data:`~cscbench.analyses.engine.
    COLUMNS`), with ``role`` ("member" or "partnership"), ``partnership`` (its name) and
    ``missing`` (for a pooled row: members without a figure). Group statistics, ranks,
    funnels and SPC belong to the members; on the pooled rows they are empty.
    """
    if isinstance(las, str):  # "Bournemouth, Christchurch and Poole, Dorset"
        las = split_names(las, source)
    if len(las) < 2:
        raise UsageError("a partnership needs at least two authorities")
    focus = [find_area(la, source) for la in las]
    codes = [f["la_code"] for f in focus]
    if len(set(codes)) < len(codes):
        raise UsageError("an authority is named twice in the partnership")
    name = partnership_name([f["area_name"] for f in focus])
    members = [
        benchmark(
            code,
            year=year,
            group=group,
            include_self=include_self,
            indicators=indicators,
            base_year=base_year,
            source=source,
        )
        for code in codes
    ]
    year = int(members[0]["year"][0])
    for f, rows in zip(focus, members, strict=True):
        if int(rows["year"][0]) != year:
            raise UsageError(f"{f['area_name']} has no figures for {year}")
    shown = list(COLUMNS)
    stacked = pl.concat([m.select(shown) for m in members]).with_columns(
        pl.lit("member").alias("role"),
        pl.lit([], pl.List(pl.String)).alias("missing"),
    )
    chosen_indicators = stacked["indicator"].unique(maintain_order=True).to_list()
    whole = _partnership_rows(name, codes, year, chosen_indicators, source)
    whole = whole.with_columns(pl.lit("partnership").alias("role"))
    out = pl.concat([stacked, whole], how="diagonal_relaxed").with_columns(
        pl.lit(name).alias("partnership")
    )
    order = {ind: i for i, ind in enumerate(chosen_indicators)}
    return out.sort(
        pl.col("indicator").replace_strict(order, return_dtype=pl.Int32),
        pl.col("role") == "partnership",
        maintain_order=True,
    ).select([*shown, "role", "partnership", "missing"])


def side_by_side(table: pl.DataFrame) -> pl.DataFrame:
    """One row per indicator: each member's value and its comparator average, the pooled
    partnership and England, from a :func:`partnership` table.

    Example:
        >>> t = partnership(["Leicestershire", "Rutland"], year=2018, indicators=["cp_rate"])
        >>> side_by_side(t).columns[1:4]
        ['Leicestershire', 'Leicestershire comparators', 'Rutland']
    """
    members = table.filter(pl.col("role") == "member")
    whole = table.filter(pl.col("role") == "partnership")
    names = members["area_name"].unique(maintain_order=True).to_list()
    out = whole.select("indicator", pl.col("value").alias(whole["area_name"][0]), "england")
    for name in reversed(names):
        mine = members.filter(pl.col("area_name") == name).select(
            "indicator",
            pl.col("value").alias(name),
            pl.col("comparator_mean").alias(f"{name} comparators"),
        )
        out = mine.join(out, on="indicator", how="left", maintain_order="left")
    columns = ["indicator"]
    for name in names:
        columns += [name, f"{name} comparators"]
    return out.select(*columns, whole["area_name"][0], pl.col("england").alias("England"))


def partnership_trend(
    las: str | Sequence[str],
    indicators: str | Sequence[str] | None = None,
    source: Source = None,
) -> pl.DataFrame:
    """The partnership over time: one row per indicator, year and area, each member, the
    partnership pooled (as :func:`pooled` works it, with its 95% interval) and England, with
    ``role`` ("member", "partnership", "england"), ``status`` and, for a year with no pooled
    figure, ``missing`` (the members whose figure was withheld, so none is pooled).

    Example:
        >>> t = partnership_trend(["Leicestershire", "Rutland"], ["cp_rate"])
        >>> t.filter(pl.col("year") == 2018).select("area_name", pl.col("value").round(1)).rows()
        [('Leicestershire', 28.8), ('Rutland', 23.3), ('Leicestershire and Rutland', 28.5), ('England', 45.9)]
    """  # noqa: E501
    if isinstance(las, str):
        las = split_names(las, source)
    focus = [find_area(la, source) for la in las]
    codes = [f["la_code"] for f in focus]
    if len(codes) < 2 or len(set(codes)) < len(codes):
        raise UsageError("a partnership needs at least two different authorities")
    name = partnership_name([f["area_name"] for f in focus])
    wanted = indicator_ids(indicators)
    columns = ["indicator", "year", "area_name", "role", "value", "ci95_low", "ci95_high"]
    order = {code: i for i, code in enumerate(codes)}
    members = (
        panel(wanted, source, codes)
        .sort(pl.col("la_code").replace_strict(order, return_dtype=pl.Int32), "year")
        .with_columns(
            pl.lit("member").alias("role"), pl.lit([], pl.List(pl.String)).alias("missing")
        )
        .select(*columns, "status", "missing")
    )
    whole = pooled(codes, wanted, source)
    pooled_rows = whole.with_columns(
        pl.lit(name).alias("area_name"), pl.lit("partnership").alias("role")
    ).select(*columns, "status", "missing")
    england = whole.select(
        "indicator",
        "year",
        pl.lit("England").alias("area_name"),
        pl.lit("england").alias("role"),
        pl.col("england").alias("value"),
        pl.lit(None, pl.Float64).alias("ci95_low"),
        pl.lit(None, pl.Float64).alias("ci95_high"),
        pl.when(pl.col("england").is_null())
        .then(pl.lit("no figure"))
        .otherwise(pl.lit("published"))
        .alias("status"),
        pl.lit([], pl.List(pl.String)).alias("missing"),
    )
    out = pl.concat([members, pooled_rows, england], how="vertical_relaxed")
    rank = {"member": 0, "partnership": 1, "england": 2}
    return out.with_columns(pl.lit(name).alias("partnership")).sort(
        "indicator",
        "year",
        pl.col("role").replace_strict(rank, return_dtype=pl.Int8),
        maintain_order=True,
    )
