"""Loaders: DfE and ONS files in, one tidy long frame out.

Every indicator, whatever its file, comes out with the same columns (:data:`INDICATOR_SCHEMA`):

``indicator, year, geography, area_code, la_code, area_name, region_code, region_name,
numerator, denominator, value, status, published_value``

- ``year`` is the year the reporting period ends (2017 = 1 April 2016 to 31 March 2017, or
  at 31 March 2017).
- ``geography`` is ``national``, ``regional`` (the nine regions and Inner and Outer London) or
  ``la``; ``la_code`` is DfE's 3-digit code, null above authority level; ``area_code`` is the
  ONS code in force at the end of the year.
- ``status`` is ``published`` or the DfE symbol of a withheld figure (``c``, ``x``, ``z``,
  ``low``, ``u``, ``k``, ``:``, ``~``); a withheld figure has a null ``value``, never a zero.
  A rate whose population is withheld takes the population's symbol; a percentage of zero
  cases is ``z`` (not applicable), as DfE marks it.
- ``value`` is worked from numerator and denominator at full precision, except where DfE's
  printed figure (``published_value``, where its file has one, rounded) is the truer one
  (:func:`_indicator_rows`): a percentage for England or a region, whose counts DfE rounds to
  the nearest 10 (England's second or subsequent plans in 2022: DfE 22.7%, the rounded counts
  22.6%); and any figure DfE printed whose count it withheld (the Isles of Scilly's 0.0%
  re-referrals in 2017, with the number of referrals ``c``), which is ``published``. The
  counts stay, and still give the intervals. Rates of children looked after, which DfE
  prints as whole numbers, stay worked from the counts: the rounded count moves the rate by
  less than 0.1 per 10,000 even for the smallest region, far less than the printed rounding.

Every loader accounts for every input row in an accounting frame (``file, line, outcome,
reason``): used, or skipped with the reason.

Example:
    >>> from cscbench.datasets.loaders import read_raw
    >>> raw = read_raw("../shared/data/dfe")
    >>> derby = raw.indicators.filter(
    ...     pl.col("indicator") == "cla_rate", pl.col("la_code") == "831", pl.col("year") == 2025
    ... )
    >>> derby.select("numerator", "denominator", "published_value").row(0)
    (545.0, 62113.0, 88.0)
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from cscbench.datasets.csvfile import LINE, accounting, parse_measure, read_text_table
from cscbench.datasets.lineage import attach_area_codes, read_lineage
from cscbench.datasets.registry import INDICATORS, SOURCES
from cscbench.errors import DataError

GEOGRAPHY_COLUMNS = [
    "time_period",
    "time_identifier",
    "geographic_level",
    "country_code",
    "country_name",
    "region_code",
    "region_name",
    "old_la_code",
    "new_la_code",
    "la_name",
]

LEVELS = {"National": "national", "Regional": "regional", "Local authority": "la"}

INDICATOR_SCHEMA: dict[str, pl.DataType] = {
    "indicator": pl.String(),
    "year": pl.Int32(),
    "geography": pl.String(),
    "area_code": pl.String(),
    "la_code": pl.String(),
    "area_name": pl.String(),
    "region_code": pl.String(),
    "region_name": pl.String(),
    "numerator": pl.Float64(),
    "denominator": pl.Float64(),
    "value": pl.Float64(),
    "status": pl.String(),
    "published_value": pl.Float64(),
}

ACCOUNTING_SCHEMA: dict[str, pl.DataType] = {
    "file": pl.String(),
    "line": pl.Int64(),
    "outcome": pl.String(),
    "reason": pl.String(),
}

KEY = ["geography", "area_key", "year"]


def find_source_file(raw_dir: str | Path, key: str) -> Path:
    """The one file in ``raw_dir`` matching source ``key``'s name pattern.

    Example:
        >>> find_source_file("../shared/data/dfe", "b1").name
        'b1_children_in_need_2013_to_2025.csv'
    """
    source = SOURCES[key]
    folder = Path(raw_dir)
    if source.kind == "lait":  # LAIT's files: in the folder, or beside it in ../lait
        from cscbench.datasets.lait_rows import lait_folder

        folder = lait_folder(raw_dir) or folder
    matches = sorted(folder.glob(source.pattern))
    if not matches:
        raise DataError(raw_dir, None, None, f"no file matches {source.pattern} ({source.title})")
    if len(matches) > 1:
        names = ", ".join(m.name for m in matches)
        raise DataError(
            raw_dir, None, None, f"more than one file matches {source.pattern}: {names}"
        )
    return matches[0]


def measure_columns(key: str) -> list[str]:
    """The numeric columns cscbench reads from source ``key`` (its indicators' numerators,
    denominators and printed figures; a long file's count and percentage columns).

    Example:
        >>> measure_columns("d3")
        ['CPP_start', 'CPP_subsequent', 'CPP_subsequent_percent']
        >>> measure_columns("cla_social_workers")
        ['number', 'percentage']
    """
    source = SOURCES[key]
    columns = {c for c in (source.count, source.percent) if c}
    for ind in INDICATORS.values():
        if ind.source == key:
            for term in (ind.numerator, ind.denominator):
                columns.update(term.columns if term is not None else ())
            columns.update([ind.published] if ind.published else [])
    return sorted(columns)


def required_columns(key: str) -> list[str]:
    """Every column cscbench needs in source ``key``: what a file must have to be that source
    (:func:`cscbench.datasets.recognise.required_columns`).

    Example:
        >>> required_columns("d3")[-3:]
        ['CPP_start', 'CPP_subsequent', 'CPP_subsequent_percent']
    """
    from cscbench.datasets.recognise import required_columns as of_source

    return of_source(SOURCES[key])


def read_geography(path: Path, required: list[str], codes: pl.DataFrame) -> pl.DataFrame:
    """Read an EES-standard file and put its geography into cscbench's columns.

    Adds ``year``, ``geography``, ``area_code``, ``la_code``, ``area_name``, ``region_code``,
    ``region_name``, ``area_key`` (the join key: the country, region or 3-digit code) and
    ``exists`` (False for rows of an authority that did not exist that year).
    """
    frame = read_text_table(path, required=GEOGRAPHY_COLUMNS + required)
    _check_values(frame, path, "time_identifier", {"Reporting year"})
    _check_values(frame, path, "geographic_level", set(LEVELS))
    year = frame["time_period"].str.strip_chars().cast(pl.Int32, strict=False)
    bad = year.is_null() | ~frame["time_period"].str.contains(r"^\s*\d{4}\s*$").fill_null(False)
    if bad.any():
        i = int(bad.arg_max())
        raise DataError(
            path,
            int(frame[LINE][i]),
            "time_period",
            f"{frame['time_period'][i]!r} is not a 4-digit year",
        )
    level = pl.col("geographic_level").replace_strict(LEVELS)
    frame = frame.with_columns(year.alias("year"), level.alias("geography"))
    la_rows = frame["geography"] == "la"
    la_code = frame["old_la_code"].str.strip_chars()
    bad = la_rows & ~la_code.str.contains(r"^\d{3}$").fill_null(False)
    if bad.any():
        i = int(bad.arg_max())
        raise DataError(
            path,
            int(frame[LINE][i]),
            "old_la_code",
            f"{frame['old_la_code'][i]!r} is not a 3-digit authority code",
        )
    for level_name, column in (("regional", "region_code"), ("national", "country_code")):
        rows = frame["geography"] == level_name
        bad = rows & ~frame[column].str.contains(r"^E\d{8}$").fill_null(False)
        if bad.any():
            i = int(bad.arg_max())
            raise DataError(
                path,
                int(frame[LINE][i]),
                column,
                f"{frame[column][i]!r} is not a 9-character ONS code",
            )
    frame = frame.with_columns(
        pl.when(pl.col("geography") == "la").then(la_code).otherwise(None).alias("la_code")
    )
    frame = attach_area_codes(frame, codes)
    geo = pl.col("geography")
    blank_to_null = {
        c: pl.col(c).str.strip_chars().replace("", None)
        for c in ("region_code", "region_name", "new_la_code", "la_name")
    }
    return (
        frame.with_columns(**blank_to_null)
        .with_columns(
            pl.when(geo == "national")
            .then(pl.col("country_code"))
            .when(geo == "regional")
            .then(pl.col("region_code"))
            .otherwise(pl.coalesce("code_in_force", "new_la_code"))
            .alias("area_code"),
            pl.when(geo == "national")
            .then(pl.col("country_name"))
            .when(geo == "regional")
            .then(pl.col("region_name"))
            .otherwise(pl.col("la_name"))
            .alias("area_name"),
            pl.when(geo == "national")
            .then(None)
            .otherwise(pl.col("region_code"))
            .alias("region_code"),
            pl.when(geo == "national")
            .then(None)
            .otherwise(pl.col("region_name"))
            .alias("region_name"),
            pl.when(geo == "national")
            .then(pl.col("country_code"))
            .when(geo == "regional")
            .then(pl.col("region_code"))
            .otherwise(pl.col("la_code"))
            .alias("area_key"),
            ((geo != "la") | pl.col("code_in_force").is_not_null()).alias("exists"),
        )
        .drop("code_in_force")
    )


def _check_values(frame: pl.DataFrame, path: Path, column: str, allowed: set[str]) -> None:
    bad = ~frame[column].is_in(sorted(allowed)).fill_null(False)
    if bad.any():
        i = int(bad.arg_max())
        raise DataError(
            path,
            int(frame[LINE][i]),
            column,
            f"{frame[column][i]!r} is not one of {', '.join(sorted(allowed))}",
        )


def read_population(raw_dir: str | Path, codes: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """ONS mid-year estimates of children aged 0 to 17, keyed to the reporting year they serve.

    The estimate for mid-year Y-1 is the denominator for the year ending 31 March Y (DfE's
    convention), so the frame's ``year`` is ``time_period + 1``; ``mid_year`` keeps the ONS year.
    """
    path = find_source_file(raw_dir, "population")
    frame = read_geography(path, ["age_group", "population_estimate"], codes)
    _check_values(frame, path, "age_group", {"Children aged 0 to 17 years"})
    value, status = parse_measure(frame, "population_estimate", path)
    frame = frame.with_columns(
        (pl.col("year") + 1).alias("year"),
        pl.col("year").alias("mid_year"),
        value.alias("population"),
        status.alias("population_status"),
    )
    _check_unique(frame, path, KEY)
    return frame, frame.select(LINE, *KEY)


def _check_unique(frame: pl.DataFrame, path: Path, key: list[str]) -> None:
    duplicated = frame.select(key).is_duplicated()
    if duplicated.any():
        i = int(duplicated.arg_max())
        raise DataError(
            path, int(frame[LINE][i]), None, "duplicates another row for the same area and year"
        )


FACTOR_SCHEMA: dict[str, pl.DataType] = {
    "year": pl.Int32(),
    "geography": pl.String(),
    "area_code": pl.String(),
    "la_code": pl.String(),
    "area_name": pl.String(),
    "factor": pl.String(),
    "count": pl.Float64(),
    "status": pl.String(),
    "episodes": pl.Float64(),
    "episodes_status": pl.String(),
}

EPISODES_WITH_FACTOR = "Episodes_with_assessment_factor"


def read_assessment_factors(
    raw_dir: str | Path, codes: pl.DataFrame
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Factors identified at the end of assessment (c3), long: one row per area, year, factor.

    ``episodes`` is the number of assessment episodes with any factor recorded, the
    denominator DfE uses for each factor's share. Factor columns are every column after
    ``category`` except that one, so new factors in later years are read, not guessed.
    """
    path = find_source_file(raw_dir, "c3")
    header = read_text_table(path, required=[*GEOGRAPHY_COLUMNS, "category", EPISODES_WITH_FACTOR])
    columns = [c for c in header.columns if c != LINE]
    factors = [c for c in columns[columns.index("category") + 1 :] if c != EPISODES_WITH_FACTOR]
    frame = read_geography(path, ["category", EPISODES_WITH_FACTOR, *factors], codes)
    _check_unique(frame, path, KEY)
    episodes, episodes_status = parse_measure(frame, EPISODES_WITH_FACTOR, path)
    frame = frame.with_columns(episodes.alias("episodes"), episodes_status.alias("episodes_status"))
    parts = []
    for factor in factors:
        count, status = parse_measure(frame, factor, path)
        parts.append(
            frame.with_columns(
                pl.lit(factor).alias("factor"), count.alias("count"), status.alias("status")
            ).select([pl.col(c).cast(t) for c, t in FACTOR_SCHEMA.items()])
        )
    return pl.concat(parts), accounting(frame, path, pl.lit(True), "assessment factor counts", "")


@dataclass(frozen=True)
class RawTables:
    """Everything cscbench reads from a folder of raw files, with the accounting of every row."""

    indicators: pl.DataFrame
    factors: pl.DataFrame
    neighbours: pl.DataFrame
    areas: pl.DataFrame
    lineage: pl.DataFrame
    accounting: pl.DataFrame
    files: dict[str, Path]
    inspections: pl.DataFrame


#: The kinds of source the tidy reader recognises by their columns (the others are found by
#: their names, by :func:`find_source_file`).
TIDY_READ = ("tidy", "population", "lineage")


def _explain_missing(raw_dir: Path, key: str) -> None:
    """Stop, saying why no file in ``raw_dir`` is source ``key``: the file named as DfE names
    it, with the first required column it lacks; else that there is no such file."""
    from cscbench.datasets.cache import header

    source = SOURCES[key]
    named = sorted(raw_dir.glob(source.pattern))
    if named:
        columns = set(header(named[0]))
        lacking = [c for c in required_columns(key) if c not in columns]
        if lacking:
            raise DataError(named[0], 1, lacking[0], f"required column missing ({source.title})")
    raise DataError(raw_dir, None, None, f"no file matches {source.pattern} ({source.title})")


def _lait_rows(raw_dir: Path, dfe: pl.DataFrame, areas: pl.DataFrame):
    """LAIT's values-only indicators and the looked-after years before DfE's file, placed on
    DfE's authorities (their ONS codes and names as DfE's files give them), with the
    accounting of LAIT's rows; None where no LAIT files are beside ``raw_dir``. A LAIT row
    for an authority DfE's files do not have is accounted for as skipped, never used, and so
    is a row no indicator takes (:func:`~cscbench.datasets.lait_rows.lait_accounting`)."""
    from cscbench.datasets.lait import VALUES_FILE, read_lait
    from cscbench.datasets.lait_rows import (
        earlier_looked_after,
        lait_accounting,
        lait_folder,
        values_only_rows,
    )

    folder = lait_folder(raw_dir)
    if folder is None:
        return None
    lait = read_lait(folder)
    first_cla = dfe.filter(pl.col("indicator") == "cla_count", pl.col("geography") == "la")
    first = int(first_cla["year"].min()) if first_cla.height else 9999
    rows = pl.concat([values_only_rows(lait.values), earlier_looked_after(lait.values, first)])
    names = (
        dfe.filter(pl.col("geography") == "la")
        .sort("year")
        .group_by("la_code")
        .agg(pl.col("area_code").last().alias("_code"), pl.col("area_name").last().alias("_name"))
    )
    rows = rows.join(names, on="la_code", how="left").join(
        areas.select("la_code", "first_year", "last_year"), on="la_code", how="left"
    )
    # an authority's figures only for the years DfE's files have it (Cumbria to 2022-23,
    # Cumberland from 2023-24); the looked-after years before DfE's cla file (2020-21) are
    # within them, as b1 and c1 run from 2012-13
    in_years = pl.col("year").is_between(pl.col("first_year"), pl.col("last_year"))
    known = (pl.col("geography") != "la") | (pl.col("_code").is_not_null() & in_years)
    kept = rows.filter(known)
    refused = rows.filter(~known).select(
        "line",
        pl.when(pl.col("_code").is_null())
        .then(pl.lit("authority ") + pl.col("la_code") + pl.lit(" is in no DfE file"))
        .otherwise(pl.lit("authority not in being that year (DfE's files have it other years)"))
        .alias("reason"),
    )
    accounting = lait_accounting(lait.values, lait.accounting, kept, refused, first)
    rows = kept.with_columns(
        pl.coalesce("_code", "area_code").alias("area_code"),
        pl.coalesce("_name", "area_name").alias("area_name"),
    ).select(list(INDICATOR_SCHEMA))
    return rows, accounting, folder / VALUES_FILE


def read_raw(raw_dir: str | Path) -> RawTables:
    """Read every source file in ``raw_dir`` (a folder like ``shared/data/dfe``): the tidy DfE
    files through the one reader of :mod:`cscbench.datasets.tidy` (recognised by their
    columns), the factors at assessment and the neighbour models through their own. The files
    cscbench has read since its first release are required; the others (``optional`` in the
    catalogue) may be missing, and their indicators then have no figures.

    Example:
        >>> raw = read_raw("../shared/data/dfe")
        >>> derby = raw.indicators.filter(
        ...     pl.col("indicator") == "rereferral_pct", pl.col("la_code") == "831",
        ...     pl.col("year") == 2017)
        >>> derby.select("numerator", "denominator").row(0)
        (970.0, 4561.0)
    """
    from cscbench.datasets.areas import build_areas
    from cscbench.datasets.recognise import find_files
    from cscbench.datasets.sn_models import read_neighbours
    from cscbench.datasets.tidy import read_tidy

    raw_dir = Path(raw_dir)
    if not raw_dir.is_dir():
        raise DataError(raw_dir, None, None, "is not a folder of DfE files")
    found = find_files(raw_dir)
    for key, source in SOURCES.items():  # in the catalogue's order: children in need first
        if not source.optional and key not in found[0] and source.kind in TIDY_READ:
            _explain_missing(raw_dir, key)
    tidy = read_tidy(raw_dir, found=found)
    files = dict(tidy.files)
    for key in ("c3", "sn2021", "sn2025"):
        files[key] = find_source_file(raw_dir, key)
    codes, _ = read_lineage(files["lineage"])
    factors, factor_accounting = read_assessment_factors(raw_dir, codes)
    neighbours, neighbour_accounting = read_neighbours(files["sn2021"], files["sn2025"])
    indicators = tidy.indicators.sort("indicator", "year", "geography", "area_code")
    areas = build_areas(indicators, codes)  # the authorities of DfE's files
    accounting_rows = [tidy.accounting, factor_accounting, neighbour_accounting]
    lait = _lait_rows(raw_dir, indicators, areas)
    if lait is not None:
        rows, lait_accounting, files["lait"] = lait
        files["lait_dictionary"] = files["lait"].with_name(SOURCES["lait_dictionary"].pattern)
        indicators = pl.concat([indicators, rows]).sort(
            "indicator", "year", "geography", "area_code"
        )
        accounting_rows.append(lait_accounting)
    from cscbench.datasets.ofsted import INSPECTION_SCHEMA, read_inspections

    inspections = pl.DataFrame(schema=INSPECTION_SCHEMA)
    if "ofsted" in files:
        inspections, inspection_accounting = read_inspections(files["ofsted"], codes)
        accounting_rows.append(inspection_accounting)
    return RawTables(
        indicators=indicators,
        factors=factors.sort("factor", "year", "geography", "area_code"),
        neighbours=neighbours,
        areas=areas,
        lineage=codes,
        accounting=pl.concat([a.cast(ACCOUNTING_SCHEMA) for a in accounting_rows]),
        files=files,
        inspections=inspections,
    )
