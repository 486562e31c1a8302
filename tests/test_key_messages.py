"""Key messages: chosen by rule, in the rules' order, each figure traced to its benchmark row;
for every authority in 2025 and in a sample of older years, and on the command line."""

from __future__ import annotations

import json
import subprocess
import sys

import polars as pl
import pytest

from cscbench.analyses import benchmark, benchmark_table
from cscbench.analyses.engine import COLUMNS
from cscbench.analyses.key_messages import (
    CHECKS,
    LIMIT,
    RULE_ORDER,
    VALUES_ONLY,
    as_text,
    key_messages,
)
from cscbench.analyses.narrative import MATCHED_MIN
from cscbench.analyses.notes import NOTE_TITLE, report_narrative
from cscbench.analyses.wording import (
    interval_words,
    number,
    per_year,
    rank_words,
    sentence_case,
    with_unit,
)
from cscbench.datasets import group
from cscbench.datasets.areas import spoken_name
from cscbench.datasets.registry import INDICATORS, THEMES, in_order

#: 2025, two older years, and 2024 (the year Cumbria's successors' first-year re-referrals are
#: queried, so that every rule a real row can meet is met somewhere).
YEARS = (2025, 2024, 2021, 2017)
INTERVAL_RULES = {
    "england_998": ("england", "998"),
    "comparators_998": ("comparators", "998"),
    "england_95": ("england", "95"),
    "comparators_95": ("comparators", "95"),
}


@pytest.fixture(scope="module")
def tables():
    """Each authority's rows per year, from one all-authority table (the rows benchmark()
    gives: tests/test_pack_content.py checks it)."""
    whole = benchmark_table(group="sn2025").filter(pl.col("year").is_in(YEARS))
    return {
        (la, int(year)): rows.sort(in_order())
        for (la, year), rows in whole.group_by("la_code", "year", maintain_order=True)
    }


def order_of(indicator: str) -> tuple[int, int]:
    return THEMES.index(INDICATORS[indicator].theme), list(INDICATORS).index(indicator)


def side(value: float, reference: float | None, low: float, high: float) -> str | None:
    """Worked here, not taken from the module: outside the interval, which way."""
    if reference is None or low <= reference <= high:
        return None
    return "above" if value > reference else "below"


def expected_rule(row: dict) -> str | None:
    """The first rule a row meets, worked independently from the row's fields."""
    flags = set(row["flags"] or [])
    ind = INDICATORS[row["indicator"]]
    if row["value"] is None or (ind.source == "lait" and not ind.charted):
        return None  # (LAIT's values-only measures give none, its charted ones aside)
    checks = [CHECKS[f] for f in ("zero_unlikely", "first_year_look_back", "published_mismatch")]
    queried = [c for f, c in zip(CHECKS, checks, strict=True) if f in flags]
    if queried:
        return queried[0]
    unit = INDICATORS[row["indicator"]].unit
    if unit not in VALUES_ONLY and row["ci95_low"] is not None:
        for level in ("998", "95"):
            if row[f"england_comparison_{level}"] in ("above", "below"):
                return f"england_{level}"
            if (row["group_n"] or 0) >= MATCHED_MIN and side(
                row["value"], row["comparator_mean"], row[f"ci{level}_low"], row[f"ci{level}_high"]
            ):
                return f"comparators_{level}"
    if row["trend"] in ("increasing", "decreasing"):
        return "trend"
    if row["spc_rule"] in ("spc_high", "spc_low"):
        return "spc"
    of, ties = row["rank_of"] or 0, row["rank_ties"] or 0
    if unit not in ("count", "fte") and row["rank"] is not None and of >= 3:
        top, bottom = row["rank"] == 1, row["rank"] + ties == of
        if top != bottom:
            return "rank"
    return None


def check_figures(message: dict, row: dict) -> None:
    """Every figure the message says is the row's, worded as the narrative words it."""
    ind, text, rule = row["indicator"], message["message"], message["rule"]
    where = f"{row['area_name']} {row['year']} {ind} {rule}: {text}"
    name = spoken_name(row["area_name"])
    assert name in text or sentence_case(name) in text, where  # "The City of London's"
    assert text == sentence_case(text) and text.endswith("."), where
    if rule in INTERVAL_RULES:
        against, level = INTERVAL_RULES[rule]
        low, high = row[f"ci{level}_low"], row[f"ci{level}_high"]
        reference = row["england"] if against == "england" else row["comparator_mean"]
        said = side(row["value"], reference, low, high)
        if against == "england":
            assert said == row[f"england_comparison_{level}"], where
        words = "England" if against == "england" else "the comparator average"
        percent = "99.8%" if level == "998" else "95%"
        assert f"significantly {said} {words} ({with_unit(reference, ind)})" in text, where
        assert f"({percent} interval {interval_words(low, high, ind)})" in text, where
        assert with_unit(row["value"], ind) in text, where
        assert message["why"] == f"significantly {said} {words} ({percent} interval)"
    elif rule == "trend":
        move = {"increasing": "rise", "decreasing": "fall"}[row["trend"]]
        assert f"a significant {move} over the 5 years" in text, where
        if row["trend_annual_change_pct"] is not None:
            assert f"by {per_year(row['trend_annual_change_pct'])} a year" in text, where
        judged = {"improving": ", an improvement.", "worsening": ", a worsening."}
        if row["trend_assessment"] in judged:
            assert text.endswith(judged[row["trend_assessment"]]), where
        else:  # a context measure: neither better nor worse
            assert not text.endswith(tuple(judged.values())), where
    elif rule == "spc":
        limit = {"spc_high": "spc_upper", "spc_low": "spc_lower"}[row["spc_rule"]]
        assert f"process limit of {name}'s own series ({with_unit(row[limit], ind)}" in text
        assert f"mean of {with_unit(row['spc_mean'], ind)} over {row['spc_points']} years" in text
    elif rule == "rank":
        words = rank_words(row["rank"], row["rank_of"], row["rank_ties"] or 0)
        assert f"has {words} " in text and f"of the {row['rank_of']} authorities" in text, where
        assert words.endswith(("highest", "lowest")) and "second" not in words, where
    elif rule == "doubtful_zero":
        assert row["numerator"] == 0 and "zero_unlikely" in row["flags"], where
        assert f"is 0 out of {number(row['denominator'], 'cin_count')}" in text, where
        assert f"England's {with_unit(row['england'], ind)}" in text, where
    elif rule == "first_year_look_back":
        assert "first_year_look_back" in row["flags"], where
        assert with_unit(row["value"], ind) in text and "first year of figures" in text, where
    else:
        raise AssertionError(f"unexpected rule {rule}")


@pytest.mark.parametrize("year", YEARS)
def test_every_authority_has_its_key_messages_in_the_rules_order(tables, year):
    seen: set[str] = set()
    built = 0
    for (_, y), rows in tables.items():
        if y != year:
            continue
        built += 1
        every = key_messages(rows, limit=len(INDICATORS), per_theme=None)
        chosen = key_messages(rows)
        where = f"{rows['area_name'][0]} {year}"
        # at most six, ranked 1..: one per theme first in the rules' order, then the rest
        assert chosen.height == min(LIMIT, every.height), where
        assert chosen["rank"].to_list() == list(range(1, chosen.height + 1)), where
        themes = [INDICATORS[i].theme for i in every["indicator"]]
        first = [i for k, i in enumerate(every["indicator"]) if themes[k] not in themes[:k]]
        expected_six = first[:LIMIT]
        expected_six += [i for i in every["indicator"] if i not in expected_six]
        expected_six = expected_six[:LIMIT]
        assert set(chosen["indicator"]) == set(expected_six), where
        order = list(every["indicator"])
        assert [order.index(i) for i in chosen["indicator"]] == sorted(
            order.index(i) for i in chosen["indicator"]
        ), where
        shared = every.filter(pl.col("indicator").is_in(chosen["indicator"].to_list()))
        assert chosen.drop("rank").equals(shared.drop("rank")), where
        # ordered by rule, then theme and registry order; one message per indicator
        keys = [(RULE_ORDER[r], *order_of(i)) for r, i in every.select("rule", "indicator").rows()]
        assert keys == sorted(keys), where
        assert every["indicator"].is_unique().all(), where
        # every row meeting a rule gives exactly the message of the first rule it meets
        by_indicator = {r["indicator"]: r for r in rows.iter_rows(named=True)}
        expected = {ind: rule for ind, row in by_indicator.items() if (rule := expected_rule(row))}
        assert dict(every.select("indicator", "rule").rows()) == expected, where
        for message in every.iter_rows(named=True):
            check_figures(message, by_indicator[message["indicator"]])
        seen |= set(every["rule"])
    assert built >= 150
    real = set(RULE_ORDER) - {"published_mismatch"}  # DfE's files have no such figure
    if year == 2024:
        assert seen == real
    else:
        assert seen == real - {"first_year_look_back"}


def test_derby_is_significantly_above_england_at_99_8_percent():
    # Derby's referral rate in 2024-25: 572.7 per 10,000 children, 99.8% interval 543.5 to
    # 603.0; England's 519.4 is below the interval's lower limit, so significantly above.
    # No indicator of an earlier theme, nor of the front door before it, is: it comes first.
    table = benchmark("Derby", year=2025)
    row = table.filter(pl.col("indicator") == "referral_rate").row(0, named=True)
    assert (row["numerator"], row["denominator"]) == (3557, 62113)  # referrals, children
    assert round(3557 / 62113 * 10_000, 1) == round(row["value"], 1) == 572.7
    assert round(row["england"], 1) == 519.4
    assert (round(row["ci998_low"], 1), round(row["ci998_high"], 1)) == (543.5, 603.0)
    assert row["england"] < row["ci998_low"]
    assert row["england_comparison_998"] == "above"
    first = key_messages(table).row(0, named=True)
    assert first == {
        "rank": 1,
        "indicator": "referral_rate",
        "rule": "england_998",
        "why": "significantly above England (99.8% interval)",
        "message": "Derby's rate of referrals was 572.7 per 10,000 children in 2024-25 (99.8% "
        "interval 543.5 to 603.0 per 10,000 children), significantly above England (519.4 per "
        "10,000 children).",
    }


def row(**values) -> dict:
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
        group_n=10,
        trend="no significant change",
    )
    return base | values


def frame(*rows: dict) -> pl.DataFrame:
    lists = {
        c: pl.List(pl.String) for c in COLUMNS if c in rows[0] and isinstance(rows[0][c], list)
    }
    return pl.DataFrame(list(rows), schema_overrides=lists, infer_schema_length=None)


def test_values_only_measures_never_enter_the_interval_rules():
    # DfE's agency share is a ratio of FTEs with no interval: given one anyway (as a slip
    # would), it is still not compared.
    made = row(
        indicator="sw_agency_pct",
        unit="fte_percent",
        value=30.0,
        ci95_low=25.0,
        ci95_high=35.0,
        ci998_low=22.0,
        ci998_high=38.0,
        england=16.2,
        england_comparison_95="above",
        england_comparison_998="above",
        comparator_mean=17.0,
    )
    assert key_messages(frame(made)).is_empty()
    percent = made | {"indicator": "rereferral_pct", "unit": "percent"}
    assert key_messages(frame(percent))["rule"].to_list() == ["england_998"]


def test_a_queried_figure_is_a_check_not_a_finding():
    # A 0 England's rate makes very unlikely is significantly below England: it is said as
    # the doubtful zero it is, not as a difference.
    zero = row(
        indicator="nfa_pct",
        value=0.0,
        numerator=0.0,
        denominator=2707.0,
        ci95_low=0.0,
        ci95_high=0.14,
        ci998_low=0.0,
        ci998_high=0.25,
        england=6.5,
        england_comparison_95="below",
        england_comparison_998="below",
        comparator_mean=7.0,
        flags=["below_england_998", "zero_unlikely"],
    )
    (said,) = key_messages(frame(zero)).to_dicts()
    assert said["rule"] == "doubtful_zero"
    # 2,707 referrals at England's 6.5% would give about 176 with no further action
    assert said["message"] == (
        "Testshire's percentage of referrals with no further action in 2024-25 is 0 out of "
        "2,707, where England's 6.5% would give about 176: check it with the authority before "
        "comparing."
    )
    mismatch = row(value=23.1, published_value=25.0, flags=["published_mismatch"])
    (said,) = key_messages(frame(mismatch)).to_dicts()
    assert said["rule"] == "published_mismatch"
    assert "as 25.0%, which its own counts do not give (23.1%)" in said["message"]


def test_ties_within_a_rule_follow_theme_then_registry_order():
    # The same rule met by a care leavers measure, a child protection one and a front-door one,
    # given in the wrong order: the front door's comes first, then child protection's, and
    # within the front door the registry's order (referral rate before re-referrals).
    def above(indicator: str, unit: str = "percent") -> dict:
        return row(
            indicator=indicator,
            unit=unit,
            value=30.0,
            ci95_low=28.0,
            ci95_high=32.0,
            ci998_low=27.0,
            ci998_high=33.0,
            england=20.0,
            england_comparison_95="above",
            england_comparison_998="above",
            comparator_mean=29.0,
        )

    rows = [
        above("care_leavers_eet_17_18_pct"),
        above("cp_2yrs_pct"),
        above("rereferral_pct"),
        above("referral_rate", "rate_per_10k"),
    ]
    said = key_messages(frame(*rows))
    assert said["indicator"].to_list() == [
        "referral_rate",
        "rereferral_pct",
        "cp_2yrs_pct",
        "care_leavers_eet_17_18_pct",
    ]
    assert key_messages(frame(*reversed(rows))).equals(said)
    # two of them: one per theme first (the front door's first, then child protection's)
    assert key_messages(frame(*rows), limit=2)["indicator"].to_list() == [
        "referral_rate",
        "cp_2yrs_pct",
    ]
    assert key_messages(frame(*rows), limit=2, per_theme=None)["indicator"].to_list() == [
        "referral_rate",
        "rereferral_pct",
    ]


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "cscbench.cli", *args], capture_output=True, text=True
    )


def test_narrative_key_messages_on_the_command_line(tmp_path):
    out = run("narrative", "Derby", "--key-messages")
    assert out.returncode == 0, out.stderr
    messages = key_messages(benchmark("Derby", year=2025))
    assert out.stdout == as_text(messages)
    lines = out.stdout.splitlines()
    assert lines[0] == "Key messages"
    for k, said in enumerate(messages.to_dicts(), start=1):
        assert f"{k}. {said['message']} (Why: {said['why']}.)" in lines
    # --year, --themes and --out are honoured
    path = tmp_path / "keys.json"
    out = run(
        "narrative", "Derby", "--key-messages", "--year", "2021", "--themes", "workforce",
        "--out", str(path),
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    ids = [k for k, i in INDICATORS.items() if i.theme == "workforce"]
    workforce = key_messages(benchmark("Derby", year=2021, indicators=ids))
    assert not workforce.is_empty()
    assert json.loads(path.read_text()) == workforce.to_dicts()
    assert set(workforce["indicator"]) <= set(ids)


def test_narrative_brief_gives_one_paragraph_per_theme():
    out = run("narrative", "Derby", "--style", "brief")
    assert out.returncode == 0, out.stderr
    table = benchmark("Derby", year=2025)
    sentences = report_narrative(table, group("Derby"), None, None)
    themes = [
        sentence_case(t)
        for t in THEMES
        if any(INDICATORS[i].theme == t for i in sentences["indicator"].drop_nulls())
    ]
    if (sentences["title"] == NOTE_TITLE).any():
        themes.append(NOTE_TITLE)
    blocks = out.stdout.strip().split("\n\n")
    assert blocks[0::2] == themes  # heading, paragraph, heading, paragraph ...
    assert len(blocks) == 2 * len(themes)
    assert all("\n" not in p for p in blocks[1::2])
    # each figure against its comparators and England is in its theme's paragraph, once
    paragraphs = dict(zip(blocks[0::2], blocks[1::2], strict=True))
    for said in sentences.filter(pl.col("kind") == "level").iter_rows(named=True):
        theme = sentence_case(INDICATORS[said["indicator"]].theme)
        assert paragraphs[theme].count(said["sentence"]) == 1, said["sentence"]
    # the changes are the full narrative's, not the brief's
    assert "Over the longer term" not in out.stdout
    # --themes: only the themes asked for
    two = run("narrative", "Derby", "--style", "brief", "--themes", "child protection,workforce")
    assert two.returncode == 0, two.stderr
    headings = two.stdout.strip().split("\n\n")[0::2]
    assert headings[:2] == ["Child protection", "Workforce"]
    assert set(headings[2:]) <= {NOTE_TITLE}


def test_a_style_not_known_is_one_line_and_exit_2():
    out = run("narrative", "Derby", "--style", "short")
    assert out.returncode == 2
    assert out.stderr.strip().splitlines() == [
        "cscbench: unknown style 'short'; choose one of: full, brief"
    ]


def test_the_first_local_key_message_keeps_a_place_for_every_authority_and_year(tables):
    from cscbench.analyses.local_pack import LOCAL_WHY

    candidate = {"measure": "ri_72h_pct", "home": None, "part": "Missing", "message": "It fell."}
    for code, rows in tables.items():
        national = key_messages(rows)
        chosen = key_messages(rows, local=[candidate])
        assert chosen.height == min(LIMIT, national.height + 1), code
        assert "local:ri_72h_pct" in chosen["indicator"].to_list(), code
        mine = chosen.filter(pl.col("indicator") == "local:ri_72h_pct").row(0, named=True)
        assert (mine["rule"], mine["why"], mine["message"]) == ("local_spc", LOCAL_WHY, "It fell.")
        others = chosen.filter(pl.col("rule") != "local_spc")["message"].to_list()
        assert others == [m for m in national["message"] if m in others], code
        assert len(others) >= min(national.height, LIMIT - 1), code
