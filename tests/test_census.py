"""Local figures from a Children in Need census return: hand-worked small returns for every
indicator's edge cases, validation, the synthetic generator against Derby's published figures,
and the commands."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from cscbench.analyses import benchmark
from cscbench.analyses.local import abuse_categories, local_benchmark, local_indicators
from cscbench.analyses.narrative import local_narrative
from cscbench.datasets.census import read_return
from cscbench.datasets.synthetic_census import write_return
from cscbench.errors import DataError, UsageError


def _episode(referral, closure=None, nfa="false", plans=(), extra=""):
    parts = [f"<CINdetails><CINreferralDate>{referral}</CINreferralDate>"]
    if closure:
        parts.append(f"<CINclosureDate>{closure}</CINclosureDate>")
    if nfa is not None:
        parts.append(f"<ReferralNFA>{nfa}</ReferralNFA>")
    parts.append(extra)
    for start, end, previous, category in plans:
        parts.append(f"<ChildProtectionPlans><CPPstartDate>{start}</CPPstartDate>")
        if end:
            parts.append(f"<CPPendDate>{end}</CPPendDate>")
        parts.append(f"<InitialCategoryOfAbuse>{category}</InitialCategoryOfAbuse>")
        if previous is not None:
            parts.append(f"<NumberOfPreviousCPP>{previous}</NumberOfPreviousCPP>")
        parts.append("</ChildProtectionPlans>")
    parts.append("</CINdetails>")
    return "".join(parts)


def _return(path: Path, year: int, children: dict[str | None, list[str]], sex="Sex") -> Path:
    body = []
    for child_id, episodes in children.items():
        ident = f"<LAchildID>{child_id}</LAchildID>" if child_id else ""
        body.append(
            f"<Child><ChildIdentifiers>{ident}<PersonBirthDate>2015-01-01</PersonBirthDate>"
            f"<{sex}>1</{sex}></ChildIdentifiers>{''.join(episodes)}</Child>"
        )
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?><Message><Header><CollectionDetails>'
        f"<Collection>CIN</Collection><Year>{year}</Year><ReferenceDate>{year}-03-31"
        "</ReferenceDate></CollectionDetails><Source><LEA>831</LEA></Source></Header>"
        f"<Children>{''.join(body)}</Children></Message>",
        encoding="utf-8",
    )
    return path


@pytest.fixture
def referrals_case(tmp_path):
    """Year 2024-25. Worked by hand:

    c1: 1 Jun 2023 (earlier return only) then 1 Jun 2024: a re-referral within 12 calendar
        months, not within 365 days (2024 is a leap year: 366 days apart);
    c2: two referrals on 10 May 2024: one referral, not a re-referral;
    c3: 10 Apr 2024 (closed 20 Apr) then 1 Mar 2025: a re-referral;
    c4: 29 Feb 2024 (earlier return only) then 28 Feb 2025: a re-referral either way;
    c5: no further action; c6: ReferralNFA missing (left out of nfa_pct, counted as a referral);
    c7: closed before it was referred (invalid: left out); and a child with no LAchildID.
    Referrals 7; re-referrals 3 with the earlier return (c1, c3, c4), 1 without (c3).
    """
    this = _return(
        tmp_path / "2025.xml",
        2025,
        {
            "c1": [_episode("2024-06-01")],
            "c2": [_episode("2024-05-10", "2024-05-12"), _episode("2024-05-10", "2024-05-12")],
            "c3": [_episode("2024-04-10", "2024-04-20"), _episode("2025-03-01")],
            "c4": [_episode("2025-02-28")],
            "c5": [_episode("2024-09-01", "2024-09-01", nfa="true")],
            "c6": [_episode("2024-07-01", "2024-08-01", nfa=None)],
            "c7": [_episode("2024-07-01", "2024-06-01")],
            None: [_episode("2024-07-01")],
        },
    )
    earlier = _return(
        tmp_path / "2024.xml",
        2024,
        {
            "c1": [_episode("2023-06-01", "2023-07-01")],
            "c4": [_episode("2024-02-29", "2024-03-10")],
        },
        sex="GenderCurrent",
    )
    return read_return(this), read_return(earlier)


def _values(table: pl.DataFrame) -> dict[str, tuple]:
    return {r["indicator"]: (r["numerator"], r["denominator"]) for r in table.iter_rows(named=True)}


def test_referrals_and_rereferrals_by_hand(referrals_case):
    census, earlier = referrals_case
    with_history = _values(local_indicators(census, [earlier], population_=10_000))
    assert with_history["referral_count"] == (7, None)
    assert with_history["rereferral_pct"] == (3, 7)
    assert with_history["nfa_pct"] == (1, 6)
    assert with_history["referral_rate"] == (7, 10_000)
    alone = _values(local_indicators(census, population_=10_000))
    assert alone["rereferral_pct"] == (1, 7)
    days = _values(local_indicators(census, [earlier], population_=10_000, window="365 days"))
    assert days["rereferral_pct"] == (2, 7)  # c1's 366 days no longer counts


def test_validation_problems_are_reported_and_left_out(referrals_case):
    census, _ = referrals_case
    problems = census.problems
    assert problems.filter(pl.col("field") == "CINclosureDate")["child_id"].to_list() == ["c7"]
    missing = problems.filter(pl.col("field") == "LAchildID")
    assert missing.height == 1 and "left out" in missing["reason"][0]
    assert problems.filter(pl.col("field") == "ReferralNFA")["child_id"].to_list() == ["c6"]
    table = local_indicators(census, population_=10_000)
    assert table["left_out"][0] == 1  # c7's episode
    assert census.children.height == 7  # the child with no id is not a child row


@pytest.fixture
def plans_case(tmp_path):
    """Year 2024-25, reference date 31 March 2025. Worked by hand:

    p1 open from 1 Apr 2023: 730 days at 31 March 2025 (2 years or more);
    p2 open from 2 Apr 2023: 729 days (not);
    p3 1 Oct 2024 to 31 Mar 2025: ends on the reference date, so not open; 181 days;
    p4 1 Jun 2022 to 1 Jun 2024 (731 days), p5 1 Jan 2023 to 31 Dec 2024 (730), p6 2 Jan 2023
    to 31 Dec 2024 (729): ended in the year, two of them 2 years or more;
    p7 ends before it starts (invalid); h1: a plan in 2022 (earlier return) and a new one on
    1 Nov 2024 recorded with NumberOfPreviousCPP 0 (the history disagrees).
    Open at 31 March: p1, p2 (2 children, 1 of 2 years or more). Ended in the year: p3-p6
    (2 of 4). Starting in the year: p3 and h1's (2), subsequent by record 0, by history 1.
    """
    this = _return(
        tmp_path / "2025.xml",
        2025,
        {
            "p1": [_episode("2023-03-01", plans=[("2023-04-01", None, 0, "NEG")])],
            "p2": [_episode("2023-03-01", plans=[("2023-04-02", None, 0, "EMO")])],
            "p3": [_episode("2024-09-01", plans=[("2024-10-01", "2025-03-31", 0, "NEG")])],
            "p4": [_episode("2022-05-01", plans=[("2022-06-01", "2024-06-01", 0, "NEG")])],
            "p5": [_episode("2022-12-01", plans=[("2023-01-01", "2024-12-31", 0, "PHY")])],
            "p6": [_episode("2022-12-01", plans=[("2023-01-02", "2024-12-31", 0, "NEG")])],
            "p7": [_episode("2024-05-01", plans=[("2024-06-01", "2024-05-01", 0, "NEG")])],
            "h1": [_episode("2024-10-01", plans=[("2024-11-01", None, 0, "EMO")])],
        },
    )
    earlier = _return(
        tmp_path / "2023.xml",
        2023,
        {
            "h1": [
                _episode("2022-04-01", "2022-12-31", plans=[("2022-05-01", "2022-12-01", 0, "NEG")])
            ]
        },
    )
    return read_return(this), read_return(earlier)


def test_plans_by_hand(plans_case):
    census, earlier = plans_case
    got = _values(local_indicators(census, [earlier], population_=10_000))
    assert got["cp_count"] == (3, None)  # p1, p2 and h1's open plan
    assert got["cp_2yrs_pct"] == (1, 3)  # p1 at 730 days; p2 at 729 does not count
    assert got["cp_ended_2yrs_pct"] == (2, 4)  # p4 (731) and p5 (730), not p6 (729) or p3
    assert got["cp_start_count"] == (2, None)  # p3 and h1's second plan
    assert got["cp_subsequent_pct"] == (0, 2)
    assert got["cp_subsequent_history_pct"] == (1, 2)
    table = local_indicators(census, [earlier], population_=10_000)
    flags = table.filter(pl.col("indicator") == "cp_subsequent_pct")["flags"].item()
    assert flags.to_list() == ["disagrees_with_history"]
    assert census.problems.filter(pl.col("field") == "CPPendDate")["child_id"].to_list() == ["p7"]
    categories = dict(abuse_categories(census).select("category", "plans").rows())
    assert categories == {"NEG": 1, "EMO": 1}


def test_bad_files_are_one_line(tmp_path):
    broken = tmp_path / "broken.xml"
    broken.write_text(
        "<Message><Header><CollectionDetails><Year>2025</Year></CollectionDetails>"
        "<Source><LEA>831</LEA></Source></Header>\n<Children><Child>",
        encoding="utf-8",
    )
    with pytest.raises(DataError, match=r"broken\.xml, row 2, .*not well-formed"):
        read_return(broken)
    other = tmp_path / "other.xml"
    other.write_text("<Return/>", encoding="utf-8")
    with pytest.raises(DataError, match="not a census return"):
        read_return(other)
    with pytest.raises(UsageError):
        read_return(tmp_path / "missing.xml")


def test_synthetic_return_matches_derby_published_2025(tmp_path):
    """The generator aimed at Derby 2024-25 gives figures near DfE's (seeded, so exact here)."""
    paths = write_return(tmp_path / "derby.xml", "831", 2025, seed=2, previous=1)
    census, earlier = read_return(paths[0]), read_return(paths[1])
    assert earlier.year == 2024 and census.problems.height == 0
    ours = {
        r["indicator"]: r["value"]
        for r in local_indicators(census, [earlier]).iter_rows(named=True)
    }
    dfe = {r["indicator"]: r["value"] for r in benchmark("Derby", year=2025).iter_rows(named=True)}
    for ind in ("referral_count", "cin_count"):
        assert ours[ind] == pytest.approx(dfe[ind], rel=0.10), ind
    for ind in ("cp_count", "cp_start_count"):
        assert ours[ind] == pytest.approx(dfe[ind], rel=0.15), ind
    for ind, points in (
        ("rereferral_pct", 3),
        ("nfa_pct", 2),
        ("cp_subsequent_pct", 8),
        ("cp_2yrs_pct", 3),
    ):
        assert abs(ours[ind] - dfe[ind]) <= points, ind


def test_local_benchmark_against_latest_published(tmp_path):
    paths = write_return(tmp_path / "derby.xml", "831", 2026, seed=1)
    rows = local_benchmark("Derby", read_return(paths[0]), group="sn2021")
    rate = rows.filter(pl.col("indicator") == "cp_rate").row(0, named=True)
    published = benchmark("Derby", year=2025, group="sn2021", indicators=["cp_rate"]).row(
        0, named=True
    )
    assert rate["year"] == 2026 and rate["compared_year"] == 2025
    assert rate["comparator_mean"] == published["comparator_mean"]
    assert rate["england"] == published["england"]
    assert rate["previous_value"] == published["value"]
    assert rate["figures"] == "local, provisional" and "local_provisional" in rate["flags"]
    assert rate["ci95_low"] < rate["value"] < rate["ci95_high"]
    said = local_narrative(rows)
    assert said["sentence"][0].startswith("Provisionally, from Derby's own census return")
    with pytest.raises(UsageError, match="not Derbyshire"):
        local_benchmark("Derbyshire", read_return(paths[0]))


def run(*args):
    return subprocess.run(
        [sys.executable, "-m", "cscbench.cli", *args], capture_output=True, text=True
    )


def test_local_commands(tmp_path, referrals_case):
    census, _ = referrals_case
    earlier = str(Path(census.file).with_name("2024.xml"))
    out = run("local", "compute", census.file, "--previous", earlier,
              "--population", "10000", "--format", "csv")  # fmt: skip
    assert out.returncode == 0, out.stderr
    table = pl.read_csv(out.stdout.encode())
    assert table.filter(pl.col("indicator") == "rereferral_pct")["numerator"].item() == 3
    assert "validation problems" in out.stderr
    paths = write_return(tmp_path / "derby.xml", "831", 2026, seed=1)
    out = run("benchmark", "Derby", "--local", str(paths[0]))
    assert out.returncode == 0, out.stderr
    assert "local_provisional" in out.stdout and "2026" in out.stdout
    bad = run("benchmark", "Rutland", "--local", str(paths[0]))
    assert bad.returncode == 2 and "not Rutland" in bad.stderr
    # --indicators holds for the local rows too (it had mixed one DfE row with all local ones)
    one = run("benchmark", "Derby", "--local", str(paths[0]), "--indicators", "cp_rate",
              "--format", "csv")  # fmt: skip
    rows = pl.read_csv(one.stdout.encode())
    assert set(rows["indicator"]) == {"cp_rate"} and rows.height == 2, one.stdout
    local = rows.filter(pl.col("figures") == "local, provisional").row(0, named=True)
    assert local["compared_year"] == 2025 and local["compared_value"] == pytest.approx(
        benchmark("Derby", year=2025, indicators=["cp_rate"])["value"].item()
    )
    # a return for a year DfE has published is refused: DfE's figures are the ones to use
    published = write_return(tmp_path / "old.xml", "831", 2025, seed=1)
    old = run("benchmark", "Derby", "--local", str(published[0]))
    assert old.returncode == 2 and "which DfE has published" in old.stderr, old.stderr
    pack = run("report", "Derby", "--local", str(paths[0]), "--out", str(tmp_path / "pack"),
               "--workers", "1")  # fmt: skip
    assert pack.returncode == 0, pack.stderr
    page = (tmp_path / "pack" / "index.html").read_text()
    assert '<h2 id="local">2025-26: local, provisional</h2>' in page
    assert (tmp_path / "pack" / "local_provisional.csv").exists()
    assert (tmp_path / "pack" / "figures" / "cp_rate-provisional.svg").exists()


def test_year_boundaries_are_the_financial_year(referrals_case):
    census, _ = referrals_case
    assert census.year_start == dt.date(2024, 4, 1)
    assert census.reference_date == dt.date(2025, 3, 31)


def test_year_variants_sex_and_cin_plan_dates(tmp_path):
    """2021 returns carry GenderCurrent (1/2) and no CIN plan dates; from 2022 CINPlanDates,
    from 2024 Sex (M/F)."""
    old = write_return(tmp_path / "old.xml", "831", 2021, seed=4, children=200)[0]
    new = write_return(tmp_path / "new.xml", "831", 2025, seed=4, children=200)[0]
    assert "<GenderCurrent>" in old.read_text() and "<CINPlanDates>" not in old.read_text()
    old_return, new_return = read_return(old), read_return(new)
    assert set(old_return.children["sex"].drop_nulls()) <= {"1", "2"}
    assert set(new_return.children["sex"].drop_nulls()) <= {"M", "F"}
    assert old_return.cin_plans.height == 0 and new_return.cin_plans.height > 0
    assert old_return.problems.height == 0 and new_return.problems.height == 0
