"""The comparator chart: every group member's value as a bar from zero, the authority
highlighted, with rules for the comparator average and England.

Example:
    >>> chart = comparator_chart("Derby", "rereferral_pct", year=2017, group="sn2021")
    >>> chart.to_dict()["title"]["text"]
    'Derby fourth lowest for re-referrals within 12 months'
"""

from __future__ import annotations

import math

import altair as alt
import polars as pl

from cscbench.analyses import benchmark, panel
from cscbench.analyses.wording import names_list, number, rank_words, with_unit, year_label
from cscbench.datasets import group as group_of
from cscbench.datasets.areas import spoken_name
from cscbench.datasets.registry import INDICATORS
from cscbench.datasets.store import Source
from cscbench.figures.axes import VALUE_AXIS_SPEC, WIDTH, measure_title
from cscbench.figures.labels import Axis, Label, nice_domain, place_labels, text_height, text_width
from cscbench.figures.layers import vega_string
from cscbench.figures.notes import chart_note, finished_spec, placed_title
from cscbench.figures.theme import COMPARATORS, ENGLAND, FOCUS, OTHERS
from cscbench.figures.vl import ChartSpec, field, layer, named, scale_of

PLOT_WIDTH = WIDTH - 140
ROW = 22  # pixels a bar's row
VALUE_FONT, VALUE_DX = 10, 4


def value_labels(
    values: list[float], texts: list[str], rules: list[float]
) -> tuple[Axis, list[float]]:
    """The value axis (from zero, rounded out as Vega would, and wide enough for the longest
    bar's words) and where each bar's words start (in the measure's units): by
    :func:`~cscbench.figures.labels.place_labels`, moved along the bar's row, as near
    :data:`VALUE_DX` pixels past its bar's end as they can be without meeting a bar, a rule
    (the comparator average, England) or another's words. Bars in the order given, top first.

    Example: bars of 40 and 20 with England's rule at 21: the second bar's words would start
    on the rule (at 196 px), so they start just past it (199: 1 px of rule and 2 clear).
        >>> axis, at = value_labels([40.0, 20.0], ["40.0", "20.0"], [21.0])
        >>> axis.domain, [round(axis.px(a), 1) for a in at]
        ((0.0, 45.0), [377.3, 199.0])
    """
    wide = [text_width(t, VALUE_FONT) for t in texts]
    room = PLOT_WIDTH - VALUE_DX - 2 * 2.0 - max(wide, default=0.0)  # the widest label fits
    top = max([*values, *rules, 0.0])
    low = min([*values, *rules, 0.0])
    high = max(top * PLOT_WIDTH / room, top) if top > 0 else 1.0
    x = Axis(nice_domain(low, high), PLOT_WIDTH)
    tall = text_height(VALUE_FONT)
    obstacles = [(0.0, ROW * len(values), x.px(r) - 1.0, x.px(r) + 1.0) for r in rules]
    for i, v in enumerate(values):  # bars fill 90% of their row (Vega-Lite's band padding)
        obstacles.append((ROW * (i + 0.05), ROW * (i + 0.95), min(x.px(0), x.px(v)), x.px(v)))
    labels = [
        Label(
            x.px(v) + VALUE_DX + w / 2,
            w,
            ((ROW * (i + 0.5) - tall / 2, ROW * (i + 0.5) + tall / 2),),
        )
        for i, (v, w) in enumerate(zip(values, wide, strict=True))
    ]
    placed = place_labels(labels, obstacles, PLOT_WIDTH, width=ROW * len(values))
    return x, [x.value(c - w / 2) for (_, c), w in zip(placed, wide, strict=True)]


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
    """Every group member's value as a bar (from zero), the authority highlighted and labelled:
    :func:`comparator_spec` as an Altair chart.

    Example:
        >>> spec = comparator_chart("Derby", "cla_rate", year=2025).to_dict()
        >>> bars = spec["datasets"][spec["layer"][0]["data"]["name"]]
        >>> spec["layer"][0]["mark"]["type"], len(bars)
        ('bar', 11)
    """
    found = comparator_spec(la, indicator, year, group, include_self, source, row, values)
    return alt.LayerChart.from_dict(found, validate=False)


#: The columns of the panel :func:`bars_of` reads.
BAR_COLUMNS = ("indicator", "year", "la_code", "area_name", "value")


def bars_of(
    values: pl.DataFrame, indicator: str, year: int, focus: str, doubtful: list[str]
) -> list[dict]:
    """The bars of a comparator chart: each authority of ``values`` with a figure on
    ``indicator`` in ``year``, highest first (authorities with the same figure in the order
    of ``values``), labelled: the focus marked ►, a doubtful 0 said.

    Example:
        >>> values = pl.DataFrame({"indicator": "x", "year": 2025, "la_code": ["1", "2", "3"],
        ...     "area_name": ["A", "B", "C"], "value": [1.0, None, 3.0]})
        >>> [(b["label"], b["is_focus"]) for b in bars_of(values, "x", 2025, "1", ["C"])]
        [('C (doubtful 0)', False), ('► A', True)]
    """
    found = [
        {"la_code": r["la_code"], "area_name": r["area_name"], "value": r["value"]}
        for r in values.iter_rows(named=True)
        if r["indicator"] == indicator and r["year"] == year and r["value"] is not None
    ]
    for bar in found:
        name = bar["area_name"]
        bar["is_focus"] = bar["la_code"] == focus
        if name is None:  # no name to mark (as polars' format left it)
            bar["label"] = None
        elif bar["is_focus"]:
            bar["label"] = f"► {name}"
        elif name in doubtful:
            bar["label"] = f"{name} (doubtful 0)"
        else:
            bar["label"] = name
    # highest first, a NaN before every number (as polars sorts it)
    return sorted(found, key=lambda bar: (not math.isnan(bar["value"]), -bar["value"]))


def comparator_spec(
    la: str,
    indicator: str,
    year: int | str | None = None,
    group: str = "sn2025",
    include_self: bool = False,
    source: Source = None,
    row: dict | None = None,
    values: pl.DataFrame | None = None,
) -> ChartSpec:
    """The Vega-Lite spec of :func:`comparator_chart`, built as a dict (a pack draws dozens).

    ``row`` (the authority's benchmark row) and ``values`` (the panel rows of the group, or
    of the group in the year on the indicator, as a pack splits them once for all its
    charts) save recomputing them when many charts are drawn. The dozen bars are worked in
    plain Python: quicker than four queries on a frame of a dozen rows.

    Example:
        >>> spec = comparator_spec("Derby", "cla_rate", year=2025)
        >>> [one["mark"]["type"] for one in spec["layer"]]
        ['bar', 'rule', 'text']
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
    focus_name = row["area_name"]
    doubtful = list(row.get("group_doubtful") or [])  # a member's 0 England's rate doubts
    members = bars_of(values, indicator, year, chosen.focus, doubtful)
    order = [m["label"] for m in members]
    bold = f"datum.value == {vega_string(f'► {focus_name}')} ? 'bold' : 'normal'"
    y = field("label:N", sort=order, title=None, axis={"labelFontWeight": {"expr": bold}})
    refs = [
        {"value": v, "name": n}
        for v, n in ((row["comparator_mean"], "Comparator average"), (row["england"], "England"))
        if v is not None
    ]
    digits = ",.1f" if INDICATORS[indicator].decimals else ",.0f"
    shown = [format(m["value"], digits) for m in members]  # as the labels print them
    x_axis, label_at = value_labels(
        [m["value"] for m in members], shown, [r["value"] for r in refs]
    )
    for member, at in zip(members, label_at, strict=True):
        member["label_at"] = float(at)
    x = field(
        "value:Q",
        title=measure_title(indicator),
        scale=scale_of(list(x_axis.domain), zero=True, nice=False),
        axis=VALUE_AXIS_SPEC,
    )
    datasets: dict[str, list[dict]] = {}
    bars = named(members, datasets)
    names = ["Comparator average", "England"]
    layers = [
        layer(
            bars,
            "bar",
            {
                "x": x,
                "y": y,
                "color": field(
                    "is_focus:N", scale=scale_of([True, False], [FOCUS, OTHERS]), legend=None
                ),
                "tooltip": [
                    field("area_name:N", title="Authority"),
                    field("value:Q", title=INDICATORS[indicator].title, format=",.1f"),
                ],
            },
        ),
        # Rules under the value labels, which are placed clear of them (value_labels: no halo
        # needed, which had hidden the rules where they passed a label); their colours and key
        # apart from the bars' (sharing the bars' colour scale gave the rules the bars'
        # colours and dropped their key).
        layer(
            named(refs, datasets),
            "rule",
            {
                "x": field("value:Q"),
                "color": field(
                    "name:N",
                    scale=scale_of(names, [COMPARATORS, ENGLAND]),
                    legend={"title": None, "orient": "bottom"},
                ),
                "strokeDash": field("name:N", scale=scale_of(names, [[6, 3], [1, 0]]), legend=None),
            },
            strokeWidth=2,
        ),
        layer(
            bars,
            "text",
            {"x": field("label_at:Q"), "y": y, "text": field("value:Q", format=digits)},
            align="left",
            fontSize=VALUE_FONT,
        ),
    ]
    body = {
        "layer": layers,
        "width": PLOT_WIDTH,
        "height": ROW * len(order),
        "resolve": {"scale": {"color": "independent"}},
        "datasets": datasets,
    }
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
    title = placed_title(ind, lead, said)
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
    return finished_spec(body, title, subtitle, description, chart_note(indicator, source))
