"""Where a chart's text labels go: one rule, in pixels, so that no label sits on a line, a
point or another label, and none leaves the plot.

The rule (:func:`place_labels`). Each label has an *anchor* (the pixel on its moving axis it
belongs at: its line's y, its point's y, the end of its bar), a size along that axis, and one
or more candidate *spans* across it (where it can stand: the plot's right end, its left end).
Everything drawn is an obstacle box (lines as thin boxes over their length, points as squares
of their symbol's size, a polyline as the band it covers within a span). Labels are placed in
the order given (the caller's priority); each takes, over its spans, the position nearest its
anchor where its box, grown by ``pad`` pixels, meets no obstacle and no label placed before it
and stays inside the plot; above its line (the smaller pixel) when above and below are equally
near, the earlier span when two spans are. A label's own line is an obstacle like any other,
so the nearest free position is just above it unless something is there: then just below, or
nudged further. A label with nowhere free keeps its anchor, clamped inside the plot, on its
last span that fits the plot (:func:`crowded` finds such labels; the tests assert there are
none in any chart drawn from the shipped data).

Text boxes are estimated, not measured: :func:`text_width` counts 0.6 of the font size per
character and a box is 1.2 font sizes tall. Against vl-convert's drawing (ink measured in its
PNG) that over-estimates the charts' words: "Comparators 2024-25: 20.1%" at 11 px is drawn
144 px wide (172 estimated), bold "Bournemouth, Christchurch and Poole" 202 (231),
"reorganisation" at 10 px 63 (84), "21.8" 19 (24), and no glyph is over 11 px tall. Words
of wide capitals would be under-estimated (bold "WWW MMM": 61 drawn, 46 estimated); no
label is made of them.

Example: England's line at y = 100 px with a point right on the spot above it; the label
(11 px font, so 13.2 px tall) goes just below its line instead.
    >>> line = (0.0, 560.0, 99.25, 100.75)              # x0, x1, y0, y1 of a 1.5 px rule
    >>> point = point_box(500.0, 90.0, 70)             # a 70 px² symbol on the spot above
    >>> label = Label(100.0, text_height(11), ((430.0, 560.0),))
    >>> [(span, round(y, 2)) for span, y in place_labels([label], [line, point], 260.0)]
    [(0, 109.35)]
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

#: Width of a character, as a share of the font size (an over-estimate: see the module).
CHAR_WIDTH = 0.6
#: Height of a line of text, as a share of the font size.
LINE_HEIGHT = 1.2
PAD_PX = 2.0  # clear space around every label

Box = tuple[float, float, float, float]  # x0, x1, y0, y1 in pixels (y down, 0 at the top)


def text_width(text: str, font_size: float) -> float:
    """Estimated width in pixels of ``text`` at ``font_size`` (0.6 em a character).

    Example:
        >>> round(text_width("England", 11), 1)
        46.2
    """
    return CHAR_WIDTH * font_size * len(text)


def text_height(font_size: float) -> float:
    """Estimated height in pixels of a line of text at ``font_size``.

    Example:
        >>> text_height(10)
        12.0
    """
    return LINE_HEIGHT * font_size


@dataclass(frozen=True)
class Label:
    """A label to place: its ``anchor`` (pixel on the moving axis), its ``size`` along that
    axis, and its candidate ``spans`` (x0, x1) across it, the preferred first."""

    anchor: float
    size: float
    spans: tuple[tuple[float, float], ...]


def _nearest_free(anchor: float, half: float, blocked: list[tuple[float, float]], length: float):
    """The centre nearest ``anchor`` in [half, length - half] outside every open interval of
    ``blocked`` (the smaller on a tie), or None."""
    low, high = half, length - half
    if low > high:
        return None
    candidates = [min(max(anchor, low), high)]
    for a, b in blocked:
        candidates += [a, b]
    best = None
    for c in sorted(candidates, key=lambda c: (round(abs(c - anchor), 9), c)):
        if low - 1e-9 <= c <= high + 1e-9 and not any(a + 1e-9 < c < b - 1e-9 for a, b in blocked):
            best = c
            break
    return best


def place_labels(
    labels: Sequence[Label],
    obstacles: Sequence[Box],
    length: float,
    pad: float = PAD_PX,
    width: float | None = None,
) -> list[tuple[int, float]]:
    """Each label's (span index, centre pixel) by the module's rule, in the order given.

    ``length`` is the plot's extent on the moving axis (its height for labels moved up and
    down); obstacles are boxes (x0, x1, y0, y1), x across and y along that axis. Given the
    plot's ``width`` across, a span outside [0, width] is no candidate.

    Example: a label that would leave the plot (its only other span) stays off its line.
        >>> spans = ((500.0, 600.0), (0.0, 100.0))
        >>> place_labels([Label(50, 12, spans)], [(0, 560, 49, 51)], 260, width=560)
        [(1, 41.0)]

    Two lines 10 px apart, 11 px labels (13.2 px): the first label goes above its
    line (at 100); the second's spot above its line (110) is the first's line, and below it
    is free: it goes below.
        >>> lines = [(0, 560, 99.5, 100.5), (0, 560, 109.5, 110.5)]
        >>> spans = ((400.0, 560.0),)
        >>> labels = [Label(100, 13.2, spans), Label(110, 13.2, spans)]
        >>> [(s, round(y, 2)) for s, y in place_labels(labels, lines, 260)]
        [(0, 90.9), (0, 119.1)]
    """
    placed: list[Box] = []
    out: list[tuple[int, float]] = []
    for label in labels:
        half = label.size / 2
        best: tuple[float, int, float] | None = None
        for index, (x0, x1) in enumerate(label.spans):
            if width is not None and (x0 < -1e-9 or x1 > width + 1e-9):
                continue
            blocked = [
                (y0 - pad - half, y1 + pad + half)
                for bx0, bx1, y0, y1 in (*obstacles, *placed)
                if bx1 + pad > x0 and bx0 - pad < x1
            ]
            centre = _nearest_free(label.anchor, half, blocked, length)
            if centre is not None and (best is None or abs(centre - label.anchor) < best[0] - 1e-9):
                best = (abs(centre - label.anchor), index, centre)
        if best is None:  # nowhere free: its anchor, inside the plot (see crowded)
            inside = [
                i
                for i, (x0, x1) in enumerate(label.spans)
                if width is None or (x0 >= -1e-9 and x1 <= width + 1e-9)
            ]
            index = inside[-1] if inside else len(label.spans) - 1
            centre = min(max(label.anchor, half), max(length - half, half))
        else:
            _, index, centre = best
        x0, x1 = label.spans[index]
        placed.append((x0, x1, centre - half, centre + half))
        out.append((index, centre))
    return out


def crowded(
    labels: Sequence[Label],
    obstacles: Sequence[Box],
    length: float,
    width: float | None = None,
) -> list[int]:
    """The labels :func:`place_labels` found no free position for (by index).

    Example:
        >>> wall = [(0, 100, 0, 50)]
        >>> crowded([Label(25, 12, ((0, 100),)), Label(25, 12, ((0, 100),))], wall, 50)
        [0, 1]
    """
    placed = place_labels(labels, obstacles, length, width=width)
    out = []
    boxes: list[Box] = []
    for i, (label, (span, centre)) in enumerate(zip(labels, placed, strict=True)):
        x0, x1 = label.spans[span]
        box = (x0, x1, centre - label.size / 2, centre + label.size / 2)
        if any(overlaps(box, other) for other in (*obstacles, *boxes)):
            out.append(i)
        boxes.append(box)
    return out


def overlaps(a: Box, b: Box) -> bool:
    """Whether two boxes share more than an edge.

    Example:
        >>> overlaps((0, 10, 0, 10), (5, 15, 5, 15)), overlaps((0, 10, 0, 10), (10, 20, 0, 10))
        (True, False)
    """
    return a[0] < b[1] and b[0] < a[1] and a[2] < b[3] and b[2] < a[3]


def point_box(x: float, y: float, size: float) -> Box:
    """The box of a Vega symbol of area ``size`` at (x, y), stroke included: a half-width of
    0.6 of its side (a triangle's or a cross's reach) and a pixel.

    Example:
        >>> point_box(10.0, 10.0, 100)
        (3.0, 17.0, 3.0, 17.0)
    """
    half = 0.6 * math.sqrt(size) + 1
    return (x - half, x + half, y - half, y + half)


def rule_box(x0: float, x1: float, y: float, width: float = 2.0) -> Box:
    """A horizontal rule of stroke ``width`` at y from x0 to x1.

    Example:
        >>> rule_box(0, 560, 100, 1.5)
        (0, 560, 99.25, 100.75)
    """
    return (x0, x1, y - width / 2, y + width / 2)


def polyline_boxes(xs: Sequence[float], ys: Sequence[float], width: float = 2.5) -> list[Box]:
    """A line through points, as one box per segment (the band each segment covers); breaks
    in the line are the caller's (one call a piece).

    Example:
        >>> polyline_boxes([0, 10, 20], [5, 15, 15], width=2)
        [(0, 10, 4.0, 16.0), (10, 20, 14.0, 16.0)]
    """
    half = width / 2
    return [
        (min(xa, xb), max(xa, xb), min(ya, yb) - half, max(ya, yb) + half)
        for xa, xb, ya, yb in zip(xs, xs[1:], ys, ys[1:], strict=False)
    ]


def nice_domain(low: float, high: float, count: int = 10) -> tuple[float, float]:
    """A linear scale's domain rounded out as Vega's ``nice`` does (d3's ``nice(count)``), so
    a chart can fix its scale and place labels in pixels; a single value gets 1 either side.

    Example:
        >>> nice_domain(53.1, 108.9), nice_domain(0.0, 0.43), nice_domain(5.0, 5.0)
        ((50.0, 110.0), (0.0, 0.45), (4.0, 6.0))
    """
    if high < low:
        low, high = high, low
    if high == low:
        return low - 1.0, high + 1.0
    previous = None
    for _ in range(10):
        step = _tick_increment(low, high, count)
        if step == previous:
            break
        if step > 0:
            low, high = math.floor(low / step) * step, math.ceil(high / step) * step
        elif step < 0:
            low, high = math.ceil(low * step) / step, math.floor(high * step) / step
        else:
            break
        previous = step
    return low + 0.0, high + 0.0  # never -0.0


def _tick_increment(start: float, stop: float, count: int) -> float:
    """d3's tickIncrement: a power of ten times 1, 2 or 5; negative for steps under 1 (-10
    for 0.1)."""
    step = (stop - start) / max(0, count)
    power = math.floor(math.log10(step))
    error = step / 10**power
    factor = next((f for f, at in ((10, 50), (5, 10), (2, 2)) if error >= math.sqrt(at)), 1)
    return factor * 10**power if power >= 0 else -(10**-power) / factor


@dataclass(frozen=True)
class Axis:
    """A linear scale from data to pixels: ``domain`` over ``length`` pixels, reversed for y
    (the domain's top at pixel 0).

    Example:
        >>> y = Axis((50.0, 110.0), 300.0, reverse=True)
        >>> y.px(110.0), y.px(80.0), y.value(300.0)
        (0.0, 150.0, 50.0)
    """

    domain: tuple[float, float]
    length: float
    reverse: bool = False

    def px(self, value: float) -> float:
        low, high = self.domain
        share = (value - low) / (high - low)
        return self.length * (1 - share if self.reverse else share)

    def value(self, px: float) -> float:
        low, high = self.domain
        share = px / self.length
        return low + (high - low) * (1 - share if self.reverse else share)
