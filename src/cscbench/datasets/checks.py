"""Plausibility checks on a DfE or ONS file, run wherever a file can enter the data.

``cscbench data import``, ``data fetch`` and ``data build`` (into the cache, or ``--from DIR
--out DIR``) all check every source file with :func:`check_file` before anything is copied or
built, so an impossible figure stops with file, row and column and the active data set is
left as it was. Each check refuses (raises :class:`~cscbench.errors.DataError`) or warns (the
row is kept, the warning is said and recorded in the manifest), as follows:

================================================  =======  ====================================
Check                                             Rule     Why
================================================  =======  ====================================
a count that is negative, fractional or not       refuse   parse_measure: never a real count
a number (``inf``, ``nan``)
a count above :data:`MAX_COUNT` (``1e308``)       refuse   England has 12.2 million children
a percentage outside 0-100, a rate per 10,000     refuse   impossible by definition
outside 0-10,000
a year after the current year                     refuse   no figure exists yet
a numerator above its denominator (re-referrals   refuse   a subset cannot exceed its whole;
above referrals; also two columns swapped)                 the swap makes every row fail
DfE's printed percentage (or looked-after rate)   warn     DfE's own files have two (2022
disagreeing with the counts beyond rounding, on            second or subsequent plans, England
at most :data:`HANDFUL` rows of a file                     and Yorkshire and The Humber)
... on more than :data:`HANDFUL` rows             refuse   a corrupted or mislabelled file
no rows, or under :data:`SHRINK` of the rows,     refuse   a header-only file would remove a
years or authorities of the file it replaces               whole family of indicators;
                                                           ``--allow-shrink`` accepts it
================================================  =======  ====================================

Example:
    >>> from cscbench.datasets.cache import check_file
    >>> check_file("../shared/data/dfe/d3_cpps_subsequent_plan_2013_to_2025.csv", "d3").rows
    2132
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import polars as pl

from cscbench.datasets.csvfile import LINE
from cscbench.datasets.registry import INDICATORS, SOURCES
from cscbench.errors import DataError

#: The largest count accepted: far above England's 12.2 million children aged 0-17 (ONS
#: mid-2024), the largest figure in any source file.
MAX_COUNT = 100_000_000
#: A percentage or a rate per 10,000 must lie in [0, the key].
RANGES = {"percent": 100.0, "rate": 10_000.0}
#: Rows of a file on which DfE's printed percentage may disagree with its counts (with a
#: warning) before the file is refused. The real files have 2 such rows, both in d3.
HANDFUL = 5
#: A replacement file with fewer than this share of the rows, years or authorities of the
#: file it replaces is refused unless the user says ``--allow-shrink``.
SHRINK = 0.8

Warn = Callable[[str], None]

LEVELS = {"National": "national", "Regional": "regional", "Local authority": "la"}


@dataclass(frozen=True)
class Profile:
    """How much a file holds: data rows, distinct years and distinct authorities."""

    rows: int
    years: int | None = None
    authorities: int | None = None

    def as_dict(self) -> dict:
        return {k: v for k, v in asdict(self).items() if v is not None}


def profile(frame: pl.DataFrame) -> Profile:
    """Rows, years (``time_period``) and authorities (``old_la_code`` at authority level).

    Example:
        >>> f = pl.DataFrame({"time_period": ["2024", "2025", "2025"],
        ...     "geographic_level": ["National", "Local authority", "Local authority"],
        ...     "old_la_code": ["", "831", "830"]})
        >>> profile(f)
        Profile(rows=3, years=2, authorities=2)
    """
    years = frame["time_period"].n_unique() if "time_period" in frame.columns else None
    authorities = None
    if {"geographic_level", "old_la_code"} <= set(frame.columns):
        la = frame.filter(pl.col("geographic_level") == "Local authority")
        authorities = la["old_la_code"].n_unique()
    return Profile(frame.height, years, authorities)


def _first(mask: pl.Series) -> int | None:
    mask = mask.fill_null(False)
    return int(mask.arg_max()) if mask.any() else None


def check_years(frame: pl.DataFrame, path: Path, today: dt.date | None = None) -> None:
    """Every ``time_period`` a 4-digit year no later than this year."""
    if "time_period" not in frame.columns:
        return
    this_year = (today or dt.date.today()).year
    text = frame["time_period"].str.strip_chars()
    malformed = ~text.str.contains(r"^\d{4}$").fill_null(False)
    i = _first(malformed)
    if i is not None:
        cell = frame["time_period"][i]
        raise DataError(path, int(frame[LINE][i]), "time_period", f"{cell!r} is not a 4-digit year")
    i = _first(text.cast(pl.Int32) > this_year)
    if i is not None:
        raise DataError(
            path,
            int(frame[LINE][i]),
            "time_period",
            f"{text[i]} is after the current year ({this_year}): no such figures exist yet",
        )


def kind(column: str, key: str | None = None) -> str:
    """'percent', 'rate', 'figure' (a number that need not be whole: an FTE, a median, an
    average) or 'count', from a DfE column name and what the catalogue says of source ``key``:
    a long file's percentage column, the printed figure of a percentage or rate indicator, the
    columns the source declares ``fractional``.

    Example:
        >>> kind("rereferral_percent"), kind("rate_per_10000"), kind("CPP_At31")
        ('percent', 'rate', 'count')
        >>> kind("percentage", "cla_social_workers"), kind("inpost_fte", "csww")
        ('percent', 'figure')
    """
    if key is not None:
        source = SOURCES[key]
        for ind in INDICATORS.values():
            if ind.source == key and ind.published == column:
                if ind.unit in ("percent", "fte_percent"):
                    return "percent"
                if ind.unit == "rate_per_10k":
                    return "rate"
        if column == source.percent:
            return "percent"
        if column in source.fractional or (column == source.count and source.scores):
            return "figure"  # (a long file's score rows hold averages: the reader checks them)
    if column.endswith("_percent"):
        return "percent"
    return "rate" if column.startswith("rate_") else "count"


def check_ranges(
    frame: pl.DataFrame, values: dict[str, pl.Series], path: Path, key: str | None = None
) -> None:
    """Counts at most :data:`MAX_COUNT`; percentages and rates within :data:`RANGES`."""
    for column, value in values.items():
        what = kind(column, key)
        top = RANGES.get(what, MAX_COUNT)
        i = _first((value < 0) | (value > top))
        if i is not None:
            shown = frame[column][i].strip()
            unit = {"percent": "a percentage", "rate": "a rate per 10,000"}.get(what, "a count")
            unit = "a figure" if what == "figure" else unit
            raise DataError(
                path,
                int(frame[LINE][i]),
                column,
                f"{shown} is impossible for {unit} (0 to {top:,.0f})",
            )


def _one_column(term) -> str | None:
    """The column a term reads, where it is one column of a row (not a filter, a sum or the
    population)."""
    if term is None or term.population or term.where or len(term.columns) != 1:
        return None
    return term.columns[0]


def _ratio_indicators(key: str, columns: set[str]) -> list[tuple[str, str, str, str | None]]:
    """(indicator, numerator column, denominator column, printed column) of each percentage
    of source ``key`` whose counts are both columns of one row of the file. (A long file's
    numerator and denominator are rows: the reader checks those, row against row.)"""
    found = []
    for ind in INDICATORS.values():
        num, den = _one_column(ind.numerator), _one_column(ind.denominator)
        if ind.source == key and ind.unit == "percent" and num and den and {num, den} <= columns:
            found.append((ind.id, num, den, ind.published))
    return found


def check_subsets(frame: pl.DataFrame, values: dict[str, pl.Series], path: Path, key: str) -> None:
    """A percentage's numerator never above its denominator (re-referrals within referrals)."""
    for _, numerator, denominator, _ in _ratio_indicators(key, set(values)):
        num, den = values[numerator], values[denominator]
        over = (num > den).fill_null(False)
        i = _first(over)
        if i is None:
            continue
        share = over.sum() / max(1, (num.is_not_null() & den.is_not_null()).sum())
        swapped = (
            f"; true of {over.sum():,} rows: are {numerator} and {denominator} swapped?"
            if share > 0.5
            else ""
        )
        raise DataError(
            path,
            int(frame[LINE][i]),
            numerator,
            f"{frame[numerator][i].strip()} is more than {denominator} "
            f"({frame[denominator][i].strip()}), which it is part of{swapped}",
        )


#: The columns that say which area and year a row of a DfE file is for.
AREA_YEAR = ["time_period", "geographic_level", "region_code", "old_la_code", "new_la_code"]


def _picks(frame: pl.DataFrame, filters) -> pl.Series:
    """Rows matching every (column, accepted values) pair."""
    mask = pl.Series([True] * frame.height)
    for column, accepted in filters:
        mask = mask & frame[column].str.strip_chars().is_in(list(accepted))
    return mask


def check_long_subsets(
    frame: pl.DataFrame, values: dict[str, pl.Series], path: Path, key: str
) -> None:
    """In a long file, a percentage's numerator rows (children with the characteristic) never
    count more than its denominator row (the cohort's "Total" row) for the same area and year."""
    source = SOURCES[key]
    if not source.long or source.count not in values:
        return
    keys = [c for c in AREA_YEAR if c in frame.columns]
    counts = frame.select(*keys, LINE).with_columns(values[source.count].alias("_n"))
    for ind in INDICATORS.values():
        num, den = ind.numerator, ind.denominator
        if ind.source != key or ind.unit != "percent" or den is None or not num.where:
            continue
        cohort = _picks(frame, ind.rows)
        top = counts.filter(cohort & _picks(frame, num.where))
        bottom = counts.filter(cohort & _picks(frame, den.where))
        over = (
            top.group_by(keys)
            .agg(pl.col("_n").sum(), pl.col(LINE).min())
            .join(bottom.group_by(keys).agg(pl.col("_n").sum().alias("_total")), on=keys)
            .filter(pl.col("_n") > pl.col("_total"))
            .sort(LINE)
        )
        if over.height:
            row = over.row(0, named=True)
            raise DataError(
                path,
                int(row[LINE]),
                source.count,
                f"{row['_n']:g} ({ind.numerator.describe()}) is more than the "
                f"{row['_total']:g} of {ind.denominator.describe()}, which it is part of",
            )


def check_published(
    frame: pl.DataFrame, values: dict[str, pl.Series], path: Path, key: str
) -> list[str]:
    """DfE's printed percentages against the counts: a warning for each of up to
    :data:`HANDFUL` rows that disagree beyond rounding, a refusal beyond that."""
    from cscbench.datasets.quality import published_agreement

    if "geographic_level" not in frame.columns or frame.is_empty():
        return []
    warnings = []
    for indicator, numerator, denominator, published in _printed(key, set(values)):
        multiplier = INDICATORS[indicator].multiplier
        rows = pl.DataFrame(
            {
                "indicator": indicator,
                "geography": frame["geographic_level"].replace_strict(LEVELS, default=None),
                "numerator": values[numerator],
                "denominator": values[denominator],
                "published_value": values[published],
                LINE: frame[LINE],
            }
        ).filter(pl.col("geography").is_not_null(), pl.col("denominator") > 0)
        rows = rows.with_columns(
            (pl.col("numerator") / pl.col("denominator") * multiplier).alias("value")
        )
        bad = published_agreement(rows).filter(pl.col("published_ok").not_())
        if bad.height > HANDFUL:
            first = bad.row(0, named=True)
            raise DataError(
                path,
                first[LINE],
                published,
                f"DfE's printed figure disagrees with {numerator} / {denominator} "
                f"on {bad.height:,} rows (first: {first['published_value']:g} printed, the "
                f"counts give {first['value']:.1f}); at most {HANDFUL} are accepted",
            )
        for row in bad.iter_rows(named=True):
            warnings.append(
                f"{path.name}, row {row[LINE]}, column {published!r}: DfE printed "
                f"{row['published_value']:g} where the counts give {row['value']:.1f}; "
                "kept and flagged published_mismatch"
            )
    return warnings


#: The looked-after file prints each rate beside its count and the population it used.
CLA_RATE = ("cla_rate", "children_count", "population_estimate", "rate_per_10000")


def _printed(key: str, columns: set[str]) -> list[tuple[str, str, str, str]]:
    """(indicator, numerator, denominator, printed figure) of each figure DfE printed beside
    the counts it comes from, in the same row of source ``key``."""
    pairs = [
        (indicator, num, den, printed)
        for indicator, num, den, printed in _ratio_indicators(key, columns)
        if printed in columns
    ]
    if key == "cla" and set(CLA_RATE[1:]) <= columns:
        pairs.append(CLA_RATE)
    return pairs


def check_measures(
    frame: pl.DataFrame,
    values: dict[str, pl.Series],
    path: str | Path,
    key: str,
    today: dt.date | None = None,
) -> list[str]:
    """Every check of the module's table on one parsed file; return its warnings.

    ``values`` holds each numeric column parsed (null where a cell is a DfE symbol).
    """
    path = Path(path)
    check_years(frame, path, today)
    check_ranges(frame, values, path, key)
    check_subsets(frame, values, path, key)
    check_long_subsets(frame, values, path, key)
    return check_published(frame, values, path, key)


def numeric_columns(key: str, frame: pl.DataFrame) -> list[str]:
    """The numeric columns of source ``key`` that cscbench reads (and so checks)."""
    from cscbench.datasets.loaders import measure_columns

    if key == "population":
        return ["population_estimate"]
    if key == "c3":
        columns = [c for c in frame.columns if c != LINE]
        return columns[columns.index("category") + 1 :]
    if key == "cla" and CLA_RATE[2] in frame.columns:  # the population beside each rate
        return [*measure_columns(key), CLA_RATE[2]]
    return measure_columns(key)


def check_file(
    path: str | Path, key: str, warn: Warn | None = None, today: dt.date | None = None
) -> Profile:
    """Parse a file as its source is parsed and run every check on it; return its profile.

    Bad cells and impossible figures stop with file, row and column; warnings go to ``warn``.
    """
    from cscbench.datasets.csvfile import parse_measure, read_text_table
    from cscbench.datasets.loaders import required_columns

    path = Path(path)
    repeated = {"SNP": 10} if key == "sn2021" else {}
    required = [c for c in required_columns(key) if c not in repeated]  # repeats: counted
    frame = read_text_table(path, required=required, repeated=repeated)
    values = {
        column: parse_measure(frame, column, path, whole=kind(column, key) == "count")[0]
        for column in numeric_columns(key, frame)
    }
    for warning in check_measures(frame, values, path, key, today):
        if warn is not None:
            warn(warning)
    return profile(frame)


#: The kinds of source checked here (Ofsted's spreadsheet is checked by its own reader).
CHECKED = ("tidy", "population", "lineage", "neighbours", "factors")


def check_folder(raw_dir: str | Path, warn: Warn | None = None) -> dict[str, Profile]:
    """:func:`check_file` on every source file of a folder of raw files: each required
    source's, and each optional source's that is there."""
    from cscbench.datasets.loaders import find_source_file

    profiles = {}
    for key, source in SOURCES.items():
        if source.kind not in CHECKED:
            continue
        if source.optional and not any(Path(raw_dir).glob(source.pattern)):
            continue
        profiles[key] = check_file(find_source_file(raw_dir, key), key, warn)
    return profiles


def check_shrink(
    new: Profile, old: Profile | dict | None, path: str | Path, key: str, allow_shrink: bool
) -> None:
    """Refuse a file with no rows, or far fewer rows, years or authorities than the file it
    replaces (``old``), unless ``allow_shrink``.

    Example:
        >>> check_shrink(Profile(2132, 13, 153), {"rows": 2132}, "b1.csv", "b1", False)
        >>> check_shrink(Profile(0, 0, 0), None, "b1.csv", "b1", False)
        Traceback (most recent call last):
        ...
        cscbench.errors.DataError: b1.csv: has no data rows: it would remove every figure \
of Children in need (add --allow-shrink if that is meant)
    """
    if allow_shrink:
        return
    path = Path(path)
    title = SOURCES[key].title
    if new.rows == 0:
        raise DataError(
            path,
            None,
            None,
            f"has no data rows: it would remove every figure of {title} "
            "(add --allow-shrink if that is meant)",
        )
    if old is None:
        return
    before = old.as_dict() if isinstance(old, Profile) else old
    found = new.as_dict()
    for measure in ("years", "authorities", "rows"):  # the most telling loss first
        now, was = found.get(measure), before.get(measure)
        if now is not None and was and now < SHRINK * was:
            raise DataError(
                path,
                None,
                None,
                f"has {now:,} {measure} where the {title} file it replaces has {was:,}: "
                f"refused as a loss of data (add --allow-shrink if that is meant)",
            )
