"""The indicator registry against the files it points at and LAIT's data dictionary."""

from __future__ import annotations

import polars as pl
import pytest

from cscbench.datasets.csvfile import read_text_table
from cscbench.datasets.loaders import find_source_file
from cscbench.datasets.registry import INDICATORS, POPULATION, get_indicator, registry_frame
from cscbench.errors import UsageError

REQUIRED = {
    "cin_rate",
    "referral_rate",
    "rereferral_pct",
    "nfa_pct",
    "cp_rate",
    "cp_start_rate",
    "cp_subsequent_pct",
    "cp_2yrs_pct",
    "cla_rate",
    "cla_start_rate",
    "cla_ceased_rate",
    "cin_count",
    "referral_count",
    "cp_count",
    "cla_count",
}

LAIT_POLARITY = {"Low": "low_is_good", "High": "high_is_good", "-": "context"}


def test_required_indicators_are_registered():
    assert set(INDICATORS) >= REQUIRED


@pytest.mark.parametrize("ind", INDICATORS.values(), ids=lambda i: i.id)
def test_columns_exist_in_the_source_file(raw_dir, ind):
    path = find_source_file(raw_dir, ind.source)
    columns = set(read_text_table(path).columns)
    for column in (ind.numerator, ind.denominator, ind.published):
        if column not in (None, POPULATION):
            assert column in columns, (ind.id, column)
    if ind.category:
        categories = set(read_text_table(path)["population_type"])
        assert ind.category in categories


@pytest.mark.parametrize("ind", INDICATORS.values(), ids=lambda i: i.id)
def test_units_and_denominators_agree(ind):
    if ind.unit == "count":
        assert ind.denominator is None and ind.polarity == "context" and ind.decimals == 0
    elif ind.unit == "rate_per_10k":
        assert ind.denominator == POPULATION and ind.multiplier == 10_000
    else:
        assert ind.denominator not in (None, POPULATION) and ind.multiplier == 100
    assert ind.definition.endswith(".") and len(ind.definition) < 240


def test_polarity_follows_lait_data_dictionary(raw_dir):
    path = raw_dir.parent / "lait" / "lait_data_dictionary.csv"
    dictionary = pl.read_csv(path, infer_schema=False)
    polarity = dict(
        dictionary.unique("Measure_short", keep="first").select("Measure_short", "Polarity").rows()
    )
    checked = 0
    for ind in INDICATORS.values():
        if ind.lait_measure is None:
            continue
        assert ind.lait_measure in polarity, ind.id
        assert LAIT_POLARITY[polarity[ind.lait_measure]] == ind.polarity, ind.id
        checked += 1
    assert checked >= 15
    assert INDICATORS["rereferral_pct"].polarity == "low_is_good"  # LAIT ReReferral: Low
    assert INDICATORS["cin_rate"].polarity == "context"  # LAIT CIN: -


def test_registry_frame_has_one_row_per_indicator():
    frame = registry_frame()
    assert frame["id"].to_list() == list(INDICATORS)
    row = frame.filter(pl.col("id") == "cp_subsequent_pct").row(0, named=True)
    assert row["source_file"] == "d3_cpps_subsequent_plan_*.csv"
    assert (row["numerator"], row["denominator"], row["published"]) == (
        "CPP_subsequent",
        "CPP_start",
        "CPP_subsequent_percent",
    )


def test_unknown_indicator_lists_the_known_ones():
    known = "unknown indicator 'cin_rat'; known: referral_count, referral_rate"  # report order
    with pytest.raises(UsageError, match=known):
        get_indicator("cin_rat")


def test_every_indicator_has_a_short_name_and_a_period():
    for ind in INDICATORS.values():
        assert ind.short and ind.short == ind.short.lower()
        assert ind.at_31_march == (
            "31 March" in ind.definition and "year ending" not in ind.definition
        )
