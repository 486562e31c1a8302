"""Axes, scales and series styles shared by the charts: the year axis, the value axis,
the measure's axis title, each series' colour, dash and shape, lines broken at gaps, and
direct labels kept apart.

Example:
    >>> year_axis(2023, 2025).to_dict()["values"], measure_title("cla_rate")
    ([2023, 2024, 2025], 'Rate per 10,000 children')
"""

from __future__ import annotations

import altair as alt
import polars as pl

from cscbench.datasets.registry import INDICATORS
from cscbench.figures.theme import AUTHORITY, COMPARATORS, ENGLAND, REGION

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
#: The axis of a chart's measure: about six labelled values and gridlines (Vega's default is
#: one every 40 pixels: thirteen on a bar chart's 560), so the data, not the grid, stands out.
VALUE_AXIS_SPEC = {"tickCount": 6}
VALUE_AXIS = alt.Axis(**VALUE_AXIS_SPEC)


def year_axis(first: int, last: int, **options: object) -> alt.Axis:
    """An axis of reporting years labelled '2023-24', with a tick at each year from ``first``
    to ``last`` and none between (left to itself, Vega put a tick at 2024.5 on a two-year
    series, labelled '2023.5-24.5').

    Example:
        >>> year_axis(2024, 2025).to_dict()["values"]
        [2024, 2025]
    """
    return alt.Axis(**year_axis_spec(first, last, **options))


def year_axis_spec(first: int, last: int, **options: object) -> dict:
    """:func:`year_axis` as a Vega-Lite axis (a dict).

    Example:
        >>> year_axis_spec(2024, 2025, labelAngle=0)["values"]
        [2024, 2025]
    """
    years = list(range(first, last + 1))
    return {"values": years, "format": "d", "labelExpr": YEAR_LABEL, **options}


def measure_title(indicator: str) -> str:
    """The title of an indicator's value axis, by its unit.

    Example:
        >>> measure_title("rereferral_pct"), measure_title("cla_rate"), measure_title("cin_count")
        ('Percentage', 'Rate per 10,000 children', 'Number')
    """
    ind = INDICATORS[indicator]
    return {"percent": "Percentage", "rate_per_10k": "Rate per 10,000 children"}.get(
        ind.unit, "Number"
    )


def segment(column: str) -> pl.Expr:
    """A new segment after every missing year, so lines break rather than join across gaps.

    Example:
        >>> frame = pl.DataFrame({"year": [2020, 2021, 2023, 2024], "v": [1.0, None, 2.0, 3.0]})
        >>> frame.select(segment("v"))["v"].to_list()
        [0, 1, 2, 2]
    """
    missing = pl.col(column).is_null() | (pl.col("year").diff().fill_null(1) > 1)
    return missing.cast(pl.Int32).cum_sum()


def series_channels(
    names: dict[str, str], keyed: bool = True
) -> tuple[alt.Color, alt.StrokeDash, alt.Shape]:
    """Colour, dash and point shape of each series named in ``names`` (column: name in the
    chart), as :data:`SERIES_STYLES` draws it, so every chart of an authority's series over
    time draws each series alike; with a key below the chart unless ``keyed`` is False (for
    lines labelled at their ends).

    Example:
        >>> colour, dash, shape = series_channels({"value": "Derby", "england": "England"})
        >>> colour.to_dict()["scale"]["range"], shape.to_dict()["scale"]["range"]
        (['#F46A25', '#801650'], ['circle', 'diamond'])
    """
    colour, dash, shape = series_specs(names, keyed)
    return alt.Color(**colour), alt.StrokeDash(**dash), alt.Shape(**shape)


def series_specs(names: dict[str, str], keyed: bool = True) -> tuple[dict, dict, dict]:
    """:func:`series_channels` as Vega-Lite encoding channels (dicts).

    Example:
        >>> colour, dash, shape = series_specs({"value": "Derby"}, keyed=False)
        >>> colour["scale"], colour["legend"]
        ({'domain': ['Derby'], 'range': ['#F46A25']}, None)
    """
    domain = list(names.values())
    colours, dashes, shapes = zip(*(SERIES_STYLES[column] for column in names), strict=True)
    key = {"title": None, "orient": "bottom"} if keyed else None

    def channel(styles: tuple) -> dict:
        scale = {"domain": domain, "range": list(styles)}
        return {"field": "series", "type": "nominal", "scale": scale, "legend": key}

    return channel(colours), channel(dashes), channel(shapes)


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
