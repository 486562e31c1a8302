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
from cscbench.figures.layers import chart_of, layered
from cscbench.figures.notes import data_words, finish_chart
from cscbench.figures.theme import ENGLAND, FOCUS, source_note

STATUS_SHAPES = {
    "on target": "circle",
    "off target, recoverable": "triangle-up",
    "off target, causing concern": "cross",
}


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
    y = alt.Y("value:Q", title=first["title"], scale=alt.Scale(zero=True), axis=VALUE_AXIS)
    periods = chart_of(rows)
    line = periods.mark_line(color=FOCUS, strokeWidth=2).encode(x=x, y=y)
    # The legend names each status by shape and words (the symbols' glyphs are not in every
    # font the renderer has).
    domain = list(STATUS_SHAPES)
    points = periods.mark_point(filled=True, size=110, color=FOCUS).encode(
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
            "label": [f"Target: {first['direction']} {first['target']:,.{decimals}f}"],
        }
    )
    target_line = chart_of(goal)
    rule = target_line.mark_rule(color=ENGLAND, strokeDash=[6, 4], strokeWidth=2).encode(
        y=alt.Y("target:Q")
    )
    label = target_line.mark_text(align="left", dx=4, dy=-8, color=ENGLAND).encode(
        y=alt.Y("target:Q"), x=alt.XValue(0), text=alt.Text("label:N")
    )
    chart = layered(rule, label, line, points, width=WIDTH, height=260)
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
