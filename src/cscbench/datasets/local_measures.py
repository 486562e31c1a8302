"""The authority's own monthly and quarterly measures: the local measures file, read and checked.

Most of a safeguarding annual report is figures no national data set holds: early help,
contacts, missing episodes and return interviews, exploitation, LADO referrals, private
fostering, elective home education, training, audits, timeliness by month. A **local measures
file** holds them, one row per measure and period, as CSV or as the first sheet of an Excel
workbook (``.xlsx``; a sheet named ``measures`` is used if there is one; header on row 1):

============  ================================================================================
column        what it holds
============  ================================================================================
measure       the measure's id: lower-case letters, digits and ``_`` (``lado_referrals``). An
              id from ``cscbench indicators`` (``rereferral_pct``) is DfE's indicator measured
              locally: its unit is DfE's, and its title and polarity default to DfE's
title         what is measured, as a report names it
unit          ``count``, ``percent``, ``rate_per_10k`` (or ``rate per 10,000``), ``days`` or
              ``score``; a rate is for its period (a month's events per 10,000 children), not
              annualised; figures are never negative
polarity      ``high_is_good``, ``low_is_good`` or ``context`` (neither; also ``higher is
              better``, ``lower is better``, ``neither``)
theme         the part of the report it belongs to (``Early help``, ``Missing and
              exploitation``...)
frequency     optional: ``month``, ``quarter`` or ``year`` (else read from the periods)
definition    optional: how the measure is counted
national      optional: the DfE indicator it matches (``rereferral_pct``): the latest
              published England and comparator figures are set beside it
period        a month ``2024-04`` (also ``Apr 2024``, or a date cell on the 1st of the month,
              as Excel turns ``2024-04`` into 1 April 2024), a quarter of the financial year
              ``2024-25 Q1`` (April to June 2024) or a financial year ``2024-25``
value         the figure; or
numerator,    the counts it is worked from (``value`` = numerator / denominator x 100 for a
denominator   percentage, x 10,000 for a rate; a mean for days or a score). Given both, the
              value must be what the counts give, to its own decimals
note          optional: a note on the point ("system change, figures incomplete")
change        optional: a change point. Text on a row ("new front door model") says the
              process changed from that period: SPC limits are worked again from it
============  ================================================================================

The measure's details (title to national) are given on its first row and may be left blank on
the rest; where repeated they must agree. A row with a measure and no period defines the
measure only (``cscbench local template`` writes one such row per measure). A period with no
figure must say why in its note: the point is kept, as missing, never dropped.

Checks (every bad row is reported by ``cscbench local check FILE``, with its file, row and
column; nothing is dropped or coerced): an unknown column; a measure id that is not an id; a
title, unit, polarity or theme missing or disagreeing with the measure's earlier rows; a unit
that is not DfE's for a DfE indicator or for the ``national`` match; a period that cannot be
read, or of another frequency than the measure's, or repeated, or after a gap; a number that
is not a number, negative, or not whole for a count; a numerator over its denominator (or a
percentage over 100); a denominator of 0 or a numerator without its denominator; a value that
disagrees with its counts; a figure without a period; no figure and no note; a change point
on a measure's first period; text starting ``=``, ``+`` or ``@`` (a spreadsheet formula).

Example:
    >>> import os, tempfile
    >>> p = os.path.join(tempfile.mkdtemp(), "m.csv")
    >>> _ = open(p, "w").write(
    ...     "measure,title,unit,polarity,theme,period,numerator,denominator\\n"
    ...     "ri_72h_pct,Return interviews in 72 hours (%),percent,high_is_good,Missing,"
    ...     "2024-04,41,50\\n"
    ...     "ri_72h_pct,,,,,2024-06,45,50\\n")
    >>> check_measures(p).select("row", "column", "problem").row(0)
    (3, 'period', 'gap: no row for 2024-05 (after 2024-04, row 2)')
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from cscbench.datasets.local_periods import financial_year, period_start
from cscbench.datasets.local_rules import (
    COLUMNS,
    DETAILS,
    FIGURES,
    FORMULA,
    ID,
    TEXT,
    UNITS,
    details,
    figures,
    numbers,
    periods,
    problem,
    sequence,
)
from cscbench.errors import DataError, UsageError

__all__ = ["COLUMNS", "UNITS", "LocalMeasures", "check_measures", "read_measures"]

#: What one unit multiplies numerator / denominator by.
MAX_BYTES = 64 * 2**20  # far more than any authority's measures; a bigger file is refused


@dataclass(frozen=True)
class LocalMeasures:
    """A checked measures file: one row per measure, and one per point.

    ``measures``: measure, title, unit, polarity, theme, frequency, definition, national
    (the matched DfE indicator or null), row (its first row). ``points``: measure, row,
    period (as written canonically), start (first day), year (financial year ending
    31 March), index (consecutive periods differ by 1), value, numerator, denominator, note,
    change; in file order of measures, then period order.
    """

    path: Path
    measures: pl.DataFrame
    points: pl.DataFrame


# --- Reading ------------------------------------------------------------------------------------


def _table(path: Path) -> pl.DataFrame:
    """Every cell as text, with the row number a spreadsheet shows (the header is row 1)."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise UsageError(f"{path.name}: cannot be read ({exc.strerror})") from None
    if size > MAX_BYTES:
        raise DataError(path, None, None, f"is {size / 2**20:.0f} MB: too large to be a "
                        f"measures file (at most {MAX_BYTES // 2**20} MB); refused")  # fmt: skip
    if path.suffix.lower() == ".xlsx":
        frame = _excel(path)
    else:
        from cscbench.datasets.csvfile import read_text_table

        frame = read_text_table(path).rename({"_line": "row"})
    frame = frame.rename(lambda c: c if c == "row" else c.strip().lower())
    return frame.with_columns(
        pl.col(c).str.strip_chars().replace("", None) for c in frame.columns if c != "row"
    )


def _excel(path: Path) -> pl.DataFrame:
    import fastexcel

    try:
        book = fastexcel.read_excel(str(path))
        sheet = "measures" if "measures" in book.sheet_names else book.sheet_names[0]
        frame = book.load_sheet(sheet, dtypes="string").to_polars()
    except Exception as exc:  # fastexcel raises its own errors for a file that is not a workbook
        raise DataError(path, None, None, f"not a readable Excel workbook ({exc})") from None
    frame = frame.select(pl.all().cast(pl.String))
    return frame.with_columns(pl.int_range(2, frame.height + 2, dtype=pl.Int64).alias("row"))


def _parse(path: Path) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """(measures, points, problems) of a measures file."""
    frame = _table(path)
    for column in ("measure", "period"):
        if column not in frame.columns:
            raise DataError(path, 1, column, "missing: the header needs measure and period")
    if not {"value", "numerator"} & set(frame.columns):
        raise DataError(path, 1, "value", "missing: give value, or numerator and denominator")
    problems: list[pl.DataFrame] = [
        pl.DataFrame(
            {"row": [1], "column": [c], "problem": [f"not a column of a measures file (those "
                                                     f"are: {', '.join(COLUMNS)})"]},
            schema={"row": pl.Int64, "column": pl.String, "problem": pl.String},
        )
        for c in frame.columns
        if c not in (*COLUMNS, "row")
    ]  # fmt: skip
    for name in COLUMNS:
        if name not in frame.columns:
            frame = frame.with_columns(pl.lit(None, pl.String).alias(name))
    frame = frame.select(*COLUMNS, "row")
    frame = frame.filter(~pl.all_horizontal(pl.col(c).is_null() for c in COLUMNS))
    for name in TEXT:
        problems.append(
            problem(frame, pl.col(name).str.contains(f"^(?:{FORMULA.pattern})").fill_null(False),
                     name, "starts like a spreadsheet formula (=, +, - or @): refused")
        )  # fmt: skip
    problems.append(problem(frame, pl.col("measure").is_null(), "measure", "no measure id"))
    problems.append(
        problem(frame, pl.col("measure").is_not_null() & ~pl.col("measure").str.contains(
            f"^{ID.pattern}$"), "measure",
            pl.format("{} is not an id: lower-case letters, digits and _, starting with a letter",
                      pl.col("measure").str.slice(0, 40)))
    )  # fmt: skip
    rows = frame.filter(pl.col("measure").str.contains(f"^{ID.pattern}$").fill_null(False))
    measures = details(rows, problems)
    figured = pl.any_horizontal(pl.col(c).is_not_null() for c in (*FIGURES, "note", "change"))
    problems.append(
        problem(rows, pl.col("period").is_null() & figured, "period", "a figure needs a period")
    )
    rows = rows.filter(pl.col("period").is_not_null()).drop(*DETAILS)
    rows = rows.join(
        measures.select("measure", "unit").with_row_index("measure_order"),
        on="measure",
        how="left",
    )
    rows = periods(rows, measures, problems)
    rows = figures(numbers(rows, problems), problems)
    points = sequence(rows.filter(pl.col("index").is_not_null()), problems)
    points = points.select(
        "measure", "row", pl.col("label").alias("period"), "kind", "index",
        pl.col("figure").alias("value"), pl.col("numerator_n").alias("numerator"),
        pl.col("denominator_n").alias("denominator"), "note", "change",
    )  # fmt: skip
    found = pl.concat([p.cast({"row": pl.Int64}) for p in problems]).unique().sort("row", "column")
    found = found.select(pl.lit(path.name).alias("file"), "row", "column", "problem")
    return measures, points, found


def check_measures(path: str | Path) -> pl.DataFrame:
    """Every problem in a measures file (file, row, column, problem), in row order; an empty
    frame when the file is good. A file that cannot be read at all stops with one line."""
    return _parse(Path(path))[2]


def read_measures(path: str | Path) -> LocalMeasures:
    """A measures file, checked: its measures and points. Any problem stops with the first
    one, as one line naming the file, row and column, and how many more there are."""
    path = Path(path)
    measures, points, problems = _parse(path)
    if problems.height:
        first = problems.row(0, named=True)
        more = problems.height - 1
        tail = f" (and {more} more: see 'cscbench local check {path.name}')" if more else ""
        raise DataError(path, first["row"], first["column"], first["problem"] + tail)
    kinds = dict(points.select("measure", "kind").unique().iter_rows())
    measures = measures.with_columns(
        pl.coalesce("frequency", pl.col("measure").replace_strict(kinds, default=None)).alias(
            "frequency"
        )
    )
    periods = points.select("kind", "index").unique()
    periods = periods.with_columns(
        pl.Series("start", [period_start(*p) for p in periods.iter_rows()], dtype=pl.Date),
        pl.Series("year", [financial_year(*p) for p in periods.iter_rows()], dtype=pl.Int32),
    )
    points = points.join(periods, on=["kind", "index"], maintain_order="left").select(
        "measure", "row", "period", "start", "year", "index", "value", "numerator",
        "denominator", "note", "change",
    )  # fmt: skip
    return LocalMeasures(path, measures, points)
