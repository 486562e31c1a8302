"""The provisional chart: an authority's published series, its comparator average and
England, with a local, provisional year from its own census return.

Example:
    >>> row = {"year": 2026, "value": 40.1, "ci95_low": 35.2, "ci95_high": 45.5}
    >>> provisional_chart("Derby", "cp_rate", row).to_dict()["layer"][2]["mark"]["filled"]
    False
"""

from __future__ import annotations

import altair as alt
import polars as pl

from cscbench.analyses import trend
from cscbench.analyses.wording import number, year_label
from cscbench.datasets.areas import spoken_name
from cscbench.datasets.registry import INDICATORS
from cscbench.datasets.store import Source
from cscbench.figures.axes import (
    VALUE_AXIS,
    WIDTH,
    measure_title,
    segment,
    series_channels,
    year_axis,
)
from cscbench.figures.layers import chart_of, layered
from cscbench.figures.notes import about_title, chart_note, finish_chart
from cscbench.figures.theme import AUTHORITY


def provisional_chart(
    la: str,
    indicator: str,
    local: dict,
    group: str = "sn2025",
    include_self: bool = False,
    source: Source = None,
    years: int = 6,
) -> alt.LayerChart:
    """The authority's published series, its comparator average and England, with the local,
    provisional year from its own census return as a hollow point, labelled.

    ``local`` is the indicator's row of :func:`~cscbench.analyses.local.local_benchmark`.

    Example:
        >>> row = {"year": 2026, "value": 40.1, "ci95_low": 35.2, "ci95_high": 45.5}
        >>> spec = provisional_chart("Derby", "cp_rate", row).to_dict()
        >>> spec["title"]["text"]
        'Child protection plans in Derby: 2025-26 provisional'
    """
    rows = trend(la, indicator, group=group, include_self=include_self, source=source)
    rows = rows.filter(pl.col("year") > rows["year"].max() - years)
    name = rows["area_name"][0]
    long = (
        pl.concat(
            rows.lazy().select(
                "year",
                pl.col(column).alias("value"),
                pl.lit(label).alias("series"),
                segment(column).alias("segment"),  # a missing year breaks the line
            )
            for column, label in (
                ("value", name),
                ("comparator_mean", "Comparator average"),
                ("england", "England"),
            )
        )
        .drop_nulls("value")
        .collect()
    )
    point = pl.DataFrame(
        {
            "year": [int(local["year"])],
            "value": [local["value"]],
            "low": [local.get("ci95_low")],
            "high": [local.get("ci95_high")],
            "label": ["local, provisional"],
        }
    )
    x = alt.X(
        "year:Q",
        title=None,
        axis=year_axis(int(rows["year"].min()), int(local["year"])),
        scale=alt.Scale(domain=[int(rows["year"].min()) - 0.3, int(local["year"]) + 0.3]),
    )
    y = alt.Y(
        "value:Q", title=measure_title(indicator), scale=alt.Scale(zero=True), axis=VALUE_AXIS
    )
    colour, dash, _ = series_channels(
        {"value": name, "comparator_mean": "Comparator average", "england": "England"}
    )
    lines = (
        chart_of(long)
        .mark_line(point=True, strokeWidth=2)
        .encode(x=x, y=y, color=colour, strokeDash=dash, detail=alt.Detail("segment:N"))
    )
    whisker = (
        chart_of(point.drop_nulls())
        .mark_rule(color=AUTHORITY, strokeWidth=2)
        .encode(x=alt.X("year:Q"), y=alt.Y("low:Q"), y2=alt.Y2("high:Q"))
    )
    local_point = chart_of(point)
    hollow = local_point.mark_point(
        size=140, filled=False, color=AUTHORITY, strokeWidth=2.5
    ).encode(x=x, y=y, tooltip=[alt.Tooltip("label:N"), alt.Tooltip("value:Q", format=",.1f")])
    label = local_point.mark_text(align="right", dx=-10, dy=-12, color=AUTHORITY).encode(
        x=x, y=y, text=alt.Text("label:N")
    )
    chart = layered(lines, whisker, hollow, label, width=WIDTH, height=280)
    ind = INDICATORS[indicator]
    when = year_label(int(local["year"]))
    said = spoken_name(name)
    title = about_title(ind, said, f"{when} provisional")
    subtitle = [
        f"{ind.title}; DfE's published years and {said}'s own census return for {when}",
        "The provisional figure (hollow, with its 95% interval) is not yet validated by DfE",
    ]
    description = (
        f"Line chart of {ind.title.lower()} for {said}, its comparator average and England "
        f"to {year_label(int(rows['year'].max()))}, with a provisional {when} figure of "
        f"{number(local['value'], indicator)} from the authority's own census return."
    )
    return finish_chart(
        chart, title, subtitle, description, chart_note(indicator, source, "; local return")
    )
