"""The authority's own measures in a pack: which theme of the report each local theme joins,
and which of its measures give a key message.

A local measures file names its own themes ("Early help", "Child protection", "Missing and
exploitation"). In a pack a local theme joins the national theme it names (by
:func:`~cscbench.datasets.registry.theme_named`: the theme's name, case aside, or a unique
start of it), else the theme of the DfE indicators its measures match (``national``) when
they share one; otherwise it is a part of its own, after the national themes, in the file's
order. The rule is :func:`home_theme`; the page, the Word document, the workbook and the key
messages all place a local theme by it.

A local measure gives a key message (rule ``local_spc`` of
:mod:`cscbench.analyses.key_messages`) when its latest point is special cause (NHS England,
Making Data Count: a point outside the process limits, a run or a trend), as
:func:`~cscbench.analyses.local_words.local_summary` marks it, and falls in the pack's year
or later (a special-cause point of years before the report's is not a finding of it).

Example:
    >>> home_theme("Child protection"), home_theme("Front door and assessment")
    ('child protection', 'front door and assessment')
    >>> home_theme("Early help", ["rereferral_pct"]), home_theme("Missing and exploitation")
    ('front door and assessment', None)
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import polars as pl

from cscbench.datasets.registry import INDICATORS, theme_named
from cscbench.datasets.store import Source
from cscbench.datasets.targets import TargetPlan
from cscbench.errors import UsageError

#: Why a local measure's key message was chosen (the rule in words).
LOCAL_WHY = "the latest point of the authority's own series is special cause (Making Data Count)"


def home_theme(theme: str, nationals: Sequence[str | None] = ()) -> str | None:
    """The national theme a local theme joins in a pack, or None (a part of its own).

    ``nationals``: the DfE indicators the theme's measures match, where they match one.

    Example:
        >>> home_theme("children looked after"), home_theme("care"), home_theme("LADO")
        ('children looked after', 'care leavers', None)
    """
    try:
        return theme_named(theme)
    except UsageError:
        pass
    matched = {INDICATORS[n].theme for n in nationals if n is not None and n in INDICATORS}
    return matched.pop() if len(matched) == 1 else None


def local_summary_for_pack(
    measures: str | Path,
    la: str,
    group: object,
    year: int,
    targets: TargetPlan | str | Path | None = None,
    source: Source = None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The points and the summary (one row per measure, as
    :func:`~cscbench.analyses.local_words.local_summary` gives it) of a local measures file,
    with DfE's figures of the pack's ``year`` and comparator ``group`` beside the measures that
    match a national indicator, and ``home``: the national theme each measure's local theme
    joins (:func:`home_theme`). Targets of ``targets`` apply to the measures of the same id.

    Example:
        >>> from cscbench.analyses.local_spc import example_measures
        >>> points, summary = local_summary_for_pack(example_measures(), "Derby", "sn2025", 2025)
        >>> summary.select("measure", "home").row(0)
        ('ri_72h_pct', None)
    """
    from cscbench.analyses.local_spc import as_measures, spc_points
    from cscbench.analyses.local_words import local_summary, national_figures

    local = as_measures(measures)
    points = spc_points(local, targets=targets)
    national = national_figures(local.measures, la, group, year, source)
    summary = local_summary(points, national, local.measures)
    by_theme = {
        theme: rows["national"].to_list()
        for (theme,), rows in local.measures.group_by("theme", maintain_order=True)
    }
    homes = {theme: home_theme(theme, nationals) for theme, nationals in by_theme.items()}
    home = summary["theme"].replace_strict(homes, default=None, return_dtype=pl.String)
    latest = (
        points.filter(pl.col("value").is_not_null())
        .group_by("measure")
        .agg(pl.col("year").max().alias("latest_year"))
    )
    summary = summary.with_columns(home.alias("home"))
    return points, summary.join(latest, on="measure", how="left", maintain_order="left")


def local_candidates(summary: pl.DataFrame, year: int) -> list[dict]:
    """The local measures whose latest point gives a key message for a pack of ``year`` (the
    year ending 31 March ``year``), in the file's order: each with ``measure``, ``home`` (its
    national theme or None), ``part`` (its local theme) and ``message`` (the sentence on its
    latest point).

    Example:
        >>> from cscbench.analyses.local_spc import example_measures
        >>> _, summary = local_summary_for_pack(example_measures(), "Derby", "sn2025", 2025)
        >>> [c["measure"] for c in local_candidates(summary, 2025)], local_candidates(summary, 2027)
        (['ri_72h_pct'], [])
    """
    return [
        {k: r[k] for k in ("measure", "home")} | {"part": r["theme"], "message": r["sentences"][0]}
        for r in summary.iter_rows(named=True)
        if r["key_message"] and r["sentences"] and (r["latest_year"] or 0) >= year
    ]
