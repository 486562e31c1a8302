"""Ofsted's inspections of local authority children's services (ILACS): the latest judgements.

Ofsted publishes, once a year, every authority's latest ILACS judgements as at 31 March in an
OpenDocument spreadsheet (``LA_Inspection_Outcomes_as_at_31_March_2025.ods``, sheet
``Inspections_as_at_31_March``: a title in row 1, a note in row 2, the header in row 3, one
authority a row from row 4). It is read with polars' calamine engine (the fastexcel package),
every cell as text, and each row becomes one authority: the overall effectiveness, the four
sub-judgements and the inspection and publication dates, joined to DfE's 3-digit code through
the ONS code Ofsted gives, as DfE's list of authorities has it.

The sub-judgement on the experiences and progress of care leavers was introduced on 1 January
2023 (Ofsted's note on the sheet); it is blank, and read as null, only for inspections before
that date. Any other blank or unknown judgement, date or code stops with one line naming the
file, the row and the column. Every row of the sheet is accounted for, and each other sheet
(in-year inspections, inspection history) is listed as not read.

Source: Ofsted, "Children's social care data in England: local authority inspection outcomes",
and the ILACS framework (www.gov.uk/government/publications/inspecting-local-authority-
childrens-services-from-2018).

Example:
    >>> from cscbench.datasets.lineage import read_lineage
    >>> codes, _ = read_lineage("../shared/data/dfe/las_lineage.csv")
    >>> frame, _ = read_inspections(
    ...     "../shared/data/dfe/LA_Inspection_Outcomes_as_at_31_March_2025.ods", codes)
    >>> derby = frame.filter(pl.col("la_code") == "831").row(0, named=True)
    >>> derby["overall_effectiveness"], str(derby["inspection_date"])
    ('Outstanding', '2022-03-21')
"""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path

import polars as pl

from cscbench.datasets.catalogue import SOURCES
from cscbench.errors import DataError

#: Ofsted's four grades, best first.
GRADES = ("Outstanding", "Good", "Requires improvement to be good", "Inadequate")

#: The sheet's columns (as declared in the catalogue's ``ofsted`` source) by cscbench's names.
NAMES = (
    "web_link",
    "area_code",
    "ofsted_name",
    "ofsted_region",
    "inspection_date",
    "publication_date",
    "overall_effectiveness",
    "leadership",
    "help_and_protection",
    "children_in_care",
    "care_leavers",
)
JUDGEMENTS = NAMES[6:]
CARE_LEAVERS_FROM = date(2023, 1, 1)
HEADER_ROW = 3

INSPECTION_SCHEMA: dict[str, pl.DataType] = {
    "la_code": pl.String(),
    "area_code": pl.String(),
    "area_name": pl.String(),
    "ofsted_name": pl.String(),
    "ofsted_region": pl.String(),
    "inspection_date": pl.Date(),
    "publication_date": pl.Date(),
    **{j: pl.String() for j in JUDGEMENTS},
}


def _sheet(path: Path, sheet: str) -> tuple[pl.DataFrame, list[str]]:
    """The sheet's cells as text (no header), and the names of every sheet in the file."""
    import fastexcel

    try:
        names = fastexcel.read_excel(str(path)).sheet_names
        if sheet not in names:
            raise DataError(
                path, None, None, f"has no sheet {sheet!r} (sheets: {', '.join(names)})"
            )
        frame = pl.read_excel(
            path,
            sheet_name=sheet,
            engine="calamine",
            has_header=False,
            read_options={"dtypes": "string"},
        )
    except DataError:
        raise
    except Exception as exc:  # fastexcel raises its own errors for a file it cannot read
        raise DataError(path, None, None, f"cannot be read as a spreadsheet ({exc})") from None
    return frame, names


def is_inspections(path: str | Path) -> bool:
    """True if ``path`` is a spreadsheet with Ofsted's sheet and its header (recognised by its
    columns, not its name).

    Example:
        >>> is_inspections("../shared/data/dfe/LA_Inspection_Outcomes_as_at_31_March_2025.ods")
        True
    """
    source = SOURCES["ofsted"]
    try:
        cells, _ = _sheet(Path(path), source.sheet)
    except DataError:
        return False
    if cells.height < HEADER_ROW or cells.width != len(source.columns):
        return False
    return [(c or "").strip() for c in cells.row(HEADER_ROW - 1)] == list(source.columns)


def check_inspections(path: str | Path) -> int:
    """Read the file as a build will and return its number of authorities; a bad cell stops
    with file, row and column. (Codes are checked against DfE's list of authorities that
    ships with cscbench.)

    Example:
        >>> check_inspections("../shared/data/dfe/LA_Inspection_Outcomes_as_at_31_March_2025.ods")
        153
    """
    from cscbench.datasets.store import scan

    codes = scan("lineage").collect()
    frame, _ = read_inspections(path, codes)
    return frame.height


def _date(frame: pl.DataFrame, column: str, path: Path) -> pl.Series:
    cells = frame[column].str.strip_chars()
    parsed = cells.str.strptime(pl.Date, "%Y-%m-%dT%H:%M:%S", strict=False)
    bad = parsed.is_null()
    if bad.any():
        i = int(bad.arg_max())
        what = "blank" if cells[i] is None or not cells[i] else repr(cells[i])
        raise DataError(path, int(frame["row"][i]), column, f"{what} is not a date")
    return parsed


def read_inspections(path: str | Path, codes: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Every authority's latest ILACS judgements: (one row per authority, accounting).

    ``codes`` is DfE's list of authorities (:func:`cscbench.datasets.lineage.read_lineage`);
    the ONS code Ofsted gives must be an authority's code in force on the date the sheet is
    "as at" (its title: "... as at 31 March 2025").
    """
    path = Path(path)
    source = SOURCES["ofsted"]
    cells, sheets = _sheet(path, source.sheet)
    if cells.width != len(source.columns):
        raise DataError(
            path,
            HEADER_ROW,
            None,
            f"has {cells.width} columns, not {len(source.columns)} ({', '.join(source.columns)})",
        )
    cells = cells.with_row_index("row", offset=1).with_columns(pl.col("row").cast(pl.Int64))
    if cells.height < HEADER_ROW:
        raise DataError(path, None, None, f"sheet {source.sheet!r} has no header row")
    header = [(c or "").strip() for c in cells.row(HEADER_ROW - 1)[1:]]
    for got, want in zip(header, source.columns, strict=True):
        if got != want:
            raise DataError(path, HEADER_ROW, want, f"header is {got!r}, not {want!r}")
    title = cells.row(0)[1] or ""
    match = re.search(r"as at (\d{1,2} \w+ \d{4})", title)
    if not match:
        raise DataError(path, 1, None, f"title {title!r} does not say the date it is as at")
    as_at = datetime.strptime(match.group(1), "%d %B %Y").date()
    rows = cells.slice(HEADER_ROW).rename(dict(zip(cells.columns[1:], NAMES, strict=True)))
    rows = rows.with_columns(pl.col(c).str.strip_chars() for c in NAMES)
    rows = rows.with_columns(
        _date(rows, "inspection_date", path), _date(rows, "publication_date", path)
    )
    for judgement in JUDGEMENTS:
        optional = (
            pl.col("inspection_date") < CARE_LEAVERS_FROM
            if judgement == "care_leavers"
            else pl.lit(False)
        )
        bad = rows.filter(
            ~pl.col(judgement).is_in(GRADES).fill_null(False)
            & ~(pl.col(judgement).is_null() & optional)
        )
        if bad.height:
            row = bad.row(0, named=True)
            what = "blank" if row[judgement] is None else repr(row[judgement])
            raise DataError(
                path,
                row["row"],
                source.columns[NAMES.index(judgement)],
                f"{what} is not an Ofsted grade ({', '.join(GRADES)})",
            )
    in_force = codes.filter(
        (pl.col("start") <= as_at) & (pl.col("end").is_null() | (pl.col("end") >= as_at))
    ).select("area_code", "la_code", pl.col("area_name").alias("dfe_name"))
    rows = rows.join(in_force, on="area_code", how="left")
    unknown = rows.filter(pl.col("la_code").is_null())
    if unknown.height:
        row = unknown.row(0, named=True)
        raise DataError(
            path,
            row["row"],
            source.columns[1],
            f"{row['area_code']!r} is not an "
            f"authority's ONS code on {as_at:%d %B %Y} in DfE's list",
        )
    doubled = rows.filter(pl.col("la_code").is_duplicated())
    if doubled.height:
        raise DataError(
            path, int(doubled["row"][0]), source.columns[1], "a second row for the same authority"
        )
    frame = (
        rows.with_columns(pl.col("dfe_name").alias("area_name"))
        .select([pl.col(c).cast(t) for c, t in INSPECTION_SCHEMA.items()])
        .sort("la_code")
    )
    return frame, _accounting(path, rows, sheets, source.sheet)


def _accounting(path, rows, sheets, sheet) -> pl.DataFrame:
    head = {1: "title of the sheet", 2: "note on the sheet", HEADER_ROW: "header row"}
    lines = pl.concat(
        [
            pl.DataFrame(
                {
                    "line": list(head),
                    "outcome": ["skipped"] * len(head),
                    "reason": list(head.values()),
                },
                schema_overrides={"line": pl.Int64},
            ),
            rows.select(
                pl.col("row").alias("line"),
                pl.lit("used").alias("outcome"),
                pl.lit("latest inspection of the authority").alias("reason"),
            ),
        ]
    ).with_columns(pl.lit(f"{path.name} [{sheet}]").alias("file"))
    others = pl.DataFrame(
        {
            "file": [f"{path.name} [{s}]" for s in sheets if s != sheet],
            "line": [None] * (len(sheets) - 1),
            "outcome": ["skipped"] * (len(sheets) - 1),
            "reason": ["sheet not read: only the latest inspections as at 31 March are"]
            * (len(sheets) - 1),
        },
        schema_overrides={"line": pl.Int64},
    )
    return pl.concat([lines.select("file", "line", "outcome", "reason"), others])
