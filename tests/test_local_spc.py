"""SPC of local measures against NHSRplotthedots' worked examples, to the last digit.

The examples are the snapshots of NHSRplotthedots' integration tests
(``tests/testthat/_snaps/integration_tests.md``, v0.2.x): ``ptd_spc`` on NHSRdatasets'
``ae_attendances`` for all of England, 36 months from April 2016. Each snapshot is R's
serialised result; its inputs (``y``) and outputs (``mean``, ``lpl``, ``upl``,
``point_type``) were decoded from it as doubles, and are written here with ``repr`` so each
is the very double R computed. The tests run them through a measures file, as a user would.
"""

from __future__ import annotations

import polars as pl
import pytest

from cscbench.analyses.local_spc import assurance, spc_points
from cscbench.analyses.local_words import local_summary, national_figures, year_so_far
from cscbench.datasets.local_measures import read_measures

# ae_attendances, all types, attendances (value_field "attendances", improvement "increase")
ATTENDANCES = [
    1867781.0,
    2070340.0,
    1958802.0,
    2079034.0,
    1932901.0,
    1952464.0,
    2001816.0,
    1907871.0,
    1944567.0,
    1895272.0,
    1735619.0,
    2015834.0,
    1949762.0,
    2066789.0,
    1994056.0,
    2073944.0,
    1924663.0,
    1925961.0,
    2044137.0,
    1976971.0,
    2003954.0,
    2000086.0,
    1820012.0,
    2049785.0,
    1984369.0,
    2164458.0,
    2093942.0,
    2179896.0,
    1997854.0,
    2005695.0,
    2079492.0,
    2037847.0,
    2047518.0,
    2113413.0,
    1954947.0,
    2167550.0,
]
# the same, performance (share seen within 4 hours), fix_after_n_points = 12
PERFORMANCE = [
    0.9003512724457525,
    0.9027555860390081,
    0.9055994429248081,
    0.9028524786030435,
    0.909763097023593,
    0.9064786853944554,
    0.8905308979446662,
    0.8837903610883545,
    0.8617594559611471,
    0.851413411900772,
    0.8753090395991286,
    0.9000949482943537,
    0.9051525263083392,
    0.8970035160821932,
    0.9072518525056468,
    0.9034785895858326,
    0.9029928875860346,
    0.8966609396555797,
    0.8994186788850258,
    0.8876655246839736,
    0.8498503458662225,
    0.8529918213516818,
    0.8504476893558943,
    0.8462121637147311,
    0.8857248828216929,
    0.9039011151983545,
    0.9076297242234981,
    0.8931949047110505,
    0.8972702710007838,
    0.8894368286304747,
    0.8900933497219513,
    0.8760446687116353,
    0.8644632183941728,
    0.843525141560121,
    0.8422525009629417,
    0.8660427671795345,
]
PERFORMANCE_TYPES = {
    "special_cause_improvement": [11, 12, 13, 14, 15, 16, 17, 18],
    "special_cause_concern": [9, 20, 21, 22, 23, 29, 30, 31, 32, 33, 34, 35],
}


def months(first: int = 2016 * 12 + 3, n: int = 36) -> list[str]:
    return [f"{m // 12}-{m % 12 + 1:02d}" for m in range(first, first + n)]


def measures_file(
    tmp_path,
    values,
    unit="count",
    polarity="high_is_good",
    changes=None,
    name="ae",
    numerators=None,
    denominators=None,
) -> str:
    """A one-measure file of monthly ``values`` from April 2016 (``changes``: {index: text})."""
    changes = changes or {}
    lines = ["measure,title,unit,polarity,theme,period,value,numerator,denominator,change"]
    for i, (period, value) in enumerate(zip(months(n=len(values)), values, strict=True)):
        head = f"{name},A&E {name},{unit},{polarity},Health" if i == 0 else f"{name},,,,"
        num = "" if numerators is None else numerators[i]
        den = "" if denominators is None else denominators[i]
        shown = "" if value is None else repr(value)
        lines.append(f"{head},{period},{shown},{num},{den},{changes.get(i, '')}")
    path = tmp_path / f"{name}.csv"
    path.write_text("\n".join(lines) + "\n")
    return str(path)


def test_ae_attendances_limits_and_point_types_as_nhsrplotthedots(tmp_path):
    points = spc_points(measures_file(tmp_path, ATTENDANCES))
    assert set(points["mean"]) == {2000538.9444444445}
    assert set(points["lower"]) == {1731844.3644444444}
    assert set(points["upper"]) == {2269233.5244444446}
    assert set(points["point_type"]) == {"common_cause"}
    assert set(points["limits"]) == {"limits"}


def test_ae_attendances_rebased_at_april_2017_as_nhsrplotthedots(tmp_path):
    path = measures_file(tmp_path, ATTENDANCES, changes={12: "rebase"})
    points = spc_points(path)
    by_segment = points.group_by("segment_start", maintain_order=True).agg(
        pl.col("mean").first(), pl.col("lower").first(), pl.col("upper").first(), pl.len()
    )
    assert by_segment.rows() == [
        ("2016-04", 1946858.4166666667, 1639947.374848485, 2253769.4584848485, 12),
        ("2017-04", 2027379.2083333333, 1772921.0639855072, 2281837.3526811595, 24),
    ]
    assert set(points["point_type"]) == {"common_cause"}
    # 12 points: limits, but provisional (Making Data Count advises 15 or more)
    assert points.group_by("segment_start").agg(pl.col("limits").first()).sort("segment_start")[
        "limits"
    ].to_list() == ["provisional", "limits"]


def test_ae_performance_fixed_after_12_points_as_nhsrplotthedots(tmp_path):
    points = spc_points(measures_file(tmp_path, PERFORMANCE, unit="score"), fix_after=12)
    assert set(points["mean"]) == {0.8908915564349236}
    assert set(points["lower"]) == {0.8614049789074258}
    assert set(points["upper"]) == {0.9203781339624213}
    types = points["point_type"].to_list()
    for kind, where in PERFORMANCE_TYPES.items():
        assert [i for i, t in enumerate(types) if t == kind] == where
    special = {i for where in PERFORMANCE_TYPES.values() for i in where}
    assert {t for i, t in enumerate(types) if i not in special} == {"common_cause"}


def test_polarity_decides_improvement_and_concern(tmp_path):
    """The same special points: improving and concerning swap for 'lower is better', and are
    high or low (neither) for a context measure; the icons' symbols follow."""
    path = measures_file(tmp_path, PERFORMANCE, unit="score", polarity="low_is_good")
    low = spc_points(path, fix_after=12)
    flipped = {
        "special_cause_improvement": "special_cause_concern",
        "special_cause_concern": "special_cause_improvement",
    }
    for kind, where in PERFORMANCE_TYPES.items():
        assert set(low["point_type"].gather(where)) == {flipped[kind]}
    context = spc_points(
        measures_file(tmp_path, PERFORMANCE, unit="score", polarity="context"), fix_after=12
    )
    kinds = context.with_row_index("n").filter(pl.col("point_type") != "common_cause")
    sides = (kinds["value"] > kinds["mean"]).to_list()
    expected = ["special_cause_neutral_high" if up else "special_cause_neutral_low" for up in sides]
    assert kinds["point_type"].to_list() == expected
    assert set(kinds["variation_symbol"]) == {"H", "L"}
    assert low["variation_symbol"][9] == "L+" and low["variation_symbol"][12] == "H-"


def test_no_rule_runs_across_a_change_point(tmp_path):
    """Four points above the mean before a change and four after: 8 in a row on one side of
    one mean, but never 7 within a segment."""
    values = [
        10.0,
        12,
        10,
        12,
        10,
        12,
        10,
        12,
        10,
        12,
        14,
        14,
        14,
        14,
        14,
        14,
        14,
        14,
        10,
        12,
        10,
        12,
        10,
        12,
        10,
        12,
        10,
        12,
    ]
    whole = spc_points(measures_file(tmp_path, values, unit="score"))
    assert "spc_run" in whole["rule"].to_list()
    split = spc_points(measures_file(tmp_path, values, unit="score", changes={14: "new team"}))
    assert "spc_run" not in split["rule"].to_list()
    assert split.filter(pl.col("segment") == 1)["segment_start"].unique().to_list() == ["2017-06"]


def test_too_few_points_give_no_limits_and_fewer_than_15_are_provisional(tmp_path):
    for n, expected in ((5, "none"), (6, "provisional"), (14, "provisional"), (15, "limits")):
        points = spc_points(measures_file(tmp_path, ATTENDANCES[:n]))
        assert set(points["limits"]) == {expected}
        assert points["mean"].null_count() == (n if expected == "none" else 0)
    said = local_summary(spc_points(measures_file(tmp_path, ATTENDANCES[:5])))["sentences"][0]
    assert said[0].endswith(
        "too few for process limits (at least 6; Making Data Count advises 15 to 20)."
    )


def test_a_point_without_a_figure_is_kept_and_left_out_of_the_limits(tmp_path):
    path = tmp_path / "gap.csv"
    rows = ["measure,title,unit,polarity,theme,period,value,note"]
    for i, (period, value) in enumerate(zip(months(n=16), ATTENDANCES, strict=False)):
        head = "ae,A&E,count,high_is_good,Health" if i == 0 else "ae,,,,"
        rows.append(f"{head},{period},{'' if i == 5 else value},{'outage' if i == 5 else ''}")
    path.write_text("\n".join(rows) + "\n")
    points = spc_points(path)
    assert points.height == 16 and points["value"].null_count() == 1
    closed = [v for i, v in enumerate(ATTENDANCES[:16]) if i != 5]
    assert points["mean"][0] == spc_points(measures_file(tmp_path, closed))["mean"][0]


LIMITS = [(1, 3), (5, 7), (1, 5)]


@pytest.mark.parametrize(
    "direction, limits, expected",
    [
        ("at least", LIMITS, ["consistent_fail", "consistent_pass", "inconsistent"]),
        ("at most", LIMITS, ["consistent_pass", "consistent_fail", "inconsistent"]),
    ],
)
def test_assurance_as_nhsrplotthedots_test_cases(direction, limits, expected):
    """test-ptd_calculate_assurance_type.R: target 4 against (lpl, upl) per facet."""
    assert [assurance(4, direction, lo, hi) for lo, hi in limits] == expected


def test_targets_apply_to_local_measures(tmp_path):
    targets = tmp_path / "targets.toml"
    targets.write_text(
        '[[target]]\nindicator = "ae"\ntitle = "A&E"\nunit = "count"\ntarget = 2300000\n'
        'direction = "at least"\n'
    )
    points = spc_points(measures_file(tmp_path, ATTENDANCES), targets=targets)
    assert set(points["target"]) == {2300000.0}
    assert points["target_status"][0] == "off target, causing concern"  # 1.87m: 19% short
    assert points["target_status"][27] == "off target, recoverable"  # 2.18m: within 10%
    row = local_summary(points).row(0, named=True)
    assert (row["assurance"], row["assurance_symbol"]) == ("consistent_fail", "F")  # above upl
    assert row["sentences"][1].startswith(
        "Against its target (at least 2,300,000), the target will be missed consistently"
    )
    wrong = tmp_path / "wrong.toml"
    wrong.write_text(
        '[[target]]\nindicator = "ae"\ntitle = "A&E"\nunit = "percent"\n'
        'target = 90\ndirection = "at least"\n'
    )
    from cscbench.errors import UsageError

    with pytest.raises(UsageError, match=r"the target for ae is in percent; ae\.csv gives ae in"):
        spc_points(measures_file(tmp_path, ATTENDANCES), targets=wrong)


def test_a_matching_national_measure_sets_dfes_latest_figures_beside_the_year_so_far(tmp_path):
    """Derby's monthly re-referrals (made up) from April 2016: DfE's latest year for Derby's
    comparators and England beside them, the year so far over the months' counts, and the
    period mismatch said."""
    from cscbench.analyses import benchmark

    nums, dens = [30, 28, 35, 31, 29, 33, 30, 27, 32], [150, 140, 160, 150, 145, 155, 150, 140, 150]
    values = [round(n / d * 100, 1) for n, d in zip(nums, dens, strict=True)]
    path = measures_file(
        tmp_path,
        values,
        unit="percent",
        polarity="low_is_good",
        name="rereferral_pct",
        numerators=nums,
        denominators=dens,
    )
    local = read_measures(path)
    assert local.measures["national"].to_list() == ["rereferral_pct"]
    national = national_figures(local.measures, "Derby")
    dfe = benchmark("Derby", indicators=["rereferral_pct"]).row(0, named=True)
    assert national.select("published_year", "england", "comparator_mean").row(0) == (
        dfe["year"],
        dfe["england"],
        dfe["comparator_mean"],
    )
    row = local_summary(spc_points(local), national).row(0, named=True)
    assert row["year_so_far"] == pytest.approx(sum(nums) / sum(dens) * 100)
    said = row["sentences"][-1]
    assert said.startswith(
        "In April to December 2016 the figure was 20.5% (the year's counts summed)"
    )
    assert "the latest year DfE has published" in said
    assert "The periods differ: 9 of the 12 months of 2016-17, from the authority's own " in said
    ysf = year_so_far(spc_points(local), "percent", "month", False)
    word = (
        "in line with"
        if ysf["low"] <= dfe["england"] <= ysf["high"]
        else ("above" if ysf["value"] > dfe["england"] else "below")
    )
    assert row["compared_england"] == word and f"{word} England's" in said


def test_a_count_of_events_is_summed_and_annualised_and_dfes_year_shown_per_month(tmp_path):
    """Six months of referrals per 10,000 (made up) against DfE's referral_rate, a rate of
    events in the year: the year so far is the months summed times 12/6, its interval the
    Poisson one on the summed count over half a year's children; the chart shows DfE's
    annual figures divided by 12."""
    from cscbench.analyses.intervals import rate_interval
    from cscbench.figures.local_spc import local_spc_chart

    nums = [52, 48, 61, 55, 50, 58]
    values = [round(n / 60000 * 10000, 2) for n in nums]
    path = tmp_path / "referrals.csv"
    rows = ["measure,title,unit,polarity,theme,national,period,value,numerator,denominator"]
    first = (
        'referrals,"Referrals per 10,000 children",rate_per_10k,context,Front door,referral_rate'
    )
    for i, (n, v) in enumerate(zip(nums, values, strict=True)):
        head = first if i == 0 else "referrals,,,,,"
        rows.append(f"{head},2025-{i + 4:02d},{v},{n},60000")
    path.write_text("\n".join(rows) + "\n")
    local = read_measures(path)
    points = spc_points(local)
    national = national_figures(local.measures, "Derby")
    row = local_summary(points, national).row(0, named=True)
    assert row["year_so_far"] == pytest.approx(sum(nums) / 60000 * 10000 * 12 / 6)
    low, high = rate_interval([sum(nums)], [60000 * 6 / 12])
    local_words = year_so_far(points, "rate_per_10k", "month", False)
    assert (local_words["low"], local_words["high"]) == pytest.approx((low[0], high[0]))
    assert "(summed and annualised (x 12/6))" in row["sentences"][-1]
    spec = local_spc_chart(points, "referrals", row, "Derby")
    lines = [
        v
        for layer in spec["layer"]
        if layer["mark"]["type"] == "rule"
        for v in layer["data"]["values"]
        if "label" in v
    ]
    england = next(v for v in lines if v["label"].startswith("England"))
    assert england["value"] == pytest.approx(row["england"] / 12)
    assert ", per month: " in england["label"]
