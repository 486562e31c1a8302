"""The funnel plot: every authority's value against its denominator, with 95% and 99.8%
limits around England (overdispersion-adjusted where the engine used that); the authority and
its neighbours highlighted; the x axis from a little below the smallest denominator shown.

Example:
    >>> spec = funnel_chart("Derby", "rereferral_pct", year=2025).to_dict()
    >>> spec["layer"][0]["encoding"]["x"]["scale"]["type"]
    'log'
"""

from __future__ import annotations

import math

import altair as alt
import numpy as np
import polars as pl

from cscbench.analyses import FLAG_MEANINGS, benchmark, funnels, panel
from cscbench.analyses.engine import check_held, year_or_latest
from cscbench.analyses.wording import with_unit, year_label
from cscbench.datasets import group as group_of
from cscbench.datasets.areas import spoken_name
from cscbench.datasets.registry import INDICATORS
from cscbench.datasets.store import Source
from cscbench.figures.axes import VALUE_AXIS, WIDTH, measure_title
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
from cscbench.figures.layers import chart_of, layered, vega_string
from cscbench.figures.notes import about_title, chart_note, finish_chart
from cscbench.figures.theme import AUTHORITY, ENGLAND, FOCUS, OTHERS

#: A funnel plot's title ending for the authority's place, by its funnel flag, outermost
#: first (its description gives the flag's meaning in full).
FUNNEL_PLACES = {
    "funnel_high_998": "above 99.8% limit",
    "funnel_high_95": "above 95% limit",
    "funnel_low_998": "below 99.8% limit",
    "funnel_low_95": "below 95% limit",
}

HEIGHT = 340
SIZES = (180, 70, 30)  # the authority's point, its comparators', the others'
NAME_FONT, NAME_DX = 11, 11  # the authority's name, this far beside its point (half is 9)


def name_label(
    points: pl.DataFrame,
    limits: pl.DataFrame,
    england: float,
    focus: pl.DataFrame,
    x_domain: tuple[float, float],
) -> tuple[Axis, int, float | None]:
    """The value axis (from zero, rounded out as Vega would) and where the authority's name
    goes: which side of its point (0: right, 1: left) and at what value, by
    :func:`~cscbench.figures.labels.place_labels`: level with its point where that is free,
    else as near as it can be without meeting a point, a limit line or England's line.

    ``points`` has the authorities' value, denominator and role (the authority's name,
    "Comparators", "Other authorities"); ``limits`` the limit lines' points (one ``line`` each).
    """
    drawn = [*points["value"].to_list(), *limits["value"].to_list(), england]
    y = Axis(nice_domain(min(0.0, *drawn), max(drawn)), HEIGHT, reverse=True)
    low, high = (math.log(v) for v in x_domain)

    def x_px(d: float) -> float:
        return (math.log(d) - low) / (high - low) * WIDTH

    if focus.is_empty():
        return y, 0, None
    sizes = {"Comparators": SIZES[1], "Other authorities": SIZES[2]}
    obstacles = [
        point_box(x_px(d), y.px(v), sizes.get(role, SIZES[0]))
        for d, v, role in points.select("denominator", "value", "role").iter_rows()
        if v is not None and d
    ]
    for (_,), line in limits.group_by("line", maintain_order=True):
        xs = [x_px(d) for d in line["denominator"]]
        obstacles += polyline_boxes(xs, [y.px(v) for v in line["value"]], width=1.5)
    obstacles.append(rule_box(0, WIDTH, y.px(england), 2))
    me = focus.row(0, named=True)
    at, wide = x_px(me["denominator"]), text_width(me["area_name"], NAME_FONT)
    spans = ((at + NAME_DX, at + NAME_DX + wide), (at - NAME_DX - wide, at - NAME_DX))
    label = Label(y.px(me["value"]), text_height(NAME_FONT), spans)
    ((side, centre),) = place_labels([label], obstacles, HEIGHT, width=WIDTH)
    return y, side, y.value(centre)


def funnel_domain(denominators: pl.Series) -> tuple[float, float]:
    """The funnel plot's x axis (and its limits' span): from 10% below the smallest denominator
    shown (never below 1) to 5% above the largest.

    Example:
        >>> funnel_domain(pl.Series([200.0, 1000.0, 40_000.0]))
        (180.0, 42000.0)
        >>> funnel_domain(pl.Series([1.0, 30.0]))
        (1.0, 31.5)
    """
    return max(float(denominators.min()) * 0.9, 1.0), float(denominators.max()) * 1.05


def funnel_chart(
    la: str,
    indicator: str,
    year: int | str | None = None,
    group: str = "sn2025",
    source: Source = None,
    values: pl.DataFrame | None = None,
    row: dict | None = None,
) -> alt.LayerChart:
    """Every authority against its denominator, with funnel limits around England.

    ``values`` (the engine's panel rows of the indicator, every authority and year, as
    :func:`~cscbench.analyses.panel` returns them) and ``row`` (the authority's benchmark row
    for the year) draw from frames already computed, as a notebook or a pack has them.

    Example:
        >>> spec = funnel_chart("Derby", "rereferral_pct", year=2025).to_dict()
        >>> sorted({d["limit"] for d in spec["datasets"][spec["layer"][0]["data"]["name"]]})
        ['95% limits', '99.8% limits']
    """
    ind = INDICATORS[indicator]
    if ind.unit == "count":
        from cscbench.errors import UsageError

        raise UsageError(f"a funnel plot needs a rate or percentage, not {indicator}")
    year = year_or_latest(year, source)
    chosen = group_of(la, group, source=source)
    if values is None:
        values = panel([indicator], source)
    published = values.filter(pl.col("indicator") == indicator, pl.col("value").is_not_null())
    rows = published.filter(pl.col("year") == year)
    check_held(rows, published, indicator, f"in {year_label(year)}")
    first = rows.row(0, named=True)
    target, tau2 = (
        first["england"],
        first["funnel_tau2"] if first["funnel_method"] == ("overdispersion-adjusted") else 0.0,
    )
    kind = "percent" if ind.unit == "percent" else "rate"
    x_low, x_high = funnel_domain(rows["denominator"])
    grid = np.geomspace(x_low, x_high, 120)
    limit_rows = []
    for label, confidence in (("95% limits", 0.95), ("99.8% limits", 0.998)):
        low, high = funnels.funnel_limits(target, grid, kind, confidence, tau2=tau2)
        for side, values in (("lower", low), ("upper", high)):
            limit_rows += [
                {
                    "denominator": float(d),
                    "value": float(v),
                    "limit": label,
                    "line": f"{label} {side}",
                }
                for d, v in zip(grid, values, strict=True)
            ]
    limits = pl.DataFrame(limit_rows)
    role = (
        pl.when(pl.col("la_code") == chosen.focus)
        .then(pl.lit(rows.filter(pl.col("la_code") == chosen.focus)["area_name"].first() or la))
        .when(pl.col("la_code").is_in(list(chosen.members)))
        .then(pl.lit("Comparators"))
        .otherwise(pl.lit("Other authorities"))
    )
    points = rows.select("la_code", "area_name", "value", "denominator", "numerator").with_columns(
        role.alias("role")
    )
    focus_name = points.filter(pl.col("la_code") == chosen.focus)["area_name"].first() or la
    domain = [focus_name, "Comparators", "Other authorities"]
    x = alt.X(
        "denominator:Q",
        # from a little below the smallest denominator shown, not from Vega's rounding of the
        # domain out to whole powers of ten
        scale=alt.Scale(type="log", domain=[x_low, x_high], nice=False),
        title="Children aged 0-17" if ind.unit == "rate_per_10k" else "Cases (denominator)",
    )
    focus = points.filter(pl.col("la_code") == chosen.focus)
    y_axis, side, label_at = name_label(points, limits, target, focus, (x_low, x_high))
    y = alt.Y(
        "value:Q",
        title=measure_title(indicator),
        scale=alt.Scale(zero=True, domain=list(y_axis.domain), nice=False),
        axis=VALUE_AXIS,
    )
    lines = (
        chart_of(limits)
        .mark_line(strokeWidth=1.5, color="#505a5f")
        .encode(
            x=x,
            y=y,
            detail=alt.Detail("line:N"),
            strokeDash=alt.StrokeDash(
                "limit:N",
                scale=alt.Scale(domain=["95% limits", "99.8% limits"], range=[[4, 3], [1, 0]]),
                legend=alt.Legend(title=None, orient="bottom"),
            ),
        )
    )
    england = (
        chart_of(pl.DataFrame({"value": [target]}))
        .mark_rule(color=ENGLAND, strokeWidth=2)
        .encode(y=alt.Y("value:Q"))
    )
    dots = (
        chart_of(points)
        .mark_point(filled=True, fillOpacity=0.85)
        .encode(
            x=x,
            y=y,
            color=alt.Color(
                "role:N",
                scale=alt.Scale(domain=domain, range=[AUTHORITY, FOCUS, OTHERS]),
                legend=alt.Legend(title=None, orient="bottom"),
            ),
            shape=alt.Shape(
                "role:N",
                scale=alt.Scale(domain=domain, range=["diamond", "triangle-up", "circle"]),
                legend=alt.Legend(title=None, orient="bottom"),
            ),
            size=alt.Size(  # ordinal: sizes follow the domain's order (Vega-Lite warns on :N)
                "role:O",
                scale=alt.Scale(domain=domain, range=list(SIZES)),
                legend=alt.Legend(title=None, orient="bottom"),
            ),
            order=alt.Order("role_order:Q"),
            tooltip=[
                alt.Tooltip("area_name:N", title="Authority"),
                alt.Tooltip("value:Q", title=ind.title, format=",.1f"),
                alt.Tooltip("numerator:Q", title="Count", format=","),
                alt.Tooltip("denominator:Q", title="Denominator", format=","),
            ],
        )
        .transform_calculate(
            role_order=f"datum.role == {vega_string(focus_name)} ? 2 : "
            "(datum.role == 'Comparators' ? 1 : 0)"
        )
    )
    label = (
        chart_of(focus.with_columns(pl.lit(label_at, pl.Float64).alias("label_at")))
        .mark_text(
            align=("left", "right")[side],
            dx=(NAME_DX, -NAME_DX)[side],
            baseline="middle",
            fontWeight="bold",
            fontSize=NAME_FONT,
        )
        .encode(x=x, y=alt.Y("label_at:Q"), text=alt.Text("area_name:N"))
    )
    chart = layered(lines, england, dots, label, width=WIDTH, height=HEIGHT)
    focus_row = row
    if focus_row is None:
        focus_row = benchmark(
            la, year=year, group=group, indicators=[indicator], source=source
        ).row(0, named=True)
    flags = focus_row["flags"] or []
    placed = next((flag for flag in FUNNEL_PLACES if flag in flags), None)
    where = FUNNEL_PLACES.get(placed, "within expected range")
    if focus_row["value"] is None:  # not "within expected range": there is nothing to place
        where = "no figure"
    said = spoken_name(focus_name)  # the key keeps DfE's name, the words say it
    title = about_title(ind, said, where)
    method = "limits widened for overdispersion" if tau2 > 0 else "exact limits"
    subtitle = (
        f"{ind.title}, {year_label(year)}; England {with_unit(target, indicator)}; "
        f"{method} (phi {first['funnel_phi']:.1f})"
    )
    description = (
        f"Funnel plot of {ind.title.lower()} for all {points.height} authorities in "
        f"{year_label(year)}, against their size, with 95% and 99.8% control limits "
        f"around England's {with_unit(target, indicator)}. "
        + (
            f"{said} has no figure for {year_label(year)}."
            if focus_row["value"] is None
            else f"{said} ({with_unit(focus_row['value'], indicator)}) is "
            f"{FLAG_MEANINGS.get(placed, where)}."
        )
    )
    return finish_chart(chart, title, subtitle, description, chart_note(indicator, source))
