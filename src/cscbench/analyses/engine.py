"""The benchmarking engine: an authority against its comparator group, region and England.

:func:`benchmark` gives one row per indicator for one authority and year (LAIT's LA view and
more); :func:`benchmark_table` the same for every authority and year at once; :func:`rank`,
:func:`trend` and :func:`outliers` the other views. All return polars DataFrames and read the
shipped snapshot unless ``source`` says otherwise.

Comparator statistics follow DfE's LAIT: ``comparator_mean`` is the unweighted mean of the
members' published values, members without a value left out (and named in
``group_missing``); the authority itself is not a member unless ``include_self`` (as many
annual reports average the whole group including themselves). ``comparator_pooled`` is the sum
of members' numerators over the sum of their denominators. ``rank`` is the authority's
position in the group including itself, 1 = highest value, ties sharing the smaller number.

Flags (column ``flags``), each explained by :data:`FLAG_MEANINGS`.

Example:
    >>> from cscbench.analyses import benchmark
    >>> row = benchmark("Derby", year=2017, group="sn2021", include_self=True,
    ...                 indicators=["rereferral_pct"]).row(0, named=True)
    >>> round(row["value"], 1), round(row["comparator_mean"], 1), row["rank_best"], row["rank_of"]
    (21.3, 22.7, 4, 11)
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from functools import lru_cache
from pathlib import Path

import polars as pl

from cscbench.analyses import ranks
from cscbench.analyses.wording import year_ending, year_label
from cscbench.datasets import comparator_group, load_areas, load_indicators, load_neighbours
from cscbench.datasets import group as group_of
from cscbench.datasets.areas import find_area
from cscbench.datasets.groups import MODEL_LABEL, ComparatorGroup
from cscbench.datasets.lineage import SUCCESSIONS, first_years
from cscbench.datasets.registry import (
    INDICATORS,
    LOOKS_BACK,
    MULTIPLIER,
    SIZES,
    in_order,
    indicator_ids,
)
from cscbench.datasets.store import Source, resolve, stored
from cscbench.datasets.targets import TargetPlan
from cscbench.errors import UsageError

ROBUST_LIMIT = 3.5
SMALL_NUMBERS = 10  # fewer children or events than this: the small_numbers caveat
ZERO_EXPECTED = 10  # a 0 where England's rate would give this many: the zero_unlikely flag
IMPRECISE_CV = 0.20  # a coefficient of variation above this: the imprecise caveat (ONS)
GRID_ROWS = 2_000_000
#: Units whose numerator counts children or events (so a handful of them is small numbers);
#: not FTEs, medians or averages.
COUNTED = (
    "count",
    "percent",
    "rate_per_10k",
    "per_100",
)  # group statistics beyond this many member-years go indicator by indicator

FLAG_MEANINGS: dict[str, str] = {
    "above_england_95": "above England: England's value is below the 95% interval",
    "below_england_95": "below England: England's value is above the 95% interval",
    "above_england_998": "well above England: England's value is below the 99.8% interval",
    "below_england_998": "well below England: England's value is above the 99.8% interval",
    "funnel_high_95": "above the 95% funnel limit around England",
    "funnel_low_95": "below the 95% funnel limit around England",
    "funnel_high_998": "above the 99.8% funnel limit around England",
    "funnel_low_998": "below the 99.8% funnel limit around England",
    "spc_high": "above the upper process limit of the authority's own series",
    "spc_low": "below the lower process limit of the authority's own series",
    "spc_trend": "part of 7 years in a row each higher (or lower) than the last",
    "spc_near_limit": "2 of 3 years near a process limit on the same side",
    "spc_run": "part of 7 years in a row on the same side of the series' mean",
    "robust_high": "more than 3.5 median absolute deviations above the median authority",
    "robust_low": "more than 3.5 median absolute deviations below the median authority",
    "small_numbers": "fewer than 10 children or events: treat with caution",
    "zero_unlikely": "recorded as 0 where England's rate on the same base would give 10 or more: "
    "more likely how cases were recorded or returned than practice; check before comparing",
    "imprecise": "coefficient of variation above 20% (ONS's mark of an unreliable estimate): "
    "a rate on 10 to 24 events, or a percentage on few children; the interval is wide",
    "suppressed": "withheld by DfE (see status)",
    "boundary_change": "the authority or a comparator was created or abolished in these years",
    "first_year_look_back": "a newly made authority's first year of a measure counted against "
    "earlier records (re-referrals): referrals to the councils it replaced may not have counted; "
    "treat it, and changes from it, with caution",
    "published_mismatch": "DfE's printed figure differs from its counts by more than rounding",
    "local_provisional": "local, provisional: computed from the authority's own census return, "
    "before DfE's validation and publication",
}

ALL_GROUPS = ("sn2025", "sn2021", "region", "england", "all", "custom")


def flag_label(flag: str) -> str:
    """A flag in words, short: the part of its meaning before the colon.

    Example:
        >>> flag_label("spc_low"), flag_label("above_england_998")
        ("below the lower process limit of the authority's own series", 'well above England')
    """
    return FLAG_MEANINGS[flag].split(":")[0]


def membership(
    group: str, areas: pl.DataFrame, neighbours: pl.DataFrame, focus: Sequence[str] | None = None
) -> pl.DataFrame:
    """(focus, member, order) pairs of a named group for every authority (or those in ``focus``).

    Example:
        >>> from cscbench.datasets import load_areas, load_neighbours
        >>> m = membership("sn2021", load_areas(), load_neighbours(), focus=["831"])
        >>> m.height, m["member"][0]
        (10, '874')
    """
    if group in MODEL_LABEL:
        pairs = neighbours.filter(pl.col("model") == group).select(
            pl.col("la_code").alias("focus"),
            pl.col("neighbour_code").alias("member"),
            pl.col("rank").cast(pl.Int32).alias("order"),
        )
    elif group == "region":
        codes = areas.select("la_code", "region_code", "area_name")
        pairs = (
            codes.join(codes, on="region_code", suffix="_m")
            .filter(pl.col("la_code") != pl.col("la_code_m"))
            .sort("la_code", "area_name_m")
            .select(
                pl.col("la_code").alias("focus"),
                pl.col("la_code_m").alias("member"),
                pl.int_range(pl.len()).over("la_code").cast(pl.Int32).alias("order"),
            )
        )
    elif group in ("england", "all"):
        codes = areas.sort("area_name").select("la_code")
        pairs = (
            codes.join(codes.rename({"la_code": "member"}), how="cross")
            .filter(pl.col("la_code") != pl.col("member"))
            .select(
                pl.col("la_code").alias("focus"),
                "member",
                pl.int_range(pl.len()).over("la_code").cast(pl.Int32).alias("order"),
            )
        )
    else:
        raise UsageError(f"unknown group {group!r}; choose one of: {', '.join(ALL_GROUPS)}")
    if focus is not None:
        pairs = pairs.filter(pl.col("focus").is_in(list(focus)))
    return pairs


def _custom_membership(group: ComparatorGroup) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "focus": [group.focus] * len(group.members),
            "member": list(group.members),
            "order": list(range(1, len(group.members) + 1)),
        },
        schema={"focus": pl.String, "member": pl.String, "order": pl.Int32},
    )


def group_statistics(
    panel: pl.DataFrame,
    members: pl.DataFrame,
    areas: pl.DataFrame,
    include_self: bool = False,
    exclude_doubtful: bool = False,
) -> pl.DataFrame:
    """Comparator statistics per (focus, indicator, year).

    ``members`` holds (focus, member, order). Returns ``group_n``, ``group_missing`` (names of
    members without a value that year, in group order), ``group_doubtful`` (members whose
    figure is a 0 that England's rate makes very unlikely, :func:`zero_unlikely`), mean,
    ``comparator_mean_without_doubtful`` (the mean leaving those out), median, min, max, pooled,
    and the focus's ``rank``, ``rank_of`` and ``rank_best`` within the group including itself,
    and ``rank_ties``: how many members share its value (ties share the smaller rank, as in
    LAIT), all on DfE's published figure, as LAIT ranks
    (:func:`~cscbench.analyses.ranks.ranked_figure`). A large grid (members x indicators x
    years) is worked one indicator at a time, so memory stays bounded however many authorities
    there are; a small one in one go, which is faster.

    With ``exclude_doubtful``, those figures are left out of every statistic (they are still
    named in ``group_doubtful``); by default they count, as in LAIT, whose mean is of the
    published values.
    """
    grid = members.height * panel.select("indicator", "year").n_unique()
    if grid <= GRID_ROWS:
        return _group_statistics(panel, members, areas, include_self, exclude_doubtful)
    parts = [
        _group_statistics(rows, members, areas, include_self, exclude_doubtful)
        for _, rows in panel.group_by("indicator", maintain_order=True)
    ]
    return pl.concat(parts)


def _group_statistics(
    panel: pl.DataFrame,
    members: pl.DataFrame,
    areas: pl.DataFrame,
    include_self: bool,
    exclude_doubtful: bool = False,
) -> pl.DataFrame:
    keys = ["focus", "indicator", "year"]
    values = panel.select(
        "indicator",
        "year",
        pl.col("la_code").alias("member"),
        "value",
        "numerator",
        "denominator",
        "multiplier",
        (
            zero_unlikely().fill_null(False)
            if {"unit", "england"} <= set(panel.columns)
            else pl.lit(False)
        ).alias("_doubtful"),
        ranks.ranked_figure(panel).alias("_ranked"),  # ranks as LAIT's: the published figure
    )
    # A fixed row order (members, then indicator and year) makes sums independent of input order.
    grid = (
        members.sort("focus", "order")
        .join(panel.select("indicator", "year").unique().sort("indicator", "year"), how="cross")
        .join(values, on=["indicator", "year", "member"], how="left", maintain_order="left")
    )
    names = areas.select(pl.col("la_code").alias("member"), pl.col("area_name"))
    doubtful = (
        grid.filter(pl.col("_doubtful"))
        .join(names, on="member", how="left", maintain_order="left")
        .group_by(keys)
        .agg(pl.col("area_name").alias("group_doubtful"))
    )
    present = grid.filter(pl.col("value").is_not_null())
    if exclude_doubtful:
        present = present.filter(~pl.col("_doubtful"))
    missing = (
        grid.filter(pl.col("value").is_null())
        .join(names, on="member", how="left", maintain_order="left")
        .group_by(keys)
        .agg(pl.col("area_name").alias("group_missing"))
    )
    focus = panel.select(
        "indicator",
        "year",
        pl.col("la_code").alias("focus"),
        ranks.ranked_figure(panel).alias("_focus_value"),
        pl.col("polarity").alias("_polarity"),
    )
    counted = present
    if include_self:
        own = (
            members.select("focus")
            .unique()
            .join(values.rename({"member": "focus"}), on="focus")
            .filter(pl.col("value").is_not_null())
            .with_columns(pl.col("focus").alias("member"))
        )
        if exclude_doubtful:
            own = own.filter(~pl.col("_doubtful"))
        counted = pl.concat([present.select(own.columns), own])
    stats = counted.group_by(keys).agg(
        pl.len().cast(pl.Int32).alias("group_n"),
        pl.col("value").mean().alias("comparator_mean"),
        pl.col("value")
        .filter(~pl.col("_doubtful"))
        .mean()
        .alias("comparator_mean_without_doubtful"),
        pl.col("value").median().alias("comparator_median"),
        pl.col("value").min().alias("comparator_min"),
        pl.col("value").max().alias("comparator_max"),
        (
            pl.col("numerator").sum() / pl.col("denominator").sum() * pl.col("multiplier").first()
        ).alias("comparator_pooled"),
        pl.col("denominator").is_not_null().any().alias("_has_denominator"),
    )
    fv = pl.col("_focus_value")
    ranking = (
        present.join(focus, on=["indicator", "year", "focus"], how="left")
        .group_by(keys)
        .agg(
            (pl.col("_ranked") > fv).sum().alias("_above"),
            (pl.col("_ranked") < fv).sum().alias("_below"),
            (pl.col("_ranked") == fv).sum().alias("_tied"),
            pl.len().alias("_members_with_value"),
        )
    )
    table = (
        focus.join(members.select("focus").unique(), on="focus")
        .join(stats, on=keys, how="left")
        .join(ranking, on=keys, how="left")
        .join(missing, on=keys, how="left")
        .join(doubtful, on=keys, how="left")
        .with_columns(pl.col("_above", "_below", "_tied", "_members_with_value").fill_null(0))
    )
    has_focus = fv.is_not_null()
    return table.with_columns(
        pl.col("group_n").fill_null(0),
        pl.when(pl.col("_has_denominator"))
        .then(pl.col("comparator_pooled"))
        .alias("comparator_pooled"),
        pl.col("group_missing").fill_null(pl.lit([], pl.List(pl.String))),
        pl.col("group_doubtful").fill_null(pl.lit([], pl.List(pl.String))),
        pl.when(has_focus).then(pl.col("_above") + 1).cast(pl.Int32).alias("rank"),
        (pl.col("_members_with_value") + has_focus.cast(pl.UInt32)).cast(pl.Int32).alias("rank_of"),
        pl.when(has_focus & (pl.col("_polarity") == "low_is_good"))
        .then(pl.col("_below") + 1)
        .when(has_focus & (pl.col("_polarity") == "high_is_good"))
        .then(pl.col("_above") + 1)
        .cast(pl.Int32)
        .alias("rank_best"),
        pl.when(has_focus).then(pl.col("_tied")).cast(pl.Int32).alias("rank_ties"),
    ).drop(
        "_focus_value",
        "_polarity",
        "_above",
        "_below",
        "_tied",
        "_members_with_value",
        "_has_denominator",
    )


def _pct_change(new: pl.Expr, old: pl.Expr) -> pl.Expr:
    return pl.when(old != 0).then((new - old) / old.abs() * 100)


def _changes(table: pl.DataFrame, base_year: int | None) -> pl.DataFrame:
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
    first_year = table.group_by("indicator").agg(pl.col("year").min().alias("_first"))
    table = table.join(first_year, on="indicator", how="left")
    requested = pl.lit(base_year, pl.Int32) if base_year is not None else pl.col("_first")
    starts = table.filter(pl.col("value").is_not_null()).select("la_code", "indicator", "year")
    table = table.with_columns(requested.alias("_requested"))
    candidates = (
        table.select("la_code", "indicator", "_requested")
        .unique()
        .join(starts, on=["la_code", "indicator"], how="left")
        .filter(pl.col("year") >= pl.col("_requested"))
        .group_by("la_code", "indicator", "_requested")
        .agg(pl.col("year").min().alias("base_year"))
    )
    table = table.join(candidates, on=["la_code", "indicator", "_requested"], how="left")
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


def _boundary_events(members: pl.DataFrame) -> pl.DataFrame:
    """(focus, event_year) for every reorganisation that changed an area (not a council
    becoming unitary over the same area, as North Yorkshire's, Somerset's and
    Buckinghamshire's did) touching the focus or one of its members."""
    events = pl.DataFrame(
        [
            (code, s.year)
            for s in SUCCESSIONS
            if s.boundary_changed
            for code in {*s.before, *s.after}
        ],
        schema={"code": pl.String, "event_year": pl.Int32},
        orient="row",
    )
    touched = pl.concat(
        [
            members.select("focus", pl.col("member").alias("code")),
            members.select("focus", pl.col("focus").alias("code")).unique(),
        ]
    )
    return touched.join(events, on="code").select("focus", "event_year").unique()


def coefficient_of_variation() -> pl.Expr:
    """A rate's or percentage's coefficient of variation from its counts (null for counts).

    1/sqrt(r) for a rate on r events (Poisson); sqrt((1 - p) / r) for a percentage p = r / n
    (binomial). ONS treats an estimate whose coefficient of variation exceeds 20% as
    unreliable; a rate on fewer than 25 events does.

    Example:
        >>> f = pl.DataFrame({"unit": ["rate_per_10k", "percent"], "numerator": [25.0, 64.0],
        ...                   "denominator": [8166.0, 308.0]})
        >>> [round(v, 3) for v in f.select(coefficient_of_variation())["cv"]]
        [0.2, 0.111]
    """
    r, n, unit = pl.col("numerator"), pl.col("denominator"), pl.col("unit")
    percent = ((1 - r / n) / r).sqrt()
    return (
        pl.when((r > 0) & (unit == "percent") & (n > 0))
        .then(percent)
        .when((r > 0) & (unit == "rate_per_10k"))
        .then(1 / r.sqrt())
        .alias("cv")
    )


def imprecise() -> pl.Expr:
    """True for a figure on 10 or more events whose coefficient of variation is above
    :data:`IMPRECISE_CV` (below 10 the ``small_numbers`` flag already says more)."""
    return (coefficient_of_variation() > IMPRECISE_CV) & (pl.col("numerator") >= SMALL_NUMBERS)


def expected_at_england() -> pl.Expr:
    """Events the authority's base would give at England's rate or percentage (null for counts).

    Example:
        >>> f = pl.DataFrame({"unit": ["percent", "rate_per_10k", "count"],
        ...                   "denominator": [7960.0, 50000.0, None], "england": [6.5, 40.0, 9.0]})
        >>> f.select(expected_at_england()).to_series().to_list()
        [517.4, 200.0, None]
    """
    per = pl.col("unit").replace_strict(MULTIPLIER, return_dtype=pl.Float64)
    return (pl.col("denominator") * pl.col("england") / per).alias("expected_at_england")


def zero_unlikely() -> pl.Expr:
    """True for a rate or percentage recorded as 0 where England's rate on the authority's own
    base would give at least :data:`ZERO_EXPECTED` (10) events.

    If the authority's true rate were England's, the chance of no events at all is e^-10 for
    a Poisson count with mean 10 (PHE's technical guidance models counts as Poisson), about 1
    in 22,000, and smaller for a larger base. Such a 0 most likely records how cases were
    recorded or returned to DfE, not practice: 174 authority-years since 2012-13 returned no
    referrals ending in no further action, West Sussex 0 of 7,960 in 2024-25 (about 520
    expected). Where it is raised, ``small_numbers`` is not: the figure is not imprecise.

    Example:
        >>> f = pl.DataFrame({"unit": ["percent"] * 3, "numerator": [0.0, 0.0, 1.0],
        ...                   "denominator": [7960.0, 100.0, 7960.0], "england": [6.5] * 3})
        >>> f.select(zero_unlikely()).to_series().to_list()
        [True, False, False]
    """
    counted = pl.col("unit").is_in(["percent", "rate_per_10k"])  # counts of children
    return counted & (pl.col("numerator") == 0) & (expected_at_england() >= ZERO_EXPECTED)


def first_year_look_back() -> pl.Expr:
    """True for a measure that looks back over earlier records (registry ``looks_back``:
    re-referrals) in a newly made authority's first reporting year
    (:func:`~cscbench.datasets.lineage.first_years`), when referrals to the councils it
    replaced may not have counted: the four such authorities with first-year figures each
    reported 6.8 to 12.0 percentage points fewer re-referrals than in their second year.

    Example:
        >>> f = pl.DataFrame({"la_code": ["942", "942", "942", "831"],
        ...                   "indicator": ["rereferral_pct", "rereferral_pct", "nfa_pct",
        ...                                 "rereferral_pct"], "year": [2024, 2025, 2024, 2024]})
        >>> f.select(first_year_look_back()).to_series().to_list()
        [True, False, False, False]
    """
    first = first_years()
    starts = pl.col("la_code").replace_strict(first, default=None, return_dtype=pl.Int32)
    return pl.col("indicator").is_in(sorted(LOOKS_BACK)) & (pl.col("year") == starts).fill_null(
        False
    )


def _flags(table: pl.DataFrame, events: pl.DataFrame) -> pl.DataFrame:
    """The ``flags`` list column from every rule (see :data:`FLAG_MEANINGS`)."""
    changed = (
        table.select("la_code", "indicator", "year", "base_year")
        .join(events.rename({"focus": "la_code"}), on="la_code", how="inner")
        .filter(pl.col("event_year") > pl.col("base_year"), pl.col("event_year") <= pl.col("year"))
        .select("la_code", "indicator", "year")
        .unique()
        .with_columns(pl.lit(True).alias("_boundary"))
    )
    table = table.join(changed, on=["la_code", "indicator", "year"], how="left")
    v = pl.col("value")
    zero = zero_unlikely()

    def flag(condition: pl.Expr, name: str) -> pl.Expr:
        return pl.when(condition.fill_null(False)).then(pl.lit(name))

    rules = [
        flag(pl.col("england_comparison_95") == "above", "above_england_95"),
        flag(pl.col("england_comparison_95") == "below", "below_england_95"),
        flag(pl.col("england_comparison_998") == "above", "above_england_998"),
        flag(pl.col("england_comparison_998") == "below", "below_england_998"),
        flag(v > pl.col("funnel95_high"), "funnel_high_95"),
        flag(v < pl.col("funnel95_low"), "funnel_low_95"),
        flag(v > pl.col("funnel998_high"), "funnel_high_998"),
        flag(v < pl.col("funnel998_low"), "funnel_low_998"),
        *(
            flag(pl.col("spc_rule") == r, r)
            for r in ("spc_high", "spc_low", "spc_trend", "spc_near_limit", "spc_run")
        ),
        flag(pl.col("robust_score") > ROBUST_LIMIT, "robust_high"),
        flag(pl.col("robust_score") < -ROBUST_LIMIT, "robust_low"),
        flag(zero, "zero_unlikely"),
        flag(
            (pl.col("numerator") < SMALL_NUMBERS)
            & pl.col("unit").is_in(COUNTED)
            & ~zero.fill_null(False),
            "small_numbers",
        ),
        flag(imprecise(), "imprecise"),
        flag(pl.col("status") != "published", "suppressed"),
        flag(pl.col("_boundary"), "boundary_change"),
        flag(first_year_look_back() & v.is_not_null(), "first_year_look_back"),
        flag(pl.col("published_ok") == False, "published_mismatch"),  # noqa: E712
    ]
    # Joining names into a string and splitting it is many times faster than concat_list here.
    joined = pl.concat_str(rules, separator=",", ignore_nulls=True)
    flags = joined.str.split(",").list.filter(pl.element() != "")
    return table.with_columns(flags.alias("flags")).drop("_boundary")


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


#: What a group's label says when doubtful zeros are left out of its statistics.
DOUBTFUL_LEFT_OUT = "doubtful zeros left out"


def _group_label(
    label: str, include_self: bool, name: str | None = None, exclude_doubtful: bool = False
) -> str:
    who = name or "the authority"
    doubtful = f"; {DOUBTFUL_LEFT_OUT}" if exclude_doubtful else ""
    return f"{label} ({'including' if include_self else 'excluding'} {who}{doubtful})"


#: What a count does not get: a count measures an authority's size, so it is not ranked or
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


def _assemble(
    panel: pl.DataFrame,
    members: pl.DataFrame,
    areas: pl.DataFrame,
    include_self: bool,
    base_year: int | None,
    label: str,
    focus: str | None = None,
    order: Sequence[str] | None = None,
    exclude_doubtful: bool = False,
) -> pl.DataFrame:
    """Join group statistics, changes and flags onto the panel rows of the focus authorities,
    sorted by authority, indicator (``order``, else the registry's) and year."""
    stats = group_statistics(panel, members, areas, include_self, exclude_doubtful)
    rows = panel if focus is None else panel.filter(pl.col("la_code") == focus)
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
    table = _changes(table, base_year)
    table = matched_changes(table, panel, members, include_self, exclude_doubtful)
    table = _flags(table, _boundary_events(members))
    return table.select(COLUMNS).sort("la_code", in_order(order), "year")


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
) -> pl.DataFrame:
    """The authority panel (:func:`~cscbench.analyses.panel_stats.authority_panel`) in use.

    Read from the snapshot when it holds the precomputed panel (only the rows asked for);
    otherwise computed once per process and kept.

    Example:
        >>> derby = panel(["cla_rate"], la_codes=["831"]).filter(pl.col("year") == 2025)
        >>> round(derby["value"].item(), 1)
        87.7
    """
    indicators = indicator_ids(indicators)
    lazy = stored("panel", source)
    if lazy is not None:
        if indicators is not None:
            lazy = lazy.filter(pl.col("indicator").is_in(indicators))
        if la_codes is not None:
            lazy = lazy.filter(pl.col("la_code").is_in(list(la_codes)))
        return lazy.collect()
    key = tuple(sorted(indicators)) if indicators is not None else None
    source = resolve(source)
    rows = _computed_panel(key, str(Path(source).resolve()) if source is not None else None)
    return rows if la_codes is None else rows.filter(pl.col("la_code").is_in(list(la_codes)))


def derived_tables(indicators: pl.DataFrame) -> dict[str, pl.DataFrame]:
    """Tables the snapshot stores precomputed: the authority panel."""
    from cscbench.analyses.panel_stats import authority_panel

    return {"panel": authority_panel(indicators)}


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
    return _assemble(
        rows,
        members,
        areas,
        include_self,
        base_year,
        _group_label(label, include_self, exclude_doubtful=exclude_doubtful),
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


def latest_year(source: Source = None) -> int:
    """The latest reporting year of the data's children in need and looked-after figures (the
    files every data set has): the year a benchmark is of unless another is asked for. A file
    that runs later (the workforce census of 30 September 2025, in 2025-26) does not move it.

    Example:
        >>> latest_year()
        2025
    """
    from cscbench.datasets.registry import core_indicators
    from cscbench.datasets.store import scan

    rows = scan("indicators", source).filter(pl.col("indicator").is_in(core_indicators()))
    return int(rows.select(pl.col("year").max()).collect().item())


def year_or_latest(year: int | str | None, source: Source = None) -> int:
    """``year`` read as :func:`~cscbench.analyses.wording.year_ending` reads it ("2016-17" is
    2017), or the latest year in the data when it is None.

    Example:
        >>> year_or_latest("2016/17"), year_or_latest(None)
        (2017, 2025)
    """
    return latest_year(source) if year is None else year_ending(year)


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
    label = _group_label(
        group_name or chosen.label, include_self, focus["area_name"], exclude_doubtful
    )
    indicators = indicator_ids(indicators)
    table = _assemble(
        panel(indicators, source, [chosen.focus, *chosen.members]),
        _custom_membership(chosen),
        areas,
        include_self,
        base_year,
        label,
        focus=focus["la_code"],
        order=indicators,
        exclude_doubtful=exclude_doubtful,
    )
    rows = table.filter(pl.col("year") == year)
    check_held(rows, table, focus["area_name"], f"in {year_label(year)}")
    if rows.is_empty():
        raise UsageError(f"no figures for {focus['area_name']} in {year_label(year)}")
    if targets is not None:
        from cscbench.analyses.performance import with_targets

        rows = with_targets(rows, targets)
    return rows


def check_exists(focus: dict, year: int) -> None:
    """A clear error when the authority did not exist in ``year``: abolished before it, or
    made after it, with the years it has and what happened.

    Example:
        >>> from cscbench.datasets import find_area
        >>> check_exists(find_area("Cumbria"), 2025)  # doctest: +NORMALIZE_WHITESPACE
        Traceback (most recent call last):
        cscbench.errors.UsageError: Cumbria has no figures for 2024-25: on 1 April 2023 Cumbria
        was split into Cumberland and Westmorland and Furness; its figures run 2012-13 to
        2022-23 (give --year 2022-23 or earlier)
    """
    first, last, name = focus.get("first_year"), focus.get("last_year"), focus["area_name"]
    if first is None or last is None or first <= year <= last:
        return
    code = focus["la_code"]
    ended = next((s for s in SUCCESSIONS if code in s.before and code not in s.after), None)
    if year > last and ended is not None:
        raise UsageError(
            f"{name} has no figures for {year_label(year)}: {ended.note[0].lower()}"
            f"{ended.note[1:-1]}; its figures run {year_label(first)} to {year_label(last)} "
            f"(give --year {year_label(last)} or earlier)"
        )
    made = next((s for s in SUCCESSIONS if code in s.after and code not in s.before), None)
    if year < first and made is not None:
        raise UsageError(
            f"{name} has no figures for {year_label(year)}: {made.note[0].lower()}"
            f"{made.note[1:-1]}; its figures start in {year_label(first)}"
        )  # a year outside the data's own span is check_held's to say


def held_years(years: pl.Series) -> str:
    """The span of reporting years in ``years``, for a message.

    Example:
        >>> held_years(pl.Series([2014, 2013, 2025]))
        '2012-13 to 2024-25'
    """
    return f"{year_label(int(years.min()))} to {year_label(int(years.max()))}"


def check_held(rows: pl.DataFrame, table: pl.DataFrame, what: str, when: str) -> None:
    """A clear error when ``rows`` (taken from ``table``) is empty because of the years asked
    for: an empty table would look like an answer.

    Example:
        >>> table = pl.DataFrame({"year": [2013, 2025], "value": [1.0, 2.0]})
        >>> check_held(table.filter(pl.col("year") == 2011), table, "cin_rate", "in 2010-11")
        Traceback (most recent call last):
        cscbench.errors.UsageError: no figures for cin_rate in 2010-11: they run 2012-13 to 2024-25
    """
    if rows.is_empty() and not table.is_empty():
        raise UsageError(f"no figures for {what} {when}: they run {held_years(table['year'])}")


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
    return _assemble(
        panel(indicators, source, [chosen.focus, *chosen.members]),
        _custom_membership(chosen),
        areas,
        include_self,
        None,
        _group_label(chosen.label, include_self, exclude_doubtful=exclude_doubtful),
        focus=chosen.focus,
        exclude_doubtful=exclude_doubtful,
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


def trend_view(
    rows: pl.DataFrame, year_from: int | None = None, year_to: int | None = None
) -> pl.DataFrame:
    """The columns of :func:`trend` from an authority's benchmark rows of one indicator."""
    if year_from is not None:
        rows = rows.filter(pl.col("year") >= year_from)
    if year_to is not None:
        rows = rows.filter(pl.col("year") <= year_to)
    return rows.select(
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
    ).sort("year")


def flag_ids(flags: str | Sequence[str] | None) -> list[str] | None:
    """``flags`` as a list of flag ids, each checked (a list, one id, or ids separated by
    commas); None stays None.

    Example:
        >>> flag_ids("spc_low, zero_unlikely")
        ['spc_low', 'zero_unlikely']
        >>> flag_ids("spc_lo")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        cscbench.errors.UsageError: unknown flag 'spc_lo'; known: above_england_95, ...
    """
    if flags is None:
        return None
    if isinstance(flags, str):
        flags = [f.strip() for f in flags.split(",") if f.strip()]
    for flag in flags:
        if flag not in FLAG_MEANINGS:
            raise UsageError(f"unknown flag {flag!r}; known: {', '.join(FLAG_MEANINGS)}")
    if not flags:
        raise UsageError("no flags given: name one or more (see cscbench outliers)")
    return list(flags)


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
    from cscbench.datasets import split_names

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
