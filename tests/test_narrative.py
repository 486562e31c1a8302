"""Narrative wording rules on hand-made rows, and every number traced to the engine."""

from __future__ import annotations

import json
import re

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cscbench.analyses import benchmark
from cscbench.analyses.engine import COLUMNS
from cscbench.analyses.narrative import MATCHED_MIN, as_text, narrative
from cscbench.analyses.notes import report_narrative
from cscbench.analyses.sentences import LEVEL, opening
from cscbench.analyses.wording import (
    compared_with,
    period,
    rank_words,
    year_ending,
    year_label,
)
from cscbench.datasets import group
from cscbench.datasets.registry import INDICATORS
from cscbench.errors import UsageError


def row(**values) -> pl.DataFrame:
    base = {c: None for c in COLUMNS}
    base.update(
        indicator="rereferral_pct",
        year=2025,
        la_code="999",
        area_name="Testshire",
        unit="percent",
        polarity="low_is_good",
        status="published",
        flags=[],
        group_missing=[],
    )
    base.update(values)
    return pl.DataFrame(
        [base], schema_overrides={"flags": pl.List(pl.String), "group_missing": pl.List(pl.String)}
    )


@pytest.mark.parametrize(
    ("reference", "expected"),
    [
        (22.0, "in line with"),  # inside the 95% interval
        (19.9, "above"),  # outside 95%, inside 99.8%
        (19.0, "well above"),  # outside 99.8% and more than 10% away
        (23.2, "below"),
        (25.0, "well below"),
        (None, None),
    ],
)
def test_comparison_words_come_from_the_intervals(reference, expected):
    assert compared_with(21.3, reference, 20.1, 22.5, 19.5, 23.2 + 0.01) == expected


def test_significant_but_small_difference_is_not_well_above():
    # England-sized denominators: outside 99.8% but only 2% away -> "above", not "well above".
    assert compared_with(102.0, 100.0, 101.0, 103.0, 100.5, 103.5) == "above"


@pytest.mark.parametrize(
    ("rank", "of", "words"),
    [
        (1, 11, "the highest"),
        (2, 11, "the second highest"),
        (6, 11, "in the middle (6th of 11)"),
        (8, 11, "the fourth lowest"),
        (11, 11, "the lowest"),
        (5, 10, "the fifth highest"),
        (6, 10, "the fifth lowest"),
        (1, 153, "the highest"),
        (140, 153, "the 14th lowest"),
    ],
)
def test_rank_words(rank, of, words):
    assert rank_words(rank, of) == words


def test_periods_follow_the_indicator():
    assert year_label(2017) == "2016-17"
    assert period(2017, "cp_count") == "at 31 March 2017"
    assert period(2017, "referral_count") == "in 2016-17"


def test_level_rank_and_change_sentences_for_a_hand_made_row():
    frame = row(
        value=21.3,
        ci95_low=20.1,
        ci95_high=22.5,
        ci998_low=19.5,
        ci998_high=23.2,
        comparator_mean=22.0,
        england=25.0,
        rank=8,
        rank_of=11,
        previous_value=20.1,
        change_1y=1.2,
        comparator_mean_change_1y=-0.4,
        england_change_1y=0.3,
    )
    said = dict(narrative(frame).select("kind", "sentence").rows())
    assert said["level"] == (
        "In 2024-25, 21.3% of referrals in Testshire were re-referrals within "
        "12 months, in line with the comparator average (22.0%) and well "
        "below England (25.0%)."
    )
    assert said["rank"] == (
        "Testshire has the fourth lowest percentage of re-referrals within 12 "
        "months of the 11 authorities in its comparator group, itself included."
    )
    assert said["change"] == (
        "This is an increase of 1.2 percentage points from 20.1% in 2023-24. "
        "Over the same year, the comparator average fell by 0.4 percentage "
        "points and England rose by 0.3 percentage points."
    )


def test_count_change_in_the_register_of_the_reports():
    frame = row(
        indicator="cp_count",
        unit="count",
        polarity="context",
        value=368.0,
        previous_value=314.0,
        change_1y=54.0,
        change_1y_pct=17.197,
        comparator_mean=379.0,
        england=51080.0,
        comparator_mean_change_1y_pct=2.2,
        england_change_1y_pct=1.5,
    )
    said = dict(narrative(frame).select("kind", "sentence").rows())
    assert said["change"].startswith("This is an increase of 54 (17.2%) from 314 at 31 March 2024.")


@pytest.mark.parametrize(
    ("flags", "extra", "text"),
    [
        (["small_numbers"], {"numerator": 7.0}, "fewer than 10 children or events (7)"),
        (
            ["zero_unlikely"],
            {"indicator": "nfa_pct", "numerator": 0.0, "denominator": 7960.0, "england": 6.5},
            "figure is 0 out of 7,960, where England's (6.5%) would give about 517",
        ),
        (["published_mismatch"], {"published_value": 23.6}, "DfE published 23.6%"),
        (["spc_high"], {}, "higher than the range of Testshire's own series"),
    ],
)
def test_caveats_when_a_flag_asks(flags, extra, text):
    frame = row(value=22.2, flags=flags, **extra)
    caveats = narrative(frame).filter(pl.col("kind") == "caveat")["sentence"].to_list()
    assert len(caveats) == 1 and text in caveats[0]


def test_a_zero_that_looks_wrong_is_doubted_before_it_is_ranked():
    # West Sussex returned no referrals ending in no further action in 2024-25: 0 of 7,960,
    # where England's 6.5% gives about 520. The caveat followed the rank, change and long-term
    # sentences that took the 0 at face value; it now comes straight after the figure.
    # Its comparator average counts two other doubtful zeros: said first, after the average.
    table = benchmark("West Sussex", year=2025, indicators=["nfa_pct"])
    said = narrative(table).select("kind", "sentence").rows()
    assert [kind for kind, _ in said][:4] == ["level", "caveat", "caveat", "rank"]
    assert said[1][1].startswith("The comparator average counts the 0s of ")
    assert said[2][1].startswith("West Sussex's figure is 0 out of 7,960, where England's (6.5%)")


def test_a_wide_interval_is_said_with_its_unit():
    # Hartlepool's 12 referrals ending in no further action of 2,020 in 2024-25: Wilson's 95%
    # interval, worked by hand, is 0.34% to 1.04%; it was said as "(0.3 to 1.0)".
    table = benchmark("Hartlepool", year=2025, indicators=["nfa_pct"])
    row = table.row(0, named=True)
    assert (row["numerator"], row["denominator"]) == (12, 2020)
    assert (round(row["ci95_low"], 2), round(row["ci95_high"], 2)) == (0.34, 1.04)
    caveats = narrative(table).filter(pl.col("kind") == "caveat")["sentence"].to_list()
    assert "so its 95% interval is wide (0.3% to 1.0%)." in caveats[-1]


def test_a_new_authority_says_why_it_has_no_longer_term_comparison():
    # Cumberland was made on 1 April 2023 from part of Cumbria: its figures start at 31 March
    # 2024 (340.5 per 10,000 children in need), so 2024-25 has only a one-year change, and the
    # long-term sentence was left out without a word. North Northamptonshire's long term runs
    # from its first year, 2021-22, which was not said either.
    # It is said once, in the notes on the data, not in every indicator's sentences.
    table = benchmark("Cumberland", year=2025)
    said = report_narrative(table, group("Cumberland"))
    assert said.filter(pl.col("kind") == "long_term").is_empty()
    notes = said.filter(pl.col("kind") == "note", ~pl.col("sentence").str.contains("LAIT"))
    assert notes["sentence"].to_list() == [
        "Cumberland's figures start in 2023-24: on 1 April 2023 Cumbria was split into "
        "Cumberland and Westmorland and Furness. There is no longer-term comparison for "
        "Cumberland."
    ]
    said = narrative(benchmark("North Northamptonshire", year=2025, indicators=["cin_rate"]))
    long_term = said.filter(pl.col("kind") == "long_term")["sentence"].item()
    assert long_term.startswith(
        "Over the longer term, North Northamptonshire has seen an increase of 11.3 (4.1%) since "
        "31 March 2022, its first year of figures, from 278.2 per 10,000 children."
    )
    said = narrative(benchmark("Derby", year=2025, indicators=["cin_rate"]))
    long_term = said.filter(pl.col("kind") == "long_term")["sentence"].item()
    assert "since 31 March 2013, from 373.4" in long_term


def test_a_comparator_average_over_other_authorities_is_compared_like_for_like():
    # Hampshire, one of Rutland's ten 2025 neighbours, has no referrals figure for 2023-24 and
    # 41,142 for 2024-25: the average of the other nine was 3,506, of all ten 7,520, and the
    # narrative said the comparator average "rose by 114.5%". Each year's average stays as
    # LAIT gives it; the change said is over the nine with figures in both years, worked by
    # hand from the DfE file: 31,555 referrals in 2023-24 and 34,054 in 2024-25, +7.9%.
    table = benchmark("Rutland", year=2025, indicators=["referral_count"])
    row = table.row(0, named=True)
    assert (row["group_missing"], row["group_missing_previous"]) == ([], ["Hampshire"])
    assert round(row["comparator_mean_previous"], 1) == 3506.1
    assert round(row["comparator_mean"], 1) == 7519.6
    change = narrative(table).filter(pl.col("kind") == "change")["sentence"].item()
    assert change.endswith(
        "Over the same year, the comparator average over the 9 authorities with figures in "
        "both years rose by 7.9% (no figure for Hampshire in 2023-24) and England rose by 1.8%."
    )
    assert "114.5" not in change
    used = json.loads(narrative(table).filter(pl.col("kind") == "change")["fields"].item())
    assert used["group_missing_previous"] == ["Hampshire"]
    assert used["comparator_matched_n_1y"] == 9
    assert round(used["comparator_matched_change_1y"], 4) == round((34054 - 31555) / 9, 4)
    assert "comparator_mean_change_1y_pct" not in used
    # the same authorities in both years: LAIT's averages' change, said as before
    derby = narrative(benchmark("Derby", year=2025, indicators=["referral_rate"]))
    said = derby.filter(pl.col("kind") == "change")["sentence"].item()
    assert said.endswith(
        "Over the same year, the comparator average fell by 2.2% and England rose by 0.7%."
    )


def test_a_comparator_change_over_too_few_of_the_same_authorities_is_not_compared():
    # Coventry's 2025 neighbours and the percentage of plans lasting 2 years or more since
    # 2012-13: five had no 2012-13 figure and three none for 2024-25 (DfE suppresses small
    # counts), so at most two have both; the change is not compared, and why is said.
    table = benchmark("Coventry", year=2025, indicators=["cp_2yrs_pct"])
    row = table.row(0, named=True)
    assert row["comparator_matched_n_base"] < MATCHED_MIN
    long_term = narrative(table).filter(pl.col("kind") == "long_term")["sentence"].item()
    assert long_term.endswith(
        "Over the same period, England fell by 0.9 percentage points; the comparator average "
        "is not compared, as it is over different authorities in the two years (no figure for "
        "Derby, Southampton, Wolverhampton, Rochdale and Walsall at 31 March 2013 or "
        "Peterborough, Bolton and Luton at 31 March 2025)."
    )


def test_names_with_commas_or_and_are_kept_apart_in_a_list():
    # Wandsworth's 2025 neighbours without a figure for plans lasting 2 years or more at 31
    # March 2024 were Merton, "Bristol, City of" and "Brighton and Hove": listed with commas
    # alone they read as five authorities. Sentences say "Bristol", not DfE's sorting name.
    said = narrative(benchmark("Wandsworth", year=2025, indicators=["cp_2yrs_pct"]))
    change = said.filter(pl.col("kind") == "change")["sentence"].item()
    assert (
        "(no figure for Merton, Bristol, and Brighton and Hove at 31 March 2024 or "
        "Kingston upon Thames, Lambeth, Barnet and Reading at 31 March 2025)"
    ) in change


def test_sentences_say_an_authority_as_people_do():
    # "Bristol, City of's rate of children in need was ...": DfE's names are for sorting.
    # A name whose comma is part of it stays whole.
    said = narrative(benchmark("Bristol, City of", year=2025, indicators=["cin_rate"]))
    assert said["sentence"][0].startswith(
        "Bristol's rate of children in need was 326.1 per 10,000 children at 31 March 2025"
    )
    assert not said["sentence"].str.contains("City of").any()
    long_term = said.filter(pl.col("kind") == "long_term")["sentence"].item()
    assert "(no figure for Bournemouth, Christchurch and Poole at 31 March 2013)" in long_term


def test_a_new_authoritys_first_year_of_re_referrals_is_doubted_and_changes_from_it_too():
    # Cumberland's 10.7% in 2023-24, its first year, then 22.7%: the first year may miss
    # referrals made to Cumbria, so the figure is doubted right after it is given, and the
    # next year's change from it is followed by the same caution.
    first = narrative(benchmark("Cumberland", year=2024, indicators=["rereferral_pct"]))
    assert first["kind"].to_list()[:2] == ["level", "caveat"]
    assert first["sentence"][1] == (
        "2023-24 was Cumberland's first year of figures, when referrals to the council it "
        "replaced may not have counted as earlier referrals, so this figure may be too low; "
        "treat it, and comparisons with it, with caution."
    )
    after = narrative(benchmark("Cumberland", year=2025, indicators=["rereferral_pct"]))
    change = after.filter(pl.col("kind") == "change")["sentence"].item()
    assert change.startswith("This is an increase of 12.0 percentage points from 10.7% in 2023-24.")
    assert change.endswith(
        "2023-24 was Cumberland's first year of figures, when referrals to the council it "
        "replaced may not have counted as earlier referrals; treat this change with caution."
    )
    assert "first_year" not in " ".join(after.filter(pl.col("kind") == "caveat")["fields"])
    # Derby was not made by a reorganisation; nor is a rate of referrals counted back
    for la, ind in (("Derby", "rereferral_pct"), ("Cumberland", "referral_rate")):
        said = " ".join(narrative(benchmark(la, year=2025, indicators=[ind]))["sentence"])
        assert "first year of figures, when referrals" not in said


def test_a_value_tied_at_the_bottom_is_the_joint_lowest():
    # Redcar and Cleveland's 0% of plans lasting 2 years or more in 2024-25 ties with two of
    # the three comparators that have a figure; ties share the smaller rank (2 of 4 from the
    # top), which was worded "the second highest".
    table = benchmark("Redcar and Cleveland", indicators=["cp_2yrs_pct"])
    row = table.row(0, named=True)
    assert (row["value"], row["rank"], row["rank_of"], row["rank_ties"]) == (0.0, 2, 4, 2)
    said = narrative(table).filter(pl.col("kind") == "rank")["sentence"].item()
    # and the group had 11 authorities, 4 of them with a figure: said as such
    assert said.startswith(
        "Redcar and Cleveland has the joint lowest percentage of plans lasting 2 years or more "
        "of the 4 of the 11 authorities in its comparator group with a figure, itself included"
    )


def test_withheld_value_is_said_not_guessed():
    frame = row(value=None, status="c")
    said = narrative(frame)
    assert said["sentence"].to_list() == [
        "DfE did not publish Testshire's percentage of re-referrals within 12 months in 2024-25 "
        "(confidential, to protect individuals)."
    ]
    # a rate and a count, as the Isles of Scilly's 2024-25 looked-after figures ('z'), which
    # read "DfE did not publish rate of children leaving care for Isles of Scilly"; its name
    # takes its article
    scilly = narrative(benchmark("Isles of Scilly", year=2025)).filter(
        pl.col("indicator").is_in(["cla_ceased_rate", "cla_count"])
    )
    assert sorted(scilly["sentence"]) == [
        "DfE did not publish the Isles of Scilly's number of children looked after at 31 March "
        "2025 (not applicable).",
        "DfE did not publish the Isles of Scilly's rate of children leaving care in 2024-25 "
        "(not applicable).",
    ]


def displayed(value: float, decimals: int) -> set[str]:
    return {f"{value:,.{decimals}f}", f"{abs(value):,.{decimals}f}"}


def test_every_number_in_the_narrative_is_a_rounded_engine_figure():
    table = benchmark("Derby", year=2017, group="sn2021", include_self=True)
    sentences = narrative(table)
    for record in sentences.iter_rows(named=True):
        fields = json.loads(record["fields"])
        ind = record["indicator"]
        decimals = INDICATORS[ind].decimals
        allowed = {"10", "12", "2", "31", "30", "10,000"}  # fewer than 10, 12 months, 2 years,
        # 31 March, 30 September, per 10,000
        # numbers in the measure's own name ("section 47 enquiries", "aged 5 to 16")
        named = INDICATORS[ind].short + " " + INDICATORS[ind].title
        allowed |= set(re.findall(r"\d+", named))
        allowed |= set(re.findall(r"\d+(?:,\d{3})*(?:\.\d+)?(?:-\d\d)?", named))  # "0-10"
        years = {str(y) for y in range(2010, 2027)} | {year_label(y) for y in range(2010, 2027)}
        for value in fields.values():
            if isinstance(value, int | float) and not isinstance(value, bool):
                allowed |= displayed(value, decimals) | displayed(value, 1) | {str(value)}
        said = re.sub(r"\d{4}/\d\d academic year", "", record["sentence"])  # (LAIT's years)
        numbers = re.findall(r"\d+(?:,\d{3})*(?:\.\d+)?(?:-\d\d)?", said)
        for number in numbers:
            assert number in allowed | years, (number, record["sentence"])


def test_text_and_markdown_output():
    table = benchmark(
        "Derby",
        year=2017,
        group="sn2021",
        include_self=True,
        indicators=["rereferral_pct", "cp_count"],
    )
    text = as_text(narrative(table), markdown=True)  # in the order asked for
    assert text.startswith("### Re-referrals within 12 months (%)")
    assert "### Children on a child protection plan at 31 March" in text


@given(st.integers(min_value=1901, max_value=2999))
def test_every_way_of_writing_a_year_reads_back_as_that_year(year):
    # year_label writes 2016-17 for 2017; EES writes 201617; reports write 2016/17.
    start = year - 1
    for text in (
        year_label(year),
        f"{start}/{year % 100:02d}",
        f"{start}-{year}",
        f"{start}{year % 100:02d}",
        str(year),
    ):
        assert year_ending(text) == year, text
    with pytest.raises(UsageError, match="is not a reporting year"):
        year_ending(f"{start}-{(year + 1) % 100:02d}")  # a span of two years


#: How DfE's own indicators' level sentences open, by unit: a percentage is "Derby's
#: percentage of ..." (or a workforce rate, "Derby's social worker turnover rate"), never
#: "Derby's children aged 5 to 16 with an SDQ score was"; a unit is said once.
OPENS_AS = {
    "percent": r"{la}'s percentage of ",
    "fte_percent": r"{la}'s (percentage of .+|[a-z ]+ rate) was ",
    "rate_per_10k": r"{la}'s rate of ",
    "per_100": r"{la} had [\d.,]+ .+ per 100 .+",
}


@pytest.mark.parametrize(
    "ind", [i for i in INDICATORS.values() if i.source != "lait"], ids=lambda i: i.id
)
def test_every_dfe_indicators_level_sentence_names_its_measure_and_says_its_unit_once(ind):
    # The first authority and latest year with a figure, from Brighton and Hove 2023-24 on.
    for la, year in [
        (la, y) for la in ("Brighton and Hove", "Leeds", "Kent") for y in (2024, 2025, 2023)
    ]:
        rows = benchmark(la, year=year, indicators=[ind.id])
        if rows["value"].item() is not None:
            break
    (sentence,) = narrative(rows).filter(pl.col("kind") == "level")["sentence"].to_list()
    opens = opening(ind.id, year, la, rows["value"].item())
    assert sentence.startswith(opens), (sentence, opens)
    if ind.id not in LEVEL and ind.unit in OPENS_AS:
        assert re.match(OPENS_AS[ind.unit].format(la=la), opens), opens
    for unit_words in ("per 100", "working days", "per 10,000", "%"):
        assert opens.count(unit_words) <= 1, opens
