"""Partnerships of several authorities, and the small-numbers rules that Rutland needs.

Figures are DfE's for 2017-18 (the Leicestershire and Rutland LSCB report's year): Leicestershire
7,555 referrals of which 2,261 re-referrals, Rutland 308 and 64; child protection plans at 31
March 394 and 19 on ONS populations of 136,766 and 8,166 children.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest
from statsmodels.stats.proportion import proportion_confint

from cscbench.analyses import benchmark
from cscbench.analyses.engine import coefficient_of_variation, imprecise
from cscbench.analyses.narrative import narrative, partnership_narrative
from cscbench.analyses.partnership import partnership, partnership_trend, pooled, side_by_side
from cscbench.errors import UsageError

FRAMEWORK = Path(__file__).resolve().parents[1] / "analyses" / "derby_framework"


@pytest.fixture(scope="module")
def lr() -> pl.DataFrame:
    return partnership(["Leicestershire", "Rutland"], year=2018, group="sn2021")


def _row(table, role, indicator, name=None):
    rows = table.filter(pl.col("role") == role, pl.col("indicator") == indicator)
    if name is not None:
        rows = rows.filter(pl.col("area_name") == name)
    return rows.row(0, named=True)


def test_members_are_their_own_benchmarks(lr):
    for la in ("Leicestershire", "Rutland"):
        own = benchmark(la, year=2018, group="sn2021")
        mine = lr.filter(pl.col("area_name") == la).select(own.columns)
        assert mine.equals(own)


def test_pooled_percentage_and_its_wilson_interval(lr):
    whole = _row(lr, "partnership", "rereferral_pct")
    assert (whole["numerator"], whole["denominator"]) == (2261 + 64, 7555 + 308)
    assert whole["value"] == pytest.approx(2325 / 7863 * 100)
    low, high = proportion_confint(2325, 7863, alpha=0.05, method="wilson")
    assert (whole["ci95_low"], whole["ci95_high"]) == pytest.approx((low * 100, high * 100))
    assert whole["area_name"] == "Leicestershire and Rutland" and whole["la_code"] == "855+857"
    assert whole["england"] == _row(lr, "member", "rereferral_pct", "Rutland")["england"]


def test_pooled_rate_count_and_change(lr):
    rate = _row(lr, "partnership", "cp_rate")
    assert rate["value"] == pytest.approx(413 / (136_766 + 8_166) * 10_000)
    assert _row(lr, "partnership", "cp_count")["value"] == 413
    both_2017 = pooled(["855", "857"], ["cp_count"]).filter(pl.col("year") == 2017)
    assert _row(lr, "partnership", "cp_count")["previous_value"] == both_2017["value"].item()
    assert rate["region"] is not None  # both in the East Midlands


def test_partnership_chart_says_where_a_figure_is_withheld(lr):
    from cscbench.figures.charts import partnership_chart

    def said(indicator: str) -> dict[str, str] | None:
        spec = partnership_chart(lr, indicator).to_dict()
        texts = [layer for layer in spec["layer"] if layer["mark"]["type"] == "text"]
        if not texts:
            return None
        rows = [r for layer in texts for r in spec["datasets"][layer["data"]["name"]]]
        return {r["area_name"]: r["_why"] for r in rows}

    # Rutland's 2017-18 second plans are "c": no figure for it, none pooled.
    assert said("cp_subsequent_pct") == {
        "Rutland": "no figure: withheld by DfE",
        "Leicestershire and Rutland": "no pooled figure: a member's was withheld",
    }
    # Every figure published: no layer of labels (empty, Vega warned of an infinite extent).
    assert said("cp_rate") is None


def test_withheld_member_means_no_pooled_figure(lr):
    rutland = _row(lr, "member", "cp_subsequent_pct", "Rutland")
    assert rutland["value"] is None and rutland["status"] == "c"
    whole = _row(lr, "partnership", "cp_subsequent_pct")
    assert whole["value"] is None and whole["status"] == "incomplete"
    assert whole["missing"] == ["Rutland"] and "suppressed" in whole["flags"]


def test_side_by_side(lr):
    wide = side_by_side(lr).filter(pl.col("indicator") == "rereferral_pct").row(0, named=True)
    assert round(wide["Leicestershire"], 1) == 29.9 and round(wide["Rutland"], 1) == 20.8
    assert (
        wide["Rutland comparators"]
        == _row(lr, "member", "rereferral_pct", "Rutland")["comparator_mean"]
    )
    assert round(wide["Leicestershire and Rutland"], 1) == 29.6


def test_partnership_needs_two_different_authorities():
    with pytest.raises(UsageError):
        partnership(["Rutland"])
    with pytest.raises(UsageError):
        partnership(["Rutland", "857"])


# --- small numbers ---------------------------------------------------------------------------


def test_coefficient_of_variation_threshold_at_25_events():
    frame = pl.DataFrame(
        {
            "unit": ["rate_per_10k"] * 4 + ["percent", "count"],
            "numerator": [9.0, 24.0, 25.0, 100.0, 4.0, 12.0],
            "denominator": [8000.0] * 4 + [19.0, None],
        }
    )
    out = frame.select(coefficient_of_variation(), imprecise().alias("imprecise"))
    assert out["cv"][:4].to_list() == pytest.approx([1 / 3, 1 / 24**0.5, 0.2, 0.1])
    assert out["cv"][4] == pytest.approx(((1 - 4 / 19) / 4) ** 0.5)
    # 9 events is small_numbers' business; 24 is imprecise; 25 is exactly 20%, not above
    assert out["imprecise"].to_list() == [False, True, False, False, False, None]


def test_rutland_is_caveated_where_it_is_ranked(lr):
    rate = _row(lr, "member", "cp_rate", "Rutland")
    assert rate["numerator"] == 19 and "imprecise" in rate["flags"]
    assert "imprecise" not in _row(lr, "member", "cp_rate", "Leicestershire")["flags"]
    own = narrative(benchmark("Rutland", year=2018, group="sn2021", indicators=["cp_rate"]))
    ranked = own.filter(pl.col("kind") == "rank")["sentence"].item()
    assert "but on only 19, so a handful either way would change this place" in ranked
    caveat = " ".join(own.filter(pl.col("kind") == "caveat")["sentence"])
    assert "rests on 19 children or events" in caveat and "14.0 to 36.3" in caveat


def test_partnership_narrative_names_both(lr):
    said = partnership_narrative(lr)
    reref = said.filter(pl.col("indicator") == "rereferral_pct")
    assert reref["sentence"][0] == (
        "In 2017-18, 29.9% of referrals in Leicestershire were re-referrals within 12 months, "
        "against 20.8% in Rutland (England 21.9%)."
    )
    assert (
        reref.filter(pl.col("kind") == "pooled")["sentence"]
        .item()
        .startswith("Taken as one area, Leicestershire and Rutland's figure is 29.6%")
    )
    cp = said.filter(pl.col("indicator") == "cp_rate", pl.col("kind") == "caveat")
    assert cp.height == 1 and cp["sentence"].item().startswith(
        "Rutland's figure rests on only 19 children or events (95% interval 14.0 to 36.3 per "
        "10,000 children)"
    )
    assert json.loads(cp["fields"].item())["numerator"] == 19
    withheld = said.filter(pl.col("indicator") == "nfa_pct", pl.col("kind") == "pooled")
    assert withheld["sentence"].item() == (
        "There is no figure for Leicestershire and Rutland as a whole: DfE withheld Rutland's "
        "figure, and pooling the rest would describe a different area."
    )
    # Both members withheld: there is no rest to pool, and a list of names takes no "'s"
    # ("DfE withheld Cumberland, and Westmorland and Furness's, and pooling the rest ...").
    cumbria = partnership_narrative(
        partnership(["Cumberland", "Westmorland and Furness"], indicators=["cp_2yrs_pct"])
    )
    assert cumbria.filter(pl.col("kind") == "pooled")["sentence"].item() == (
        "There is no figure for Cumberland and Westmorland and Furness as a whole: DfE withheld "
        "every member's figure."
    )
    # two clauses joined by "and", the comma in "10,000" notwithstanding
    own = said.filter(pl.col("indicator") == "cp_rate", pl.col("kind") == "own_groups")
    assert own["sentence"].item() == (
        "Against their own comparators, Leicestershire is well below the average (38.4 per "
        "10,000 children) and Rutland is below its average (43.3 per 10,000 children)."
    )


# --- the packs ------------------------------------------------------------------------------------


def run(*args):
    return subprocess.run(
        [sys.executable, "-m", "cscbench.cli", *args], capture_output=True, text=True
    )


def test_partnership_pack_from_the_cli(tmp_path):
    out = run(
        "report", "Leicestershire,Rutland", "--year", "2018", "--group", "sn2021",
        "--out", str(tmp_path), "--workers", "1",
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    page = (tmp_path / "index.html").read_text()
    assert "<h1>Leicestershire and Rutland: children's social care benchmark</h1>" in page
    assert "against 20.8% in Rutland" in page and "<script" not in page
    svgs = sorted(p.name for p in (tmp_path / "figures").glob("*.svg"))
    assert "rereferral_pct-partnership.svg" in svgs
    assert "rereferral_pct-partnership-trend.svg" in svgs  # the partnership over the years
    trend = pl.read_csv(tmp_path / "partnership_trend.csv")
    assert trend["year"].max() == 2018  # up to the pack's year, not beyond
    assert 'aria-label="rereferral_pct-partnership-trend"' in page
    assert "rereferral_pct-comparators-rutland.svg" in svgs
    assert (tmp_path / "side_by_side.csv").exists() and (tmp_path / "group_rutland.csv").exists()
    wide = pl.read_csv(tmp_path / "side_by_side.csv")
    assert wide.columns[:3] == ["indicator", "Leicestershire", "Leicestershire comparators"]


def test_partnership_pack_bad_input_is_one_line():
    out = run("report", "Rutland,857")
    assert out.returncode == 2 and out.stderr.count("\n") == 1
    out = run("report", "Rutland,Nowhereshire")
    assert out.returncode == 2 and "Nowhereshire" in out.stderr


def test_pack_with_targets(tmp_path):
    out = run(
        "report", "Derby", "--targets", str(FRAMEWORK / "targets-2006-07.toml"),
        "--quarterly", str(FRAMEWORK / "quarterly-2006-07.csv"),
        "--out", str(tmp_path), "--workers", "1",
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    page = (tmp_path / "index.html").read_text()
    assert '<h2 id="targets">Targets</h2>' in page and "✗ off target, causing concern" in page
    status = pl.read_csv(tmp_path / "targets.csv")
    assert (
        status.filter(pl.col("indicator") == "cp_start_rate")["status"].to_list()
        == ["off target, causing concern"] * 4
    )
    bench = pl.read_csv(tmp_path / "benchmark.csv")
    assert "target_status" in bench.columns
    assert (tmp_path / "figures" / "cp_start_rate-target.svg").exists()


def test_charts_and_pack_say_when_a_place_rests_on_few_children():
    from cscbench.figures import comparator_chart
    from cscbench.report.html import _rank_cell

    rutland = comparator_chart("Rutland", "cp_rate", year=2018, group="sn2021").to_dict()
    assert rutland["title"]["text"] == "Rutland lowest for rate of child protection plans"
    assert (
        "Rutland's figure rests on 19 children or events: a handful either way would change "
        "its place" in rutland["title"]["subtitle"]
    )
    leics = comparator_chart("Leicestershire", "cp_rate", year=2018, group="sn2021").to_dict()
    assert not any("rests on" in line for line in leics["title"]["subtitle"])
    row = benchmark("Rutland", year=2018, group="sn2021", indicators=["cp_rate"]).row(0, named=True)
    assert _rank_cell(row) == "11 of 11 (on 19 children or events: see caveat)"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["Leicestershire,Rutland", "--local", "x.xml"], "for one authority's pack"),
        (["--all", "--targets", "t.toml"], "cannot take --targets"),
        (["Derby", "--previous", "x.xml"], "--previous needs --local"),
    ],
)
def test_report_options_that_do_not_go_together(args, message):
    out = run("report", *args)
    assert out.returncode == 2 and message in out.stderr and out.stderr.count("\n") == 1


def test_a_partnership_named_in_one_string_keeps_bcp_whole():
    # Pan-Dorset: BCP's DfE name holds a comma. DfE 2024-25: 560 children looked after in BCP
    # (74,810 children) and 437 in Dorset (67,149).
    table = partnership(
        "Bournemouth, Christchurch and Poole, Dorset", year=2025, indicators="cla_rate"
    )
    whole = _row(table, "partnership", "cla_rate")
    assert (whole["numerator"], whole["denominator"]) == (560 + 437, 74810 + 67149)
    assert whole["value"] == pytest.approx(997 / 141959 * 10_000)
    assert whole["la_code"] == "839+838"


def test_three_members_are_listed_in_words():
    # "against 1,700 in South Gloucestershire, 1,254 in North Somerset": the list had no "and".
    # DfE, children in need at 31 March 2025: Bristol 3,023, South Gloucestershire 1,700,
    # North Somerset 1,254.
    table = partnership(
        "Bristol, City of, South Gloucestershire, North Somerset", year=2025, indicators="cin_count"
    )
    said = partnership_narrative(table)["sentence"][0]
    assert said == (
        "Bristol had 3,023 children in need at 31 March 2025, against 1,700 in South "
        "Gloucestershire and 1,254 in North Somerset (England 402,400)."
    )


def test_a_members_doubtful_zero_and_its_flags_are_said_in_words():
    # South Gloucestershire returned 0 referrals with no further action of 2,614 in 2024-25
    # (England's 6.5% would give about 170): the members' sentence compared it without a
    # word, and a member's few-children caveat named its flags by id ("above_england_998").
    table = partnership(
        "Bristol, City of, South Gloucestershire, North Somerset",
        year=2025,
        indicators="nfa_pct, cp_2yrs_pct",
    )
    said = partnership_narrative(table)
    nfa = said.filter(pl.col("indicator") == "nfa_pct")["sentence"].to_list()
    assert nfa[1].startswith(
        "South Gloucestershire's figure is 0 out of 2,614, where England's (6.5%) would give "
        "about 170: a true 0 is very unlikely"
    )
    plans = said.filter(pl.col("indicator") == "cp_2yrs_pct", pl.col("kind") == "caveat")
    south_glos, north_somerset = plans["sentence"][1], plans["sentence"][2]
    assert south_glos.startswith("South Gloucestershire's figure rests on only 16 of 249 ")
    assert south_glos.endswith(
        "; what sets it apart (well above England) rests on those few children."
    )
    assert north_somerset.startswith("North Somerset's figure rests on 0 of 139 children")


def test_the_partnership_trend_pools_each_year_from_the_counts(raw_dir):
    # every year: the pooled rate is the members' summed plans over their summed children,
    # worked here from the indicator rows themselves; England is England's own figure
    from cscbench.datasets import load_indicators

    trend = partnership_trend(["Leicestershire", "Rutland"], ["cp_rate", "rereferral_pct"])
    rows = load_indicators(["cp_rate", "rereferral_pct"])
    for ind in ("cp_rate", "rereferral_pct"):
        multiplier = 10_000 if ind == "cp_rate" else 100
        both = rows.filter(pl.col("indicator") == ind, pl.col("la_code").is_in(["855", "857"]))
        sums = both.group_by("year").agg(
            pl.col("numerator").sum(), pl.col("denominator").sum(), pl.len().alias("n")
        )
        pooled_rows = trend.filter(pl.col("indicator") == ind, pl.col("role") == "partnership")
        assert pooled_rows["year"].to_list() == sorted(sums["year"].to_list())
        for year, num, den, n in sums.iter_rows():
            got = pooled_rows.filter(pl.col("year") == year).row(0, named=True)
            assert n == 2 and got["value"] == pytest.approx(num / den * multiplier, rel=1e-12)
            assert got["ci95_low"] < got["value"] < got["ci95_high"]
        england = rows.filter(pl.col("indicator") == ind, pl.col("geography") == "national")
        shown = trend.filter(pl.col("indicator") == ind, pl.col("role") == "england")
        assert dict(shown.select("year", "value").rows()) == dict(
            england.select("year", "value").rows()
        )
    # 2017-18 by hand: (394 + 19) plans over (136,766 + 8,166) children
    cp = trend.filter(pl.col("indicator") == "cp_rate", pl.col("year") == 2018)
    assert cp["area_name"].to_list() == [
        "Leicestershire", "Rutland", "Leicestershire and Rutland", "England"
    ]  # fmt: skip
    assert cp["value"][2] == pytest.approx(413 / 144_932 * 10_000, abs=0.01)


def test_a_year_with_a_withheld_member_has_no_pooled_figure_and_says_why():
    from cscbench.figures import partnership_trend_chart

    trend = partnership_trend(["Cornwall", "Isles of Scilly"], ["cp_rate"])
    pooled_rows = trend.filter(pl.col("role") == "partnership")
    scilly = trend.filter(pl.col("area_name") == "Isles of Scilly")
    withheld = set(scilly.filter(pl.col("value").is_null())["year"])
    gaps = pooled_rows.filter(pl.col("value").is_null())
    assert set(gaps["year"]) == withheld and len(withheld) == 6
    assert set(gaps["status"]) == {"incomplete"}
    assert all(m == ["Isles of Scilly"] for m in gaps["missing"].to_list())
    spec = partnership_trend_chart(trend, "cp_rate").to_dict()
    assert spec["title"]["subtitle"][1] == (
        "No pooled figure in 6 of 13 years: a member's figure was withheld (the Isles of Scilly)"
    )
    drawn = [r for data in spec["datasets"].values() for r in data if r.get("role")]
    assert not any(r["value"] is None for r in drawn)  # a gap, never a zero


@pytest.mark.parametrize(
    "members",
    [
        ["Leicestershire", "Rutland"],
        ["Derby", "Derbyshire"],
        ["Cumberland", "Westmorland and Furness"],
    ],
)
def test_a_partnership_trend_chart_for_every_charted_indicator(members):
    from cscbench.figures import partnership_trend_chart
    from cscbench.report.content import CHARTED

    trend = partnership_trend(members, list(CHARTED))
    for ind in trend["indicator"].unique():
        spec = partnership_trend_chart(trend, ind).to_dict()
        assert spec["title"]["text"].endswith(trend["partnership"][0]), ind
        assert len(spec["description"]) > 60, ind
