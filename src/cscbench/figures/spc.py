"""The SPC chart: the authority's own series with its centre line, process limits and
special-cause points (NHS Making Data Count).

Example:
    >>> spc_chart("Derby", "cin_rate").to_dict()["layer"][1]["mark"]["type"]
    'line'
"""

from __future__ import annotations

import altair as alt
import polars as pl

from cscbench.analyses import panel
from cscbench.analyses.spc_charts import MIN_POINTS
from cscbench.analyses.wording import year_label
from cscbench.datasets import find_area
from cscbench.datasets.areas import spoken_name
from cscbench.datasets.registry import INDICATORS
from cscbench.datasets.store import Source
from cscbench.figures.axes import VALUE_AXIS, WIDTH, measure_title, year_axis
from cscbench.figures.layers import chart_of, layered
from cscbench.figures.notes import about_title, chart_note, finish_chart
from cscbench.figures.theme import COMPARATORS, FOCUS


def spc_chart(la: str, indicator: str, source: Source = None) -> alt.LayerChart:
    """The authority's own series as an XmR chart, special-cause years marked.

    Example:
        >>> spec = spc_chart("Derby", "cin_rate").to_dict()
        >>> len(spec["layer"]) >= 3
        True
    """
    focus = find_area(la, source)
    rows = (
        panel([indicator], source, la_codes=[focus["la_code"]])
        .filter(pl.col("value").is_not_null())
        .sort("year")
    )
    if rows.is_empty():
        from cscbench.errors import UsageError

        raise UsageError(f"no figures for {focus['area_name']} on {indicator}")
    labels = {
        "spc_high": "Above upper limit",
        "spc_low": "Below lower limit",
        "spc_trend": "Run of 7 rising or falling",
        "spc_near_limit": "2 of 3 near a limit",
        "spc_run": "7 on one side of the mean",
    }
    rows = rows.with_columns(
        pl.col("spc_rule")
        .replace_strict(labels, default=None)
        .fill_null("Common cause")
        .alias("point")
    )
    x = alt.X(
        "year:Q", title=None, axis=year_axis(int(rows["year"].min()), int(rows["year"].max()))
    )
    y = alt.Y(
        "value:Q", title=measure_title(indicator), scale=alt.Scale(zero=False), axis=VALUE_AXIS
    )
    centre = pl.DataFrame({"value": [rows["spc_mean"][0]]}).drop_nulls()
    bounds = pl.DataFrame({"value": [rows["spc_upper"][0], rows["spc_lower"][0]]}).drop_nulls()
    years = chart_of(rows)
    line = years.mark_line(color=FOCUS, strokeWidth=2).encode(x=x, y=y)
    domain = ["Common cause", *labels.values()]
    # no limits (too few years): no key, as no point is common or special cause
    key = alt.Legend(title=None, orient="bottom", columns=3) if centre.height else None
    points = years.mark_point(filled=True, size=90).encode(
        x=x,
        y=y,
        color=alt.Color(
            "point:N",
            scale=alt.Scale(
                domain=domain,
                range=[FOCUS, "#d4351c", "#d4351c", "#F46A25", "#F46A25", "#A285D1"],
            ),
            legend=key,
        ),
        shape=alt.Shape(
            "point:N",
            scale=alt.Scale(
                domain=domain,
                range=["circle", "triangle-up", "triangle-down", "diamond", "square", "cross"],
            ),
            legend=key,
        ),
        tooltip=[
            alt.Tooltip("year:Q"),
            alt.Tooltip("value:Q", format=",.1f"),
            alt.Tooltip("point:N"),
        ],
    )
    mean_rule = (
        chart_of(centre).mark_rule(color=COMPARATORS, strokeWidth=1.5).encode(y=alt.Y("value:Q"))
    )
    limit_rules = (
        chart_of(bounds)
        .mark_rule(color="#6f777b", strokeDash=[5, 4], strokeWidth=1.5)
        .encode(y=alt.Y("value:Q"))
    )
    rules = layered(mean_rule, limit_rules)
    chart = layered(rules, line, points, width=WIDTH, height=280)
    special = rows.filter(pl.col("spc_rule").is_not_null())
    said = spoken_name(focus["area_name"])
    ind = INDICATORS[indicator]
    title = about_title(
        ind,
        said,
        f"{special.height} special-cause {'year' if special.height == 1 else 'years'}"
        if special.height
        else "common-cause variation only",
    )
    years = ", ".join(year_label(y) for y in special["year"])
    subtitle = (
        f"{ind.title}; mean and process limits from {rows.height} years (NHS Making Data Count)"
    )
    description = (
        f"Statistical process control chart of {ind.title.lower()} for "
        f"{said} over {rows.height} years, with its mean and process limits."
        + (
            f" Special-cause years: {years}."
            if special.height
            else " No year shows special-cause variation."
        )
    )
    if rows["spc_mean"][0] is None:
        title = about_title(ind, said, "too few years for limits", "too few years")
        few = f"{rows.height} {'year' if rows.height == 1 else 'years'}"
        subtitle = [
            ind.title,
            f"No process limits from {few}: cscbench draws them from {MIN_POINTS} "
            "(Making Data Count advises 15 to 20)",
        ]
        description = (
            f"Line chart of {ind.title.lower()} for {said} over {few}: too few "
            f"for a mean and process limits, which cscbench draws from {MIN_POINTS} years."
        )
    return finish_chart(chart, title, subtitle, description, chart_note(indicator, source))
