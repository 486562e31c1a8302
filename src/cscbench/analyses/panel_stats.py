"""The authority panel: every statistic for every authority, indicator and year at once.

:func:`authority_panel` takes the tidy indicator frame (all geographies) and returns one row
per authority, indicator and year with its intervals, England's and its region's values, its
national rank, band, percentile and robust score, its comparison with England, its funnel
limits, its SPC rule and its recent trend. Comparator groups are added per focus authority by
:mod:`cscbench.analyses.engine`.

Everything is computed column-wise (polars expressions, numpy arrays over all series), so the
whole of England for every year takes well under a second.
"""

from __future__ import annotations

import numpy as np
import polars as pl
from numpy.lib.stride_tricks import sliding_window_view

from cscbench.analyses import funnels, ranks, spc_charts, trends
from cscbench.analyses.intervals import rate_interval, wilson_interval
from cscbench.analyses.stored_panel import from_stored, with_parts
from cscbench.datasets.quality import published_agreement
from cscbench.datasets.registry import INDICATORS

FUNNEL_KIND = {"percent": "percent", "rate_per_10k": "rate"}


def _by_indicator(attribute: str) -> dict[str, object]:
    return {k: getattr(i, attribute) for k, i in INDICATORS.items()}


def with_registry(frame: pl.DataFrame) -> pl.DataFrame:
    """Add ``unit``, ``polarity`` and ``multiplier`` from the registry."""
    return frame.with_columns(
        pl.col("indicator")
        .replace_strict(_by_indicator("unit"), return_dtype=pl.String)
        .alias("unit"),
        pl.col("indicator")
        .replace_strict(_by_indicator("polarity"), return_dtype=pl.String)
        .alias("polarity"),
        pl.col("indicator")
        .replace_strict(_by_indicator("multiplier"), return_dtype=pl.Float64)
        .alias("multiplier"),
    )


def with_intervals(frame: pl.DataFrame) -> pl.DataFrame:
    """Add ``ci95_low/high`` and ``ci998_low/high``: Wilson for percentages, Poisson for rates.

    Counts and withheld values get null intervals.
    """
    frame = frame if "unit" in frame.columns else with_registry(frame)
    num = frame["numerator"].to_numpy().astype(float)
    den = frame["denominator"].to_numpy().astype(float)
    unit = frame["unit"].to_numpy()
    ok = (frame["status"] == "published").to_numpy()
    columns = {}
    for level, confidence in (("95", 0.95), ("998", 0.998)):
        wl, wu = wilson_interval(num, den, confidence, 100)
        rl, ru = rate_interval(num, den, confidence, 10_000)
        for side, w, r in (("low", wl, rl), ("high", wu, ru)):
            values = np.where(unit == "percent", w, np.where(unit == "rate_per_10k", r, np.nan))
            columns[f"ci{level}_{side}"] = np.where(ok, values, np.nan)
    return frame.with_columns(
        pl.Series(name, values).fill_nan(None) for name, values in columns.items()
    )


def _england_and_region(data: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    england = data.filter(pl.col("geography") == "national").select(
        "indicator",
        "year",
        pl.col("value").alias("england"),
        pl.col("numerator").alias("england_numerator"),
        pl.col("denominator").alias("england_denominator"),
    )
    region = data.filter(pl.col("geography") == "regional").select(
        "indicator",
        "year",
        pl.col("area_code").alias("region_code"),
        pl.col("value").alias("region"),
    )
    return england, region


def with_cross_section(la: pl.DataFrame) -> pl.DataFrame:
    """Add national rank and band (on DfE's published figure, as LAIT:
    :func:`ranks.national_standing`), and percentile and robust score (on the unrounded value),
    over all authorities of ``la`` per indicator and year: ``national_rank``, ``national_of``,
    ``national_rank_best``, ``quartile_band``, ``rank_rule``, ``percentile`` and
    ``robust_score``, last. Ranks are on the published figure (2.04 and 1.96 are both 2.0,
    joint best); the percentile is not. The percentile and robust score are worked from their
    stored parts (:mod:`cscbench.analyses.stored_panel`), so the stored panel gives them back
    exactly.

    Example:
        >>> la = pl.DataFrame({"indicator": ["cp_2yrs_pct"] * 3, "year": [2023] * 3,
        ...     "value": [2.04, 1.96, 3.0], "polarity": ["low_is_good"] * 3})
        >>> with_cross_section(la).select("national_rank_best", "percentile").rows()
        [(1, 50.0), (1, 16.666666666666664), (3, 83.33333333333334)]
    """
    return from_stored(with_parts(ranks.national_standing(la)))


def _england_comparison(la: pl.DataFrame) -> pl.DataFrame:
    """Fingertips' overlapping-interval rule: England inside the interval (inclusive) is similar."""

    def compare(level: str) -> pl.Expr:
        low, high = pl.col(f"ci{level}_low"), pl.col(f"ci{level}_high")
        e = pl.col("england")
        return (
            pl.when(low.is_null() | e.is_null())
            .then(None)
            .when((e >= low) & (e <= high))
            .then(pl.lit("similar"))
            .when(pl.col("value") > e)
            .then(pl.lit("above"))
            .otherwise(pl.lit("below"))
            .alias(f"england_comparison_{level}")
        )

    return la.with_columns(compare("95"), compare("998"))


def _funnels(la: pl.DataFrame) -> pl.DataFrame:
    """Funnel limits around England at each authority's denominator, with overdispersion.

    Overdispersion (phi, tau^2) is estimated per indicator and year; the limits of all rows
    are then computed in one vectorised call per kind and confidence level.
    """
    kinds = {k: FUNNEL_KIND.get(i.unit) for k, i in INDICATORS.items()}
    dispersion = []
    for (indicator, year), rows in la.partition_by(
        "indicator", "year", as_dict=True, maintain_order=True
    ).items():
        kind, target = kinds[indicator], rows["england"][0]
        if kind is None or target is None:
            continue
        have = rows.filter(pl.col("value").is_not_null(), pl.col("denominator") > 0)
        od = funnels.overdispersion(
            have["value"], have["denominator"], target, kind, INDICATORS[indicator].multiplier
        )
        dispersion.append(
            (
                indicator,
                year,
                od.phi,
                od.tau2,
                od.tau2 if od.adjusted else 0.0,
                "overdispersion-adjusted" if od.adjusted else "exact",
            )
        )
    table = pl.DataFrame(
        dispersion,
        orient="row",
        schema={
            "indicator": pl.String,
            "year": pl.Int32,
            "funnel_phi": pl.Float64,
            "funnel_tau2": pl.Float64,
            "_tau2_used": pl.Float64,
            "funnel_method": pl.String,
        },
    )
    la = la.join(table, on=["indicator", "year"], how="left").with_columns(
        pl.col("funnel_phi").fill_nan(None)
    )
    columns = {
        f"funnel{level}_{side}": np.full(la.height, np.nan)
        for level in ("95", "998")
        for side in ("low", "high")
    }
    kind_of_row = la["indicator"].replace_strict(kinds, return_dtype=pl.String).to_numpy()
    for kind in ("percent", "rate"):
        rows = (kind_of_row == kind) & la["_tau2_used"].is_not_null().to_numpy()
        if not rows.any():
            continue
        target = la["england"].to_numpy()[rows]
        den = la["denominator"].fill_null(np.nan).to_numpy()[rows]
        tau2 = la["_tau2_used"].to_numpy()[rows]
        for level, confidence in (("95", 0.95), ("998", 0.998)):
            low, high = funnels.funnel_limits(target, den, kind, confidence, tau2=tau2)
            columns[f"funnel{level}_low"][rows] = low
            columns[f"funnel{level}_high"][rows] = high
    return la.with_columns(
        pl.Series(name, values).fill_nan(None) for name, values in columns.items()
    ).drop("_tau2_used")


def _series_matrix(
    la: pl.DataFrame, column: str, years: list[int]
) -> tuple[pl.DataFrame, np.ndarray]:
    """(series keys, matrix series x years) of ``column``, NaN where there is no figure."""
    wide = la.pivot(on="year", index=["indicator", "la_code"], values=column, sort_columns=True)
    for y in years:
        if str(y) not in wide.columns:
            wide = wide.with_columns(pl.lit(None, pl.Float64).alias(str(y)))
    keys = wide.select("indicator", "la_code")
    matrix = wide.select([pl.col(str(y)).cast(pl.Float64) for y in years]).to_numpy()
    return keys, np.where(np.isnan(matrix), np.nan, matrix)


def _spc(la: pl.DataFrame, years: list[int]) -> pl.DataFrame:
    """Each authority's XmR chart over every year of its series (NHSRplotthedots rules)."""
    base = la.select("indicator", "la_code", "year", "value").sort("indicator", "la_code", "year")
    keys, values = _series_matrix(base, "value", years)
    present = ~np.isnan(values)
    order = np.argsort(~present, axis=1, kind="stable")  # figures first, in year order
    packed = np.take_along_axis(values, order, axis=1)
    lengths = present.sum(axis=1)
    mean, lower, upper, _, _, rules = spc_charts.spc_many(packed, lengths)
    year_of = np.asarray(years)[order]
    rows = []
    for i in range(len(keys)):
        for j in range(int(lengths[i])):
            rows.append((i, int(year_of[i, j]), rules[i, j] or None))
    points = pl.DataFrame(
        rows, schema={"_series": pl.Int64, "year": pl.Int32, "spc_rule": pl.String}, orient="row"
    )
    series = (
        keys.with_columns(
            pl.Series("spc_mean", mean).fill_nan(None),
            pl.Series("spc_lower", lower).fill_nan(None),
            pl.Series("spc_upper", upper).fill_nan(None),
            pl.Series("spc_points", lengths).cast(pl.Int32),
        )
        .with_row_index("_series")
        .with_columns(pl.col("_series").cast(pl.Int64))
    )
    result = points.join(series, on="_series").drop("_series")
    return la.join(result, on=["indicator", "la_code", "year"], how="left")


def _windows(matrix: np.ndarray, width: int = trends.POINTS) -> np.ndarray:
    """Every run of ``width`` consecutive years of every series: (series x windows, width)."""
    return sliding_window_view(matrix, width, axis=1).reshape(-1, width)


def _trends(la: pl.DataFrame, years: list[int]) -> pl.DataFrame:
    """Fingertips recent trend over the 5 years ending in each year, for every series."""
    w = trends.POINTS
    if len(years) < w:
        return la.with_columns(
            pl.lit("cannot be calculated").alias("trend"),
            pl.lit("fewer than 5 years of data").alias("trend_reason"),
            pl.lit(None, pl.Float64).alias("trend_chi2"),
            pl.lit(None, pl.Float64).alias("trend_annual_change_pct"),
        )
    matrices = {}
    for column in ("numerator", "denominator", "value", "ci95_low", "ci95_high"):
        keys, matrices[column] = _series_matrix(la, column, years)
    units = keys["indicator"].replace_strict(_by_indicator("unit"), return_dtype=pl.String)
    n_windows = len(years) - w + 1
    size = keys.height * n_windows
    trend_word = np.full(size, "cannot be calculated", dtype=object)
    reason = np.full(size, "a count, not a rate or percentage", dtype=object)
    chi2 = np.full(size, np.nan)
    for unit in ("percent", "rate_per_10k"):
        series = (units == unit).to_numpy()
        if not series.any():
            continue
        m = {c: _windows(v[series]) for c, v in matrices.items()}
        if unit == "percent":
            result = trends.proportion_trend(m["numerator"], m["denominator"])
        else:
            result = trends.rate_trend(m["value"], m["ci95_low"], m["ci95_high"])
        rows = np.repeat(series, n_windows)
        trend_word[rows], reason[rows], chi2[rows] = result.trend, result.reason, result.chi2
    values = _windows(matrices["value"])
    change = trends.average_annual_change(values[:, 0], values[:, -1])
    index = np.repeat(np.arange(keys.height), n_windows)
    table = pl.DataFrame(
        {
            "indicator": keys["indicator"].to_numpy()[index],
            "la_code": keys["la_code"].to_numpy()[index],
            "year": np.tile(np.asarray(years[w - 1 :], dtype=np.int32), keys.height),
            "trend": trend_word.astype(str),
            "trend_reason": reason.astype(str),
            "trend_chi2": chi2,
            "trend_annual_change_pct": np.where(reason == "", change, np.nan),
        }
    ).with_columns(
        pl.col("trend_reason").replace("", None),
        pl.col("trend_chi2").fill_nan(None),
        pl.col("trend_annual_change_pct").fill_nan(None),
    )
    out = la.join(table, on=["indicator", "la_code", "year"], how="left")
    return out.with_columns(
        pl.col("trend").fill_null("cannot be calculated"),
        pl.when(pl.col("trend").is_null())
        .then(pl.lit("fewer than 5 years of data before this year"))
        .otherwise(pl.col("trend_reason"))
        .alias("trend_reason"),
    )


def trend_assessment() -> pl.Expr:
    """``improving`` / ``worsening`` from the trend and the polarity; null otherwise."""
    up = pl.col("trend") == "increasing"
    down = pl.col("trend") == "decreasing"
    low_good = pl.col("polarity") == "low_is_good"
    high_good = pl.col("polarity") == "high_is_good"
    return (
        pl.when((up & high_good) | (down & low_good))
        .then(pl.lit("improving"))
        .when((up & low_good) | (down & high_good))
        .then(pl.lit("worsening"))
        .otherwise(None)
        .alias("trend_assessment")
    )


def year_grid(data: pl.DataFrame) -> list[int]:
    """Every year from the first to the last in ``data``: the grid SPC and trends are worked on.

    Example:
        >>> year_grid(pl.DataFrame({"year": [2019, 2015, 2017]}))
        [2015, 2016, 2017, 2018, 2019]
    """
    years = data["year"].drop_nulls()
    return list(range(years.min(), years.max() + 1)) if len(years) else []


def authority_panel(data: pl.DataFrame, years: list[int] | None = None) -> pl.DataFrame:
    """Every authority x indicator x year with all single-authority statistics.

    ``data`` is the tidy indicator frame (national, regional and authority rows). ``years`` is
    the grid of years SPC and trends are worked on (default :func:`year_grid` of ``data``):
    give the whole frame's grid when working a few of its indicators, so that their rows are
    the whole panel's (a trend's reason for a year with no 5-year window depends on the grid).

    Example:
        >>> from cscbench.datasets import load_indicators
        >>> panel = authority_panel(load_indicators(["rereferral_pct"]))
        >>> derby = panel.filter(pl.col("la_code") == "831", pl.col("year") == 2017)
        >>> derby = derby.row(0, named=True)
        >>> round(derby["england"], 1), derby["england_comparison_95"]
        (21.9, 'similar')
    """
    data = with_registry(data)
    england, region = _england_and_region(data)
    la = data.filter(pl.col("geography") == "la")
    la = with_intervals(la)
    la = la.join(england, on=["indicator", "year"], how="left")
    la = la.join(region, on=["indicator", "year", "region_code"], how="left")
    la = _england_comparison(la)
    la = published_agreement(la)
    years = year_grid(data) if years is None else years
    la = _funnels(la)
    la = _spc(la, years)
    la = _trends(la, years)
    la = la.with_columns(trend_assessment()).sort("indicator", "la_code", "year")
    return with_cross_section(la)
