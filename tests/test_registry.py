"""The indicator registry against the files it points at and LAIT's data dictionary."""

from __future__ import annotations

import polars as pl
import pytest

from cscbench.datasets.csvfile import read_text_table
from cscbench.datasets.registry import INDICATORS, SOURCES, get_indicator, registry_frame
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

LAIT_POLARITY = {"Low": "low_is_good", "High": "high_is_good", "-": "context", "NA": "context"}


def test_required_indicators_are_registered():
    assert set(INDICATORS) >= REQUIRED


@pytest.mark.parametrize(
    "ind", [i for i in INDICATORS.values() if i.source != "lait"], ids=lambda i: i.id
)
def test_columns_and_rows_exist_in_the_source_file(raw_dir, ind):
    from cscbench.datasets.recognise import find_files, required_values

    files, _ = find_files(raw_dir)
    frame = read_text_table(files[ind.source])
    for term in (ind.numerator, ind.denominator):
        for column in term.columns if term is not None else ():
            assert column in frame.columns, (ind.id, column)
    if ind.published:
        assert ind.published in frame.columns, (ind.id, ind.published)
    for column, values in required_values(SOURCES[ind.source]).items():
        assert values <= set(frame[column]), (ind.id, column, values - set(frame[column]))


@pytest.mark.parametrize("ind", INDICATORS.values(), ids=lambda i: i.id)
def test_units_and_denominators_agree(ind):
    if ind.source == "lait":  # LAIT's values: no counts, no interval
        assert ind.numerator is None and ind.denominator is None and not ind.interval
        return
    if ind.unit in ("count", "fte"):
        assert ind.denominator is None and ind.polarity == "context" and ind.decimals in (0, 1)
    elif ind.unit == "rate_per_10k":
        assert ind.denominator.population and ind.multiplier == 10_000
    elif ind.unit in ("percent", "fte_percent", "per_100"):
        assert ind.denominator is not None and not ind.denominator.population
        assert ind.multiplier == 100
    else:  # a median, an average or a caseload: DfE's figure or a ratio of FTEs
        assert ind.unit in ("days", "score", "caseload") and ind.multiplier == 1
    assert ind.definition.endswith(".") and len(ind.definition) < 400


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
    assert (row["numerator"], row["denominator"], row["published"]) == (  # as declared
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
        words = [w for w in ind.short.split() if not w.isupper()]  # acronyms (SDQ, FTE) apart
        if ind.source == "lait":  # LAIT's own titles ("children in Need"): only the period
            assert ind.short and ind.period, ind.id
            continue
        assert ind.short and all(w == w.lower() for w in words), ind.id
        assert ind.at_31_march == (ind.period == "31 March")
        if ind.at_31_march:
            assert "31 March" in ind.definition, ind.id
