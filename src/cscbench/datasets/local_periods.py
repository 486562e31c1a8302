"""Periods of local measures: months, quarters of the financial year and financial years.

Each period of a kind has an index, consecutive periods differing by 1, so a gap or a repeat
is arithmetic: a month is ``year x 12 + month - 1``, a quarter ``year ending 31 March x 4 +
quarter - 1`` (Q1 is April to June), a year its year ending 31 March. Quarters and years are
read by :func:`cscbench.datasets.targets.parse_period`, as targets files write them.

Example:
    >>> kind, (index, label) = next(iter(read_period("Mar 2025").items()))
    >>> kind, label, period_name(kind, index), financial_year(kind, index)
    ('month', '2025-03', 'March 2025', 2025)
"""

from __future__ import annotations

import re
from datetime import date

from cscbench.datasets.targets import parse_period as parse_year_or_quarter
from cscbench.datasets.targets import period_label

MONTH_NAMES = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]


def month_label(year: int, month: int) -> str:
    return f"{year}-{month:02d}"


def _month(text: str) -> tuple[int, int] | None:
    """(year, month) from '2024-04', 'Apr 2024', 'April 2024' or an Excel date on the 1st."""
    m = re.fullmatch(r"(\d{4})-(\d{2})(?:-01(?: 00:00:00)?)?", text)
    if m and 1 <= int(m[2]) <= 12:
        return int(m[1]), int(m[2])
    m = re.fullmatch(r"([A-Za-z]{3,9})\.? (\d{4})", text)
    if m and m[1][:3].lower() in MONTH_NAMES:
        name = m[1].lower()
        full = "january february march april may june july august september october "
        full += "november december"
        if name in MONTH_NAMES or name in full.split() or name == "sept":
            return int(m[2]), MONTH_NAMES.index(name[:3]) + 1
    return None


def read_period(text: str) -> dict[str, tuple[int, str]]:
    """Every reading of a period label: {kind: (index, canonical label)}; ValueError if none.

    Consecutive periods of a kind have consecutive indexes. '2011-12' is both December 2011
    and the financial year 2011-12; the measure's other periods or frequency decide.

    Example:
        >>> read_period("2024-04"), read_period("2024-25 Q1")
        ({'month': (24291, '2024-04')}, {'quarter': (8100, '2024-25 Q1')})
        >>> sorted(read_period("2011-12"))
        ['month', 'year']
    """
    text = " ".join(text.split())
    readings: dict[str, tuple[int, str]] = {}
    month = _month(text)
    if month:
        readings["month"] = (month[0] * 12 + month[1] - 1, month_label(*month))
    try:
        year, quarter = parse_year_or_quarter(text.replace("/", "-"))
    except ValueError:
        pass
    else:
        if quarter is not None:
            readings["quarter"] = (year * 4 + quarter - 1, period_label(year, quarter))
        elif "-" in text or "/" in text:  # a bare '2024' is not a period here
            readings["year"] = (year, period_label(year, None))
    if not readings:
        raise ValueError(
            f"{text!r} is not a month ('2024-04'), a quarter ('2024-25 Q1') or a year ('2024-25')"
        )
    return readings


def period_start(kind: str, index: int) -> date:
    """The first day of a period.

    Example:
        >>> period_start("quarter", 8103), period_start("year", 2025)
        (datetime.date(2025, 1, 1), datetime.date(2024, 4, 1))
    """
    if kind == "month":
        return date(index // 12, index % 12 + 1, 1)
    if kind == "quarter":
        year, q = divmod(index, 4)  # year ending 31 March; q 0 is April to June
        month = 4 + 3 * q
        return date(year - 1 + (month > 12), (month - 1) % 12 + 1, 1)
    return date(index - 1, 4, 1)


def period_name(kind: str, index: int) -> str:
    """A period as a sentence names it: 'March 2025', '2024-25 Q4 (January to March 2025)',
    '2024-25'.

    Example:
        >>> period_name("month", 2025 * 12 + 2), period_name("quarter", 8103)
        ('March 2025', '2024-25 Q4 (January to March 2025)')
    """
    start = period_start(kind, index)
    if kind == "month":
        return start.strftime("%B %Y")
    if kind == "quarter":
        end = period_start("month", start.year * 12 + start.month + 1)
        year, q = divmod(index, 4)
        return f"{period_label(year, q + 1)} ({start:%B} to {end:%B %Y})"
    return period_label(index, None)


def financial_year(kind: str, index: int) -> int:
    """The financial year (ending 31 March) a period falls in."""
    start = period_start(kind, index)
    return start.year + (start.month >= 4)


def short_label(kind: str, index: int) -> str:
    """A period's canonical label: '2024-04', '2024-25 Q1', '2024-25'.

    Example:
        >>> short_label("month", 2024 * 12 + 3), short_label("quarter", 8100)
        ('2024-04', '2024-25 Q1')
    """
    if kind == "month":
        return month_label(index // 12, index % 12 + 1)
    if kind == "quarter":
        return period_label(index // 4, index % 4 + 1)
    return period_label(index, None)
