"""Case 8 of the performance suite: a local measures file of 200 measures x 120 months.

    python benchmark/run.py --cases local

The file (``synthetic_file``: seeded, a mix of counts, percentages with their counts, rates
and days, a change point in a quarter of the measures, a missing month with its note in a
tenth of them; written once, not timed) is

- **checked, its SPC worked and its 200 charts built** (``read_measures``, ``spc_points``,
  ``local_summary``, ``local_charts``: what ``cscbench local spc FILE`` does before drawing),
  against ``baseline``: a plain pandas implementation of the same checks and the same XmR
  rules (pandas to read and group, Python loops for the rules), which gives the same limits
  and rules (``tests/test_baseline_local.py``);
- **drawn** as well: the 200 charts to SVG in warm drawing processes, one per core
  (``write_local_charts``), the whole of ``cscbench local spc FILE --out DIR``.

Target: all of it within 5 s on 2 cores.
"""

from __future__ import annotations

import json
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
MEASURES, MONTHS = 200, 120
UNITS = ("count", "percent", "rate_per_10k", "days")


def synthetic_file(path: Path, measures: int = MEASURES, months: int = MONTHS, seed: int = 8):
    """A seeded measures file: ``measures`` monthly series of ``months`` points from April
    2015; every fourth measure has a change point at month 60 (a shift of its level), every
    tenth a month without a figure (with its note)."""
    rng = random.Random(seed)
    lines = ["measure,title,unit,polarity,theme,period,value,numerator,denominator,note,change"]
    for m in range(measures):
        unit = UNITS[m % len(UNITS)]
        polarity = ("high_is_good", "low_is_good", "context")[m % 3]
        level = rng.uniform(20, 80)
        for i in range(months):
            month = 2015 * 12 + 3 + i
            head = (f"m{m:03d},Measure {m},{unit},{polarity},Theme {m % 8}" if i == 0
                    else f"m{m:03d},,,,")  # fmt: skip
            shift = 8 if (m % 4 == 0 and i >= months // 2) else 0
            change = "new model" if (m % 4 == 0 and i == months // 2) else ""
            value, num, den, note = "", "", "", ""
            if m % 10 == 0 and i == 30:
                note = "system outage: no figure"
            elif unit == "percent":
                den = rng.randint(80, 120)
                num = min(den, max(0, round(den * (level + shift + rng.gauss(0, 5)) / 100)))
            elif unit == "rate_per_10k":
                den = 60000
                num = max(0, round((level + shift + rng.gauss(0, 4)) * 6))
            elif unit == "count":
                value = max(0, round(level + shift + rng.gauss(0, 6)))
            else:
                value = round(max(0.0, level + shift + rng.gauss(0, 3)), 1)
            lines.append(f"{head},{month // 12}-{month % 12 + 1:02d},{value},{num},{den},"
                         f"{note},{change}")  # fmt: skip
    path.write_text("\n".join(lines) + "\n")
    return path


# --- The pandas baseline --------------------------------------------------------------------

MULTIPLIER = {"count": 1, "percent": 100, "rate_per_10k": 10_000, "days": 1, "score": 1}


def _xmr(values: list[float]) -> tuple[float, float, float, float, float, list[str]]:
    """Mean, limits, near limits and rules of one segment, point by point (Making Data Count,
    NHSRplotthedots: the rules in priority order)."""
    import pandas as pd

    y = pd.Series(values, dtype=float)
    n = len(y)
    if n < 6:
        return (float("nan"),) * 5 + ([""] * n,)
    mean = y.mean()
    mr = y.diff().abs().dropna()
    amr = mr.mean()
    amr = mr[mr < 3.267 * amr].mean()
    lower, upper = mean - 2.66 * amr, mean + 2.66 * amr
    near_lower, near_upper = mean - 2 * (2.66 / 3) * amr, mean + 2 * (2.66 / 3) * amr
    rules = [""] * n
    for i, v in enumerate(y):
        if v > upper:
            rules[i] = "spc_high"
        elif v < lower:
            rules[i] = "spc_low"
    for start in range(n - 6):
        steps = [y[start + k + 1] - y[start + k] for k in range(6)]
        if all(s > 0 for s in steps) or all(s < 0 for s in steps):
            for k in range(start, start + 7):
                rules[k] = rules[k] or "spc_trend"
    side = [int(v > mean) - int(v < mean) for v in y]
    close = [not (v > upper or v < lower) and (v < near_lower or v > near_upper) for v in y]
    for start in range(n - 2):
        window = range(start, start + 3)
        if abs(sum(side[k] for k in window)) == 3 and sum(close[k] for k in window) >= 2:
            for k in window:
                if close[k]:
                    rules[k] = rules[k] or "spc_near_limit"
    for start in range(n - 6):
        if abs(sum(side[start : start + 7])) == 7:
            for k in range(start, start + 7):
                rules[k] = rules[k] or "spc_run"
    return mean, lower, upper, near_lower, near_upper, rules


def baseline(path: Path) -> tuple[list[tuple], list[dict]]:
    """(problems, one dict per segment) of a measures file: pandas and plain loops."""
    import pandas as pd

    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame["row"] = range(2, len(frame) + 2)
    problems: list[tuple] = []
    details: dict[str, dict] = {}
    for name in ("title", "unit", "polarity", "theme"):
        for measure, group in frame[frame[name] != ""].groupby("measure", sort=False):
            details.setdefault(measure, {})[name] = group[name].iloc[0]
            for row, value in zip(group["row"], group[name], strict=True):
                if value != group[name].iloc[0]:
                    problems.append((row, name, "does not match"))
    points = []
    for r in frame.itertuples():
        match = re.fullmatch(r"(\d{4})-(\d{2})", r.period)
        if not match or not 1 <= int(match[2]) <= 12:
            problems.append((r.row, "period", "not a month"))
            continue
        unit = details[r.measure]["unit"]
        value = float(r.value) if r.value else None
        if r.numerator:
            num, den = float(r.numerator), float(r.denominator)
            if den == 0:
                problems.append((r.row, "denominator", "is 0"))
                continue
            if unit == "percent" and num > den:
                problems.append((r.row, "numerator", "over its denominator"))
            value = num / den * MULTIPLIER[unit]
        if value is None and not r.note:
            problems.append((r.row, "value", "no figure"))
        index = int(match[1]) * 12 + int(match[2]) - 1
        points.append((r.measure, index, r.row, value, r.change))
    table = pd.DataFrame(points, columns=["measure", "index", "row", "value", "change"])
    segments = []
    for measure, group in table.groupby("measure", sort=False):
        group = group.sort_values("index")
        if group["index"].duplicated().any():
            problems.append((int(group["row"].iloc[0]), "period", "repeated"))
        gaps = group["index"].diff().dropna()
        for row in group["row"][1:][gaps.to_numpy() > 1]:
            problems.append((int(row), "period", "gap"))
        group = group.assign(segment=(group["change"] != "").cumsum())
        for segment, part in group.groupby("segment"):
            values = [v for v in part["value"] if pd.notna(v)]
            mean, lower, upper, _, _, rules = _xmr(values)
            segments.append({"measure": measure, "segment": int(segment), "mean": mean,
                             "lower": lower, "upper": upper, "rules": rules})  # fmt: skip
    return problems, segments


# --- Timing, each in a fresh process ----------------------------------------------------------


def work(name: str, path: Path):
    """The function one timed run calls (imports are not timed; the first run is a warm-up)."""
    if name == "baseline":
        return lambda: baseline(path)
    from cscbench.analyses.local_spc import spc_points
    from cscbench.analyses.local_words import local_summary
    from cscbench.datasets.local_measures import read_measures
    from cscbench.figures.drawing import pin_fonts
    from cscbench.figures.local_spc import local_charts, write_local_charts

    pin_fonts()

    def ours():
        local = read_measures(path)
        points = spc_points(local)
        summary = local_summary(points, None, local.measures)
        if name == "draw":
            return write_local_charts(points, summary, tempfile.mkdtemp())
        return list(local_charts(points, summary))

    return ours


def inner(name: str, path: Path, repeat: int, warmup: int) -> None:
    import resource

    run = work(name, path)
    for _ in range(warmup):
        run()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"times": times, "peak_mb": peak_mb}))


def timed(name: str, path: Path, repeat: int, warmup: int = 1) -> dict:
    argv = [sys.executable, __file__, name, str(path), str(repeat), str(warmup)]
    out = subprocess.run(argv, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def case_local(repeat: int, **_) -> list[dict]:
    """Case 8: the rows run.py writes (``compare`` from run.py)."""
    import os

    from run import compare

    folder = HERE / ".local"
    folder.mkdir(exist_ok=True)
    path = folder / f"measures-{MEASURES}x{MONTHS}.csv"
    if not path.exists():
        synthetic_file(path)
    base = timed("baseline", path, max(1, repeat // 2))
    what = f"{MEASURES} measures x {MONTHS} months"
    rows = []
    for name, done, target in (
        ("specs", "checked, SPC and the 200 chart specs built", "within 5 s on 2 cores"),
        ("draw", f"the same and the 200 charts drawn as SVG on {os.cpu_count()} cores",
         "within 5 s on 2 cores"),
    ):  # fmt: skip
        result = compare(
            f"8. local measures, {what}: {done}",
            timed(name, path, repeat),
            base,
            "pandas: the same checks and XmR rules, in loops",
            target,
        )
        if name == "specs":  # drawing is not in the baseline: no speed-up to claim
            result["speedup"] = 1 / result["ratio"]
        rows.append(result)
    return rows


if __name__ == "__main__":
    name, file, repeat, warmup = sys.argv[1:5]
    inner(name, Path(file), int(repeat), int(warmup))
