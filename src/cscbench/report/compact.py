"""A measure's figures as a row of a compact table: the cells the page (:mod:`.html`) and the
Word document (:mod:`.word`) both print, worked once here, below both writers.

Each writer wraps them its own way: the page puts a row's flags on a line of their own under
its figures; the document puts them on a line under the measure's title in its first cell
(:func:`measure_cell`).

Example:
    >>> from cscbench.report.content import pack_content
    >>> content = pack_content("Derby", year=2025)
    >>> s = next(s for s in content.sections if s.indicator == "rereferral_pct")
    >>> compact_row(s)["cells"][:2]
    ['23.1%', '20.1']
"""

from __future__ import annotations

from cscbench.analyses.engine import FLAG_MEANINGS, flag_label
from cscbench.analyses.wording import number, with_unit
from cscbench.datasets.registry import INDICATORS, SHARES, SIZES
from cscbench.report.content import Section
from cscbench.report.summary import change

#: The compact table's columns (:func:`compact_row`), the authority's name put in for "Value";
#: a measure's flags, in words, on a line of their own under its figures.
COMPACT_COLUMNS = (
    "Measure",
    "Value",
    "Comparator average",
    "Region",
    "England",
    "Rank (1 = highest)",
    "Band (A best)",
    "1-year change",
)


def rank_cell(row: dict) -> str:
    """'11 of 11', with the caveat when the figure rests on few children; a count (which
    measures size) is not ranked.

    Example:
        >>> rank_cell({"unit": "rate", "rank": 3, "rank_of": 11, "flags": []})
        '3 of 11'
        >>> rank_cell({"unit": "count", "rank": None, "rank_of": None, "flags": []})
        'not ranked (a count)'
    """
    if row.get("unit") in SIZES:
        return "not ranked (a count)"
    if not row["rank"]:
        return "no rank"
    cell = f"{row['rank']} of {row['rank_of']}"
    if {"small_numbers", "imprecise"} & set(row["flags"] or []):
        cell += f" (on {number(row['numerator'], 'cin_count')} children or events: see caveat)"
    return cell


def average_cell(row: dict, unit: bool = True) -> str:
    """'503.2 per 10,000 children', with '(over 6 of 10)' when members had no figure;
    without its unit (``unit`` False), as the compact tables print it.

    Example:
        >>> row = {"indicator": "cp_2yrs_pct", "comparator_mean": 2.51, "group_n": 6,
        ...        "group_missing": ["Barnet", "Lambeth", "Reading", "Kingston"]}
        >>> average_cell(row), average_cell(row, unit=False)
        ('2.5% (over 6 of 10)', '2.5 (over 6 of 10)')
    """
    shown = with_unit if unit else number
    cell = shown(row["comparator_mean"], row["indicator"])
    missing = len(row["group_missing"] or [])
    if missing and row["comparator_mean"] is not None:
        cell += f" (over {row['group_n']} of {row['group_n'] + missing})"
    return cell


def change_cell(row: dict) -> str:
    """The change from the year before as the Summary sheet gives it, with its sign and unit:
    percentage points (pts) for a percentage, per cent for any other figure.

    Example:
        >>> change_cell({"indicator": "rereferral_pct", "change_1y": -1.26, "change_1y_pct": -5.4})
        '-1.3 pts'
        >>> change_cell({"indicator": "cla_rate", "change_1y": 3.0, "change_1y_pct": 3.3333})
        '+3.3%'
        >>> change_cell({"indicator": "cla_rate", "change_1y": None, "change_1y_pct": None})
        'no figure'
    """
    found = change(row)
    if found is None:
        return "no figure"
    if INDICATORS[row["indicator"]].unit in SHARES:
        return f"{found:+.{INDICATORS[row['indicator']].decimals}f} pts"
    return f"{found:+.1f}%"


def compact_value(value: float | None, indicator: str) -> str:
    """The authority's value in a compact table: with its unit where the unit is a sign (a
    percentage, pounds), else the number alone (the measure's title names its unit).

    Example:
        >>> compact_value(21.27, "rereferral_pct"), compact_value(572.66, "referral_rate")
        ('21.3%', '572.7')
    """
    if INDICATORS[indicator].unit in SHARES | {"pounds"}:
        return with_unit(value, indicator)
    return number(value, indicator)


def flags_in_words(flags: list[str] | None) -> list[dict]:
    """Each flag as the page shows it: a short label, and its meaning in full.

    Example:
        >>> [f["label"] for f in flags_in_words(["small_numbers"])] == [flag_label("small_numbers")]
        True
    """
    return [{"label": flag_label(f), "meaning": FLAG_MEANINGS[f]} for f in flags or []]


def compact_row(section: Section) -> dict:
    """A measure without charts as its theme's compact table shows it (:data:`COMPACT_COLUMNS`):
    the authority's value (:func:`compact_value`), the other figures at the indicator's decimals,
    its rank, band, change and flags in words, and its sentences, for the theme's list under
    the table."""
    row, ind = section.row, section.indicator
    return {
        "id": ind,
        "title": section.title,
        "cells": [
            compact_value(row["value"], ind),
            average_cell(row, unit=False),
            number(row["region"], ind),
            number(row["england"], ind),
            "not ranked" if row["unit"] in SIZES else rank_cell(row),
            row["quartile_band"] or "none",
            change_cell(row),
        ],
        "flags": flags_in_words(row["flags"]),
        "sentences": " ".join(section.sentences),
    }


def measure_cell(row: dict) -> str:
    """The first cell of a compact row in a Word table: the measure's title, and its flags in
    words on a line beneath (the page prints them on a row of their own).

    Example:
        >>> measure_cell({"title": "Re-referrals", "flags": [{"label": "few children"}]})
        'Re-referrals\\nFlags: few children'
        >>> measure_cell({"title": "Re-referrals", "flags": []})
        'Re-referrals'
    """
    flags = "; ".join(f["label"] for f in row["flags"])
    return f"{row['title']}\nFlags: {flags}" if flags else row["title"]
