"""DfE's Local Authority Interactive Tool (LAIT): its published values and its data dictionary.

LAIT (``dfe-analytical-services/local-authority-interactive-tool``) shows about 430 measures
for every authority, region and England from one long file, ``bds_long_0.parquet`` (columns
``Short Desc, Data item, Years, LA and Regions, Values, LA Number, Region``, all text but
``LA Number``), described by ``lait_data_dictionary.csv`` (one row per measure and topic:
title, polarity, decimal places, year type, whether quartile bands apply). LAIT holds values
only, no counts; it works its neighbour averages, ranks and bands from them itself
(``docs/methods.md``, section 5). :func:`read_lait` reads both files, accounting for every row;
the dictionary is read by :mod:`cscbench.datasets.lait_measures`. :func:`indicator_rows` puts a
measure into cscbench's indicator frame, values only.

- **Areas.** ``LA Number`` below 970 is an authority, by its DfE 3-digit code; 970 is England;
  980 to 990 are the nine regions, with London (986) and Inner and Outer London (987, 988)
  (LAIT's ``global.R``: rows of 970 and above are not authorities). England and the regions
  get their ONS codes (:data:`AREAS`), so that they join cscbench's frames by code.
- **Values.** A number is ``published``; LAIT's ``-`` (its user guide: "data is missing or
  suppressed") and DfE's symbols stay in ``status`` with a null ``value``, never a zero.
  Any other text stops with the file, row and column.
- **Years.** LAIT's labels mix forms; each is read as what it is (:func:`parse_year_label`):
  ``2016`` (the year ending in 2016: the year ending 31 March for children's social care),
  ``2016-17`` (a financial or academic year, as the measure's year type says), ``2016-17 (OT)``
  (financial year, outturn), ``2015/16`` (academic year), ``2014-16`` (three calendar years),
  ``2013/14-15/16`` (three years), and ``(Rev)``, ``(Final)``, ``(prov)`` (revised, final,
  provisional). ``year`` is the year the period ends and ``years_covered`` how many it spans.
  One measure (``CINPermExclusion``) has 170 rows labelled ``0``, all ``-``: they name no
  period and are accounted for and left out; a figure under such a label is an error.
- **Measures.** Polarity ``High``, ``Low`` and ``-`` become ``high_is_good``, ``low_is_good``
  and ``context``; the dictionary's ``NA`` (30 measures) is ``context`` too, as LAIT ranks and
  bands only ``High`` and ``Low`` (``calculate_rank``). ``decimals`` is the dictionary's
  ``dps``, null where it gives none (269 measures); :func:`held_decimals` gives the decimals
  the values themselves carry. ``quartiles`` is False where ``No_Quartile`` is ``N``. 14
  measures are listed under two topics, as in LAIT (which joins them many-to-many).

Example:
    >>> tables = read_lait("../shared/data/lait")
    >>> derby = tables.values.filter(
    ...     pl.col("measure") == "ReReferral", pl.col("la_code") == "831", pl.col("year") == 2017
    ... )
    >>> derby.select("value", "status", "period").row(0)
    (21.3, 'published', 'year ending 31 March 2017')
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from cscbench.datasets.csvfile import PUBLISHED, SYMBOLS
from cscbench.datasets.lait_measures import YEAR_TYPES, error_at, read_measures
from cscbench.datasets.loaders import ACCOUNTING_SCHEMA, INDICATOR_SCHEMA
from cscbench.errors import DataError

VALUES_FILE = "bds_long_0.parquet"
DICTIONARY_FILE = "lait_data_dictionary.csv"

#: What a non-numeric LAIT value means: LAIT's own dash, and DfE's symbols (``..`` is the
#: older "not available" that LAIT's ``global.R`` also reads as missing).
LAIT_SYMBOLS: dict[str, str] = {
    "-": "missing or suppressed (LAIT does not say which)",
    "..": "not available",
    **SYMBOLS,
}

#: LAIT's numbers of 970 and above: (geography, ONS code, DfE's name).
AREAS: dict[int, tuple[str, str, str]] = {
    970: ("national", "E92000001", "England"),
    980: ("regional", "E12000001", "North East"),
    981: ("regional", "E12000002", "North West"),
    982: ("regional", "E12000003", "Yorkshire and The Humber"),
    983: ("regional", "E12000004", "East Midlands"),
    984: ("regional", "E12000005", "West Midlands"),
    985: ("regional", "E12000006", "East of England"),
    986: ("regional", "E12000007", "London"),
    987: ("regional", "E13000001", "Inner London"),
    988: ("regional", "E13000002", "Outer London"),
    989: ("regional", "E12000008", "South East"),
    990: ("regional", "E12000009", "South West"),
}
FIRST_AREA = 970
REGION_CODES = {name: code for geography, code, name in AREAS.values() if geography == "regional"}

VALUE_COLUMNS = ["Short Desc", "Data item", "Years", "LA and Regions", "Values", "LA Number"]
VALUE_COLUMNS += ["Region"]

REVISIONS = {"OT": "outturn", "Rev": "revised", "Final": "final", "prov": "provisional"}

VALUES_SCHEMA: dict[str, pl.DataType] = {
    "line": pl.Int64(),
    "measure": pl.String(),
    "item": pl.String(),
    "year_label": pl.String(),
    "year": pl.Int32(),
    "years_covered": pl.Int8(),
    "revision": pl.String(),
    "period": pl.String(),
    "geography": pl.String(),
    "lait_number": pl.Int32(),
    "la_code": pl.String(),
    "area_code": pl.String(),
    "area_name": pl.String(),
    "region_code": pl.String(),
    "region_name": pl.String(),
    "value": pl.Float64(),
    "status": pl.String(),
}


@dataclass(frozen=True)
class YearLabel:
    """One of LAIT's year labels, read: the year its period ends, how many years it spans,
    its form and its revision (``outturn``, ``revised``, ``final``, ``provisional``, or None).
    """

    year: int
    years_covered: int
    form: str
    revision: str | None


_REVISION = re.compile(r"^(?P<rest>.*?) \((?P<revision>OT|Rev|Final|prov)\)$")
_FORMS = (
    ("year", re.compile(r"^(?P<end>\d{4})$")),
    ("year_to_year", re.compile(r"^(?P<start>\d{4})-(?P<end>\d{2})$")),
    ("academic_year", re.compile(r"^(?P<start>\d{4})/(?P<end>\d{2})$")),
    ("split_years_span", re.compile(r"^(?P<start>\d{4})/\d{2}-\d{2}/(?P<end>\d{2})$")),
)


def _full_year(start: int, two_digits: str) -> int:
    end = start - start % 100 + int(two_digits)
    return end + 100 if end < start else end


def parse_year_label(label: str) -> YearLabel | None:
    """Read one LAIT year label; None for ``0`` (no period); ValueError for any other form.

    ``2016-17`` spans one year (a financial or academic year) and ``2014-16`` three (LAIT's
    three-year rolling figures); ``2013/14-15/16`` is three academic or financial years.

    Example:
        >>> parse_year_label("2016")
        YearLabel(year=2016, years_covered=1, form='year', revision=None)
        >>> parse_year_label("2016-17 (OT)")
        YearLabel(year=2017, years_covered=1, form='year_to_year', revision='outturn')
        >>> parse_year_label("2015/16").form, parse_year_label("2025 (Rev)").revision
        ('academic_year', 'revised')
        >>> parse_year_label("2014-16")
        YearLabel(year=2016, years_covered=3, form='years_span', revision=None)
        >>> parse_year_label("2013/14-15/16").year, parse_year_label("0")
        (2016, None)
    """
    if label == "0":
        return None
    revision = None
    suffixed = _REVISION.match(label)
    if suffixed:
        label, revision = suffixed["rest"], REVISIONS[suffixed["revision"]]
    for form, pattern in _FORMS:
        found = pattern.match(label)
        if not found:
            continue
        if form == "year":
            return YearLabel(int(found["end"]), 1, form, revision)
        start = int(found["start"])
        end = _full_year(start, found["end"])
        if form == "year_to_year" and end - start == 2:  # 2014-16: 2014, 2015 and 2016
            return YearLabel(end, 3, "years_span", revision)
        covered = end - start  # 2016-17 and 2015/16: one year; 2013/14-15/16: three
        if covered == (3 if form == "split_years_span" else 1):
            return YearLabel(end, covered, form, revision)
    raise ValueError(f"{label!r} is not a LAIT year label")


def period_label(label: str, year_type: str | None) -> str | None:
    """What a LAIT year label means for a measure of ``year_type`` (the dictionary's), in words.

    Example:
        >>> period_label("2017", "Financial Year")
        'year ending 31 March 2017'
        >>> period_label("2016-17 (OT)", "Financial Year")
        'financial year 2016-17 (outturn)'
        >>> period_label("2016", "Academic Year"), period_label("2015/16", "Academic Year")
        ('academic year 2015/16', 'academic year 2015/16')
        >>> period_label("2014-16", "Calendar Year"), period_label("2025 (Rev)", "Academic Year")
        ('calendar years 2014 to 2016', 'academic year 2024/25 (revised)')
        >>> period_label("2013/14-15/16", "Financial Year")
        'financial years 2013-14 to 2015-16'
        >>> period_label("2016", "Annual (end of Sept)")
        'at 30 September 2016'
    """
    read = parse_year_label(label)
    if read is None:
        return None
    end = read.year
    if read.form == "split_years_span" and year_type == "Financial Year":
        words = f"financial years {end - 3}-{(end - 2) % 100:02d} to {end - 1}-{end % 100:02d}"
    elif read.form == "split_years_span":
        words = f"academic years {end - 3}/{(end - 2) % 100:02d} to {end - 1}/{end % 100:02d}"
    elif read.form == "years_span":
        kind = "calendar years" if year_type == "Calendar Year" else "years"
        words = f"{kind} {end - 2} to {end}"
    elif read.form == "academic_year" or (
        year_type == "Academic Year" and read.form in ("year", "year_to_year")
    ):
        words = f"academic year {end - 1}/{end % 100:02d}"
    elif read.form == "year_to_year":
        words = f"financial year {end - 1}-{end % 100:02d}"
    else:
        words = f"{YEAR_TYPES.get(year_type or '', 'year')} {end}"
    return f"{words} ({read.revision})" if read.revision else words


def read_values(
    path: str | Path, year_types: dict[str, str | None] | None = None
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """LAIT's long file as tidy rows (:data:`VALUES_SCHEMA`), with the accounting of every row.

    A row is numbered by its position in the file (the first row is 1). ``year_types`` (measure
    to the dictionary's year type) words each row's ``period``; without it ``period`` reads a
    one-year label as the year ending 31 March.

    Example:
        >>> values, accounting = read_values("../shared/data/lait/bds_long_0.parquet")
        >>> values.height + accounting.filter(pl.col("outcome") == "skipped").height
        641070
        >>> england = values.filter(pl.col("measure") == "LAC", pl.col("lait_number") == 970)
        >>> england.filter(pl.col("year") == 2025).select("area_code", "value").row(0)
        ('E92000001', 67.0)
    """
    path = Path(path)
    try:
        raw = pl.read_parquet(path)
    except (OSError, pl.exceptions.PolarsError) as exc:
        raise DataError(path, None, None, f"cannot be read as parquet ({exc})") from None
    missing = [c for c in VALUE_COLUMNS if c not in raw.columns]
    if missing:
        raise DataError(path, None, missing[0], "required column is missing")
    text = [c for c in VALUE_COLUMNS if c != "LA Number"]
    wrong = [c for c in text if raw.schema[c] != pl.String] + (
        [] if raw.schema["LA Number"].is_numeric() else ["LA Number"]
    )
    if wrong:
        raise DataError(
            path, None, wrong[0], f"is {raw.schema[wrong[0]]}, not the type LAIT writes"
        )
    frame = raw.select(VALUE_COLUMNS).with_row_index("_row", offset=1)
    for column in ("Short Desc", "Years", "LA and Regions", "Values", "LA Number"):
        error_at(path, frame, frame[column].is_null(), column, "is blank")
    number = frame["LA Number"].cast(pl.Float64)
    error_at(
        path,
        frame,
        (number != number.floor()) | (number < 100) | (number >= 1000),
        "LA Number",
        "is not a 3-digit LA number",
    )
    number = number.cast(pl.Int32)
    error_at(
        path,
        frame,
        (number >= FIRST_AREA) & ~number.is_in(list(AREAS)),
        "LA Number",
        "is neither an authority (below 970) nor England or a region (970, 980-990)",
    )
    labels = {label: _read_label(path, frame, label) for label in frame["Years"].unique()}
    cells = frame["Values"].str.strip_chars()
    value = cells.cast(pl.Float64, strict=False)
    symbol = cells.is_in(list(LAIT_SYMBOLS))
    bad = ~symbol & (value.is_null() | value.is_nan() | value.is_infinite()).fill_null(True)
    error_at(
        path, frame, bad, "Values", f"is neither a number nor a symbol ({', '.join(LAIT_SYMBOLS)})"
    )
    label_table = pl.DataFrame(
        [
            (k, None, None, None) if v is None else (k, v.year, v.years_covered, v.revision)
            for k, v in labels.items()
        ],
        schema={
            "Years": pl.String,
            "year": pl.Int32,
            "years_covered": pl.Int8,
            "revision": pl.String,
        },
        orient="row",
    )
    frame = frame.with_columns(
        number.alias("lait_number"),
        pl.when(symbol).then(None).otherwise(value).alias("value"),
        pl.when(symbol).then(cells).otherwise(pl.lit(PUBLISHED)).alias("status"),
    ).join(label_table, on="Years", how="left", maintain_order="left")
    undated = frame["year"].is_null()
    error_at(
        path,
        frame,
        undated & (frame["status"] == PUBLISHED),
        "Values",
        "is a figure under a year label that names no period",
    )
    frame = _with_areas(path, frame)
    types = year_types or {}
    periods = {
        (m, y): period_label(y, types.get(m, "Financial Year"))
        for m, y in frame.filter(~undated).select("Short Desc", "Years").unique().iter_rows()
    }
    period = pl.DataFrame(
        [(m, y, p) for (m, y), p in periods.items()],
        schema={"Short Desc": pl.String, "Years": pl.String, "period": pl.String},
        orient="row",
    )
    frame = frame.join(period, on=["Short Desc", "Years"], how="left", maintain_order="left")
    accounting = frame.select(
        pl.lit(path.name).alias("file"),
        pl.col("_row").cast(pl.Int64).alias("line"),
        pl.when(undated).then(pl.lit("skipped")).otherwise(pl.lit("used")).alias("outcome"),
        pl.when(undated)
        .then(pl.lit("year label '0' names no period (every such row is '-')"))
        .otherwise(pl.lit("LAIT value"))
        .alias("reason"),
    )
    tidy = frame.filter(~undated).rename(
        {"_row": "line", "Short Desc": "measure", "Data item": "item", "Years": "year_label"}
    )
    _check_unique(path, tidy)
    return tidy.select([pl.col(c).cast(t) for c, t in VALUES_SCHEMA.items()]), accounting


def _read_label(path: Path, frame: pl.DataFrame, label: str) -> YearLabel | None:
    try:
        return parse_year_label(label)
    except ValueError as exc:
        i = int((frame["Years"] == label).arg_max())
        raise DataError(path, int(frame["_row"][i]), "Years", str(exc)) from None


def _with_areas(path: Path, frame: pl.DataFrame) -> pl.DataFrame:
    """Geography, codes and names, checked once per distinct area (170, not 641,070 rows): an
    authority's region must be a region, and a region row's name the one its number stands for.
    """
    known = pl.DataFrame(
        [(n, *a) for n, a in AREAS.items()],
        schema={
            "lait_number": pl.Int32,
            "geography": pl.String,
            "area_code": pl.String,
            "_name": pl.String,
        },
        orient="row",
    )
    keys = ["lait_number", "LA and Regions", "Region"]
    areas = (
        frame.group_by(keys)
        .agg(pl.col("_row").min())
        .sort("_row")
        .join(known, on="lait_number", how="left", maintain_order="left")
    )
    authority = pl.col("lait_number") < FIRST_AREA
    region = pl.col("Region").str.strip_chars().replace("NA", None)
    areas = areas.with_columns(
        pl.when(authority).then(pl.lit("la")).otherwise(pl.col("geography")).alias("geography"),
        pl.when(authority)
        .then(pl.col("lait_number").cast(pl.String))
        .otherwise(None)
        .alias("la_code"),
        pl.when(authority).then(region).otherwise(None).alias("region_name"),
        pl.when(authority)
        .then(region.replace_strict(REGION_CODES, default=None))
        .otherwise(None)
        .alias("region_code"),
        pl.when(authority)
        .then(pl.col("LA and Regions").str.strip_chars())
        .otherwise(pl.col("_name"))
        .alias("area_name"),
    )
    is_la = areas["geography"] == "la"
    region_known = areas["region_name"].is_in(list(REGION_CODES)).fill_null(False)
    error_at(path, areas, is_la & ~region_known, "Region", "is not a region")
    # LAIT names Inner London "London (Inner)": compare the words, in any order.
    named = areas["LA and Regions"].str.to_lowercase().str.replace_all(r"[()]", "")
    expected = areas["_name"].str.to_lowercase()
    same = (named.str.split(" ").list.sort() == expected.str.split(" ").list.sort()).fill_null(
        False
    )
    error_at(
        path, areas, ~is_la & ~same, "LA and Regions", "is not the area its LA Number stands for"
    )
    named_twice = areas["lait_number"].is_duplicated()
    error_at(path, areas, named_twice, "LA Number", "stands for two names or regions")
    return frame.join(areas.drop("_row", "_name"), on=keys, how="left", maintain_order="left")


def _check_unique(path: Path, tidy: pl.DataFrame) -> None:
    keys = pl.struct("measure", "year_label", "lait_number")
    duplicated = ~tidy.select(keys.is_first_distinct()).to_series()
    if duplicated.any():
        i = int(duplicated.arg_max())
        raise DataError(
            path,
            int(tidy["line"][i]),
            None,
            "a second value for the same measure, year and area",
        )


@dataclass(frozen=True)
class LaitTables:
    """LAIT's values and measures, with the accounting of every row of both files."""

    values: pl.DataFrame
    measures: pl.DataFrame
    accounting: pl.DataFrame


def read_lait(folder: str | Path) -> LaitTables:
    """Read LAIT's long file and its data dictionary from ``folder`` (``shared/data/lait``).

    Every measure in the long file must be in the dictionary, and a measure listed under two
    topics must have one year type (its periods are worded from it).

    Example:
        >>> lait = read_lait("../shared/data/lait")
        >>> lait.values["measure"].n_unique(), lait.measures.height
        (434, 448)
        >>> lait.accounting.group_by("outcome").len().sort("outcome").rows()
        [('skipped', 170), ('used', 641348)]
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise DataError(folder, None, None, "is not a folder holding LAIT's files")
    values_path, dictionary_path = folder / VALUES_FILE, folder / DICTIONARY_FILE
    for path in (values_path, dictionary_path):
        if not path.is_file():
            raise DataError(folder, None, None, f"holds no {path.name}")
    measures, measure_accounting = read_measures(dictionary_path)
    types = measures.group_by("measure").agg(pl.col("year_type").unique(), pl.col("line").min())
    mixed = types.filter(pl.col("year_type").list.len() > 1)
    if not mixed.is_empty():
        raise DataError(
            dictionary_path,
            int(mixed["line"][0]),
            "Year_Type",
            f"{mixed['measure'][0]} has two year types",
        )
    year_types = {m: t[0] for m, t in types.select("measure", "year_type").iter_rows()}
    values, value_accounting = read_values(values_path, year_types)
    unknown = sorted(set(values["measure"].unique()) - set(year_types))
    if unknown:
        raise DataError(
            values_path, None, "Short Desc", f"{unknown[0]!r} is not in {DICTIONARY_FILE}"
        )
    accounting = pl.concat(
        [a.cast(ACCOUNTING_SCHEMA) for a in (value_accounting, measure_accounting)]
    )
    return LaitTables(values=values, measures=measures, accounting=accounting)


def held_decimals(values: pl.DataFrame, most: int = 6) -> pl.DataFrame:
    """The decimal places each measure's published values carry: the fewest (up to ``most``)
    that write every one of its values exactly. The dictionary's ``dps`` is often missing.

    Example:
        >>> f = pl.DataFrame({"measure": ["a", "a", "b"], "value": [21.3, 19.0, 545.0]})
        >>> held_decimals(f).sort("measure").rows()
        [('a', 1), ('b', 0)]
    """
    v = pl.col("value")
    places = pl.lit(most, pl.Int8)
    for k in range(most - 1, -1, -1):
        places = (
            pl.when((v - v.round(k)).abs() < 1e-9 * v.abs().clip(lower_bound=1))
            .then(pl.lit(k, pl.Int8))
            .otherwise(places)
        )
    return values.filter(v.is_not_null()).group_by("measure").agg(places.max().alias("decimals"))


def indicator_rows(values: pl.DataFrame, measure: str, indicator: str) -> pl.DataFrame:
    """One LAIT measure's one-year figures as rows of cscbench's indicator frame
    (:data:`~cscbench.datasets.loaders.INDICATOR_SCHEMA`), values only: no numerator or
    denominator, ``published_value`` the figure LAIT shows, and last the ``line`` of LAIT's
    file each row comes from (for the accounting). Authorities carry no ONS code (LAIT gives
    none); three-year figures are left out.

    Example:
        >>> lait = read_lait("../shared/data/lait")
        >>> rows = indicator_rows(lait.values, "ReReferral", "rereferral_pct")
        >>> rows.filter(pl.col("la_code") == "831", pl.col("year") == 2017).select(
        ...     "indicator", "region_name", "value", "status").row(0)
        ('rereferral_pct', 'East Midlands', 21.3, 'published')
    """
    rows = values.filter(pl.col("measure") == measure, pl.col("years_covered") == 1)
    return rows.with_columns(
        pl.lit(indicator).alias("indicator"),
        pl.when(pl.col("geography") == "regional")
        .then(pl.col("area_code"))
        .otherwise(pl.col("region_code"))
        .alias("region_code"),
        pl.when(pl.col("geography") == "regional")
        .then(pl.col("area_name"))
        .otherwise(pl.col("region_name"))
        .alias("region_name"),
        pl.lit(None, pl.Float64).alias("numerator"),
        pl.lit(None, pl.Float64).alias("denominator"),
        pl.col("value").alias("published_value"),
    ).select([pl.col(c).cast(t) for c, t in INDICATOR_SCHEMA.items()] + [pl.col("line")])
