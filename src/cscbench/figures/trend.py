"""The trend chart: an authority's series with its 95% interval band, its comparator
average, its region and England by year; reorganisations drawn as breaks and marked.

Example:
    >>> spec = trend_chart("Derby", "cla_rate").to_dict()
    >>> spec["layer"][0]["mark"]["type"]
    'area'
"""

from __future__ import annotations

from functools import lru_cache

import altair as alt
import polars as pl

from cscbench.analyses import trend
from cscbench.analyses.engine import trend_view
from cscbench.analyses.trends import EXTREME_PERCENTAGE
from cscbench.analyses.wording import and_list, names_list, with_unit, year_label, years_label
from cscbench.datasets import find_area
from cscbench.datasets import group as group_of
from cscbench.datasets.areas import spoken_name
from cscbench.datasets.lineage import SUCCESSIONS
from cscbench.datasets.registry import INDICATORS
from cscbench.datasets.store import Source
from cscbench.figures.axes import (
    LABEL_GAP_PX,
    SERIES_STYLES,
    VALUE_AXIS,
    WIDTH,
    dodge,
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

#: A trend chart's note on its open markers (:func:`_short_averages`).
SHORT_AVERAGE = "Open squares: comparator average over fewer authorities (some had no figure)"
NOT_TESTABLE = "trend not testable"  # a trend title's end when OHID's test cannot run
HEIGHT = 300
POINT_SIZE = 45
REORGANISED, REORGANISED_DX = "reorganisation", 3
NAME_FONT, NAME_DX = 11, 8  # the series' names, right of their last points


def trend_chart(
    la: str,
    indicator: str,
    group_key: str = "sn2025",
    include_self: bool = False,
    year_from: int | None = None,
    year_to: int | None = None,
    source: Source = None,
    rows: pl.DataFrame | None = None,
) -> alt.LayerChart:
    """The authority's series, its 95% band, comparator average, region and England by year.

    ``rows`` (the authority's benchmark rows from :func:`cscbench.analyses.engine.series`)
    saves recomputing them when many charts are drawn.

    Example:
        >>> spec = trend_chart("Derby", "cla_rate").to_dict()
        >>> sorted({d["series"] for d in spec["datasets"][spec["layer"][1]["data"]["name"]]})
        ['Comparator average', 'Derby', 'East Midlands', 'England']
    """
    if rows is None:
        series = trend(
            la,
            indicator,
            year_from,
            year_to,
            group=group_key,
            include_self=include_self,
            source=source,
        )
    else:
        series = trend_view(rows.filter(pl.col("indicator") == indicator), year_from, year_to)
    focus = find_area(la, source)
    chosen = group_of(la, group_key, source=source)
    region = focus["region_name"]
    names = {
        "value": focus["area_name"],
        "comparator_mean": "Comparator average",
        "region": region,
        "england": "England",
    }
    long = (  # one row a series and year, each series broken into segments at its gaps
        series.unpivot(list(names), index="year", variable_name="series", value_name="figure")
        .with_columns(segment("figure").over("series").alias("segment"))
        .filter(pl.col("figure").is_not_null())
        .select(
            "year",
            pl.col("figure").alias("value"),
            pl.col("series").replace_strict(names),
            "segment",
        )
    )
    colour, dash, shape = series_channels(names, keyed=False)  # lines labelled at their ends
    first_year, last_year = int(series["year"].min()), int(series["year"].max())
    x_domain = nice_domain(first_year, last_year)
    x = alt.X(
        "year:Q",
        title=None,
        axis=year_axis(first_year, last_year, labelAngle=0),
        # Vega's own nice domain, fixed so that labels can be placed in pixels
        scale=alt.Scale(domain=list(x_domain), nice=False),
    )
    y = alt.Y(
        "value:Q", title=measure_title(indicator), scale=alt.Scale(zero=False), axis=VALUE_AXIS
    )
    tooltip = [
        alt.Tooltip("series:N", title="Series"),
        alt.Tooltip("year:Q", title="Year ending March"),
        alt.Tooltip("value:Q", title=INDICATORS[indicator].title, format=",.1f"),
    ]
    band_data = series.filter(pl.col("ci95_low").is_not_null()).select(
        "year", "area_name", "ci95_low", "ci95_high", segment("ci95_low").alias("segment")
    )  # the band's own columns and whose it is (the series has 19)
    band = (
        chart_of(band_data)
        .mark_area(fillOpacity=0.18, color=AUTHORITY)
        .encode(
            x=x,
            y=alt.Y("ci95_low:Q", title=measure_title(indicator)),
            y2=alt.Y2("ci95_high:Q"),
            detail=alt.Detail("segment:N"),
        )
    )
    drawn = chart_of(long)  # one conversion of the rows for the lines and their points
    lines = drawn.mark_line(strokeWidth=2.5).encode(
        x=x, y=y, color=colour, strokeDash=dash, detail=alt.Detail("segment:N")
    )
    points = drawn.mark_point(filled=True, size=POINT_SIZE).encode(
        x=x, y=y, color=colour, shape=shape, tooltip=tooltip
    )
    last = long.sort("year").group_by("series", maintain_order=True).last()
    plotted = pl.concat([long["value"], band_data["ci95_low"], band_data["ci95_high"]])
    y_axis = Axis(nice_domain(float(plotted.min()), float(plotted.max())), HEIGHT, reverse=True)
    y.scale = alt.Scale(zero=False, domain=list(y_axis.domain), nice=False)
    x_axis = Axis(x_domain, WIDTH)
    events = _boundary_years(
        chosen.focus, chosen.members, series["year"].min(), series["year"].max()
    )
    obstacles = _drawn(long, x_axis, y_axis)
    obstacles += [(x_axis.px(a) - 1, x_axis.px(a) + 1, 0, HEIGHT) for a in events["year"]]
    label_at, sides, named = _names_at(last, obstacles, x_axis, y_axis)
    last = last.with_columns(pl.Series("label_at", label_at), pl.Series("side", sides))
    labels = [
        chart_of(last.filter(pl.col("side") == side))
        .mark_text(align=align, dx=dx, fontSize=NAME_FONT, baseline="middle")
        .encode(x=x, y=alt.Y("label_at:Q"), text=alt.Text("series:N"), color=colour)
        for side, align, dx in ((0, "left", NAME_DX), (1, "right", -NAME_DX))
        if side == 0 or side in sides
    ]
    layers = [band, lines, points, *labels]
    short = _short_averages(series, len(chosen.members) + (1 if include_self else 0))
    if short.height:  # open markers where the average is over fewer authorities than the group
        layers.append(
            chart_of(short.rename({"comparator_mean": "value"}))
            .mark_point(
                shape=SERIES_STYLES["comparator_mean"][2],
                filled=True,
                fill="white",
                stroke=SERIES_STYLES["comparator_mean"][0],
                strokeWidth=1.5,
                size=45,
                fillOpacity=1,
                strokeOpacity=1,
            )
            .encode(
                x=x,
                y=y,
                tooltip=[
                    alt.Tooltip("year:Q", title="Year ending March"),
                    alt.Tooltip("value:Q", title="Comparator average", format=",.1f"),
                    alt.Tooltip("averaged:N", title="Averaged over"),
                ],
            )
        )
    if events.height:
        at, sides = _reorganisation_labels(events, [*obstacles, *named], x_axis, y_axis)
        marked = chart_of(events)
        rule = marked.mark_rule(strokeDash=[3, 3], color="#6f777b").encode(
            x=alt.X("year:Q"), tooltip=[alt.Tooltip("note:N", title="Reorganisation")]
        )
        layers.append(rule)
        words = events.with_columns(pl.Series("label_at", at), pl.Series("side", sides))
        for side, align, dx in ((0, "left", REORGANISED_DX), (1, "right", -REORGANISED_DX)):
            if side in sides:
                layers.append(
                    chart_of(words.filter(pl.col("side") == side))
                    .mark_text(align=align, dx=dx, fontSize=10, color="#505a5f", baseline="middle")
                    .encode(
                        x=alt.X("year:Q"),
                        y=alt.Y("label_at:Q"),
                        text=alt.TextValue(REORGANISED),
                    )
                )
    chart = layered(*layers, width=WIDTH, height=HEIGHT)
    latest = series.filter(pl.col("value").is_not_null()).tail(1)
    latest_row = latest.row(0, named=True) if latest.height else None
    word = _trend_word(latest_row)
    ind = INDICATORS[indicator]
    first, end = int(series["year"].min()), int(series["year"].max())
    said = spoken_name(focus["area_name"])
    title = about_title(ind, said, word)
    detail = ""
    untested = ""  # why OHID's recent-trend test did not run, where it did not
    if latest_row:
        detail = (
            f" In {year_label(latest_row['year'])} {said} was "
            f"{with_unit(latest_row['value'], indicator)}, the comparator average "
            f"{with_unit(latest_row['comparator_mean'], indicator)} and England "
            f"{with_unit(latest_row['england'], indicator)}."
        )
        if latest_row["trend_reason"]:
            untested = f"No recent trend is tested: {latest_row['trend_reason']}"
            detail += f" {untested}."
    description = (
        f"Line chart of {ind.title.lower()} for {said} from "
        f"{years_label(first, end)}, with its 95% confidence interval "
        f"as a shaded band, the average of its comparators ({chosen.label}), "
        f"{region} and England.{detail}"
    )
    subtitle = [f"{ind.title}, {years_label(first, end)}; comparators: {chosen.label}"]
    if word == NOT_TESTABLE:
        subtitle.append(f"{untested} (OHID's method)")
    if short.height:
        description += f" {_short_words(short)}"
        subtitle.append(SHORT_AVERAGE)
    return finish_chart(chart, title, subtitle, description, chart_note(indicator, source))


def end_labels(values: list[float], y: Axis) -> list[float]:
    """Where the series' names go at a year's end of their lines (in the margin right of the
    last year, where only labels lie): each at its value, crowded ones :func:`dodge`\\ d
    :data:`LABEL_GAP_PX` apart, all inside the plot; in the measure's units.

    Example: three values within a pixel of each other on a 300 px axis from 0 to 300.
        >>> [round(v, 1) for v in end_labels([40.7, 40.6, 40.4], Axis((0.0, 300.0), 300.0, True))]
        [54.6, 40.6, 26.6]
    """
    half = text_height(11) / 2
    up = [min(max(y.length - y.px(v), half), y.length - half) for v in values]  # from the bottom
    up = dodge(up, LABEL_GAP_PX, floor=half)
    down = dodge([-u for u in up], LABEL_GAP_PX, floor=-(y.length - half))  # and the top
    return [y.value(y.length + d) for d in down]


def _drawn(long: pl.DataFrame, x: Axis, y: Axis) -> list:
    """The series' points and lines (broken at gaps), as pixel boxes."""
    obstacles = []
    for _, part in long.sort("year").group_by("series", "segment", maintain_order=True):
        xs = [x.px(v) for v in part["year"]]
        ys = [y.px(v) for v in part["value"]]
        obstacles += [point_box(a, b, POINT_SIZE) for a, b in zip(xs, ys, strict=True)]
        obstacles += polyline_boxes(xs, ys, width=2.5)
    return obstacles


def _names_at(
    last: pl.DataFrame, obstacles: list, x: Axis, y: Axis
) -> tuple[list[float], list[int], list]:
    """Where each series' name goes (in the measure's units), which side of its last point
    (0: right, 1: left) and the boxes of those inside the plot. Names of the chart's last year
    go in the margin right of it, by :func:`end_labels`; a series that ends sooner has its
    name inside the plot, right of its last point or else left of it, placed by
    :func:`~cscbench.figures.labels.place_labels` clear of every point, line and name."""
    end = x.domain[1]
    at, sides = [0.0] * last.height, [0] * last.height
    margin = [i for i, year in enumerate(last["year"]) if year >= end]
    tall = text_height(NAME_FONT)
    boxes = []
    for i, value in zip(margin, end_labels([last["value"][i] for i in margin], y), strict=True):
        at[i], left = value, x.px(end) + NAME_DX
        wide = text_width(last["series"][i], NAME_FONT)
        boxes.append((left, left + wide, y.px(value) - tall / 2, y.px(value) + tall / 2))
    inner = [i for i in range(last.height) if i not in margin]
    labels = []
    for i in inner:
        point, wide = x.px(last["year"][i]), text_width(last["series"][i], NAME_FONT)
        spans = (
            (point + NAME_DX, point + NAME_DX + wide),
            (point - NAME_DX - wide, point - NAME_DX),
        )
        labels.append(Label(y.px(last["value"][i]), tall, spans))
    placed = place_labels(labels, [*obstacles, *boxes], y.length, width=x.length + 200)
    named = []
    for i, label, (side, centre) in zip(inner, labels, placed, strict=True):
        at[i], sides[i] = y.value(centre), side
        named.append((*label.spans[side], centre - tall / 2, centre + tall / 2))
    return at, sides, named


def _reorganisation_labels(
    events: pl.DataFrame, obstacles: list, x: Axis, y: Axis
) -> tuple[list[float], list[int]]:
    """Where each reorganisation's word goes (in the measure's units) and which side of its
    line (0: right, 1: left): by :func:`~cscbench.figures.labels.place_labels`, as near the
    top of the plot as it can be without meeting a point, a line or another label."""
    at = [x.px(v) for v in events["year"]]
    lines = [(a - 1, a + 1, 0, y.length) for a in at]
    wide = text_width(REORGANISED, 10)
    labels = [
        Label(
            0,
            text_height(10),
            (
                (a + REORGANISED_DX, a + REORGANISED_DX + wide),
                (a - REORGANISED_DX - wide, a - REORGANISED_DX),
            ),
        )
        for a in at
    ]
    placed = place_labels(labels, [*obstacles, *lines], y.length, width=WIDTH)
    return [y.value(c) for _, c in placed], [side for side, _ in placed]


def _short_averages(series: pl.DataFrame, group_size: int) -> pl.DataFrame:
    """The years whose comparator average is over fewer than all ``group_size`` authorities
    (members without a figure that year), with who it is over: 'averaged' ('9 of 10; no figure
    for Hampshire'). Each year's average is LAIT's, so the line between two such years can
    move because its authorities changed, not their figures.

    Example:
        >>> s = pl.DataFrame({"year": [2024, 2025], "comparator_mean": [3.0, 4.0],
        ...                   "group_missing": [["Hampshire"], []]})
        >>> _short_averages(s, 10)["averaged"].to_list()
        ['9 of 10; no figure for Hampshire']
    """
    short = series.filter(
        pl.col("comparator_mean").is_not_null(), pl.col("group_missing").list.len() > 0
    )
    averaged = [
        f"{group_size - len(names)} of {group_size}; no figure for {names_list(names)}"
        for names in short["group_missing"].to_list()
    ]
    return short.select("year", "comparator_mean").with_columns(
        pl.Series("averaged", averaged, dtype=pl.String)
    )


def _short_words(short: pl.DataFrame) -> str:
    """Which years' comparator averages are over fewer authorities, and who they are over.

    Example:
        >>> _short_words(pl.DataFrame({"year": [2024], "averaged": ["9 of 10; no figure for H"]}))
        'The comparator average is over fewer authorities in 2023-24 (9 of 10; no figure for H).'
    """
    each = [f"{year_label(y)} ({a})" for y, a in short.select("year", "averaged").rows()]
    return f"The comparator average is over fewer authorities in {and_list(each)}."


def _trend_word(latest: dict | None) -> str:
    """The end of a trend chart's title: the latest year's recent trend, or why there is none.

    Example:
        >>> _trend_word({"trend": "increasing", "trend_reason": None})
        'rising'
        >>> _trend_word({"trend": "cannot be calculated",
        ...              "trend_reason": "a percentage of 0% or 100% in the 5 years"})
        'trend not testable'
        >>> _trend_word(None)  # every year withheld
        'no figures published'
    """
    if latest is None:
        return "no figures published"
    trend = latest["trend"]
    words = {
        "increasing": "rising",
        "decreasing": "falling",
        "no significant change": "no clear trend",
    }
    if trend in words:
        return words[trend]
    if latest["trend_reason"] == EXTREME_PERCENTAGE:
        return NOT_TESTABLE  # the subtitle says why
    return "too few years"


@lru_cache(maxsize=64)  # the same for every chart of a pack
def _boundary_years(focus: str, members: tuple[str, ...], first: int, last: int) -> pl.DataFrame:
    """Years (drawn half a year before the first affected) of reorganisations touching the group,
    in order, one row a year with the notes of every reorganisation that year.

    Example (Cumbria with North Yorkshire and West Northamptonshire as members):
        >>> years = _boundary_years("909", ("815", "941"), 2015, 2025)
        >>> for year, note in years.rows():
        ...     print(year, [n[:24] for n in note.split(". On ")])
        2021.5 ['On 1 April 2021 Northamp']
        2023.5 ['On 1 April 2023 Cumbria ', '1 April 2023 North Yorks']
    """
    codes = {focus, *members}
    rows = [
        {"year": s.year - 0.5, "note": s.note}
        for s in SUCCESSIONS
        if codes & {*s.before, *s.after} and first < s.year <= last
    ]
    return (
        pl.DataFrame(rows, schema={"year": pl.Float64, "note": pl.String})
        .group_by("year", maintain_order=True)
        .agg(pl.col("note").str.join(" "))
        .sort("year")
    )
