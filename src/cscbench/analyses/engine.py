"""The benchmarking engine: an authority against its comparator group, region and England.

This module gathers the engine's public names from the modules that compute them
(:mod:`~cscbench.analyses.flags`, :mod:`~cscbench.analyses.group_stats`,
:mod:`~cscbench.analyses.changes`, :mod:`~cscbench.analyses.table`,
:mod:`~cscbench.analyses.held`, :mod:`~cscbench.analyses.authority`,
:mod:`~cscbench.analyses.views`), so ``from cscbench.analyses.engine import X`` keeps working.

:func:`benchmark` gives one row per indicator for one authority and year (LAIT's LA view and
more); :func:`benchmark_table` the same for every authority and year at once; :func:`rank`,
:func:`trend` and :func:`outliers` the other views. All return polars DataFrames and read the
shipped snapshot unless ``source`` says otherwise.

Comparator statistics follow DfE's LAIT: ``comparator_mean`` is the unweighted mean of the
members' published values, members without a value left out (and named in
``group_missing``); the authority itself is not a member unless ``include_self`` (as many
annual reports average the whole group including themselves). ``comparator_pooled`` is the sum
of members' numerators over the sum of their denominators. ``rank`` is the authority's
position in the group including itself, 1 = highest value, ties sharing the smaller number.

Flags (column ``flags``), each explained by :data:`FLAG_MEANINGS`.

Example:
    >>> from cscbench.analyses import benchmark
    >>> row = benchmark("Derby", year=2017, group="sn2021", include_self=True,
    ...                 indicators=["rereferral_pct"]).row(0, named=True)
    >>> round(row["value"], 1), round(row["comparator_mean"], 1), row["rank_best"], row["rank_of"]
    (21.3, 22.7, 4, 11)
"""

from __future__ import annotations

from cscbench.analyses.authority import benchmark, benchmark_and_series, series
from cscbench.analyses.changes import matched_changes, with_changes
from cscbench.analyses.flags import (
    COUNTED,
    FLAG_MEANINGS,
    IMPRECISE_CV,
    ROBUST_LIMIT,
    SMALL_NUMBERS,
    ZERO_EXPECTED,
    boundary_events,
    coefficient_of_variation,
    expected_at_england,
    first_year_look_back,
    flag_ids,
    flag_label,
    imprecise,
    with_flags,
    zero_unlikely,
)
from cscbench.analyses.group_stats import (
    ALL_GROUPS,
    DOUBTFUL_LEFT_OUT,
    GRID_ROWS,
    custom_membership,
    group_label,
    group_statistics,
    membership,
)
from cscbench.analyses.held import (
    check_exists,
    check_held,
    held_years,
    latest_year,
    year_or_latest,
)
from cscbench.analyses.table import (
    COLUMNS,
    FIGURE_COLUMNS,
    NOT_FOR_COUNTS,
    assemble,
    benchmark_table,
    benchmark_table_parts,
    derived_tables,
    panel,
)
from cscbench.analyses.views import outliers, rank, trend, trend_view

__all__ = [
    "ALL_GROUPS",
    "COLUMNS",
    "COUNTED",
    "DOUBTFUL_LEFT_OUT",
    "FIGURE_COLUMNS",
    "FLAG_MEANINGS",
    "GRID_ROWS",
    "IMPRECISE_CV",
    "NOT_FOR_COUNTS",
    "ROBUST_LIMIT",
    "SMALL_NUMBERS",
    "ZERO_EXPECTED",
    "assemble",
    "benchmark",
    "benchmark_and_series",
    "benchmark_table",
    "benchmark_table_parts",
    "boundary_events",
    "check_exists",
    "check_held",
    "coefficient_of_variation",
    "custom_membership",
    "derived_tables",
    "expected_at_england",
    "first_year_look_back",
    "flag_ids",
    "flag_label",
    "group_label",
    "group_statistics",
    "held_years",
    "imprecise",
    "latest_year",
    "matched_changes",
    "membership",
    "outliers",
    "panel",
    "rank",
    "series",
    "trend",
    "trend_view",
    "with_changes",
    "with_flags",
    "year_or_latest",
    "zero_unlikely",
]
