"""Statistical process control of an authority's own series: NHS England "Making Data Count".

An XmR chart as NHSRplotthedots (``ptd_spc_standard.R``, ``ptd_calculate_point_type.R``)
draws it, with limits from every year the data holds for the series, so a past year can be
seen to break from the years before and after it:

- centre line: the mean of the points;
- moving ranges |y_t - y_(t-1)|; those of 3.267 x their mean or more are screened out once and
  the mean moving range recomputed;
- process limits: mean +/- 2.66 x mean moving range; "near" limits two-thirds of the way.

Each point gets at most one special-cause rule, in this order of priority:

1. ``spc_high`` / ``spc_low``: outside the process limits (strictly);
2. ``spc_trend``: part of 7 consecutive points each strictly above (or below) the one before;
3. ``spc_near_limit``: 2 of 3 consecutive points beyond the near limit, all 3 on the same
   side of the mean (only the points beyond are marked);
4. ``spc_run``: part of 7 consecutive points on the same side of the mean (a point on the
   mean breaks the run).

Making Data Count advises 15 to 20 points for stable limits; DfE series hold at most 13
annual points, so cscbench computes SPC from :data:`MIN_POINTS` points and says how many
points the limits rest on.

Example:
    >>> chart = spc([10, 11, 10, 12, 11, 10, 30, 11, 10, 12])
    >>> chart.rules[6], round(chart.mean, 2), round(chart.upper, 2)
    ('spc_high', 12.7, 16.12)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

MIN_POINTS = 6
SCREEN = 3.267
LIMIT = 2.66
RUN = 7


@dataclass(frozen=True)
class SpcChart:
    """One series' chart: centre, limits, the rule each point triggers ('' for none)."""

    mean: float
    lower: float
    upper: float
    near_lower: float
    near_upper: float
    rules: tuple[str, ...]


def spc(values: Sequence[float]) -> SpcChart:
    """The XmR chart of one series (missing points left out, order kept).

    Example:
        >>> rules = spc([1, 2, 3, 4, 5, 6, 7, 8]).rules  # the ends are outside: that rule first
        >>> rules[0], rules[1:7] == ("spc_trend",) * 6, rules[7]
        ('spc_low', True, 'spc_high')
    """
    y = np.asarray([v for v in values if v is not None and np.isfinite(v)], dtype=float)
    charts = spc_many(y[None, :], np.array([y.size]))
    mean, lower, upper, near_lower, near_upper, rules = (c[0] for c in charts)
    return SpcChart(
        float(mean),
        float(lower),
        float(upper),
        float(near_lower),
        float(near_upper),
        tuple(rules[: y.size]),
    )


def _nanmean(a: np.ndarray, exact: bool = False) -> np.ndarray:
    """Row means ignoring NaN; NaN for a row with none (without numpy's warning).

    ``exact`` works them as R's ``mean`` does (``summary.c``), so that limits are
    NHSRplotthedots' to the last digit: a sum in extended precision taken in order, divided by
    the count, then corrected by the mean of the residuals. Without it, numpy's sum (at most
    an ulp or two away), with which the shipped snapshot's annual SPC was built.
    """
    present = ~np.isnan(a)
    count = present.sum(axis=1)
    if not exact or a.shape[1] == 0:
        total = np.where(present, a, 0.0).sum(axis=1)
        return np.where(count > 0, total / np.maximum(count, 1), np.nan)
    n = np.maximum(count, 1).astype(np.longdouble)
    values = np.where(present, a, 0.0).astype(np.longdouble)
    first = np.cumsum(values, axis=1)[:, -1] / n
    residuals = np.where(present, values - first[:, None], 0.0)
    second = first + np.cumsum(residuals, axis=1)[:, -1] / n
    return np.where(count > 0, second.astype(float), np.nan)


def _mark(hits: np.ndarray, width: int, total: int) -> np.ndarray:
    """Points covered by windows of ``width`` starting where ``hits`` is True."""
    marked = np.zeros((hits.shape[0], total), dtype=bool)
    for offset in range(width):
        marked[:, offset : offset + hits.shape[1]] |= hits
    return marked


def spc_many(
    y: np.ndarray,
    lengths: np.ndarray,
    baseline: np.ndarray | None = None,
    exact: bool = False,
):
    """XmR charts of many series at once.

    ``y`` is (series x points), each row's points left-aligned and NaN after ``lengths[i]``.
    With ``baseline``, the mean and limits of series ``i`` come from its first ``baseline[i]``
    points only and the rules are applied to all its points (NHSRplotthedots'
    ``fix_after_n_points``). With ``exact``, means and near limits are worked to the last digit
    as NHSRplotthedots works them (see :func:`_nanmean`; near limits from ``2 * (2.66 / 3)``
    times the mean moving range). Returns ``(mean, lower, upper, near_lower, near_upper, rules)``:
    five arrays of one value per series (NaN where a series has fewer than :data:`MIN_POINTS`
    points to set its limits) and an array of rule names per point ('' where none).

    Example:
        >>> y = np.array([[10, 11, 10, 12, 11, 10, 30, 11, 10, 12]], dtype=float)
        >>> mean, *_, rules = spc_many(y, np.array([10]), baseline=np.array([6]))
        >>> round(float(mean[0]), 2), rules[0][6]
        (10.67, 'spc_high')
    """
    y = np.asarray(y, dtype=float)
    s, t = y.shape
    lengths = np.asarray(lengths)
    used = lengths if baseline is None else np.minimum(np.asarray(baseline), lengths)
    valid = np.arange(t)[None, :] < lengths[:, None]
    y = np.where(valid, y, np.nan)
    fixed = np.where(np.arange(t)[None, :] < used[:, None], y, np.nan)
    enough = used >= MIN_POINTS
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = _nanmean(fixed, exact)
        mr = np.abs(np.diff(fixed, axis=1))
        mr_bar = _nanmean(mr, exact)
        mr_bar = _nanmean(np.where(mr < SCREEN * mr_bar[:, None], mr, np.nan), exact)
    mean = np.where(enough, mean, np.nan)
    spread = LIMIT * mr_bar
    lower, upper = mean - spread, mean + spread
    near = 2 * (LIMIT / 3) * mr_bar if exact else spread * 2 / 3  # R's limitclose
    near_lower, near_upper = mean - near, mean + near

    with np.errstate(invalid="ignore"):
        high = y > upper[:, None]
        low = y < lower[:, None]
        outside = high | low
        close = ~outside & ((y < near_lower[:, None]) | (y > near_upper[:, None]))
        side = np.sign(y - mean[:, None])
        step = np.sign(np.diff(y, axis=1))
    rules = np.full((s, t), "", dtype=object)
    taken = ~enough[:, None] | ~valid

    def apply(mask: np.ndarray, name) -> None:
        nonlocal taken
        chosen = mask & ~taken
        rules[chosen] = name if isinstance(name, str) else name[chosen]
        taken = taken | chosen

    apply(high, "spc_high")
    apply(low, "spc_low")
    if t - 1 >= RUN - 1:
        windows = sliding_window_view(step, RUN - 1, axis=1)
        hits = np.all(windows == 1, axis=2) | np.all(windows == -1, axis=2)
        apply(_mark(hits, RUN, t), "spc_trend")
    if t >= 3:
        sides = sliding_window_view(side, 3, axis=1)
        same = np.all(sides == 1, axis=2) | np.all(sides == -1, axis=2)
        hits = same & (sliding_window_view(close, 3, axis=1).sum(axis=2) >= 2)
        apply(_mark(hits, 3, t) & close, "spc_near_limit")
    if t >= RUN:
        sides = sliding_window_view(side, RUN, axis=1)
        hits = np.all(sides == 1, axis=2) | np.all(sides == -1, axis=2)
        apply(_mark(hits, RUN, t), "spc_run")
    return mean, lower, upper, near_lower, near_upper, rules
