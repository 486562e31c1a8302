"""Report-ready charts, each a function returning an Altair chart built from the engine.

1. :func:`trend_chart`: the authority's series with its 95% interval band, the comparator
   average, its region and England; reorganisations drawn as breaks and marked.
2. :func:`comparator_chart`: every group member's bar, the authority highlighted, rules for
   the comparator average and England; bars start at zero.
3. :func:`funnel_chart`: every authority's value against its denominator with 95% and 99.8%
   limits around England (overdispersion-adjusted where the engine used that); the authority
   and its neighbours highlighted; tooltips name each point.
4. :func:`overview_chart`: a spine chart (OHID Fingertips): one row per indicator, the spread
   of all authorities around England, the authority coloured and shaped by its comparison with
   England, and the comparator average.
5. :func:`spc_chart`: the authority's own series with centre line, process limits and
   special-cause points (Making Data Count).
6. :func:`factors_chart`: factors identified at the end of assessment across the group.
7. :func:`target_chart`: one target's figures by period against the target line, shaped by
   status.
8. :func:`partnership_chart`: each member of a partnership and the partnership pooled, with
   intervals, each member's comparator average and England.
9. :func:`provisional_chart`: the published series with a local, provisional year from the
   authority's own census return.

Example:
    >>> chart = comparator_chart("Derby", "rereferral_pct", year=2017, group="sn2021")
    >>> chart.to_dict()["title"]["text"]
    'Derby fourth lowest for re-referrals within 12 months'
"""

from __future__ import annotations

import altair as alt
import numpy as np
import polars as pl

from cscbench.analyses import FLAG_MEANINGS, benchmark, funnels, panel, trend
from cscbench.analyses.engine import check_held, trend_view, year_or_latest
from cscbench.analyses.spc_charts import MIN_POINTS
from cscbench.analyses.trends import EXTREME_PERCENTAGE
from cscbench.analyses.wording import (
    and_list,
    names_list,
    number,
    rank_words,
    sentence_case,
    with_unit,
    year_ending,
    year_label,
)
from cscbench.datasets import find_area, load_factors, manifest
from cscbench.datasets import group as group_of
from cscbench.datasets.areas import spoken_name
from cscbench.datasets.lineage import SUCCESSIONS
from cscbench.datasets.registry import (
    INDICATORS,
    SOURCES,
    Indicator,
    charted,
    comparable,
    factor_label,
)
from cscbench.datasets.store import Source
from cscbench.figures.theme import (
    AUTHORITY,
    COMPARATORS,
    ENGLAND,
    FOCUS,
    OTHERS,
    REGION,
    config,
    fitted,
    source_note,
)

WIDTH = 560
#: Colour, dash and point shape of each series wherever an authority's series is drawn over
#: time: the authority orange (LAIT's convention), its comparator average, region and England.
SERIES_STYLES = {
    "value": (AUTHORITY, [1, 0], "circle"),
    "comparator_mean": (COMPARATORS, [6, 3], "square"),
    "region": (REGION, [2, 2], "triangle-up"),
    "england": (ENGLAND, [8, 3, 2, 3], "diamond"),
}
LABEL_GAP_PX = 14  # direct labels at 11 px, no closer than this
YEAR_LABEL = "(datum.value - 1) + '-' + slice(toString(datum.value), 2)"
#: A trend chart's note on its open markers (:func:`_short_averages`).
SHORT_AVERAGE = "Open squares: comparator average over fewer authorities (some had no figure)"
NOT_TESTABLE = "trend not testable"  # a trend title's end when OHID's test cannot run
#: The axis of a chart's measure: about six labelled values and gridlines (Vega's default is
#: one every 40 pixels: thirteen on a bar chart's 560), so the data, not the grid, stands out.
VALUE_AXIS = alt.Axis(tickCount=6)


def year_axis(first: int, last: int, **options: object) -> alt.Axis:
    """An axis of reporting years labelled '2023-24', with a tick at each year from ``first``
    to ``last`` and none between (left to itself, Vega put a tick at 2024.5 on a two-year
    series, labelled '2023.5-24.5').

    Example:
        >>> year_axis(2024, 2025).to_dict()["values"]
        [2024, 2025]
    """
    years = list(range(first, last + 1))
    return alt.Axis(values=years, format="d", labelExpr=YEAR_LABEL, **options)


def _note(
    indicator: str | None,
    source: Source,
    extra: str = "",
    publications: list[str] | None = None,
    population: bool | None = None,
) -> str:
    """The source note: every DfE publication the chart draws on (``publications``, else the
    indicator's), ONS's population estimates where a rate uses them (``population``, else
    whether the indicator's denominator is the population), and the data's date."""
    found = manifest(source)
    built = found["built_at"][:10] if found else None
    if publications is None:
        publications = [
            SOURCES[INDICATORS[indicator].source].publication if indicator else "Children in need"
        ]
    if population is None:
        denominator = INDICATORS[indicator].denominator if indicator else None
        population = denominator is not None and denominator.population
    said = "; ".join(f"DfE, {p}" for p in publications)
    ons = "; ONS mid-year population estimates" if population else ""
    return source_note(f"{said}{ons}{extra}", built)


def _subjects(ind: Indicator) -> list[str]:
    """What a title over time can say it is about, fullest first, without "rate of" (the
    subtitle gives the measure).

    Example:
        >>> _subjects(INDICATORS["cla_ceased_rate"]), _subjects(INDICATORS["cp_2yrs_pct"])
        (['Children leaving care'], ['Plans lasting 2 years or more', 'Plans lasting 2+ years'])
    """
    names = dict.fromkeys(
        n.removeprefix("rate of ").capitalize() for n in (ind.short, ind.headline)
    )
    return list(names)


def _about(ind: Indicator, name: str, *endings: str) -> str:
    """A title "<what> in <name>: <ending>" within the guide's ten words: the fullest subject
    and then the fullest of ``endings`` that fit.

    Example:
        >>> _about(INDICATORS["cp_2yrs_pct"], "Derby", "too few years")
        'Plans lasting 2+ years in Derby: too few years'
        >>> _about(INDICATORS["nfa_pct"], "Derby", "too few years for limits", "too few years")
        'Referrals with no further action in Derby: too few years'
    """
    titles = [f"{what} in {name}: {ending}" for what in _subjects(ind) for ending in endings]
    return fitted(titles, [name])


def _placed(ind: Indicator, lead: str, name: str) -> str:
    """A title "<lead> for <indicator>" within the guide's ten words, ``name`` (in ``lead``)
    counted as one.

    Example:
        >>> _placed(INDICATORS["cp_start_rate"], "Dorset in the middle", "Dorset")
        'Dorset in the middle for rate of plans starting'
    """
    return fitted([f"{lead} for {n}" for n in (ind.short, ind.headline)], [name])


def _finish(
    chart: alt.TopLevelMixin, title: str, subtitle: str | list[str], description: str, note: str
) -> alt.TopLevelMixin:
    subtitle_lines = [subtitle] if isinstance(subtitle, str) else subtitle
    # Set in place: Altair's properties() and configure() copy the whole chart each time.
    chart.title = alt.Title(sentence_case(title), subtitle=[*subtitle_lines, note])
    chart.description = sentence_case(description)
    chart.config = alt.Config(**config())
    return chart


class _Layered(alt.LayerChart):
    """A LayerChart that sets its layers as they are when there is nothing to lift (see
    :func:`layered`); Altair builds it again, from the same layers, each time it copies it."""

    def __init__(self, data=alt.Undefined, layer=(), **kwargs):
        layer = list(layer)
        lifted = ("params", "width", "height", "view")
        shared = len(layer) > 1 and all(one.data is layer[0].data for one in layer)
        if (
            data is not alt.Undefined
            or shared
            or any(one._get(name) is not alt.Undefined for one in layer for name in lifted)
        ):
            super().__init__(data=data, layer=layer, **kwargs)
        else:  # the schema's own constructor: LayerChart's lifting has nothing to do
            super(alt.LayerChart, self).__init__(data=data, layer=layer, **kwargs)


def layered(*layers: alt.TopLevelMixin, **properties: object) -> alt.LayerChart:
    """``alt.layer(*layers, **properties)``, without Altair's copies of every layer.

    Altair's LayerChart deep-copies each layer twice as it is made (and again each time it
    is copied, as ``to_dict`` does) to lift selection parameters, shared data and sizes to the
    top: 0.2-0.3 s of a pack's 24 charts. Layers built for one chart, with no parameters, no
    size of their own and their own data, have nothing to lift, so they are set as they are;
    other layers (say, after ``.interactive()``) are lifted as Altair does. The spec is the same.

    Example:
        >>> bars = alt.Chart(pl.DataFrame({"a": [1]})).mark_bar().encode(x="a:Q")
        >>> text = alt.Chart(pl.DataFrame({"a": [2]})).mark_text().encode(x="a:Q")
        >>> layered(bars, text, height=50).to_dict() == alt.layer(bars, text, height=50).to_dict()
        True
        >>> spec = layered(bars.interactive(), text).to_dict()
        >>> spec == alt.layer(bars.interactive(), text).to_dict() and "params" in spec
        True
    """
    return _Layered(layer=layers, **properties)


def chart_of(frame: pl.DataFrame) -> alt.Chart:
    """``alt.Chart(frame)`` with the frame's rows given to Altair as values, converted once
    (layers drawn from the same frame share one: ``rows = chart_of(frame)``, then
    ``rows.mark_line()`` and ``rows.mark_point()``).

    Altair converts a DataFrame through narwhals again for every layer and every ``to_dict``
    (half the time of building a pack's charts); given the rows, it only names them. Dates
    are written as Altair writes them (ISO text), so the spec is the same.

    Example:
        >>> from datetime import date
        >>> frame = pl.DataFrame({"a": [1, 2], "day": [date(2025, 3, 31), None]})
        >>> chart_of(frame).mark_bar().encode(x="a:Q").to_dict() == (
        ...     alt.Chart(frame).mark_bar().encode(x="a:Q").to_dict())
        True
    """
    iso = "%Y-%m-%dT%H:%M:%S"
    if any(dtype.is_temporal() for dtype in frame.dtypes):
        frame = frame.with_columns(
            pl.col(pl.Date).cast(pl.Datetime).dt.to_string(iso),
            pl.col(pl.Datetime).dt.to_string(f"{iso}%.f"),
        )
    return alt.Chart({"values": frame.to_dicts()})


def _measure(indicator: str) -> str:
    ind = INDICATORS[indicator]
    return {"percent": "Percentage", "rate_per_10k": "Rate per 10,000 children"}.get(
        ind.unit, "Number"
    )


# --- 1. Trend -----------------------------------------------------------------------------------


def _segment(column: str) -> pl.Expr:
    """A new segment after every missing year, so lines break rather than join across gaps.

    Example:
        >>> frame = pl.DataFrame({"year": [2020, 2021, 2023, 2024], "v": [1.0, None, 2.0, 3.0]})
        >>> frame.select(_segment("v"))["v"].to_list()
        [0, 1, 2, 2]
    """
    missing = pl.col(column).is_null() | (pl.col("year").diff().fill_null(1) > 1)
    return missing.cast(pl.Int32).cum_sum()


def _series_channels(
    names: dict[str, str], keyed: bool = True
) -> tuple[alt.Color, alt.StrokeDash, alt.Shape]:
    """Colour, dash and point shape of each series named in ``names`` (column: name in the
    chart), as :data:`SERIES_STYLES` draws it, so every chart of an authority's series over
    time draws each series alike; with a key below the chart unless ``keyed`` is False (for
    lines labelled at their ends)."""
    domain = list(names.values())
    colours, dashes, shapes = zip(*(SERIES_STYLES[column] for column in names), strict=True)
    key = alt.Legend(title=None, orient="bottom") if keyed else None
    colour = alt.Color("series:N", scale=alt.Scale(domain=domain, range=list(colours)), legend=key)
    dash = alt.StrokeDash(
        "series:N", scale=alt.Scale(domain=domain, range=list(dashes)), legend=key
    )
    shape = alt.Shape("series:N", scale=alt.Scale(domain=domain, range=list(shapes)), legend=key)
    return colour, dash, shape


def dodge(values: list[float], gap: float, floor: float = float("-inf")) -> list[float]:
    """Label positions at least ``gap`` apart, each run of crowded labels centred on the mean
    of its values (labels taken in order of value; a run that grows into the one below joins
    it), and none below ``floor``: a run centred below it starts at it instead.

    Example:
        >>> [round(v, 2) for v in dodge([40.6, 40.7, 50.0, 40.9], gap=2.0)]
        [38.73, 40.73, 50.0, 42.73]
        >>> [round(v, 2) for v in dodge([0.0, 1.5, 2.3, 2.5], gap=1.9, floor=0.0)]
        [0.0, 1.9, 3.8, 5.7]
    """
    runs: list[list[int]] = []  # indices of values, in order of value
    start: list[float] = []  # where each run's lowest label goes
    for i in sorted(range(len(values)), key=lambda i: values[i]):
        runs.append([i])
        start.append(values[i])
        while len(runs) > 1 and start[-2] + len(runs[-2]) * gap > start[-1]:
            merged = runs.pop(-2) + runs.pop()
            centred = sum(values[j] for j in merged) / len(merged) - (len(merged) - 1) * gap / 2
            start[-2:] = [max(floor, centred)]
            runs.append(merged)
    placed = [0.0] * len(values)
    for run, low in zip(runs, start, strict=True):
        for k, i in enumerate(run):
            placed[i] = low + k * gap
    return placed


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
    parts = [
        series.lazy().select(
            "year",
            pl.col(column).alias("value"),
            pl.lit(name).alias("series"),
            _segment(column).alias("segment"),
        )
        for column, name in names.items()
    ]
    long = pl.concat(parts).filter(pl.col("value").is_not_null()).collect()
    colour, dash, shape = _series_channels(names, keyed=False)  # lines labelled at their ends
    x = alt.X(
        "year:Q",
        title=None,
        axis=year_axis(int(series["year"].min()), int(series["year"].max()), labelAngle=0),
    )
    y = alt.Y("value:Q", title=_measure(indicator), scale=alt.Scale(zero=False), axis=VALUE_AXIS)
    tooltip = [
        alt.Tooltip("series:N", title="Series"),
        alt.Tooltip("year:Q", title="Year ending March"),
        alt.Tooltip("value:Q", title=INDICATORS[indicator].title, format=",.1f"),
    ]
    band_data = series.filter(pl.col("ci95_low").is_not_null()).with_columns(
        _segment("ci95_low").alias("segment")
    )
    band = (
        chart_of(band_data)
        .mark_area(fillOpacity=0.18, color=AUTHORITY)
        .encode(
            x=x,
            y=alt.Y("ci95_low:Q", title=_measure(indicator)),
            y2=alt.Y2("ci95_high:Q"),
            detail=alt.Detail("segment:N"),
        )
    )
    drawn = chart_of(long)  # one conversion of the rows for the lines and their points
    lines = drawn.mark_line(strokeWidth=2.5).encode(
        x=x, y=y, color=colour, strokeDash=dash, detail=alt.Detail("segment:N")
    )
    points = drawn.mark_point(filled=True, size=45).encode(
        x=x, y=y, color=colour, shape=shape, tooltip=tooltip
    )
    last = long.sort("year").group_by("series", maintain_order=True).last()
    plotted = pl.concat([long["value"], band_data["ci95_low"], band_data["ci95_high"]])
    gap = LABEL_GAP_PX / 300 * max(float(plotted.max() - plotted.min()), 1e-9)
    # no label below the lowest figure drawn: the axis would stretch to fit it (a percentage
    # axis from -5 under Rutland's 0%)
    lowest = float(plotted.min())
    last = last.with_columns(
        pl.col("value")
        .map_batches(lambda v: pl.Series(dodge(v.to_list(), gap, floor=lowest)))
        .over("year")
        .alias("label_at")
    )
    labels = (
        chart_of(last)
        .mark_text(align="left", dx=8, fontSize=11)
        .encode(x=x, y=alt.Y("label_at:Q"), text=alt.Text("series:N"), color=colour)
    )
    layers = [band, lines, points, labels]
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
    events = _boundary_years(
        chosen.focus, chosen.members, series["year"].min(), series["year"].max()
    )
    if events.height:
        marked = chart_of(events)
        rule = marked.mark_rule(strokeDash=[3, 3], color="#6f777b").encode(
            x=alt.X("year:Q"), tooltip=[alt.Tooltip("note:N", title="Reorganisation")]
        )
        text = marked.mark_text(
            align="left", dx=3, dy=-4, fontSize=10, color="#505a5f", baseline="top"
        ).encode(x=alt.X("year:Q"), y=alt.YValue(0), text=alt.TextValue("reorganisation"))
        layers += [rule, text]
    chart = layered(*layers, width=WIDTH, height=300)
    latest = series.filter(pl.col("value").is_not_null()).tail(1)
    latest_row = latest.row(0, named=True) if latest.height else None
    word = _trend_word(latest_row)
    ind = INDICATORS[indicator]
    first, end = int(series["year"].min()), int(series["year"].max())
    said = spoken_name(focus["area_name"])
    title = _about(ind, said, word)
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
        f"{year_label(first)} to {year_label(end)}, with its 95% confidence interval "
        f"as a shaded band, the average of its comparators ({chosen.label}), "
        f"{region} and England.{detail}"
    )
    subtitle = [
        f"{ind.title}, {year_label(first)} to {year_label(end)}; comparators: {chosen.label}"
    ]
    if word == NOT_TESTABLE:
        subtitle.append(f"{untested} (OHID's method)")
    if short.height:
        description += f" {_short_words(short)}"
        subtitle.append(SHORT_AVERAGE)
    return _finish(chart, title, subtitle, description, _note(indicator, source))


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


def _factor_title(factor: str, name: str, named: bool) -> str:
    """The factors chart's title: the authority's leading factor (``named``: the leading one
    other than "Other", which led), in the guide's ten words.

    Example:
        >>> _factor_title("Domestic abuse (parent)", "Derby", named=False)
        'Domestic abuse (parent) most common factor in Derby'
        >>> _factor_title("Physical abuse (adult on child)", "Leeds", named=True)
        'Physical abuse (adult on child) commonest named factor in Leeds'
    """
    kind = "named factor" if named else "factor"
    titles = [f"{factor} {most} {kind} in {name}" for most in ("most common", "commonest")]
    return fitted(titles, [name])


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


# --- 2. Comparator bars -------------------------------------------------------------------------


def comparator_chart(
    la: str,
    indicator: str,
    year: int | str | None = None,
    group: str = "sn2025",
    include_self: bool = False,
    source: Source = None,
    row: dict | None = None,
    values: pl.DataFrame | None = None,
) -> alt.LayerChart:
    """Every group member's value as a bar (from zero), the authority highlighted and labelled.

    ``row`` (the authority's benchmark row) and ``values`` (the panel rows of the group) save
    recomputing them when many charts are drawn.

    Example:
        >>> spec = comparator_chart("Derby", "cla_rate", year=2025).to_dict()
        >>> bars = spec["datasets"][spec["layer"][0]["data"]["name"]]
        >>> spec["layer"][0]["mark"]["type"], len(bars)
        ('bar', 11)
    """
    if row is None:
        row = benchmark(
            la,
            year=year,
            group=group,
            include_self=include_self,
            indicators=[indicator],
            source=source,
        ).row(0, named=True)
    chosen = group_of(la, group, source=source)
    year = row["year"]
    if values is None:
        values = panel([indicator], source, la_codes=[chosen.focus, *chosen.members])
    values = values.filter(
        pl.col("indicator") == indicator, pl.col("year") == year, pl.col("value").is_not_null()
    ).select("la_code", "area_name", "value")
    focus_name = row["area_name"]
    doubtful = list(row.get("group_doubtful") or [])  # a member's 0 England's rate doubts
    values = values.with_columns(
        (pl.col("la_code") == chosen.focus).alias("is_focus"),
        pl.when(pl.col("la_code") == chosen.focus)
        .then(pl.format("► {}", "area_name"))
        .when(pl.col("area_name").is_in(doubtful))
        .then(pl.format("{} (doubtful 0)", "area_name"))
        .otherwise(pl.col("area_name"))
        .alias("label"),
    ).sort("value", descending=True)
    order = values["label"].to_list()
    y = alt.Y(
        "label:N",
        sort=order,
        title=None,
        axis=alt.Axis(
            labelFontWeight=alt.ExprRef(
                f"datum.value == {_js(f'► {focus_name}')} ? 'bold' : 'normal'"
            ),
        ),
    )
    x = alt.X("value:Q", title=_measure(indicator), scale=alt.Scale(zero=True), axis=VALUE_AXIS)
    members = chart_of(values)
    bars = members.mark_bar().encode(
        x=x,
        y=y,
        color=alt.Color(
            "is_focus:N",
            scale=alt.Scale(domain=[True, False], range=[FOCUS, OTHERS]),
            legend=None,
        ),
        tooltip=[
            alt.Tooltip("area_name:N", title="Authority"),
            alt.Tooltip("value:Q", title=INDICATORS[indicator].title, format=",.1f"),
        ],
    )
    label = alt.Text("value:Q", format=",.1f" if INDICATORS[indicator].decimals else ",.0f")
    labels = members.encode(x=x, y=y, text=label)
    text = labels.mark_text(align="left", dx=4, fontSize=10)
    # White behind each value, so a rule crossing it does not strike it through: round and
    # wide enough (8 px for 10 px digits) to close the gaps between the digits too.
    halo = labels.mark_text(
        align="left", dx=4, fontSize=10, stroke="white", strokeWidth=8, strokeJoin="round"
    )
    refs = pl.DataFrame(
        {
            "value": [row["comparator_mean"], row["england"]],
            "name": ["Comparator average", "England"],
        }
    ).filter(pl.col("value").is_not_null())
    rules = (
        chart_of(refs)
        .mark_rule(strokeWidth=2)
        .encode(
            x=alt.X("value:Q"),
            color=alt.Color(
                "name:N",
                scale=alt.Scale(
                    domain=["Comparator average", "England"], range=[COMPARATORS, ENGLAND]
                ),
                legend=alt.Legend(title=None, orient="bottom"),
            ),
            strokeDash=alt.StrokeDash(
                "name:N",
                scale=alt.Scale(domain=["Comparator average", "England"], range=[[6, 3], [1, 0]]),
                legend=None,
            ),
        )
    )
    # Rules under the value labels; their colours and key apart from the bars' (sharing the
    # bars' colour scale gave the rules the bars' colours and dropped their key).
    chart = layered(bars, rules, halo, text, width=WIDTH - 140, height=22 * len(order))
    chart.resolve = alt.Resolve(scale=alt.ScaleResolveMap(color="independent"))
    ind = INDICATORS[indicator]
    said = spoken_name(focus_name)  # the bar keeps DfE's name, the words say it
    missing = row["group_missing"] or []
    words = rank_words(row["rank"], row["rank_of"], row["rank_ties"] or 0) if row["rank"] else None
    if words is None:
        lead = f"{said}: no figure"
    elif words.startswith("in the middle"):
        lead = f"{said} in the middle"
    else:
        lead = f"{said} {words.removeprefix('the ')}"
    title = _placed(ind, lead, said)
    subtitle = [f"{ind.title}, {year_label(year)}; {chosen.label}"]
    if missing:
        subtitle.append(f"No figure: {names_list(missing)}")
    if doubtful and row.get("comparator_mean_without_doubtful") is not None:
        subtitle.append(
            f"Doubtful 0 (England's rate gives 10 or more): {names_list(doubtful)}; the "
            "average without "
            f"{'it' if len(doubtful) == 1 else 'them'} is "
            f"{with_unit(row['comparator_mean_without_doubtful'], indicator)}"
        )
    if words and {"small_numbers", "imprecise"} & set(row["flags"] or []):
        subtitle.append(
            f"{said}'s figure rests on {number(row['numerator'], 'cin_count')} children "
            "or events: a handful either way would change its place"
        )
    place = f", {words} of {row['rank_of']}" if words else ""
    description = (
        f"Bar chart of {ind.title.lower()} in {year_label(year)} for {said} and "
        f"its comparators, highest first. {said}: {with_unit(row['value'], indicator)}"
        f"{place}. Comparator average "
        f"{with_unit(row['comparator_mean'], indicator)}; England "
        f"{with_unit(row['england'], indicator)}."
    )
    return _finish(chart, title, subtitle, description, _note(indicator, source))


def _js(text: str) -> str:
    import json

    return json.dumps(text)


# --- 3. Funnel ----------------------------------------------------------------------------------


#: A funnel plot's title ending for the authority's place, by its funnel flag, outermost
#: first (its description gives the flag's meaning in full).
FUNNEL_PLACES = {
    "funnel_high_998": "above 99.8% limit",
    "funnel_high_95": "above 95% limit",
    "funnel_low_998": "below 99.8% limit",
    "funnel_low_95": "below 95% limit",
}


def funnel_chart(
    la: str,
    indicator: str,
    year: int | str | None = None,
    group: str = "sn2025",
    source: Source = None,
) -> alt.LayerChart:
    """Every authority against its denominator, with funnel limits around England.

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
    published = panel([indicator], source).filter(pl.col("value").is_not_null())
    rows = published.filter(pl.col("year") == year)
    check_held(rows, published, indicator, f"in {year_label(year)}")
    first = rows.row(0, named=True)
    target, tau2 = (
        first["england"],
        first["funnel_tau2"] if first["funnel_method"] == ("overdispersion-adjusted") else 0.0,
    )
    kind = "percent" if ind.unit == "percent" else "rate"
    grid = np.geomspace(
        max(rows["denominator"].min() * 0.9, 1), rows["denominator"].max() * 1.05, 120
    )
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
        scale=alt.Scale(type="log"),
        title="Children aged 0-17" if ind.unit == "rate_per_10k" else "Cases (denominator)",
    )
    y = alt.Y("value:Q", title=_measure(indicator), axis=VALUE_AXIS)
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
                scale=alt.Scale(domain=domain, range=[180, 70, 30]),
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
            role_order=f"datum.role == {_js(focus_name)} ? 2 : "
            "(datum.role == 'Comparators' ? 1 : 0)"
        )
    )
    label = (
        chart_of(points.filter(pl.col("la_code") == chosen.focus))
        .mark_text(align="left", dx=9, fontWeight="bold", fontSize=11)
        .encode(x=x, y=y, text=alt.Text("area_name:N"))
    )
    chart = layered(lines, england, dots, label, width=WIDTH, height=340)
    focus_row = benchmark(la, year=year, group=group, indicators=[indicator], source=source).row(
        0, named=True
    )
    flags = focus_row["flags"] or []
    placed = next((flag for flag in FUNNEL_PLACES if flag in flags), None)
    where = FUNNEL_PLACES.get(placed, "within expected range")
    if focus_row["value"] is None:  # not "within expected range": there is nothing to place
        where = "no figure"
    said = spoken_name(focus_name)  # the key keeps DfE's name, the words say it
    title = _about(ind, said, where)
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
    return _finish(chart, title, subtitle, description, _note(indicator, source))


# --- 4. Overview (spine) ------------------------------------------------------------------------


def spine_indicators(theme: str | None = None) -> list[str]:
    """What an overview shows: a theme's indicators comparable across authorities (not counts
    or FTEs), or, with no theme, every theme's headline measures.

    Example:
        >>> spine_indicators("front door and assessment")
        ['referral_rate', 'rereferral_pct', 'nfa_pct']
    """
    if theme is None:
        return list(charted())
    return [  # DfE's files' measures (with counts) and the theme's charted ones, not all LAIT's
        k
        for k in comparable()
        if INDICATORS[k].theme == theme
        and (INDICATORS[k].source != "lait" or INDICATORS[k].charted)
    ]


def overview_chart(
    la: str,
    year: int | str | None = None,
    group: str = "sn2025",
    include_self: bool = False,
    source: Source = None,
    table: pl.DataFrame | None = None,
    theme: str | None = None,
) -> alt.HConcatChart:
    """A spine chart: the headline measures of every theme (or, with ``theme``, the theme's
    rates, percentages and averages), scaled around England (OHID Fingertips style).

    Each row's bar spans all authorities (light: lowest to highest; dark: middle half); the
    centre line is England. The authority's marker is coloured and shaped by its comparison
    with England (similar, higher or lower; better or worse where polarity says); the diamond
    is the comparator average. Where low is good, the scale is reversed so that better is right.
    ``table`` (the authority's benchmark table for the year, as a pack has it) saves computing
    it again.

    Example:
        >>> spec = overview_chart("Derby", year=2025).to_dict()
        >>> len(spec["hconcat"])
        2
    """
    measures = spine_indicators(theme)
    if table is None:
        table = benchmark(
            la,
            year=year,
            group=group,
            include_self=include_self,
            indicators=measures,
            source=source,
        )
    else:
        table = table.filter(pl.col("indicator").is_in(measures))
    year = int(table["year"][0])
    spread = (
        panel(measures, source)
        .filter(pl.col("year") == year)
        .group_by("indicator")
        .agg(
            pl.col("value").min().alias("min"),
            pl.col("value").quantile(0.25, "linear").alias("q1"),
            pl.col("value").quantile(0.75, "linear").alias("q3"),
            pl.col("value").max().alias("max"),
        )
    )
    rows = table.join(spread, on="indicator", how="left").filter(pl.col("england").is_not_null())
    e = pl.col("england")
    half = pl.max_horizontal((pl.col("max") - e).abs(), (pl.col("min") - e).abs())
    flip = pl.when(pl.col("polarity") == "low_is_good").then(-1.0).otherwise(1.0)

    def scaled(column: str) -> pl.Expr:
        return ((pl.col(column) - e) / half * flip).alias(f"s_{column}")

    def comparison() -> pl.Expr:
        c = pl.col("england_comparison_95")
        low_good = pl.col("polarity") == "low_is_good"
        high_good = pl.col("polarity") == "high_is_good"
        return (
            pl.when(pl.col("value").is_null())
            .then(pl.lit("no figure"))
            .when(c.is_null())  # a figure with no interval: DfE's workforce ratios of FTEs
            .then(pl.lit("no interval"))
            .when(c == "similar")
            .then(pl.lit("similar to England"))
            .when(((c == "above") & high_good) | ((c == "below") & low_good))
            .then(pl.lit("better than England"))
            .when(((c == "above") & low_good) | ((c == "below") & high_good))
            .then(pl.lit("worse than England"))
            .when(c == "above")
            .then(pl.lit("higher than England"))
            .otherwise(pl.lit("lower than England"))
            .alias("comparison")
        )

    rows = rows.with_columns(
        scaled("min"),
        scaled("max"),
        scaled("q1"),
        scaled("q3"),
        scaled("value"),
        scaled("comparator_mean"),
        pl.col("indicator")
        .replace_strict({k: INDICATORS[k].title for k in INDICATORS})
        .alias("title"),
        comparison(),
    ).with_columns(
        pl.min_horizontal("s_min", "s_max").alias("s_lo"),
        pl.max_horizontal("s_min", "s_max").alias("s_hi"),
        pl.min_horizontal("s_q1", "s_q3").alias("s_qlo"),
        pl.max_horizontal("s_q1", "s_q3").alias("s_qhi"),
        pl.struct("value", "indicator")
        .map_elements(
            lambda r: with_unit(r["value"], r["indicator"]).replace(" per 10,000 children", ""),
            pl.String,
        )
        .alias("value_text"),
        pl.struct("england", "indicator")
        .map_elements(lambda r: number(r["england"], r["indicator"]), pl.String)
        .alias("england_text"),
    )
    # a comparison on a handful of children is marked, and the mark explained (a 0 of 32
    # re-referrals in the Isles of Scilly is below England, on few children)
    few = pl.col("flags").list.eval(pl.element().is_in(["small_numbers", "imprecise"])).list.any()
    rows = rows.with_columns(
        pl.when(few).then(pl.col("value_text") + " *").otherwise(pl.col("value_text"))
    )
    few_titles = rows.filter(few)["title"].to_list()
    order = [INDICATORS[k].title for k in measures if k in set(rows["indicator"])]
    y = alt.Y("title:N", sort=order, title=None, axis=alt.Axis(labelFontSize=11))
    x = alt.X(
        "s_lo:Q",
        scale=alt.Scale(domain=[-1.05, 1.05]),
        title="Worse or lower ← England → better or higher",
        axis=alt.Axis(labels=False, ticks=False, grid=False),
    )
    comparisons = [
        "better than England",
        "similar to England",
        "worse than England",
        "higher than England",
        "lower than England",
        "no interval",
        "no figure",
    ]
    base = chart_of(rows)
    full = base.mark_bar(color="#dfe3e8", height=14).encode(x=x, x2=alt.X2("s_hi:Q"), y=y)
    mid = base.mark_bar(color="#9fa8b3", height=14).encode(
        x=alt.X("s_qlo:Q"), x2=alt.X2("s_qhi:Q"), y=y
    )
    centre = (
        chart_of(pl.DataFrame({"x": [0.0]}))
        .mark_rule(color=ENGLAND, strokeWidth=2)
        .encode(x=alt.X("x:Q"))
    )
    group_mark = base.mark_point(shape="diamond", filled=True, size=70, color=COMPARATORS).encode(
        x=alt.X("s_comparator_mean:Q"),
        y=y,
        tooltip=[
            alt.Tooltip("title:N"),
            alt.Tooltip("comparator_mean:Q", title="Comparator average", format=",.1f"),
        ],
    )
    marker = base.mark_point(filled=True, size=150, stroke="white", strokeWidth=1).encode(
        x=alt.X("s_value:Q"),
        y=y,
        color=alt.Color(
            "comparison:N",
            scale=alt.Scale(
                domain=comparisons,
                range=[
                    "#00703c",
                    "#ffbf47",
                    "#d4351c",
                    "#5694ca",
                    "#003078",
                    "#6f777b",
                    "#b1b4b6",
                ],
            ),
            legend=alt.Legend(title=None, orient="bottom", columns=3),
        ),
        shape=alt.Shape(
            "comparison:N",
            scale=alt.Scale(
                domain=comparisons,
                range=[
                    "triangle-right",
                    "circle",
                    "triangle-left",
                    "triangle-up",
                    "triangle-down",
                    "square",
                    "cross",
                ],
            ),
            legend=alt.Legend(title=None, orient="bottom", columns=3),
        ),
        tooltip=[
            alt.Tooltip("title:N", title="Indicator"),
            alt.Tooltip("value_text:N", title="Value"),
            alt.Tooltip("england_text:N", title="England"),
            alt.Tooltip("comparison:N"),
        ],
    )
    spine = layered(full, mid, centre, group_mark, marker, width=360, height=26 * len(order))
    text_value = base.mark_text(align="right", fontSize=11).encode(
        y=y.axis(None), text=alt.Text("value_text:N"), x=alt.XValue(55)
    )
    text_england = base.mark_text(align="right", fontSize=11, color=ENGLAND).encode(
        y=y.axis(None), text=alt.Text("england_text:N"), x=alt.XValue(115)
    )
    header = (
        chart_of(
            pl.DataFrame(
                {"x": [55, 115], "t": [rows["area_name"][0] if rows.height else la, "England"]}
            )
        )
        .mark_text(align="right", fontWeight="bold", fontSize=11, dy=-14)
        .encode(x=alt.X("x:Q", scale=None), y=alt.YValue(0), text=alt.Text("t:N"))
    )
    numbers = layered(text_value, text_england, header, width=120, height=26 * len(order))
    chart = alt.hconcat(spine, numbers, spacing=8)
    name = spoken_name(rows["area_name"][0] if rows.height else la)
    counts = rows["comparison"].value_counts()
    ordered = counts.sort(["count", "comparison"], descending=[True, False])  # ties by name
    phrases = {  # the key's labels, as phrases
        "no figure": "with no figure to compare",
        "no interval": "with no interval to test against England",
    }
    summary = "; ".join(f"{n} {phrases.get(c, c)}" for c, n in ordered.rows())
    title = (
        f"How {name} compares with England, {year_label(year)}"
        if theme is None
        else f"{theme[0].upper()}{theme[1:]}: {name} against England"
    )
    subtitle = [
        ("Headline measures of each theme, " if theme is None else "")
        + f"{year_label(year)}. Bars: all authorities (dark: middle half); line: England; "
        f"marker: {name}; diamond: comparator average"
    ]
    description = (
        f"Spine chart of {len(order)} measures for {name} in "
        f"{year_label(year)} against the spread of all authorities, centred on England: "
        f"{summary}."
    )
    if few_titles:
        subtitle.append("* on few children or events (under 10, or a wide interval): caution")
        description += (
            f" On few children or events, so to be treated with caution: "
            f"{and_list([t.lower() for t in few_titles])}."
        )
    drawn_from = sorted({SOURCES[INDICATORS[i].source].publication for i in rows["indicator"]})
    note = _note(None, source, publications=drawn_from or ["Children in need"], population=True)
    return _finish(chart, title, subtitle, description, note)


# --- 5. SPC -------------------------------------------------------------------------------------


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
    y = alt.Y("value:Q", title=_measure(indicator), scale=alt.Scale(zero=False), axis=VALUE_AXIS)
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
    title = _about(
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
        title = _about(ind, said, "too few years for limits", "too few years")
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
    return _finish(chart, title, subtitle, description, _note(indicator, source))


# --- 6. Assessment factors ----------------------------------------------------------------------


def factors_chart(
    la: str,
    year: int | str | None = None,
    group: str = "sn2025",
    top: int = 12,
    source: Source = None,
) -> alt.LayerChart:
    """Factors identified at the end of assessment, as % of assessments, across the group.

    Example:
        >>> spec = factors_chart("Derby", year=2025).to_dict()
        >>> spec["layer"][0]["mark"]["type"]
        'tick'
    """
    chosen = group_of(la, group, source=source)
    factors = load_factors(source)
    year = year_ending(year) if year is not None else int(factors["year"].max())
    counted = factors.filter(pl.col("count").is_not_null(), pl.col("episodes") > 0)
    rows = counted.filter(pl.col("year") == year)
    check_held(rows, counted, "factors at assessment", f"in {year_label(year)}")
    labels = {code: factor_label(code) for code in rows["factor"].unique()}
    rows = rows.with_columns(
        (pl.col("count") / pl.col("episodes") * 100).alias("share"),
        pl.col("factor").replace_strict(labels).alias("factor_name"),
    )
    england = rows.filter(pl.col("geography") == "national")
    leading = england.sort("share", descending=True).head(top)["factor_name"].to_list()
    areas = rows.filter(
        pl.col("la_code").is_in([chosen.focus, *chosen.members]),
        pl.col("factor_name").is_in(leading),
    )
    focus_name = find_area(chosen.focus, source)["area_name"]
    areas = areas.with_columns(
        pl.when(pl.col("la_code") == chosen.focus)
        .then(pl.lit(focus_name))
        .otherwise(pl.lit("Comparators"))
        .alias("role")
    )
    y = alt.Y("factor_name:N", sort=leading, title=None)
    x = alt.X("share:Q", title="Percentage of assessments with the factor", axis=VALUE_AXIS)
    eng = (
        chart_of(england.filter(pl.col("factor_name").is_in(leading)))
        .mark_tick(color=ENGLAND, thickness=3, size=18)
        .encode(x=x, y=y, tooltip=[alt.Tooltip("share:Q", title="England %", format=".1f")])
    )
    dots = (
        chart_of(areas)
        .mark_point(filled=True)
        .encode(
            x=x,
            y=y,
            color=alt.Color(
                "role:N",
                scale=alt.Scale(domain=[focus_name, "Comparators"], range=[AUTHORITY, OTHERS]),
                legend=alt.Legend(title=None, orient="bottom"),
            ),
            shape=alt.Shape(
                "role:N",
                scale=alt.Scale(domain=[focus_name, "Comparators"], range=["diamond", "circle"]),
                legend=alt.Legend(title=None, orient="bottom"),
            ),
            size=alt.Size(
                "role:O",
                scale=alt.Scale(domain=[focus_name, "Comparators"], range=[160, 45]),
                legend=alt.Legend(title=None, orient="bottom"),
            ),
            tooltip=[
                alt.Tooltip("area_name:N", title="Authority"),
                alt.Tooltip("share:Q", title="%", format=".1f"),
                alt.Tooltip("count:Q", title="Count", format=","),
            ],
        )
    )
    chart = layered(eng, dots, width=WIDTH - 120, height=24 * len(leading))
    focus_rows = areas.filter(pl.col("la_code") == chosen.focus).sort("share", descending=True)
    named = focus_rows.filter(pl.col("factor") != "Other")  # "Other" says nothing as a title
    first = named.row(0, named=True) if named.height else None
    most = (
        "most common"
        if focus_rows.height and focus_rows["factor"][0] != "Other"
        else ("most common named")
    )
    said = spoken_name(focus_name)  # the key keeps DfE's name, the words say it
    title = (
        _factor_title(first["factor_name"], said, named=most != "most common")
        if first
        else f"Factors at assessment: {said} and comparators"
    )
    subtitle = [
        f"Factors identified at the end of assessment, {year_label(year)}; {chosen.label}",
        f"Tick: England; diamond: {focus_name}. (parent), (child), (other person): who the "
        "concern is about",
    ]
    description = (
        f"Dot chart of the {len(leading)} factors most often identified at the end of "
        f"assessment in England in {year_label(year)}, as a percentage of assessments, "
        f"for {said}, its comparators and England."
        + (
            f" In {said} the {most} was {first['factor_name']} ({first['share']:.1f}%)."
            if first
            else ""
        )
    )
    return _finish(
        chart, title, subtitle, description, _note(None, source, "; factors at assessment")
    )


# --- 7. Targets -------------------------------------------------------------------------------

STATUS_SHAPES = {
    "on target": "circle",
    "off target, recoverable": "triangle-up",
    "off target, causing concern": "cross",
}


def target_chart(table: pl.DataFrame, indicator: str, area_name: str) -> alt.LayerChart:
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
    note = source_note("; ".join(whose.get(f, f) for f in sorted(set(rows["figures"]))))
    return _finish(chart, title, subtitle, description, note)


# --- 8. Partnerships ----------------------------------------------------------------------------


def partnership_chart(table: pl.DataFrame, indicator: str) -> alt.LayerChart:
    """Each member of a partnership and the partnership as one area, with 95% intervals,
    each member's own comparator average as a tick, and England as a line, from a
    :func:`~cscbench.analyses.partnership.partnership` table.

    Example:
        >>> from cscbench.analyses.partnership import partnership
        >>> t = partnership(["Leicestershire", "Rutland"], year=2018, indicators=["cp_rate"])
        >>> partnership_chart(t, "cp_rate").to_dict()["title"]["text"]
        'Rate of child protection plans: Leicestershire and Rutland'
    """
    rows = table.filter(pl.col("indicator") == indicator)
    if rows.is_empty():
        from cscbench.errors import UsageError

        raise UsageError(f"no partnership rows for {indicator}")
    ind = INDICATORS[indicator]
    name = rows["partnership"][0]
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
    x = alt.X("value:Q", title=_measure(indicator), scale=alt.Scale(zero=True), axis=VALUE_AXIS)
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
    described = "; ".join(
        f"{a} {number(v, indicator)}" if v is not None else f"{a} not published"
        for a, v in rows.select("area_name", "value").iter_rows()
    )
    description = (
        f"Dot chart of {ind.title.lower()} for {name} in {year_label(year)}, each authority and "
        f"the partnership pooled, with 95% intervals and England: {described}."
    )
    return _finish(chart, title, subtitle, description, _note(indicator, None))


# --- 9. Local, provisional year -------------------------------------------------------------


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
                _segment(column).alias("segment"),  # a missing year breaks the line
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
    y = alt.Y("value:Q", title=_measure(indicator), scale=alt.Scale(zero=True), axis=VALUE_AXIS)
    colour, dash, _ = _series_channels(
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
    title = _about(ind, said, f"{when} provisional")
    subtitle = [
        f"{ind.title}; DfE's published years and {said}'s own census return for {when}",
        "The provisional figure (hollow, with its 95% interval) is not yet validated by DfE",
    ]
    description = (
        f"Line chart of {ind.title.lower()} for {said}, its comparator average and England "
        f"to {year_label(int(rows['year'].max()))}, with a provisional {when} figure of "
        f"{number(local['value'], indicator)} from the authority's own census return."
    )
    return _finish(chart, title, subtitle, description, _note(indicator, source, "; local return"))
