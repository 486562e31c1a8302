"""Writing frames as the CLI's formats: an aligned text table, CSV or JSON records.

Example:
    >>> import polars as pl
    >>> print(render(pl.DataFrame({"a": [1], "b": ["x"]}), "csv"), end="")
    a,b
    1,x
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import polars as pl

from cscbench.errors import UsageError

FORMATS = ("table", "csv", "json")


def render(frame: pl.DataFrame, fmt: str, decimals: int | None = None) -> str:
    """``frame`` as text in format ``fmt`` (table, csv or json).

    Nested columns (lists) are joined with ``; `` in table and CSV output; JSON keeps them
    as arrays. ``decimals`` rounds floats in table output only.
    """
    if fmt == "json":
        return json.dumps(frame.to_dicts(), indent=2, default=str) + "\n"
    flat = _flatten(frame)
    if fmt == "csv":
        return flat.write_csv()
    if fmt == "table":
        return text_table(flat, decimals=decimals)
    raise UsageError(f"unknown format {fmt!r}; choose one of: {', '.join(FORMATS)}")


def _flatten(frame: pl.DataFrame) -> pl.DataFrame:
    lists = [c for c, t in frame.schema.items() if isinstance(t, pl.List)]
    return frame.with_columns(pl.col(c).cast(pl.List(pl.String)).list.join("; ") for c in lists)


def text_table(frame: pl.DataFrame, decimals: int | None = None) -> str:
    """A plain aligned table: header, rule, rows; numbers right-aligned, nulls blank.

    Example:
        >>> print(text_table(pl.DataFrame({"name": ["Derby"], "n": [545]})), end="")
        name     n
        -----  ---
        Derby  545
    """
    columns = frame.columns
    numeric = [frame.schema[c].is_numeric() for c in columns]
    cells = [[_cell(v, decimals) for v in frame[c].to_list()] for c in columns]
    widths = [max([len(c), *map(len, col)]) for c, col in zip(columns, cells, strict=True)]
    lines = [_line(columns, widths, numeric), "  ".join("-" * w for w in widths)]
    for r in range(frame.height):
        lines.append(_line([col[r] for col in cells], widths, numeric))
    return "\n".join(line.rstrip() for line in lines) + "\n"


def _line(values: Sequence[str], widths: Sequence[int], right: Sequence[bool]) -> str:
    return "  ".join(
        v.rjust(w) if r else v.ljust(w) for v, w, r in zip(values, widths, right, strict=True)
    )


def _cell(value: object, decimals: int | None) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        if decimals is not None:
            return f"{value:,.{decimals}f}"
        return f"{value:g}" if abs(value) < 1e15 else str(value)
    return str(value)
