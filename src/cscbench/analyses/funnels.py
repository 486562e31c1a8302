"""Funnel plot limits and overdispersion (Spiegelhalter 2005, Statistics in Medicine 24:1185).

Limits are drawn around a target (England's value) at each authority's own denominator:

- percentages: the proportions whose Wilson interval just reaches the target, in closed form
  (PHEindicatormethods ``R/Funnels.R``, ``sigma_adjustment``);
- rates: exact Poisson limits for the expected count E = target x denominator
  (FunnelPlotR's unadjusted limits: ``qchisq(a/2, 2E)/2`` and ``qchisq(1-a/2, 2E+2)/2``).

Authorities' results vary more than chance allows (overdispersion), so, as FunnelPlotR does,
each authority gets a z-score (arcsine square root for percentages, square root for rates,
the "CQC" transform), z-scores are winsorised at 10% and 90%, phi is their mean square, and
tau^2 = max(0, (n phi - (n - 1)) / (sum w - sum w^2 / sum w)) with w = 1/s^2. When n phi exceeds
the 95% point of chi-squared with n - 1 degrees of freedom (Spiegelhalter 2005, section 3.2),
limits are widened with tau^2 on the transformed scale.

Example:
    >>> low, high = funnel_limits(1.0, [15, 20, 30], kind="rate", multiplier=1)
    >>> [round(float(v), 6) for v in low]
    [0.559692, 0.610826, 0.674696]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from cscbench.analyses.intervals import chi2_ppf, chi2_sf, z_value

ArrayLike = Sequence[float] | np.ndarray


def _arr(values: ArrayLike) -> np.ndarray:
    if hasattr(values, "to_numpy"):
        values = values.to_numpy()
    return np.asarray(values, dtype=float)


def wilson_funnel(
    target: float, denominators: ArrayLike, confidence: float
) -> tuple[np.ndarray, np.ndarray]:
    """Proportion limits (0-1) around ``target`` whose Wilson interval just reaches it.

    PHEindicatormethods' closed form with q = z, N = denominator, av = target:
    first = av(N/q^2 + 1), last = 1/q^2 + 1/N,
    adj = sqrt((-8 av (N/q^2 + 1))^2 - 64 (1/q^2 + 1/N) av (N (av (N/q^2 + 2) - 1) + q^2 (av - 1))),
    limit = (first -/+ adj/8) / last / N, clipped to [0, 1].
    """
    n = _arr(denominators)
    q = z_value(confidence)
    av = _arr(target)
    with np.errstate(invalid="ignore", divide="ignore"):
        first = av * (n / q**2 + 1)
        last = 1 / q**2 + 1 / n
        inner = (-8 * av * (n / q**2 + 1)) ** 2 - 64 * (1 / q**2 + 1 / n) * av * (
            n * (av * (n / q**2 + 2) - 1) + q**2 * (av - 1)
        )
        adj = np.sqrt(np.maximum(inner, 0))
        lower = (first - adj / 8) / last / n
        upper = (first + adj / 8) / last / n
    valid = n > 0
    return (
        np.where(valid, np.clip(lower, 0, 1), np.nan),
        np.where(valid, np.clip(upper, 0, 1), np.nan),
    )


def poisson_funnel(
    target: float, expected: ArrayLike, confidence: float
) -> tuple[np.ndarray, np.ndarray]:
    """Ratio limits (observed / expected) for expected counts E, exact Poisson, times target."""
    e = _arr(expected)
    alpha = 1 - confidence
    with np.errstate(invalid="ignore", divide="ignore"):
        lower = chi2_ppf(alpha / 2, 2 * e) / 2 / e
        upper = chi2_ppf(1 - alpha / 2, 2 * e + 2) / 2 / e
    valid = e > 0
    t = _arr(target)
    return np.where(valid, lower * t, np.nan), np.where(valid, upper * t, np.nan)


def funnel_limits(
    target: float | ArrayLike,
    denominators: ArrayLike,
    kind: str = "percent",
    confidence: float = 0.95,
    multiplier: float | None = None,
    tau2: float | ArrayLike = 0.0,
) -> tuple[np.ndarray, np.ndarray]:
    """Funnel limits around ``target`` at each denominator (Spiegelhalter 2005).

    ``kind`` is ``"percent"`` (target and limits in percent unless ``multiplier`` says
    otherwise, Wilson-based) or ``"rate"`` (per 10,000 by default, exact Poisson on the
    expected count target / multiplier x denominator). With ``tau2 > 0`` the limits are the
    overdispersion-adjusted ones (see :func:`overdispersion`). ``target`` and ``tau2`` may be
    arrays, one per denominator (many funnels at once).

    Example:
        >>> low, high = funnel_limits(22.6, [100, 1000, 10000], kind="percent")
        >>> [round(float(v), 2) for v in high]
        [30.8, 25.19, 23.42]
    """
    if kind not in ("percent", "rate"):
        raise ValueError(f"kind must be 'percent' or 'rate', not {kind!r}")
    m = multiplier if multiplier is not None else (100.0 if kind == "percent" else 10_000.0)
    n = _arr(denominators)
    theta = _arr(target) / m
    theta, n, tau = np.broadcast_arrays(theta, n, _arr(tau2))
    if kind == "percent":
        lower, upper = wilson_funnel(theta, n, confidence)
    else:
        lower, upper = poisson_funnel(theta, theta * n, confidence)
    wide = tau > 0
    if wide.any():
        z = z_value(confidence)
        with np.errstate(divide="ignore", invalid="ignore"):
            adj_lower, adj_upper = _adjusted_limits(kind, theta[wide], n[wide], z, tau[wide], 1.0)
        lower, upper = lower.copy(), upper.copy()
        lower[wide], upper[wide] = adj_lower, adj_upper
    return lower * m, upper * m


def _adjusted_limits(
    kind: str, theta: float, n: np.ndarray, z: float, tau2: float, m: float
) -> tuple[np.ndarray, np.ndarray]:
    """Limits widened by tau^2 on the transformed scale (FunnelPlotR's PR and CQC forms).

    Percent: sin^2(asin(sqrt t) -/+ z sqrt(1/(4n) + tau^2)), clipped to [0, 1].
    Rate: t (1 -/+ z sqrt(1/(4E) + tau^2))^2 with E = t n, the lower limit at least 0.
    """
    if kind == "percent":
        centre = np.arcsin(np.sqrt(theta))
        spread = z * np.sqrt(1 / (4 * n) + tau2)
        lower = np.sin(np.clip(centre - spread, 0, np.pi / 2)) ** 2
        upper = np.sin(np.clip(centre + spread, 0, np.pi / 2)) ** 2
    else:
        spread = z * np.sqrt(1 / (4 * theta * n) + tau2)
        lower = theta * np.clip(1 - spread, 0, None) ** 2
        upper = theta * (1 + spread) ** 2
    return lower * m, upper * m


def z_scores(
    values: ArrayLike, denominators: ArrayLike, target: float, kind: str, multiplier: float
) -> tuple[np.ndarray, np.ndarray]:
    """FunnelPlotR z-scores and their standard errors on the transformed scale.

    Percent (FunnelPlotR "PR"): Y = asin(sqrt p), s = 1/(2 sqrt n), z = (Y - asin(sqrt t)) / s.
    Rate (FunnelPlotR "SR", CQC method): Y = sqrt(O/E), s = 1/(2 sqrt E), z = (Y - 1) / s.
    """
    v = _arr(values) / multiplier
    n = _arr(denominators)
    theta = float(target) / multiplier
    with np.errstate(invalid="ignore", divide="ignore"):
        if kind == "percent":
            s = 1 / (2 * np.sqrt(n))
            z = (np.arcsin(np.sqrt(v)) - np.arcsin(np.sqrt(theta))) / s
        else:
            expected = theta * n
            s = 1 / (2 * np.sqrt(expected))
            z = (np.sqrt(v / theta) - 1) / s
    return z, s


@dataclass(frozen=True)
class Overdispersion:
    """phi (dispersion ratio), tau^2 (between-authority variance), n, and whether to adjust.

    ``tau2`` is the estimate; limits use it only when ``adjusted`` is True.
    """

    phi: float
    tau2: float
    n: int
    adjusted: bool
    p_value: float


def overdispersion(
    values: ArrayLike,
    denominators: ArrayLike,
    target: float,
    kind: str,
    multiplier: float,
    trim: float = 0.1,
) -> Overdispersion:
    """FunnelPlotR's overdispersion estimate with winsorised z-scores (Spiegelhalter 2005).

    z-scores below their 10th percentile are set to it, and above the 90th likewise (R
    ``quantile`` type 7); phi = mean(z^2); tau^2 = max(0, (n phi - (n - 1)) /
    (sum w - sum w^2 / sum w)), w = 1/s^2. ``adjusted`` is True when n phi is beyond the 95% point
    of chi-squared on n - 1 degrees of freedom.

    Example:
        >>> od = overdispersion([20, 30, 25, 22, 40, 10], [100] * 6, 24.5, "percent", 100)
        >>> round(od.phi, 3), od.adjusted
        (2.427, True)
    """
    z, s = z_scores(values, denominators, target, kind, multiplier)
    keep = np.isfinite(z) & np.isfinite(s) & (s > 0)
    order = np.lexsort((s[keep], z[keep]))  # a fixed order: sums do not depend on input order
    z, s = z[keep][order], s[keep][order]
    n = int(z.size)
    if n < 3:
        return Overdispersion(float("nan"), 0.0, n, False, float("nan"))
    low, high = np.quantile(z, [trim, 1 - trim])  # numpy's default is R's type 7
    zw = np.clip(z, low, high)
    phi = float(np.mean(zw**2))
    w = 1 / s**2
    denominator = w.sum() - (w**2).sum() / w.sum()
    tau2 = max(0.0, (n * phi - (n - 1)) / denominator) if n * phi >= n - 1 else 0.0
    p_value = float(chi2_sf(n * phi, n - 1))
    adjusted = bool(p_value < 0.05 and tau2 > 0)
    return Overdispersion(phi, tau2, n, adjusted, p_value)
