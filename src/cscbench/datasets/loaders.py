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

from cscbench.datasets.csvfile import LINE, PUBLISHED, accounting, parse_measure, read_text_table
from cscbench.datasets.lineage import attach_area_codes, read_lineage
from cscbench.datasets.registry import INDICATORS, POPULATION, SOURCES, Indicator
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
    matches = sorted(Path(raw_dir).glob(source.pattern))
    if not matches:
        raise DataError(raw_dir, None, None, f"no file matches {source.pattern} ({source.title})")
    if len(matches) > 1:
        names = ", ".join(m.name for m in matches)
        raise DataError(
            raw_dir, None, None, f"more than one file matches {source.pattern}: {names}"
        )
    return matches[0]


def measure_columns(key: str) -> list[str]:
    """The numeric columns the registry's indicators read from source ``key``."""
    return sorted(
        {
            c
            for i in INDICATORS.values()
            if i.source == key
            for c in (i.numerator, i.denominator, i.published)
            if c not in (None, POPULATION)
        }
    )


def required_columns(key: str) -> list[str]:
    """Every column cscbench needs in source ``key``: what a file must have to be that source.

    Example:
        >>> required_columns("d3")[-3:]
        ['CPP_start', 'CPP_subsequent', 'CPP_subsequent_percent']
    """
    from cscbench.datasets.lineage import LINEAGE_COLUMNS

    sn = [f"SN{k}" for k in range(1, 11)]
    fixed = {
        "population": [*GEOGRAPHY_COLUMNS, "age_group", "population_estimate"],
        "c3": [*GEOGRAPHY_COLUMNS, "category", EPISODES_WITH_FACTOR],
        "lineage": LINEAGE_COLUMNS,
        "sn2021": ["LA num", "LA Name", *sn, "SNP"],
        "sn2025": [
            "old_la_code",
            "la_name",
            *(f"SN_{k}" for k in range(1, 11)),
            *(f"SN_{k}P" for k in range(1, 11)),
        ],
    }
    if key in fixed:
        return list(fixed[key])
    category = SOURCES[key].category_column
    return [*GEOGRAPHY_COLUMNS, *([category] if category else []), *measure_columns(key)]


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


def _indicator_rows(
    frame: pl.DataFrame,
    ind: Indicator,
    parsed: dict[str, tuple[pl.Series, pl.Series]],
    population: pl.DataFrame,
) -> pl.DataFrame:
    """The tidy rows of one indicator from one source frame (already filtered by category).

    ``value`` is numerator / denominator x multiplier, or DfE's printed figure where it knows
    better than the counts: for a percentage of England or a region (DfE works it from counts
    it then rounds to the nearest 10) and for any row whose count DfE withheld but whose
    figure it printed (that row's ``status`` is then ``published``). Rates stay worked from
    the counts (see the module's docstring).

    Example:
        >>> raw = read_raw("../shared/data/dfe")
        >>> rows = raw.indicators.filter(pl.col("indicator") == "cp_subsequent_pct",
        ...     pl.col("year") == 2022, pl.col("area_name") == "England")
        >>> rows.select("numerator", "denominator", "value").row(0)
        (14550.0, 64390.0, 22.7)
        >>> scilly = raw.indicators.filter(pl.col("indicator") == "rereferral_pct",
        ...     pl.col("year") == 2017, pl.col("la_code") == "420")
        >>> scilly.select("numerator", "denominator", "value", "status").row(0)
        (0.0, None, 0.0, 'published')
    """
    num, num_status = parsed[ind.numerator]
    rows = frame.with_columns(
        num.alias("numerator"), num_status.alias("num_status"), pl.lit(ind.id).alias("indicator")
    )
    if ind.denominator == POPULATION:
        rows = rows.join(
            population.select(
                *KEY,
                pl.col("population").alias("denominator"),
                pl.col("population_status").alias("den_status"),
            ),
            on=KEY,
            how="left",
        ).with_columns(pl.col("den_status").fill_null("x"))
    elif ind.denominator is not None:
        den, den_status = parsed[ind.denominator]
        rows = rows.with_columns(den.alias("denominator"), den_status.alias("den_status"))
    else:
        rows = rows.with_columns(
            pl.lit(None, pl.Float64).alias("denominator"), pl.lit(PUBLISHED).alias("den_status")
        )
    if ind.published is not None:
        rows = rows.with_columns(parsed[ind.published][0].alias("published_value"))
    else:
        rows = rows.with_columns(pl.lit(None, pl.Float64).alias("published_value"))
    status = (
        pl.when(pl.col("num_status") != PUBLISHED)
        .then(pl.col("num_status"))
        .when(pl.col("den_status") != PUBLISHED)
        .then(pl.col("den_status"))
        .when(pl.col("denominator") == 0)
        .then(pl.lit("z"))
        .otherwise(pl.lit(PUBLISHED))
    )
    rows = rows.with_columns(status.alias("status"))
    ok = pl.col("status") == PUBLISHED
    value = (
        pl.col("numerator")
        if ind.denominator is None
        else pl.col("numerator") / pl.col("denominator") * ind.multiplier
    )
    printed = pl.col("published_value")
    use_printed = (
        printed.is_not_null()
        & (pl.col("denominator").fill_null(1) != 0)  # a percentage of no cases stays z
        & (~ok | ((pl.col("geography") != "la") & (ind.unit == "percent")))
    )
    rows = rows.with_columns(
        pl.when(use_printed).then(printed).when(ok).then(value).otherwise(None).alias("value"),
        pl.when(use_printed).then(pl.lit(PUBLISHED)).otherwise(pl.col("status")).alias("status"),
    )
    return rows.select([pl.col(c).cast(t) for c, t in INDICATOR_SCHEMA.items()] + [pl.col(LINE)])


def read_indicator_source(
    raw_dir: str | Path, key: str, codes: pl.DataFrame, population: pl.DataFrame
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """All registry indicators of one source file: (tidy rows, accounting of every input row)."""
    path = find_source_file(raw_dir, key)
    indicators = [i for i in INDICATORS.values() if i.source == key]
    source = SOURCES[key]
    measures = measure_columns(key)
    extra = [source.category_column] if source.category_column else []
    frame = read_geography(path, measures + extra, codes)
    if source.category_column:
        known = {i.category for i in indicators}
        _check_values(frame, path, source.category_column, known)
        _check_unique(frame, path, [*KEY, source.category_column])
    else:
        _check_unique(frame, path, KEY)
    whole = {c: not (c.endswith("_percent") or c.startswith("rate_")) for c in measures}
    parsed = {c: parse_measure(frame, c, path, whole=whole[c]) for c in measures}
    exists = frame["exists"]
    absent = ~exists
    # A row for an authority that did not exist that year must say so with ``z``.
    for c in measures:
        wrong = absent & (parsed[c][1] != "z")
        if wrong.any():
            i = int(wrong.arg_max())
            raise DataError(
                path,
                int(frame[LINE][i]),
                c,
                f"{frame['area_name'][i]} did not exist in {frame['year'][i]} "
                "but this row has a figure",
            )
    parts = []
    for ind in indicators:
        mask = exists
        if ind.category is not None:
            mask = mask & (frame[source.category_column] == ind.category)
        subset = {c: (v.filter(mask), s.filter(mask)) for c, (v, s) in parsed.items()}
        parts.append(_indicator_rows(frame.filter(mask), ind, subset, population))
    tidy = pl.concat(parts)
    return tidy, accounting(
        frame,
        path,
        pl.col("exists"),
        "indicator figures",
        "authority did not exist at the end of this year (row of z symbols)",
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


def _rate_ids() -> list[str]:
    return [i.id for i in INDICATORS.values() if i.denominator == POPULATION]


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


def read_raw(raw_dir: str | Path) -> RawTables:
    """Read every source file in ``raw_dir`` (a folder like ``shared/data/dfe``).

    Example:
        >>> raw = read_raw("../shared/data/dfe")
        >>> derby = raw.indicators.filter(
        ...     pl.col("indicator") == "rereferral_pct", pl.col("la_code") == "831",
        ...     pl.col("year") == 2017)
        >>> derby.select("numerator", "denominator").row(0)
        (970.0, 4561.0)
    """
    from cscbench.datasets.areas import build_areas
    from cscbench.datasets.sn_models import read_neighbours

    raw_dir = Path(raw_dir)
    if not raw_dir.is_dir():
        raise DataError(raw_dir, None, None, "is not a folder of DfE files")
    files = {key: find_source_file(raw_dir, key) for key in SOURCES}
    codes, lineage_accounting = read_lineage(files["lineage"])
    population, population_rows = read_population(raw_dir, codes)
    parts, accounting_rows = [], [lineage_accounting]
    for key in ("b1", "c1", "d3", "d5", "cla"):
        tidy, acc = read_indicator_source(raw_dir, key, codes, population)
        parts.append(tidy)
        accounting_rows.append(acc)
    indicators = pl.concat(parts)
    used = (
        indicators.filter(pl.col("indicator").is_in(_rate_ids()))
        .select("geography", pl.coalesce("la_code", "area_code").alias("area_key"), "year")
        .unique()
    )
    used_rows = population_rows.join(
        used.with_columns(pl.lit(True).alias("_used")), on=KEY, how="left"
    )
    accounting_rows.append(
        accounting(
            used_rows,
            files["population"],
            pl.col("_used").fill_null(False),
            "denominator of rates",
            "no indicator row for this area and year",
        )
    )
    factors, factor_accounting = read_assessment_factors(raw_dir, codes)
    accounting_rows.append(factor_accounting)
    neighbours, neighbour_accounting = read_neighbours(files["sn2021"], files["sn2025"])
    accounting_rows.append(neighbour_accounting)
    indicators = indicators.drop(LINE).sort("indicator", "year", "geography", "area_code")
    areas = build_areas(indicators, codes)
    return RawTables(
        indicators=indicators,
        factors=factors.sort("factor", "year", "geography", "area_code"),
        neighbours=neighbours,
        areas=areas,
        lineage=codes,
        accounting=pl.concat([a.cast(ACCOUNTING_SCHEMA) for a in accounting_rows]),
        files=files,
    )
