"""Errors that cscbench reports to users as one line, never as a traceback."""

from __future__ import annotations

from pathlib import Path


class CscbenchError(Exception):
    """Base class: an error whose message is fit to show a user as it is."""


class DataError(CscbenchError):
    """A problem in an input file, located by file, row and column.

    ``row`` is the line number in the file as a spreadsheet or text editor shows it
    (the header is line 1), so the user can go straight to it.

    Example:
        >>> str(DataError("b1.csv", 17, "At31_episodes", "'abc' is not a number"))
        "b1.csv, row 17, column 'At31_episodes': 'abc' is not a number"
    """

    def __init__(self, file: str | Path, row: int | None, column: str | None, message: str):
        path = Path(file)
        self.file = str(path) if path.is_dir() else path.name
        self.row = row
        self.column = column
        self.message = message
        where = [self.file]
        if row is not None:
            where.append(f"row {row}")
        if column is not None:
            where.append(f"column {column!r}")
        super().__init__(f"{', '.join(where)}: {message}")


class AreaNotFound(CscbenchError):
    """An authority name or code that matches nothing; the message lists the closest names."""


class UsageError(CscbenchError):
    """An argument that cannot be used as given (an unknown indicator, group or format)."""
