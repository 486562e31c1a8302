"""One reader for DfE's tidy files: every indicator the catalogue declares, from a folder.

Each file in the folder is recognised by its columns (:func:`identify`), read with the checked
CSV machinery of :mod:`~cscbench.datasets.csvfile` (byte-order marks, DfE symbols kept as
``status``, every malformed cell a one-line error naming file, row and column) and its
geography put into cscbench's columns by :func:`~cscbench.datasets.loaders.read_geography`
(authorities keyed on DfE's 3-digit ``old_la_code``, so North Yorkshire's and Somerset's
recodes keep one series; a row of ``z`` for an authority that did not exist that year is
accounted for, not used). Then every declared indicator of the file (see
:mod:`cscbench.datasets.catalogue`) becomes rows in :data:`INDICATOR_SCHEMA`:

- the numerator and denominator are the declared column(s) of a row, or, in a long file, the
  count of the breakdown row(s) the declaration names, matched by area and year (the "Total"
  row of the cohort gives the denominator); a sum takes the symbol of any withheld part;
- ``value`` is recomputed at full precision (or, where the declaration says so, is DfE's
  figure: the workforce ratios); ``published_value`` is DfE's printed figure;
- ``status`` is ``published`` or DfE's symbol, by the same rules as today's loaders.

Every row of every file read is accounted for (``file, line, outcome, reason``): used, naming
the indicators and the role (numerator, denominator), or skipped with the reason.

Files dated "30 September" (the social work workforce census) are read as the reporting year
that holds that day: DfE's ``time_period`` 2024 (30 September 2024) is ``year`` 2025 (the
year ending 31 March 2025); authorities are looked up as they were on that 31 March (every
reorganisation since 2013 took effect on 1 April, so it is the same as on 30 September).

Example:
    >>> tables = read_tidy("../shared/data/dfe")
    >>> derby = tables.indicators.filter(
    ...     pl.col("indicator") == "icpc_15days_pct", pl.col("la_code") == "831",
    ...     pl.col("year") == 2017)
    >>> derby.select("numerator", "denominator").row(0), round(derby["value"].item(), 1)
    ((521.0, 549.0), 94.9)
"""

from __future__ import annotations

import operator
import tempfile
from dataclasses import dataclass
from functools import reduce
from pathlib import Path

import polars as pl

from cscbench.datasets.catalogue import CATALOGUE, Catalogue, Indicator, Source, Term
from cscbench.datasets.csvfile import LINE, PUBLISHED, parse_measure, read_text_table
from cscbench.datasets.lineage import attach_area_codes, read_lineage
from cscbench.datasets.loaders import (
    ACCOUNTING_SCHEMA,
    GEOGRAPHY_COLUMNS,
    INDICATOR_SCHEMA,
    KEY,
    _check_unique,
    read_geography,
    read_population,
)
from cscbench.datasets.recognise import find_files, missing_values, required_columns
from cscbench.errors import DataError

GEOGRAPHY = ["year", "geography", "area_code", "la_code", "area_name", "region_code", "region_name"]


@dataclass(frozen=True)
class TidyTables:
    """What :func:`read_tidy` read: indicator rows, the accounting of every row of every file
    it read, the files it recognised (by source key), the files it left to other readers or
    did not know (name -> why), and the declared sources it found no file for."""

    indicators: pl.DataFrame
    accounting: pl.DataFrame
    files: dict[str, Path]
    other: dict[str, str]
    missing: tuple[str, ...]


def _joint_lines(path: Path) -> pl.DataFrame:
    """Rows whose old_la_code joins two authorities ("314 / 318"): a joint return."""
    frame = read_text_table(path, required=["old_la_code", "la_name"])
    return frame.filter(pl.col("old_la_code").str.contains("/").fill_null(False))


def _read_rows(path: Path, source: Source, codes: pl.DataFrame, columns: list[str]):
    """The file's rows with cscbench's geography, and its joint-return rows (set aside)."""
    joint = _joint_lines(path) if source.joint_returns else pl.DataFrame()
    if joint.height:
        # read_geography refuses a code that is not 3 digits; give it a copy with the joint
        # rows blanked (line numbers kept, as read_text_table skips blank lines), same name.
        lines = path.read_bytes().split(b"\n")
        for n in joint[LINE]:
            lines[n - 1] = b""
        with tempfile.TemporaryDirectory(prefix="cscbench-") as folder:
            copy = Path(folder) / path.name
            copy.write_bytes(b"\n".join(lines))
            frame = read_geography(copy, columns, codes)
    else:
        frame = read_geography(path, columns, codes)
    if source.dated == "30 September":
        frame = frame.with_columns((pl.col("year") + 1).alias("year"))
        frame = (
            attach_area_codes(frame, codes)
            .with_columns(
                pl.when(pl.col("geography") == "la")
                .then(pl.coalesce("code_in_force", "new_la_code"))
                .otherwise(pl.col("area_code"))
                .alias("area_code"),
                ((pl.col("geography") != "la") | pl.col("code_in_force").is_not_null()).alias(
                    "exists"
                ),
            )
            .drop("code_in_force")
        )
    return frame, joint


def _matches(filter_) -> pl.Expr:
    expr = pl.lit(True)
    for column, values in filter_:
        expr = expr & pl.col(column).is_in(list(values))
    return expr


def _parse(frame: pl.DataFrame, source: Source, path: Path, columns: list[str]) -> pl.DataFrame:
    """Each measure column as ``COLUMN`` (Float64, null if withheld) and ``COLUMN_status``."""
    parsed = {}
    for column in columns:
        fractional = column in source.fractional or column == source.percent
        if column == source.count and source.scores:
            scores = frame.select(_matches(source.scores)).to_series()
            parse_measure(frame.filter(~scores), column, path)  # counts must be whole
            fractional = True
        value, status = parse_measure(frame, column, path, whole=not fractional)
        parsed[column], parsed[f"{column}_status"] = value, status
    return frame.with_columns(**parsed)


def _measures(source: Source, catalogue: Catalogue) -> list[str]:
    fixed = set(GEOGRAPHY_COLUMNS) | set(source.breakdown)
    return [c for c in required_columns(source, catalogue) if c not in fixed]


def _status(parts: list[str]) -> pl.Expr:
    """The first withheld part's symbol, else published."""
    withheld = [
        pl.when(pl.col(f"{c}_status") != PUBLISHED).then(pl.col(f"{c}_status")) for c in parts
    ]
    return pl.coalesce(*withheld, pl.lit(PUBLISHED))


def _term(frame: pl.DataFrame, ind: Indicator, term: Term, source: Source, path: Path):
    """One row per area and year: the term's value, status and the lines it read."""
    columns = list(term.columns) or [source.count]
    rows = frame.filter(pl.col("exists"), _matches(ind.rows), _matches(term.where))
    rows = rows.with_columns(
        reduce(operator.add, [pl.col(c) for c in columns]).alias("_value"),  # null if withheld
        _status(columns).alias("_status"),
    )
    extra = []
    if ind.published:
        extra = [
            pl.col(ind.published).first().alias("published_value"),
            pl.col(f"{ind.published}_status").first().alias("published_status"),
        ]
    grouped = rows.group_by(KEY, maintain_order=True).agg(
        *[pl.col(c).first() for c in GEOGRAPHY if c not in KEY],
        pl.when(pl.col("_value").is_null().any())
        .then(None)
        .otherwise(pl.col("_value").sum())
        .alias("_value"),
        pl.col("_status").filter(pl.col("_status") != PUBLISHED).first().fill_null(PUBLISHED),
        pl.col(LINE).alias("_lines"),
        *extra,
    )
    short = grouped.filter(pl.col("_lines").list.len() != term.rows)
    if short.height:
        line = short["_lines"][0][0]
        raise DataError(
            path,
            int(line),
            None,
            f"{ind.id}: expected {term.rows} row(s) of "
            f"{term.describe()} for this area and year, found {len(short['_lines'][0])}",
        )
    return grouped


def _working_days(year: pl.Expr) -> pl.Expr:
    """DfE's working days in the year to 30 September of ``year``: 253, or 254 in a leap year
    (DfE, children's social work workforce methodology, "absence rates")."""
    leap = ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)
    return pl.when(leap).then(254.0).otherwise(253.0)


def _indicator_rows(frame, ind: Indicator, source: Source, path: Path, population, catalogue):
    """The tidy rows of one indicator, and (line, role) pairs of the rows it read."""
    num = _term(frame, ind, ind.numerator, source, path).rename(
        {"_value": "numerator", "_status": "num_status", "_lines": "num_lines"}
    )
    den = ind.denominator
    if den is not None and den.population:
        pop = population.select(
            *KEY,
            pl.col("population").alias("denominator"),
            pl.col("population_status").alias("den_status"),
        )
        rows = num.join(pop, on=KEY, how="left").with_columns(pl.col("den_status").fill_null("x"))
        rows = rows.with_columns(pl.lit([], pl.List(pl.Int64)).alias("den_lines"))
    elif den is not None:
        d = _term(frame, ind, den, source, path).select(
            *KEY,
            pl.col("_value").alias("denominator"),
            pl.col("_status").alias("den_status"),
            pl.col("_lines").alias("den_lines"),
        )
        rows = num.join(d, on=KEY, how="full", coalesce=True)
        orphan = rows.filter(pl.col("num_lines").is_null() | pl.col("den_lines").is_null())
        if orphan.height:
            lines = orphan.row(0, named=True)
            line = (lines["num_lines"] or lines["den_lines"])[0]
            raise DataError(
                path,
                int(line),
                None,
                f"{ind.id}: no matching "
                f"{'denominator' if lines['den_lines'] is None else 'numerator'} "
                "row for this area and year",
            )
    else:
        rows = num.with_columns(
            pl.lit(None, pl.Float64).alias("denominator"),
            pl.lit(PUBLISHED).alias("den_status"),
            pl.lit([], pl.List(pl.Int64)).alias("den_lines"),
        )
    if ind.denominator_scale == "working_days":
        days = _working_days(pl.col("year") - 1)  # year Y+1 holds the census of 30 Sept Y
        rows = rows.with_columns(pl.col("denominator") * days)
    if not ind.published:
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
    unit = catalogue.units[ind.unit]
    value = (
        pl.col("numerator") / pl.col("denominator") * unit.multiplier
        if unit.ratio
        else pl.col("numerator")
    )
    if ind.value_from == "published":  # DfE's figure, and its symbol where it printed none
        status, value = pl.col("published_status"), pl.col("published_value")
    rows = rows.with_columns(pl.lit(ind.id).alias("indicator"), status.alias("status"))
    rows = rows.with_columns(pl.when(pl.col("status") == PUBLISHED).then(value).alias("value"))
    used = _rows_read(rows, ind)
    rows = _printed_where_truer(rows, ind)
    return rows.select([pl.col(c).cast(t) for c, t in INDICATOR_SCHEMA.items()]), used


def _printed_where_truer(rows: pl.DataFrame, ind: Indicator) -> pl.DataFrame:
    """DfE's printed figure as the value where it is truer than the counts, as
    :func:`cscbench.datasets.loaders.read_raw` takes it: a figure DfE printed while withholding
    its count (then ``published``), and a percentage of England or a region, whose counts DfE
    rounds to the nearest 10, where the file prints percentages to a decimal place (printed
    as whole numbers, as the looked-after files print them, the counts are the closer)."""
    printed = pl.col("published_value")
    if not ind.published or rows["published_value"].drop_nulls().is_empty():
        return rows
    finer = bool((rows["published_value"].drop_nulls() % 1 != 0).any())
    area = (pl.col("geography") != "la") & pl.lit(ind.unit == "percent" and finer)
    known_base = pl.col("denominator").fill_null(1) != 0  # a percentage of no cases stays z
    use = printed.is_not_null() & known_base & ((pl.col("status") != PUBLISHED) | area)
    return rows.with_columns(
        pl.when(use).then(printed).otherwise(pl.col("value")).alias("value"),
        pl.when(use).then(pl.lit(PUBLISHED)).otherwise(pl.col("status")).alias("status"),
    )


def _rows_read(rows: pl.DataFrame, ind: Indicator) -> pl.DataFrame:
    """(line, role) of every input row an indicator's rows read."""
    return pl.concat(
        [
            rows.select(pl.col("num_lines").alias("line"))
            .explode("line")
            .with_columns(pl.lit(f"numerator of {ind.id}").alias("role")),
            rows.select(pl.col("den_lines").alias("line"))
            .explode("line")
            .drop_nulls()
            .with_columns(pl.lit(f"denominator of {ind.id}").alias("role")),
        ]
    )


def read_source(
    path: str | Path,
    source: Source,
    codes: pl.DataFrame,
    population: pl.DataFrame,
    catalogue: Catalogue = CATALOGUE,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Every declared indicator of one tidy file: (rows in INDICATOR_SCHEMA, accounting)."""
    path = Path(path)
    measures = _measures(source, catalogue)
    frame, joint = _read_rows(path, source, codes, [*source.breakdown, *measures])
    _check_unique(frame, path, [*KEY, *source.breakdown])
    lacking = missing_values(frame, source, catalogue)
    if lacking:
        raise DataError(
            path,
            None,
            lacking[0],
            f"no row has {lacking[0]} = {lacking[1]!r}, which the catalogue's indicators read",
        )
    frame = _parse(frame, source, path, measures)
    # An authority that did not exist has no figures: z, or x where DfE withheld the whole
    # year (school moves, 2020).
    for column in measures:
        wrong = frame.filter(~pl.col("exists"), pl.col(f"{column}_status") == PUBLISHED)
        if wrong.height:
            row = wrong.row(0, named=True)
            raise DataError(
                path,
                row[LINE],
                column,
                f"{row['area_name']} did not exist in {row['year']} but this row has a figure",
            )
    parts, used = [], []
    for ind in catalogue.indicators.values():
        if ind.source == source.key:
            rows, lines = _indicator_rows(frame, ind, source, path, population, catalogue)
            parts.append(rows)
            used.append(lines)
    roles = (
        pl.concat(used)
        .group_by("line")
        .agg(pl.col("role").unique(maintain_order=True))
        .select("line", pl.col("role").list.join("; ").alias("_used"))
    )
    return pl.concat(parts), _accounting(frame, joint, roles, source, path)


def _accounting(frame, joint, roles, source: Source, path: Path) -> pl.DataFrame:
    unread = pl.concat_str(
        [pl.lit(f"{c} = '") + pl.col(c) + pl.lit("'") for c in source.breakdown], separator=", "
    )
    reason = (
        pl.when(pl.col("_used").is_not_null())
        .then(pl.col("_used"))
        .when(~pl.col("exists"))
        .then(pl.lit("authority did not exist at the end of this year (a row of symbols)"))
        .otherwise(
            pl.lit("not read by any indicator")
            + (pl.lit(": ") + unread if source.breakdown else pl.lit(""))
        )
    )
    rows = frame.join(roles, left_on=LINE, right_on="line", how="left").select(
        pl.lit(path.name).alias("file"),
        pl.col(LINE).alias("line"),
        pl.when(pl.col("_used").is_not_null())
        .then(pl.lit("used"))
        .otherwise(pl.lit("skipped"))
        .alias("outcome"),
        reason.alias("reason"),
    )
    if joint.height:
        rows = pl.concat(
            [
                rows,
                joint.select(
                    pl.lit(path.name).alias("file"),
                    pl.col(LINE).alias("line"),
                    pl.lit("skipped").alias("outcome"),
                    (
                        pl.lit("joint return of ")
                        + pl.col("la_name")
                        + pl.lit(": no figure for either authority alone")
                    ).alias("reason"),
                ),
            ]
        )
    return rows.cast(ACCOUNTING_SCHEMA).sort("line")


def read_tidy(
    raw_dir: str | Path, catalogue: Catalogue = CATALOGUE, found: tuple | None = None
) -> TidyTables:
    """Read every tidy file in ``raw_dir`` (a folder like ``shared/data/dfe``) that the
    catalogue declares; the ONS population and DfE's list of authorities must be there.
    ``found`` is what :func:`~cscbench.datasets.recognise.find_files` gave, if known."""
    raw_dir = Path(raw_dir)
    files, other = found or find_files(raw_dir, catalogue)
    for key in ("lineage", "population"):
        if key not in files:
            source = catalogue.sources[key]
            raise DataError(raw_dir, None, None, f"no file is {source.title} ({source.pattern})")
    codes, lineage_rows = read_lineage(files["lineage"])
    population, population_rows = read_population(raw_dir, codes)
    tidy = [s for s in catalogue.sources.values() if s.kind == "tidy"]
    parts, accounts = [], [lineage_rows]
    for source in tidy:
        if source.key in files:
            rows, account = read_source(files[source.key], source, codes, population, catalogue)
            parts.append(rows)
            accounts.append(account)
    indicators = pl.concat(parts).sort("indicator", "year", "geography", "area_code")
    rates = [
        i.id for i in catalogue.indicators.values() if i.denominator and i.denominator.population
    ]
    used = (
        indicators.filter(pl.col("indicator").is_in(rates))
        .select("geography", pl.coalesce("la_code", "area_code").alias("area_key"), "year")
        .unique()
        .with_columns(pl.lit(True).alias("_used"))
    )
    pop = population_rows.join(used, on=KEY, how="left").select(
        pl.lit(files["population"].name).alias("file"),
        pl.col(LINE).alias("line"),
        pl.when(pl.col("_used")).then(pl.lit("used")).otherwise(pl.lit("skipped")).alias("outcome"),
        pl.when(pl.col("_used"))
        .then(pl.lit("denominator of rates"))
        .otherwise(pl.lit("no indicator row for this area and year"))
        .alias("reason"),
    )
    accounts.append(pop)
    return TidyTables(
        indicators=indicators,
        accounting=pl.concat([a.cast(ACCOUNTING_SCHEMA) for a in accounts]),
        files=files,
        other=other,
        missing=tuple(s.key for s in tidy if s.key not in files),
    )
