"""How cscbench writes numbers, years, ranks and comparisons in words.

One place for display rules, used by tables, charts and narrative alike, so a figure reads the
same everywhere: counts as whole numbers with thousands separators, rates and percentages to
one decimal place (the registry's ``decimals``).

Example:
    >>> number(2742.0, "cin_count"), number(21.2672, "rereferral_pct")
    ('2,742', '21.3')
    >>> with_unit(21.2672, "rereferral_pct")
    '21.3%'
    >>> rank_words(8, 11), rank_words(2, 11), rank_words(6, 11)
    ('the fourth lowest', 'the second highest', 'in the middle (6th of 11)')
"""

from __future__ import annotations

import re
from numbers import Integral

import polars as pl

from cscbench.datasets.areas import spoken_name
from cscbench.datasets.registry import INDICATORS, SHARES
from cscbench.errors import UsageError

ORDINAL_WORDS = [
    "",
    "first",
    "second",
    "third",
    "fourth",
    "fifth",
    "sixth",
    "seventh",
    "eighth",
    "ninth",
    "tenth",
]

#: A difference must be at least this share of the reference to be called "well" above or below.
LARGE = 0.10


def number(value: float | None, indicator: str) -> str:
    """``value`` rounded as the indicator is displayed, with thousands separators."""
    if value is None:
        return "no figure"
    decimals = INDICATORS[indicator].decimals
    return f"{value:,.{decimals}f}"


def with_unit(value: float | None, indicator: str) -> str:
    """The number with its unit: '21.3%', '465.2 per 10,000 children', '2,742'.

    Example:
        >>> with_unit(465.16, "cin_rate")
        '465.2 per 10,000 children'
        >>> with_unit(24.3, "lait_cinsen_sup"), with_unit(1204.4, "lait_lacfinance")
        ('24.3%', '£1,204')
    """
    text = number(value, indicator)
    if value is None:
        return text
    unit = INDICATORS[indicator].unit
    if unit == "pounds":  # £ before the number, its sign before the £: '-£1,204'
        return f"-£{text[1:]}" if text.startswith("-") else f"£{text}"
    return text + UNIT_SUFFIX.get(unit, "")


def with_sign(value: float | None, indicator: str) -> str:
    """The number with its unit where the unit is a sign (a percentage, pounds), else the
    number alone: for tables and charts whose rows name the measure and its unit.

    Example:
        >>> with_sign(21.27, "rereferral_pct"), with_sign(572.66, "referral_rate")
        ('21.3%', '572.7')
        >>> with_sign(1204.4, "lait_lacfinance"), with_sign(20.43, "sw_caseload")
        ('£1,204', '20.4')
    """
    if UNIT_SUFFIX.get(INDICATORS[indicator].unit) == "%" or INDICATORS[indicator].unit == "pounds":
        return with_unit(value, indicator)
    return number(value, indicator)


#: How a value of each unit is written after its number ('21.3%', '465.2 per 10,000
#: children', '14 working days'); a count or a score has nothing after it.
UNIT_SUFFIX = {
    "percent": "%",
    "fte_percent": "%",
    "rate_per_10k": " per 10,000 children",
    "per_100": " per 100",
    "days": " working days",
    "caseload": " cases per social worker",
    "fte": " FTE",
    "lait_percent": "%",
    "lait_rate": " per 10,000",
}

#: Units whose figure is a percentage: a change in them is in percentage points.
PERCENTAGES = SHARES  # DfE's percentages and LAIT's values-only ones


def per_year(change: float) -> str:
    """An average annual % change, without its sign (the words say which way): '3.1%'.

    Example:
        >>> per_year(-3.149), per_year(12.0)
        ('3.1%', '12.0%')
    """
    return f"{abs(change):.1f}%"


def interval_words(low: float, high: float, indicator: str) -> str:
    """An interval in a sentence, with its unit: '0.3% to 1.0%', '12.0 to 20.0 per 10,000
    children' (the unit said once where it follows the number).

    Example:
        >>> interval_words(0.31, 1.04, "nfa_pct"), interval_words(12.0, 20.04, "cin_rate")
        ('0.3% to 1.0%', '12.0 to 20.0 per 10,000 children')
    """
    if INDICATORS[indicator].unit in PERCENTAGES:
        return f"{with_unit(low, indicator)} to {with_unit(high, indicator)}"
    return f"{number(low, indicator)} to {with_unit(high, indicator)}"


def change_unit(indicator: str) -> str:
    """How a change is measured: percentage points for percentages, % otherwise."""
    return "percentage points" if INDICATORS[indicator].unit in PERCENTAGES else "%"


def year_label(year: int) -> str:
    """The reporting year as annual reports write it: 2017 -> '2016-17'.

    Example:
        >>> year_label(2017), year_label(2000)
        ('2016-17', '1999-00')
    """
    return f"{year - 1}-{year % 100:02d}"


def years_label(first: int, last: int) -> str:
    """A run of reporting years: '2012-13 to 2024-25', or the one year when they are one.

    Example:
        >>> years_label(2013, 2025), years_label(2021, 2021)
        ('2012-13 to 2024-25', '2020-21')
    """
    return year_label(first) if first == last else f"{year_label(first)} to {year_label(last)}"


def year_ending(value: int | str | None) -> int | None:
    """The reporting year, as cscbench counts it (the year ending 31 March), from the ways
    people write it: 2017, "2017", "2016-17", "2016/17", "2016-2017", or Explore Education
    Statistics' time period "201617". None (no year given) stays None; anything else is a
    one-line error.

    Example:
        >>> year_ending(2017), year_ending("2016-17"), year_ending("2016/17"), year_ending("201617")
        (2017, 2017, 2017, 2017)
        >>> year_ending("17")
        Traceback (most recent call last):
        cscbench.errors.UsageError: '17' is not a reporting year: write 2017, 2016-17 or 2016/17
    """
    if value is None:
        return None
    if isinstance(value, Integral) and not isinstance(value, bool):
        return int(value)
    text = value.strip() if isinstance(value, str) else ""
    if re.fullmatch(r"\d{4}", text):
        return int(text)
    span = re.fullmatch(r"(\d{4})(?:[-/](\d{4})|[-/]?(\d{2}))", text)
    if span:
        start, end_long, end_short = span.groups()
        end = int(start) + 1
        if (end_long and int(end_long) == end) or (end_short and int(end_short) == end % 100):
            return end
    raise UsageError(f"{value!r} is not a reporting year: write 2017, 2016-17 or 2016/17")


def with_spoken_names(table: pl.DataFrame) -> pl.DataFrame:
    """``table`` with its authorities named as sentences name them (:func:`~cscbench.datasets.
    areas.spoken_name`): ``area_name`` and the lists of authorities without a figure.

    Example:
        >>> t = pl.DataFrame({"area_name": ["Bristol, City of"], "group_missing": [["Derby"]]})
        >>> with_spoken_names(t).row(0)
        ('Bristol', ['Derby'])
    """
    lists = [
        c
        for c, kind in table.schema.items()
        if ("missing" in c or "doubtful" in c) and kind == pl.List
    ]
    spoken = pl.element().map_elements(spoken_name, pl.String)
    return table.with_columns(
        pl.col("area_name").map_elements(spoken_name, pl.String),
        *[pl.col(c).list.eval(spoken) for c in lists],
    )


def sentence_case(text: str) -> str:
    """``text`` with its first letter a capital, as a sentence or title starts ("the Isles of
    Scilly had ..." opens "The Isles of Scilly had ...").

    Example:
        >>> sentence_case("the Isles of Scilly had 3 children looked after.")
        'The Isles of Scilly had 3 children looked after.'
    """
    return text[:1].upper() + text[1:]


def period(year: int, indicator: str) -> str:
    """'at 31 March 2017' for counts on one day, 'in 2016-17' for events in the year; the
    workforce, counted on 30 September, 'at 30 September 2024' in reporting year 2024-25.

    Example:
        >>> period(2017, "cin_count"), period(2017, "rereferral_pct"), period(2025, "sw_fte")
        ('at 31 March 2017', 'in 2016-17', 'at 30 September 2024')
    """
    when = INDICATORS[indicator].period
    if when == "31 March":
        return f"at 31 March {year}"
    if when == "30 September":
        return f"at 30 September {year - 1}"
    if when == "January":  # LAIT's school census figures
        return f"in January {year}"
    if when == "calendar year":
        return f"in {year}"
    if when == "academic year":
        return f"in the {year_label(year).replace('-', '/')} academic year"
    return f"in {year_label(year)}"


def ordinal(n: int) -> str:
    """1 -> '1st', 2 -> '2nd', 11 -> '11th', 23 -> '23rd'."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def ordinal_word(n: int) -> str:
    """'first' ... 'tenth', then '11th'."""
    return ORDINAL_WORDS[n] if n < len(ORDINAL_WORDS) else ordinal(n)


def rank_words(rank: int, of: int, ties: int = 0) -> str:
    """A rank (1 = highest value) in words: from the top, from the bottom, or the middle.

    ``ties`` other authorities share the value; tied authorities share the smaller rank, so a
    value tied at the bottom is worded from the bottom ("the joint lowest"), never as the
    higher place its rank number would give.

    Example:
        >>> rank_words(1, 11), rank_words(11, 11), rank_words(5, 10)
        ('the highest', 'the lowest', 'the fifth highest')
        >>> rank_words(2, 4, ties=2), rank_words(1, 11, ties=1), rank_words(8, 11, ties=1)
        ('the joint lowest', 'the joint highest', 'the joint third lowest')
    """
    joint = "joint " if ties else ""
    last = rank + ties  # the lowest place the tied values share
    if not ties and of % 2 == 1 and rank == (of + 1) // 2:
        return f"in the middle ({ordinal(rank)} of {of})"
    if last == of:
        return f"the {joint}lowest"
    if rank <= of / 2 or (ties and rank <= of - last + 1):
        return f"the {joint}highest" if rank == 1 else f"the {joint}{ordinal_word(rank)} highest"
    from_bottom = of - last + 1
    return f"the {joint}{ordinal_word(from_bottom)} lowest"


def compared_with(
    value: float | None,
    reference: float | None,
    low95: float | None,
    high95: float | None,
    low998: float | None,
    high998: float | None,
) -> str | None:
    """How a value compares with a reference, worded from its confidence intervals.

    "in line with" when the reference lies inside the 95% interval (not significant);
    "above" / "below" when outside it; "well above" / "well below" when outside the 99.8%
    interval too and the difference is at least :data:`LARGE` of the reference. None when there
    is no interval (counts) or no figure.

    Example:
        >>> compared_with(21.3, 21.9, 20.1, 22.5, 19.5, 23.2)
        'in line with'
        >>> compared_with(465.2, 330.3, 447.9, 482.9, 440.0, 490.0)
        'well above'
    """
    if None in (value, reference, low95, high95):
        return None
    if low95 <= reference <= high95:
        return "in line with"
    direction = "above" if value > reference else "below"
    beyond_998 = low998 is not None and high998 is not None and not (low998 <= reference <= high998)
    large = reference != 0 and abs(value - reference) >= LARGE * abs(reference)
    return f"well {direction}" if beyond_998 and large else direction


def and_list(items: list[str]) -> str:
    """Items as a list in words: 'A', 'A and B', 'A, B and C'.

    Example:
        >>> and_list(["A"]), and_list(["A", "B"]), and_list(["A", "B", "C"])
        ('A', 'A and B', 'A, B and C')
    """
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def names_list(names: list[str]) -> str:
    """Authorities' names as a list in words, kept apart where a name has a comma or "and" in
    it (DfE's names are kept as they are).

    Example:
        >>> names_list(["Merton", "Barnet"]), names_list(["Merton", "Barnet", "Sutton"])
        ('Merton and Barnet', 'Merton, Barnet and Sutton')
        >>> names_list(["Merton", "Brighton and Hove", "Barnet"])
        'Merton, Brighton and Hove, and Barnet'
        >>> names_list(["Merton", "Bristol, City of", "Brighton and Hove"])
        'Merton; Bristol, City of; and Brighton and Hove'
        >>> names_list([])
        ''
    """
    if len(names) <= 1:
        return "".join(names)
    if any("," in n for n in names):
        return f"{'; '.join(names[:-1])}; and {names[-1]}"
    if any(" and " in n for n in names):
        return f"{', '.join(names[:-1])}, and {names[-1]}"
    return and_list(names)


def measure_name(indicator: str) -> str:
    """The indicator named as a measure, for "Derby's ... was" or "DfE did not publish ...":
    its short name, after "number of" for a count, "percentage of" for a percentage (LAIT's
    values-only ones too: their short names leave the unit's word to this) and "rate of" for
    a rate per 100. A workforce percentage that is itself a rate (turnover, vacancies,
    absence: DfE's "turnover rate") says so in its short name and takes nothing before it.

    Example:
        >>> measure_name("cla_count"), measure_name("rereferral_pct")
        ('number of children looked after', 'percentage of re-referrals within 12 months')
        >>> measure_name("cla_rate"), measure_name("cla_sdq_received_pct")
        ('rate of children looked after', 'percentage of children aged 5 to 16 with an SDQ score')
        >>> measure_name("lait_cinsen_sup")
        'percentage of school-age children in need with SEN support'
        >>> measure_name("sw_agency_pct"), measure_name("sw_turnover_pct")
        ('percentage of agency social workers', 'social worker turnover rate')
        >>> measure_name("s47_to_icpc_pct")
        'rate of initial conferences per 100 section 47 enquiries'
    """
    ind = INDICATORS[indicator]
    if ind.unit == "fte_percent" and ind.short.endswith(" rate"):
        return ind.short
    prefix = {
        "count": "number of ",
        "fte": "number of ",
        "percent": "percentage of ",
        "fte_percent": "percentage of ",
        "per_100": "rate of ",
        "lait_count": "number of ",
        "lait_percent": "percentage of ",
    }.get(ind.unit, "")
    return f"{prefix}{ind.short}"
