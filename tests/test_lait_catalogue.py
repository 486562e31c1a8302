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


def _line(raw_dir, measure: str, number: int, years: str) -> int:
    """A row's line in LAIT's file (1 is the first row), found in the file itself."""
    file = pl.read_parquet(raw_dir.parent / "lait" / "bds_long_0.parquet").with_row_index(
        "line", offset=1
    )
    hit = file.filter(
        pl.col("Short Desc") == measure, pl.col("LA Number") == number, pl.col("Years") == years
    )
    assert hit.height == 1
    return int(hit["line"][0])


def test_only_the_rows_an_indicator_takes_are_used(raw, raw_dir):
    from cscbench.datasets.lait_rows import DFE_HAS_YEAR, NOT_TAKEN, OUTSIDE_CATALOGUE

    accounted = raw.accounting.filter(pl.col("file") == "bds_long_0.parquet")
    assert accounted.height == accounted["line"].n_unique() == 641_070
    # every used row is one row of the indicator frame, and no indicator row is unaccounted
    lait_ids = [k for k, i in INDICATORS.items() if i.source == "lait"]
    from_lait = raw.indicators.filter(
        pl.col("indicator").is_in(list(FROM_LAIT)), pl.col("year") < 2021
    )
    taken = raw.indicators.filter(pl.col("indicator").is_in(lait_ids)).height + from_lait.height
    assert accounted.filter(pl.col("outcome") == "used").height == taken
    assert accounted.filter(pl.col("reason") == NOT_TAKEN).is_empty()
    reason = dict(accounted.select("line", "reason").iter_rows())
    # Derby's children looked after per 10,000 in 2017-18 (LAIT's "2018"): carried back, used
    assert reason[_line(raw_dir, "LAC", 831, "2018")] == "LAIT value"
    # ... and in 2021-22, DfE's own file gives it with counts
    assert reason[_line(raw_dir, "LAC", 831, "2022")] == DFE_HAS_YEAR
    # a Key Stage 2 measure is outside the children's services catalogue
    ks2 = "KS2_SENSupport_Reading_Progress"
    first_ks2 = accounted.join(
        pl.read_parquet(raw_dir.parent / "lait" / "bds_long_0.parquet")
        .with_row_index("line", offset=1)
        .filter(pl.col("Short Desc") == ks2)
        .select(pl.col("line").cast(pl.Int64)),
        on="line",
    )
    assert first_ks2.height > 0 and set(first_ks2["reason"]) == {OUTSIDE_CATALOGUE}
    declared = {i.lait_measure for i in INDICATORS.values() if i.lait_measure}
    assert ks2 not in declared
    # Cumbria (909) after its abolition (LAIT's dash for 2024-25 child protection plans
    # ceasing): skipped as not in being, once, with its line
    assert reason[_line(raw_dir, "DeRegCPR", 909, "2025")] == (
        "authority not in being that year (DfE's files have it other years)"
    )
