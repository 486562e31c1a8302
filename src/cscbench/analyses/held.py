"""Years held: the latest year of the data, a year asked for read or defaulted, and clear
errors when an authority or the data has no figures for the years asked for.

Example:
    >>> year_or_latest("2016-17"), held_years(pl.Series([2013, 2025]))
    (2017, '2012-13 to 2024-25')
"""

from __future__ import annotations

import polars as pl

from cscbench.analyses.wording import year_ending, year_label
from cscbench.datasets.lineage import SUCCESSIONS
from cscbench.datasets.registry import core_indicators
from cscbench.datasets.store import Source, scan
from cscbench.errors import UsageError


def latest_year(source: Source = None) -> int:
    """The latest reporting year of the data's children in need and looked-after figures (the
    files every data set has): the year a benchmark is of unless another is asked for. A file
    that runs later (the workforce census of 30 September 2025, in 2025-26) does not move it.

    Example:
        >>> latest_year()
        2025
    """
    rows = scan("indicators", source).filter(pl.col("indicator").is_in(core_indicators()))
    return int(rows.select(pl.col("year").max()).collect().item())


def year_or_latest(year: int | str | None, source: Source = None) -> int:
    """``year`` read as :func:`~cscbench.analyses.wording.year_ending` reads it ("2016-17" is
    2017), or the latest year in the data when it is None.

    Example:
        >>> year_or_latest("2016/17"), year_or_latest(None)
        (2017, 2025)
    """
    return latest_year(source) if year is None else year_ending(year)


def check_exists(focus: dict, year: int) -> None:
    """A clear error when the authority did not exist in ``year``: abolished before it, or
    made after it, with the years it has and what happened.

    Example:
        >>> from cscbench.datasets import find_area
        >>> check_exists(find_area("Cumbria"), 2025)  # doctest: +NORMALIZE_WHITESPACE
        Traceback (most recent call last):
        cscbench.errors.UsageError: Cumbria has no figures for 2024-25: on 1 April 2023 Cumbria
        was split into Cumberland and Westmorland and Furness; its figures run 2012-13 to
        2022-23 (give --year 2022-23 or earlier)
    """
    first, last, name = focus.get("first_year"), focus.get("last_year"), focus["area_name"]
    if first is None or last is None or first <= year <= last:
        return
    code = focus["la_code"]
    ended = next((s for s in SUCCESSIONS if code in s.before and code not in s.after), None)
    if year > last and ended is not None:
        raise UsageError(
            f"{name} has no figures for {year_label(year)}: {ended.note[0].lower()}"
            f"{ended.note[1:-1]}; its figures run {year_label(first)} to {year_label(last)} "
            f"(give --year {year_label(last)} or earlier)"
        )
    made = next((s for s in SUCCESSIONS if code in s.after and code not in s.before), None)
    if year < first and made is not None:
        raise UsageError(
            f"{name} has no figures for {year_label(year)}: {made.note[0].lower()}"
            f"{made.note[1:-1]}; its figures start in {year_label(first)}"
        )  # a year outside the data's own span is check_held's to say


def held_years(years: pl.Series) -> str:
    """The span of reporting years in ``years``, for a message.

    Example:
        >>> held_years(pl.Series([2014, 2013, 2025]))
        '2012-13 to 2024-25'
    """
    return f"{year_label(int(years.min()))} to {year_label(int(years.max()))}"


def check_held(rows: pl.DataFrame, table: pl.DataFrame, what: str, when: str) -> None:
    """A clear error when ``rows`` (taken from ``table``) is empty because of the years asked
    for: an empty table would look like an answer.

    Example:
        >>> table = pl.DataFrame({"year": [2013, 2025], "value": [1.0, 2.0]})
        >>> check_held(table.filter(pl.col("year") == 2011), table, "cin_rate", "in 2010-11")
        Traceback (most recent call last):
        cscbench.errors.UsageError: no figures for cin_rate in 2010-11: they run 2012-13 to 2024-25
    """
    if rows.is_empty() and not table.is_empty():
        raise UsageError(f"no figures for {what} {when}: they run {held_years(table['year'])}")
