"""Comparator groups and their statistics: who is in an authority's group, and the group's
mean, median, range, pooled figure and the authority's rank within it (as LAIT's).

Example:
    >>> group_label("Statistical neighbours", include_self=True, name="Derby")
    'Statistical neighbours (including Derby)'
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from cscbench.analyses import ranks
from cscbench.analyses.flags import zero_unlikely
from cscbench.datasets.groups import MODEL_LABEL, ComparatorGroup
from cscbench.errors import UsageError

#: Group statistics beyond this many member-years go indicator by indicator.
GRID_ROWS = 2_000_000

ALL_GROUPS = ("sn2025", "sn2021", "region", "england", "all", "custom")

#: What a group's label says when doubtful zeros are left out of its statistics.
DOUBTFUL_LEFT_OUT = "doubtful zeros left out"


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


def custom_membership(group: ComparatorGroup) -> pl.DataFrame:
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


def group_label(
    label: str, include_self: bool, name: str | None = None, exclude_doubtful: bool = False
) -> str:
    who = name or "the authority"
    doubtful = f"; {DOUBTFUL_LEFT_OUT}" if exclude_doubtful else ""
    return f"{label} ({'including' if include_self else 'excluding'} {who}{doubtful})"


#: What a count does not get: a count measures an authority's size, so it is not ranked or
