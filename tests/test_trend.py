"""The Fingertips trend test against statsmodels on the same five points."""

from __future__ import annotations

import numpy as np
import pytest
import statsmodels.api as sm
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.stats.contingency_tables import Table

from cscbench.analyses.intervals import rate_interval
from cscbench.analyses.trends import (
    CRITICAL,
    average_annual_change,
    proportion_trend,
    rate_trend,
)

T = np.arange(1, 6)


def armitage_reference(r, n):
    """Cochran-Armitage chi-squared from statsmodels' linear-by-linear test (N/(N-1) scaling)."""
    table = np.column_stack([r, n - r])
    z = Table(table).test_ordinal_association(row_scores=T, col_scores=np.array([1, 0])).zscore
    total = n.sum()
    return z**2 * total / (total - 1)


@pytest.mark.parametrize(
    ("r", "n"),
    [
        ([970, 1030, 1100, 1180, 1250], [4561, 4600, 4700, 4650, 4800]),
        ([87, 95, 80, 101, 90], [468, 470, 455, 480, 472]),
        ([5, 6, 4, 7, 9], [40, 42, 41, 39, 44]),
    ],
)
def test_armitage_chi_squared_matches_statsmodels(r, n):
    r, n = np.array([r], dtype=float), np.array([n], dtype=float)
    result = proportion_trend(r, n)
    assert result.chi2[0] == pytest.approx(armitage_reference(r[0], n[0]), rel=1e-9)


def test_proportion_slope_sign_is_ols_of_logit():
    r = np.array([[100.0, 130, 150, 170, 210]])
    n = np.array([[1000.0] * 5])
    result = proportion_trend(r, n)
    fit = sm.OLS(np.log(r[0] / (n[0] - r[0])), sm.add_constant(T)).fit()
    assert result.slope[0] == pytest.approx(fit.params[1], rel=1e-9)
    assert result.trend[0] == "increasing" and result.chi2[0] > CRITICAL


def test_rate_wls_matches_statsmodels_with_known_variances():
    counts = np.array([520.0, 560, 598, 640, 690])
    pops = np.array([58612.0, 59376, 60668, 61500, 62113])
    values = counts / pops * 10_000
    lower, upper = rate_interval(counts, pops)
    result = rate_trend(values[None, :], lower[None, :], upper[None, :])
    se = (upper - lower) / 3.92
    fit = sm.WLS(values, sm.add_constant(T), weights=1 / se**2).fit(
        cov_type="fixed scale", cov_kwds={"scale": 1.0}
    )
    assert result.slope[0] == pytest.approx(fit.params[1], rel=1e-9)
    assert result.chi2[0] == pytest.approx((fit.params[1] / fit.bse[1]) ** 2, rel=1e-9)
    assert result.trend[0] == "increasing"


def test_significant_chi_squared_without_stable_sign_is_no_change():
    # Flat, then a jump in the last year: chi-squared is large, but without the last point
    # the slope is zero, so the sign is not stable.
    r = np.array([[100.0, 100, 100, 100, 300]])
    n = np.array([[1000.0] * 5])
    result = proportion_trend(r, n)
    assert result.chi2[0] > CRITICAL
    assert result.trend[0] == "no significant change"


def test_falling_rate_is_decreasing():
    values = np.array([[80.0, 75, 70, 66, 60]])
    result = rate_trend(values, values - 2, values + 2)
    assert result.trend[0] == "decreasing"


def test_cannot_be_calculated_with_a_gap_or_extreme_percentages():
    gap = proportion_trend(np.array([[5.0, np.nan, 5, 6, 7]]), np.array([[10.0] * 5]))
    assert gap.trend[0] == "cannot be calculated"
    assert gap.reason[0] == "fewer than 5 consecutive years with figures"
    zero = proportion_trend(np.array([[0.0, 1, 2, 3, 4]]), np.array([[10.0] * 5]))
    assert zero.reason[0] == "a percentage of 0% or 100% in the 5 years"


def test_vectorised_equals_one_at_a_time():
    rng = np.random.default_rng(3)
    n = rng.integers(200, 5000, size=(50, 5)).astype(float)
    r = np.floor(n * rng.uniform(0.1, 0.4, size=(50, 5)))
    together = proportion_trend(r, n)
    for i in range(50):
        alone = proportion_trend(r[i : i + 1], n[i : i + 1])
        assert together.trend[i] == alone.trend[0]
        assert together.chi2[i] == pytest.approx(alone.chi2[0])


@settings(max_examples=60)
@given(st.lists(st.floats(10, 1000), min_size=5, max_size=5), st.floats(0.5, 5))
def test_reversing_time_flips_an_increase(values, width):
    v = np.array([values])
    forward = rate_trend(v, v - width, v + width)
    backward = rate_trend(v[:, ::-1], v[:, ::-1] - width, v[:, ::-1] + width)
    flip = {
        "increasing": "decreasing",
        "decreasing": "increasing",
        "no significant change": "no significant change",
    }
    assert backward.trend[0] == flip[forward.trend[0]]


def test_average_annual_change():
    assert average_annual_change(np.array([100.0]), np.array([146.41]))[0] == pytest.approx(10.0)


@pytest.mark.parametrize(("years", "model"), [((None, None), "sn2025"), ((2016, 2021), "sn2021")])
def test_trend_views_at_once_equal_one_indicator_at_a_time(years, model):
    """A pack's trend charts take their views from one query (trend_views): for every tenth
    authority, every charted indicator and two spans of years, each equals trend_view of that
    indicator alone."""
    import polars as pl

    from cscbench.analyses.authority import series
    from cscbench.analyses.views import trend_view, trend_views
    from cscbench.datasets import load_neighbours
    from cscbench.datasets.registry import charted

    indicators = list(charted())
    for la in sorted(set(load_neighbours(model)["la_code"]))[::10]:
        rows = series(la, indicators, model)
        views = trend_views(rows, *years)
        for indicator in set(rows["indicator"]):
            alone = trend_view(rows.filter(pl.col("indicator") == indicator), *years)
            if alone.is_empty():  # no figures in the years asked: no view
                assert indicator not in views, (la, indicator)
            else:
                assert views[indicator].equals(alone), (la, indicator)
