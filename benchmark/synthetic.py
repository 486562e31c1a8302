"""A synthetic panel: the real authorities replicated with noise, for the scale case.

Replica 0 is the real data; replica k copies every authority with code ``k:<code>``, its
numerators multiplied by a seeded random factor (log-normal, sd 0.15) and rounded, its
denominators unchanged, and its statistical neighbours the replicas of its real neighbours.
England's and the regions' rows are kept as they are.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from cscbench.datasets.registry import INDICATORS


def replicate(
    data: pl.DataFrame, areas: pl.DataFrame, neighbours: pl.DataFrame, copies: int, seed: int = 1
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """(indicators, areas, neighbours) with ``copies`` times the authorities."""
    rng = np.random.default_rng(seed)
    la = data.filter(pl.col("geography") == "la")
    others = data.filter(pl.col("geography") != "la")
    multiplier = pl.col("indicator").replace_strict(
        {k: i.multiplier for k, i in INDICATORS.items()}, return_dtype=pl.Float64
    )
    has_den = pl.col("denominator").is_not_null()
    parts, area_parts, neighbour_parts = [la], [areas], [neighbours]
    for k in range(1, copies):
        factor = rng.lognormal(0.0, 0.15, la.height)
        numerator = (pl.col("numerator") * pl.Series(factor)).round(0)
        copy = la.with_columns(
            pl.format("{}:{}", pl.lit(k), pl.col("la_code")).alias("la_code"),
            pl.when(pl.col("numerator").is_not_null() & has_den)
            .then(
                pl.min_horizontal(
                    numerator,
                    pl.when(multiplier == 100).then(pl.col("denominator")).otherwise(numerator),
                )
            )
            .otherwise(numerator)
            .alias("numerator"),
        )
        copy = copy.with_columns(
            pl.when(pl.col("status") != "published")
            .then(None)
            .when(has_den & (pl.col("denominator") > 0))
            .then(pl.col("numerator") / pl.col("denominator") * multiplier)
            .when(~has_den)
            .then(pl.col("numerator"))
            .alias("value")
        )
        parts.append(copy)
        area_parts.append(
            areas.with_columns(pl.format("{}:{}", pl.lit(k), pl.col("la_code")).alias("la_code"))
        )
        neighbour_parts.append(
            neighbours.with_columns(
                pl.format("{}:{}", pl.lit(k), pl.col("la_code")).alias("la_code"),
                pl.format("{}:{}", pl.lit(k), pl.col("neighbour_code")).alias("neighbour_code"),
            )
        )
    return (pl.concat([*parts, others]), pl.concat(area_parts), pl.concat(neighbour_parts))
