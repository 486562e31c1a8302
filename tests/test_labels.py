"""Where charts' labels go: the placement rule on cases worked by hand, then every chart kind
that labels a line or a value, for every authority, read back from its spec.

Label boxes are estimated as the rule estimates them (:mod:`cscbench.figures.labels`, which
compares them with vl-convert's drawing): 0.6 of the font size a character wide (15 to 30%
wider than the charts' words are drawn), 1.2 font sizes tall, centred on the label's y
(every label is drawn with a middle baseline), and kept 1 px clear of everything.
"""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import date
from itertools import combinations

import polars as pl
import pytest

from cscbench.analyses import panel
from cscbench.analyses.engine import series
from cscbench.analyses.local_spc import example_measures
from cscbench.analyses.performance import targets
from cscbench.datasets import group as group_of
from cscbench.datasets import load_areas
from cscbench.datasets.targets import Target, TargetPlan
from cscbench.figures import comparator_chart, funnel_chart, target_chart, trend_chart
from cscbench.figures.labels import (
    Axis,
    Label,
    crowded,
    nice_domain,
    overlaps,
    place_labels,
    point_box,
    polyline_boxes,
    rule_box,
    text_height,
    text_width,
)
from cscbench.figures.local_spc import local_measures_parts
from cscbench.figures.provisional import provisional_chart

# -- the rule, worked by hand ---------------------------------------------------------------

SPANS = ((430.0, 560.0),)  # a label at the right end of a 560 px plot
TALL = text_height(11)  # 13.2 px: half 6.6


def test_a_label_goes_just_above_its_line_when_nothing_is_there():
    # a 1.5 px rule at 100 px: the box's bottom 2 px clear of the rule's top (99.25)
    [(span, y)] = place_labels([Label(100.0, TALL, SPANS)], [rule_box(0, 560, 100.0, 1.5)], 260)
    assert (span, y) == (0, pytest.approx(99.25 - 2 - 6.6))


def test_labels_of_lines_10_px_apart_go_above_the_first_and_below_the_second():
    """Lines at 100 and 110 px (1 px thick): above the first is free (100 - 0.5 - 2 - 6.6 =
    90.9); above the second is the first line and its label, so the second goes below it
    (110 + 0.5 + 2 + 6.6 = 119.1)."""
    lines = [rule_box(0, 560, 100.0, 1.0), rule_box(0, 560, 110.0, 1.0)]
    labels = [Label(100.0, TALL, SPANS), Label(110.0, TALL, SPANS)]
    placed = place_labels(labels, lines, 260)
    assert placed == [(0, pytest.approx(90.9)), (0, pytest.approx(119.1))]
    boxes = [(430, 560, y - 6.6, y + 6.6) for _, y in placed]
    assert not any(overlaps(b, o) for b in boxes for o in [*lines, boxes[0] if b is boxes[1]
                                                           else boxes[1]])  # fmt: skip


def test_a_point_exactly_on_the_labels_spot_sends_it_below_its_line():
    """The spot above a 1.5 px rule at 100 px is centred at 100 - 0.75 - 2 - 6.6 = 90.65; a
    70 px² point right there
    (centre 90.4, reach 0.6 * sqrt(70) + 1 = 6.02 px) blocks 84.4 to 96.4 (grown by the label's
    half height and 2 px: 75.8 to 105.0); below the rule is free from 100.75 + 2 + 6.6."""
    point = point_box(500.0, 90.4, 70)
    assert point[2] == pytest.approx(90.4 - (0.6 * math.sqrt(70) + 1))
    rule = rule_box(0, 560, 100.0, 1.5)
    [(span, y)] = place_labels([Label(100.0, TALL, SPANS)], [rule, point], 260)
    assert (span, y) == (0, pytest.approx(109.35))
    # with a second span at the left end, above the line there (90.65) is as near as below
    # it at the right (109.35): the earlier span wins the tie; a point below the line too
    # sends the label left
    both = ((430.0, 560.0), (0.0, 130.0))
    [(span, y)] = place_labels([Label(100.0, TALL, both)], [rule, point], 260)
    assert (span, y) == (0, pytest.approx(109.35))
    under = point_box(500.0, 109.6, 70)
    [(span, y)] = place_labels([Label(100.0, TALL, both)], [rule, point, under], 260)
    assert (span, y) == (1, pytest.approx(90.65))


def test_a_line_at_the_top_of_the_domain_is_labelled_below_it():
    """A target of 45 on an axis of 0 to 45: its rule is at 0 px, no room above; the label
    goes below it (0 + 0.75 + 2 + 6.6 = 9.35), inside the plot."""
    y = Axis(nice_domain(0.0, 45.0), 260.0, reverse=True)
    assert y.domain == (0.0, 45.0) and y.px(45.0) == 0.0
    [(_, centre)] = place_labels([Label(y.px(45.0), TALL, SPANS)], [rule_box(0, 560, 0, 1.5)], 260)
    assert centre == pytest.approx(9.35) and centre - TALL / 2 >= 0
    # and at the bottom, above it
    [(_, centre)] = place_labels([Label(260.0, TALL, SPANS)], [rule_box(0, 560, 260, 1.5)], 260)
    assert centre == pytest.approx(260 - 0.75 - 2 - 6.6)


def test_a_label_boxed_in_is_nudged_to_the_nearest_free_place():
    """Points just above and just below the line: the label moves past the nearer."""
    rule = rule_box(0, 560, 100.0, 1.0)
    above, below = point_box(500, 92.0, 70), point_box(500, 108.0, 70)
    [(_, y)] = place_labels([Label(100.0, TALL, SPANS)], [rule, above, below], 260)
    # above's box is 85.98 to 98.02; the label's bottom 2 px above its top
    assert y == pytest.approx(92.0 - 6.02 - 2 - 6.6, abs=0.01)
    assert crowded([Label(100.0, TALL, SPANS)], [rule, above, below], 260) == []
    assert crowded([Label(5.0, TALL, SPANS)], [(0, 560, 0, 260)], 260) == [0]


@pytest.mark.parametrize(
    ("low", "high"), [(53.1, 117.6), (0.0, 0.43), (2013, 2025), (2010, 2025), (17.6, 26.9)]
)
def test_nice_domains_are_the_ones_vega_draws(low, high):
    """Vega's own rounding of a scale's domain (``nice``), read from the axis it draws of two
    points at ``low`` and ``high`` (ten ticks: Vega's default count, which ends on the
    domain's ends), is :func:`nice_domain`'s: so fixing a chart's domain to it draws the same
    axis, with labels placed in known pixels."""
    import re

    import vl_convert as vlc

    spec = {
        "data": {"values": [{"v": low}, {"v": high}]},
        "mark": "point",
        "encoding": {"y": {"field": "v", "type": "quantitative", "scale": {"zero": False},
                           "axis": {"tickCount": 10, "format": ".10~g"}}},
    }  # fmt: skip
    svg = vlc.vegalite_to_svg(spec)
    ticks = [float(t) for t in re.findall(r">(-?[\d.]+)</text>", svg)]
    assert (min(ticks), max(ticks)) == pytest.approx(nice_domain(low, high))


def test_a_trend_charts_domain_is_fixed_to_vegas():
    """Derby's children looked after: Vega drew the axis from 50 to 120 (its own nice domain,
    before cscbench fixed it); the chart now fixes that domain."""
    assert nice_domain(2010, 2025) == (2010, 2026)  # 15 years: a step of 2
    spec = trend_chart("Derby", "cla_rate").to_dict()
    y = next(layer["encoding"]["y"] for layer in spec["layer"] if "scale" in
             layer["encoding"].get("y", {}))  # fmt: skip
    assert y["scale"]["domain"] == [50.0, 120.0] and y["scale"]["nice"] is False


# -- every chart, read back from its spec ---------------------------------------------------


def data_of(spec: dict, layer: dict) -> list[dict]:
    data = layer["data"]
    return data["values"] if "values" in data else spec["datasets"][data["name"]]


def _day(value: str) -> float:
    return float(date.fromisoformat(value[:10]).toordinal())


class Geometry:
    """A layered chart's scales read from its spec: x (linear, log, temporal or points of an
    ordinal scale) and y (linear with a fixed domain, or the bands of a nominal one)."""

    def __init__(self, spec: dict):
        self.spec, self.width, self.height = spec, spec["width"], spec["height"]
        layers = spec["layer"]
        xs = [layer["encoding"]["x"] for layer in layers if "field" in
              layer["encoding"].get("x", {})]  # fmt: skip
        ys = [layer["encoding"]["y"] for layer in layers if "field" in
              layer["encoding"].get("y", {})]  # fmt: skip
        self.x_kind = xs[0]["type"] if xs else None
        x_scale = next((x["scale"] for x in xs if "domain" in x.get("scale", {})), {})
        self.x_log = x_scale.get("type") == "log"
        if self.x_kind == "temporal":  # Vega-Lite's time scale: the data's extent, not nice
            days = [
                _day(row[layer["encoding"][c]["field"]])
                for layer in layers
                for c in ("x", "x2")
                if "field" in layer["encoding"].get(c, {})
                for row in data_of(spec, layer)
            ]
            self.x_domain = (min(days), max(days))
        elif self.x_kind == "ordinal":
            self.x_order = xs[0]["sort"]
        else:
            self.x_domain = tuple(x_scale["domain"])
        y_scale = next((y["scale"] for y in ys if "domain" in y.get("scale", {})), None)
        if y_scale:
            assert y_scale["nice"] is False  # fixed, so pixels are known
            self.y = Axis(tuple(y_scale["domain"]), self.height, reverse=True)
            self.y_order = None
        else:
            self.y_order = next(y["sort"] for y in ys if y["type"] == "nominal")

    def x_px(self, value) -> float:
        if self.x_kind == "temporal":
            value = _day(value)
        if self.x_kind == "ordinal":
            step = self.width / len(self.x_order)
            return step * (self.x_order.index(value) + 0.5)
        low, high = self.x_domain
        if self.x_log:
            return (math.log(value) - math.log(low)) / (math.log(high) - math.log(low)) * self.width
        return (value - low) / (high - low) * self.width

    def y_px(self, value) -> float:
        if self.y_order is not None:
            step = self.height / len(self.y_order)
            return step * (self.y_order.index(value) + 0.5)
        return self.y.px(value)

    def row_band(self, value) -> tuple[float, float]:
        step = self.height / len(self.y_order)
        i = self.y_order.index(value)
        return step * (i + 0.05), step * (i + 0.95)


def _field(layer: dict, channel: str) -> str | None:
    return layer["encoding"].get(channel, {}).get("field")


def _size(layer: dict, row: dict) -> float:
    size = layer["encoding"].get("size")
    if size:
        scale = size["scale"]
        return scale["range"][scale["domain"].index(row[size["field"]])]
    mark = layer["mark"]
    return mark.get("size", 30) if isinstance(mark, dict) else 30  # Vega-Lite's default: 30


def obstacles(spec: dict, g: Geometry) -> tuple[list, list]:
    """The chart's lines (reference rules, and the series' lines segment by segment) and data
    points, as pixel boxes (x0, x1, y0, y1); bars count as points (a bar's label may not sit
    on any bar)."""
    rules, points = [], []
    for layer in spec["layer"]:
        kind = layer["mark"]["type"]
        x, x2, y = _field(layer, "x"), _field(layer, "x2"), _field(layer, "y")
        rows = data_of(spec, layer)
        if kind == "rule" and y and not _field(layer, "y2"):  # a horizontal reference line
            width = layer["mark"].get("strokeWidth", 1)
            for row in rows:
                ends = (g.x_px(row[x]), g.x_px(row[x2])) if x and x2 else (0, g.width)
                rules.append(rule_box(*sorted(ends), g.y_px(row[y]), width))
        elif kind == "rule" and x and not y:  # a vertical one: a change point, a rule of bars
            rules += [(g.x_px(row[x]) - 1, g.x_px(row[x]) + 1, 0, g.height) for row in rows]
        elif kind == "rule" and x and y:  # an interval's whisker
            for row in rows:
                a, b = sorted((g.y_px(row[y]), g.y_px(row[_field(layer, "y2")])))
                rules.append((g.x_px(row[x]) - 1, g.x_px(row[x]) + 1, a, b))
        if kind == "line":  # each series' line, piece by piece
            keys = [_field(layer, c) for c in ("color", "detail") if _field(layer, c)]
            pieces: dict[tuple, list] = {}
            for row in rows:
                pieces.setdefault(tuple(row[k] for k in keys), []).append(row)
            width = layer["mark"].get("strokeWidth", 2)
            for piece in pieces.values():
                piece.sort(key=lambda r: g.x_px(r[x]))
                xs, ys = [g.x_px(r[x]) for r in piece], [g.y_px(r[y]) for r in piece]
                rules += polyline_boxes(xs, ys, width)
        if kind == "point" or (kind == "line" and layer["mark"].get("point")):
            points += [
                point_box(g.x_px(row[x]), g.y_px(row[y]), _size(layer, row))
                for row in rows
                if row.get(y) is not None
            ]
        if kind == "bar":
            for row in rows:
                top, bottom = g.row_band(row[y])
                points.append((g.x_px(0), g.x_px(row[x]), top, bottom))
    return rules, points


def label_boxes(spec: dict, g: Geometry) -> list[tuple[str, tuple, bool]]:
    """Each text label's (text, box, in the margin): its x from its field or pixel value, its
    dx and alignment, its y from its field (a middle baseline)."""
    out = []
    for layer in spec["layer"]:
        mark = layer["mark"]
        if mark["type"] != "text":
            continue
        assert mark.get("baseline", "middle") == "middle" and "dy" not in mark
        size, dx, align = mark.get("fontSize", 11), mark.get("dx", 0), mark.get("align", "center")
        enc = layer["encoding"]
        for row in data_of(spec, layer):
            text = enc["text"].get("value") or row[enc["text"]["field"]]
            if "format" in enc["text"]:
                text = format(text, enc["text"]["format"])
            at = g.x_px(row[enc["x"]["field"]]) if "field" in enc["x"] else enc["x"]["value"]
            at += dx
            wide = text_width(str(text), size)
            x0 = {"left": at, "right": at - wide, "center": at - wide / 2}[align]
            centre = g.y_px(row[enc["y"]["field"]])
            box = (x0, x0 + wide, centre - text_height(size) / 2, centre + text_height(size) / 2)
            # a trend's series names: right of the plot, or running into its right margin
            margin = enc["text"].get("field") == "series" and x0 + wide > g.width
            out.append((str(text), box, margin))
    return out


def check(spec: dict, where: str) -> int:
    """Asserts no label box meets a reference line, a data point or another label (1 px clear),
    and each stays inside the plot (a trend's end labels: inside its height); returns the
    labels checked."""
    g = Geometry(spec)
    rules, points = obstacles(spec, g)
    labels = label_boxes(spec, g)
    for text, box, margin in labels:
        grown = (box[0] - 1, box[1] + 1, box[2] - 1, box[3] + 1)
        hit = next((o for o in [*rules, *points] if overlaps(grown, o)), None)
        assert hit is None, f"{where}: {text!r} at {box} meets {hit}"
        assert box[2] >= -0.01 and box[3] <= g.height + 0.01, f"{where}: {text!r} leaves the plot"
        if not margin:
            assert box[0] >= -0.01 and box[1] <= g.width + 0.01, f"{where}: {text!r} leaves it"
    for (a, box_a, _), (b, box_b, _) in combinations(labels, 2):
        assert not overlaps(box_a, box_b), f"{where}: {a!r} meets {b!r}"
    return len(labels)


PLAN = TargetPlan(
    "t", (Target("cla_rate", "Children looked after", "rate_per_10k", 70.0, "at most", 7.0),)
)


def test_no_label_sits_on_a_line_a_point_or_another_label_in_any_chart_of_any_authority():
    """Trend (children looked after), comparators (2024-25), funnel (re-referrals, 2024-25),
    target (70 per 10,000 looked after) and provisional charts of every authority
    of 2024-25, and the local XmR charts of the example measures, alone and matched to DfE's
    re-referrals with a target (every authority's England and comparator lines)."""
    codes = load_areas().filter(pl.col("last_year") >= 2025)["la_code"].to_list()
    assert len(codes) == 153
    values = panel(["cla_rate", "rereferral_pct"])
    labelled = 0
    for code in codes:
        chosen = group_of(code, "sn2025")
        rows = series(code, ["cla_rate", "rereferral_pct"], chosen, False, None, False)
        labelled += check(trend_chart(code, "cla_rate", chosen, rows=rows).to_dict(), code)
        for year in (2025,):  # one year: both took 9 s more
            on = rows.filter(pl.col("year") == year)
            cla = on.filter(pl.col("indicator") == "cla_rate").row(0, named=True)
            spec = comparator_chart(code, "cla_rate", year, chosen, row=cla, values=values)
            labelled += check(spec.to_dict(), f"{code} comparators {year}")
            rereferral = on.filter(pl.col("indicator") == "rereferral_pct").row(0, named=True)
            if rereferral["value"] is not None:
                spec = funnel_chart(code, "rereferral_pct", year, chosen, values=values,
                                    row=rereferral)  # fmt: skip
                labelled += check(spec.to_dict(), f"{code} funnel {year}")
        table = targets(code, PLAN)
        if table["value"].drop_nulls().len():
            labelled += check(target_chart(table, "cla_rate", code).to_dict(), f"{code} target")
        local = {"year": 2026, "value": cla["value"] or 50.0}
        local |= {"ci95_low": local["value"] * 0.9, "ci95_high": local["value"] * 1.1}
        spec = provisional_chart(code, "cla_rate", local, rows=rows).to_dict()
        labelled += check(spec, f"{code} provisional")
    example = example_measures()
    matched = replace(
        example, measures=example.measures.with_columns(national=pl.lit("rereferral_pct"))
    )
    goal = TargetPlan("t", (Target("ri_72h_pct", "Return interviews", "percent", 75.0,
                                   "at least", 2.0),))  # fmt: skip
    for measures, la, plan in [(example, None, None), (example, "Derby", goal)] + [
        (matched, code, goal) for code in codes[::8]
    ]:
        for part in local_measures_parts(measures, la=la, targets=plan):
            for stem, spec in part.charts:
                labelled += check(dict(spec), f"{la} {stem}")
    assert labelled > 153 * 10


def test_the_local_chart_from_the_issue_keeps_its_labels_off_the_lines():
    """Issue 22: in the example measure's chart, 'change of provider' sat on the upper
    process limit (85.2 after the change) at the top; it is now clear of it, right of its
    line, and the target's and England's words clear of the points and limits."""
    example = example_measures()
    matched = replace(
        example, measures=example.measures.with_columns(national=pl.lit("rereferral_pct"))
    )
    plan = TargetPlan("t", (Target("ri_72h_pct", "Return interviews", "percent", 75.0,
                                   "at least", 2.0),))  # fmt: skip
    [part] = local_measures_parts(matched, la="Derby", targets=plan)
    spec = dict(part.charts[0][1])
    assert check(spec, "Derby") == 4  # target, England, comparators, the change
    g = Geometry(spec)
    words = {t: box for t, box, _ in label_boxes(spec, g)}
    change = words["change of provider"]
    upper = max(s["upper"] for layer in spec["layer"] if layer["mark"]["type"] == "rule"
                for s in data_of(spec, layer) if "upper" in s)  # fmt: skip
    assert upper == pytest.approx(85.2, abs=0.05)
    assert change[3] < g.y_px(upper) - 1  # above the upper limit, clear of it


@pytest.mark.parametrize("la", ["Derby", "Isles of Scilly"])
def test_the_kinds_without_placed_labels_put_no_words_on_their_plots(la):
    """The survey of issue 22: the SPC and factors charts draw no text marks; the overview's
    words (the authority's and England's figures, their headings) stand in a panel of their
    own beside the spine, which has none. A label added to any of them must be placed (and
    this test moved to the class test above)."""
    from cscbench.figures import factors_chart, overview_chart, spc_chart

    def marks(spec: dict) -> set[str]:  # of every layer, layers within layers too
        if "layer" in spec:
            return set().union(*(marks(layer) for layer in spec["layer"]))
        return {spec["mark"]["type"] if isinstance(spec["mark"], dict) else spec["mark"]}

    assert marks(spc_chart(la, "cin_rate").to_dict()) == {"rule", "line", "point"}
    assert marks(factors_chart(la, year=2025).to_dict()) == {"tick", "point"}
    spine, numbers = overview_chart(la, year=2025).to_dict()["hconcat"]
    assert marks(spine) == {"bar", "rule", "point"} and marks(numbers) == {"text"}
