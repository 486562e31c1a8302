"""The overview: a spine chart (OHID Fingertips) of one row per indicator, the spread of all
authorities around England, the authority coloured and shaped by its comparison with England,
and the comparator average.

Example:
    >>> spine_indicators("front door and assessment")
    ['referral_rate', 'rereferral_pct', 'nfa_pct']
"""

from __future__ import annotations

from collections import Counter

import altair as alt
import polars as pl

from cscbench.analyses import benchmark
from cscbench.analyses.views import spread as spread_of
from cscbench.analyses.wording import and_list, with_sign, year_label
from cscbench.datasets.areas import spoken_name
from cscbench.datasets.registry import INDICATORS, SOURCES, charted, comparable
from cscbench.datasets.store import Source
from cscbench.figures.notes import chart_note, finished_spec
from cscbench.figures.theme import COMPARATORS, ENGLAND
from cscbench.figures.vl import ChartSpec, field, layer, named, scale_of


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


def overview_rows(table: pl.DataFrame, spread: pl.DataFrame) -> pl.DataFrame:
    """An overview's rows: each measure of an authority's benchmark ``table`` (one year) that
    England has, with the :func:`~cscbench.analyses.views.spread` of all authorities, every
    figure scaled around England (-1 to 1, better to the right), the comparison with England
    in words, the figures as printed, and ``few``: on few children or events (marked *).
    A pack works them out once for all its overviews.

    Example:
        >>> from cscbench.analyses.views import spread
        >>> t = benchmark("Derby", year=2025, indicators=["cla_rate"])
        >>> rows = overview_rows(t, spread(["cla_rate"], 2025))
        >>> -1 <= rows["s_value"].item() <= 1, rows["value_text"].item()
        (True, '87.7')
    """
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
        # both columns alike: a % or £ with its number, other units named by the row's title
        pl.struct("value", "indicator")
        .map_elements(lambda r: with_sign(r["value"], r["indicator"]), pl.String)
        .alias("value_text"),
        pl.struct("england", "indicator")
        .map_elements(lambda r: with_sign(r["england"], r["indicator"]), pl.String)
        .alias("england_text"),
    )
    # a comparison on a handful of children is marked, and the mark explained (a 0 of 32
    # re-referrals in the Isles of Scilly is below England, on few children)
    few = pl.col("flags").list.eval(pl.element().is_in(["small_numbers", "imprecise"])).list.any()
    return rows.with_columns(
        pl.when(few).then(pl.col("value_text") + " *").otherwise(pl.col("value_text")),
        few.alias("few"),
    )


#: An overview's comparisons with England, the colour and the shape of each in its key.
COMPARISONS = {
    "better than England": ("#00703c", "triangle-right"),
    "similar to England": ("#ffbf47", "circle"),
    "worse than England": ("#d4351c", "triangle-left"),
    "higher than England": ("#5694ca", "triangle-up"),
    "lower than England": ("#003078", "triangle-down"),
    "no interval": ("#6f777b", "square"),
    "no figure": ("#b1b4b6", "cross"),
}
#: What an overview's layers draw or show, and whose (of the table's 100 columns).
DRAWN = (
    "indicator",
    "area_name",
    "title",
    "value",
    "england",
    "comparator_mean",
    "comparison",
    "value_text",
    "england_text",
    *(f"s_{c}" for c in ("lo", "hi", "qlo", "qhi", "value", "comparator_mean")),
)


def overview_chart(
    la: str,
    year: int | str | None = None,
    group: str = "sn2025",
    include_self: bool = False,
    source: Source = None,
    table: pl.DataFrame | None = None,
    theme: str | None = None,
    spread: pl.DataFrame | None = None,
    rows: pl.DataFrame | None = None,
) -> alt.HConcatChart:
    """A spine chart: the headline measures of every theme (or, with ``theme``, the theme's
    rates, percentages and averages), scaled around England (OHID Fingertips style):
    :func:`overview_spec` as an Altair chart.

    Example:
        >>> spec = overview_chart("Derby", year=2025).to_dict()
        >>> len(spec["hconcat"])
        2
    """
    found = overview_spec(la, year, group, include_self, source, table, theme, spread, rows)
    return alt.HConcatChart.from_dict(found, validate=False)


def overview_spec(
    la: str,
    year: int | str | None = None,
    group: str = "sn2025",
    include_self: bool = False,
    source: Source = None,
    table: pl.DataFrame | None = None,
    theme: str | None = None,
    spread: pl.DataFrame | None = None,
    rows: pl.DataFrame | None = None,
) -> ChartSpec:
    """The Vega-Lite spec of :func:`overview_chart`, built as a dict (a pack draws eight).

    Each row's bar spans all authorities (light: lowest to highest; dark: middle half); the
    centre line is England. The authority's marker is coloured and shaped by its comparison
    with England (similar, higher or lower; better or worse where polarity says); the diamond
    is the comparator average. Where low is good, the scale is reversed so that better is right.
    ``table`` (the authority's benchmark table for the year, as a pack has it) and ``spread``
    (:func:`~cscbench.analyses.views.spread` of the year, for these measures or more), or
    ``rows`` (:func:`overview_rows`, for these measures or more), save computing them again.

    Example:
        >>> spec = overview_spec("Derby", year=2025)
        >>> [len(part["layer"]) for part in spec["hconcat"]]
        [5, 3]
    """
    measures = spine_indicators(theme)
    if rows is None:
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
        rows = overview_rows(table, spread_of(measures, year, source) if spread is None else spread)
    else:
        year = int(rows["year"][0])
    wanted = set(measures)
    shown = [r for r in rows.select(*DRAWN, "few").to_dicts() if r["indicator"] in wanted]
    few_titles = [r["title"] for r in shown if r["few"]]
    records = [{k: r[k] for k in DRAWN} for r in shown]
    held = {r["indicator"] for r in records}
    order = [INDICATORS[k].title for k in measures if k in held]
    height = 26 * len(order)
    datasets: dict[str, list[dict]] = {}
    data = named(records, datasets)
    y = field("title:N", sort=order, title=None, axis={"labelFontSize": 11})
    x = field(
        "s_lo:Q",
        scale={"domain": [-1.05, 1.05]},
        title="Worse or lower ← England → better or higher",
        axis={"labels": False, "ticks": False, "grid": False},
    )
    key = {"title": None, "orient": "bottom", "columns": 3}
    names = list(COMPARISONS)
    spine = [
        layer(data, "bar", {"x": x, "x2": {"field": "s_hi"}, "y": y}, color="#dfe3e8", height=14),
        layer(
            data,
            "bar",
            {"x": field("s_qlo:Q"), "x2": {"field": "s_qhi"}, "y": y},
            color="#9fa8b3",
            height=14,
        ),
        layer(
            named([{"x": 0.0}], datasets),
            "rule",
            {"x": field("x:Q")},
            color=ENGLAND,
            strokeWidth=2,
        ),
        layer(
            data,
            "point",
            {
                "x": field("s_comparator_mean:Q"),
                "y": y,
                "tooltip": [
                    field("title:N"),
                    field("comparator_mean:Q", title="Comparator average", format=",.1f"),
                ],
            },
            shape="diamond",
            filled=True,
            size=70,
            color=COMPARATORS,
        ),
        layer(
            data,
            "point",
            {
                "x": field("s_value:Q"),
                "y": y,
                "color": field(
                    "comparison:N",
                    scale=scale_of(names, [c for c, _ in COMPARISONS.values()]),
                    legend=key,
                ),
                "shape": field(
                    "comparison:N",
                    scale=scale_of(names, [s for _, s in COMPARISONS.values()]),
                    legend=key,
                ),
                "tooltip": [
                    field("title:N", title="Indicator"),
                    field("value_text:N", title="Value"),
                    field("england_text:N", title="England"),
                    field("comparison:N"),
                ],
            },
            filled=True,
            size=150,
            stroke="white",
            strokeWidth=1,
        ),
    ]
    bare = {**y, "axis": None}
    who = records[0]["area_name"] if records else la
    numbers = [
        layer(
            data,
            "text",
            {"y": bare, "text": field("value_text:N"), "x": {"value": 55}},
            align="right",
            fontSize=11,
        ),
        layer(
            data,
            "text",
            {"y": bare, "text": field("england_text:N"), "x": {"value": 115}},
            align="right",
            fontSize=11,
            color=ENGLAND,
        ),
        layer(
            named([{"x": 55, "t": who}, {"x": 115, "t": "England"}], datasets),
            "text",
            {"x": field("x:Q", scale=None), "y": {"value": 0}, "text": field("t:N")},
            align="right",
            fontWeight="bold",
            fontSize=11,
            dy=-14,
        ),
    ]
    body = {
        "hconcat": [
            {"layer": spine, "width": 360, "height": height},
            {"layer": numbers, "width": 120, "height": height},
        ],
        "spacing": 8,
        "datasets": datasets,
    }
    name = spoken_name(who)
    counts = Counter(r["comparison"] for r in records)
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))  # ties by name
    phrases = {  # the key's labels, as phrases
        "no figure": "with no figure to compare",
        "no interval": "with no interval to test against England",
    }
    summary = "; ".join(f"{n} {phrases.get(c, c)}" for c, n in ordered)
    title = (
        f"How {name} compares with England, {year_label(year)}"
        if theme is None
        else f"{theme[0].upper()}{theme[1:]}: {name} against England"
    )
    subtitle = [
        ("Headline measures of each theme, " if theme is None else "") + f"{year_label(year)}",
        f"Bars: all authorities (dark: middle half); line: England; marker: {name}; "
        "diamond: comparator average",
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
    drawn_from = sorted({SOURCES[INDICATORS[r["indicator"]].source].publication for r in records})
    note = chart_note(
        None, source, publications=drawn_from or ["Children in need"], population=True
    )
    return finished_spec(body, title, subtitle, description, note)
