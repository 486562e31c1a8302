"""The factors chart: factors identified at the end of assessment, as a percentage of
assessments, for the authority, its comparators and England.

Example:
    >>> factors_chart("Derby", year=2025).to_dict()["layer"][0]["mark"]["type"]
    'tick'
"""

from __future__ import annotations

import altair as alt
import polars as pl

from cscbench.analyses.engine import check_held
from cscbench.analyses.wording import year_ending, year_label
from cscbench.datasets import find_area, load_factors
from cscbench.datasets import group as group_of
from cscbench.datasets.areas import spoken_name
from cscbench.datasets.registry import factor_label
from cscbench.datasets.store import Source
from cscbench.figures.axes import VALUE_AXIS, WIDTH
from cscbench.figures.layers import chart_of, layered
from cscbench.figures.notes import chart_note, finish_chart
from cscbench.figures.theme import AUTHORITY, ENGLAND, OTHERS, fitted


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
    return finish_chart(
        chart, title, subtitle, description, chart_note(None, source, "; factors at assessment")
    )


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
