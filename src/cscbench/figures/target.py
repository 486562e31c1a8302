"""The target chart: one target's figures by period against the target line, each point
shaped by its status.

Example:
    >>> list(STATUS_SHAPES)[0]
    'on target'
"""

from __future__ import annotations

import altair as alt
import polars as pl

from cscbench.datasets.areas import spoken_name
from cscbench.datasets.store import Source
from cscbench.figures.axes import VALUE_AXIS, WIDTH
from cscbench.figures.labels import (
    Axis,
    Label,
    nice_domain,
    place_labels,
    point_box,
    polyline_boxes,
    rule_box,
    text_height,
    text_width,
)
from cscbench.figures.layers import chart_of, layered
from cscbench.figures.notes import data_words, finish_chart
from cscbench.figures.theme import ENGLAND, FOCUS, source_note

STATUS_SHAPES = {
    "on target": "circle",
    "off target, recoverable": "triangle-up",
    "off target, causing concern": "cross",
}

HEIGHT, POINT_SIZE = 260, 110
LABEL_FONT, LABEL_DX = 11, 4


def target_label(values: list[float], target: float, words: str) -> tuple[Axis, int, float]:
    """The value axis (from zero, rounded out as Vega would), and where the target's words go:
    which end of the plot (0: left, 1: right) and at what value, by
    :func:`~cscbench.figures.labels.place_labels`: as near the target line as they can be
    (above it, else below) without meeting it, a point or the line through the points.
    Periods are the points of an ordinal scale, each in the middle of its share of the width.

    Example: the target (45) at 65 px down a 0 to 60 axis of 260 px; the first period's point
    (49, at 47.7 px) sits just above the line where the words would go, and the line from it
    falls through the target line; at the right end the line rises from 30 to 60 across it. The
    nearest free place is at the left end above the first point (31.8 px: its box's top, 40.4,
    less the words' half height, 6.6, and 2 clear).
        >>> y, side, at = target_label([49.0, 30.0, 60.0], 45.0, "Target: at most 45.0")
        >>> y.domain, side, round(y.px(at), 1)
        ((0.0, 60.0), 0, 31.8)
        >>> y, side, at = target_label([30.0, 35.0, 40.0], 45.0, "Target: at most 45.0")
        >>> y.domain, side, round(y.px(at), 1)  # the line at the top: the words just below it
        ((0.0, 45.0), 0, 9.6)
    """
    y = Axis(nice_domain(min(0.0, *values, target), max(*values, target)), HEIGHT, reverse=True)
    step = WIDTH / len(values)
    xs = [step * (i + 0.5) for i in range(len(values))]
    ys = [y.px(v) for v in values]
    obstacles = [point_box(a, b, POINT_SIZE) for a, b in zip(xs, ys, strict=True)]
    obstacles += [*polyline_boxes(xs, ys, width=2), rule_box(0, WIDTH, y.px(target), 2)]
    wide = text_width(words, LABEL_FONT)
    spans = ((LABEL_DX, LABEL_DX + wide), (WIDTH - LABEL_DX - wide, WIDTH - LABEL_DX))
    label = Label(y.px(target), text_height(LABEL_FONT), spans)
    ((side, centre),) = place_labels([label], obstacles, HEIGHT, width=WIDTH)
    return y, side, y.value(centre)


def target_chart(
    table: pl.DataFrame, indicator: str, area_name: str, source: Source = None
) -> alt.LayerChart:
    """One target's figures by period against the target line, each point shaped (and
    labelled with its symbol) by its status, from a :func:`~cscbench.analyses.performance.
    targets` table.

    Example:
        >>> from cscbench.analyses.performance import targets
        >>> from cscbench.datasets.targets import Target, TargetPlan
        >>> plan = TargetPlan("t", (Target("cp_start_rate", "Plans starting", "rate_per_10k",
        ...                               45.0, "at most", 4.5),))
        >>> chart = target_chart(targets("Derby", plan), "cp_start_rate", "Derby")
        >>> chart.to_dict()["title"]["text"]
        'Derby: 2 of 5 periods on or near target'
    """
    rows = table.filter(pl.col("indicator") == indicator, pl.col("value").is_not_null())
    if rows.is_empty():
        from cscbench.errors import UsageError

        raise UsageError(f"no figures for {area_name} on {indicator} to chart")
    first = rows.row(0, named=True)
    decimals = 0 if first["unit"] == "count" else 1
    rows = rows.with_columns(pl.concat_str("symbol", "status", separator=" ").alias("shown_status"))
    order = rows["period"].to_list()
    x = alt.X("period:O", title=None, sort=order, axis=alt.Axis(labelAngle=0))
    words = f"Target: {first['direction']} {first['target']:,.{decimals}f}"
    y_axis, side, label_at = target_label(rows["value"].to_list(), first["target"], words)
    y = alt.Y(
        "value:Q",
        title=first["title"],
        scale=alt.Scale(zero=True, domain=list(y_axis.domain), nice=False),
        axis=VALUE_AXIS,
    )
    periods = chart_of(rows)
    line = periods.mark_line(color=FOCUS, strokeWidth=2).encode(x=x, y=y)
    # The legend names each status by shape and words (the symbols' glyphs are not in every
    # font the renderer has).
    domain = list(STATUS_SHAPES)
    points = periods.mark_point(filled=True, size=POINT_SIZE, color=FOCUS).encode(
        x=x,
        y=y,
        shape=alt.Shape(
            "status:N",
            scale=alt.Scale(domain=domain, range=list(STATUS_SHAPES.values())),
            legend=alt.Legend(title=None, orient="bottom"),
        ),
        tooltip=[
            alt.Tooltip("period:N"),
            alt.Tooltip("value:Q", format=f",.{decimals}f"),
            alt.Tooltip("shown_status:N", title="status"),
        ],
    )
    goal = pl.DataFrame(
        {
            "target": [first["target"]],
            "label": [words],
            "label_at": [label_at],
        }
    )
    target_line = chart_of(goal)
    rule = target_line.mark_rule(color=ENGLAND, strokeDash=[6, 4], strokeWidth=2).encode(
        y=alt.Y("target:Q")
    )
    align, at_x = (("left", LABEL_DX), ("right", WIDTH - LABEL_DX))[side]
    label = target_line.mark_text(
        align=align, baseline="middle", fontSize=LABEL_FONT, color=ENGLAND
    ).encode(y=alt.Y("label_at:Q"), x=alt.XValue(at_x), text=alt.Text("label:N"))
    chart = layered(rule, label, line, points, width=WIDTH, height=HEIGHT)
    near = rows.filter(pl.col("status") != "off target, causing concern").height
    said = spoken_name(area_name)
    title = f"{said}: {near} of {rows.height} periods on or near target"
    statuses = "; ".join(
        f"{p} {v:,.{decimals}f} ({s})"
        for p, v, s in rows.select("period", "value", "status").iter_rows()
    )
    description = (
        f"Line chart of {first['title'].lower()} for {said} by period against the "
        f"target ({first['direction']} {first['target']:,.{decimals}f}): {statuses}."
    )
    subtitle = f"{first['title']}; target {first['direction']} {first['target']:,.{decimals}f}"
    whose = {"local": f"{said}'s own figures", "DfE": "DfE, Children in need"}
    figures = sorted(set(rows["figures"]))
    # the data's date where DfE's figures are drawn (``source``: the data they came from)
    data = data_words(source) if "DfE" in figures else None
    note = source_note("; ".join(whose.get(f, f) for f in figures), data)
    return finish_chart(chart, title, subtitle, description, note)
