"""The "local measures" parts of a pack: the authority's own monthly and quarterly figures, theme
by theme, beside the national ones (``report --measures FILE``).

Each local theme of the file becomes a :class:`LocalPart`: its sentences, its summary table
(one row per measure: latest point, limits, variation and assurance in words and symbols,
DfE's figures where a measure matches a national indicator) and a chart plan for each measure
with a figure (an XmR chart as Making Data Count draws it), built only when drawn. A part joins
the national theme its local theme names (:func:`~cscbench.analyses.local_pack.home_theme`)
and is shown after that theme's national sections; a local theme no national theme matches is
a part of its own after the national themes.

Example:
    >>> from cscbench.analyses.local_spc import example_measures
    >>> from cscbench.analyses.local_pack import local_summary_for_pack
    >>> points, summary = local_summary_for_pack(example_measures(), "Derby", "sn2025", 2025)
    >>> part = local_parts(points, summary, "Derby")[0]
    >>> part.title, part.theme, [plan.stem for plan in part.charts]
    ('Missing and exploitation', None, ['local-ri_72h_pct'])
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import polars as pl

from cscbench.report.plans import ChartPlan

#: What a local measures part says first, on the page and in the Word document.
LOCAL_NOTE = (
    "The authority's own figures, from its local measures file; process limits as NHS "
    "England's Making Data Count draws them."
)
#: The summary's columns a pack's table of local measures shows, with their headings.
TABLE_COLUMNS = {
    "title": "Measure",
    "period": "Latest period",
    "value": "Latest value",
    "mean": "Mean",
    "lower": "Lower limit",
    "upper": "Upper limit",
    "variation_words": "Variation",
    "assurance_words": "Assurance",
}


@dataclass(frozen=True)
class LocalPart:
    """One local theme of a local measures file, as a pack shows it."""

    title: str  # the file's theme, as it names it
    theme: str | None  # the national theme it joins, or None: a part of its own
    summary: pl.DataFrame = field(repr=False)
    sentences: tuple[str, ...] = ()
    charts: tuple[ChartPlan, ...] = ()

    @property
    def section(self) -> str:
        """The chart plans' section id: ``local:`` and the local theme."""
        return f"local:{self.title}"

    def rows(self) -> list[dict]:
        """The table's rows: each measure's figures as the page and the Word document show
        them (numbers at the measure's unit, words for the icons)."""
        from cscbench.analyses.local_words import shown

        out = []
        for r in self.summary.iter_rows(named=True):
            cells = {}
            for column in TABLE_COLUMNS:
                value = r.get(column)
                if column in {"value", "mean", "lower", "upper"}:
                    value = "" if value is None else shown(value, r["unit"])
                cells[column] = "" if value is None else str(value)
            out.append(cells)
        return out


def _chart(rows: pl.DataFrame, measure: str, row: dict, name: str) -> Callable[[], dict]:
    from cscbench.figures.local_spc import local_spc_chart

    return lambda: local_spc_chart(rows, measure, row, name)


def local_parts(points: pl.DataFrame, summary: pl.DataFrame, name: str) -> list[LocalPart]:
    """A :class:`LocalPart` per local theme of ``summary`` (with its ``home`` column, as
    :func:`~cscbench.analyses.local_pack.local_summary_for_pack` gives it), in the file's
    order; ``name`` is the authority as the charts' source notes say it."""
    by_measure = points.partition_by("measure", as_dict=True)
    out = []
    for (title,), part in summary.group_by("theme", maintain_order=True):
        section = f"local:{title}"
        charts = tuple(
            ChartPlan(
                f"local-{r['measure']}",
                section,
                _chart(by_measure[(r["measure"],)], r["measure"], r, name),
            )
            for r in part.filter(pl.col("points") > 0).iter_rows(named=True)
        )
        sentences = tuple(s for ss in part["sentences"].to_list() for s in ss)
        out.append(LocalPart(title, part["home"][0], part, sentences, charts))
    return out
