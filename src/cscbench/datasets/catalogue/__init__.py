"""The catalogue: every indicator cscbench measures and every file it reads, declared as data.

Design
------
The indicators live in ``indicators.toml`` and the files in ``sources.toml``, beside this
module; ``vocabulary.toml`` lists the words they may use (units, themes, periods). This module
reads and checks them; :mod:`cscbench.datasets.tidy` is the one reader that turns any
declared DfE file into indicator rows. Nothing else lists indicators.

An indicator declares (``[indicator.ID]``):

- names: ``title``; ``short``, as a sentence names it, in lower case (acronyms such as SDQ or
  FTE apart); ``headline``, five words or fewer, for chart titles;
- ``theme`` (one of :data:`THEMES`, in report order) and ``charted`` (a theme's headline
  measure, drawn as trend and comparator charts; the rest are tables);
- ``unit`` (:data:`UNITS`: rate_per_10k, percent, count, fte, fte_percent, caseload, per_100,
  days, score; each says its multiplier and whether an interval is meaningful: only for
  percentages and rates of children), ``decimals`` and
  ``polarity`` (low_is_good, high_is_good or context, from LAIT's data dictionary where
  ``lait_measure`` names the same measure);
- ``period``: ``31 March`` or ``30 September`` (a count on that day), ``year to 31 March`` or
  ``year to 30 September`` (events during the year); ``looks_back`` for measures counted
  against the authority's earlier records;
- ``definition``: DfE's one sentence;
- where its figures come from: ``source`` (a key of ``sources.toml``), ``numerator`` and
  ``denominator`` (:class:`Term`), ``rows`` (a filter every row of the indicator has),
  ``published`` (DfE's printed figure, a column of the numerator's row) with
  ``published_decimals``, and ``denominator_scale`` (sickness absence: FTE x working days);
- ``value_from``: ``recomputed`` (numerator / denominator, the default) or ``published``
  (DfE's figure, with the numerator and denominator beside it: the workforce ratios).

A term is a column of the row (``"ICPC"``), a sum of columns (``["Duration_0-10_days",
"Duration_11-15_days"]``), the ONS population (``"population"``), or, in a long file, a filter
on the breakdown columns (``{ placement_stability = "Total children" }``), whose rows' count
column gives the figure; a list of values sums those rows. So in a long file the numerator is
the breakdown row that counts the children with the characteristic and the denominator is the
"Total" row of the same cohort (``rows``), matched by area and year.

How to add an indicator: add a ``[indicator.ID]`` table to ``indicators.toml`` (and, for a new
file, a ``[source.KEY]`` table to ``sources.toml``), and a test that picks a row of the file
by hand and asserts it (tests/test_tidy.py). It is a declaration and a test, not new loader
code.

Example:
    >>> ind = INDICATORS["icpc_15days_pct"]
    >>> ind.unit, ind.polarity, ind.theme, ind.numerator.describe()
    ('percent', 'high_is_good', 'child protection', 'Duration_0-10_days + Duration_11-15_days')
    >>> INDICATORS["cla_3plus_placements_pct"].denominator.describe()
    "placement_stability = 'Total children'"
    >>> UNITS["fte_percent"].interval, UNITS["percent"].interval
    (False, True)
"""

from __future__ import annotations

import polars as pl

from cscbench.datasets.catalogue.model import (
    POPULATION,
    Catalogue,
    Filter,
    Indicator,
    Source,
    Term,
    Unit,
    describe_values,
)
from cscbench.datasets.catalogue.reading import load

__all__ = [
    "CATALOGUE",
    "INDICATORS",
    "POPULATION",
    "SOURCES",
    "THEMES",
    "UNITS",
    "Catalogue",
    "Filter",
    "Indicator",
    "Source",
    "Term",
    "Unit",
    "catalogue_frame",
    "load",
    "of_source",
    "of_theme",
]

CATALOGUE = load()
UNITS = CATALOGUE.units
THEMES = CATALOGUE.themes
SOURCES = CATALOGUE.sources
INDICATORS = CATALOGUE.indicators


def of_source(key: str) -> list[Indicator]:
    """The indicators read from source ``key``, in catalogue order.

    Example:
        >>> [i.id for i in of_source("cla_social_workers")]
        ['cla_3plus_social_workers_pct']
    """
    return [i for i in INDICATORS.values() if i.source == key]


def of_theme(theme: str) -> list[Indicator]:
    """The indicators of one theme, in catalogue order.

    Example:
        >>> [i.id for i in of_theme("workforce") if i.charted]
        ['sw_turnover_pct', 'sw_agency_pct', 'sw_caseload']
    """
    return [i for i in INDICATORS.values() if i.theme == theme]


def _describe(filter_: Filter) -> str | None:
    return " and ".join(f"{c} = {describe_values(v)}" for c, v in filter_) or None


def catalogue_frame() -> pl.DataFrame:
    """The catalogue as a DataFrame, one row per indicator (what ``cscbench indicators`` will
    show), with each indicator's source file and where its figures come from.

    Example:
        >>> row = catalogue_frame().filter(pl.col("id") == "sw_caseload").row(0, named=True)
        >>> row["numerator"], row["denominator"], row["interval"], row["source_file"]
        ('cases', 'case_holders_fte', False, 'csww_indicators_*.csv')
    """
    rows = [
        {
            "id": i.id,
            "title": i.title,
            "short": i.short,
            "headline": i.headline,
            "theme": i.theme,
            "charted": i.charted,
            "unit": i.unit,
            "decimals": i.decimals,
            "polarity": i.polarity,
            "period": i.period,
            "looks_back": i.looks_back,
            "source": i.source,
            "source_title": SOURCES[i.source].title,
            "source_file": SOURCES[i.source].pattern,
            "rows": _describe(i.rows),
            "numerator": i.numerator.describe() if i.numerator else "LAIT's published value",
            "denominator": i.denominator.describe() if i.denominator else None,
            "denominator_scale": i.denominator_scale,
            "published": i.published,
            "published_decimals": i.published_decimals,
            "value_from": i.value_from,
            "interval": i.interval,
            "lait_measure": i.lait_measure,
            "definition": i.definition,
        }
        for i in INDICATORS.values()
    ]
    return pl.DataFrame(rows, infer_schema_length=None)
