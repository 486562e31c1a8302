"""Data-quality checks on the tidy indicator frame.

DfE publishes some figures twice: a count and a percentage (re-referrals) or a rate (children
looked after). cscbench recomputes the figure from the counts; :func:`published_agreement`
says whether DfE's printed figure is what the counts give, allowing for rounding:

- the printed figure is rounded to its decimal places (0.05 for a percentage to 1 place,
  0.5 for a rate printed as a whole number);
- national and regional counts are rounded to the nearest 10 by DfE, so each count may be
  up to 5 away from the true one; the check takes the whole range that allows.

A figure outside that range is a ``published_mismatch`` (for example DfE's 23.6% second or
subsequent plans for Yorkshire and The Humber in 2022, where the counts give 22.2%).
"""

from __future__ import annotations

import polars as pl

from cscbench.datasets.registry import INDICATORS

#: How far a national or regional count can be from the true count (DfE rounds to the nearest 10).
COUNT_ROUNDING = {"la": 0.0, "regional": 5.0, "national": 5.0}


def published_decimals(indicator: str) -> int:
    """Decimal places of DfE's printed figure: rates per 10,000 of looked-after children are
    printed as whole numbers; percentages to one decimal place.

    Example:
        >>> published_decimals("cla_rate"), published_decimals("rereferral_pct")
        (0, 1)
    """
    ind = INDICATORS[indicator]
    return 0 if ind.unit in ("rate_per_10k", "count") else 1


def published_agreement(frame: pl.DataFrame) -> pl.DataFrame:
    """Add ``published_ok``: True if DfE's printed figure agrees with the counts, within rounding.

    Null where there is nothing to compare (no printed figure, or no recomputed value).

    Example:
        >>> f = pl.DataFrame({"indicator": ["rereferral_pct"] * 2, "geography": ["la", "la"],
        ...     "numerator": [970.0, 970.0], "denominator": [4561.0, 4561.0],
        ...     "value": [21.2673, 21.2673], "published_value": [21.3, 21.5]})
        >>> published_agreement(f)["published_ok"].to_list()
        [True, False]
    """
    units = {k: i.unit for k, i in INDICATORS.items()}
    multiplier = pl.col("indicator").replace_strict(
        {k: i.multiplier for k, i in INDICATORS.items()}, return_dtype=pl.Float64
    )
    half_unit = pl.col("indicator").replace_strict(
        {k: 0.5 * 10 ** -published_decimals(k) for k in INDICATORS}, return_dtype=pl.Float64
    )
    slack = pl.col("geography").replace_strict(COUNT_ROUNDING, return_dtype=pl.Float64)
    is_count = pl.col("indicator").replace_strict(
        {k: u == "count" for k, u in units.items()}, return_dtype=pl.Boolean
    )
    num, den = pl.col("numerator"), pl.col("denominator")
    # Population denominators are exact; count denominators carry the same rounding as numerators.
    count_den = pl.col("indicator").replace_strict(
        {k: i.denominator not in (None, "population") for k, i in INDICATORS.items()},
        return_dtype=pl.Boolean,
    )
    den_slack = pl.when(count_den).then(slack).otherwise(0.0)
    low = ((num - slack).clip(lower_bound=0) / (den + den_slack)) * multiplier
    high = (num + slack) / (den - den_slack).clip(lower_bound=1e-12) * multiplier
    eps = 1e-9
    ratio_ok = (pl.col("published_value") >= low - half_unit - eps) & (
        pl.col("published_value") <= high + half_unit + eps
    )
    count_ok = (pl.col("published_value") - num).abs() <= eps
    comparable = pl.col("published_value").is_not_null() & pl.col("value").is_not_null()
    return frame.with_columns(
        pl.when(~comparable)
        .then(None)
        .when(is_count)
        .then(count_ok)
        .otherwise(ratio_ok)
        .alias("published_ok")
    )
