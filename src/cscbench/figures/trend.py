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
    SERIES_STYLES,
    VALUE_AXIS_SPEC,
    WIDTH,
    measure_title,
    series_specs,
    year_axis_spec,
)
from cscbench.figures.labels import (
    Axis,
    nice_domain,
)
from cscbench.figures.notes import about_title, chart_note, finished_spec
from cscbench.figures.theme import AUTHORITY
from cscbench.figures.trend_labels import (
    NAME_DX,
    NAME_FONT,
    POINT_SIZE,
    REORGANISED,
    REORGANISED_DX,
    drawn_boxes,
    names_at,
    reorganisation_labels,
)
from cscbench.figures.vl import ChartSpec, field, layer, named, scale_of
from cscbench.figures.vl import rows as rows_of

#: A trend chart's note on its open markers (:func:`_short_averages`).
SHORT_AVERAGE = "Open squares: comparator average over fewer authorities (some had no figure)"
NOT_TESTABLE = "trend not testable"  # a trend title's end when OHID's test cannot run
HEIGHT = 300


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
    """The authority's series, its 95% band, comparator average, region and England by year:
    :func:`trend_spec` as an Altair chart.

    Example:
        >>> spec = trend_chart("Derby", "cla_rate").to_dict()
        >>> sorted({d["series"] for d in spec["datasets"][spec["layer"][1]["data"]["name"]]})
        ['Comparator average', 'Derby', 'East Midlands', 'England']
    """
    found = trend_spec(la, indicator, group_key, include_self, year_from, year_to, source, rows)
    return alt.LayerChart.from_dict(found, validate=False)


def trend_spec(
    la: str,
    indicator: str,
    group_key: str = "sn2025",
    include_self: bool = False,
    year_from: int | None = None,
    year_to: int | None = None,
    source: Source = None,
    rows: pl.DataFrame | None = None,
    view: pl.DataFrame | None = None,
) -> ChartSpec:
    """The Vega-Lite spec of :func:`trend_chart`, built as a dict (a pack draws dozens).

    ``rows`` (the authority's benchmark rows from :func:`cscbench.analyses.engine.series`)
    saves recomputing them when many charts are drawn; ``view`` (this indicator's trend view
    within the years asked, from :func:`cscbench.analyses.views.trend_views`, as a pack makes
    for all its charts at once) saves selecting from them.

    Example:
        >>> spec = trend_spec("Derby", "cla_rate")
        >>> [one["mark"]["type"] for one in spec["layer"]][:3]
        ['area', 'line', 'point']
    """
    if view is not None:
        series = view
    elif rows is None:
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
    records = series.to_dicts()  # a dozen years: plain Python is quicker than frames here
    long = _long(records, names)  # one row a series and year, broken into segments at gaps
    colour, dash, shape = series_specs(names, keyed=False)  # lines labelled at their ends
    first_year, last_year = int(series["year"].min()), int(series["year"].max())
    x_domain = nice_domain(first_year, last_year)
    x = field(
        "year:Q",
        title=None,
        axis=year_axis_spec(first_year, last_year, labelAngle=0),
        # Vega's own nice domain, fixed so that labels can be placed in pixels
        scale=scale_of(list(x_domain), nice=False),
    )
    tooltip = [
        field("series:N", title="Series"),
        field("year:Q", title="Year ending March"),
        field("value:Q", title=INDICATORS[indicator].title, format=",.1f"),
    ]
    band_data = _band(records)  # the band's own columns and whose it is (the series has 19)
    last = _last_points(long)
    plotted = [
        *(r["value"] for r in long),
        *(r["ci95_low"] for r in band_data),
        *(r["ci95_high"] for r in band_data),
    ]
    y_axis = Axis(nice_domain(float(min(plotted)), float(max(plotted))), HEIGHT, reverse=True)
    y = field(
        "value:Q",
        title=measure_title(indicator),
        scale=scale_of(list(y_axis.domain), zero=False, nice=False),
        axis=VALUE_AXIS_SPEC,
    )
    datasets: dict[str, list[dict]] = {}
    band = layer(
        named(band_data, datasets),
        "area",
        {
            "x": x,
            "y": field("ci95_low:Q", title=measure_title(indicator)),
            "y2": {"field": "ci95_high"},
            "detail": field("segment:N"),
        },
        fillOpacity=0.18,
        color=AUTHORITY,
    )
    drawn = named(long, datasets)  # one set of rows for the lines and their points
    lines = layer(
        drawn,
        "line",
        {"x": x, "y": y, "color": colour, "strokeDash": dash, "detail": field("segment:N")},
        strokeWidth=2.5,
    )
    points = layer(
        drawn,
        "point",
        {"x": x, "y": y, "color": colour, "shape": shape, "tooltip": tooltip},
        filled=True,
        size=POINT_SIZE,
    )
    x_axis = Axis(x_domain, WIDTH)
    events = _boundary_years(chosen.focus, chosen.members, first_year, last_year)
    obstacles = drawn_boxes(long, x_axis, y_axis)
    obstacles += [(x_axis.px(a) - 1, x_axis.px(a) + 1, 0, HEIGHT) for a in events["year"]]
    label_at, sides, named_at = names_at(last, obstacles, x_axis, y_axis)
    last = [
        r | {"label_at": at, "side": side}
        for r, at, side in zip(last, label_at, sides, strict=True)
    ]
    labels = [
        layer(
            named([r for r in last if r["side"] == side], datasets),
            "text",
            {"x": x, "y": field("label_at:Q"), "text": field("series:N"), "color": colour},
            align=align,
            dx=dx,
            fontSize=NAME_FONT,
            baseline="middle",
        )
        for side, align, dx in ((0, "left", NAME_DX), (1, "right", -NAME_DX))
        if side == 0 or side in sides
    ]
    layers = [band, lines, points, *labels]
    short = _short_averages(records, len(chosen.members) + (1 if include_self else 0))
    if short:  # open markers where the average is over fewer authorities than the group
        layers.append(
            layer(
                named(short, datasets),
                "point",
                {
                    "x": x,
                    "y": y,
                    "tooltip": [
                        field("year:Q", title="Year ending March"),
                        field("value:Q", title="Comparator average", format=",.1f"),
                        field("averaged:N", title="Averaged over"),
                    ],
                },
                shape=SERIES_STYLES["comparator_mean"][2],
                filled=True,
                fill="white",
                stroke=SERIES_STYLES["comparator_mean"][0],
                strokeWidth=1.5,
                size=45,
                fillOpacity=1,
                strokeOpacity=1,
            )
        )
    if events.height:
        at, sides = reorganisation_labels(events, [*obstacles, *named_at], x_axis, y_axis)
        layers.append(
            layer(
                named(rows_of(events), datasets),
                "rule",
                {"x": field("year:Q"), "tooltip": [field("note:N", title="Reorganisation")]},
                strokeDash=[3, 3],
                color="#6f777b",
            )
        )
        words = events.with_columns(pl.Series("label_at", at), pl.Series("side", sides))
        for side, align, dx in ((0, "left", REORGANISED_DX), (1, "right", -REORGANISED_DX)):
            if side in sides:
                layers.append(
                    layer(
                        named(rows_of(words.filter(pl.col("side") == side)), datasets),
                        "text",
                        {
                            "x": field("year:Q"),
                            "y": field("label_at:Q"),
                            "text": {"value": REORGANISED},
                        },
                        align=align,
                        dx=dx,
                        fontSize=10,
                        color="#505a5f",
                        baseline="middle",
                    )
                )
    body = {"layer": layers, "width": WIDTH, "height": HEIGHT, "datasets": datasets}
    held = [r for r in records if r["value"] is not None]
    latest_row = held[-1] if held else None
    word = _trend_word(latest_row)
    ind = INDICATORS[indicator]
    first, end = first_year, last_year
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
    if short:
        description += f" {_short_words(short)}"
        subtitle.append(SHORT_AVERAGE)
    return finished_spec(body, title, subtitle, description, chart_note(indicator, source))


def _long(records: list[dict], names: dict[str, str]) -> list[dict]:
    """One row a series and year with a figure, series after series (``names``: column ->
    series name), each broken into a new segment after every missing year (as
    :func:`~cscbench.figures.axes.segment` breaks a frame's).

    Example:
        >>> years = [{"year": 2020, "value": 1.0}, {"year": 2021, "value": None},
        ...          {"year": 2022, "value": 2.0}, {"year": 2024, "value": 3.0}]
        >>> [(r["year"], r["segment"]) for r in _long(years, {"value": "Derby"})]
        [(2020, 0), (2022, 1), (2024, 2)]
    """
    long = []
    for column, name in names.items():
        piece, before = 0, None
        for r in records:
            if r[column] is None or (before is not None and r["year"] - before > 1):
                piece += 1
            before = r["year"]
            if r[column] is not None:
                long.append({"year": r["year"], "value": r[column], "series": name,
                             "segment": piece})  # fmt: skip
    return long


def _band(records: list[dict]) -> list[dict]:
    """The 95% band's rows: the years with an interval, a new segment after each gap.

    Example:
        >>> years = [{"year": y, "area_name": "D", "ci95_low": lo, "ci95_high": 9.0}
        ...          for y, lo in ((2020, 1.0), (2021, None), (2022, 2.0))]
        >>> [(r["year"], r["segment"]) for r in _band(years)]
        [(2020, 0), (2022, 1)]
    """
    band, piece, before = [], 0, None
    for r in records:
        if r["ci95_low"] is None:
            continue
        if before is not None and r["year"] - before > 1:
            piece += 1
        before = r["year"]
        band.append({k: r[k] for k in ("year", "area_name", "ci95_low", "ci95_high")})
        band[-1]["segment"] = piece
    return band


def _last_points(long: list[dict]) -> list[dict]:
    """Each series' last point, the series in the order they first appear by year.

    Example:
        >>> rows = [{"series": "A", "year": 2021}, {"series": "B", "year": 2020},
        ...         {"series": "A", "year": 2022}]
        >>> [(r["series"], r["year"]) for r in _last_points(rows)]
        [('B', 2020), ('A', 2022)]
    """
    last: dict[str, dict] = {}
    for r in sorted(long, key=lambda r: r["year"]):
        last.setdefault(r["series"], r)
        last[r["series"]] = r
    return list(last.values())


def _short_averages(records: list[dict], group_size: int) -> list[dict]:
    """The years whose comparator average is over fewer than all ``group_size`` authorities
    (members without a figure that year): 'year', the average as 'value', and who it is over,
    'averaged' ('9 of 10; no figure for Hampshire'). Each year's average is LAIT's, so the
    line between two such years can move because its authorities changed, not their figures.

    Example:
        >>> s = [{"year": 2024, "comparator_mean": 3.0, "group_missing": ["Hampshire"]},
        ...      {"year": 2025, "comparator_mean": 4.0, "group_missing": []}]
        >>> _short_averages(s, 10)
        [{'year': 2024, 'value': 3.0, 'averaged': '9 of 10; no figure for Hampshire'}]
    """
    return [
        {
            "year": r["year"],
            "value": r["comparator_mean"],
            "averaged": f"{group_size - len(missing)} of {group_size}; "
            f"no figure for {names_list(missing)}",
        }
        for r in records
        if r["comparator_mean"] is not None and (missing := r["group_missing"] or [])
    ]


def _short_words(short: list[dict]) -> str:
    """Which years' comparator averages are over fewer authorities, and who they are over.

    Example:
        >>> _short_words([{"year": 2024, "averaged": "9 of 10; no figure for H"}])
        'The comparator average is over fewer authorities in 2023-24 (9 of 10; no figure for H).'
    """
    each = [f"{year_label(r['year'])} ({r['averaged']})" for r in short]
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
