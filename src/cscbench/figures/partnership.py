"""The partnership chart: each member of a partnership and the partnership pooled, with
95% intervals, each member's own comparator average and England.

Example:
    >>> from cscbench.analyses.partnership import partnership
    >>> t = partnership(["Leicestershire", "Rutland"], year=2018, indicators=["cp_rate"])
    >>> partnership_chart(t, "cp_rate").to_dict()["layer"][0]["mark"]["type"]
    'rule'
"""

from __future__ import annotations

import altair as alt
import polars as pl

from cscbench.analyses.wording import number, year_label
from cscbench.datasets.registry import INDICATORS
from cscbench.datasets.store import Source
from cscbench.errors import UsageError
from cscbench.figures.axes import VALUE_AXIS, WIDTH, measure_title
from cscbench.figures.layers import chart_of, layered
from cscbench.figures.notes import chart_note, finish_chart
from cscbench.figures.theme import COMPARATORS, ENGLAND, FOCUS


def indicator_rows(frame: pl.DataFrame, indicator: str) -> tuple[pl.DataFrame, str]:
    """A partnership frame's rows of one indicator and the partnership's name; a usage error
    (one line) when the frame has none.

    Example:
        >>> from cscbench.analyses.partnership import partnership
        >>> t = partnership(["Leicestershire", "Rutland"], year=2018, indicators=["cp_rate"])
        >>> indicator_rows(t, "cp_rate")[1]
        'Leicestershire and Rutland'
    """
    rows = frame.filter(pl.col("indicator") == indicator)
    if rows.is_empty():
        raise UsageError(f"no partnership rows for {indicator}")
    return rows, rows["partnership"][0]


def areas_described(rows: pl.DataFrame, indicator: str, missing: str) -> str:
    """Each area's figure for a chart's description: 'Leicestershire 28.8; Rutland 23.3', an
    area without one said as ``missing``.

    Example:
        >>> f = pl.DataFrame({"area_name": ["Derby", "Rutland"], "value": [28.84, None]})
        >>> areas_described(f, "cp_rate", "no figure")
        'Derby 28.8; Rutland no figure'
    """
    return "; ".join(
        f"{a} {number(v, indicator)}" if v is not None else f"{a} {missing}"
        for a, v in rows.select("area_name", "value").iter_rows()
    )


def partnership_chart(table: pl.DataFrame, indicator: str, source: Source = None) -> alt.LayerChart:
    """Each member of a partnership and the partnership as one area, with 95% intervals,
    each member's own comparator average as a tick, and England as a line, from a
    :func:`~cscbench.analyses.partnership.partnership` table.

    Example:
        >>> from cscbench.analyses.partnership import partnership
        >>> t = partnership(["Leicestershire", "Rutland"], year=2018, indicators=["cp_rate"])
        >>> partnership_chart(t, "cp_rate").to_dict()["title"]["text"]
        'Rate of child protection plans: Leicestershire and Rutland'
    """
    rows, name = indicator_rows(table, indicator)
    ind = INDICATORS[indicator]
    order = rows["area_name"].to_list()
    shown = rows.with_columns(
        pl.when(pl.col("role") == "partnership")
        .then(pl.lit("Partnership (pooled)"))
        .otherwise(pl.lit("Authority"))
        .alias("kind"),
        pl.col("value").is_null().alias("_none"),
        pl.when(pl.col("role") == "partnership")
        .then(pl.lit("no pooled figure: a member's was withheld"))
        .otherwise(pl.lit("no figure: withheld by DfE"))
        .alias("_why"),
    )
    y = alt.Y("area_name:N", title=None, sort=order)
    x = alt.X(
        "value:Q", title=measure_title(indicator), scale=alt.Scale(zero=True), axis=VALUE_AXIS
    )
    bars = (
        chart_of(shown)
        .mark_rule(color=FOCUS, strokeWidth=2)
        .encode(y=y, x=alt.X("ci95_low:Q"), x2=alt.X2("ci95_high:Q"))
    )
    points = (
        chart_of(shown.filter(~pl.col("_none")))
        .mark_point(filled=True, size=120, color=FOCUS)
        .encode(
            y=y,
            x=x,
            shape=alt.Shape(
                "kind:N",
                scale=alt.Scale(
                    domain=["Authority", "Partnership (pooled)"], range=["circle", "diamond"]
                ),
                legend=alt.Legend(title=None, orient="bottom"),
            ),
            tooltip=[
                alt.Tooltip("area_name:N", title="area"),
                alt.Tooltip("value:Q", format=",.1f"),
                alt.Tooltip("ci95_low:Q", format=",.1f", title="95% low"),
                alt.Tooltip("ci95_high:Q", format=",.1f", title="95% high"),
                alt.Tooltip("numerator:Q", format=",.0f"),
            ],
        )
    )
    ticks = (
        chart_of(shown.filter(pl.col("comparator_mean").is_not_null()))
        .mark_tick(color=COMPARATORS, thickness=3, size=26)
        .encode(
            y=y,
            x=alt.X("comparator_mean:Q"),
            tooltip=[alt.Tooltip("area_name:N"), alt.Tooltip("comparator_mean:Q")],
        )
    )
    missing = shown.filter(pl.col("_none")).with_columns(pl.lit(0.0).alias("at"))
    withheld = (
        chart_of(missing)
        .mark_text(align="left", dx=4, color=COMPARATORS)
        .encode(y=y, x=alt.X("at:Q"), text=alt.Text("_why:N"))
    )
    england = pl.DataFrame({"england": [rows["england"].drop_nulls().first()]}).drop_nulls()
    rule = (
        chart_of(england)
        .mark_rule(color=ENGLAND, strokeDash=[6, 4], strokeWidth=2)
        .encode(x=alt.X("england:Q"))
    )
    layers = [rule, bars, ticks, points] + ([withheld] if missing.height else [])
    chart = layered(*layers, width=WIDTH, height=44 * len(order))
    title = f"{ind.short.capitalize()}: {name}"
    year = int(rows["year"][0])
    subtitle = [
        f"{ind.title}, {year_label(year)}; lines: 95% intervals",
        "Grey ticks: each authority's own comparator average; dashed line: England",
    ]
    described = areas_described(rows, indicator, "not published")
    description = (
        f"Dot chart of {ind.title.lower()} for {name} in {year_label(year)}, each authority and "
        f"the partnership pooled, with 95% intervals and England: {described}."
    )
    return finish_chart(chart, title, subtitle, description, chart_note(indicator, source))
