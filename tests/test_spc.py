"""SPC against NHSRplotthedots' golden values and hand-made series, one rule each."""

from __future__ import annotations

import numpy as np
import pytest

from cscbench.analyses.spc_charts import spc, spc_many

# R: set.seed(123); rnorm(20)
RNORM_123 = [
    -0.56047565,
    -0.23017749,
    1.55870831,
    0.07050839,
    0.12928774,
    1.71506499,
    0.46091621,
    -1.26506123,
    -0.68685285,
    -0.44566197,
    1.22408180,
    0.35981383,
    0.40077145,
    0.11068272,
    -0.55584113,
    1.78691314,
    0.49785048,
    -1.96661716,
    0.70135590,
    -0.47279141,
]


def test_golden_limits_from_nhsrplotthedots():
    chart = spc(RNORM_123)
    assert chart.mean == pytest.approx(0.1416238, abs=1e-7)
    assert chart.lower == pytest.approx(-3.01138, abs=1e-5)
    assert chart.upper == pytest.approx(3.294627, abs=1e-6)
    assert set(chart.rules) == {""}


def test_golden_limits_with_an_outlier_screened():
    values = list(RNORM_123)
    values[14] = 10  # y[15] = 10 in R
    chart = spc(values)
    assert chart.mean == pytest.approx(0.6694159, abs=1e-7)
    assert chart.lower == pytest.approx(-2.383666, abs=1e-6)
    assert chart.upper == pytest.approx(3.722497, abs=1e-6)
    assert chart.rules[14] == "spc_high"
    assert sum(r != "" for r in chart.rules) == 1


def only(rules, name):
    hits = [i for i, r in enumerate(rules) if r]
    assert {rules[i] for i in hits} == {name}, rules
    return hits


def test_outside_the_limits_once():
    rules = spc([10, 11, 10, 12, 11, 10, 30, 11, 10, 12, 11, 10]).rules
    assert rules[6] == "spc_high"


def test_seven_point_trend_once():
    series = [20, 22, 19, 21, 20, 21, 22, 23, 24, 25, 26, 21]
    chart = spc(series)
    assert only(chart.rules, "spc_trend") == [4, 5, 6, 7, 8, 9, 10]


def test_two_of_three_near_a_limit_once():
    series = [10, 10.5, 10, 10.5, 10, 12.4, 11, 12.4, 10, 10.5, 10, 10.5, 10]
    chart = spc(series)
    assert chart.mean < 11 and chart.near_upper < 12.4 < chart.upper
    assert only(chart.rules, "spc_near_limit") == [5, 7]  # the middle point is not near


def test_seven_point_run_once():
    series = [11, 13, 11, 13, 11, 13, 11, 9, 7, 9, 7, 9, 7]  # 7 above the mean, then 6 below
    chart = spc(series)
    assert only(chart.rules, "spc_run") == [0, 1, 2, 3, 4, 5, 6]


def test_point_on_the_mean_breaks_a_run():
    series = [11, 12, 11, 12, 11, 12, 9.5, 12, 8, 8.5, 8, 8.5, 8.5]
    chart = spc(series)
    assert "spc_run" not in chart.rules[:7]


def test_too_few_points_give_no_chart():
    chart = spc([1, 2, 3, 4, 5])
    assert np.isnan(chart.mean) and set(chart.rules) == {""}


def test_many_series_at_once_equal_one_at_a_time():
    a = [10, 11, 10, 12, 11, 10, 30, 11, 10, 12, 11, 10]
    b = [20, 22, 19, 21, 20, 21, 22, 23, 24, 25, 26, 21]
    y = np.full((2, 12), np.nan)
    y[0, :12], y[1, :12] = a, b
    mean, _, upper, _, _, rules = spc_many(y, np.array([12, 12]))
    for i, series in enumerate((a, b)):
        one = spc(series)
        assert mean[i] == pytest.approx(one.mean) and upper[i] == pytest.approx(one.upper)
        assert tuple(rules[i]) == one.rules
