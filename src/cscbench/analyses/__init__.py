"""Analyses: comparisons, ranks, intervals, funnels, SPC, trends and outlier flags.

Every public function takes and returns polars DataFrames (or numpy arrays for the
statistical primitives) and reads the shipped snapshot by default. Names are imported on
first use, so a command that reads precomputed statistics never loads numpy or scipy.

Example:
    >>> from cscbench.analyses import wilson_interval
    >>> [round(float(v[0]), 1) for v in wilson_interval([970], [4561])]
    [20.1, 22.5]
"""

from __future__ import annotations

import importlib

_WHERE = {
    "FLAG_MEANINGS": "flags",
    "benchmark": "authority",
    "benchmark_table": "table",
    "benchmark_table_parts": "table",
    "derived_tables": "table",
    "outliers": "views",
    "panel": "table",
    "rank": "views",
    "trend": "views",
    "funnel_limits": "funnels",
    "overdispersion": "funnels",
    "rate_interval": "intervals",
    "wilson_interval": "intervals",
    "spc": "spc_charts",
}

__all__ = sorted(_WHERE)


def __getattr__(name: str):
    if name in _WHERE:
        module = importlib.import_module(f"cscbench.analyses.{_WHERE[name]}")
        return getattr(module, name)
    raise AttributeError(f"module 'cscbench.analyses' has no attribute {name!r}")
