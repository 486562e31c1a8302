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
from cscbench.datasets.registry import INDICATORS, POPULATION, SOURCES
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


def kind(column: str) -> str:
    """'percent', 'rate' or 'count', from a DfE column name.

    Example:
        >>> kind("rereferral_percent"), kind("rate_per_10000"), kind("CPP_At31")
        ('percent', 'rate', 'count')
    """
    if column.endswith("_percent"):
        return "percent"
    return "rate" if column.startswith("rate_") else "count"


def check_ranges(frame: pl.DataFrame, values: dict[str, pl.Series], path: Path) -> None:
    """Counts at most :data:`MAX_COUNT`; percentages and rates within :data:`RANGES`."""
    for column, value in values.items():
        what = kind(column)
        top = RANGES.get(what, MAX_COUNT)
        i = _first((value < 0) | (value > top))
        if i is not None:
            shown = frame[column][i].strip()
            unit = {"percent": "a percentage", "rate": "a rate per 10,000"}.get(what, "a count")
            raise DataError(
                path,
                int(frame[LINE][i]),
                column,
                f"{shown} is impossible for {unit} (0 to {top:,.0f})",
            )


def _ratio_indicators(key: str, columns: set[str]):
    """The percentage indicators of source ``key`` whose counts are both in the file."""
    return [
        ind
        for ind in INDICATORS.values()
        if ind.source == key
        and ind.unit == "percent"
        and ind.denominator not in (None, POPULATION)
        and {ind.numerator, ind.denominator} <= columns
    ]


def check_subsets(frame: pl.DataFrame, values: dict[str, pl.Series], path: Path, key: str) -> None:
    """A percentage's numerator never above its denominator (re-referrals within referrals)."""
    for ind in _ratio_indicators(key, set(values)):
        num, den = values[ind.numerator], values[ind.denominator]
        over = (num > den).fill_null(False)
        i = _first(over)
        if i is None:
            continue
        share = over.sum() / max(1, (num.is_not_null() & den.is_not_null()).sum())
        swapped = (
            f"; true of {over.sum():,} rows: are {ind.numerator} and {ind.denominator} swapped?"
            if share > 0.5
            else ""
        )
        raise DataError(
            path,
            int(frame[LINE][i]),
            ind.numerator,
            f"{frame[ind.numerator][i].strip()} is more than {ind.denominator} "
            f"({frame[ind.denominator][i].strip()}), which it is part of{swapped}",
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
        (ind.id, ind.numerator, ind.denominator, ind.published)
        for ind in _ratio_indicators(key, columns)
        if ind.published in columns
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
    check_ranges(frame, values, path)
    check_subsets(frame, values, path, key)
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
        column: parse_measure(frame, column, path, whole=kind(column) == "count")[0]
        for column in numeric_columns(key, frame)
    }
    for warning in check_measures(frame, values, path, key, today):
        if warn is not None:
            warn(warning)
    return profile(frame)


def check_folder(raw_dir: str | Path, warn: Warn | None = None) -> dict[str, Profile]:
    """:func:`check_file` on every source file of a folder of raw files."""
    from cscbench.datasets.loaders import find_source_file

    return {key: check_file(find_source_file(raw_dir, key), key, warn) for key in SOURCES}


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
