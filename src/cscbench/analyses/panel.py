"""The authority panel: every statistic for every authority, indicator and year at once.

:func:`authority_panel` takes the tidy indicator frame (all geographies) and returns one row
per authority, indicator and year with its intervals, England's and its region's values, its
national rank, band, percentile and robust score, its comparison with England, its funnel
limits, its SPC rule and its recent trend. Comparator groups are added per focus authority by
:mod:`cscbench.analyses.benchmark`.

Everything is computed column-wise (polars expressions, numpy arrays over all series), so the
whole of England for every year takes well under a second.
"""

from __future__ import annotations

import numpy as np
import polars as pl
from numpy.lib.stride_tricks import sliding_window_view

from cscbench.analyses import funnels, ranks, spc, trend
from cscbench.analyses.intervals import rate_interval, wilson_interval
from cscbench.datasets.quality import published_agreement
from cscbench.datasets.registry import INDICATORS

SMALL_NUMBERS = 10
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


def _cross_section(la: pl.DataFrame) -> pl.DataFrame:
    """National rank, band, percentile and robust score over all authorities per indicator-year."""
    group = ["indicator", "year"]
    v = pl.col("value")
    best_low = ranks.rank_best_first(v, "low_is_good").over(group)
    best_high = ranks.rank_best_first(v, "high_is_good").over(group)
    band_low = ranks.quartile_band(v, "low_is_good").over(group)
    band_high = ranks.quartile_band(v, "high_is_good").over(group)
    polarity = pl.col("polarity")
    return la.with_columns(
        ranks.rank_highest_first(v).over(group).alias("national_rank"),
        v.count().over(group).cast(pl.Int32).alias("national_of"),
        pl.when(polarity == "low_is_good")
        .then(best_low)
        .when(polarity == "high_is_good")
        .then(best_high)
        .alias("national_rank_best"),
        pl.when(polarity == "low_is_good")
        .then(band_low)
        .when(polarity == "high_is_good")
        .then(band_high)
        .alias("quartile_band"),
        ranks.percentile(v).over(group).alias("percentile"),
        ranks.robust_score(v).over(group).alias("robust_score"),
    )


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
    """Funnel limits around England at each authority's denominator, with overdispersion."""
    parts = []
    for (indicator, _year), rows in la.group_by("indicator", "year", maintain_order=True):
        kind = FUNNEL_KIND.get(INDICATORS[indicator].unit)
        target = rows["england"][0]
        if kind is None or target is None or rows["value"].drop_nulls().is_empty():
            continue
        m = INDICATORS[indicator].multiplier
        have = rows.filter(pl.col("value").is_not_null(), pl.col("denominator") > 0)
        od = funnels.overdispersion(have["value"], have["denominator"], target, kind, m)
        tau2 = od.tau2 if od.adjusted else 0.0
        den = rows["denominator"].to_numpy().astype(float)
        limits = {}
        for level, confidence in (("95", 0.95), ("998", 0.998)):
            low, high = funnels.funnel_limits(target, den, kind, confidence, m, tau2)
            limits[f"funnel{level}_low"], limits[f"funnel{level}_high"] = low, high
        parts.append(
            rows.select("indicator", "year", "la_code").with_columns(
                *(pl.Series(k, v).fill_nan(None) for k, v in limits.items()),
                pl.lit(od.phi).alias("funnel_phi"),
                pl.lit(od.tau2).alias("funnel_tau2"),
                pl.lit("overdispersion-adjusted" if od.adjusted else "exact").alias(
                    "funnel_method"
                ),
            )
        )
    if not parts:
        return la.with_columns(
            *(
                pl.lit(None, pl.Float64).alias(c)
                for c in (
                    "funnel95_low",
                    "funnel95_high",
                    "funnel998_low",
                    "funnel998_high",
                    "funnel_phi",
                    "funnel_tau2",
                )
            ),
            pl.lit(None, pl.String).alias("funnel_method"),
        )
    return la.join(pl.concat(parts), on=["indicator", "year", "la_code"], how="left")


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
    mean, lower, upper, _, _, rules = spc.spc_many(packed, lengths)
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


def _windows(matrix: np.ndarray, width: int = trend.POINTS) -> np.ndarray:
    """Every run of ``width`` consecutive years of every series: (series x windows, width)."""
    return sliding_window_view(matrix, width, axis=1).reshape(-1, width)


def _trends(la: pl.DataFrame, years: list[int]) -> pl.DataFrame:
    """Fingertips recent trend over the 5 years ending in each year, for every series."""
    empty = la.with_columns(
        pl.lit(None, pl.String).alias("trend"),
        pl.lit(None, pl.String).alias("trend_reason"),
        pl.lit(None, pl.Float64).alias("trend_chi2"),
        pl.lit(None, pl.Float64).alias("trend_annual_change_pct"),
    )
    if len(years) < trend.POINTS:
        return empty.with_columns(
            pl.lit("cannot be calculated").alias("trend"),
            pl.lit("fewer than 5 years of data").alias("trend_reason"),
        )
    parts = []
    for indicator, rows in la.group_by("indicator", maintain_order=True):
        unit = INDICATORS[indicator[0]].unit
        keys, num = _series_matrix(rows, "numerator", years)
        _, den = _series_matrix(rows, "denominator", years)
        _, val = _series_matrix(rows, "value", years)
        _, lo = _series_matrix(rows, "ci95_low", years)
        _, hi = _series_matrix(rows, "ci95_high", years)
        w = trend.POINTS

        n_series, n_windows = val.shape[0], len(years) - w + 1
        if unit == "percent":
            result = trend.proportion_trend(_windows(num), _windows(den))
        elif unit == "rate_per_10k":
            result = trend.rate_trend(_windows(val), _windows(lo), _windows(hi))
        else:
            size = n_series * n_windows
            result = trend.TrendResult(
                np.full(size, "cannot be calculated", dtype=object),
                np.full(size, np.nan),
                np.full(size, np.nan),
                np.full(size, "a count, not a rate or percentage", dtype=object),
            )
        vw = _windows(val)
        change = trend.average_annual_change(vw[:, 0], vw[:, -1])
        end_years = np.tile(np.asarray(years[w - 1 :]), n_series)
        series = np.repeat(np.arange(n_series), n_windows)
        parts.append(
            pl.DataFrame(
                {
                    "indicator": keys["indicator"].to_numpy()[series],
                    "la_code": keys["la_code"].to_numpy()[series],
                    "year": end_years.astype(np.int32),
                    "trend": result.trend.astype(str),
                    "trend_reason": result.reason.astype(str),
                    "trend_chi2": result.chi2,
                    "trend_annual_change_pct": np.where(result.reason == "", change, np.nan),
                }
            ).with_columns(
                pl.col("trend_reason").replace("", None),
                pl.col("trend_chi2").fill_nan(None),
                pl.col("trend_annual_change_pct").fill_nan(None),
            )
        )
    table = pl.concat(parts)
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


def authority_panel(data: pl.DataFrame) -> pl.DataFrame:
    """Every authority x indicator x year with all single-authority statistics.

    ``data`` is the tidy indicator frame (national, regional and authority rows).

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
    la = _cross_section(la)
    la = _england_comparison(la)
    la = published_agreement(la)
    years = sorted(data["year"].unique().to_list())
    if years:
        years = list(range(years[0], years[-1] + 1))
    la = _funnels(la)
    la = _spc(la, years)
    la = _trends(la, years)
    return la.with_columns(trend_assessment()).sort("indicator", "la_code", "year")
