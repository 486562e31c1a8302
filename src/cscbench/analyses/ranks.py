"""Ranks, quartile bands, percentiles and the robust distance from England's authorities.

- The figure ranked (:func:`ranked_figure`): by default DfE's published figure, as LAIT ranks
  and bands it (``global.R`` reads the published values; ``calculate_rank`` and
  ``calculate_quartile_band`` take them as they are), so that authorities with the same
  published figure share a rank; ``rule="unrounded"`` ranks the value worked from the counts.
  The published figure is DfE's printed one where the file has it, else the value rounded
  half away from zero to DfE's decimals (:attr:`~cscbench.datasets.registry.Indicator.decimals`:
  rates and percentages to 1 place, counts whole). :func:`national_standing` adds the national
  rank, band and the rule's name (``rank_rule``) to a frame of authorities.
- Ranks as DfE's LAIT (``fn_analysis.R::calculate_rank``): competition ranking, ties share
  the smaller rank (values 10, 20, 20, 30 ranked highest first: 4, 2, 2, 1).
- Quartile bands as LAIT (``calculate_quartile_band``): R ``quantile`` type 7 over all
  authorities with a value; A is the best quarter by polarity; a value on a boundary goes to
  the better band when low is good and to the worse band when high is good; no band for
  context indicators.
- Percentile: the share of authorities below the value, counting ties as half
  (100 x (below + equal / 2) / n).
- Robust score as Oflog's automated text: (value - median of all authorities) / median
  absolute deviation (unscaled, no 1.4826 factor).

Each function is a polars expression, to be used ``.over(...)`` the indicator and year.

Example:
    >>> import polars as pl
    >>> f = pl.DataFrame({"value": [10.0, 20.0, 20.0, 30.0]})
    >>> f.select(rank_highest_first(pl.col("value")))["value"].to_list()
    [4, 2, 2, 1]
"""

from __future__ import annotations

from typing import Literal

import polars as pl

from cscbench.datasets.registry import INDICATORS

ROBUST_LIMIT = 3.5

RankRule = Literal["published", "unrounded"]

#: Each rule as the ``rank_rule`` column names it.
RANK_RULES: dict[str, str] = {"published": "published figure", "unrounded": "unrounded value"}


def ranked_figure(frame: pl.DataFrame, rule: RankRule = "published") -> pl.Expr:
    """The figure each row of ``frame`` is ranked and banded on under ``rule``: DfE's published
    figure (``published_value`` where ``frame`` has it, else ``value`` rounded half away from
    zero to the indicator's decimals), or the unrounded ``value``. Null where ``value`` is.

    Example:
        >>> f = pl.DataFrame({"indicator": ["cp_2yrs_pct"] * 3, "value": [2.04, 1.96, None],
        ...                   "published_value": [None, 2.0, None]})
        >>> f.select(ranked_figure(f))["value"].to_list()
        [2.0, 2.0, None]
        >>> f.select(ranked_figure(f, "unrounded"))["value"].to_list()
        [2.04, 1.96, None]
    """
    if rule not in RANK_RULES:
        raise ValueError(f"unknown rank rule {rule!r}; choose one of: {', '.join(RANK_RULES)}")
    value = pl.col("value")
    if rule == "unrounded":
        return value
    decimals = pl.col("indicator").replace_strict(
        {k: i.decimals for k, i in INDICATORS.items()}, return_dtype=pl.Int8
    )
    rounded = pl.lit(None, pl.Float64)
    for places in sorted({i.decimals for i in INDICATORS.values()}):
        figure = value.round(places, mode="half_away_from_zero")
        rounded = pl.when(decimals == places).then(figure).otherwise(rounded)
    if "published_value" in frame.columns:
        rounded = pl.coalesce(pl.col("published_value"), rounded)
    return pl.when(value.is_null()).then(None).otherwise(rounded).alias("value")


def national_standing(la: pl.DataFrame, rule: RankRule = "published") -> pl.DataFrame:
    """Add each authority's national ``national_rank`` (1 = highest), ``national_of``,
    ``national_rank_best`` (1 = best by polarity), ``quartile_band`` and ``rank_rule``, over
    all authorities with a figure in the same indicator and year, on the figure ``rule`` says.

    ``la`` holds authority rows with ``indicator``, ``year``, ``value`` and ``polarity``.

    Example:
        >>> la = pl.DataFrame({"indicator": ["cp_2yrs_pct"] * 3, "year": [2023] * 3,
        ...     "value": [2.04, 1.96, 3.0], "polarity": ["low_is_good"] * 3})
        >>> national_standing(la)["national_rank_best"].to_list()
        [1, 1, 3]
        >>> national_standing(la, "unrounded")["national_rank_best"].to_list()
        [2, 1, 3]
    """
    group = ["indicator", "year"]
    v = pl.col("_ranked")
    polarity = pl.col("polarity")
    low, high = "low_is_good", "high_is_good"
    best = (
        pl.when(polarity == low)
        .then(rank_best_first(v, low).over(group))
        .when(polarity == high)
        .then(rank_best_first(v, high).over(group))
    )
    no_bands = [k for k, i in INDICATORS.items() if not i.quartiles]  # LAIT's marker
    band = (
        pl.when(pl.col("indicator").is_in(no_bands))
        .then(pl.lit(None, pl.String))
        .when(polarity == low)
        .then(quartile_band(v, low).over(group))
        .when(polarity == high)
        .then(quartile_band(v, high).over(group))
    )
    return (
        la.with_columns(ranked_figure(la, rule).alias("_ranked"))
        .with_columns(
            rank_highest_first(v).over(group).alias("national_rank"),
            v.count().over(group).cast(pl.Int32).alias("national_of"),
            best.alias("national_rank_best"),
            band.alias("quartile_band"),
            pl.lit(RANK_RULES[rule]).alias("rank_rule"),
        )
        .drop("_ranked")
    )


def rank_highest_first(value: pl.Expr) -> pl.Expr:
    """1 = highest value; ties share the smaller rank; nulls stay null."""
    return value.rank("min", descending=True).cast(pl.Int32)


def rank_best_first(value: pl.Expr, polarity: str) -> pl.Expr:
    """1 = best by polarity (lowest when low is good); null for context indicators.

    Example:
        >>> f = pl.DataFrame({"value": [10.0, 20.0, 20.0, 30.0]})
        >>> f.select(rank_best_first(pl.col("value"), "low_is_good"))["value"].to_list()
        [1, 2, 2, 4]
    """
    if polarity == "low_is_good":
        return value.rank("min").cast(pl.Int32)
    if polarity == "high_is_good":
        return value.rank("min", descending=True).cast(pl.Int32)
    return pl.when(pl.lit(False)).then(value.rank("min").cast(pl.Int32))  # nulls, one per row


def quartile_band(value: pl.Expr, polarity: str) -> pl.Expr:
    """LAIT's band A-D from type-7 quartiles (A best); null for context indicators.

    Example:
        >>> f = pl.DataFrame({"value": [1.0, 2.0, 3.0, 4.0, 5.0]})  # quartiles 2, 3, 4
        >>> f.select(quartile_band(pl.col("value"), "low_is_good").alias("band"))["band"].to_list()
        ['A', 'A', 'B', 'C', 'D']
        >>> f.select(quartile_band(pl.col("value"), "high_is_good").alias("band"))["band"].to_list()
        ['D', 'D', 'C', 'B', 'A']
    """
    if polarity not in ("low_is_good", "high_is_good"):
        return pl.when(pl.lit(False)).then(value.cast(pl.String))  # nulls, one per row
    q1, q2, q3 = (value.quantile(q, interpolation="linear") for q in (0.25, 0.5, 0.75))
    if polarity == "low_is_good":
        band = (
            pl.when(value <= q1)
            .then(pl.lit("A"))
            .when(value <= q2)
            .then(pl.lit("B"))
            .when(value <= q3)
            .then(pl.lit("C"))
            .otherwise(pl.lit("D"))
        )
    else:
        band = (
            pl.when(value <= q1)
            .then(pl.lit("D"))
            .when(value <= q2)
            .then(pl.lit("C"))
            .when(value <= q3)
            .then(pl.lit("B"))
            .otherwise(pl.lit("A"))
        )
    return pl.when(value.is_null()).then(None).otherwise(band)


def percentile(value: pl.Expr) -> pl.Expr:
    """100 x (authorities below + half those equal) / authorities with a value.

    Example:
        >>> f = pl.DataFrame({"value": [1.0, 2.0, 2.0, 4.0]})
        >>> f.select(percentile(pl.col("value")))["value"].to_list()
        [12.5, 50.0, 50.0, 87.5]
    """
    return percentile_of(value.rank("average"), value.count())


def percentile_of(rank: pl.Expr, count: pl.Expr) -> pl.Expr:
    """The percentile from a value's average rank among ``count`` values (1 = lowest).

    Example:
        >>> pl.select(percentile_of(pl.lit(2.5), pl.lit(4)))["literal"].item()
        50.0
    """
    return (rank - 0.5) / count * 100


def robust_score(value: pl.Expr) -> pl.Expr:
    """Oflog's (value - median) / MAD, MAD unscaled; null where MAD is 0.

    Example:
        >>> f = pl.DataFrame({"value": [1.0, 2.0, 3.0, 4.0, 100.0]})
        >>> f.select(robust_score(pl.col("value")))["value"].to_list()
        [-2.0, -1.0, 0.0, 1.0, 97.0]
    """
    median, mad = robust_centre(value)
    return robust_score_of(value, median, mad)


def robust_centre(value: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """The median of ``value`` and its median absolute deviation (unscaled), as Oflog's
    robust score takes them."""
    median = value.median()
    return median, (value - median).abs().median()


def robust_score_of(value: pl.Expr, median: pl.Expr, mad: pl.Expr) -> pl.Expr:
    """The robust score from a median and MAD worked before; null where MAD is 0.

    Example:
        >>> pl.select(robust_score_of(pl.lit(7.0), pl.lit(3.0), pl.lit(2.0)))["literal"].item()
        2.0
    """
    return pl.when(mad > 0).then((value - median) / mad).otherwise(None)
