"""Funnel limits against closed forms, FunnelPlotR's test values and a root finder."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import brentq

from cscbench.analyses.funnels import funnel_limits, overdispersion, z_scores
from cscbench.analyses.intervals import wilson_interval


def test_rate_limits_match_funnelplotr_test_values():
    # FunnelPlotR tests/testthat/test-poisson_limits.R: E = 15, 20, 30 at target 1.
    low95, high95 = funnel_limits(1.0, [15, 20, 30], kind="rate", multiplier=1, confidence=0.95)
    np.testing.assert_allclose(low95, [0.5596924, 0.6108260, 0.6746958], atol=5e-8)
    np.testing.assert_allclose(high95, [1.649348, 1.544419, 1.427562], atol=5e-7)
    low998, high998 = funnel_limits(1.0, [15], kind="rate", multiplier=1, confidence=0.998)
    assert low998[0] == pytest.approx(0.3862650, abs=5e-8)
    assert high998[0] == pytest.approx(2.082907, abs=5e-7)


def test_rate_limits_per_10000_scale_with_the_expected_count():
    # England's 2025 CLA rate 67.1 per 10,000 at Derby's 62,113 children: E = 417.
    target = 81770 / 12183016 * 10_000
    low, high = funnel_limits(target, [62113], kind="rate")
    expected = target / 10_000 * 62113
    ref_low, ref_high = funnel_limits(1.0, [expected], kind="rate", multiplier=1)
    assert low[0] == pytest.approx(ref_low[0] * target)
    assert high[0] == pytest.approx(ref_high[0] * target)


@pytest.mark.parametrize("n", [20, 150, 4561, 100_000])
@pytest.mark.parametrize("confidence", [0.95, 0.998])
def test_percent_limits_are_where_the_wilson_interval_reaches_the_target(n, confidence):
    target = 22.6
    low, high = funnel_limits(target, [n], kind="percent", confidence=confidence)

    def upper_minus_target(p):
        return wilson_interval([p * n], [n], confidence, 100)[1][0] - target

    def lower_minus_target(p):
        return wilson_interval([p * n], [n], confidence, 100)[0][0] - target

    if upper_minus_target(0) > 0:  # even 0% reaches the target: the limit is clipped at 0
        assert low[0] == 0
    else:
        assert low[0] == pytest.approx(100 * brentq(upper_minus_target, 0, 0.226), abs=1e-7)
    assert high[0] == pytest.approx(100 * brentq(lower_minus_target, 0.226, 1), abs=1e-7)


def test_limits_narrow_as_denominators_grow():
    low, high = funnel_limits(22.6, [50, 500, 5000, 50000])
    assert np.all(np.diff(high) < 0) and np.all(np.diff(low) > 0)


def test_overdispersion_worked_by_hand():
    values = np.array([20.0, 30.0, 25.0, 22.0, 40.0, 10.0, 24.0, 26.0, 23.0, 25.5])
    n = np.array([200, 300, 250, 400, 150, 120, 1000, 800, 500, 600.0])
    target = 24.5
    z = (np.arcsin(np.sqrt(values / 100)) - np.arcsin(np.sqrt(target / 100))) * 2 * np.sqrt(n)
    lo, hi = np.quantile(z, [0.1, 0.9])
    phi = np.mean(np.clip(z, lo, hi) ** 2)
    w = 4 * n
    tau2 = (10 * phi - 9) / (w.sum() - (w**2).sum() / w.sum())
    od = overdispersion(values, n, target, "percent", 100)
    assert od.phi == pytest.approx(phi) and od.tau2 == pytest.approx(tau2) and od.n == 10
    assert od.adjusted  # n phi well beyond chi-squared(9) 95% point
    assert od.p_value < 0.05


def test_no_overdispersion_when_results_agree_with_chance():
    n = np.full(40, 1000.0)
    rng = np.random.default_rng(7)
    values = rng.binomial(1000, 0.2, 40) / 10
    od = overdispersion(values, n, 20.0, "percent", 100)
    assert not od.adjusted


def test_adjusted_limits_are_wider():
    plain = funnel_limits(22.6, [4561], kind="percent")
    wide = funnel_limits(22.6, [4561], kind="percent", tau2=0.002)
    assert wide[0][0] < plain[0][0] and wide[1][0] > plain[1][0]
    plain = funnel_limits(60.0, [62113], kind="rate")
    wide = funnel_limits(60.0, [62113], kind="rate", tau2=0.01)
    assert wide[0][0] < plain[0][0] and wide[1][0] > plain[1][0]


def test_rate_z_scores_use_the_square_root_transform():
    z, s = z_scores([88.0], [62113], 67.1, "rate", 10_000)
    expected = 67.1 / 10_000 * 62113
    assert s[0] == pytest.approx(1 / (2 * np.sqrt(expected)))
    assert z[0] == pytest.approx((np.sqrt(88.0 / 67.1) - 1) / s[0])
