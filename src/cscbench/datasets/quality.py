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

from cscbench.datasets.registry import INDICATORS, SOURCES, UNITS


def published_decimals(indicator: str) -> int:
    """Decimal places of DfE's printed figure: as the catalogue declares it, else rates per
    10,000 of looked-after children as whole numbers and percentages to one decimal place.

    Example:
        >>> published_decimals("cla_rate"), published_decimals("rereferral_pct")
        (0, 1)
    """
    ind = INDICATORS[indicator]
    if ind.published_decimals is not None:
        return ind.published_decimals
    return 0 if ind.unit in ("rate_per_10k", "count") else 1


def _parts(term) -> int:
    """How many rounded counts a term sums (each carries its own rounding)."""
    if term is None or term.population:
        return 0
    return len(term.columns) if term.columns else term.rows


def _slack(part: str) -> dict[str, pl.Expr]:
    """Per indicator, how far its numerator (``part``) or denominator can be from the true
    count at each geography: half of what DfE rounds the source's counts to, per count summed
    (the catalogue's ``rounding``; national and regional children to the nearest 10)."""
    out = {}
    for key, ind in INDICATORS.items():
        rounding = dict(SOURCES[ind.source].rounding) or {"la": 0, "regional": 10, "national": 10}
        term = ind.numerator if part == "numerator" else ind.denominator
        n = _parts(term)
        # sickness absence: FTE x working days (254 in a leap year: the widest)
        scale = 254.0 if part == "denominator" and ind.denominator_scale else 1.0
        out[key] = {g: r / 2 * n * scale for g, r in rounding.items()}
    return out


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
    sizes = {
        k: i.unit in ("count", "fte") or not UNITS[i.unit].ratio for k, i in INDICATORS.items()
    }
    multiplier = pl.col("indicator").replace_strict(
        {k: i.multiplier for k, i in INDICATORS.items()}, return_dtype=pl.Float64
    )
    half_unit = pl.col("indicator").replace_strict(
        {k: 0.5 * 10 ** -published_decimals(k) for k in INDICATORS}, return_dtype=pl.Float64
    )
    is_count = pl.col("indicator").replace_strict(sizes, return_dtype=pl.Boolean)

    def slack(part: str) -> pl.Expr:
        table = _slack(part)
        key = pl.concat_str("indicator", pl.lit("|"), "geography")
        flat = {f"{k}|{g}": v for k, per in table.items() for g, v in per.items()}
        return key.replace_strict(flat, default=0.0, return_dtype=pl.Float64)

    num, den = pl.col("numerator"), pl.col("denominator")
    num_slack, den_slack = slack("numerator"), slack("denominator")
    low = ((num - num_slack).clip(lower_bound=0) / (den + den_slack)) * multiplier
    high = (num + num_slack) / (den - den_slack).clip(lower_bound=1e-12) * multiplier
    eps = 1e-9
    ratio_ok = (pl.col("published_value") >= low - half_unit - eps) & (
        pl.col("published_value") <= high + half_unit + eps
    )
    count_ok = (pl.col("published_value") - num).abs() <= eps
    # DfE's England and regional workforce ratios leave out missing returns, so its printed
    # figure there is not its summed FTEs': for those indicators (whose value is DfE's figure)
    # only an authority's is checked against its counts
    printed_value = pl.col("indicator").replace_strict(
        {k: i.value_from == "published" for k, i in INDICATORS.items()},
        return_dtype=pl.Boolean,
    )
    comparable = (
        pl.col("published_value").is_not_null()
        & pl.col("value").is_not_null()
        & ~(printed_value & (pl.col("geography") != "la"))
    )
    return frame.with_columns(
        pl.when(~comparable)
        .then(None)
        .when(is_count)
        .then(count_ok)
        .otherwise(ratio_ok)
        .alias("published_ok")
    )
