"""The overview: a spine chart (OHID Fingertips) of one row per indicator, the spread of all
authorities around England, the authority coloured and shaped by its comparison with England,
and the comparator average.

Example:
    >>> spine_indicators("front door and assessment")
    ['referral_rate', 'rereferral_pct', 'nfa_pct']
"""

from __future__ import annotations

import altair as alt
import polars as pl

from cscbench.analyses import benchmark
from cscbench.analyses.views import spread as spread_of
from cscbench.analyses.wording import and_list, with_sign, year_label
from cscbench.datasets.areas import spoken_name
from cscbench.datasets.registry import INDICATORS, SOURCES, charted, comparable
from cscbench.datasets.store import Source
from cscbench.figures.layers import chart_of, concatenated, layered
from cscbench.figures.notes import chart_note, finish_chart
from cscbench.figures.theme import COMPARATORS, ENGLAND


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
    rates, percentages and averages), scaled around England (OHID Fingertips style).

    Each row's bar spans all authorities (light: lowest to highest; dark: middle half); the
    centre line is England. The authority's marker is coloured and shaped by its comparison
    with England (similar, higher or lower; better or worse where polarity says); the diamond
    is the comparator average. Where low is good, the scale is reversed so that better is right.
    ``table`` (the authority's benchmark table for the year, as a pack has it) and ``spread``
    (:func:`~cscbench.analyses.views.spread` of the year, for these measures or more), or
    ``rows`` (:func:`overview_rows`, for these measures or more), save computing them again.

    Example:
        >>> spec = overview_chart("Derby", year=2025).to_dict()
        >>> len(spec["hconcat"])
        2
    """
    measures = spine_indicators(theme)
    if rows is not None:
        table = rows
    elif table is None:
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
    if rows is None and spread is None:
        spread = spread_of(measures, year, source)
    rows = overview_rows(table, spread) if rows is None else rows
    rows = rows.filter(pl.col("indicator").is_in(measures))
    few_titles = rows.filter(pl.col("few"))["title"].to_list()
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
    drawn = [  # what the layers draw or show, and whose (of the table's 100 columns)
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
    ]
    base = chart_of(rows.select(drawn))
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
    chart = concatenated(spine, numbers, spacing=8)
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
    drawn_from = sorted({SOURCES[INDICATORS[i].source].publication for i in rows["indicator"]})
    note = chart_note(
        None, source, publications=drawn_from or ["Children in need"], population=True
    )
    return finish_chart(chart, title, subtitle, description, note)
