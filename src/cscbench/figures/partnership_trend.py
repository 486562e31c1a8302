"""The partnership over time: each member's series, the partnership pooled with its 95%
interval, and England, from the frame :func:`~cscbench.analyses.partnership.partnership_trend`
returns (so a notebook can draw its own).

Example:
    >>> from cscbench.analyses.partnership import partnership_trend
    >>> t = partnership_trend(["Leicestershire", "Rutland"], ["cp_rate"])
    >>> partnership_trend_chart(t, "cp_rate").to_dict()["title"]["text"]
    'Rate of child protection plans over time: Leicestershire and Rutland'
"""

from __future__ import annotations

import altair as alt
import polars as pl

from cscbench.analyses.wording import and_list, year_label, years_label
from cscbench.datasets.areas import spoken_name
from cscbench.datasets.registry import INDICATORS
from cscbench.datasets.store import Source
from cscbench.figures.axes import VALUE_AXIS, WIDTH, measure_title, year_axis
from cscbench.figures.layers import chart_of, layered
from cscbench.figures.notes import chart_note, finish_chart
from cscbench.figures.partnership import areas_described, indicator_rows
from cscbench.figures.theme import COMPARATORS, ENGLAND, EXTRA, FOCUS, REGION

#: The members' colours, after the partnership's own (dark blue) and England's (plum).
MEMBER_COLOURS = [REGION, EXTRA, COMPARATORS, "#F46A25"]


def partnership_trend_chart(
    frame: pl.DataFrame, indicator: str, source: Source = None
) -> alt.LayerChart:
    """Lines of each member and England over the years, the partnership pooled as the
    strongest line with its 95% interval as a band; a year with no pooled figure (a member's
    was withheld) is a gap in that line, and the subtitle says which members.

    Example:
        >>> from cscbench.analyses.partnership import partnership_trend
        >>> t = partnership_trend(["Cornwall", "Isles of Scilly"], ["cp_rate"])
        >>> partnership_trend_chart(t, "cp_rate").to_dict()["title"]["subtitle"][1]
        "No pooled figure in 6 of 13 years: a member's figure was withheld (the Isles of Scilly)"
    """
    rows, name = indicator_rows(frame, indicator)
    ind = INDICATORS[indicator]
    members = rows.filter(pl.col("role") == "member")["area_name"].unique(maintain_order=True)
    series = [*members, name, "England"]
    colours = [*(MEMBER_COLOURS * 3)[: len(members)], FOCUS, ENGLAND]
    shown = rows.filter(pl.col("value").is_not_null())
    first, last = int(rows["year"].min()), int(rows["year"].max())
    x = alt.X("year:Q", title=None, axis=year_axis(first, last, labelAngle=0))
    y = alt.Y(
        "value:Q", title=measure_title(indicator), scale=alt.Scale(zero=False), axis=VALUE_AXIS
    )
    colour = alt.Color(
        "area_name:N",
        scale=alt.Scale(domain=series, range=colours),
        legend=alt.Legend(title=None, orient="bottom", columns=2),
    )
    dash = alt.StrokeDash(
        "role:N",
        scale=alt.Scale(
            domain=["member", "partnership", "england"], range=[[4, 2], [1, 0], [8, 3, 2, 3]]
        ),
        legend=None,
    )
    width = alt.StrokeWidth(
        "role:N",
        scale=alt.Scale(domain=["member", "partnership", "england"], range=[1.5, 3, 2]),
        legend=None,
    )
    tooltip = [
        alt.Tooltip("area_name:N", title="Area"),
        alt.Tooltip("year:Q", title="Year ending March"),
        alt.Tooltip("value:Q", format=f",.{ind.decimals}f", title="Value"),
    ]
    # a line per area, broken where a year has no figure (each run of years its own segment)
    runs = shown.with_columns(
        (pl.col("year").diff().fill_null(1) != 1).cum_sum().over("area_name").alias("run")
    ).with_columns(pl.format("{} {}", pl.col("area_name"), pl.col("run")).alias("segment"))
    pooled = runs.filter(pl.col("role") == "partnership", pl.col("ci95_low").is_not_null())
    band = (
        chart_of(pooled)
        .mark_area(opacity=0.15, color=FOCUS)
        .encode(x=x, y=alt.Y("ci95_low:Q"), y2=alt.Y2("ci95_high:Q"), detail="segment:N")
    )
    lines = (
        chart_of(runs)
        .mark_line(point=alt.OverlayMarkDef(size=30))
        .encode(
            x=x,
            y=y,
            color=colour,
            strokeDash=dash,
            strokeWidth=width,
            detail="segment:N",
            tooltip=tooltip,
        )
    )
    layers = [band, lines] if pooled.height else [lines]
    chart = layered(*layers, width=WIDTH, height=300)
    subtitle = [f"{ind.title}, {years_label(first, last)}"]
    gaps = rows.filter(pl.col("role") == "partnership", pl.col("value").is_null())
    if gaps.height:
        who = sorted({m for ms in gaps["missing"].to_list() for m in ms})
        years = rows["year"].n_unique()
        subtitle.append(
            f"No pooled figure in {gaps.height} of {years} years: a member's figure was withheld "
            f"({and_list([spoken_name(m) for m in who])})"
        )
    if pooled.height:
        subtitle.append("Shaded: the partnership's 95% interval")
    latest = rows.filter(pl.col("year") == last)
    described = areas_described(latest, indicator, "no figure")
    description = (
        f"Line chart of {ind.title.lower()} in {years_label(first, last)} for "
        f"{and_list(list(members))}, the partnership pooled and England; in {year_label(last)}: "
        f"{described}."
    )
    title = f"{ind.headline.capitalize()} over time: {name}"
    return finish_chart(chart, title, subtitle, description, chart_note(indicator, source))
