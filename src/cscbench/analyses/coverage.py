"""Which years the data hold each indicator for, and saying so where a year is not held.

DfE's files cover different spans: children in need and child protection from 2012-13, factors
at the end of assessment from 2017-18, children looked after by authority only from 2020-21
in the file cscbench reads. A pack or narrative for a year outside an indicator's span says so
in words, once per file (:func:`not_held`), rather than drawing an empty chart or leaving the
indicator out without a word.

Example:
    >>> gaps = not_held(2017)
    >>> gaps["indicator"].to_list()[:2]
    ['cla_count', 'cla_rate']
    >>> gaps["reason"][0]
    "DfE's figures on children looked after by local authority start in 2020-21"
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
        ('cla_rate', 2021, 2025)
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


def reason_not_held(indicator: str, year: int, first: int | None, last: int | None) -> str:
    """Why there is no figure for ``indicator`` in ``year``, in words.

    Example:
        >>> reason_not_held("cla_rate", 2017, 2021, 2025)
        "DfE's figures on children looked after by local authority start in 2020-21"
        >>> reason_not_held("cla_rate", 2026, 2021, 2025)
        "DfE's figures on children looked after by local authority end in 2024-25"
    """
    topic = SOURCES[INDICATORS[indicator].source].topic or INDICATORS[indicator].short
    if first is None or last is None:
        return f"the data hold no figures on {topic} by local authority"
    if year < first:
        return f"DfE's figures on {topic} by local authority start in {year_label(first)}"
    return f"DfE's figures on {topic} by local authority end in {year_label(last)}"


def not_held(
    year: int, indicators: str | Sequence[str] | None = None, source: Source = None
) -> pl.DataFrame:
    """The indicators (default: all) the data hold no authority figures for in ``year``, with
    ``first_year``, ``last_year``, the ``source`` file's key and the ``reason`` in words.
    """
    ids = indicator_ids(indicators) or list(INDICATORS)
    spans = dict((name, (first, last)) for name, first, last in held_spans(source).iter_rows())
    rows = []
    for name in ids:
        first, last = spans.get(name, (None, None))
        if first is not None and first <= year <= last:
            continue
        rows.append(
            {
                "indicator": name,
                "source": INDICATORS[name].source,
                "first_year": first,
                "last_year": last,
                "reason": reason_not_held(name, year, first, last),
            }
        )
    schema = {
        "indicator": pl.String,
        "source": pl.String,
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
        >>> reasons_together(not_held(2016, ["cla_rate", "sw_fte"]), 2016)
        ["DfE's figures by local authority on children looked after start in 2020-21", \
"DfE's figures by local authority on the children and family social work workforce start in \
2017-18"]
    """
    said: dict[tuple[str, int | None], list[str]] = {}
    for row in gaps.iter_rows(named=True):
        topic = SOURCES[row["source"]].topic or INDICATORS[row["indicator"]].short
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
