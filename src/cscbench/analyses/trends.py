"""The recent trend, as OHID's Fingertips trend marker computes it, for many series at once.

Fingertips technical guidance "Trend markers" and its port in FingertipsNext
(``TrendMarkerCalculator.cs``): the 5 most recent points of consecutive annual periods.

- Percentages: the chi-squared test for linear trend (Armitage 1955; Cochran-Armitage) with
  t = 1..5: chi^2 = N (N sum r t - R sum n t)^2 / (R (N - R) (N sum n t^2 - (sum n t)^2)),
  N = sum n, R = sum r; the slope's sign from ordinary least squares of logit(r/n) on t.
- Rates: weighted least squares of the value on t with w = 1/SE^2, SE = (upper95 - lower95)
  / 3.92; b = (S1 S2 - S3 S4) / (S1 S5 - S3^2), SE(b) = sqrt(S1 / (S1 S5 - S3^2)),
  chi^2 = (b / SE(b))^2.

A trend is significant only when chi^2 exceeds the 99.8% point of chi-squared on 1 degree of
freedom (9.5495) and the slope keeps its sign in the full fit and in each of the 5 fits that
leave one point out. It "cannot be calculated" with fewer than 5 consecutive points, for counts,
or for a percentage of 0% or 100% in the window.

Vectorised: every function takes arrays of shape (series, 5), so thousands of series are one
array operation (statsmodels is the reference the tests compare with).

Example:
    >>> import numpy as np
    >>> r = np.array([[100, 120, 140, 160, 180]]); n = np.array([[1000] * 5])
    >>> result = proportion_trend(r, n)
    >>> result.trend[0], round(float(result.chi2[0]), 2)
    ('increasing', 33.22)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

CRITICAL = 9.54953570608324  # chi-squared, 1 df, 99.8%
POINTS = 5
T = np.arange(1, POINTS + 1, dtype=float)
#: Why a percentage has no trend test: the chi-squared test cannot run on 0% or 100%.
EXTREME_PERCENTAGE = "a percentage of 0% or 100% in the 5 years"


@dataclass(frozen=True)
class TrendResult:
    """Per series: trend word, chi-squared, slope (per year, on its fitting scale), reason."""

    trend: np.ndarray
    chi2: np.ndarray
    slope: np.ndarray
    reason: np.ndarray


def _ols_slopes(y: np.ndarray, w: np.ndarray | None = None) -> np.ndarray:
    """Slopes of y on t = 1..5 for the full fit and each leave-one-out fit: shape (series, 6).

    Column 0 is the full fit; column k (1..5) leaves point k out. ``w`` weights (WLS).
    """
    if w is None:
        w = np.ones_like(y)
    keep = np.ones((POINTS + 1, POINTS))
    keep[np.arange(1, POINTS + 1), np.arange(POINTS)] = 0  # row k drops point k-1
    ww = w[:, None, :] * keep[None, :, :]  # (series, 6, 5)
    yy = y[:, None, :]
    s1 = ww.sum(axis=2)
    s2 = (ww * yy * T).sum(axis=2)
    s3 = (ww * T).sum(axis=2)
    s4 = (ww * yy).sum(axis=2)
    s5 = (ww * T**2).sum(axis=2)
    with np.errstate(invalid="ignore", divide="ignore"):
        return (s1 * s2 - s3 * s4) / (s1 * s5 - s3**2)


def _decide(
    chi2: np.ndarray, slopes: np.ndarray, reason: np.ndarray, scale: np.ndarray
) -> np.ndarray:
    """Significant: chi^2 beyond 9.5495 and the slope's sign the same in all 6 fits.

    A slope within rounding error of zero (1e-9 of the series' size) counts as zero, so
    equal values never give a sign by accident.
    """
    tolerance = 1e-9 * (np.abs(scale) + 1)[:, None]
    signs = np.sign(np.where(np.abs(slopes) <= tolerance, 0.0, slopes))
    stable = np.all(signs == signs[:, :1], axis=1) & (signs[:, 0] != 0)
    significant = (chi2 > CRITICAL) & stable
    trend = np.where(
        significant & (slopes[:, 0] > 0),
        "increasing",
        np.where(significant, "decreasing", "no significant change"),
    )
    return np.where(reason == "", trend, "cannot be calculated").astype(object)


def proportion_trend(numerators: np.ndarray, denominators: np.ndarray) -> TrendResult:
    """Fingertips trend for percentages: (series, 5) numerators and denominators.

    Example:
        >>> proportion_trend(np.array([[5, 5, 5, 5, 5]]), np.array([[10] * 5])).trend[0]
        'no significant change'
    """
    r = np.asarray(numerators, dtype=float)
    n = np.asarray(denominators, dtype=float)
    big_n, big_r = n.sum(axis=1), r.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        num = big_n * (big_n * (r * T).sum(axis=1) - big_r * (n * T).sum(axis=1)) ** 2
        den = big_r * (big_n - big_r) * (big_n * (n * T**2).sum(axis=1) - (n * T).sum(axis=1) ** 2)
        chi2 = num / den
        p = r / n
        logit = np.log(p / (1 - p))
    missing = ~np.all(np.isfinite(r) & np.isfinite(n) & (n > 0), axis=1)
    extreme = np.any((r <= 0) | (r >= n), axis=1)
    reason = np.where(
        missing,
        "fewer than 5 consecutive years with figures",
        np.where(extreme, EXTREME_PERCENTAGE, ""),
    )
    y = np.where(np.isfinite(logit), logit, 0.0)
    slopes = _ols_slopes(y)
    return TrendResult(
        _decide(chi2, slopes, reason, np.abs(y).max(axis=1)),
        np.where(reason == "", chi2, np.nan),
        np.where(reason == "", slopes[:, 0], np.nan),
        reason.astype(object),
    )


def rate_trend(values: np.ndarray, lower95: np.ndarray, upper95: np.ndarray) -> TrendResult:
    """Fingertips trend for rates: (series, 5) values and their 95% limits.

    Example:
        >>> v = np.array([[50.0, 55, 60, 65, 70]])
        >>> rate_trend(v, v - 5, v + 5).trend[0]
        'increasing'
    """
    v = np.asarray(values, dtype=float)
    se = (np.asarray(upper95, dtype=float) - np.asarray(lower95, dtype=float)) / 3.92
    missing = ~np.all(np.isfinite(v) & np.isfinite(se) & (se > 0), axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        w = np.where(missing[:, None], 1.0, 1 / se**2)
    v0 = np.where(missing[:, None], 0.0, v)
    slopes = _ols_slopes(v0, w)
    s1, s3, s5 = w.sum(axis=1), (w * T).sum(axis=1), (w * T**2).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        se_b = np.sqrt(s1 / (s1 * s5 - s3**2))
        chi2 = (slopes[:, 0] / se_b) ** 2
    reason = np.where(missing, "fewer than 5 consecutive years with figures", "")
    return TrendResult(
        _decide(chi2, slopes, reason, np.abs(v0).max(axis=1)),
        np.where(missing, np.nan, chi2),
        np.where(missing, np.nan, slopes[:, 0]),
        reason.astype(object),
    )


def average_annual_change(
    first: np.ndarray, last: np.ndarray, years: int = POINTS - 1
) -> np.ndarray:
    """Average annual % change from ``first`` to ``last`` over ``years`` years (compound).

    Example:
        >>> round(float(average_annual_change(np.array([100.0]), np.array([121.0]), 2)[0]), 6)
        10.0
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        change = ((last / first) ** (1 / years) - 1) * 100
    return np.where((first > 0) & (last >= 0), change, np.nan)
