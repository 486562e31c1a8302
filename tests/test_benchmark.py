"""The benchmarking engine: the Derby 2016-17 report reproduced, hand-worked groups, all LAs."""

from __future__ import annotations

import polars as pl
import pytest

import cscbench.analyses.engine as engine
from cscbench.analyses import (
    FLAG_MEANINGS,
    benchmark,
    benchmark_table,
    changes,
    group_stats,
    outliers,
    rank,
    trend,
)
from cscbench.analyses.engine import COLUMNS, group_statistics, matched_changes
from cscbench.datasets import load_indicators
from cscbench.errors import AreaNotFound, UsageError

REQUIRED_FIELDS = [
    "indicator",
    "year",
    "la_code",
    "area_name",
    "value",
    "numerator",
    "denominator",
    "ci95_low",
    "ci95_high",
    "ci998_low",
    "ci998_high",
    "status",
    "group",
    "group_n",
    "group_missing",
    "comparator_mean",
    "comparator_median",
    "comparator_min",
    "comparator_max",
    "comparator_pooled",
    "rank",
    "rank_of",
    "rank_best",
    "national_rank",
    "national_of",
    "quartile_band",
    "percentile",
    "england",
    "region",
    "region_name",
    "previous_value",
    "change_1y",
    "change_1y_pct",
    "base_year",
    "change_since_base_pct",
    "trend",
    "flags",
]


@pytest.fixture(scope="module")
def derby_2017():
    # Section 34 of the Derby Safeguarding Children Board report 2016-17 compares Derby with
    # DfE's statistical neighbours, Derby included in the average.
    table = benchmark("Derby", year=2017, group="sn2021", include_self=True)
    return {row["indicator"]: row for row in table.iter_rows(named=True)}


def test_fields_are_named_as_documented(derby_2017):
    assert set(REQUIRED_FIELDS) <= set(COLUMNS)
    assert list(next(iter(derby_2017.values()))) == COLUMNS


def test_rereferrals_fourth_lowest_in_line_with_comparators_and_england(derby_2017):
    # 34.6-34.7: 970 of 4,561 (21.3%); comparator average 22.7%; England 21.9%; fourth lowest.
    row = derby_2017["rereferral_pct"]
    assert round(row["value"], 1) == 21.3
    assert round(row["comparator_mean"], 1) == 22.7
    assert round(row["england"], 1) == 21.9
    assert (row["rank_best"], row["rank_of"]) == (4, 11)
    assert row["england_comparison_95"] == "similar"
    assert row["group"] == "DfE statistical neighbours, 2021 model (including Derby)"


def test_no_further_action_against_comparators_and_england(derby_2017):
    row = derby_2017["nfa_pct"]  # 34.8: 9.8%, comparator 12.5%, national 10.2%
    assert (round(row["value"], 1), round(row["comparator_mean"], 1), round(row["england"], 1)) == (
        9.8,
        12.5,
        10.2,
    )


def test_referrals_year_on_year(derby_2017):
    row = derby_2017["referral_count"]  # 34.4: Derby +27.3% (979); comparators +2.8%; England +4.0%
    assert (row["change_1y"], round(row["change_1y_pct"], 1)) == (979, 27.3)
    assert round(row["comparator_mean_change_1y_pct"], 1) == 2.8
    assert round(row["england_change_1y_pct"], 1) == 4.0


def test_children_in_need_second_highest(derby_2017):
    row = derby_2017["cin_rate"]  # 34.12: second highest amongst comparators, well above England
    assert (row["rank"], row["rank_of"]) == (2, 11)
    assert row["rank_best"] is None and row["quartile_band"] is None  # context indicator
    assert "above_england_998" in row["flags"]


def test_child_protection_plans_change(derby_2017):
    row = derby_2017["cp_count"]  # 34.23: 314 -> 368, +54 (17.2%); comparators +2.2%; England +1.5%
    assert (row["previous_value"], row["value"], row["change_1y"]) == (314, 368, 54)
    assert round(row["change_1y_pct"], 1) == 17.2
    assert round(row["comparator_mean_change_1y_pct"], 1) == 2.2
    assert round(row["england_change_1y_pct"], 1) == 1.5


def test_repeat_plans_in_the_middle(derby_2017):
    row = derby_2017["cp_subsequent_pct"]  # 34.27: 18.6% vs comparators 18.0%, England 18.7%, 6th
    assert (round(row["value"], 1), round(row["comparator_mean"], 1), round(row["england"], 1)) == (
        18.6,
        18.0,
        18.7,
    )
    assert row["rank"] == 6 and row["rank_of"] == 11


def test_suppressed_value_is_flagged_not_ranked(derby_2017):
    row = derby_2017["cp_2yrs_pct"]
    assert row["status"] == "c" and row["value"] is None and row["rank"] is None
    assert row["flags"] == ["suppressed"]


def test_excluding_self_changes_the_mean_not_the_rank():
    without = benchmark("Derby", year=2017, group="sn2021", indicators=["rereferral_pct"]).row(
        0, named=True
    )
    assert without["group_n"] == 10 and without["rank_of"] == 11 and without["rank_best"] == 4
    assert round(without["comparator_mean"], 2) == round((22.670522 * 11 - 21.267266) / 10, 2)
    assert without["group"].endswith("(excluding Derby)")


# --- Hand-worked small groups -------------------------------------------------------------------


def small_panel(values: dict[str, float | None]) -> pl.DataFrame:
    rows = [
        {
            "indicator": "rereferral_pct",
            "year": 2025,
            "la_code": code,
            "value": v,
            "numerator": None if v is None else v,
            "denominator": None if v is None else 100.0,
            "multiplier": 100.0,
            "polarity": "low_is_good",
        }
        for code, v in values.items()
    ]
    return pl.DataFrame(
        rows,
        schema={
            "indicator": pl.String,
            "year": pl.Int32,
            "la_code": pl.String,
            "value": pl.Float64,
            "numerator": pl.Float64,
            "denominator": pl.Float64,
            "multiplier": pl.Float64,
            "polarity": pl.String,
        },
    )


def small_members(focus: str, members: list[str]) -> pl.DataFrame:
    return pl.DataFrame(
        {"focus": focus, "member": members, "order": list(range(1, len(members) + 1))},
        schema={"focus": pl.String, "member": pl.String, "order": pl.Int32},
    )


AREAS = pl.DataFrame(
    {"la_code": ["F", "A", "B", "C", "D"], "area_name": ["Focus", "Ay", "Bee", "Cee", "Dee"]}
)


def test_group_with_ties_and_a_missing_member_worked_by_hand():
    panel = small_panel({"F": 20.0, "A": 30.0, "B": 20.0, "C": None, "D": 10.0})
    stats = group_statistics(panel, small_members("F", ["A", "B", "C", "D"]), AREAS).row(
        0, named=True
    )
    assert stats["group_n"] == 3 and stats["group_missing"] == ["Cee"]
    assert stats["comparator_mean"] == pytest.approx(20.0)
    assert stats["comparator_median"] == 20.0
    assert (stats["comparator_min"], stats["comparator_max"]) == (10.0, 30.0)
    assert stats["comparator_pooled"] == pytest.approx(60 / 300 * 100)
    # Values 30, 20 (focus), 20, 10: highest first the focus ties 2nd; low is good: ties 2nd.
    assert (stats["rank"], stats["rank_of"], stats["rank_best"]) == (2, 4, 2)


def test_include_self_adds_the_focus_to_the_statistics_only():
    panel = small_panel({"F": 40.0, "A": 30.0, "B": 20.0, "C": None, "D": 10.0})
    members = small_members("F", ["A", "B", "C", "D"])
    stats = group_statistics(panel, members, AREAS, include_self=True).row(0, named=True)
    assert stats["group_n"] == 4 and stats["comparator_mean"] == pytest.approx(25.0)
    assert stats["comparator_max"] == 40.0 and stats["group_missing"] == ["Cee"]
    assert (stats["rank"], stats["rank_of"], stats["rank_best"]) == (1, 4, 4)


def test_matched_change_worked_by_hand():
    # Members A, B, C; C has no 2024 figure. LAIT's means: 2024 (A, B) 25, 2025 (A, B, C) 30,
    # a change of +5 (20%) that is C's arrival. Over A and B, in both years: 25 -> 22.5, -10%.
    # With the focus counted (include_self): F, A, B in both years, 20 -> 21.67, +1.67.
    panel = pl.concat(
        [
            small_panel({"F": 10.0, "A": 30.0, "B": 20.0, "C": None}).with_columns(
                pl.lit(2024).alias("year")
            ),
            small_panel({"F": 20.0, "A": 25.0, "B": 20.0, "C": 45.0}),
        ]
    )
    members = small_members("F", ["A", "B", "C"])
    table = panel.filter(pl.col("la_code") == "F").with_columns(pl.lit(2024).alias("base_year"))
    row = matched_changes(table, panel, members).filter(pl.col("year") == 2025).row(0, named=True)
    assert row["comparator_matched_n_1y"] == 2
    assert row["comparator_matched_change_1y"] == pytest.approx(-2.5)
    assert row["comparator_matched_change_1y_pct"] == pytest.approx(-10.0)
    assert (row["comparator_matched_n_base"], row["comparator_matched_change_since_base"]) == (
        2,
        pytest.approx(-2.5),
    )
    first = matched_changes(table, panel, members).filter(pl.col("year") == 2024).row(0, named=True)
    assert first["comparator_matched_n_1y"] == 0 and first["comparator_matched_change_1y"] is None
    assert first["comparator_matched_n_base"] is None  # no earlier base year to compare with
    own = matched_changes(table, panel, members, include_self=True).filter(pl.col("year") == 2025)
    assert own["comparator_matched_n_1y"].item() == 3
    assert own["comparator_matched_change_1y"].item() == pytest.approx(65 / 3 - 20)


def test_focus_without_a_value_has_no_rank():
    panel = small_panel({"F": None, "A": 30.0, "B": 20.0})
    stats = group_statistics(panel, small_members("F", ["A", "B"]), AREAS).row(0, named=True)
    assert stats["rank"] is None and stats["rank_of"] == 2 and stats["group_n"] == 2


# --- Whole-of-England properties ----------------------------------------------------------------


@pytest.fixture(scope="module")
def table_2025():
    return benchmark_table().filter(pl.col("year") == 2025)


def test_every_authority_every_member_accounted_for(table_2025, raw):
    assert table_2025["la_code"].n_unique() == 153
    members = table_2025["group_n"] + table_2025["group_missing"].list.len()
    assert (members == 10).all()
    assert table_2025["group"].unique().to_list() == [
        "DfE statistical neighbours, 2025 model (excluding the authority)"
    ]


def test_every_authority_benchmarks_without_error(table_2025):
    for code in table_2025["la_code"].unique().to_list():
        rows = benchmark(code, year=2025)
        held = table_2025.filter(pl.col("la_code") == code)
        assert sorted(rows["indicator"]) == sorted(held["indicator"].unique())
        assert rows.height >= 18
        assert ((rows["group_n"] + rows["group_missing"].list.len()) == 10).all()
        # one year's statistics, worked for the years it looks back to alone, are the table's
        assert rows.drop("group").equals(held.drop("group")), code


@pytest.mark.parametrize(
    ("la", "year", "group", "include_self", "exclude_doubtful", "base_year"),
    [
        ("831", 2017, "sn2021", True, False, 2014),  # Derby, the report reproduced above
        ("857", 2025, "region", False, True, None),  # Rutland: a member without 2023-24
        ("942", 2024, "england", False, False, None),  # Cumberland: made in 2023
        ("201", 2020, "sn2025", True, True, 2016),  # City of London: small numbers
        ("886", 2019, "all", False, False, 2013),  # Kent
        ("831", 2025, "sn2025", False, False, 2020),  # a base year after some first figures
    ],
)
def test_one_year_is_the_every_year_table_s_row(
    la, year, group, include_self, exclude_doubtful, base_year
):
    # benchmark() works group statistics and matched changes for the year shown, the year
    # before and each base year only (table.years_needed); every figure must be the one the
    # table of every year gives for that year, exactly.
    from cscbench.analyses.group_stats import custom_membership
    from cscbench.analyses.table import assemble, panel
    from cscbench.datasets import group as group_of
    from cscbench.datasets import load_areas

    chosen = group_of(la, group)
    figures = panel(None, None, [chosen.focus, *chosen.members])
    made = (figures, custom_membership(chosen), load_areas(), include_self, base_year, "g")
    kinds = {"focus": la, "exclude_doubtful": exclude_doubtful}
    every_year = assemble(*made, **kinds).filter(pl.col("year") == year)
    one_year = assemble(*made, **kinds, year=year)
    assert one_year.height > 100
    assert one_year.equals(every_year)


def test_matched_change_is_lait_change_where_the_members_are_the_same(table_2025):
    # Where the two years' means are over the same members, the like-for-like change is the
    # change of LAIT's means, and it counts every member with a figure.
    for missing, n, change in (
        ("group_missing_previous", "comparator_matched_n_1y", "change_1y"),
        ("group_missing_base", "comparator_matched_n_base", "change_since_base"),
    ):
        same = table_2025.filter(
            pl.col(missing).list.sort() == pl.col("group_missing").list.sort(),
            pl.col(f"comparator_mean_{change}").is_not_null(),
        )
        assert same.height > 2000
        assert (same[n] == same["group_n"]).all()
        difference = same[f"comparator_matched_{change}"] - same[f"comparator_mean_{change}"]
        assert (difference.abs() < 1e-9).all()
        # and in every row it counts the ten members less those without a figure in either year
        compared = table_2025.filter(pl.col(n).is_not_null())
        either = pl.concat_list("group_missing", missing).list.unique().list.len()
        assert (compared[n] == compared.select(10 - either).to_series()).all()
        assert compared.filter(pl.col(n) < pl.col("group_n")).height > 300


def test_a_large_grid_worked_indicator_by_indicator_gives_the_same_table(monkeypatch):
    # Group statistics and matched changes go indicator by indicator beyond GRID_ROWS (so a
    # national run at 100 times the authorities stays in memory); the numbers must not change.
    whole = benchmark_table(indicators=["referral_count", "cp_2yrs_pct"])
    parts = []
    worked = group_stats._group_statistics

    def counted(panel, *args, **kwargs):
        parts.append(panel["indicator"].n_unique())
        return worked(panel, *args, **kwargs)

    for module in (group_stats, changes):  # each module that reads the limit
        monkeypatch.setattr(module, "GRID_ROWS", 100)
    monkeypatch.setattr(group_stats, "_group_statistics", counted)
    assert benchmark_table(indicators=["referral_count", "cp_2yrs_pct"]).equals(whole)
    assert parts == [1, 1]  # the large-grid branch ran: one indicator at a time


def test_benchmark_equals_the_table_row(table_2025):
    one = benchmark("Derby", year=2025).drop("group")
    many = table_2025.filter(pl.col("la_code") == "831").drop("group")
    assert one.equals(many)


def test_abolished_neighbour_is_missing_and_flags_the_boundary_change():
    row = benchmark(
        "North Northamptonshire", year=2025, group="sn2021", indicators=["cin_rate"]
    ).row(0, named=True)
    assert "Cumbria" in row["group_missing"] and row["group_n"] == 9
    assert "boundary_change" in row["flags"]


def test_flags_agree_with_their_statistics(table_2025):
    t = table_2025
    above = t.filter(pl.col("flags").list.contains("above_england_95"))
    assert (above["england_comparison_95"] == "above").all()
    high = t.filter(pl.col("flags").list.contains("funnel_high_998"))
    assert (high["value"] > high["funnel998_high"]).all() and high.height > 0
    robust = t.filter(pl.col("flags").list.contains("robust_high"))
    assert (robust["robust_score"] > 3.5).all()
    small = t.filter(pl.col("flags").list.contains("small_numbers"))
    assert (small["numerator"] < 10).all() and small.height > 0
    assert set(t["flags"].explode().drop_nulls()) <= set(FLAG_MEANINGS)


def test_a_zero_on_a_large_base_is_flagged_as_unlikely_not_as_small_numbers():
    # West Sussex returned no referrals ending in no further action in 2024-25: 0 of 7,960,
    # where England's 6.5% (DfE's printed figure) gives 517. It was flagged small_numbers
    # ("a handful either way would change this place"); a 0 on 13 referrals (Isles of Scilly,
    # 2012-13) still is.
    table = benchmark_table(indicators=["nfa_pct", "cp_2yrs_pct"])
    flagged = table.filter(pl.col("flags").list.contains("zero_unlikely"))
    assert (flagged["numerator"] == 0).all()
    assert not flagged["flags"].list.contains("small_numbers").any()
    expected = flagged["denominator"] * flagged["england"] / 100
    assert (expected >= 10).all()
    by_indicator = dict(flagged.group_by("indicator").len().rows())
    assert by_indicator == {"nfa_pct": 174, "cp_2yrs_pct": 11}  # counted from DfE's files
    ws = flagged.filter(pl.col("area_name") == "West Sussex", pl.col("year") == 2025)
    assert ws["denominator"].to_list() == [7960.0]
    assert round(float(ws["denominator"][0] * ws["england"][0] / 100)) == 517
    scilly = table.filter(
        pl.col("area_name") == "Isles of Scilly", pl.col("indicator") == "nfa_pct"
    ).filter(pl.col("year") == 2013)
    assert scilly["numerator"].to_list() == [0.0] and scilly["denominator"].to_list() == [13.0]
    assert scilly["flags"].to_list() == [["small_numbers"]]


def test_a_new_authoritys_first_year_of_re_referrals_is_flagged():
    # The four authorities made since 2021 with a first-year re-referral figure each reported
    # far fewer re-referrals then than the year after (DfE's c1: Cumberland 253 of 2,375,
    # 10.7%, then 764 of 3,367, 22.7%). Only those four figures are flagged; Dorset's and
    # BCP's first year (2019-20) has no figure, and other measures are not flagged.
    table = benchmark_table(indicators=["rereferral_pct", "nfa_pct", "cp_subsequent_pct"])
    flagged = table.filter(pl.col("flags").list.contains("first_year_look_back"))
    assert sorted(flagged.select("area_name", "year").rows()) == [
        ("Cumberland", 2024),
        ("North Northamptonshire", 2022),
        ("West Northamptonshire", 2022),
        ("Westmorland and Furness", 2024),
    ]
    assert set(flagged["indicator"]) == {"rereferral_pct"}
    cumberland = flagged.filter(pl.col("area_name") == "Cumberland").row(0, named=True)
    assert (cumberland["numerator"], cumberland["denominator"]) == (253, 2375)
    assert "first_year_look_back" in FLAG_MEANINGS


def test_published_mismatch_flag_is_raised_for_the_authority_rows():
    mismatch = benchmark_table(indicators=["cp_subsequent_pct"]).filter(
        pl.col("flags").list.contains("published_mismatch")
    )
    assert mismatch.is_empty()  # the two mismatches are England and a region, not authorities


def test_bands_split_authorities_into_quarters(table_2025):
    bands = table_2025.filter(pl.col("indicator") == "rereferral_pct")["quartile_band"]
    counts = bands.value_counts().sort("quartile_band")
    assert counts["quartile_band"].to_list() == ["A", "B", "C", "D"]
    assert all(35 <= c <= 41 for c in counts["count"])


def test_permuting_input_rows_changes_nothing():
    data = load_indicators(["rereferral_pct", "cla_rate"])
    shuffled = data.sample(fraction=1.0, shuffle=True, seed=11)
    a = benchmark_table(data=data)
    b = benchmark_table(data=shuffled)
    assert a.equals(b)


def test_custom_group_and_unknown_authority():
    row = benchmark(
        "Derby", year=2025, comparators=["Nottingham", "Leicester"], indicators=["cla_rate"]
    ).row(0, named=True)
    assert row["group_n"] == 2 and row["rank_of"] == 3
    assert row["group"] == "Custom comparator group (excluding Derby)"
    with pytest.raises(AreaNotFound, match="closest: Derby"):
        benchmark("Derbby")
    with pytest.raises(UsageError, match="unknown indicator"):
        benchmark("Derby", indicators=["nope"])


def test_base_year_and_long_term_change():
    row = benchmark("Derby", year=2017, base_year=2014, indicators=["cp_count"]).row(0, named=True)
    start = load_indicators(["cp_count"], years=[2014], areas=["831"])["value"].item()
    assert row["base_year"] == 2014 and row["base_value"] == start
    assert row["change_since_base_pct"] == pytest.approx((368 - start) / start * 100)


def test_created_authority_starts_its_own_series():
    row = benchmark("Cumberland", year=2025, indicators=["cin_rate"]).row(0, named=True)
    assert row["base_year"] == 2024 and row["previous_value"] is not None


def test_rank_view_of_a_group():
    ranked = rank("rereferral_pct", year=2017, la="Derby", group="sn2021")
    assert ranked.height == 11
    assert ranked.filter(pl.col("la_code") == "831")["rank"].item() == 8
    everyone = rank("cla_rate", year=2025)
    assert everyone.height == 153 and everyone["rank"].drop_nulls().min() == 1


def test_trend_view():
    t = trend("Derby", "cp_count", 2015, 2017, group="sn2021", include_self=True)
    assert t["year"].to_list() == [2015, 2016, 2017]
    assert t["value"].to_list()[1:] == [314, 368]


def test_years_outside_the_data_are_an_error_not_an_empty_table(tmp_path):
    from cscbench.datasets import read_group_file

    # rank, outliers and trend gave an empty table, with exit status 0, for a year the data do
    # not hold; benchmark already said so. DfE's children in need figures start in 2012-13,
    # its looked-after rates in 2020-21 and Cumberland's in 2023-24 (made on 1 April 2023).
    with pytest.raises(
        UsageError, match=r"^no figures for cin_rate in 2010-11: they run 2012-13 to 2024-25$"
    ):
        rank("cin_rate", year=2011)
    with pytest.raises(UsageError, match="cla_rate in 2014-15: they run 2015-16 to 2024-25"):
        rank("cla_rate", year=2015, la="Derby", group="sn2025")
    with pytest.raises(UsageError, match="any indicator in 2010-11: they run 2012-13"):
        outliers(2011)
    with pytest.raises(
        UsageError, match="Cumberland on cin_rate from 2012-13 to 2019-20: they run 2023-24 to"
    ):
        trend("Cumberland", "cin_rate", 2013, 2020)
    with pytest.raises(UsageError, match="Derby on cin_rate from 2029-30: they run"):
        trend("Derby", "cin_rate", 2030)
    empty = tmp_path / "empty.toml"
    empty.write_text('name = "Nobody"\nmembers = []\n')
    with pytest.raises(UsageError, match=r"empty\.toml: 'members' names no authority"):
        read_group_file(empty)  # it fell back to the 2025 neighbours
    with pytest.raises(UsageError, match="base year, 2029-30, is not before the year bench"):
        benchmark("Derby", base_year=2030)  # no long-term change at all, said nowhere
    # A base year before the figures start is the first year with figures, as before.
    assert benchmark("Derby", base_year=2005, indicators=["cin_rate"])["base_year"].item() == 2013
    with pytest.raises(UsageError, match="the first year, 2019-20, is after the last, 2014-15"):
        trend("Derby", "cin_rate", 2020, 2015)
    with pytest.raises(UsageError, match="no indicators given"):
        benchmark("Derby", indicators=[])  # said "no figures for Derby in 2024-25"
    # No span asked for is every year; a span that overlaps the data is no error (Cumberland
    # from 2012-13 is its two years).
    assert trend("Derby", "cin_rate")["year"].to_list() == list(range(2013, 2026))
    assert trend("Cumberland", "cin_rate", 2013)["year"].to_list() == [2024, 2025]


def test_outliers_carry_reasons():
    o = outliers(2025, ["cla_rate"])
    assert o.height > 0 and (o["flags"].list.len() > 0).all()
    first = o.row(0, named=True)
    assert first["why"] == "; ".join(FLAG_MEANINGS[f] for f in first["flags"])


def test_the_table_in_parts_is_the_whole_table(table_2025):
    """One indicator at a time gives exactly the whole table's rows, from the snapshot's panel
    and from a frame worked afresh (whose trend reasons depend on the grid of years)."""
    from polars.testing import assert_frame_equal

    from cscbench.analyses import benchmark_table_parts
    from cscbench.datasets import load_areas, load_neighbours
    from cscbench.datasets.registry import in_order

    data, areas, neighbours = load_indicators(), load_areas(), load_neighbours()
    whole = benchmark_table()
    parts = list(benchmark_table_parts())
    assert [p["indicator"].n_unique() for p in parts] == [1] * len(parts)
    in_table_order = ["la_code", in_order(), "year"]  # the table's: by authority, theme, year
    assert_frame_equal(pl.concat(parts).sort(in_table_order), whole)
    fresh = benchmark_table_parts(data=data, areas=areas, neighbours=neighbours)
    assert_frame_equal(pl.concat(list(fresh)).sort(in_table_order), whole)


def test_write_parts_streams_a_table_to_parquet_and_csv(tmp_path):
    from cscbench.analyses import benchmark_table_parts
    from cscbench.output import write_parts

    chosen = ["cp_rate", "rereferral_pct"]
    whole = benchmark_table(indicators=chosen).sort("indicator", "la_code", "year")
    rows = write_parts(benchmark_table_parts(indicators=chosen), tmp_path / "t.parquet")
    written = pl.read_parquet(tmp_path / "t.parquet")
    assert rows == whole.height == written.height
    assert written.equals(whole)
    write_parts(benchmark_table_parts(indicators=chosen), tmp_path / "t.csv")
    csv = pl.read_csv(tmp_path / "t.csv", infer_schema=False)
    derby = csv.filter(pl.col("la_code") == "831", pl.col("year") == "2017")
    assert derby["indicator"].to_list() == ["cp_rate", "rereferral_pct"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.csv", "t.parquet"]  # no parts left


def test_write_parts_leaves_no_file_when_a_part_fails(tmp_path):
    from cscbench.output import write_parts

    def parts():
        yield pl.DataFrame({"a": [1]})
        raise UsageError("unknown indicator 'x'")

    with pytest.raises(UsageError, match="unknown indicator"):
        write_parts(parts(), tmp_path / "t.parquet")
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(UsageError, match=r"t\.xlsx: write the table to a \.parquet or \.csv"):
        write_parts(iter([]), tmp_path / "t.xlsx")


def test_a_year_may_be_given_as_reports_write_it():
    # benchmark(year="2017") failed inside polars (a string compared with the year column).
    by_label = benchmark("Derby", year="2016-17", indicators=["cp_count"], base_year="2013/14")
    by_number = benchmark("Derby", year=2017, indicators=["cp_count"], base_year=2014)
    assert by_label.equals(by_number)
    assert (by_label["value"].item(), by_label["base_year"].item()) == (368.0, 2014)
    with pytest.raises(UsageError, match="'2017-16' is not a reporting year"):
        benchmark("Derby", year="2017-16")


def test_indicators_may_be_one_string():
    # indicators="cp_count" was read letter by letter: "unknown indicator 'c'".
    one = benchmark("Derby", year=2017, indicators="cp_count")
    assert one["value"].to_list() == [368.0]
    two = benchmark("Derby", year=2017, indicators="cp_count, rereferral_pct")
    assert two.equals(benchmark("Derby", year=2017, indicators=["cp_count", "rereferral_pct"]))
    parts = list(engine.benchmark_table_parts(indicators="cla_rate"))
    assert [part["indicator"].unique().to_list() for part in parts] == [["cla_rate"]]


def test_benchmark_and_series_in_one_pass_are_each_asked_alone():
    # benchmark_and_series works a pack's table and its trend charts' rows from one pass
    # over the group's figures: each must equal benchmark() and series() asked alone (the
    # history under the benchmark's group label), for every tenth authority in four years,
    # in both neighbour models, and with a base year, a theme and a custom group
    from polars.testing import assert_frame_equal

    from cscbench.analyses.engine import benchmark_and_series, series
    from cscbench.datasets import group, load_areas
    from cscbench.report.content import CHARTED

    areas = load_areas().filter(pl.col("last_year") >= 2025).sort("la_code")
    cases = [
        (la, year, model, {})
        for la in areas["la_code"][::10]
        for year in (2016, 2019, 2022, 2025)
        for model in ("sn2025", "sn2021")
    ]
    cases += [
        ("Derby", 2025, "sn2025", {"base_year": 2021}),
        ("Derby", 2024, "sn2021", {"indicators": ["cla_rate", "cp_rate", "referral_count"]}),
        ("Kent", 2025, "custom", {"comparators": "Essex,Surrey"}),
        ("Rutland", 2023, "sn2025", {"include_self": True, "exclude_doubtful": True}),
    ]
    checked = 0
    for la, year, model, options in cases:
        try:
            alone = benchmark(la, year=year, group=model, **options)
        except UsageError:  # no figures that year (an authority made since)
            continue
        table, history = benchmark_and_series(la, CHARTED, year=year, group=model, **options)
        assert_frame_equal(table, alone, check_exact=True)
        charted = [i for i in CHARTED if i in set(alone["indicator"])]
        chosen = group(la, model, options.get("comparators"))
        expected = series(
            la,
            charted,
            chosen,
            options.get("include_self", False),
            None,
            options.get("exclude_doubtful", False),
        ).with_columns(pl.lit(alone["group"][0]).alias("group"))
        found = history.filter(pl.col("indicator").is_in(charted))
        key = ["indicator", "year"]
        assert_frame_equal(found.sort(key), expected.sort(key), check_exact=True)
        assert found.height > len(charted) * 3
        checked += 1
    assert checked > 100
