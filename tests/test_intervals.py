"""Intervals against statsmodels' Wilson interval and scipy's chi-squared quantiles."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.stats import chi2
from statsmodels.stats.proportion import proportion_confint

from cscbench.analyses.intervals import chi2_ppf, rate_interval, wilson_interval, z_value


@pytest.mark.parametrize("confidence", [0.95, 0.998])
def test_wilson_matches_statsmodels(confidence):
    x = np.array([0, 1, 5, 87, 970, 4561, 142900])
    n = np.array([10, 3, 40, 468, 4561, 4561, 632830])
    lower, upper = wilson_interval(x, n, confidence)
    ref_low, ref_high = proportion_confint(x, n, alpha=1 - confidence, method="wilson")
    np.testing.assert_allclose(lower, ref_low * 100, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(upper, ref_high * 100, rtol=1e-10, atol=1e-12)


def test_wilson_accepts_polars_and_marks_invalid_as_nan():
    lower, upper = wilson_interval(pl.Series([3.0, 5.0, -1.0]), pl.Series([10.0, 4.0, 10.0]))
    assert np.isfinite(lower[0]) and np.isnan(lower[1]) and np.isnan(upper[2])


@pytest.mark.parametrize("count", [0, 1, 4, 9])
@pytest.mark.parametrize("confidence", [0.95, 0.998])
def test_small_counts_use_exact_chi_squared_limits(count, confidence):
    n = 62113
    lower, upper = rate_interval([count], [n], confidence)
    alpha = 1 - confidence
    ref_low = chi2.ppf(alpha / 2, 2 * count) / 2 if count else 0.0
    ref_high = chi2.ppf(1 - alpha / 2, 2 * count + 2) / 2
    assert lower[0] == pytest.approx(ref_low / n * 10_000, rel=1e-10)
    assert upper[0] == pytest.approx(ref_high / n * 10_000, rel=1e-10)


def test_counts_of_ten_or_more_use_byars_method_worked_by_hand():
    # Derby 2025 looked after: 545 children, 62,113 population, z = 1.959964.
    z = 1.959963984540054
    low = 545 * (1 - 1 / (9 * 545) - z / (3 * 545**0.5)) ** 3
    high = 546 * (1 - 1 / (9 * 546) + z / (3 * 546**0.5)) ** 3
    lower, upper = rate_interval([545], [62113])
    assert lower[0] == pytest.approx(low / 62113 * 10_000, rel=1e-12)
    assert upper[0] == pytest.approx(high / 62113 * 10_000, rel=1e-12)
    assert round(lower[0], 1) == 80.5 and round(upper[0], 1) == 95.4


def test_light_quantiles_equal_scipy_stats():
    q = np.array([0.001, 0.025, 0.5, 0.975, 0.999])
    for df in (1, 2, 7.5, 20, 200):
        np.testing.assert_allclose(chi2_ppf(q, df), chi2.ppf(q, df), rtol=1e-10)
    assert z_value(0.95) == pytest.approx(1.959964, abs=1e-6)
    assert z_value(0.998) == pytest.approx(3.090232, abs=1e-6)


counts = st.integers(0, 50_000)


@given(counts, st.integers(1, 50_000), st.sampled_from([0.95, 0.998]))
def test_wilson_contains_estimate(x, extra, confidence):
    n = x + extra
    lower, upper = wilson_interval([x], [n], confidence)
    p = 100 * x / n
    assert lower[0] - 1e-9 <= p <= upper[0] + 1e-9


@given(counts, st.integers(1, 10**7), st.sampled_from([0.95, 0.998]))
def test_rate_interval_contains_estimate(x, n, confidence):
    lower, upper = rate_interval([x], [n], confidence)
    rate = x / n * 10_000
    assert lower[0] - 1e-9 <= rate <= upper[0] + 1e-9


@given(st.floats(0.01, 0.99), st.integers(20, 10_000), st.integers(2, 20))
def test_wilson_widens_as_denominator_shrinks(p, n, factor):
    big, small = n * factor, n
    lo_big, hi_big = wilson_interval([p * big], [big])
    lo_small, hi_small = wilson_interval([p * small], [small])
    assert hi_small[0] - lo_small[0] > hi_big[0] - lo_big[0]


@given(st.floats(0.0001, 0.05), st.integers(1_000, 1_000_000), st.integers(2, 20))
def test_rate_interval_widens_as_denominator_shrinks(rate, n, factor):
    big = n * factor
    lo_big, hi_big = rate_interval([rate * big], [big])
    lo_small, hi_small = rate_interval([rate * n], [n])
    assert hi_small[0] - lo_small[0] > hi_big[0] - lo_big[0]


def test_wider_at_higher_confidence():
    l95, h95 = wilson_interval([87], [468], 0.95)
    l998, h998 = wilson_interval([87], [468], 0.998)
    assert l998[0] < l95[0] and h998[0] > h95[0]
