"""Local authorities created, abolished or recoded since 2013, and how their series are kept.

Authorities are identified by DfE's 3-digit ``la_code`` (``old_la_code`` in DfE files), which
stays the same when ONS recodes an authority (North Yorkshire, Somerset and Buckinghamshire keep
815, 933 and 825) while the 9-character ONS code changes. Across DfE files the ONS code is not
a stable key: the looked-after children file carries North Yorkshire's and Somerset's E06 codes
back to 2021, where the children in need files still have E10 codes. So cscbench joins on
``la_code`` and gives each row the ONS code in force at the end of its reporting year, from
DfE's list of authorities (``las_lineage.csv``).

The successions (:data:`SUCCESSIONS`), by the first reporting year (year ending 31 March) that
the new arrangement covers:

========  ==============================================  ==================================
Year      Before                                          After
========  ==============================================  ==================================
2020      Bournemouth 837, Poole 836, Dorset county 835   Bournemouth, Christchurch and
                                                          Poole 839; Dorset 838 (new area)
2021      Buckinghamshire county 825 (E10000002)          Buckinghamshire unitary 825
                                                          (E06000060), same area
2022      Northamptonshire 928                            North Northamptonshire 940; West
                                                          Northamptonshire 941
2024      Cumbria 909                                     Cumberland 942; Westmorland and
                                                          Furness 943
2024      North Yorkshire 815 (E10000023)                 North Yorkshire 815 (E06000065),
                                                          same area
2024      Somerset 933 (E10000027)                        Somerset 933 (E06000066), same area
========  ==============================================  ==================================

Where the area changed (``boundary_changed``), predecessors and successors have different
codes and so separate series: no figure of one is ever joined to another's, and comparisons
that span the change carry a ``boundary_change`` flag. Where only the council changed and the
area is the same (Buckinghamshire, North Yorkshire, Somerset), children's services cover the
same children before and after, DfE keeps the same 3-digit code, and the series continues;
the succession is still recorded so that comparisons across it are flagged.

Example:
    >>> [s.after for s in SUCCESSIONS if "909" in s.before]
    [('942', '943')]
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import polars as pl

from cscbench.datasets.csvfile import LINE, read_text_table
from cscbench.errors import DataError


@dataclass(frozen=True)
class Succession:
    """One reorganisation: the first reporting year it covers, and who came before and after."""

    year: int
    before: tuple[str, ...]
    after: tuple[str, ...]
    boundary_changed: bool
    note: str


SUCCESSIONS: tuple[Succession, ...] = (
    Succession(
        2020,
        ("835", "836", "837"),
        ("838", "839"),
        True,
        "On 1 April 2019 Bournemouth, Poole and Dorset County Council were replaced by "
        "Bournemouth, Christchurch and Poole (which took Christchurch from Dorset) and a "
        "Dorset unitary council.",
    ),
    Succession(
        2021,
        ("825",),
        ("825",),
        False,
        "On 1 April 2020 Buckinghamshire County Council and its districts became one "
        "unitary council covering the same area (ONS code E10000002 became E06000060).",
    ),
    Succession(
        2022,
        ("928",),
        ("940", "941"),
        True,
        "On 1 April 2021 Northamptonshire was split into North Northamptonshire and West "
        "Northamptonshire.",
    ),
    Succession(
        2024,
        ("909",),
        ("942", "943"),
        True,
        "On 1 April 2023 Cumbria was split into Cumberland and Westmorland and Furness.",
    ),
    Succession(
        2024,
        ("815",),
        ("815",),
        False,
        "On 1 April 2023 North Yorkshire became a unitary council covering the same area "
        "(ONS code E10000023 became E06000065).",
    ),
    Succession(
        2024,
        ("933",),
        ("933",),
        False,
        "On 1 April 2023 Somerset became a unitary council covering the same area (ONS code "
        "E10000027 became E06000066).",
    ),
)


def created_by(la_code: str) -> Succession | None:
    """The reorganisation that made ``la_code`` (DfE's 3-digit code) an authority with a new
    area, if one did; None for authorities that kept their area (North Yorkshire's 815).

    Example:
        >>> created_by("942").note
        'On 1 April 2023 Cumbria was split into Cumberland and Westmorland and Furness.'
        >>> created_by("815") is None
        True
    """
    return next((s for s in SUCCESSIONS if s.boundary_changed and la_code in s.after), None)


def first_years() -> dict[str, int]:
    """Each authority made with a new area by a reorganisation, and its first reporting year.

    A measure that looks back over the authority's own earlier records (re-referrals within 12
    months) may, in that year, miss what was recorded by the councils it replaced: each of the
    four authorities made since 2021 with figures in their first year reported a much lower
    re-referral percentage then than in their second (DfE's c1 file: Cumberland 10.7% then
    22.7%, Westmorland and Furness 7.4% then 16.5%, North Northamptonshire 21.4% then 29.3%,
    West Northamptonshire 19.6% then 26.5%, against England's 21.5-22.6%).

    Example:
        >>> first_years()["942"], first_years()["940"], "815" in first_years()
        (2024, 2022, False)
    """
    return {code: s.year for s in SUCCESSIONS if s.boundary_changed for code in s.after}


LINEAGE_COLUMNS = [
    "new_la_code",
    "la_name",
    "date_of_operation",
    "date_of_termination",
    "status",
    "old_la_code",
]


def reporting_year_end(year: int) -> date:
    """The date a reporting year ends: 2017 is the year to 31 March 2017."""
    return date(year, 3, 31)


def read_lineage(path: str | Path) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Read DfE's list of authorities: (one row per ONS code with a 3-digit code, accounting).

    Rows without a single 3-digit code and an ONS area code are accounted for, not used: joint
    rows such as ``940 / 941`` (joint returns of two authorities), counties abolished in 2009,
    whose code is ``x``, and British Forces establishments overseas (ONS code ``z``). Dates must
    be ``dd/mm/yyyy``.

    Example:
        >>> codes, accounting = read_lineage("../shared/data/dfe/las_lineage.csv")
        >>> codes.filter(pl.col("la_code") == "825")["area_code"].to_list()
        ['E10000002', 'E06000060']
    """
    raw = read_text_table(path, required=LINEAGE_COLUMNS)
    code = pl.col("old_la_code").str.strip_chars()
    ons = pl.col("new_la_code").str.strip_chars().str.contains(r"^E\d{8}$").fill_null(False)
    single = code.str.contains(r"^\d{3}$").fill_null(False) & ons
    accounting = raw.select(
        pl.lit(Path(path).name).alias("file"),
        pl.col(LINE).alias("line"),
        pl.when(single).then(pl.lit("used")).otherwise(pl.lit("skipped")).alias("outcome"),
        pl.when(single)
        .then(pl.lit("authority code history"))
        .when(~ons & ~code.str.contains("/").fill_null(False))
        .then(pl.lit("no ONS area code: not a local authority area (e.g. forces overseas)"))
        .when(code.str.contains("/").fill_null(False))
        .then(pl.lit("joint row for two authorities' joint returns, not an authority"))
        .otherwise(pl.lit("no 3-digit code: abolished before 2013, outside the data"))
        .alias("reason"),
    )
    rows = raw.filter(single)
    for column in ("date_of_operation", "date_of_termination"):
        parsed = rows[column].str.strptime(pl.Date, "%d/%m/%Y", strict=False)
        bad = parsed.is_null() & rows[column].is_not_null() & (rows[column].str.strip_chars() != "")
        if bad.any():
            i = int(bad.arg_max())
            raise DataError(
                path, int(rows[LINE][i]), column, f"{rows[column][i]!r} is not dd/mm/yyyy"
            )
        rows = rows.with_columns(parsed.alias(column))
    if rows["date_of_operation"].is_null().any():
        i = int(rows["date_of_operation"].is_null().arg_max())
        raise DataError(path, int(rows[LINE][i]), "date_of_operation", "is blank")
    codes = rows.select(
        pl.col("old_la_code").str.strip_chars().alias("la_code"),
        pl.col("new_la_code").str.strip_chars().alias("area_code"),
        pl.col("la_name").alias("area_name"),
        pl.col("date_of_operation").alias("start"),
        pl.col("date_of_termination").alias("end"),
    ).sort("la_code", "start")
    return codes, accounting


def attach_area_codes(frame: pl.DataFrame, codes: pl.DataFrame) -> pl.DataFrame:
    """Add ``code_in_force``: the ONS code of ``la_code`` in force at the end of ``year``.

    Null where the authority did not exist at the end of that reporting year (Cumbria in 2024,
    North Northamptonshire in 2021).

    Example:
        >>> codes = pl.DataFrame({"la_code": ["909", "942"],
        ...     "area_code": ["E10000006", "E06000063"], "area_name": ["Cumbria", "Cumberland"],
        ...     "start": [date(2009, 1, 1), date(2023, 4, 1)], "end": [date(2023, 3, 31), None]})
        >>> f = pl.DataFrame({"la_code": ["909", "909", "942"], "year": [2023, 2024, 2024]})
        >>> attach_area_codes(f, codes)["code_in_force"].to_list()
        ['E10000006', None, 'E06000063']
    """
    keyed = frame.with_row_index("_row").with_columns(
        pl.date(pl.col("year"), 3, 31).alias("_end_of_year")
    )
    matches = (
        keyed.select("_row", "la_code", "_end_of_year")
        .join(codes.select("la_code", "area_code", "start", "end"), on="la_code", how="inner")
        .filter(
            (pl.col("start") <= pl.col("_end_of_year"))
            & (pl.col("end").is_null() | (pl.col("end") >= pl.col("_end_of_year")))
        )
        .group_by("_row")
        .agg(pl.col("area_code").sort().first().alias("code_in_force"))
    )
    return keyed.join(matches, on="_row", how="left").sort("_row").drop("_row", "_end_of_year")


def successions_frame() -> pl.DataFrame:
    """The successions as a DataFrame, one row per (succession, predecessor, successor).

    Example:
        >>> successions_frame().filter(pl.col("before") == "928")["after"].to_list()
        ['940', '941']
    """
    rows = [
        {
            "year": s.year,
            "before": b,
            "after": a,
            "boundary_changed": s.boundary_changed,
            "note": s.note,
        }
        for s in SUCCESSIONS
        for b in s.before
        for a in s.after
    ]
    return pl.DataFrame(rows, schema_overrides={"year": pl.Int32})
