"""LAIT's published values as rows of the indicator frame: the values-only indicators
(``source = "lait"`` in the catalogue) and the looked-after years before DfE's file.

Two uses, one rule each:

- :func:`values_only_rows`: every ``lait_*`` indicator's figures, as LAIT publishes them (no
  numerator or denominator, so no interval and no funnel). LAIT labels the workforce census at
  30 September 2024 "2024"; cscbench puts it with 2024-25 (year 2025), as it does DfE's file.
- :func:`earlier_looked_after`: DfE's looked-after file by authority starts in 2020-21; LAIT
  holds the same figures from 2015-16. The years before DfE's file are taken from LAIT (the
  counts as counts, the rates as LAIT's values), so a 2016-17 or 2017-18 report can be rebuilt
  (Rutland: 30 children looked after at 31 March 2018, ``004_*.txt``). They are said to be
  LAIT's wherever they appear (:data:`FROM_LAIT`).

Example:
    >>> from cscbench.datasets.lait import read_lait
    >>> lait = read_lait("../shared/data/lait")
    >>> early = earlier_looked_after(lait.values, first_dfe_year=2021)
    >>> early.filter(pl.col("indicator") == "cla_count", pl.col("la_code") == "857",
    ...     pl.col("year") == 2018).select("numerator", "value").row(0)
    (30.0, 30.0)
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from cscbench.datasets.lait import VALUES_FILE, indicator_rows
from cscbench.datasets.registry import INDICATORS

#: cscbench's looked-after indicators and the LAIT measures that carry them back before
#: DfE's file by authority (LAIT's own measure of each, the one the comparison with LAIT uses).
FROM_LAIT = {
    "cla_count": "LACnum",
    "cla_rate": "LAC",
    "cla_start_count": "LACnum_Start",
    "cla_start_rate": "LAC_Start_Rate",
    "cla_ceased_count": "LACceased",
    "cla_ceased_rate": "LAC_Cease_Rate",
}


def lait_folder(raw_dir: str | Path) -> Path | None:
    """Where LAIT's files are for a folder of DfE files: in it, or beside it in ``../lait``
    (as ``shared/data`` lays them out); None if neither holds them.

    Example:
        >>> lait_folder("../shared/data/dfe").name
        'lait'
    """
    raw_dir = Path(raw_dir)
    for folder in (raw_dir, raw_dir.parent / "lait"):
        if (folder / VALUES_FILE).is_file():
            return folder
    return None


def values_only_rows(values: pl.DataFrame) -> pl.DataFrame:
    """The rows of every values-only (``lait_*``) indicator the catalogue declares."""
    parts = []
    for ind in INDICATORS.values():
        if ind.source != "lait":
            continue
        rows = indicator_rows(values, ind.lait_measure, ind.id)
        if ind.period == "30 September":  # the census at 30 September Y belongs to Y+1
            rows = rows.with_columns(pl.col("year") + 1)
        parts.append(rows)
    return pl.concat(parts) if parts else indicator_rows(values.head(0), "", "")


def earlier_looked_after(values: pl.DataFrame, first_dfe_year: int) -> pl.DataFrame:
    """The looked-after indicators' rows for the years before ``first_dfe_year`` (DfE's file's
    first), from LAIT: a count keeps its count as the numerator; a rate is LAIT's value."""
    parts = []
    for indicator, measure in FROM_LAIT.items():
        rows = indicator_rows(values, measure, indicator).filter(pl.col("year") < first_dfe_year)
        if INDICATORS[indicator].unit == "count":
            rows = rows.with_columns(pl.col("value").alias("numerator"))
        parts.append(rows)
    return pl.concat(parts)


#: Why a row of LAIT's file that no indicator takes is left out, by the rule that leaves it.
OUTSIDE_CATALOGUE = "measure outside cscbench's catalogue (not a children's services measure)"
SEVERAL_YEARS = "a figure over several years: cscbench takes LAIT's one-year figures"
DFE_HAS_YEAR = "DfE's looked-after file gives this year, with its counts: that figure is used"
NOT_TAKEN = "not taken by any indicator"


def lait_accounting(
    values: pl.DataFrame,
    file_accounting: pl.DataFrame,
    kept: pl.DataFrame,
    refused: pl.DataFrame,
    first_dfe_year: int,
) -> pl.DataFrame:
    """The accounting of LAIT's file as cscbench uses it: a row is ``used`` only when an
    indicator's rows keep it (``kept``, by ``line``), ``skipped`` with the loader's reason
    when it was taken and then refused (``refused``: ``line``, ``reason``), and otherwise
    skipped with the rule that leaves it out: its measure is outside the catalogue, it spans
    several years, or it is a looked-after year DfE's own file gives. The file's own skipped
    rows (no period) stay as :func:`~cscbench.datasets.lait.read_values` accounts them, and
    the dictionary's rows are untouched. Every line of the file has exactly one row.

    Example:
        >>> values = pl.DataFrame({"line": [1, 2, 3], "measure": ["LAC", "KS2", "LAC"],
        ...     "years_covered": [1, 1, 3], "year": [2018, 2018, 2018]})
        >>> accounting = pl.DataFrame({"file": [VALUES_FILE] * 3, "line": [1, 2, 3],
        ...     "outcome": ["used"] * 3, "reason": ["LAIT value"] * 3})
        >>> kept = pl.DataFrame({"line": [1]})
        >>> refused = pl.DataFrame(schema={"line": pl.Int64, "reason": pl.String})
        >>> lait_accounting(values, accounting, kept, refused, 2021)["reason"].to_list()
        ['LAIT value', "measure outside cscbench's catalogue (not a children's services measure)", "a figure over several years: cscbench takes LAIT's one-year figures"]
    """  # noqa: E501
    declared = {i.lait_measure for i in INDICATORS.values() if i.source == "lait"}
    declared |= set(FROM_LAIT.values())
    in_file = pl.col("file") == VALUES_FILE
    line = pl.col("line").cast(pl.Int64)
    used = kept.select(
        line, pl.lit("used").alias("_outcome"), pl.lit("LAIT value").alias("_reason")
    )
    refusals = refused.select(
        line, pl.lit("skipped").alias("_outcome"), pl.col("reason").alias("_reason")
    )
    decided = pl.concat([used, refusals]).unique("line", keep="first")
    dfe_year = pl.col("measure").is_in(list(FROM_LAIT.values())) & (
        pl.col("year") >= first_dfe_year
    )
    rules = values.select(
        line,
        pl.when(~pl.col("measure").is_in(sorted(declared)))
        .then(pl.lit(OUTSIDE_CATALOGUE))
        .when(pl.col("years_covered") != 1)
        .then(pl.lit(SEVERAL_YEARS))
        .when(dfe_year)
        .then(pl.lit(DFE_HAS_YEAR))
        .otherwise(pl.lit(NOT_TAKEN))
        .alias("_rule"),
    )
    read = file_accounting.filter(in_file & (pl.col("outcome") == "used"))
    placed = (
        read.join(decided, on="line", how="left")
        .join(rules, on="line", how="left")
        .select(
            "file",
            "line",
            pl.coalesce("_outcome", pl.lit("skipped")).alias("outcome"),
            pl.coalesce("_reason", "_rule").alias("reason"),
        )
    )
    untouched = file_accounting.filter(~in_file | (pl.col("outcome") != "used"))
    return pl.concat([untouched, placed.cast(file_accounting.schema)])
