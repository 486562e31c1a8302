"""The performance suite's pandas baseline must give the engine's numbers (to 1e-9).

Two independent implementations of the same statistics: the baseline computes one interval,
one fit and one authority at a time with scipy and statsmodels; the engine is vectorised.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from cscbench.analyses import benchmark_table
from cscbench.datasets import INDICATORS, load_indicators, load_neighbours

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmark"))
from baseline import baseline_table, to_pandas

SAMPLE = ["831", "874", "857", "201"]  # Derby, Peterborough, Rutland, City of London

NUMBERS = [
    "ci95_low",
    "ci95_high",
    "ci998_low",
    "ci998_high",
    "funnel95_low",
    "funnel95_high",
    "funnel998_low",
    "funnel998_high",
    "comparator_mean",
    "comparator_median",
    "comparator_matched_n_1y",
    "comparator_matched_change_1y",
    "comparator_matched_n_base",
    "comparator_matched_change_since_base",
    "trend_chi2",
    "national_rank",
    "rank",
    "group_n",
]
WORDS = ["england_comparison_95", "quartile_band", "spc_rule"]


@pytest.fixture(scope="module")
def merged():
    registry = {k: (i.unit, i.polarity) for k, i in INDICATORS.items()}
    base = baseline_table(
        to_pandas(load_indicators()),
        to_pandas(load_neighbours("sn2025")),
        registry,
        authorities=SAMPLE,
        no_bands=frozenset(k for k, i in INDICATORS.items() if not i.quartiles),
    )
    ours = benchmark_table(data=load_indicators()).filter(pl.col("la_code").is_in(SAMPLE))
    ours = to_pandas(ours.drop("flags", "group_missing"))
    return base.merge(ours, on=["indicator", "year", "la_code"], suffixes=("_pandas", ""))


def test_sample_covers_every_indicator_and_year(merged):
    from cscbench.analyses import panel
    from cscbench.datasets.registry import INDICATORS

    held = panel(la_codes=SAMPLE)  # every row the engine has for the sample's authorities
    assert len(merged) == held.height
    first = merged[merged["indicator"].isin(["rereferral_pct", "cin_count", "cla_rate"])]
    # 2012-13 on; looked after: 2015-16 to 2019-20 from LAIT, then 5 years of DfE's file
    assert len(first) == len(SAMPLE) * (2 * 13 + 10)
    assert merged["indicator"].nunique() == len(INDICATORS)


@pytest.mark.parametrize("column", NUMBERS)
def test_numbers_agree_to_1e_9(merged, column):
    base, ours = merged[f"{column}_pandas"].astype(float), merged[column].astype(float)
    both = base.notna() & ours.notna()
    assert both.sum() > 50
    np.testing.assert_allclose(ours[both], base[both], rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize("column", WORDS)
def test_words_agree(merged, column):
    base, ours = merged[f"{column}_pandas"], merged[column]
    assert (base.fillna("none") == ours.fillna("none")).all()


def test_trend_words_agree_where_the_baseline_computes_them(merged):
    computed = merged["trend_pandas"].notna()
    assert computed.sum() > 100
    assert (merged.loc[computed, "trend_pandas"] == merged.loc[computed, "trend"]).all()


def test_census_baseline_equals_local_indicators(tmp_path):
    """The pandas census baseline and cscbench's local indicators count the same, on a
    synthetic Derby with two earlier returns."""
    from census_baseline import indicators

    from cscbench.analyses.local import local_indicators, read_returns
    from cscbench.datasets.synthetic_census import write_return

    paths = write_return(tmp_path / "derby.xml", "831", 2025, seed=5, previous=2)
    census, earlier = read_returns(paths[0], paths[1:])
    ours = {
        r["indicator"]: (r["numerator"], r["denominator"])
        for r in local_indicators(census, earlier).iter_rows(named=True)
    }
    theirs = indicators(paths[0], paths[1:])
    assert theirs["referral_count"][0] > 3000  # a real-sized authority, not an empty case
    for name, (num, den) in theirs.items():
        assert ours[name] == (float(num), None if den is None else float(den)), name
