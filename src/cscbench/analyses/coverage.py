"""Which years the data hold each indicator for, and saying so where a year is not held.

DfE's files cover different spans: children in need and child protection from 2012-13, factors
at the end of assessment from 2017-18, children looked after by authority only from 2020-21
in the file cscbench reads. A pack or narrative for a year outside an indicator's span says so
in words, once per file (:func:`not_held`), rather than drawing an empty chart or leaving the
indicator out without a word.

Example:
    >>> gaps = not_held(2015)
    >>> gaps["indicator"].to_list()[:2]
    ['cla_count', 'cla_rate']
    >>> gaps["reason"][0]  # (2015-16 to 2019-20 from LAIT: DfE's file starts in 2020-21)
    "DfE's figures on children looked after by local authority start in 2015-16"
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import polars as pl

from cscbench.analyses.wording import year_label
from cscbench.datasets import _key
from cscbench.datasets.registry import INDICATORS, SOURCES, in_order, indicator_ids
from cscbench.datasets.store import Source, scan


def held_spans(source: Source = None) -> pl.DataFrame:
    """``indicator``, ``first_year``, ``last_year``: the span of years with authority rows
    (read once per process and data set: the data do not change while a command runs).

    Example:
        >>> spans = held_spans()
        >>> spans.filter(pl.col("indicator") == "cla_rate").row(0)
        ('cla_rate', 2016, 2025)
    """
    return _spans(_key(source))


@lru_cache(maxsize=8)
def _spans(source: str | None) -> pl.DataFrame:
    return (
        scan("indicators", source)
        .filter(pl.col("geography") == "la")
        .group_by("indicator")
        .agg(
            pl.col("year").min().alias("first_year"),
            pl.col("year").max().alias("last_year"),
        )
        .collect()
        .sort(in_order())
    )


def _topic(indicator: str) -> str:
    """What a sentence says the figures are on: the file's topic, or a LAIT measure's name."""
    ind = INDICATORS[indicator]
    if ind.source == "lait":
        return f"{ind.short} (LAIT)"
    return SOURCES[ind.source].topic or ind.short


def reason_not_held(
    indicator: str, year: int, first: int | None, last: int | None, topic: str | None = None
) -> str:
    """Why there is no figure for ``indicator`` in ``year``, in words.

    Example:
        >>> reason_not_held("cla_rate", 2017, 2021, 2025)
        "DfE's figures on children looked after by local authority start in 2020-21"
        >>> reason_not_held("cla_rate", 2026, 2021, 2025)
        "DfE's figures on children looked after by local authority end in 2024-25"
    """
    topic = topic or _topic(indicator)
    if first is None or last is None:
        return f"the data hold no figures on {topic} by local authority"
    if year < first:
        return f"DfE's figures on {topic} by local authority start in {year_label(first)}"
    return f"DfE's figures on {topic} by local authority end in {year_label(last)}"


def not_held(
    year: int, indicators: str | Sequence[str] | None = None, source: Source = None
) -> pl.DataFrame:
    """The indicators (default: all of DfE's files) the data hold no authority figures for in
    ``year``, with ``first_year``, ``last_year``, the ``source`` file's key and the ``reason``
    in words. LAIT's values-only measures each run their own years (many are discontinued):
    they are said only when asked for by name.
    """
    ids = indicator_ids(indicators) or [k for k, i in INDICATORS.items() if i.source != "lait"]
    spans = dict((name, (first, last)) for name, first, last in held_spans(source).iter_rows())
    held_sources = {
        INDICATORS[name].source
        for name, (first, last) in spans.items()
        if first is not None and first <= year <= last
    }
    rows = []
    for name in ids:
        first, last = spans.get(name, (None, None))
        if first is not None and first <= year <= last:
            continue
        # a file with some figures that year (LAIT's looked-after rates of starting and
        # ceasing start later than its counts): the missing indicators are named, not the file
        partial = INDICATORS[name].source in held_sources
        topic = INDICATORS[name].short if partial else _topic(name)
        rows.append(
            {
                "indicator": name,
                "source": f"{INDICATORS[name].source}:{name}"
                if partial
                else INDICATORS[name].source,
                "topic": topic,
                "first_year": first,
                "last_year": last,
                "reason": reason_not_held(name, year, first, last, topic),
            }
        )
    schema = {
        "indicator": pl.String,
        "source": pl.String,
        "topic": pl.String,
        "first_year": pl.Int32,
        "last_year": pl.Int32,
        "reason": pl.String,
    }
    return pl.DataFrame(rows, schema=schema)


def _joined(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def reasons_together(gaps: pl.DataFrame, year: int) -> list[str]:
    """The reasons of :func:`not_held`, one sentence per year a span starts or ends, naming
    every topic that starts (or ends) then: what a command says once, on standard error.

    Example:
        >>> reasons_together(not_held(2015, ["cla_rate", "sw_fte"]), 2015)
        ["DfE's figures by local authority on children looked after start in 2015-16", \
"DfE's figures by local authority on the children and family social work workforce start in \
2017-18"]
    """
    said: dict[tuple[str, int | None], list[str]] = {}
    for row in gaps.iter_rows(named=True):
        topic = row["topic"]
        first, last = row["first_year"], row["last_year"]
        when = (
            ("none", None)
            if first is None
            else ("start", first)
            if year < first
            else (
                "end",
                last,
            )
        )
        topics = said.setdefault(when, [])
        if topic not in topics:
            topics.append(topic)
    lines = []
    for (edge, edge_year), topics in said.items():
        if edge == "none":
            lines.append(f"the data hold no figures by local authority on {_joined(topics)}")
        else:
            lines.append(
                f"DfE's figures by local authority on {_joined(topics)} {edge} in "
                f"{year_label(edge_year)}"
            )
    return lines
