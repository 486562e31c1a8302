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


# --- The figure ranked: DfE's published figure, as LAIT, or the unrounded value ----------------


def test_ranked_figure_is_the_printed_figure_else_the_value_to_dfes_decimals():
    from cscbench.analyses.ranks import ranked_figure

    f = pl.DataFrame(
        {
            "indicator": ["cp_2yrs_pct", "cp_2yrs_pct", "cin_rate", "cin_rate", "cla_count"],
            "value": [1.949, 2.04, 465.25, 465.249, 545.0],
            "published_value": [2.0, None, None, None, 545.0],
        }
    )
    assert f.select(ranked_figure(f))["value"].to_list() == [2.0, 2.0, 465.3, 465.2, 545.0]
    assert f.select(ranked_figure(f, "unrounded"))["value"].to_list() == f["value"].to_list()
    with pytest.raises(ValueError, match="unknown rank rule"):
        ranked_figure(f, "rounded")


def test_national_standing_ties_on_the_published_figure_worked_by_hand():
    from cscbench.analyses.ranks import national_standing

    # Published 1.9, 1.9, 2.0, 3.1, 4.0 (low is good): LAIT ranks 1, 1, 3, 4, 5; quartiles of
    # the published figures (type 7) are 1.9, 2.0, 3.1, so the bands are A, A, B, C, D.
    la = pl.DataFrame(
        {
            "indicator": ["cp_2yrs_pct"] * 5,
            "year": [2023] * 5,
            "value": [1.949, 1.851, 2.04, 3.05, 4.0],
            "published_value": [1.9, 1.9, 2.0, 3.1, 4.0],
            "polarity": ["low_is_good"] * 5,
        }
    )
    lait = national_standing(la)
    assert lait["national_rank_best"].to_list() == [1, 1, 3, 4, 5]
    assert lait["national_rank"].to_list() == [4, 4, 3, 2, 1]
    assert lait["quartile_band"].to_list() == ["A", "A", "B", "C", "D"]
    assert set(lait["rank_rule"]) == {"published figure"}
    unrounded = national_standing(la, "unrounded")
    assert unrounded["national_rank_best"].to_list() == [2, 1, 3, 4, 5]
    assert set(unrounded["rank_rule"]) == {"unrounded value"}


def test_suffolk_ranks_34th_by_laits_rule_and_39th_unrounded():
    # Plans lasting 2 years or more, 2022-23: Suffolk's 1.9% (10 of 513 = 1.949%) shares the
    # better rank with every authority printed as 1.9%, as in LAIT; on the unrounded values
    # it was 39th.
    from cscbench.analyses import rank

    lait = rank("cp_2yrs_pct", year=2023)
    suffolk = lait.filter(pl.col("area_name") == "Suffolk").row(0, named=True)
    assert (suffolk["national_rank_best"], suffolk["rank_rule"]) == (34, "published figure")
    tied = lait.filter(pl.col("value").round(1) == 1.9)
    assert set(tied["national_rank_best"]) == {34}
    unrounded = rank("cp_2yrs_pct", year=2023, unrounded=True)
    suffolk = unrounded.filter(pl.col("area_name") == "Suffolk").row(0, named=True)
    assert (suffolk["national_rank_best"], suffolk["rank_rule"]) == (39, "unrounded value")


def test_the_rank_command_says_its_rule_and_takes_unrounded():
    import subprocess
    import sys

    def suffolk(*extra):
        out = subprocess.run(
            [
                sys.executable,
                "-m",
                "cscbench.cli",
                "rank",
                "cp_2yrs_pct",
                "--year",
                "2023",
                "--format",
                "csv",
                *extra,
            ],
            capture_output=True,
            text=True,
        )
        assert out.returncode == 0, out.stderr
        rows = pl.read_csv(out.stdout.encode()).filter(pl.col("area_name") == "Suffolk")
        return rows.select("national_rank_best", "rank_rule").row(0)

    assert suffolk() == (34, "published figure")
    assert suffolk("--unrounded") == (39, "unrounded value")


@pytest.mark.parametrize("model", ["sn2021", "sn2025"])
def test_group_ranks_are_on_the_published_figure_for_every_authority_and_year(model):
    # Every authority, every year, both neighbour models: the rank in the group (including
    # itself) is 1 + the members whose published figure is better, ties sharing the better
    # rank, worked here from the membership and the figures alone.
    from cscbench.analyses import benchmark_table
    from cscbench.datasets import load_indicators, load_neighbours

    indicators = ["rereferral_pct", "cp_2yrs_pct", "cp_start_rate"]
    table = benchmark_table(group=model, indicators=indicators)
    data = load_indicators(indicators, geography=["la"])
    figure = data.select(
        "indicator",
        "year",
        "la_code",
        pl.coalesce("published_value", pl.col("value").round(1, mode="half_away_from_zero")).alias(
            "figure"
        ),
    ).filter(pl.col("figure").is_not_null())
    members = load_neighbours(model).select("la_code", pl.col("neighbour_code").alias("member"))
    pairs = members.join(figure.rename({"la_code": "member", "figure": "theirs"}), on="member")
    own = figure.rename({"figure": "mine"})
    worked = (
        pairs.join(own, on=["la_code", "indicator", "year"])
        .group_by("la_code", "indicator", "year")
        .agg(
            (1 + (pl.col("theirs") < pl.col("mine")).sum()).alias("better_first"),
            (1 + (pl.col("theirs") > pl.col("mine")).sum()).alias("highest_first"),
            (pl.col("theirs") == pl.col("mine")).sum().alias("ties"),
        )
    )
    both = table.join(worked, on=["la_code", "indicator", "year"], how="inner")
    assert both.height > 3_000
    assert (both["rank"] == both["highest_first"]).all()
    assert (both["rank_best"] == both["better_first"]).all()  # all three: low is good
    assert (both["rank_ties"] == both["ties"]).all()
    assert set(table["rank_rule"].drop_nulls()) == {"published figure"}
