"""LAIT's children's services catalogue as values-only indicators, and LAIT's looked-after
figures before DfE's file: declared from LAIT's dictionary, read from LAIT's values."""

from __future__ import annotations

import polars as pl
import pytest

from cscbench.datasets.catalogue.model import FOLDER
from cscbench.datasets.lait import read_lait
from cscbench.datasets.lait_catalogue import CSC_TOPICS, generate, indicator_id
from cscbench.datasets.lait_rows import FROM_LAIT
from cscbench.datasets.registry import INDICATORS, THEMES


@pytest.fixture(scope="module")
def lait(raw_dir):
    return read_lait(raw_dir.parent / "lait")


def test_the_shipped_declarations_are_what_laits_dictionary_gives(raw_dir):
    assert (FOLDER / "lait.toml").read_text() == generate(raw_dir.parent / "lait")


def test_every_childrens_services_measure_is_an_indicator(lait):
    # LAIT's 171 measures in its six children's services topics: each one with a one-year
    # figure is either a counted indicator's LAIT measure or a lait_ indicator of its own
    csc = lait.measures.filter(pl.col("topic").is_in(CSC_TOPICS))
    assert csc["measure"].n_unique() == 171
    one_year = set(lait.values.filter(pl.col("years_covered") == 1)["measure"])
    measures = {i.lait_measure: k for k, i in INDICATORS.items() if i.lait_measure}
    for measure in csc["measure"]:
        if measure in one_year:
            assert measure in measures, measure
    counted = [k for k in measures.values() if INDICATORS[k].source != "lait"]
    assert len(counted) >= 35  # the counted indicators give these, with their counts


def test_a_values_only_indicator_keeps_laits_polarity_decimals_and_quartiles(lait):
    by_measure = lait.measures.unique("measure").select(
        "measure", "polarity", "quartiles", "year_type"
    )
    for measure, polarity, quartiles, _ in by_measure.iter_rows():
        key = indicator_id(measure)
        if key not in INDICATORS:
            continue
        ind = INDICATORS[key]
        assert (ind.polarity, ind.quartiles) == (polarity, quartiles), key
        assert ind.theme in THEMES and ind.numerator is None


def test_values_only_rows_are_laits_figures(raw):
    # Derby's looked-after weekly unit cost, 2024-25 outturn: LAIT shows 2,160 (pounds)
    derby = raw.indicators.filter(
        pl.col("indicator") == "lait_lacfinance", pl.col("la_code") == "831"
    )
    assert derby.filter(pl.col("year") == 2025)["value"].item() == 2160.0
    assert derby["numerator"].null_count() == derby.height
    # the workforce census at 30 September 2024 is 2024-25's (year 2025), as DfE's file is
    starters = raw.indicators.filter(
        pl.col("indicator") == "lait_social_work_starters", pl.col("la_code") == "831"
    )
    sw = raw.indicators.filter(pl.col("indicator") == "sw_fte", pl.col("la_code") == "831")
    assert set(starters["year"]) <= set(sw["year"]) | {2017}


def test_looked_after_figures_go_back_to_2015_16_from_lait(raw):
    # Rutland had 30 children looked after at 31 March 2018 (004_*.txt, Leicestershire and
    # Rutland's 2017-18 report); DfE's file by authority starts in 2020-21
    cla = raw.indicators.filter(pl.col("geography") == "la")
    rutland = cla.filter(pl.col("indicator") == "cla_count", pl.col("la_code") == "857")
    assert dict(rutland.select("year", "value").iter_rows())[2018] == 30.0
    # LAIT's rates of starting and ceasing run from 2017-18, the rest from 2015-16
    first = {i: 2018 if i in ("cla_start_rate", "cla_ceased_rate") else 2016 for i in FROM_LAIT}
    for indicator in FROM_LAIT:
        years = cla.filter(pl.col("indicator") == indicator)
        assert years["year"].min() == first[indicator], indicator
        dfe = years.filter(pl.col("year") >= 2021)
        lait = years.filter(pl.col("year") < 2021)
        counted = INDICATORS[indicator].unit == "count"
        # LAIT's years: a count is its own numerator; a rate has no count behind it
        assert lait["numerator"].is_null().all() != counted, indicator
        assert dfe["numerator"].is_not_null().sum() > 0.9 * dfe.height, indicator


def test_laits_figures_for_abolished_authorities_are_accounted_not_kept(raw):
    # LAIT gives Cumbria figures after its abolition (1 April 2023): none is kept
    assert raw.indicators.filter(pl.col("la_code") == "909", pl.col("year") >= 2024).is_empty()
    skipped = raw.accounting.filter(
        pl.col("file") == "bds_long_0.parquet",
        pl.col("reason") == "authority not in being that year (DfE's files have it other years)",
    )
    assert skipped.height > 100
