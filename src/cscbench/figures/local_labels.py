"""Where a local XmR chart's words go (:func:`place_local_labels`): the reference lines'
(target, England, comparators), each change point's and the notes' numbers, by
:func:`cscbench.figures.labels.place_labels`, clear of the points, the line through them and
every rule.

Example: one reference line at 75 on an axis of 60 to 90, points well below it: its words go
at the plot's right end, just above it (75 is at 130 px of 260: 130 - 0.75 - 2 - 6.6).
    >>> values = [{"start": f"2024-0{m}-01T00:00:00", "value": 65.0} for m in range(1, 4)]
    >>> lines = [{"label": "Target: at least 75%", "value": 75.0}]
    >>> [(span, round(px, 2)) for span, px in place_local_labels(values, [], lines, [], [],
    ...                                                            (60.0, 90.0))]
    [(0, 120.65)]
    >>> round(lines[0]["label_y"], 3)  # set in the measure's units: 90 - 120.65 / 260 * 30
    76.079
"""

from __future__ import annotations

from datetime import date

from cscbench.figures.labels import (
    Axis,
    Label,
    place_labels,
    point_box,
    polyline_boxes,
    rule_box,
    text_height,
    text_width,
)

WIDTH = 560
HEIGHT = 260
REFERENCE_FONT, CHANGE_FONT, NOTE_FONT = 11, 11, 10
CHANGE_DX = 4  # a change point's words start this far right of its line
POINT_SIZE = 70


def _day(text: str) -> int:
    """A layer's ISO date as a day number."""
    return date.fromisoformat(text[:10]).toordinal()


def extent(values: list[dict], segments: list[dict], lines: list[dict]) -> tuple[float, float]:
    """The lowest and highest figure the chart draws on its value axis."""
    drawn = [v["value"] for v in values] + [line["value"] for line in lines]
    drawn += [s[k] for s in segments for k in ("mean", "lower", "upper") if s[k] is not None]
    return min(drawn), max(drawn)


def place_local_labels(
    values: list[dict],
    segments: list[dict],
    lines: list[dict],
    changes: list[dict],
    notes: list[dict],
    domain: tuple[float, float],
) -> list[tuple[int, float]]:
    """Each label's place by :func:`~cscbench.figures.labels.place_labels`, set as its
    ``label_y`` (in the measure's units): the reference lines' words at the plot's right end
    (else its left), then each change point's words right of its line (near the top), then
    the notes' numbers by their points (above, else below). Obstacles: the points, the line
    through them, every rule. Returns the reference labels' (span, pixel): span 0 is right."""
    days = [_day(v["start"]) for v in values] + [_day(c["start"]) for c in changes]
    days += [_day(s[k]) for s in segments for k in ("start", "end")]
    x = Axis((min(days), max(days) if max(days) > min(days) else min(days) + 1), WIDTH)
    y = Axis(domain, HEIGHT, reverse=True)
    xs = [x.px(_day(v["start"])) for v in values]
    ys = [y.px(v["value"]) for v in values]
    obstacles = [point_box(a, b, POINT_SIZE) for a, b in zip(xs, ys, strict=True)]
    obstacles += polyline_boxes(xs, ys, width=2)
    for s in segments:
        for k in ("mean", "lower", "upper"):
            if s[k] is not None:
                ends = sorted((x.px(_day(s["start"])), x.px(_day(s["end"]))))
                obstacles.append(rule_box(*ends, y.px(s[k]), 1.5))
    obstacles += [rule_box(0, WIDTH, y.px(line["value"]), 1.5) for line in lines]
    obstacles += [(x.px(_day(c["start"])) - 1, x.px(_day(c["start"])) + 1, 0, HEIGHT)
                  for c in changes]  # fmt: skip
    labels = []
    for line in lines:
        wide = text_width(line["label"], REFERENCE_FONT)
        spans = ((WIDTH - wide, WIDTH), (0, wide))
        labels.append(Label(y.px(line["value"]), text_height(REFERENCE_FONT), spans))
    for c in changes:
        left = x.px(_day(c["start"])) + CHANGE_DX
        spans = ((left, left + text_width(c["change"], CHANGE_FONT)),)
        labels.append(Label(0, text_height(CHANGE_FONT), spans))
    for r in notes:
        at, wide = x.px(_day(r["start"].isoformat())), text_width(r["note_mark"], NOTE_FONT)
        labels.append(Label(y.px(r["value"]) - 12, text_height(NOTE_FONT),
                            ((at - wide / 2, at + wide / 2),)))  # fmt: skip
    placed = place_labels(labels, obstacles, HEIGHT, width=WIDTH)
    for item, (_, centre) in zip([*lines, *changes, *notes], placed, strict=True):
        item["label_y"] = y.value(centre)
    return placed[: len(lines)]
