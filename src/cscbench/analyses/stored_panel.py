"""The authority panel as the snapshot stores it, and back.

The panel (:func:`~cscbench.analyses.panel_stats.authority_panel`) is stored precomputed so
that a command need not work it. Its percentile and robust score are full-precision floats
that compress badly (2 of its 7 MB), so they are stored as :data:`STORED_PARTS`: each row's
average rank doubled (a whole number) and each indicator-year's median and MAD.
:func:`from_stored` works them back row by row, with the same expressions
(:func:`~cscbench.analyses.ranks.percentile_of`, :func:`~cscbench.analyses.ranks.robust_score_of`),
so any subset of rows read comes back exactly as the whole panel's, and no statistic across
authorities is worked when a command starts.

Example:
    >>> import polars as pl
    >>> f = pl.DataFrame({"indicator": ["x"] * 5, "year": [2025] * 5, "national_of": [5] * 5,
    ...     "value": [1.0, 2.0, 3.0, 4.0, 100.0], "percentile": [0.0] * 5,
    ...     "robust_score": [0.0] * 5})
    >>> from_stored(stored_panel(f))["robust_score"].to_list()
    [-2.0, -1.0, 0.0, 1.0, 97.0]
"""

from __future__ import annotations

import polars as pl

from cscbench.analyses import ranks

#: The stored form of the percentile and the robust score.
STORED_PARTS = ("percentile_rank2", "robust_median", "robust_mad")


def with_parts(frame: pl.DataFrame) -> pl.DataFrame:
    """Add the :data:`STORED_PARTS` of each row, worked over the authorities of its indicator
    and year (``frame`` must hold them all)."""
    group = ["indicator", "year"]
    median, mad = ranks.robust_centre(pl.col("value"))
    return frame.with_columns(
        (pl.col("value").rank("average").over(group) * 2).cast(pl.Int32).alias(STORED_PARTS[0]),
        median.over(group).alias(STORED_PARTS[1]),
        mad.over(group).alias(STORED_PARTS[2]),
    )


def stored_panel(panel: pl.DataFrame) -> pl.DataFrame:
    """The panel as the snapshot stores it: the percentile and robust score as their
    :data:`STORED_PARTS`, which :func:`from_stored` turns back into them exactly (the panel
    works them through :func:`from_stored` too).

    Example:
        >>> from cscbench.analyses.panel_stats import authority_panel
        >>> from cscbench.datasets import load_indicators
        >>> whole = authority_panel(load_indicators(["cla_rate"]))
        >>> whole.equals(from_stored(stored_panel(whole)))
        True
    """
    return with_parts(panel).drop("percentile", "robust_score")


def from_stored(stored: pl.DataFrame) -> pl.DataFrame:
    """The panel from its stored form (:func:`stored_panel`): row by row, no statistic over
    authorities, so any subset of rows comes back as the whole panel's."""
    rank2, median, mad = (pl.col(c) for c in STORED_PARTS)
    return stored.with_columns(
        ranks.percentile_of(rank2 / 2, pl.col("national_of")).alias("percentile"),
        ranks.robust_score_of(pl.col("value"), median, mad).alias("robust_score"),
    ).drop(STORED_PARTS)
