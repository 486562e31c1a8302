"""The pack's tables: ``tables.xlsx`` and a CSV file of each table.

A pack's workbook opens on a "Summary" (one row per indicator by theme: value, interval,
comparator average, region, England, rank, band, change and trend, each number a real number
formatted at the indicator's decimals; better and worse than England or the comparators in
words and in green or red by the indicator's polarity, never by the direction alone), then
"Notes" (the pack, the notes on the data, what each column means, sources, licence), then
every full table: "benchmark (all columns)", "narrative", "group", "inspections", "targets"
where the pack has them. The rows come from :mod:`cscbench.report.summary`.

Text is written as text: a workbook cell beginning ``=`` is never a live formula
(:data:`cscbench.output.WORKBOOK_OPTIONS`, and every text cell of the front sheets is written
as a string), and a CSV cell that a spreadsheet would read as one has a ``'`` put before it
(:func:`cscbench.output.text_safe`). In the workbook, flags are in words; the CSV files keep
their ids, for programs.

Example:
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> write_tables(folder, {"t": pl.DataFrame({"name": ["=HYPERLINK(1)"]})})
    >>> print((folder / "t.csv").read_text(), end="")
    name
    '=HYPERLINK(1)
    >>> value_format(1, "percent"), change_format(1, "percent"), value_format(0, "count")
    ('#,##0.0"%"', '+#,##0.0" pts";-#,##0.0" pts";0.0" pts"', '#,##0')
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from cscbench.analyses.engine import flag_label
from cscbench.datasets import manifest
from cscbench.datasets.registry import SHARES
from cscbench.datasets.snapshot import built_at
from cscbench.datasets.store import Source
from cscbench.output import fitted_widths, flatten, text_safe, workbook
from cscbench.report.content import PackContent
from cscbench.report.summary import BAD, COLUMNS, GOOD, SHEETS, notes_rows, summary_rows

#: The workbook's name for a table where it is not the table's own (its CSV keeps the name).
SHEET_NAMES = {key: sheet for key, (sheet, _) in SHEETS.items()}

#: Excel's own "Good" and "Bad" cell styles: light fill, dark text of the same colour.
COLOURS = {
    GOOD: {"bg_color": "#C6EFCE", "font_color": "#006100"},
    BAD: {"bg_color": "#FFC7CE", "font_color": "#9C0006"},
}
HEADER = {"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#D9D9D9", "bottom": 1}
WRAPPED = {"Measure", "Flags"}


def data_time(source: Source = None) -> datetime:
    """When the data were built (the snapshot's manifest), else ``SOURCE_DATE_EPOCH`` or now:
    the workbook's creation time, so that a pack made twice from the same data is the same
    file, byte for byte.

    Example:
        >>> data_time().year >= 2025
        True
    """
    found = manifest(source)
    stamp = found["built_at"] if found else built_at()
    return datetime.fromisoformat(stamp).astimezone(UTC).replace(tzinfo=None)


def in_words(frame: pl.DataFrame) -> pl.DataFrame:
    """``flags`` (a list of ids) as the words each stands for, where the frame has them.

    Example:
        >>> in_words(pl.DataFrame({"flags": [["spc_low"]]}))["flags"].to_list()
        [["below the lower process limit of the authority's own series"]]
    """
    if "flags" not in frame.columns or frame.schema["flags"] != pl.List(pl.String):
        return frame
    return frame.with_columns(
        pl.col("flags").list.eval(pl.element().map_elements(flag_label, pl.String))
    )


def _fixed(decimals: int) -> str:
    return "#,##0" + ("." + "0" * decimals if decimals else "")


def value_format(decimals: int, unit: str) -> str:
    """The Excel number format of a figure: thousands separated, ``decimals`` places, and a
    literal ``%`` after a percentage (the cell holds 21.3, not 0.213)."""
    return _fixed(decimals) + ('"%"' if unit in SHARES else "")


def change_format(decimals: int, unit: str) -> str:
    """The Excel number format of a 1-year change, signed: points at the indicator's decimals
    for a percentage, per cent to one place otherwise."""
    places, unit_text = (decimals, " pts") if unit in SHARES else (1, "%")
    fixed = _fixed(places)
    zero = fixed.removeprefix("#,##")
    return f'+{fixed}"{unit_text}";-{fixed}"{unit_text}";{zero}"{unit_text}"'


class _Formats:
    """The workbook's cell formats, each made once (xlsxwriter keeps every one it is given)."""

    def __init__(self, book) -> None:
        self.book, self.made = book, {}

    def __call__(self, **properties) -> object:
        key = tuple(sorted(properties.items()))
        if key not in self.made:
            self.made[key] = self.book.add_format({"valign": "top", **properties})
        return self.made[key]


def _cell_format(formats: _Formats, column, row: dict) -> object:
    """The format of one Summary cell: its number format and, for a judged cell and the
    value, the colour of its judgement (the value takes England's)."""
    properties: dict = {}
    if column.kind == "value":
        properties["num_format"] = value_format(row["_decimals"], row["_unit"])
    elif column.kind == "change":
        properties["num_format"] = change_format(row["_decimals"], row["_unit"])
    elif column.header in WRAPPED:
        properties["text_wrap"] = True
    judgement = row.get("vs England") if column.header == "Value" else row.get(column.header)
    if column.kind == "judged" or column.header == "Value":
        properties |= COLOURS.get(judgement, {})
    return formats(**properties)


def write_summary(book, formats: _Formats, rows: list[dict]) -> None:
    """The "Summary" sheet: a header row (frozen, filtered, repeated on every printed page),
    then ``rows``, numbers as numbers and text as text."""
    sheet = book.add_worksheet("Summary")
    header = formats(**HEADER)
    for c, column in enumerate(COLUMNS):
        sheet.write_string(0, c, column.header, header)
        sheet.set_column(c, c, column.width)
    for r, row in enumerate(rows, start=1):
        for c, column in enumerate(COLUMNS):
            value, fmt = row.get(column.header), _cell_format(formats, column, row)
            if value is None:
                sheet.write_blank(r, c, None, fmt)
            elif isinstance(value, str):
                sheet.write_string(r, c, value, fmt)
            else:
                sheet.write_number(r, c, value, fmt)
    sheet.set_row(0, 45)
    sheet.freeze_panes(1, 2)
    sheet.autofilter(0, 0, len(rows), len(COLUMNS) - 1)
    sheet.repeat_rows(0)
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 0)


def write_notes(book, formats: _Formats, rows: list[tuple[str, str]]) -> None:
    """The "Notes" sheet: (item, text) rows under a frozen header."""
    sheet = book.add_worksheet("Notes")
    header, text = formats(**HEADER), formats(text_wrap=True)
    sheet.write_string(0, 0, "Item", header)
    sheet.write_string(0, 1, "Text", header)
    for r, (item, said) in enumerate(rows, start=1):
        sheet.write_string(r, 0, item, text)
        sheet.write_string(r, 1, said, text)
    sheet.set_column(0, 0, 32)
    sheet.set_column(1, 1, 110)
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, len(rows), 1)


#: The full tables' header: bold on grey, ruled off (no wrap: the columns fit their names).
DATA_HEADER = {"bold": True, "bg_color": "#D9D9D9", "bottom": 1}


def column_format(dtype: pl.DataType) -> dict:
    """How a full table shows a column: decimals to three places, whole numbers whole, both
    black whatever their sign (a fall is not an alarm), dates as dates, the rest as it is.

    Example:
        >>> column_format(pl.Float64), column_format(pl.Int32), column_format(pl.Date)
        ({'num_format': '#,##0.000'}, {'num_format': '0'}, {'num_format': 'yyyy-mm-dd'})
    """
    if dtype.is_float():
        return {"num_format": "#,##0.000"}
    if dtype.is_integer():  # years, ranks and counts of authorities: 2025, not 2,025
        return {"num_format": "0"}
    if dtype.is_temporal():
        return {"num_format": "yyyy-mm-dd"}
    return {}


def _writer(sheet, dtype: pl.DataType):
    """The xlsxwriter method for a column's cells: numbers, text and booleans each by their
    own (``write`` tells the type of every cell again), anything else by ``write``. An empty
    text is a blank cell, as ``write`` makes it."""
    if dtype.is_numeric():
        return sheet.write_number
    if dtype == pl.String:

        def write_text(row: int, column: int, text: str, shown) -> None:
            if text:
                sheet.write_string(row, column, text, shown)
            else:
                sheet.write_blank(row, column, None, shown)

        return write_text
    if dtype == pl.Boolean:
        return sheet.write_boolean
    return sheet.write


def write_frame(book, formats: _Formats, name: str, frame: pl.DataFrame) -> None:
    """A full table on a sheet of its own, written a column at a time by xlsxwriter: a
    header row (frozen, filtered), numbers as numbers (:func:`column_format`), text as
    text, a missing figure an empty cell, columns as wide as xlsxwriter's autofit makes them
    (:func:`fitted_widths`).

    Half the time polars' ``write_excel`` takes for the same sheet (which also made each
    table an Excel table, shown negatives in red and years as 2,025).
    """
    sheet = book.add_worksheet(name)
    sheet.write_row(0, 0, frame.columns, formats(**DATA_HEADER))
    widths = fitted_widths(frame)
    for c, column in enumerate(frame.get_columns()):
        shown = formats(**column_format(column.dtype))
        sheet.set_column_pixels(c, c, widths[column.name])
        write = _writer(sheet, column.dtype)
        for r, value in enumerate(column.to_list(), start=1):
            if value is not None:  # a missing figure is an empty cell
                write(r, c, value, shown)
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, frame.height, max(frame.width - 1, 0))


def write_tables(
    folder: Path,
    tables: dict[str, pl.DataFrame],
    source: Source = None,
    content: PackContent | None = None,
) -> None:
    """``tables.xlsx`` and ``<name>.csv`` for each table, in ``folder``; with a pack's
    ``content``, the workbook opens on its Summary and Notes."""
    with workbook(folder / "tables.xlsx") as book:
        book.set_properties({"created": data_time(source)})
        formats = _Formats(book)
        if content is not None:
            write_summary(book, formats, summary_rows(content))
            write_notes(book, formats, notes_rows(content))
        for name, frame in tables.items():
            write_frame(book, formats, SHEET_NAMES.get(name, name)[:31], flatten(in_words(frame)))
    for name, frame in tables.items():
        text_safe(flatten(frame)).write_csv(folder / f"{name}.csv")
