"""The authority's own Children in Need census return (DfE's XML), read into tidy tables.

The return is the child-level file an authority sends DfE each year::

    Message
      Header > CollectionDetails (Collection, Year, ReferenceDate), Source (LEA, ...)
      Children > Child
        ChildIdentifiers: LAchildID, UPN, PersonBirthDate, GenderCurrent or Sex (from 2024)...
        ChildCharacteristics: Ethnicity, Disabilities
        CINdetails (one per episode): CINreferralDate, ReferralSource, PrimaryNeedCode,
          CINclosureDate, ReasonForClosure, DateOfInitialCPC, ReferralNFA,
          CINPlanDates (from 2022), Assessments (+ FactorsIdentifiedAtAssessment),
          Section47, ChildProtectionPlans (CPPstartDate, CPPendDate, InitialCategoryOfAbuse,
          LatestCategoryOfAbuse, NumberOfPreviousCPP, Reviews > CPPreviewDate)

:func:`read_return` parses it as a stream (each child is read, turned into rows and
discarded, so memory stays bounded whatever the file's size) into polars tables: ``children``,
``episodes``, ``assessments`` (and their ``factors``), ``section47``, ``plans`` (protection),
``cin_plans`` (child in need plans, recorded from 2022), ``reviews``, and ``problems``: every
child, episode or plan that breaks a required field or a date order, with the child's id, the
field and the reason. A row with a problem is kept, marked ``valid = false``, and left out of
the figures that need that field (:mod:`cscbench.analyses.local`), never silently.

Example:
    >>> import os, tempfile
    >>> from cscbench.datasets.synthetic_census import write_return
    >>> path = os.path.join(tempfile.mkdtemp(), "cin.xml")
    >>> _ = write_return(path, la_code="831", year=2025, children=50, seed=1)
    >>> census = read_return(path)
    >>> census.la_code, census.year, census.children.height
    ('831', 2025, 50)
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

import polars as pl
from lxml import etree

from cscbench.datasets import limits
from cscbench.datasets.census_rules import (
    BEFORE_BIRTH,
    clean,
    earliest,
    no_doctype,
    parse_date,
    plausible,
)
from cscbench.errors import DataError, UsageError

DATE = pl.Date
SCHEMAS: dict[str, dict[str, pl.DataType]] = {
    "children": {
        "child_id": pl.String,
        "birth_date": DATE,
        "sex": pl.String,
        "ethnicity": pl.String,
    },
    "episodes": {
        "child_id": pl.String,
        "episode": pl.Int32,
        "referral_date": DATE,
        "referral_source": pl.String,
        "primary_need": pl.String,
        "closure_date": DATE,
        "closure_reason": pl.String,
        "nfa": pl.Boolean,
        "valid": pl.Boolean,
    },
    "assessments": {
        "child_id": pl.String,
        "episode": pl.Int32,
        "assessment": pl.Int32,
        "start_date": DATE,
        "authorised_date": DATE,
    },
    "factors": {
        "child_id": pl.String,
        "episode": pl.Int32,
        "assessment": pl.Int32,
        "factor": pl.String,
    },
    "section47": {
        "child_id": pl.String,
        "episode": pl.Int32,
        "start_date": DATE,
        "icpc_date": DATE,
        "icpc_not_required": pl.Boolean,
    },
    "plans": {
        "child_id": pl.String,
        "episode": pl.Int32,
        "start_date": DATE,
        "end_date": DATE,
        "initial_category": pl.String,
        "latest_category": pl.String,
        "previous_plans": pl.Int32,
        "valid": pl.Boolean,
    },
    "cin_plans": {
        "child_id": pl.String,
        "episode": pl.Int32,
        "start_date": DATE,
        "end_date": DATE,
    },
    "reviews": {"child_id": pl.String, "episode": pl.Int32, "review_date": DATE},
    "problems": {
        "child_id": pl.String,
        "episode": pl.Int32,
        "section": pl.String,
        "field": pl.String,
        "reason": pl.String,
    },
}

TRUE = {"true", "1", "y", "yes"}
FALSE = {"false", "0", "n", "no"}


@dataclass(frozen=True)
class CensusReturn:
    """One authority's census return as tables (see the module's documentation)."""

    file: str
    la_code: str
    year: int
    reference_date: dt.date
    children: pl.DataFrame
    episodes: pl.DataFrame
    assessments: pl.DataFrame
    factors: pl.DataFrame
    section47: pl.DataFrame
    plans: pl.DataFrame
    cin_plans: pl.DataFrame
    reviews: pl.DataFrame
    problems: pl.DataFrame

    @property
    def year_start(self) -> dt.date:
        """The first day of the collection year (1 April)."""
        return dt.date(self.reference_date.year - 1, 4, 1)


def _tag(element: etree._Element) -> str:
    """The element's name without a namespace ('' for a comment)."""
    tag = element.tag
    if not isinstance(tag, str):
        return ""
    return tag[tag.index("}") + 1 :] if tag[:1] == "{" else tag


def _text(parent: etree._Element | dict | None, name: str) -> str | None:
    """The text of ``parent``'s first child ``name`` (or a dict of :func:`_parts`)."""
    if parent is None:
        return None
    if isinstance(parent, dict):
        return parent.get(name)
    for child in parent:
        if _tag(child) == name:
            text = (child.text or "").strip()
            return text or None
    return None


def _parts(element: etree._Element) -> tuple[dict[str, str | None], dict[str, list]]:
    """In one pass over ``element``'s children: the text of the first of each tag, and the
    children by tag."""
    leaves: dict[str, str | None] = {}
    groups: dict[str, list] = {}
    longest = limits.CENSUS_FIELD_CHARS
    for child in element:
        tag = _tag(child)
        groups.setdefault(tag, []).append(child)
        if tag not in leaves:
            text = child.text  # _leaf, inlined: this runs for every field of every child
            if text is not None:
                text = text.strip()
                if len(text) > longest:
                    raise _TooLong(child, len(text))
            leaves[tag] = text or None
    return leaves, groups


class _TooLong(Exception):
    """A field beyond :data:`limits.CENSUS_FIELD_CHARS`, raised where it is read."""

    def __init__(self, element: etree._Element, length: int):
        self.element, self.length = element, length


def _leaf(element: etree._Element) -> str | None:
    """An element's text, stripped (None if empty); a field over the limit raises."""
    text = element.text
    if text is None:
        return None
    text = text.strip()
    if len(text) > limits.CENSUS_FIELD_CHARS:
        raise _TooLong(element, len(text))
    return text or None


class _Child:
    """Rows and problems of one child, with the helpers that check each field."""

    def __init__(
        self, child_id: str, rows: dict[str, list], number: int, reference: dt.date | None
    ):
        self.id = child_id
        self.rows = rows
        self.number = number
        self.reference = reference
        self.earliest = earliest(reference) if reference is not None else None

    def problem(self, episode: int | None, section: str, field: str, reason: str) -> None:
        self.rows["problems"].append(
            {
                "child_id": self.id,
                "episode": episode,
                "section": section,
                "field": field,
                "reason": reason,
            }
        )

    def date(
        self, parent: etree._Element | dict, name: str, episode: int | None, section: str
    ) -> tuple[dt.date | None, bool]:
        """(the date, or None; False if the field is present but not a date, or a date outside
        the :func:`plausible` span of the return)."""
        text = _text(parent, name)
        if text is None:
            return None, True
        when = parse_date(text)
        if when is None:
            self.problem(episode, section, name, f"{text!r} is not a date (YYYY-MM-DD)")
            return None, False
        if self.earliest is not None and not self.earliest <= when <= self.reference:
            self.problem(episode, section, name, plausible(when, self.reference))
            return None, False
        return when, True

    def span(
        self, fields: dict, start_name: str, end_name: str, episode: int, section: str
    ) -> tuple[dt.date | None, dt.date | None, bool]:
        """(start, end, valid) of a dated span: the start is required and the end, if any,
        may not come before it; each problem is recorded."""
        start, start_ok = self.date(fields, start_name, episode, section)
        end, end_ok = self.date(fields, end_name, episode, section)
        if start is None and start_ok:
            self.problem(episode, section, start_name, "missing (required)")
        if start is not None and end is not None and end < start:
            self.problem(episode, section, end_name, f"{end} is before {start_name} ({start})")
            end_ok = False
        return start, end, start is not None and end_ok

    def flag(
        self, parent: etree._Element | dict, name: str, episode: int | None, section: str
    ) -> bool | None:
        text = _text(parent, name)
        if text is None:
            return None
        if text.lower() in TRUE:
            return True
        if text.lower() in FALSE:
            return False
        self.problem(episode, section, name, f"{text!r} is not true or false")
        return None


def _read_child(
    element: etree._Element, number: int, rows: dict[str, list], reference: dt.date | None
) -> None:
    _, groups = _parts(element)
    ids, _ = _parts(groups["ChildIdentifiers"][0]) if "ChildIdentifiers" in groups else ({}, {})
    child_id = ids.get("LAchildID")
    child = _Child(child_id or f"(child {number}, no LAchildID)", rows, number, reference)
    if child_id is None:
        child.problem(None, "ChildIdentifiers", "LAchildID", "missing: the child is left out")
        return
    birth, _ = child.date(ids, "PersonBirthDate", None, "ChildIdentifiers")
    traits = groups.get("ChildCharacteristics")
    rows["children"].append(
        {
            "child_id": child_id,
            "birth_date": birth,
            "sex": ids.get("Sex") or ids.get("GenderCurrent"),
            "ethnicity": _text(traits[0], "Ethnicity") if traits else None,
        }
    )
    for episode, details in enumerate(groups.get("CINdetails", ()), start=1):
        _read_episode(child, episode, details, rows, birth)


def _read_episode(
    child: _Child, episode: int, element: etree._Element, rows: dict, birth: dt.date | None
) -> None:
    section = "CINdetails"
    details, blocks = _parts(element)
    referral, closure, valid = child.span(
        details, "CINreferralDate", "CINclosureDate", episode, section
    )
    if referral is not None and birth is not None and birth - referral > BEFORE_BIRTH:
        child.problem(
            episode,
            section,
            "CINreferralDate",
            f"{referral} is more than nine months before the child's birth ({birth})",
        )
        valid = False
    nfa = child.flag(details, "ReferralNFA", episode, section)
    if nfa is None and _text(details, "ReferralNFA") is None:
        child.problem(episode, section, "ReferralNFA", "missing (required): not in nfa_pct")
    rows["episodes"].append(
        {
            "child_id": child.id,
            "episode": episode,
            "referral_date": referral,
            "referral_source": _text(details, "ReferralSource"),
            "primary_need": _text(details, "PrimaryNeedCode"),
            "closure_date": closure,
            "closure_reason": _text(details, "ReasonForClosure"),
            "nfa": nfa,
            "valid": valid,
        }
    )
    for n, block in enumerate(blocks.get("Assessments", ()), start=1):
        fields, inner = _parts(block)
        start, _ = child.date(fields, "AssessmentActualStartDate", episode, "Assessments")
        done, _ = child.date(fields, "AssessmentAuthorisationDate", episode, "Assessments")
        rows["assessments"].append(
            {
                "child_id": child.id,
                "episode": episode,
                "assessment": n,
                "start_date": start,
                "authorised_date": done,
            }
        )
        for group in inner.get("FactorsIdentifiedAtAssessment", ()):
            for factor in group:
                text = _leaf(factor)
                if text:
                    rows["factors"].append(
                        {"child_id": child.id, "episode": episode, "assessment": n, "factor": text}
                    )
    for element47 in blocks.get("Section47", ()):
        block, _ = _parts(element47)
        start, _ = child.date(block, "S47ActualStartDate", episode, "Section47")
        icpc, _ = child.date(block, "DateOfInitialCPC", episode, "Section47")
        rows["section47"].append(
            {
                "child_id": child.id,
                "episode": episode,
                "start_date": start,
                "icpc_date": icpc,
                "icpc_not_required": child.flag(block, "ICPCnotRequired", episode, "Section47"),
            }
        )
    for dates in blocks.get("CINPlanDates", ()):  # from 2022
        fields, _ = _parts(dates)
        start, end, _ = child.span(
            fields, "CINPlanStartDate", "CINPlanEndDate", episode, "CINPlanDates"
        )
        rows["cin_plans"].append(
            {"child_id": child.id, "episode": episode, "start_date": start, "end_date": end}
        )
    for block in blocks.get("ChildProtectionPlans", ()):
        _read_plan(child, episode, block, rows)


def _read_plan(child: _Child, episode: int, element: etree._Element, rows: dict) -> None:
    section = "ChildProtectionPlans"
    block, inner = _parts(element)
    start, end, valid = child.span(block, "CPPstartDate", "CPPendDate", episode, section)
    previous_text = _text(block, "NumberOfPreviousCPP")
    previous = None
    if previous_text is not None:
        if re.fullmatch(r"[0-9]{1,3}", previous_text):  # ASCII digits: not '²', not 10^20
            previous = int(previous_text)
        else:
            child.problem(
                episode,
                section,
                "NumberOfPreviousCPP",
                f"{previous_text[:40]!r} is not a count of earlier plans (0 to 999)",
            )
    rows["plans"].append(
        {
            "child_id": child.id,
            "episode": episode,
            "start_date": start,
            "end_date": end,
            "initial_category": _text(block, "InitialCategoryOfAbuse"),
            "latest_category": _text(block, "LatestCategoryOfAbuse"),
            "previous_plans": previous,
            "valid": valid,
        }
    )
    for reviews in inner.get("Reviews", ()):
        for review in reviews:
            text = _leaf(review) or ""
            when = parse_date(text)
            wrong = f"{text!r} is not a date" if when is None else plausible(when, child.reference)
            if wrong:
                child.problem(episode, "Reviews", _tag(review), wrong)
                continue
            rows["reviews"].append({"child_id": child.id, "episode": episode, "review_date": when})


#: Children read before their rows are packed into polars frames.
BATCH = 10_000


def _pack(rows: dict[str, list], done: dict[str, list[pl.DataFrame]]) -> None:
    """Move the rows gathered so far into polars frames (compact), emptying the lists."""
    for name, schema in SCHEMAS.items():
        if rows[name]:
            done[name].append(pl.DataFrame(rows[name], schema=schema))
            rows[name].clear()


def _header(element: etree._Element, path: Path) -> tuple[str, int, dt.date]:
    details = next((c for c in element if _tag(c) == "CollectionDetails"), None)
    source = next((c for c in element if _tag(c) == "Source"), None)
    la_code = _text(source, "LEA")
    year_text = _text(details, "Year")
    reference = _text(details, "ReferenceDate")
    line = element.sourceline
    if la_code is None:
        raise DataError(path, line, "Header/Source/LEA", "missing: the return must name its LA")
    if not re.fullmatch(r"[0-9]{3}", la_code):
        raise DataError(path, line, "Header/Source/LEA", f"{la_code[:40]!r} is not a 3-digit code")
    if year_text is None or not re.fullmatch(r"[0-9]{4}", year_text):
        shown = "missing" if year_text is None else f"{year_text[:40]!r} is"
        raise DataError(path, line, "Header/CollectionDetails/Year", f"{shown} not a year")
    year = int(year_text)
    if year > dt.date.today().year + 1:
        raise DataError(
            path, line, "Header/CollectionDetails/Year", f"{year} is a year not yet begun"
        )
    when = parse_date(reference) if reference else dt.date(year, 3, 31)
    field = "Header/CollectionDetails/ReferenceDate"
    if when is None:
        raise DataError(path, line, field, f"{reference[:40]!r} is not a date (YYYY-MM-DD)")
    if when != dt.date(year, 3, 31):
        raise DataError(
            path, line, field, f"{when} is not 31 March of the collection Year ({year})"
        )
    return la_code, year, when


def read_return(path: str | Path) -> CensusReturn:
    """Read a Children in Need census return (streaming; see the module's documentation)."""
    path = Path(path)
    if not path.is_file():
        raise UsageError(f"{path}: no such file")
    limits.check_size(path, limits.CENSUS_BYTES, "a census return")
    rows: dict[str, list] = {name: [] for name in SCHEMAS}
    done: dict[str, list[pl.DataFrame]] = {name: [] for name in SCHEMAS}
    header = None
    number = 0
    # lxml's iterparse hands over only the Header and each Child, parsed in C; each child is
    # cleared and unlinked once read, and the rows are packed into polars frames every
    # BATCH children, so memory stays bounded whatever the file's size. No DOCTYPE is
    # accepted (entities could inject records); libxml2's own limits stay on (no huge_tree).
    events = etree.iterparse(
        str(path),
        events=("end",),
        tag=("{*}Header", "{*}Child"),
        resolve_entities=False,  # an entity stays a reference: it cannot add a record
        load_dtd=False,
        no_network=True,
    )
    try:
        for _, element in events:
            if number == 0 and header is None:  # the prolog has been read: no DOCTYPE
                no_doctype(element, path)
            if _tag(element) == "Header":
                if header is not None:
                    raise DataError(
                        path, element.sourceline, "Header", "appears twice: a return has one"
                    )
                header = _header(element, path)
            else:
                number += 1
                _read_child(element, number, rows, header[2] if header else None)
                if number % BATCH == 0:
                    _pack(rows, done)
            element.clear()
            while element.getprevious() is not None:
                del element.getparent()[0]
    except _TooLong as exc:
        raise DataError(
            path,
            exc.element.sourceline,
            _tag(exc.element),
            f"a field of {exc.length:,} characters; at most {limits.CENSUS_FIELD_CHARS:,} are read",
        ) from None
    except etree.XMLSyntaxError as exc:
        line, column = exc.position
        raise DataError(
            path, line, f"character {column}", f"not well-formed XML ({clean(exc.msg)})"
        ) from None
    if _tag(events.root) != "Message":
        raise DataError(path, None, _tag(events.root), "not a census return: expected <Message>")
    no_doctype(events.root, path)
    if header is None:
        raise DataError(path, None, "Header", "missing: the return needs its Header")
    la_code, year, reference = header
    _pack(rows, done)
    tables = {
        name: pl.concat(done[name]) if done[name] else pl.DataFrame(schema=schema)
        for name, schema in SCHEMAS.items()
    }
    duplicated = tables["children"].filter(pl.col("child_id").is_duplicated())
    if duplicated.height:
        first = duplicated["child_id"][0]
        raise DataError(path, None, "LAchildID", f"{first!r} appears for more than one child")
    return CensusReturn(str(path), la_code, year, reference, **tables)
