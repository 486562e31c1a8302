"""The workbook's front sheets as data: the "Summary" (one row per indicator, by theme, in
the layout LAIT users know) and the "Notes" (the pack's notes, what each column means, the
sources and the licence). Pure functions of :class:`~cscbench.report.content.PackContent`;
:mod:`cscbench.report.workbook` writes them.

A comparison is judged by the indicator's polarity, never by the direction alone: above
England is *worse* for a re-referral rate (low is good) and *better* for the share of
child protection conferences held within 15 days (high is good); for a context measure
(neither is better) it is *higher* or *lower*, and is not coloured.

Example:
    >>> judged("above", "low_is_good"), judged("above", "high_is_good"), judged("above", "context")
    ('worse', 'better', 'higher')
    >>> judged("similar", "low_is_good"), judged(None, "high_is_good")
    ('similar', 'no interval')
"""

from __future__ import annotations

from dataclasses import dataclass

from cscbench.analyses.engine import flag_label
from cscbench.analyses.wording import compared_with, period, year_label
from cscbench.datasets import manifest
from cscbench.datasets.registry import INDICATORS, SHARES, SIZES
from cscbench.datasets.snapshot import LICENCE
from cscbench.report.content import PackContent, Section

#: How a figure of each unit is named in the Summary's unit column.
UNIT_WORDS = {
    "percent": "%",
    "fte_percent": "% of FTEs",
    "rate_per_10k": "per 10,000 children",
    "count": "number",
    "fte": "FTE",
    "caseload": "cases per social worker",
    "per_100": "per 100",
    "days": "working days",
    "score": "score",
}

#: The judgements a colour goes with (green, red); every other one is left uncoloured.
GOOD, BAD = "better", "worse"


#: Each full table's sheet (the workbook's name for it) and what it holds.
SHEETS = {
    "benchmark": (
        "benchmark (all columns)",
        "Every column the engine gives, one row per indicator, unrounded.",
    ),
    "narrative": ("narrative", "The pack's sentences, with the figures each used."),
    "group": ("group", "The comparator group's members in the year."),
    "targets": ("targets", "The authority's targets and where it stands against each."),
    "local_provisional": (
        "local_provisional",
        "The authority's own, provisional year against the latest published comparators.",
    ),
    "inspections": ("inspections", "Ofsted's latest judgements of the authority and its group."),
    "local_measures": (
        "local_measures",
        "The authority's own measures (its local measures file): each one's latest point, "
        "process limits, variation and assurance (Making Data Count) and DfE's figures beside "
        "the ones that match a national indicator.",
    ),
}


@dataclass(frozen=True)
class Column:
    """A Summary column: its header, how its cells are written (``text``; ``value``, at the
    indicator's decimals; ``change``, in points or per cent; ``judged``, a comparison in
    words, coloured), its width in characters, and what it means (for the Notes)."""

    header: str
    kind: str
    width: float
    meaning: str


COLUMNS = (
    Column("Theme", "text", 24, "The theme the indicator belongs to, in report order."),
    Column("Measure", "text", 46, "The indicator, as DfE's statistics name it."),
    Column("Unit", "text", 16, "What the figures measure ('%' is a percentage of children)."),
    Column(
        "Year",
        "text",
        16,
        "The reporting year of events in the year (2024-25: the year ending 31 March 2025), or "
        "the day children or staff were counted.",
    ),
    Column("Value", "value", 10, "The authority's figure, at the indicator's decimals."),
    Column("95% interval: low", "value", 10, "The lower end of the figure's 95% interval."),
    Column("95% interval: high", "value", 10, "The upper end of the figure's 95% interval."),
    Column("Comparator average", "value", 11, "The mean of the comparator group's figures."),
    Column("Region", "value", 10, "The authority's region's figure."),
    Column("England", "value", 10, "England's figure."),
    Column(
        "vs England",
        "judged",
        12,
        "The figure against England's by the 95% interval (England inside it: similar), said "
        "by the indicator's polarity: better (green), worse (red), similar; higher or lower "
        "where neither is better (a context measure, uncoloured); no interval for counts and "
        "DfE's workforce ratios. The Value cell has the same colour.",
    ),
    Column(
        "vs comparators",
        "judged",
        12,
        "The figure against the comparator average, judged as for England.",
    ),
    Column(
        "Rank in group (1 = highest)",
        "text",
        13,
        "The authority's place among itself and its comparators, highest first; counts are "
        "not ranked (they measure size).",
    ),
    Column(
        "Quartile band (A best)",
        "text",
        10,
        "DfE LAIT's band among all authorities: A is the best quarter by polarity; none for "
        "counts and context measures.",
    ),
    Column(
        "1-year change",
        "change",
        12,
        "The change from the year before: in percentage points (pts) for a percentage, in per "
        "cent (%) for a rate, a count or another figure.",
    ),
    Column(
        "Recent trend",
        "text",
        24,
        "OHID Fingertips' test of the recent trend, with whether it is improving or worsening "
        "by polarity.",
    ),
    Column("Flags", "text", 60, "The engine's flags and caveats, in words."),
)


def judged(side: str | None, polarity: str) -> str:
    """A comparison (``above``, ``below``, ``similar``, None) in words by ``polarity``."""
    if side is None:
        return "no interval"
    if side == "similar":
        return "similar"
    if polarity == "context":
        return "higher" if side == "above" else "lower"
    good = (side == "below") == (polarity == "low_is_good")
    return GOOD if good else BAD


def _side(row: dict, reference: str) -> str | None:
    """``above``/``below``/``similar`` of the value against ``reference`` (the engine's own
    ``england_comparison_95`` for England; the narrative's rule, the same test, for the
    comparator average); None where there is no interval or no figure."""
    if reference == "england":
        return row["england_comparison_95"]
    words = compared_with(
        row["value"], row[reference], row["ci95_low"], row["ci95_high"], *[None] * 2
    )
    return None if words is None else "similar" if words == "in line with" else words


def comparison_words(row: dict, reference: str) -> str:
    """The figure against ``reference`` (``england`` or ``comparator_mean``) in words.

    Example:
        >>> row = {"value": 25.0, "ci95_low": 23.0, "ci95_high": 27.0, "comparator_mean": 22.0,
        ...        "england": 22.0, "england_comparison_95": "above", "polarity": "low_is_good"}
        >>> comparison_words(row, "england"), comparison_words(row, "comparator_mean")
        ('worse', 'worse')
        >>> comparison_words(row | {"value": None}, "comparator_mean")
        'no figure'
    """
    if row["value"] is None or row[reference] is None:
        return "no figure"
    return judged(_side(row, reference), row["polarity"])


def rank_cell(row: dict) -> str | None:
    """'4 of 11'; a count is not ranked.

    Example:
        >>> rank_cell({"unit": "percent", "rank": 4, "rank_of": 11})
        '4 of 11'
    """
    if row["unit"] in SIZES:
        return "not ranked (a count)"
    return f"{row['rank']} of {row['rank_of']}" if row["rank"] else None


def change(row: dict) -> float | None:
    """The 1-year change: points for a percentage (at its decimals), per cent otherwise (to
    one decimal place).

    Example:
        >>> change({"indicator": "rereferral_pct", "change_1y": -1.26, "change_1y_pct": -5.4})
        -1.3
        >>> change({"indicator": "cla_rate", "change_1y": -3.0, "change_1y_pct": -3.3333})
        -3.3
    """
    if INDICATORS[row["indicator"]].unit in SHARES:
        return rounded(row["change_1y"], INDICATORS[row["indicator"]].decimals)
    return rounded(row["change_1y_pct"], 1)


def rounded(value: float | None, decimals: int) -> float | None:
    """``value`` to ``decimals`` places as the narrative writes it (Python's rounding of the
    exact binary value), so the cell shows the sentence's figure."""
    return None if value is None else round(value, decimals)


def trend_words(row: dict) -> str | None:
    """'decreasing (improving)', as the page says it."""
    if row["trend"] is None:
        return None
    return row["trend"] + (f" ({row['trend_assessment']})" if row["trend_assessment"] else "")


def summary_row(section: Section, year: int) -> dict:
    """One Summary row: the cells by column header, and (keys starting ``_``) what the writer
    formats them by: the indicator's decimals and unit."""
    ind = INDICATORS[section.indicator]
    cells: dict = {
        "Theme": section.theme[0].upper() + section.theme[1:],
        "Measure": ind.title,
        "Unit": UNIT_WORDS.get(ind.unit, ind.unit),
        "Year": period(year, section.indicator).removeprefix("at ").removeprefix("in "),
        "_decimals": ind.decimals,
        "_unit": ind.unit,
    }
    row = section.row
    if row is None:  # a DfE file with no figures that year
        return cells | {"Flags": " ".join(section.sentences)}
    d = ind.decimals
    return cells | {
        "Value": rounded(row["value"], d),
        "95% interval: low": rounded(row["ci95_low"], d),
        "95% interval: high": rounded(row["ci95_high"], d),
        "Comparator average": rounded(row["comparator_mean"], d),
        "Region": rounded(row["region"], d),
        "England": rounded(row["england"], d),
        "vs England": comparison_words(row, "england"),
        "vs comparators": comparison_words(row, "comparator_mean"),
        "Rank in group (1 = highest)": rank_cell(row),
        "Quartile band (A best)": row["quartile_band"],
        "1-year change": change(row),
        "Recent trend": trend_words(row),
        "Flags": "; ".join(flag_label(f) for f in row["flags"] or []) or None,
    }


def summary_rows(content: PackContent) -> list[dict]:
    """The Summary's rows, one per indicator by theme in report order (a DfE file with no
    figures that year says so in its rows' flags).

    Example:
        >>> from cscbench.report.content import pack_content
        >>> rows = summary_rows(pack_content("Derby", year=2025))
        >>> row = rows[1]
        >>> row["Measure"], row["Value"], row["vs England"], row["Rank in group (1 = highest)"]
        ('Referrals per 10,000 children', 572.7, 'higher', '4 of 11')
    """
    return [summary_row(s, content.year) for s in content.sections]


def notes_rows(content: PackContent) -> list[tuple[str, str]]:
    """The Notes sheet as (item, text) pairs: the pack, its comparator group, the notes on
    the data, what each Summary column means, the sources and the licence.

    Example:
        >>> from cscbench.report.content import pack_content
        >>> rows = notes_rows(pack_content("Derby", year=2025))
        >>> rows[0], rows[-1][0]
        (('Authority', 'Derby'), 'Licence')
    """
    members = ", ".join(content.members["area_name"].to_list())
    rows = [
        ("Authority", content.focus["area_name"]),
        ("Year", f"{year_label(content.year)} (year ending 31 March {content.year})"),
        ("Region", content.focus["region_name"]),
        ("Comparator group", content.table["group"][0] if content.table.height else ""),
        ("Comparators", members),
    ]
    rows += [("Note on the data", note) for note in content.notes]
    rows += [(f"Column: {c.header}", c.meaning) for c in COLUMNS]
    rows += [(f"Sheet: {SHEETS[name][0]}", SHEETS[name][1]) for name in content.tables()]
    found = manifest(content.source)
    if found:
        rows.append(("Data built", found["built_at"]))
        rows += [
            (
                "Source",
                f"{f.get('publication', '')}: {f['title']} ({f['file']}, {f.get('rows')} rows, "
                f"sha256 {f.get('sha256')})",
            )
            for f in found["sources"]
        ]
    else:
        rows.append(("Source", f"DfE's files read directly from {content.source}"))
    rows.append(("Licence", LICENCE))
    return rows
