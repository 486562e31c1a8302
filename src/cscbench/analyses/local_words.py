"""Local measures in words: one row per measure with its icons, its national match and the
sentences an annual report would print.

- **Variation** is said of the latest point: the rule that marks it ("fell below its lower
  process limit in March 2025"), whether that is an improvement or a concern by the measure's
  polarity, and, where the limits were worked again from a change point, that it is the first
  special-cause point since that change ("..., the first special-cause point since the change
  of provider in October 2024"). Provisional limits (fewer than 15 points) are said to be.
- **Assurance** sets the target against the latest limits (:func:`~cscbench.analyses.
  local_spc.assurance`).
- **National match.** Where a measure matches a DfE indicator (its ``national`` column, or an
  id that is DfE's), DfE's latest published year for the authority's comparators and England
  is set beside it (from :func:`cscbench.analyses.benchmark`), and the local year so far is
  compared with it: a percentage over the year's counts (numerators and denominators summed,
  as DfE's year is; the mean of the points where no counts are given), a count or rate of
  events summed and annualised (x 12 / months so far), a count or rate on one day (DfE's "at
  31 March") the latest point. "In line with" when the reference lies inside the local
  figure's 95% interval (Wilson for a percentage, Byar's or exact Poisson for a rate:
  PHEindicatormethods; the Fingertips overlap rule), else above or below; without counts,
  only above or below. The mismatch of periods is always said: a part year, locally recorded,
  against DfE's full published year.

Example:
    >>> import textwrap
    >>> from cscbench.analyses.local_spc import example_measures, spc_points
    >>> row = local_summary(spc_points(example_measures())).row(0, named=True)
    >>> row["variation_symbol"], row["key_message"]
    ('L-', True)
    >>> print(textwrap.fill(row["sentences"][0], 90))
    Return interviews offered within 72 hours fell below its lower process limit in December
    2025 (a concern), the first special-cause point since the change of provider in October
    2024.
"""

from __future__ import annotations

import polars as pl

from cscbench.analyses.local_spc import ADVISED, ASSURANCE, assurance
from cscbench.analyses.spc_charts import MIN_POINTS
from cscbench.analyses.wording import year_label
from cscbench.datasets.local_periods import period_name
from cscbench.datasets.registry import INDICATORS

PER_YEAR = {"month": 12, "quarter": 4, "year": 1}
PLURAL = {"month": "months", "quarter": "quarters", "year": "years"}


def shown(value: float | None, unit: str) -> str:
    """A figure as the report prints it: '82.0%', '14.2 per 10,000 children', '1,204'.

    Example:
        >>> shown(82, "percent"), shown(14.23, "rate_per_10k"), shown(1204, "count")
        ('82.0%', '14.2 per 10,000 children', '1,204')
    """
    if value is None:
        return "no figure"
    if unit == "count":
        return f"{value:,.0f}"
    text = f"{value:,.1f}"
    return {
        "percent": f"{text}%",
        "rate_per_10k": f"{text} per 10,000 children",
        "days": f"{text} days",
    }.get(unit, text)


def _named(title: str) -> str:
    """A measure's title as a sentence's subject: without its unit in brackets."""
    return title.removesuffix(" (%)").strip()


def _span(frequency: str, first: int, last: int) -> str:
    """'April to December 2025', 'October 2024 to March 2025', '2024-25 Q1 to Q3'.

    Example:
        >>> _span("month", 2025 * 12 + 3, 2025 * 12 + 11), _span("quarter", 8100, 8102)
        ('April to December 2025', '2024-25 Q1 to Q3 (April to December 2024)')
    """
    start, end = period_name(frequency, first), period_name(frequency, last)
    if first == last:
        return start
    if frequency == "month" and first // 12 == last // 12:
        return f"{start.split()[0]} to {end}"
    if frequency == "quarter" and first // 4 == last // 4:
        months = f"{start.split('(')[1].split(' to ')[0]} to {end.split(' to ')[1]}"
        return f"{start.split(' (')[0]} to Q{last % 4 + 1} ({months}"
    return f"{start} to {end}"


def national_figures(
    measures: pl.DataFrame,
    la: str | None,
    group: str = "sn2025",
    year: int | str | None = None,
    source=None,
) -> pl.DataFrame:
    """DfE's published figures (of ``year``, default the latest) for each measure's national
    match: national, published_year, authority, la_value (DfE's figure for the authority),
    comparator_mean, england, group, latest (whether no later year is published); empty
    without an authority or a match."""
    schema = {
        "national": pl.String,
        "published_year": pl.Int32,
        "authority": pl.String,
        "la_value": pl.Float64,
        "comparator_mean": pl.Float64,
        "england": pl.Float64,
        "group": pl.String,
    }
    wanted = sorted(n for n in measures["national"].drop_nulls().unique() if n in INDICATORS)
    if la is None or not wanted:
        return pl.DataFrame(schema=schema)
    from cscbench.analyses import benchmark
    from cscbench.analyses.held import latest_year

    table = benchmark(la, year=year, group=group, indicators=wanted, source=source)
    return table.with_columns((pl.col("year") == latest_year(source)).alias("latest")).select(
        pl.col("indicator").alias("national"),
        pl.col("year").cast(pl.Int32).alias("published_year"),
        pl.col("area_name").alias("authority"),
        pl.col("value").alias("la_value"),
        "comparator_mean",
        "england",
        "group",
        "latest",
    )


def year_so_far(rows: pl.DataFrame, unit: str, frequency: str, on_one_day: bool) -> dict:
    """The local figure for the latest financial year so far, comparable with DfE's year:
    value, low, high (95%, where counts allow), periods (with a figure), span, how."""
    latest = rows.filter(pl.col("value").is_not_null())
    latest = latest.filter(pl.col("year") == latest["year"].max())
    k = latest.height
    if k == 0:
        return {}
    span = _span(frequency, latest["index"][0], latest["index"][-1])
    counts = latest["numerator"].null_count() == 0 and latest["denominator"].null_count() == 0
    low = high = None
    if on_one_day:
        value, how = latest["value"][-1], "the latest figure"
    elif unit == "percent":
        if counts:
            from cscbench.analyses.intervals import wilson_interval

            num, den = latest["numerator"].sum(), latest["denominator"].sum()
            value, how = num / den * 100, "the year's counts summed"
            lo, hi = wilson_interval([num], [den])
            low, high = float(lo[0]), float(hi[0])
        elif k == 1:
            value, how = latest["value"][0], "as given"
        else:
            value, how = latest["value"].mean(), f"the mean of the {PLURAL[frequency]}"
    else:
        scale = PER_YEAR[frequency] / k
        value = latest["value"].sum() * scale
        how = "summed" if scale == 1 else f"summed and annualised (x {PER_YEAR[frequency]}/{k})"
        if unit == "rate_per_10k" and counts:
            from cscbench.analyses.intervals import rate_interval

            base = latest["denominator"].mean() / scale
            lo, hi = rate_interval([latest["numerator"].sum()], [base])
            low, high = float(lo[0]), float(hi[0])
    return {
        "value": value,
        "low": low,
        "high": high,
        "periods": k,
        "span": span,
        "how": how,
        "year": int(latest["year"][0]),
    }


def compared(local: dict, reference: float | None) -> str | None:
    """'above', 'below' or 'in line with' (the reference inside the local 95% interval)."""
    if reference is None or not local:
        return None
    if local["low"] is not None and local["low"] <= reference <= local["high"]:
        return "in line with"
    return "above" if local["value"] > reference else "below"


def _variation_sentence(rows: pl.DataFrame, frequency: str) -> tuple[str, bool]:
    """The sentence on the latest point, and whether a rule marks it (a key message)."""
    title = _named(rows["title"][0])
    unit = rows["unit"][0]
    with_values = rows.filter(pl.col("value").is_not_null())
    last = with_values.row(-1, named=True)
    segment = with_values.filter(pl.col("segment") == last["segment"])
    since = period_name(frequency, segment["index"][0])
    many = PLURAL[frequency]
    if last["limits"] == "none":
        return (
            f"{title}: {segment.height} {many if segment.height != 1 else frequency} from "
            f"{since}, too few for process limits (at least {MIN_POINTS}; Making Data Count "
            "advises 15 to 20).",
            False,
        )
    when = period_name(frequency, last["index"])
    rule = last["rule"]
    if rule is None:
        special = segment.filter(pl.col("rule").is_not_null()).height
        earlier = (
            (f"; {special} special-cause {'point' if special == 1 else 'points'} before it")
            if special
            else ""
        )
        text = (
            f"{title} was {shown(last['value'], unit)} in {when}, within its process limits "
            f"({shown(last['lower'], unit)} to {shown(last['upper'], unit)} since {since}): "
            f"common cause variation{earlier}."
        )
    else:
        up = last["value"] > last["mean"]
        said = {
            "spc_high": f"rose above its upper process limit in {when}",
            "spc_low": f"fell below its lower process limit in {when}",
            "spc_trend": f"{'rose' if up else 'fell'} for 7 {many} or more in a row to {when}",
            "spc_near_limit": f"was near its {'upper' if up else 'lower'} process limit in 2 of "
            f"the 3 {many} to {when}",
            "spc_run": f"was {'above' if up else 'below'} its mean for 7 {many} or more "
            f"running to {when}",
        }[rule]
        kind = {
            "special_cause_improvement": " (an improvement)",
            "special_cause_concern": " (a concern)",
        }.get(last["point_type"], "")
        first = segment.filter(pl.col("rule").is_not_null())["index"][0] == last["index"]
        change = segment["change"][0]
        tail = (
            f", the first special-cause point since the {change.rstrip('.')} in {since}"
            if first and change
            else ""
        )
        text = f"{title} {said}{kind}{tail}."
    if last["limits"] == "provisional":
        text += (
            f" Its limits rest on {last['limit_points']} {many}, fewer than the {ADVISED} Making "
            "Data Count advises: they are provisional."
        )
    return text, rule is not None


def _assurance_sentence(last: dict) -> str | None:
    kind = assurance(last["target"], last["target_direction"], last["lower"], last["upper"])
    if kind is None or last["limits"] == "none":
        return None
    target = f"{last['target_direction']} {shown(last['target'], last['unit'])}"
    return f"Against its target ({target}), {ASSURANCE[kind][1]}."


def _national_sentence(rows: pl.DataFrame, frequency: str, match: dict) -> tuple[str, dict]:
    unit = rows["unit"][0]
    indicator = INDICATORS[match["national"]]
    local = year_so_far(rows, unit, frequency, indicator.at_31_march)
    if not local:
        return "", {}
    england = compared(local, match["england"])
    neighbours = compared(local, match["comparator_mean"])
    published = year_label(match["published_year"])
    k, own = local["periods"], year_label(local["year"])
    if k < PER_YEAR[frequency]:
        differ = (
            f"The periods differ: {k} of the {PER_YEAR[frequency]} {PLURAL[frequency]} of {own}, "
            f"from the authority's own records, against DfE's full year {published}."
        )
    elif local["year"] != match["published_year"]:
        differ = (
            f"The periods differ: {own}, from the authority's own records, against DfE's "
            f"{published}."
        )
    elif match["la_value"] is None:
        differ = f"The same year; DfE has no figure for {match['authority']} that year."
    else:
        differ = (
            f"The same year, but the authority's own count: DfE's figure for "
            f"{match['authority']} from the census return is {shown(match['la_value'], unit)}."
        )
    latest = ", the latest year DfE has published" if match.get("latest") else ""
    text = (
        f"In {local['span']} the figure was {shown(local['value'], unit)} ({local['how']}), "
        f"{england} England's {shown(match['england'], unit)}"
        + (
            f" and {neighbours} the comparator average ({shown(match['comparator_mean'], unit)})"
            if neighbours
            else ""
        )
        + f" in {published}{latest} ({indicator.title.lower()}). {differ}"
    )
    return text, {**local, "england_words": england, "comparators_words": neighbours}


_TEXT, _NUMBER = pl.String, pl.Float64
#: The columns of :func:`local_summary`, in order.
SUMMARY = {
    **dict.fromkeys(("measure", "title", "theme", "unit", "polarity", "frequency"), _TEXT),
    "points": pl.Int64, "missing": pl.Int64, "period": _TEXT, "value": _NUMBER,
    "segment_start": _TEXT, "limits": _TEXT, "limit_points": pl.Int64,
    **dict.fromkeys(("mean", "lower", "upper"), _NUMBER),
    **dict.fromkeys(("variation", "variation_symbol", "variation_words"), _TEXT),
    "target": _NUMBER, "target_direction": _TEXT, "target_status": _TEXT,
    **dict.fromkeys(("assurance", "assurance_symbol", "assurance_words", "national"), _TEXT),
    "published_year": pl.Int32, "england": _NUMBER, "comparator_mean": _NUMBER,
    "year_so_far": _NUMBER, "year_so_far_span": _TEXT, "compared_england": _TEXT,
    "compared_comparators": _TEXT, "key_message": pl.Boolean, "sentences": pl.List(_TEXT),
}  # fmt: skip


def local_summary(
    points: pl.DataFrame,
    national: pl.DataFrame | None = None,
    measures: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """One row per measure of :func:`~cscbench.analyses.local_spc.spc_points`: its latest point,
    limits and icons, its target's assurance, its national match and its sentences. Given the
    file's ``measures``, a measure with no points yet has its row too ("no figures yet")."""
    matches = {} if national is None else {r["national"]: r for r in national.iter_rows(named=True)}
    out = []
    for _, rows in points.group_by("measure", maintain_order=True):
        first = rows.row(0, named=True)
        frequency = first["frequency"]
        row = {k: first[k] for k in ("measure", "title", "theme", "unit", "polarity", "frequency")}
        with_values = rows.filter(pl.col("value").is_not_null())
        row |= {"points": with_values.height, "missing": rows.height - with_values.height}
        if with_values.is_empty():
            out.append(
                row
                | {
                    "sentences": [f"{_named(first['title'])}: no figures yet."],
                    "key_message": False,
                }
            )
            continue
        last = with_values.row(-1, named=True)
        kind = assurance(last["target"], last["target_direction"], last["lower"], last["upper"])
        kind = None if last["limits"] == "none" else kind
        row |= {
            k: last[k]
            for k in (
                "period",
                "value",
                "segment_start",
                "limits",
                "limit_points",
                "mean",
                "lower",
                "upper",
                "variation",
                "variation_symbol",
                "variation_words",
                "target",
                "target_direction",
                "target_status",
            )
        }
        row |= {
            "assurance": kind,
            "assurance_symbol": ASSURANCE[kind][0] if kind else None,
            "assurance_words": ASSURANCE[kind][1] if kind else None,
        }
        said, key = _variation_sentence(rows, frequency)
        sentences = [said, _assurance_sentence(last)]
        match = matches.get(rows["national"][0]) if "national" in rows.columns else None
        if match:
            text, local = _national_sentence(rows, frequency, match)
            sentences.append(text)
            row |= {k: match[k] for k in ("published_year", "england", "comparator_mean")}
            row |= {
                "national": match["national"],
                "year_so_far": local.get("value"),
                "year_so_far_span": local.get("span"),
                "compared_england": local.get("england_words"),
                "compared_comparators": local.get("comparators_words"),
            }
        out.append(row | {"sentences": [s for s in sentences if s], "key_message": key})
    seen = {row["measure"] for row in out}
    for row in [] if measures is None else measures.iter_rows(named=True):
        if row["measure"] not in seen:
            details = ("measure", "title", "theme", "unit", "polarity", "frequency")
            out.append(
                {k: row[k] for k in details}
                | {
                    "points": 0,
                    "missing": 0,
                    "key_message": False,
                    "sentences": [f"{_named(row['title'])}: no figures yet."],
                }
            )
    order = {} if measures is None else {m: i for i, m in enumerate(measures["measure"])}
    out.sort(key=lambda r: order.get(r["measure"], 0))
    return pl.DataFrame([{k: r.get(k) for k in SUMMARY} for r in out], schema=SUMMARY)
