"""The all-authority table written the way an analyst would: pandas, loops, one fit at a time.

This is the performance suite's baseline for case 2 and a second, independent implementation
of the same statistics: a loop per indicator, year and authority, scipy per interval,
statsmodels per trend fit, a Python loop per SPC series. The test suite checks that it gives the
same numbers as cscbench's vectorised engine on a sample (tests/test_baseline.py).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy.stats import chi2, norm
from statsmodels.stats.proportion import proportion_confint

UNIT = {"percent": 100.0, "rate_per_10k": 10_000.0}


def interval(x: float, n: float, unit: str, confidence: float) -> tuple[float, float]:
    """One interval: Wilson (statsmodels) for percentages, exact/Byar's (scipy) for rates."""
    if unit == "percent":
        low, high = proportion_confint(x, n, alpha=1 - confidence, method="wilson")
        return low * 100, high * 100
    z = norm.ppf(1 - (1 - confidence) / 2)
    if x < 10:
        low = chi2.ppf((1 - confidence) / 2, 2 * x) / 2 if x > 0 else 0.0
        high = chi2.ppf(1 - (1 - confidence) / 2, 2 * x + 2) / 2
    else:
        low = x * (1 - 1 / (9 * x) - z / (3 * math.sqrt(x))) ** 3
        high = (x + 1) * (1 - 1 / (9 * (x + 1)) + z / (3 * math.sqrt(x + 1))) ** 3
    return low / n * 10_000, high / n * 10_000


def band(value: float, q1: float, q2: float, q3: float, polarity: str) -> str | None:
    if polarity == "low_is_good":
        return "A" if value <= q1 else "B" if value <= q2 else "C" if value <= q3 else "D"
    if polarity == "high_is_good":
        return "D" if value <= q1 else "C" if value <= q2 else "B" if value <= q3 else "A"
    return None


def published_figure(rows: pd.DataFrame, unit: str) -> pd.Series:
    """The figure ranks and bands are taken on, as LAIT's: DfE's printed figure, else the value
    rounded half away from zero to DfE's decimals (whole counts, rates to one place)."""
    scale = 1 if unit == "count" else 10
    v = rows["value"]
    rounded = np.sign(v) * np.floor(np.abs(v) * scale + 0.5) / scale
    return rows["published_value"].where(rows["published_value"].notna(), rounded)


def overdispersion(values, dens, target, unit):
    z, w = [], []
    for v, n in zip(values, dens, strict=True):
        if unit == "percent":
            s = 1 / (2 * math.sqrt(n))
            z.append((math.asin(math.sqrt(v / 100)) - math.asin(math.sqrt(target / 100))) / s)
        else:
            e = target / 10_000 * n
            s = 1 / (2 * math.sqrt(e))
            z.append((math.sqrt(v / target) - 1) / s)
        w.append(1 / s**2)
    z, w = np.array(z), np.array(w)
    order = np.lexsort((1 / np.sqrt(w), z))
    z, w = z[order], w[order]
    lo, hi = np.quantile(z, [0.1, 0.9])
    phi = float(np.mean(np.clip(z, lo, hi) ** 2))
    k = len(z)
    tau2 = (
        max(0.0, (k * phi - (k - 1)) / (w.sum() - (w**2).sum() / w.sum()))
        if k * phi >= k - 1
        else 0.0
    )
    adjusted = chi2.sf(k * phi, k - 1) < 0.05 and tau2 > 0
    return tau2 if adjusted else 0.0


def funnel(target, n, unit, confidence, tau2):
    z = norm.ppf(1 - (1 - confidence) / 2)
    m = UNIT[unit]
    theta = target / m
    if tau2 > 0:
        if unit == "percent":
            centre = math.asin(math.sqrt(theta))
            spread = z * math.sqrt(1 / (4 * n) + tau2)
            low = math.sin(min(max(centre - spread, 0), math.pi / 2)) ** 2
            high = math.sin(min(max(centre + spread, 0), math.pi / 2)) ** 2
        else:
            spread = z * math.sqrt(1 / (4 * theta * n) + tau2)
            low, high = theta * max(1 - spread, 0) ** 2, theta * (1 + spread) ** 2
        return low * m, high * m
    if unit == "percent":
        half = z * math.sqrt(theta * (1 - theta) / n)  # the Wilson score test inverted
        return max(theta - half, 0) * m, min(theta + half, 1) * m
    e = theta * n
    return (
        chi2.ppf((1 - confidence) / 2, 2 * e) / 2 / e * target,
        chi2.ppf(1 - (1 - confidence) / 2, 2 * e + 2) / 2 / e * target,
    )


def trend(points: pd.DataFrame, unit: str) -> tuple[str, float]:
    """Fingertips trend for five consecutive years, one statsmodels fit per slope."""
    t = np.arange(1, 6, dtype=float)
    if unit == "percent":
        r, n = points["numerator"].to_numpy(), points["denominator"].to_numpy()
        if (r <= 0).any() or (r >= n).any():
            return "cannot be calculated", float("nan")
        big_n, big_r = n.sum(), r.sum()
        stat = (
            big_n
            * (big_n * (r * t).sum() - big_r * (n * t).sum()) ** 2
            / (big_r * (big_n - big_r) * (big_n * (n * t**2).sum() - (n * t).sum() ** 2))
        )
        y = np.log(r / (n - r))
        weights = np.ones(5)
    else:
        y = points["value"].to_numpy()
        se = (points["ci95_high"].to_numpy() - points["ci95_low"].to_numpy()) / 3.92
        weights = 1 / se**2
        fit = sm.WLS(y, sm.add_constant(t), weights=weights).fit(
            cov_type="fixed scale", cov_kwds={"scale": 1.0}
        )
        stat = (fit.params[1] / fit.bse[1]) ** 2
    slopes = []
    for leave in [None, 0, 1, 2, 3, 4]:
        keep = np.ones(5, dtype=bool) if leave is None else np.arange(5) != leave
        fit = sm.WLS(y[keep], sm.add_constant(t[keep]), weights=weights[keep]).fit()
        slope = fit.params[1]
        slopes.append(0.0 if abs(slope) <= 1e-9 * (np.abs(y).max() + 1) else np.sign(slope))
    stable = all(s == slopes[0] for s in slopes) and slopes[0] != 0
    if stat > 9.54953570608324 and stable:
        return ("increasing" if slopes[0] > 0 else "decreasing"), stat
    return "no significant change", stat


def spc_rules(values: list[float]) -> list[str]:
    """NHSRplotthedots' rules for one series, point by point, in priority order."""
    k = len(values)
    if k < 6:
        return [""] * k
    y = np.array(values)
    mean = y.mean()
    mr = np.abs(np.diff(y))
    mr_bar = mr.mean()
    kept = mr[mr < 3.267 * mr_bar]
    mr_bar = kept.mean() if kept.size else float("nan")  # a flat series has no limits
    upper, lower = mean + 2.66 * mr_bar, mean - 2.66 * mr_bar
    near_u, near_l = mean + 2.66 * mr_bar * 2 / 3, mean - 2.66 * mr_bar * 2 / 3
    rules = [""] * k
    for i in range(k):
        if y[i] > upper:
            rules[i] = "spc_high"
        elif y[i] < lower:
            rules[i] = "spc_low"
    step = np.sign(np.diff(y))
    for start in range(k - 6):
        window = step[start : start + 6]
        if (window == 1).all() or (window == -1).all():
            for i in range(start, start + 7):
                rules[i] = rules[i] or "spc_trend"
    side = np.sign(y - mean)
    close = [
        (rules[i] not in ("spc_high", "spc_low")) and (y[i] > near_u or y[i] < near_l)
        for i in range(k)
    ]
    for start in range(k - 2):
        idx = range(start, start + 3)
        same = all(side[i] == 1 for i in idx) or all(side[i] == -1 for i in idx)
        if same and sum(close[i] for i in idx) >= 2:
            for i in idx:
                if close[i]:
                    rules[i] = rules[i] or "spc_near_limit"
    for start in range(k - 6):
        idx = range(start, start + 7)
        if all(side[i] == 1 for i in idx) or all(side[i] == -1 for i in idx):
            for i in idx:
                rules[i] = rules[i] or "spc_run"
    return rules


def baseline_table(
    data: pd.DataFrame,
    neighbours: pd.DataFrame,
    registry: dict,
    authorities: list[str] | None = None,
    no_bands: frozenset[str] = frozenset(),
) -> pd.DataFrame:
    """The benchmark table for every authority (or those named), one computation at a time.

    ``data`` is the tidy indicator frame, ``neighbours`` the 2025 model (la_code,
    neighbour_code), ``registry`` maps indicator id -> (unit, polarity); ``no_bands`` are the
    indicators LAIT gives no quartile bands.
    """
    la = data[data["geography"] == "la"].copy()
    england = data[data["geography"] == "national"].set_index(["indicator", "year"])["value"]
    groups = neighbours.groupby("la_code")["neighbour_code"].apply(list).to_dict()
    rows = []
    for indicator, by_indicator in la.groupby("indicator"):
        unit, polarity = registry[indicator]
        # SPC and trend: per authority series
        spc_of, trend_of = {}, {}
        for code, series in by_indicator.groupby("la_code"):
            if authorities is not None and code not in authorities:
                continue
            series = series.sort_values("year")
            have = series[series["value"].notna()]
            for year, rule in zip(have["year"], spc_rules(have["value"].tolist()), strict=True):
                spc_of[(code, year)] = rule or None
            if unit in UNIT:
                for _, end in series.iterrows():
                    window = series[
                        (series["year"] > end["year"] - 5) & (series["year"] <= end["year"])
                    ]
                    if len(window) == 5 and window[["value", "numerator"]].notna().all().all():
                        if unit == "rate_per_10k":
                            bounds = [
                                interval(x, n, unit, 0.95)
                                for x, n in zip(
                                    window["numerator"], window["denominator"], strict=True
                                )
                            ]
                            window = window.assign(
                                ci95_low=[b[0] for b in bounds], ci95_high=[b[1] for b in bounds]
                            )
                        trend_of[(code, end["year"])] = trend(window, unit)
        have = by_indicator[by_indicator["value"].notna()]
        value_of = {year: rows.set_index("la_code")["value"] for year, rows in have.groupby("year")}
        first_year = have.groupby("la_code")["year"].min()
        for year, rows_year in by_indicator.groupby("year"):
            values = rows_year[rows_year["value"].notna()]
            target = england.get((indicator, year))
            figure = published_figure(values, unit)
            q1, q2, q3 = np.percentile(figure, [25, 50, 75]) if len(values) else (0, 0, 0)
            tau2 = 0.0
            positive = values[values["denominator"] > 0]  # (LAIT's years have no counts)
            if unit in UNIT and target is not None and len(positive) > 2:
                tau2 = overdispersion(positive["value"], positive["denominator"], target, unit)
            national_rank = figure.rank(method="min", ascending=False)
            by_code = values.set_index("la_code")["value"]
            figure_of = figure.set_axis(values["la_code"])
            for _, r in rows_year.iterrows():
                code, value = r["la_code"], r["value"]
                out = {"indicator": indicator, "year": year, "la_code": code, "value": value}
                if unit in UNIT and pd.notna(value) and pd.notna(r["denominator"]):
                    out["ci95_low"], out["ci95_high"] = interval(
                        r["numerator"], r["denominator"], unit, 0.95
                    )
                    out["ci998_low"], out["ci998_high"] = interval(
                        r["numerator"], r["denominator"], unit, 0.998
                    )
                    if target is not None:
                        inside = out["ci95_low"] <= target <= out["ci95_high"]
                        out["england_comparison_95"] = (
                            "similar" if inside else ("above" if value > target else "below")
                        )
                        for level, confidence in (("95", 0.95), ("998", 0.998)):
                            low, high = funnel(target, r["denominator"], unit, confidence, tau2)
                            out[f"funnel{level}_low"], out[f"funnel{level}_high"] = low, high
                if pd.notna(value):
                    out["national_rank"] = int(national_rank.loc[r.name])
                    if indicator not in no_bands:
                        out["quartile_band"] = band(figure_of[code], q1, q2, q3, polarity)
                members = [by_code[m] for m in groups.get(code, []) if m in by_code.index]
                out["group_n"] = len(members)
                if members:
                    out["comparator_mean"] = float(np.mean(members))
                    out["comparator_median"] = float(np.median(members))
                    if pd.notna(value):
                        out["rank"] = 1 + sum(
                            figure_of[m] > figure_of[code]
                            for m in groups.get(code, [])
                            if m in figure_of.index
                        )
                # the comparator mean's change over the members with figures in both years
                now = value_of.get(year, pd.Series(dtype=float))
                for name, then in (("1y", year - 1), ("since_base", first_year.get(code))):
                    if then is None or (name == "since_base" and then >= year):
                        continue
                    before = value_of.get(then, pd.Series(dtype=float))
                    both = [m for m in groups.get(code, []) if m in now.index and m in before.index]
                    n_name = "comparator_matched_n_" + ("1y" if name == "1y" else "base")
                    out[n_name] = len(both)
                    if both:
                        change = np.mean([now[m] for m in both]) - np.mean(
                            [before[m] for m in both]
                        )
                        out[f"comparator_matched_change_{name}"] = float(change)
                out["spc_rule"] = spc_of.get((code, year))
                found = trend_of.get((code, year))
                if found is not None:
                    out["trend"], out["trend_chi2"] = found
                if authorities is None or code in authorities:
                    rows.append(out)
    return pd.DataFrame(rows)


def to_pandas(frame) -> pd.DataFrame:
    """A polars frame as pandas without pyarrow (plain Python lists)."""
    return pd.DataFrame(frame.to_dict(as_series=False))
