"""Where a trend chart's words go: the series' names at the ends of their lines and the
reorganisations' word beside their lines, clear of every point, line and other word
(:func:`~cscbench.figures.labels.place_labels`), all worked in pixels from the chart's axes.

Example:
    >>> from cscbench.figures.labels import Axis
    >>> y = Axis((0.0, 100.0), 300.0, True)
    >>> [round(v) for v in end_labels([50.0, 10.0], y)]
    [50, 10]
"""

from __future__ import annotations

import polars as pl

from cscbench.figures.axes import LABEL_GAP_PX, WIDTH, dodge
from cscbench.figures.labels import (
    Axis,
    Label,
    place_labels,
    point_box,
    polyline_boxes,
    text_height,
    text_width,
)

POINT_SIZE = 45
REORGANISED, REORGANISED_DX = "reorganisation", 3
NAME_FONT, NAME_DX = 11, 8  # the series' names, right of their last points


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


def drawn_boxes(long: list[dict], x: Axis, y: Axis) -> list:
    """The series' points and lines (broken at gaps), as pixel boxes."""
    parts: dict[tuple, list[dict]] = {}
    for r in sorted(long, key=lambda r: r["year"]):
        parts.setdefault((r["series"], r["segment"]), []).append(r)
    obstacles = []
    for part in parts.values():
        xs = [x.px(r["year"]) for r in part]
        ys = [y.px(r["value"]) for r in part]
        obstacles += [point_box(a, b, POINT_SIZE) for a, b in zip(xs, ys, strict=True)]
        obstacles += polyline_boxes(xs, ys, width=2.5)
    return obstacles


def names_at(
    last: list[dict], obstacles: list, x: Axis, y: Axis
) -> tuple[list[float], list[int], list]:
    """Where each series' name goes (in the measure's units), which side of its last point
    (0: right, 1: left) and the boxes of those inside the plot. Names of the chart's last year
    go in the margin right of it, by :func:`end_labels`; a series that ends sooner has its
    name inside the plot, right of its last point or else left of it, placed by
    :func:`~cscbench.figures.labels.place_labels` clear of every point, line and name."""
    end = x.domain[1]
    at, sides = [0.0] * len(last), [0] * len(last)
    margin = [i for i, r in enumerate(last) if r["year"] >= end]
    tall = text_height(NAME_FONT)
    boxes = []
    for i, value in zip(margin, end_labels([last[i]["value"] for i in margin], y), strict=True):
        at[i], left = value, x.px(end) + NAME_DX
        wide = text_width(last[i]["series"], NAME_FONT)
        boxes.append((left, left + wide, y.px(value) - tall / 2, y.px(value) + tall / 2))
    inner = [i for i in range(len(last)) if i not in margin]
    labels = []
    for i in inner:
        point, wide = x.px(last[i]["year"]), text_width(last[i]["series"], NAME_FONT)
        spans = (
            (point + NAME_DX, point + NAME_DX + wide),
            (point - NAME_DX - wide, point - NAME_DX),
        )
        labels.append(Label(y.px(last[i]["value"]), tall, spans))
    placed = place_labels(labels, [*obstacles, *boxes], y.length, width=x.length + 200)
    named = []
    for i, label, (side, centre) in zip(inner, labels, placed, strict=True):
        at[i], sides[i] = y.value(centre), side
        named.append((*label.spans[side], centre - tall / 2, centre + tall / 2))
    return at, sides, named


def reorganisation_labels(
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
