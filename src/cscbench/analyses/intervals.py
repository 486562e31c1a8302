"""Confidence intervals for percentages and rates, as OHID's PHEindicatormethods computes them.

- Percentages: Wilson score interval (``phe_proportion``; Wilson 1927). PHE/OHID technical
  guidance "Confidence intervals" and PHEindicatormethods ``R/Proportions.R``.
- Rates: exact Poisson limits from the chi-squared distribution when the count is under 10,
  Byar's approximation otherwise (``phe_rate``; Breslow and Day 1987). PHEindicatormethods
  ``R/Rates.R`` and ``R/utils.R``.

Both take arrays (numpy, lists or polars Series) and return ``(lower, upper)`` numpy arrays,
NaN where the input is missing or invalid (a negative count, a zero or missing denominator).

Example:
    >>> lower, upper = wilson_interval([970], [4561])
    >>> round(float(lower[0]), 2), round(float(upper[0]), 2)
    (20.1, 22.48)
    >>> lower, upper = rate_interval([545], [62113])
    >>> round(float(lower[0]), 1), round(float(upper[0]), 1)
    (80.5, 95.4)
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

ArrayLike = Sequence[float] | np.ndarray


def z_value(confidence: float) -> float:
    """The two-sided standard normal quantile: 1.959964 for 95%, 3.090232 for 99.8%.

    Example:
        >>> round(z_value(0.998), 6)
        3.090232
    """
    from statistics import NormalDist

    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1, not {confidence}")
    return NormalDist().inv_cdf(1 - (1 - confidence) / 2)


def chi2_ppf(q: float | np.ndarray, df: float | np.ndarray) -> np.ndarray:
    """Quantile of the chi-squared distribution, 2 x gammaincinv(df/2, q) (= scipy.stats.chi2.ppf).

    Uses scipy.special, which imports far faster than scipy.stats.

    Example:
        >>> round(float(chi2_ppf(0.998, 1)), 4)
        9.5495
    """
    from scipy.special import gammaincinv

    return 2 * gammaincinv(np.asarray(df, dtype=float) / 2, q)


def chi2_sf(x: float | np.ndarray, df: float | np.ndarray) -> np.ndarray:
    """Upper tail probability of chi-squared, gammaincc(df/2, x/2) (= scipy.stats.chi2.sf)."""
    from scipy.special import gammaincc

    return gammaincc(np.asarray(df, dtype=float) / 2, np.asarray(x, dtype=float) / 2)


def _as_float(values: ArrayLike) -> np.ndarray:
    if hasattr(values, "to_numpy"):
        values = values.to_numpy()
    return np.asarray(values, dtype=float)


def wilson_interval(
    numerator: ArrayLike,
    denominator: ArrayLike,
    confidence: float = 0.95,
    multiplier: float = 100,
) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for numerator / denominator, times ``multiplier``.

    ``(2x + z^2 -/+ z sqrt(z^2 + 4x(1 - x/n))) / (2(n + z^2))`` (PHEindicatormethods
    ``wilson_lower`` / ``wilson_upper``). NaN where x < 0, n <= 0 or x > n.

    Example:
        >>> lower, upper = wilson_interval([0, 5], [10, 10], confidence=0.95, multiplier=1)
        >>> [round(float(v), 4) for v in lower], [round(float(v), 4) for v in upper]
        ([0.0, 0.2366], [0.2775, 0.7634])
    """
    x, n = np.broadcast_arrays(_as_float(numerator), _as_float(denominator))
    z = z_value(confidence)
    valid = (x >= 0) & (n > 0) & (x <= n)
    with np.errstate(invalid="ignore", divide="ignore"):
        root = z * np.sqrt(z**2 + 4 * x * (1 - x / n))
        lower = (2 * x + z**2 - root) / (2 * (n + z**2))
        upper = (2 * x + z**2 + root) / (2 * (n + z**2))
    lower = np.where(valid, np.clip(lower, 0, 1), np.nan) * multiplier
    upper = np.where(valid, np.clip(upper, 0, 1), np.nan) * multiplier
    return lower, upper


def byars_lower(count: np.ndarray, z: float) -> np.ndarray:
    """Byar's lower limit for a Poisson count: x(1 - 1/(9x) - z/(3 sqrt x))^3."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return count * (1 - 1 / (9 * count) - z / (3 * np.sqrt(count))) ** 3


def byars_upper(count: np.ndarray, z: float) -> np.ndarray:
    """Byar's upper limit for a Poisson count: (x+1)(1 - 1/(9(x+1)) + z/(3 sqrt(x+1)))^3."""
    x1 = count + 1
    return x1 * (1 - 1 / (9 * x1) + z / (3 * np.sqrt(x1))) ** 3


def poisson_count_limits(
    count: ArrayLike, confidence: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """Limits for a Poisson count: exact (chi-squared) under 10, Byar's from 10 (phe_rate).

    Exact: lower = chi2((1-c)/2, 2x)/2 (0 when x = 0), upper = chi2(c + (1-c)/2, 2x+2)/2.

    Example:
        >>> lower, upper = poisson_count_limits([0, 4, 100])
        >>> [round(float(v), 3) for v in lower]
        [0.0, 1.09, 81.362]
    """
    x = _as_float(count)
    alpha = 1 - confidence
    z = z_value(confidence)
    with np.errstate(invalid="ignore"):
        lower = byars_lower(x, z)
        upper = byars_upper(x, z)
    small = (x >= 0) & (x < 10)
    if small.any():  # exact limits only where needed: the quantiles are the costly part
        xs = x[small]
        lower[small] = np.where(xs > 0, chi2_ppf(alpha / 2, np.maximum(2 * xs, 1e-300)) / 2, 0.0)
        upper[small] = chi2_ppf(1 - alpha / 2, 2 * xs + 2) / 2
    invalid = ~(x >= 0)
    return np.where(invalid, np.nan, lower), np.where(invalid, np.nan, upper)


def rate_interval(
    count: ArrayLike,
    denominator: ArrayLike,
    confidence: float = 0.95,
    multiplier: float = 10_000,
) -> tuple[np.ndarray, np.ndarray]:
    """Interval for a rate count / denominator x multiplier (phe_rate; per 10,000 by default).

    Exact Poisson limits when the count is under 10, Byar's method otherwise; the count's
    limits are divided by the denominator. NaN where the count is negative or missing or the
    denominator is not positive.

    Example:
        >>> lower, upper = rate_interval([0], [5000])
        >>> float(lower[0]), round(float(upper[0]), 3)
        (0.0, 7.378)
    """
    x, n = np.broadcast_arrays(_as_float(count), _as_float(denominator))
    lower, upper = poisson_count_limits(x, confidence)
    valid = (x >= 0) & (n > 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return (
            np.where(valid, lower / n * multiplier, np.nan),
            np.where(valid, upper / n * multiplier, np.nan),
        )
