"""Analyses: comparisons, ranks, intervals, funnels, SPC, trends and outlier flags.

Every public function takes and returns polars DataFrames (or numpy arrays for the
statistical primitives) and reads the shipped snapshot by default.

Example:
    >>> from cscbench.analyses import wilson_interval
    >>> [round(float(v[0]), 1) for v in wilson_interval([970], [4561])]
    [20.1, 22.5]
"""

from cscbench.analyses.benchmark import (
    FLAG_MEANINGS,
    benchmark,
    benchmark_table,
    outliers,
    rank,
    trend,
)
from cscbench.analyses.funnels import funnel_limits, overdispersion
from cscbench.analyses.intervals import rate_interval, wilson_interval
from cscbench.analyses.spc import spc

__all__ = [
    "FLAG_MEANINGS",
    "benchmark",
    "benchmark_table",
    "funnel_limits",
    "outliers",
    "overdispersion",
    "rank",
    "rate_interval",
    "spc",
    "trend",
    "wilson_interval",
]
