"""LAIT's values-only indicators read as English: names, headlines and sentences, for every
``lait_*`` indicator, and Derby's sentences checked by hand against LAIT's figures."""

from __future__ import annotations

import re

import polars as pl
import pytest

from cscbench.analyses import benchmark
from cscbench.analyses.narrative import narrative
from cscbench.analyses.wording import measure_name, with_unit
from cscbench.datasets.lait_words import PROPER, headline, short_name
from cscbench.datasets.registry import INDICATORS

LAIT = [i for i in INDICATORS.values() if i.source == "lait"]
#: LAIT's abbreviations that are never left in a name (spelt out by the rules).
SPELT_OUT = re.compile(r"\b(CLA|CIN|CPP|Std|AVG|Num|LA)\b")


def test_every_lait_measure_is_here():
    assert len(LAIT) == 156


@pytest.mark.parametrize("ind", LAIT, ids=lambda i: i.id)
def test_a_short_name_is_a_measure_in_lower_case(ind):
    short = ind.short
    assert "%" not in short and not SPELT_OUT.search(short), short
    assert not re.match(r"(?i)(number|percent|percentage|proportion) ", short), short
    capitals = [w for w in re.findall(r"[A-Za-z][A-Za-z']*", short) if w[0].isupper()]
    assert all(w.isupper() or w in PROPER for w in capitals), short  # acronyms and names
    assert short == short_name(ind.title, ind.unit)  # the shipped file is the rules' output


@pytest.mark.parametrize("ind", LAIT, ids=lambda i: i.id)
def test_a_headline_is_five_words_and_not_the_titles_first_words(ind):
    words = ind.headline.split()
    assert 1 <= len(words) <= 5, ind.headline
    assert words[-1].lower() not in {"of", "the", "in", "by", "a", "and", "with", "or"}
    title = " ".join(ind.title.split()).lower()
    if len(title.split()) > 5:  # a short title may be its own headline
        assert not title.startswith(ind.headline.lower()), (ind.headline, ind.title)
    assert ind.headline == headline(ind.lait_measure, ind.title, ind.unit)


@pytest.fixture(scope="module")
def derby():
    rows = benchmark("Derby", year=2025, indicators=[i.id for i in LAIT])
    said = narrative(rows).filter(pl.col("kind") == "level")
    return rows, dict(zip(said["indicator"], said["sentence"], strict=True))


def test_every_lait_sentence_reads_as_english_with_its_unit(derby):
    rows, said = derby
    assert len(said) >= 120  # every indicator Derby has a 2024-25 figure for
    for row in rows.filter(pl.col("value").is_not_null()).iter_rows(named=True):
        ind = INDICATORS[row["indicator"]]
        sentence = said[ind.id]
        assert "% of" not in sentence and not SPELT_OUT.search(sentence), sentence
        assert "Derby's %" not in sentence and " was %" not in sentence
        shown = with_unit(row["value"], ind.id)
        assert f" was {shown} " in sentence, sentence  # the number with its unit after it
        unit_mark = {"lait_percent": "%", "lait_rate": " per 10,000"}.get(ind.unit)
        if unit_mark:
            assert shown.endswith(unit_mark), shown
        if ind.unit == "pounds":
            assert shown.startswith("£"), shown
        if ind.unit in ("lait_percent", "lait_count"):
            assert sentence.startswith(f"The {measure_name(ind.id)} in Derby was "), sentence


def test_derbys_sentences_checked_by_hand(derby):
    # Figures as LAIT publishes them for Derby, 2024-25 (the benchmark's values).
    _, said = derby
    assert said["lait_cinsen_sup"].startswith(
        "The percentage of school-age children in need with SEN support in Derby was 24.8% "
        "in the 2024/25 academic year"
    )
    assert said["lait_fosteringfinance"].startswith(
        "The weekly unit cost of fostering in Derby was £1,035 in 2024-25"
    )
    assert said["lait_unacc_asylmn_seek_childnpct"].startswith(
        "The percentage of children looked after who are unaccompanied asylum seeking "
        "children in Derby was 9.0% in 2024-25"
    )
    assert said["lait_yjs_caution_sentence10_17_yo"].startswith(
        "The rate of children cautioned or sentenced in Derby was 19.2 per 10,000 in 2024-25"
    )


def test_a_measure_name_says_the_unit_word():
    assert measure_name("lait_cinsen_sup").startswith("percentage of school-age")
    assert with_unit(-1204.4, "lait_lacfinance") == "-£1,204"


def test_a_change_in_pounds_is_said_in_pounds():
    # Derby's weekly unit cost of fostering: £880 in 2023-24, £1,035 in 2024-25 (LAIT).
    rows = benchmark("Derby", year=2025, indicators=["lait_fosteringfinance"])
    said = narrative(rows).filter(pl.col("kind") == "change")["sentence"].item()
    assert said.startswith("This is an increase of £155 (17.6%) from £880 in 2023-24.")
