"""The pack's tables: ``tables.xlsx`` (a sheet per table) and a CSV file of each.

Text is written as text: a workbook cell beginning ``=`` is never a live formula
(:data:`cscbench.output.WORKBOOK_OPTIONS`), and a CSV cell that a spreadsheet would read as
one has a ``'`` put before it (:func:`cscbench.output.text_safe`). In the workbook, flags are
in words; the CSV files keep their ids, for programs.

Example:
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> write_tables(folder, {"t": pl.DataFrame({"name": ["=HYPERLINK(1)"]})})
    >>> print((folder / "t.csv").read_text(), end="")
    name
    '=HYPERLINK(1)
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from cscbench.analyses.engine import flag_label
from cscbench.datasets import manifest
from cscbench.datasets.snapshot import built_at
from cscbench.datasets.store import Source
from cscbench.output import flatten, text_safe, workbook


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


def write_tables(folder: Path, tables: dict[str, pl.DataFrame], source: Source = None) -> None:
    """``tables.xlsx`` and ``<name>.csv`` for each table, in ``folder``."""
    with workbook(folder / "tables.xlsx") as book:
        book.set_properties({"created": data_time(source)})
        for name, frame in tables.items():
            flatten(in_words(frame)).write_excel(book, worksheet=name[:31], autofit=True)
    for name, frame in tables.items():
        text_safe(flatten(frame)).write_csv(folder / f"{name}.csv")
