"""Writing frames as the CLI's formats: an aligned text table, CSV or JSON records.

Example:
    >>> import polars as pl
    >>> print(render(pl.DataFrame({"a": [1], "b": ["x"]}), "csv"), end="")
    a,b
    1,x
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import polars as pl

from cscbench.errors import UsageError
from cscbench.files import replacing

FORMATS = ("table", "csv", "json", "xlsx")

#: What makes a spreadsheet read a cell as a formula (OWASP, "CSV injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

#: xlsxwriter's options for every workbook cscbench writes: a text cell is text, never a
#: formula, a link or a number (its defaults turn '=...' into a live formula).
WORKBOOK_OPTIONS = {
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "nan_inf_to_errors": True,  # a NaN or infinity is #NUM! in its cell, as polars writes it
}


#: The format a file's ending names, for ``--out`` without ``--format``.
SUFFIX_FORMATS = {".csv": "csv", ".json": "json", ".xlsx": "xlsx"}


def format_for(
    fmt: str | None,
    out: str | Path | None,
    default: str = "table",
    by_suffix: Mapping[str, str] = SUFFIX_FORMATS,
    strict: bool = False,
) -> str:
    """The output format: ``fmt`` if given, else the one ``out``'s ending names, else
    ``default``. A file whose ending names another format than ``fmt`` is an error (it would
    hold, say, CSV in a file called .json, or a text table in one called .xlsx); so is, with
    ``strict``, an ending none of ``by_suffix`` names (plain text in a file called .docx).

    Example:
        >>> format_for(None, "b.csv"), format_for(None, None), format_for("json", "b.json")
        ('csv', 'table', 'json')
        >>> format_for("csv", "b.json")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        cscbench.errors.UsageError: b.json: --format csv does not write .json; name the file ...
    """
    implied = by_suffix.get(Path(out).suffix.lower()) if out is not None else None
    if strict and out is not None and implied is None:
        endings = ", ".join(sorted(by_suffix))
        raise UsageError(f"{Path(out).name}: this command writes {endings} files")
    if fmt is None:
        return implied or default
    if implied is not None and implied != fmt:
        raise UsageError(
            f"{Path(out).name}: --format {fmt} does not write {Path(out).suffix}; name the file "
            f"for {fmt}, or leave out --format"
        )
    return fmt


def text_safe(frame: pl.DataFrame) -> pl.DataFrame:
    """Every text cell that a spreadsheet would read as a formula (starting with ``=``, ``+``,
    ``-``, ``@``, a tab or a carriage return) with a ``'`` put before it, as OWASP advises for
    CSV files; numbers are left as they are.

    Example:
        >>> text_safe(pl.DataFrame({"a": ["=1+2", "Derby", "-cmd"], "n": [-1, 2, 3]})).rows()
        [("'=1+2", -1), ('Derby', 2), ("'-cmd", 3)]
    """
    text = [c for c, t in frame.schema.items() if t == pl.String]
    starts = "^[" + "".join(FORMULA_START).replace("-", "\\-") + "]"
    return frame.with_columns(
        pl.when(pl.col(c).str.contains(starts))
        .then(pl.lit("'") + pl.col(c))
        .otherwise(pl.col(c))
        .alias(c)
        for c in text
    )


def workbook(path: str | Path):
    """A new xlsxwriter workbook at ``path`` that writes text as text (:data:`WORKBOOK_OPTIONS`)."""
    import xlsxwriter

    return xlsxwriter.Workbook(str(path), WORKBOOK_OPTIONS)


def render(frame: pl.DataFrame, fmt: str, decimals: int | None = None) -> str:
    """``frame`` as text in format ``fmt`` (table, csv or json).

    Nested columns (lists) are joined with ``; `` in table and CSV output; JSON keeps them
    as arrays. ``decimals`` rounds floats in table output only.
    """
    if fmt == "json":
        return json.dumps(frame.to_dicts(), indent=2, default=str) + "\n"
    flat = flatten(frame)
    if fmt == "csv":
        return text_safe(flat).write_csv()
    if fmt == "table":
        return text_table(flat, decimals=decimals)
    if fmt == "xlsx":
        raise UsageError("xlsx is a binary format: give --out FILE.xlsx")
    raise UsageError(f"unknown format {fmt!r}; choose one of: {', '.join(FORMATS)}")


#: xlsxwriter's autofit: the widest it makes a column, its padding, a date's width, a digit's.
MAX_WIDTH, PADDING, DATE_WIDTH, DIGIT = 1790, 7, 68, 7
#: How many of a text column's longest texts are measured (autofit measures every cell).
MEASURED = 20


def fitted_widths(frame: pl.DataFrame) -> dict[str, int]:
    """Each column's width in pixels as xlsxwriter's ``autofit`` works it out for a table of
    ``frame`` (polars' ``write_excel``): the widest of its header (with the filter button,
    16 px) and its cells (a text by its letters' widths, its widest line; a number at 7 px a
    character of its text; a date 68 px; a boolean 31 or 36 px), plus 7 px, at most 1,790 px.

    Autofit measures every cell, a letter at a time: a quarter of the time of writing a pack's
    workbook, and minutes for an all-authority table. Here each text column's
    :data:`MEASURED` longest texts are measured, and its longest numbers, so the widths
    are autofit's wherever a column's widest text is among its longest (tests/test_workbook.py
    compares them on every table of packs), from one query over the frame.

    Example:
        >>> fitted_widths(pl.DataFrame({"la_code": ["831"], "value": [87.66]}))
        {'la_code': 71, 'value': 57}
    """
    from xlsxwriter.utility import xl_pixel_width

    def longest(column: str, dtype: pl.DataType) -> pl.Expr:
        values = pl.col(column)
        if dtype == pl.String:
            values = values.str.split("\n").explode()
        values = values.drop_nulls().unique(maintain_order=True)
        text = values if dtype == pl.String else values.cast(pl.String)
        return values.top_k_by(text.str.len_chars(), MEASURED).implode().alias(column)

    measured = [c for c, t in frame.schema.items() if t == pl.String or t.is_numeric()]
    found = frame.select(longest(c, frame.schema[c]) for c in measured).row(0, named=True)
    widths = {}
    for name, dtype in frame.schema.items():
        values = found.get(name) or frame[name].drop_nulls().to_list()
        cells = 0
        if not values:
            pass
        elif dtype == pl.String:
            cells = max(xl_pixel_width(text) for text in values)
        elif dtype == pl.Boolean:
            cells = 31 if all(values) else 36
        elif dtype.is_temporal():
            cells = DATE_WIDTH
        elif dtype.is_numeric():
            cells = DIGIT * max(len(str(v)) for v in values)
        header = xl_pixel_width(name) + 16
        widths[name] = min(max(header, cells) + PADDING, MAX_WIDTH)
    return widths


def write(frame: pl.DataFrame, fmt: str, path: str | Path, sheet: str = "cscbench") -> None:
    """Write ``frame`` to ``path`` in format ``fmt`` (xlsx needs a file; others as render).

    The file is written to a temporary name and renamed when complete.
    """
    with replacing(path) as tmp:
        if fmt == "xlsx":
            with workbook(tmp) as book:
                flat = flatten(frame)
                flat.write_excel(book, worksheet=sheet, column_widths=fitted_widths(flat))
        else:
            tmp.write_text(render(frame, fmt), encoding="utf-8")


def write_parts(parts: Iterable[pl.DataFrame], path: str | Path) -> int:
    """Write frames of one schema (a table in parts) to ``path`` (.parquet or .csv) without
    holding them all, and return the number of rows.

    Each part goes to a file of its own, then the parts are streamed into ``path``: memory is
    one part's, however many there are. The file appears whole or not at all. In CSV, list
    columns are joined with ``; `` as everywhere.

    Example:
        >>> import tempfile, os
        >>> from cscbench.analyses import benchmark_table_parts
        >>> path = os.path.join(tempfile.mkdtemp(), "table.parquet")
        >>> rows = write_parts(benchmark_table_parts(indicators=["cla_rate"]), path)
        >>> rows, pl.read_parquet(path).height  # 2015-16 to 2024-25 (to 2019-20: LAIT's)
        (1520, 1520)
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".parquet", ".csv"):
        raise UsageError(f"{path.name}: write the table to a .parquet or .csv file")
    folder = path.with_name(f".{path.name}.parts")
    rows = 0
    try:
        with replacing(path) as tmp:
            folder.mkdir(parents=True, exist_ok=True)
            for i, part in enumerate(parts):
                rows += part.height
                part = text_safe(flatten(part)) if suffix == ".csv" else part
                part.write_parquet(folder / f"{i:05d}.parquet")
            whole = pl.scan_parquet(sorted(folder.glob("*.parquet")))
            if suffix == ".csv":
                whole.sink_csv(tmp)
            else:
                whole.sink_parquet(tmp)
    finally:
        for part_file in folder.glob("*.parquet"):
            part_file.unlink()
        if folder.exists():
            folder.rmdir()
    return rows


def display_values(
    frame: pl.DataFrame, columns: Sequence[str], indicator: str | None = None
) -> pl.DataFrame:
    """Round ``columns`` to the indicator's display decimals, for text tables.

    The indicator is each row's ``indicator`` column, or ``indicator`` for every row.

    Example:
        >>> f = pl.DataFrame({"indicator": ["cla_rate", "cla_count"], "value": [87.743, 545.0]})
        >>> display_values(f, ["value"])["value"].to_list()
        ['87.7', '545']
    """
    from cscbench.datasets.registry import INDICATORS

    if indicator is not None:
        decimals = pl.lit(INDICATORS[indicator].decimals, pl.Int8)
    else:
        decimals = pl.col("indicator").replace_strict(
            {k: i.decimals for k, i in INDICATORS.items()}, return_dtype=pl.Int8
        )
    out = [
        pl.when(decimals == 0).then(fixed(c, 0)).otherwise(fixed(c, 1)).alias(c) for c in columns
    ]
    return frame.with_columns(out)


def fixed(column: str, decimals: int) -> pl.Expr:
    """``column`` as text with ``decimals`` places and thousands separators, for text tables.

    Example:
        >>> pl.DataFrame({"x": [1.8, 2742.0]}).select(fixed("x", 2))["x"].to_list()
        ['1.80', '2,742.00']
    """
    return pl.col(column).round(decimals).map_elements(lambda v: f"{v:,.{decimals}f}", pl.String)


def year_labels(column: str = "year") -> pl.Expr:
    """``column``'s reporting years as reports write them, for text tables.

    Example:
        >>> pl.DataFrame({"year": [2017]}).select(year_labels())["year"].to_list()
        ['2016-17']
    """
    from cscbench.analyses.wording import year_label

    return pl.col(column).map_elements(year_label, pl.String)


def flatten(frame: pl.DataFrame) -> pl.DataFrame:
    """List columns joined with '; ', for CSV and spreadsheets."""
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


def caption(table: pl.DataFrame) -> str | None:
    """What a benchmark table is of, for the line above it: the authority, the year and the
    comparator group.

    Example:
        >>> caption(pl.DataFrame({"area_name": ["Derby"], "year": [2017], "group": ["custom"]}))
        'Derby, 2016-17 (year ending 31 March 2017); comparators: custom'
    """
    from cscbench.analyses.wording import year_label

    if table.is_empty() or not {"area_name", "year", "group"} <= set(table.columns):
        return None
    row = table.row(0, named=True)
    said = f"{row['area_name']}, {year_label(row['year'])} (year ending 31 March {row['year']})"
    if row.get("compared_year") is not None and row.get("figures"):
        said += f", {row['figures']}; compared with DfE's {year_label(row['compared_year'])}"
    return f"{said}; comparators: {row['group']}" if row["group"] else said


def summary_view(table: pl.DataFrame) -> pl.DataFrame:
    """The benchmark table's headline columns, rounded for reading in a terminal. The
    1-year change is in percentage points for a percentage and in per cent for a rate or a
    count, each in its own column."""
    shown = display_values(
        table, ["value", "ci95_low", "ci95_high", "comparator_mean", "region", "england"]
    )
    rank = pl.when(pl.col("rank").is_not_null()).then(
        pl.format("{} of {}", pl.col("rank"), pl.col("rank_of"))
    )
    return shown.select(
        "indicator",
        "value",
        pl.format("{} to {}", "ci95_low", "ci95_high").alias("95% interval"),
        pl.col("comparator_mean").alias("comparators"),
        rank.alias("rank (1 = highest)"),
        pl.col("quartile_band").alias("band"),
        "region",
        "england",
        pl.when(pl.col("unit").is_in(["percent", "fte_percent"]))
        .then(pl.col("change_1y").round(1))
        .alias("1-year change (% points)"),
        pl.when(~pl.col("unit").is_in(["percent", "fte_percent"]))
        .then(pl.col("change_1y_pct").round(1))
        .alias("1-year change (%)"),
        "trend",
        pl.col("flags").list.join(", ").alias("flags"),
        *_status_column(table),
    )


def _status_column(table: pl.DataFrame) -> list[pl.Expr]:
    """'✓ on target' (symbol and words) when the table carries target statuses."""
    if "target_status" not in table.columns:
        return []
    status = pl.concat_str("target_symbol", "target_status", separator=" ")
    return [pl.col("target"), status.alias("target status")]


def targets_view(frame: pl.DataFrame) -> pl.DataFrame:
    """The targets table's headline columns, numbers rounded as each unit is displayed."""
    numbers = ["value", "target", "change", "published_value", "comparator_mean", "england"]
    whole = pl.col("unit") == "count"
    shown = frame.with_columns(
        pl.when(whole).then(fixed(c, 0)).otherwise(fixed(c, 1)).alias(c) for c in numbers
    )
    return shown.select(
        "indicator",
        "period",
        "figures",
        "value",
        pl.concat_str(pl.col("direction"), pl.col("target"), separator=" ").alias("target"),
        pl.concat_str("symbol", "status", separator=" ").alias("status"),
        "travel",
        year_labels("published_year").alias("DfE year"),
        pl.col("published_value").alias("DfE value"),
        pl.col("comparator_mean").alias("comparators"),
        "england",
    )


def local_view(published: pl.DataFrame, local: pl.DataFrame) -> pl.DataFrame:
    """The local, provisional year beside the latest published year, for a terminal."""
    mine = display_values(
        local,
        ["value", "ci95_low", "ci95_high", "comparator_mean", "england", "previous_value"],
    )
    return mine.select(
        "indicator",
        pl.col("year").alias("local year"),
        pl.col("value").alias("local value"),
        pl.format("{} to {}", "ci95_low", "ci95_high").alias("95% interval"),
        pl.col("previous_value").alias("DfE, year before"),
        pl.col("compared_year").alias("DfE year"),
        pl.col("comparator_mean").alias("comparators"),
        "england",
        pl.col("england_comparison_95").alias("vs England"),
        pl.col("flags").list.join(", ").alias("flags"),
    )
