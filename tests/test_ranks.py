"""Ranks, bands, percentiles and robust scores: hand-worked cases and properties."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cscbench.analyses.ranks import (
    percentile,
    quartile_band,
    rank_best_first,
    rank_highest_first,
    robust_score,
)


def col(values, expr):
    return (
        pl.DataFrame({"value": values}, schema={"value": pl.Float64})
        .select(expr(pl.col("value")).alias("out"))["out"]
        .to_list()
    )


def test_lait_rank_example_ties_share_the_smaller_rank():
    # LAIT: 10, 20, 20, 30, 40 with high polarity -> 5, 3, 3, 2, 1.
    values = [10.0, 20.0, 20.0, 30.0, 40.0]
    assert col(values, lambda v: rank_best_first(v, "high_is_good")) == [5, 3, 3, 2, 1]
    assert col(values, lambda v: rank_best_first(v, "low_is_good")) == [1, 2, 2, 4, 5]
    assert col(values, rank_highest_first) == [5, 3, 3, 2, 1]
    assert col(values, lambda v: rank_best_first(v, "context")) == [None] * 5


def test_missing_values_get_no_rank_and_do_not_move_others():
    assert col([10.0, None, 30.0], rank_highest_first) == [2, None, 1]


def test_band_boundaries_follow_lait():
    # quantile type 7 of 1..9: Q1 = 3, Q2 = 5, Q3 = 7.
    values = [float(v) for v in range(1, 10)]
    low = col(values, lambda v: quartile_band(v, "low_is_good"))
    high = col(values, lambda v: quartile_band(v, "high_is_good"))
    assert low == ["A", "A", "A", "B", "B", "C", "C", "D", "D"]  # 3 -> A, 5 -> B, 7 -> C
    assert high == ["D", "D", "D", "C", "C", "B", "B", "A", "A"]  # 3 -> D (worse band)
    assert col(values, lambda v: quartile_band(v, "context")) == [None] * 9


def test_percentile_counts_ties_as_half():
    assert col([1.0, 2.0, 2.0, 4.0], percentile) == [12.5, 50.0, 50.0, 87.5]


def test_robust_score_is_oflog_unscaled_mad():
    # median 3, |v - 3| = 2, 1, 0, 1, 97 -> MAD 1.
    assert col([1.0, 2.0, 3.0, 4.0, 100.0], robust_score) == [-2.0, -1.0, 0.0, 1.0, 97.0]
    assert col([5.0, 5.0, 5.0], robust_score) == [None] * 3


values_lists = st.lists(st.integers(0, 30).map(float), min_size=1, max_size=60)


@given(values_lists)
def test_ranks_are_competition_ranks(values):
    ranks = col(values, rank_highest_first)
    for v, r in zip(values, ranks, strict=True):
        assert r == 1 + sum(w > v for w in values)


@given(values_lists)
def test_distinct_values_rank_as_a_permutation(values):
    distinct = sorted(set(values))
    assert sorted(col(distinct, rank_highest_first)) == list(range(1, len(distinct) + 1))


@given(st.lists(st.floats(0, 1000, allow_nan=False), min_size=8, max_size=200, unique=True))
def test_bands_hold_a_quarter_each_up_to_ties(values):
    bands = col(values, lambda v: quartile_band(v, "low_is_good"))
    n = len(values)
    for band in "ABCD":
        assert abs(bands.count(band) - n / 4) <= 1.5


@given(values_lists, st.randoms())
def test_permuting_rows_changes_nothing(values, rnd):
    order = list(range(len(values)))
    rnd.shuffle(order)
    shuffled = [values[i] for i in order]
    for expr in (rank_highest_first, percentile, lambda v: quartile_band(v, "low_is_good")):
        before = col(values, expr)
        after = col(shuffled, expr)
        assert (
            [before[i] for i in order] == pytest.approx(after)
            if isinstance(before[0], float)
            else [before[i] for i in order] == after
        )
