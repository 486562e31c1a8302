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
from cscbench.analyses.engine import trend_view
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
from cscbench.figures.labels import (
    Axis,
    Label,
    nice_domain,
    place_labels,
    point_box,
    polyline_boxes,
    text_height,
    text_width,
)
from cscbench.figures.layers import chart_of, layered
from cscbench.figures.notes import about_title, chart_note, finish_chart
from cscbench.figures.theme import AUTHORITY

HEIGHT, HOLLOW_SIZE, LINE_POINT_SIZE = 280, 140, 30  # a line's points: Vega-Lite's 30
LABEL, LABEL_FONT, LABEL_DX = "local, provisional", 11, 10


def local_label(long: pl.DataFrame, local: dict, x_domain: list[float]) -> tuple[Axis, int, float]:
    """The value axis (from zero, rounded out as Vega would) and where the provisional point's
    words go: which side of it (0: left, 1: right) and at what value, by
    :func:`~cscbench.figures.labels.place_labels`: a little above the point where that is free
    (12 px), else as near as can be without meeting a line, a point or the interval.

    ``long`` has the published series (year, value, series, segment); ``local`` the
    provisional year, value and interval (low, high).
    """
    bounds = [local[k] for k in ("value", "low", "high") if local.get(k) is not None]
    drawn = [*long["value"].to_list(), *bounds]
    y = Axis(nice_domain(min(0.0, *drawn), max(drawn)), HEIGHT, reverse=True)
    x = Axis((float(x_domain[0]), float(x_domain[1])), WIDTH)
    obstacles = []
    for _, part in long.sort("year").group_by("series", "segment", maintain_order=True):
        xs, ys = [x.px(v) for v in part["year"]], [y.px(v) for v in part["value"]]
        obstacles += [point_box(a, b, LINE_POINT_SIZE) for a, b in zip(xs, ys, strict=True)]
        obstacles += polyline_boxes(xs, ys, width=2)
    at, level = x.px(local["year"]), y.px(local["value"])
    obstacles.append(point_box(at, level, HOLLOW_SIZE))
    if local.get("low") is not None and local.get("high") is not None:
        obstacles.append((at - 1, at + 1, y.px(local["high"]), y.px(local["low"])))
    wide = text_width(LABEL, LABEL_FONT)
    spans = ((at - LABEL_DX - wide, at - LABEL_DX), (at + LABEL_DX, at + LABEL_DX + wide))
    label = Label(level - 12, text_height(LABEL_FONT), spans)
    ((side, centre),) = place_labels([label], obstacles, HEIGHT, width=WIDTH)
    return y, side, y.value(centre)


def provisional_chart(
    la: str,
    indicator: str,
    local: dict,
    group: str = "sn2025",
    include_self: bool = False,
    source: Source = None,
    years: int = 6,
    rows: pl.DataFrame | None = None,
) -> alt.LayerChart:
    """The authority's published series, its comparator average and England, with the local,
    provisional year from its own census return as a hollow point, labelled.

    ``local`` is the indicator's row of :func:`~cscbench.analyses.local.local_benchmark`;
    ``rows`` (the authority's benchmark rows from :func:`cscbench.analyses.engine.series`)
    saves recomputing them when many charts are drawn.

    Example:
        >>> row = {"year": 2026, "value": 40.1, "ci95_low": 35.2, "ci95_high": 45.5}
        >>> spec = provisional_chart("Derby", "cp_rate", row).to_dict()
        >>> spec["title"]["text"]
        'Child protection plans in Derby: 2025-26 provisional'
    """
    if rows is None:
        rows = trend(la, indicator, group=group, include_self=include_self, source=source)
    else:
        rows = trend_view(rows.filter(pl.col("indicator") == indicator))
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
            "label": [LABEL],
        }
    )
    x_domain = [int(rows["year"].min()) - 0.3, int(local["year"]) + 0.3]
    x = alt.X(
        "year:Q",
        title=None,
        axis=year_axis(int(rows["year"].min()), int(local["year"])),
        scale=alt.Scale(domain=x_domain),
    )
    y_axis, side, label_at = local_label(long, point.row(0, named=True), x_domain)
    point = point.with_columns(pl.lit(label_at, pl.Float64).alias("label_at"))
    y = alt.Y(
        "value:Q",
        title=measure_title(indicator),
        scale=alt.Scale(zero=True, domain=list(y_axis.domain), nice=False),
        axis=VALUE_AXIS,
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
        size=HOLLOW_SIZE, filled=False, color=AUTHORITY, strokeWidth=2.5
    ).encode(x=x, y=y, tooltip=[alt.Tooltip("label:N"), alt.Tooltip("value:Q", format=",.1f")])
    label = local_point.mark_text(
        align=("right", "left")[side],
        dx=(-LABEL_DX, LABEL_DX)[side],
        baseline="middle",
        fontSize=LABEL_FONT,
        color=AUTHORITY,
    ).encode(x=x, y=alt.Y("label_at:Q"), text=alt.Text("label:N"))
    chart = layered(lines, whisker, hollow, label, width=WIDTH, height=HEIGHT)
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
