"""Words and tables that could mislead, tested over every authority and year they concern:
reorganisation caveats only where an area changed, changes that agree with the figures
printed beside them, counts not ranked, group sizes that say who had a figure, doubtful zeros
in comparator averages, and names that take their article."""

from __future__ import annotations

import re

import polars as pl
import pytest

from cscbench.analyses import benchmark, benchmark_table
from cscbench.analyses.narrative import narrative, printed
from cscbench.analyses.notes import reorganisation_notes
from cscbench.datasets import group, load_neighbours
from cscbench.datasets.lineage import SUCCESSIONS
from cscbench.datasets.registry import INDICATORS, SHARES


@pytest.fixture(scope="module")
def table_sn2025():
    return benchmark_table(group="sn2025")


def test_the_reorganisation_flag_is_raised_only_where_an_area_changed(table_sn2025):
    # North Yorkshire, Somerset (2023) and Buckinghamshire (2020) became unitary councils over
    # the same areas: comparisons across them are like for like, and no caveat is owed. Every
    # flag raised must come from a change of area touching the authority or a comparator
    # within the years compared, and every such change must raise it.
    members = load_neighbours("sn2025").group_by("la_code").agg("neighbour_code")
    touched = {r[0]: {r[0], *r[1]} for r in members.rows()}
    changed = [(s.year, {*s.before, *s.after}) for s in SUCCESSIONS if s.boundary_changed]
    rows = table_sn2025.select("la_code", "year", "base_year", "flags").unique(
        subset=["la_code", "year", "base_year"]
    )
    for la, year, base, flags in rows.iter_rows():
        if base is None or la not in touched:
            continue
        expected = any(base < when <= year and codes & touched[la] for when, codes in changed)
        assert ("boundary_change" in flags) == expected, (la, year, base)
    rutland = table_sn2025.filter(pl.col("la_code") == "857", pl.col("year") == 2025)
    assert not any("boundary_change" in f for f in rutland["flags"])  # North Yorkshire's only


def test_a_reorganisation_is_noted_once_naming_who_and_when():
    # Rutland's 2025 neighbours include North Yorkshire (same area) and no authority whose area
    # changed: no note. Cumberland's note names its own making. A 2021-model group holding
    # North Northamptonshire, made in 2021, says so once, however many indicators there are.
    assert reorganisation_notes(benchmark("Rutland", year=2025), group("Rutland")).is_empty()
    with_nn = next(
        code
        for code, members in load_neighbours("sn2021")
        .group_by("la_code")
        .agg("neighbour_code")
        .rows()
        if "940" in members and code not in ("940", "941", "909")  # made with it, or gone
    )
    table = benchmark(with_nn, year=2025, group="sn2021")
    notes = reorganisation_notes(table, group(with_nn, "sn2021"))["sentence"].to_list()
    split = [n for n in notes if n.startswith("On 1 April 2021 Northamptonshire was split")]
    assert len(split) == 1  # said once
    assert "North Northamptonshire" in split[0] and "figures only from 2021-22" in split[0]
    said = narrative(table)["sentence"].to_list()
    assert not any("reorganisation" in s for s in said)  # not in every indicator's sentences


CHANGE = re.compile(
    r"This is (an increase|a decrease) of £?([\d,.]+)( percentage points)?(?: \(([\d,.]+)%\))? "
    r"from £?(-?[\d,.]+)"
)


@pytest.mark.parametrize("year", [2017, 2025])
def test_every_change_said_agrees_with_the_figures_printed_beside_it(table_sn2025, year):
    # "22.5% to 23.1%" is a rise of 0.6 points, whatever the unrounded figures' difference;
    # two equal printed figures are "unchanged at".
    rows = table_sn2025.filter(pl.col("year") == year)
    checked = 0
    for (_,), one in rows.group_by("la_code"):
        for record in narrative(one).filter(pl.col("kind") == "change").iter_rows(named=True):
            row = one.filter(pl.col("indicator") == record["indicator"]).row(0, named=True)
            ind = row["indicator"]
            if row["previous_value"] is None:  # "There is no change ... to give"
                continue
            now, then = printed(row["value"], ind), printed(row["previous_value"], ind)
            sentence = record["sentence"]
            if now == then:
                assert sentence.startswith("This is unchanged at "), sentence
                continue
            found = CHANGE.search(sentence)
            assert found, sentence
            word, amount, points, pct, before = found.groups()
            assert float(before.replace(",", "")) == then, sentence
            assert (word == "an increase") == (now > then), sentence
            assert float(amount.replace(",", "")) == pytest.approx(abs(now - then), abs=1e-9)
            assert bool(points) == (INDICATORS[ind].unit in SHARES), sentence
            if pct is not None:
                assert float(pct.replace(",", "")) == round(abs(now - then) / abs(then) * 100, 1)
            checked += 1
    assert checked > 1000


def test_counts_are_context_not_ranked(table_sn2025):
    counts = table_sn2025.filter(pl.col("unit") == "count")
    for column in ("rank", "national_rank", "quartile_band", "percentile", "robust_score"):
        assert counts[column].null_count() == counts.height, column
    assert not any("robust" in f for flags in counts["flags"] for f in flags)
    derby = narrative(benchmark("Derby", year=2025))
    ranked = derby.filter(pl.col("kind") == "rank")["indicator"].to_list()
    assert ranked and all(INDICATORS[i].unit != "count" for i in ranked)


def test_a_rank_says_how_many_of_the_group_had_a_figure(table_sn2025):
    # Every rank sentence: "of the 11 authorities" where all had a figure, "of the 8 of the 11
    # authorities ... with a figure" where some had none.
    seen = 0
    for (_,), one in table_sn2025.filter(pl.col("year") == 2025).group_by("la_code"):
        for record in narrative(one).filter(pl.col("kind") == "rank").iter_rows(named=True):
            row = one.filter(pl.col("indicator") == record["indicator"]).row(0, named=True)
            total = row["group_size"] + 1
            sentence = record["sentence"]
            if row["rank_of"] < total:
                assert f"of the {row['rank_of']} of the {total} authorities" in sentence or (
                    f"({row['rank_of']} of the {total} authorities, itself included, had a "
                    "figure)" in sentence
                ), sentence
                seen += 1
            else:
                assert f" of {total} " not in sentence.replace(f"of the {total}", ""), sentence
    assert seen > 20


def test_a_change_left_out_because_last_year_was_withheld_says_so(table_sn2025):
    rows = table_sn2025.filter(
        pl.col("value").is_not_null(),
        pl.col("previous_value").is_null(),
        pl.col("previous_status").is_in(["c", "x", "u", "z", "low"]),
    )
    assert rows.height > 10
    for row in rows.head(40).iter_rows(named=True):
        said = narrative(pl.DataFrame([row], schema=rows.schema))
        change = said.filter(pl.col("kind") == "change")["sentence"].to_list()
        assert len(change) == 1 and "to give: DfE did not publish" in change[0], change


def test_doubtful_zeros_in_the_comparator_average_are_said_and_can_be_left_out():
    # Rutland's 2025 neighbours West Berkshire and East Riding of Yorkshire returned no
    # referral ending in no further action: LAIT's mean of the published values is 4.8%;
    # without the two zeros it is 6.2%.
    row = benchmark("Rutland", year=2025, indicators=["nfa_pct"]).row(0, named=True)
    assert row["group_doubtful"] == ["West Berkshire", "East Riding of Yorkshire"]
    assert round(row["comparator_mean"], 1) == 4.8
    assert round(row["comparator_mean_without_doubtful"], 1) == 6.2
    said = narrative(pl.DataFrame([row]))["sentence"].to_list()
    assert said[1] == (
        "The comparator average counts the 0s of West Berkshire and East Riding of Yorkshire, "
        "which England's rate makes very unlikely (more likely how cases were recorded); "
        "without them it is 6.2%."
    )
    left_out = benchmark("Rutland", year=2025, indicators=["nfa_pct"], exclude_doubtful=True)
    row_out = left_out.row(0, named=True)
    assert round(row_out["comparator_mean"], 1) == 6.2
    assert row_out["group_n"] == row["group_n"] - 2
    assert "doubtful zeros left out" in row_out["group"]
    assert narrative(left_out)["sentence"][1].startswith("The comparator average leaves out")
    from cscbench.figures import comparator_chart

    spec = comparator_chart("Rutland", "nfa_pct", year=2025, row=row).to_dict()
    labels = {d["label"] for d in spec["datasets"][spec["layer"][0]["data"]["name"]]}
    assert "West Berkshire (doubtful 0)" in labels
    assert any("the average without them is 6.2%" in s for s in spec["title"]["subtitle"])


def test_the_isles_of_scilly_takes_its_article_and_its_few_children_are_said():
    said = narrative(benchmark("Isles of Scilly", year=2025))["sentence"].to_list()
    assert any(s.startswith("The Isles of Scilly") for s in said)
    assert not any(re.search(r"(?<![Tt]he )Isles of Scilly", s) for s in said)
    assert not any("only 0" in s for s in said)
    from cscbench.figures import overview_chart

    spec = overview_chart("Isles of Scilly", year=2025).to_dict()
    assert "* on few children or events" in " ".join(spec["title"]["subtitle"])
    assert "re-referrals within 12 months (%)" in spec["description"]
