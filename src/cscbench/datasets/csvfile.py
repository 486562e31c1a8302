"""Reading DfE CSV files: byte-order marks, repeated headers, DfE data symbols.

Every cell is read as text first; numbers are parsed afterwards, column by column, so that a
withheld value keeps its DfE symbol and a malformed cell stops with its file, row and column.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from pathlib import Path

import polars as pl

from cscbench.datasets import limits
from cscbench.errors import DataError

#: DfE and GSS data symbols, with their meaning (DfE analysts' guide, "Data symbols"), worded
#: to sit in a sentence's brackets: "DfE did not publish ... (confidential, to protect
#: individuals)".
#: ``:`` and ``~`` are the legacy forms of ``x`` and ``low``; ``k`` is read as ``low`` by DfE's
#: own CSC dashboard. A cell holding one of these is a withheld value, never a zero.
SYMBOLS: dict[str, str] = {
    "c": "confidential, to protect individuals",
    "x": "unavailable for other reasons",
    "z": "not applicable",
    "low": "rounds to zero but is not zero",
    "u": "low reliability, for example missing returns",
    "k": "rounds to zero but is not zero, in older files",
    ":": "unavailable, in older files",
    "~": "rounds to zero but is not zero, in older files",
}

PUBLISHED = "published"
LINE = "_line"

_BOM = b"\xef\xbb\xbf"


def read_text_table(
    path: str | Path,
    required: Sequence[str] = (),
    repeated: dict[str, int] | None = None,
) -> pl.DataFrame:
    """Read a CSV file as text, with its line number, checking its header.

    - A UTF-8 byte-order mark is removed (the CLA file and both neighbour files start with one).
    - A header name may appear more than once only if ``repeated`` names it with the number of
      times it is expected; its copies are renamed ``NAME_1``, ``NAME_2``, ... in file order.
      Any other repeated name is an error, since polars would otherwise rename it silently.
    - Every name in ``required`` must be present, else a one-line :class:`DataError`.
    - Column ``_line`` holds the line number of each row in the file (header = line 1).
    - A file beyond :mod:`cscbench.datasets.limits` (size, rows, columns, field length) or with
      lines ended by CR alone is refused in one line, before it is parsed.

    Example:
        >>> import tempfile, os
        >>> p = os.path.join(tempfile.mkdtemp(), "t.csv")
        >>> _ = open(p, "wb").write(b"\\xef\\xbb\\xbfa,b\\n1,c\\n")
        >>> read_text_table(p, required=["a"]).rows()
        [('1', 'c', 2)]
    """
    path = Path(path)
    limits.check_size(path, limits.CSV_BYTES, "a CSV file")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DataError(path, None, None, f"cannot be read ({exc.strerror})") from None
    text = decode_utf8(data, path)
    lone_cr = re.search(r"\r(?!\n)", text)
    if lone_cr:
        line = text.count("\n", 0, lone_cr.start()) + 1
        raise DataError(
            path, line, None, "ends a line with CR alone; save it with LF or CRLF line endings"
        )
    header_line = text.split("\n", 1)[0].rstrip("\r")
    header = next(csv.reader([header_line]), [])
    if not any(h.strip() for h in header):
        raise DataError(path, 1, None, "has no header row")
    if len(header) > limits.CSV_COLUMNS:
        raise DataError(
            path, 1, None, f"has {len(header):,} columns; at most {limits.CSV_COLUMNS:,} are read"
        )
    names = _unique_names(path, header, repeated or {})
    missing = [c for c in required if c not in names]
    if missing:
        raise DataError(path, 1, missing[0], "required column is missing" + _also(missing[1:]))
    # Blank lines are left out here, so that each row keeps the number of its own line.
    body = [(n, raw) for n, raw in enumerate(text.split("\n")[1:], start=2) if raw.strip("\r ")]
    lines = [n for n, _ in body]
    if len(body) > limits.CSV_ROWS:
        raise DataError(
            path, None, None, f"has {len(body):,} rows; at most {limits.CSV_ROWS:,} are read"
        )
    _check_field_counts(path, body, len(names))
    if not body:
        return pl.DataFrame(schema={**{n: pl.String for n in names}, LINE: pl.Int64})
    frame = pl.read_csv(
        io.StringIO("\n".join(raw for _, raw in body)),
        has_header=False,
        new_columns=names,
        schema={name: pl.String for name in names},
        truncate_ragged_lines=False,
    )
    if len(lines) != frame.height:
        raise DataError(path, None, None, "has quoted line breaks; rows cannot be located")
    frame = frame.with_columns(pl.Series(LINE, lines, dtype=pl.Int64))
    _check_field_lengths(path, frame, names)
    return frame


def _check_field_lengths(path: Path, frame: pl.DataFrame, names: list[str]) -> None:
    """Stop at the first field longer than :data:`limits.FIELD_CHARS`."""
    longest = frame.select(pl.col(names).str.len_chars().max()).row(0)
    for name, length in zip(names, longest, strict=True):
        if length is not None and length > limits.FIELD_CHARS:
            i = int(frame[name].str.len_chars().arg_max())
            raise DataError(
                path,
                int(frame[LINE][i]),
                name,
                f"a field of {length:,} characters; at most {limits.FIELD_CHARS:,} are read",
            )


def decode_utf8(data: bytes, path: str | Path) -> str:
    """A file's bytes as text: UTF-8, with or without a byte-order mark. UTF-16 (what Excel's
    "Unicode text" writes) and any other encoding (latin-1, Windows-1252) are one line naming
    the first line that is not UTF-8, never decoded by guesswork.

    Example:
        >>> decode_utf8(b"\\xef\\xbb\\xbfa", "f.csv")
        'a'
        >>> decode_utf8("a\\nné".encode("latin-1"), "f.csv")
        Traceback (most recent call last):
        ...
        cscbench.errors.DataError: f.csv, row 2: is not UTF-8 text (byte 0xe9); save it as UTF-8
    """
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise DataError(path, 1, None, "is UTF-16 text; save it as UTF-8")
    if data.startswith(_BOM):
        data = data[len(_BOM) :]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        byte = data[exc.start]
        raise DataError(
            path, line, None, f"is not UTF-8 text (byte 0x{byte:02x}); save it as UTF-8"
        ) from None


def _check_field_counts(path: Path, body: list[tuple[int, str]], expected: int) -> None:
    """Stop at the first row with more or fewer fields than the header."""
    for (line, _), fields in zip(body, csv.reader(raw for _, raw in body), strict=False):
        if len(fields) != expected:
            raise DataError(
                path, line, None, f"has {len(fields)} fields; the header has {expected}"
            )


def _also(rest: Sequence[str]) -> str:
    return f" (also missing: {', '.join(rest)})" if rest else ""


def _unique_names(path: Path, header: list[str], repeated: dict[str, int]) -> list[str]:
    """Give each header cell a unique name, renaming only the repeats we expect."""
    seen: dict[str, int] = {}
    names = []
    for position, raw in enumerate(header, start=1):
        name = raw.strip() or f"_blank_{position}"
        count = seen.get(name, 0) + 1
        seen[name] = count
        if name in repeated:
            names.append(f"{name}_{count}")
        elif count > 1:
            raise DataError(path, 1, name, "header name appears more than once")
        else:
            names.append(name)
    for name, expected in repeated.items():
        if seen.get(name, 0) != expected:
            raise DataError(
                path,
                1,
                name,
                f"expected {expected} columns of this name, found {seen.get(name, 0)}",
            )
    return names


def parse_measure(
    frame: pl.DataFrame,
    column: str,
    path: str | Path,
    *,
    whole: bool = True,
) -> tuple[pl.Series, pl.Series]:
    """Parse one measure column into (value, status).

    ``value`` is Float64 and null where the cell holds a DfE symbol; ``status`` is
    ``"published"`` or the symbol. With ``whole=True`` (counts) a value must be a non-negative
    whole number. A blank cell, an unknown symbol or a malformed number raises
    :class:`DataError` naming the file, row and column.

    Example:
        >>> f = pl.DataFrame({"n": ["12", "c", " x "], "_line": [2, 3, 4]})
        >>> value, status = parse_measure(f, "n", "b1.csv")
        >>> value.to_list(), status.to_list()
        ([12.0, None, None], ['published', 'c', 'x'])
    """
    cells = frame[column].str.strip_chars()
    is_symbol = cells.is_in(list(SYMBOLS)).fill_null(False)
    value = cells.cast(pl.Float64, strict=False)
    malformed = value.is_null() | (value.is_nan() | value.is_infinite()).fill_null(False)
    if whole:
        malformed = malformed | ((value < 0) | (value != value.floor())).fill_null(False)
    bad = ~is_symbol & malformed
    if bad.any():
        index = int(bad.arg_max())
        cell = frame[column][index]
        what = "blank" if cell is None or not cell.strip() else repr(cell)
        kind = "a non-negative whole number" if whole else "a number"
        raise DataError(
            path,
            int(frame[LINE][index]),
            column,
            f"{what} is neither {kind} nor a DfE symbol ({', '.join(SYMBOLS)})",
        )
    status = pl.Series(column, [PUBLISHED] * frame.height, dtype=pl.String).zip_with(
        ~is_symbol, cells
    )
    return value.rename(column), status.rename(f"{column}_status")


def accounting(
    frame: pl.DataFrame, path: str | Path, used: pl.Expr, why_used: str, why_skipped: str
) -> pl.DataFrame:
    """One accounting row per input row: ``file, line, outcome, reason`` (used or skipped).

    Example:
        >>> f = pl.DataFrame({"_line": [2, 3], "ok": [True, False]})
        >>> accounting(f, "x.csv", pl.col("ok"), "figures", "not needed")["reason"].to_list()
        ['figures', 'not needed']
    """
    return frame.select(
        pl.lit(Path(path).name).alias("file"),
        pl.col(LINE).alias("line"),
        pl.when(used).then(pl.lit("used")).otherwise(pl.lit("skipped")).alias("outcome"),
        pl.when(used).then(pl.lit(why_used)).otherwise(pl.lit(why_skipped)).alias("reason"),
    )
