"""LAIT's data dictionary, ``lait_data_dictionary.csv``: one row per measure and topic.

Read by :func:`cscbench.datasets.lait.read_lait` beside LAIT's values (see that module for
what LAIT is). The dictionary's columns, as cscbench names them (:data:`MEASURES_SCHEMA`):
``measure`` (``Measure_short``, the key of the long file's ``Short Desc``), ``topic``,
``title`` (``Measure``), ``polarity`` (``High``, ``Low``, ``-`` and ``NA`` become
``high_is_good``, ``low_is_good``, ``context`` and ``context``: LAIT ranks and bands only
``High`` and ``Low``; the dictionary's own word is kept in ``lait_polarity``), ``decimals``
(``dps``, null where none is given), ``year_type``, ``quartiles`` (False where
``No_Quartile`` is ``N``: LAIT shows no band), ``discontinued`` (``Table_status`` says so),
source table, description, methodology, owner, links and update dates.

The file is R's ``write.csv``: ``NA`` is missing, and descriptions hold line breaks inside
quotes, so each record's line is counted as it is read, and an error names it.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import polars as pl

from cscbench.errors import DataError

POLARITY = {"High": "high_is_good", "Low": "low_is_good", "-": "context"}

#: What a one-year label (``2016``) means for each of the dictionary's year types.
YEAR_TYPES: dict[str, str] = {
    "Financial Year": "year ending 31 March",
    "Annual": "year ending 31 March",
    "Academic Year": "academic year",
    "Calendar Year": "calendar year",
    "Annual (end of Sept)": "at 30 September",
    "Annual - January": "January",
}


def error_at(path: Path, frame: pl.DataFrame, bad: pl.Series, column: str, what: str) -> None:
    """Stop at the first row where ``bad`` holds, naming its ``_row``, ``column`` and cell."""
    if bad.any():
        i = int(bad.arg_max())
        raise DataError(path, int(frame["_row"][i]), column, f"{frame[column][i]!r} {what}")


MEASURES_SCHEMA: dict[str, pl.DataType] = {
    "measure": pl.String(),
    "topic": pl.String(),
    "code": pl.String(),
    "title": pl.String(),
    "chart_title": pl.String(),
    "y_axis": pl.String(),
    "lait_polarity": pl.String(),
    "polarity": pl.String(),
    "decimals": pl.Int8(),
    "year_type": pl.String(),
    "quartiles": pl.Boolean(),
    "state_funded": pl.Boolean(),
    "source_table": pl.String(),
    "discontinued": pl.Boolean(),
    "description": pl.String(),
    "methodology": pl.String(),
    "owner": pl.String(),
    "links": pl.String(),
    "last_update": pl.Date(),
    "last_update_note": pl.String(),
    "next_update": pl.Date(),
    "next_update_note": pl.String(),
    "line": pl.Int64(),
}

#: The dictionary's columns that cscbench reads, with their names in :data:`MEASURES_SCHEMA`
#: (None: read into other columns).
DICTIONARY_COLUMNS: dict[str, str | None] = {
    "Measure_short": "measure",
    "Topic": "topic",
    "Measure_code": "code",
    "Measure": "title",
    "Chart_title": "chart_title",
    "y_axis_name": "y_axis",
    "Polarity": "lait_polarity",
    "dps": None,
    "Year_Type": "year_type",
    "No_Quartile": None,
    "state_funded_flag": None,
    "Table_status": "source_table",
    "Description": "description",
    "Methodology": "methodology",
    "Data Owner (DO) /Supplier and Contact Details": "owner",
    "Hyperlink(s)": "links",
    "Last Update": None,
    "Next Update": None,
}

#: Day 0 of the spreadsheet serial dates the dictionary's update columns hold (45809 = 2025-06-01).
SERIAL_EPOCH = date(1899, 12, 30)


def _records(path: Path) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The dictionary's header and its records, each with the line it starts on.

    Its descriptions hold line breaks inside quotes, so lines are counted as the records are
    read (the csv module's ``line_num``), not from the text.
    """
    try:
        text = path.read_bytes().removeprefix(b"\xef\xbb\xbf").decode("utf-8")
    except OSError as exc:
        raise DataError(path, None, None, f"cannot be read ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise DataError(path, None, None, "is not UTF-8 text") from None
    reader = csv.reader(io.StringIO(text, newline="\n"))  # lines end at \n only, as wc counts
    header = next(reader, None)
    if not header:
        raise DataError(path, 1, None, "has no header row")
    records, start = [], reader.line_num + 1
    for fields in reader:
        if any(f.strip() for f in fields):
            if len(fields) != len(header):
                raise DataError(
                    path, start, None, f"has {len(fields)} fields; the header has {len(header)}"
                )
            records.append((start, fields))
        start = reader.line_num + 1
    return header, records


def _check(path: Path, frame: pl.DataFrame) -> None:
    """Every field cscbench reads must be one it knows how to read; else one line naming it."""
    for column in ("Measure_short", "Topic", "Measure", "Year_Type"):
        error_at(path, frame, frame[column].is_null(), column, "is blank")
    polarity = frame["Polarity"]
    known = polarity.is_in(list(POLARITY)) | polarity.is_null()
    error_at(path, frame, ~known, "Polarity", f"is not {', '.join(POLARITY)} or NA")
    dps = frame["dps"].cast(pl.Int8, strict=False)
    bad = frame["dps"].is_not_null() & (dps.is_null() | (dps < 0)).fill_null(True)
    error_at(path, frame, bad, "dps", "is not a number of decimal places")
    known = frame["Year_Type"].is_in(list(YEAR_TYPES))
    error_at(path, frame, ~known, "Year_Type", f"is not one of: {', '.join(YEAR_TYPES)}")
    marker = frame["No_Quartile"]
    error_at(path, frame, marker.is_not_null() & (marker != "N"), "No_Quartile", "is not N or NA")
    twice = ~frame.select(pl.struct("Measure_short", "Topic").is_first_distinct()).to_series()
    error_at(path, frame, twice, "Measure_short", "is listed twice under the same topic")


def read_measures(path: str | Path) -> tuple[pl.DataFrame, pl.DataFrame]:
    """LAIT's data dictionary (:data:`MEASURES_SCHEMA`, one row per measure and topic), with the
    accounting of every record. R's ``NA`` is read as missing.

    ``last_update`` and ``next_update`` are the dictionary's spreadsheet serial dates; one given
    in words ("New data", "TBC", "Discontinued") is in ``last_update_note`` or
    ``next_update_note``.

    Example:
        >>> measures, _ = read_measures("../shared/data/lait/lait_data_dictionary.csv")
        >>> rereferral = measures.filter(pl.col("measure") == "ReReferral").row(0, named=True)
        >>> rereferral["polarity"], rereferral["year_type"], rereferral["quartiles"]
        ('low_is_good', 'Financial Year', True)
        >>> measures.filter(pl.col("measure") == "CPP_Abuse")["decimals"].item()
        0
    """
    path = Path(path)
    header, records = _records(path)
    missing = [c for c in DICTIONARY_COLUMNS if c not in header]
    if missing:
        raise DataError(path, 1, missing[0], "required column is missing")
    index = [header.index(c) for c in DICTIONARY_COLUMNS]
    frame = pl.DataFrame(
        [[r[i].strip() for i in index] + [line] for line, r in records],
        schema=[*DICTIONARY_COLUMNS, "_row"],
        orient="row",
    ).with_columns(pl.all().exclude("_row").replace("NA", None), pl.col("_row").cast(pl.Int64))
    _check(path, frame)
    dates = {}
    for column, name in (("Last Update", "last_update"), ("Next Update", "next_update")):
        serial = pl.col(column).cast(pl.Int32, strict=False)
        dates[name] = (pl.lit(SERIAL_EPOCH) + pl.duration(days=serial)).cast(pl.Date)
        dates[f"{name}_note"] = pl.when(serial.is_null()).then(pl.col(column))
    measures = frame.with_columns(
        pl.col("Polarity").replace_strict(POLARITY, default="context").alias("polarity"),
        pl.col("dps").cast(pl.Int8).alias("decimals"),
        pl.col("No_Quartile").is_null().alias("quartiles"),
        (pl.col("state_funded_flag") == "State Funded").fill_null(False).alias("state_funded"),
        pl.col("Table_status")
        .str.to_lowercase()
        .str.contains("discontinue")
        .fill_null(False)
        .alias("discontinued"),
        pl.col("_row").alias("line"),
        **dates,
    ).rename({k: v for k, v in DICTIONARY_COLUMNS.items() if v is not None})
    accounting = measures.select(
        pl.lit(path.name).alias("file"),
        pl.col("line"),
        pl.lit("used").alias("outcome"),
        pl.lit("LAIT measure").alias("reason"),
    )
    return measures.select([pl.col(c).cast(t) for c, t in MEASURES_SCHEMA.items()]), accounting
