"""Targets files, the authority's own quarterly figures, and the status rule.

The worked case is Derby Safeguarding Children Board's Stay Safe performance monitoring
framework 2006-07 (``../shared/reports/003_*.txt``, Appendix 1), transcribed in
``analyses/derby_framework/``: its quarterly figures against its targets, statuses worked by
hand from the rule (a miss of up to 10% of the target is recoverable).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from cscbench.analyses import benchmark
from cscbench.analyses.performance import (
    CONCERN,
    ON_TARGET,
    RECOVERABLE,
    target_status,
    targets,
    travel,
)
from cscbench.datasets.targets import Target, parse_period, read_quarterly, read_targets
from cscbench.errors import DataError

FRAMEWORK = Path(__file__).resolve().parents[1] / "analyses" / "derby_framework"
PLAN_2006 = FRAMEWORK / "targets-2006-07.toml"
QUARTERS_2006 = FRAMEWORK / "quarterly-2006-07.csv"

RATE = Target("cp_start_rate", "Plans starting", "rate_per_10k", 45.0, "at most", 4.5)
REVIEWS = Target("cla_reviews", "CLA reviews in time", "percent", 95.0, "at least", 9.5)


def run(*args):
    return subprocess.run(
        [sys.executable, "-m", "cscbench.cli", *args], capture_output=True, text=True
    )


# --- the rule, at its edges -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (45.0, ON_TARGET),  # exactly the target meets "at most"
        (45.04, ON_TARGET),  # displayed as 45.0
        (45.06, RECOVERABLE),  # displayed as 45.1
        (49.5, RECOVERABLE),  # a miss of 4.5, the whole band
        (49.6, CONCERN),
        (0.0, ON_TARGET),
    ],
)
def test_status_at_most_edges(value, expected):
    assert target_status(value, RATE) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(95.0, ON_TARGET), (100.0, ON_TARGET), (85.5, RECOVERABLE), (85.4, CONCERN)],
)
def test_status_at_least_edges(value, expected):
    assert target_status(value, REVIEWS) == expected


def test_improving_counts_as_recoverable_only_when_asked():
    assert target_status(84.2, REVIEWS, previous=80.3) == CONCERN
    assert target_status(84.2, REVIEWS, 80.3, improving_is_recoverable=True) == RECOVERABLE
    assert target_status(80.3, REVIEWS, 84.2, improving_is_recoverable=True) == CONCERN
    assert target_status(None, REVIEWS) is None


def test_travel_follows_the_direction():
    assert travel(49.9, 55.0, RATE) == "improving"  # at most: lower is better
    assert travel(84.2, 80.3, REVIEWS) == "improving"  # at least: higher is better
    assert travel(80.3, 84.2, REVIEWS) == "worsening"
    assert travel(14.8, 14.8, RATE) == "no change" and travel(1.0, None, RATE) is None


# --- the files ----------------------------------------------------------------------------------


def test_derby_framework_file_reads():
    plan = read_targets(PLAN_2006)
    assert plan.name == "Stay Safe performance monitoring framework 2006-07"
    assert [t.indicator for t in plan.targets][:3] == [
        "cp_subsequent_pct",
        "cp_reviews_in_time_pct",
        "cp_start_rate",
    ]
    rate = plan.get("cp_start_rate")
    assert rate.title == "Child protection plans starting per 10,000 children"  # DfE's title
    assert rate.margin == pytest.approx(4.5)  # 10% of 45
    adoption = plan.get("cla_adoption_pct")
    assert adoption.unit == "percent" and adoption.margin == pytest.approx(0.88)
    assert not adoption.published and rate.published


def test_periods():
    assert parse_period("2006-07 Q4") == (2007, 4)
    assert parse_period(" 2024-25 ") == (2025, None)
    for bad in ("2006-08 Q1", "2007Q1", "Q1 2006", "2006-07 Q5", ""):
        with pytest.raises(ValueError):
            parse_period(bad)


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('[[target]]\nindicator = "cp_rate"\ntarget = 40\n', "column 'direction'"),
        (
            '[[target]]\nindicator = "cp_rate"\ntarget = "forty"\ndirection = "at most"\n',
            "target 1 (cp_rate): needs a number",
        ),
        (
            '[[target]]\nindicator = "local_x"\ntarget = 4\ndirection = "at most"\n',
            "a local indicator (not DfE's) needs a title",
        ),
        (
            '[[target]]\nindicator = "local_x"\ntitle = "X"\nunit = "ratio"\ntarget = 4\n'
            'direction = "at most"\n',
            "'ratio' is not one of",
        ),
        (
            '[[target]]\nindicator = "cp_rate"\ntarget = 4\ndirection = "at most"\n'
            '[[target]]\nindicator = "cp_rate"\ntarget = 5\ndirection = "at most"\n',
            "cp_rate has two targets",
        ),
        (
            '[[target]]\nindicator = "cp_rate"\ntarget = 4\ndirection = "at most"\n'
            'recoverable_within = "ten"\n',
            "'ten' is not a number or 'N%'",
        ),
        ('[[target]]\nindicator = "cp_rate"\ntarget = 4\ndirection = at most\n', "not valid TOML"),
        ('name = "empty"\n', "no targets"),
    ],
)
def test_bad_targets_files_name_the_problem(tmp_path, toml, message):
    path = _write(tmp_path, "t.toml", toml)
    with pytest.raises(DataError) as caught:
        read_targets(path)
    assert str(caught.value).startswith("t.toml") and message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_quarterly_values_from_counts_and_checked(tmp_path):
    plan = read_targets(PLAN_2006)
    good = _write(
        tmp_path,
        "q.csv",
        "\ufeffIndicator,Period,numerator,denominator,value\n"
        "cp_subsequent_pct,2006-07 Q2,13,80,16.3\n"
        "cp_subsequent_pct,2006-07 Q1,12,81,\n"
        "cp_start_rate,2006-07,140,28000,\n",
    )
    rows = read_quarterly(good, plan)
    assert rows["period"].to_list() == ["2006-07", "2006-07 Q1", "2006-07 Q2"]
    assert rows["value"].to_list() == pytest.approx([50.0, 1200 / 81, 16.25])


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ("cp_start_rate,2006-07 Q1,,,abc\n", "q.csv, row 2, column 'value': 'abc' is not"),
        ("cp_start_rate,2006-07 Q9,,,55\n", "q.csv, row 2, column 'period'"),
        ("cp_rate,2006-07 Q1,,,55\n", "q.csv, row 2, column 'indicator': 'cp_rate' has no"),
        (
            "cp_subsequent_pct,2006-07 Q1,13,80,17.0\n",
            "row 2, column 'value': 17.0 does not agree with numerator/denominator (16.250)",
        ),
        ("cp_subsequent_pct,2006-07 Q1,13,0,\n", "row 2, column 'denominator': is 0"),
        ("cp_subsequent_pct,2006-07 Q1,13,,\n", "row 2, column 'denominator': percent needs"),
        ("cp_start_rate,2006-07 Q1,,,\n", "row 2, column 'value': give a value"),
        ("cp_start_rate,2006-07 Q1,,,55\ncp_start_rate,2006-07 Q1,,,56\n", "row 3, column "),
        ("cp_start_rate,2006-07 Q1,,,-1\n", "must be a number of at least 0"),
    ],
)
def test_bad_quarterly_rows_name_file_row_and_column(tmp_path, body, where):
    path = _write(tmp_path, "q.csv", "indicator,period,numerator,denominator,value\n" + body)
    with pytest.raises(DataError) as caught:
        read_quarterly(path, read_targets(PLAN_2006))
    assert where in str(caught.value)


# --- the framework, worked by hand ---------------------------------------------------------------


def test_derby_2006_07_framework_statuses():
    table = targets("Derby", PLAN_2006, local=QUARTERS_2006)
    got = {
        ind: rows["status"].to_list()
        for (ind,), rows in table.group_by("indicator", maintain_order=True)
    }
    ok, con = ON_TARGET, CONCERN
    assert got == {
        "cp_subsequent_pct": [ok] * 4,  # 16.2, 14.8, 14.8, 16.3 against at most 17%
        "cp_reviews_in_time_pct": [ok] * 4,
        "cp_start_rate": [con] * 4,  # 55, 49.9, 54.4, 56.3: every miss over 4.5
        "cla_placement_stability_pct": [ok] * 4,  # 64.1 and up, at least 64%
        "cla_reviews_in_time_pct": [con] * 4,  # best miss 95 - 84.2 = 10.8 > 9.5
        "cla_adoption_pct": [con] * 4,  # last miss 8.8 - 7.9 = 0.9 > 0.88
    }
    rate = table.filter(pl.col("indicator") == "cp_start_rate")
    assert rate["travel"].to_list() == [None, "improving", "worsening", "worsening"]
    assert rate["change"].to_list()[1:] == pytest.approx([-5.1, 4.5, 1.9])
    assert set(table["symbol"]) == {"✓", "✗"}
    # beside each DfE indicator, DfE's latest published figures for Derby and its neighbours
    latest = benchmark("Derby", indicators=["cp_start_rate"]).row(0, named=True)
    assert rate["published_value"][0] == latest["value"]
    assert rate["comparator_mean"][0] == latest["comparator_mean"]
    assert rate["england"][0] == latest["england"]
    local_only = table.filter(pl.col("indicator") == "cla_adoption_pct")
    assert local_only["published_value"].null_count() == local_only.height


def test_improving_is_recoverable_setting_changes_adoption(tmp_path):
    text = PLAN_2006.read_text().replace(
        "improving_is_recoverable = false", "improving_is_recoverable = true"
    )
    plan = _write(tmp_path, "t.toml", text)
    table = targets("Derby", plan, local=QUARTERS_2006)
    adoption = table.filter(pl.col("indicator") == "cla_adoption_pct")["status"].to_list()
    assert adoption == [CONCERN, RECOVERABLE, RECOVERABLE, RECOVERABLE]  # 2.4, 4, 5, 7.9


def test_without_local_figures_dfe_years_are_used():
    table = targets("Derby", FRAMEWORK / "targets-2007-08.toml", year=2025)
    rate = table.filter(pl.col("indicator") == "cp_start_rate")
    published = benchmark("Derby", year=2025, indicators=["cp_start_rate"])
    assert rate["period"].to_list() == ["2020-21", "2021-22", "2022-23", "2023-24", "2024-25"]
    assert rate["value"][-1] == published["value"].item()
    assert set(rate["figures"]) == {"DfE"}
    reviews = table.filter(pl.col("indicator") == "cp_reviews_in_time_pct")
    assert reviews["figures"].to_list() == ["none given"] and reviews["status"][0] is None


def test_benchmark_carries_target_status():
    b = benchmark(
        "Derby",
        year=2025,
        indicators=["cp_start_rate", "cp_subsequent_pct", "cla_rate"],
        targets=FRAMEWORK / "targets-2007-08.toml",
    )
    rows = {r["indicator"]: r for r in b.iter_rows(named=True)}
    rate = rows["cp_start_rate"]
    assert rate["target"] == 45.0
    expected = target_status(rate["value"], RATE)
    assert rate["target_status"] == expected and rate["target_symbol"] is not None
    assert rows["cla_rate"]["target"] is None and rows["cla_rate"]["target_status"] is None


def test_cli_targets_and_bad_file():
    out = run("targets", "Derby", "--targets", str(PLAN_2006), "--local", str(QUARTERS_2006))
    assert out.returncode == 0, out.stderr
    assert "✗ off target, causing concern" in out.stdout and "2006-07 Q4" in out.stdout
    # DfE's comparison year was printed as 2025 beside periods written 2006-07 Q4.
    dfe = run("targets", "Derby", "--targets", str(PLAN_2006), "--year", "2016-17").stdout
    row = next(line for line in dfe.splitlines() if "2016-17  DfE" in line)
    assert row.split()[0] == "cp_subsequent_pct" and "  2016-17   18.6  " in row
    bad = run("targets", "Derby", "--targets", str(QUARTERS_2006))
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1
    assert bad.stderr.startswith("cscbench: quarterly-2006-07.csv")
    out = run("benchmark", "Derby", "--targets", str(PLAN_2006), "--format", "csv")
    assert out.returncode == 0 and "target_status" in out.stdout.splitlines()[0]
