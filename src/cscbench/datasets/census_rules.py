"""The rules a census return's fields are held to beyond the XML itself: the date forms
accepted, the span of dates a return can hold, and no DOCTYPE.

A date outside the span, or in another form, is a validation problem of its record (listed by
``cscbench local problems`` and left out of the figures that need it); a DOCTYPE or an
over-long field (census.py) refuses the whole file in one line.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from lxml import etree

from cscbench.errors import DataError

#: A date as the census gives it: ``YYYY-MM-DD``, optionally with a time (xs:dateTime).
DATE_TEXT = re.compile(
    r"(\d{4}-\d{2}-\d{2})(T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})?)?"
)
#: The oldest a date in a return may be: children in need are under 18 and care leavers under
#: 26, so no record of a child goes back further before the reference date.
OLDEST_YEARS = 26
#: How long before a child's birth a referral may come (a pre-birth referral, made during
#: the pregnancy): about nine months.
BEFORE_BIRTH = dt.timedelta(days=280)


def parse_date(text: str) -> dt.date | None:
    """The date of a census field, or None if it is not one: ``YYYY-MM-DD`` with an optional
    valid time; never the other ISO 8601 forms Python would take (``20240601``,
    ``2024-W23-1``) nor an impossible time (``2024-06-01T25:99``).

    Example:
        >>> parse_date("2024-06-01"), parse_date("2024-06-01T09:30:00Z")
        (datetime.date(2024, 6, 1), datetime.date(2024, 6, 1))
        >>> [parse_date(t) for t in ("20240601", "2024-W23-1", "2024-06-01T25:99")]
        [None, None, None]
    """
    if len(text) == 10 and text[4] == "-" and text[7] == "-":  # the usual form, quickly
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            return None
    if not DATE_TEXT.fullmatch(text):
        return None
    try:
        return (
            dt.datetime.fromisoformat(text).date() if "T" in text else dt.date.fromisoformat(text)
        )
    except ValueError:
        return None


def earliest(reference: dt.date) -> dt.date:
    """The earliest date a return with this reference date can hold (1 January, 26 years
    before)."""
    return dt.date(reference.year - OLDEST_YEARS, 1, 1)


def plausible(when: dt.date, reference: dt.date | None) -> str | None:
    """Why a date cannot be in a return with this reference date, or None if it can: after
    the reference date (the return covers the year to it), or more than
    :data:`OLDEST_YEARS` years before it.

    Example:
        >>> plausible(dt.date(2099, 1, 1), dt.date(2025, 3, 31))
        "is after the return's reference date (2025-03-31)"
    """
    if reference is None:
        return None
    if when > reference:
        return f"is after the return's reference date ({reference})"
    if when < earliest(reference):
        return f"is more than {OLDEST_YEARS} years before the return's reference date ({reference})"
    return None


def tag(element: etree._Element) -> str:
    """The element's name without a namespace ('' for a comment)."""
    name = element.tag
    if not isinstance(name, str):
        return ""
    return name[name.index("}") + 1 :] if name[:1] == "{" else name


def clean(text: str) -> str:
    return " ".join(str(text).split())


def no_doctype(element: etree._Element, path: Path) -> None:
    """Refuse any DOCTYPE: a census return has none, and its entities could inject records."""
    info = element.getroottree().docinfo
    if info.doctype or info.internalDTD is not None:
        raise DataError(path, 1, "DOCTYPE", "a census return has no DOCTYPE; refused")
