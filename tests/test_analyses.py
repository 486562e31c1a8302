"""Every worked analysis in analyses/ runs from start to finish (CI fails if one breaks)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

ANALYSES = sorted((Path(__file__).resolve().parents[1] / "analyses").glob("*.py"))


@pytest.mark.parametrize("script", ANALYSES, ids=lambda p: p.name)
def test_analysis_runs(script, tmp_path):
    out = subprocess.run(
        [sys.executable, str(script), "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert any(tmp_path.iterdir())


def test_derby_2016_17_reproduces_section_34(tmp_path):
    script = next(p for p in ANALYSES if p.name == "derby_2016_17.py")
    subprocess.run(
        [sys.executable, str(script), "--out", str(tmp_path)], check=True, capture_output=True
    )
    table = pl.read_csv(tmp_path / "comparison.csv")
    assert table.height == 34 and table["match"].sum() == 25
    assert table.filter(~pl.col("match"))["why_not"].null_count() == 0
    reref = table.filter(pl.col("figure") == "Derby's place for re-referrals, lowest first")
    assert reref["cscbench"].item() == 4  # "fourth lowest", paragraph 34.7


def _run(name: str, tmp_path) -> None:
    script = next(p for p in ANALYSES if p.name == name)
    subprocess.run(
        [sys.executable, str(script), "--out", str(tmp_path)], check=True, capture_output=True
    )


def _comparison(name: str, tmp_path) -> pl.DataFrame:
    _run(name, tmp_path)
    return pl.read_csv(tmp_path / "comparison.csv")


def test_leicestershire_rutland_2017_18_snapshot(tmp_path):
    table = _comparison("leicestershire_rutland_2017_18.py", tmp_path)
    matched = table.filter(pl.col("match")).select("authority", "figure").rows()
    assert matched == [
        ("Leicestershire", "Re-referrals (%)"),
        ("Leicestershire", "Children on plans, end of March 2018"),
        ("Leicestershire", "Plans for children previously on one (%)"),
        ("Rutland", "Referrals to children's social care"),
        ("Rutland", "Children on plans, end of March 2018"),
    ]
    assert table.filter(~pl.col("match"))["why_not"].null_count() == 0
    assert (tmp_path / "pack" / "index.html").exists()
    said = (tmp_path / "narrative.md").read_text()
    assert "29.9% of referrals in Leicestershire were re-referrals" in said
    assert "against 20.8% in Rutland" in said


def test_derby_derbyshire_2024_25_against_dfe(tmp_path):
    table = _comparison("derby_derbyshire_2024_25.py", tmp_path)
    assert table.height == 24
    matched = table.filter(pl.col("match"))["figure"].to_list()
    assert matched == [
        "Protection plans, March 2025",
        "Protection plans, neighbours 2024",
        "Looked after, March 2025",
    ]  # all three Derbyshire's
    assert table.filter(~pl.col("match"))["why_not"].null_count() == 0
    assert (tmp_path / "pack" / "side_by_side.csv").exists()


def test_derby_derbyshire_with_local_returns(tmp_path):
    """The 2024-25 analysis with each authority's own (synthetic) 2025-26 return."""
    from cscbench.datasets.synthetic_census import write_return

    derby = write_return(tmp_path / "derby.xml", "831", 2026, seed=1)[0]
    shire = write_return(tmp_path / "derbyshire.xml", "830", 2026, seed=2)[0]
    script = next(p for p in ANALYSES if p.name == "derby_derbyshire_2024_25.py")
    out = subprocess.run(
        [sys.executable, str(script), "--out", str(tmp_path / "out"),
         "--local-derby", str(derby), "--local-derbyshire", str(shire)],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr[-2000:]
    rows = pl.read_csv(tmp_path / "out" / "local-derbyshire.csv")
    assert set(rows["year"]) == {2026} and set(rows["compared_year"]) == {2025}
    said = (tmp_path / "out" / "local-derby.md").read_text()
    assert "Provisionally, from Derby's own census return" in said


def test_local_measures_from_the_four_reports(tmp_path):
    """The reports' own figures, checked: where each disagrees with itself, and the one
    series long enough for (provisional) limits."""
    _run("local_measures_reports.py", tmp_path)
    problems = pl.read_csv(tmp_path / "problems-as-printed.csv")
    assert problems.select("file", "row", "problem").rows() == [
        ("derby.csv", 43, "44 does not agree with numerator / denominator (43.069)"),
        ("derby.csv", 69, "97.5 does not agree with numerator / denominator (97.67)"),
        ("derby.csv", 73, "218 is more than its denominator, 100"),
        ("derby.csv", 73, "21.8 does not agree with numerator / denominator (218.0)"),
        ("derby.csv", 75, "is a percentage over 100"),
        ("rutland.csv", 11, "60 does not agree with numerator / denominator (71.429)"),
        ("partnership-training.csv", 2, "80 does not agree with numerator / denominator (72.287)"),
    ]
    derby = pl.read_csv(tmp_path / "derby-summary.csv")
    lado = derby.filter(pl.col("measure") == "lado_referrals").row(0, named=True)
    assert (lado["limits"], lado["variation_symbol"]) == ("provisional", "H")
    assert lado["sentences"].startswith(
        "Referrals to the LADO rose above its upper process limit in 2016-17."
    )
    assert set(derby.filter(pl.col("measure") != "lado_referrals")["limits"].drop_nulls()) == {
        "none"
    }
    leics = pl.read_csv(tmp_path / "leicestershire-summary.csv")
    reref = leics.filter(pl.col("measure") == "rereferral_pct").row(0, named=True)
    assert (reref["published_year"], reref["england"]) == (2018, pytest.approx(21.9, abs=0.05))
    assert "DfE's figure for Leicestershire from the census return is 29.9%" in reref["sentences"]
    assert (tmp_path / "derby" / "local-lado_referrals.svg").exists()
    placed = pl.read_csv(tmp_path / "in-the-pack.csv")
    joins = {(r["file"], r["local_theme"]): r["joins"] for r in placed.iter_rows(named=True)}
    assert joins[("leicestershire.csv", "Front door and assessment")] == "front door and assessment"
    assert joins[("derby.csv", "Child protection")] == "child protection"
    assert joins[("rutland.csv", "Missing and exploitation")] == "(a part of its own)"
    keys = placed.filter(pl.col("key_messages").is_not_null() & (pl.col("key_messages") != ""))
    # Derby's LADO referrals, above their (provisional) upper limit in 2016-17: the one local
    # special-cause point in a pack's own year, so the 2016-17 pack opens with it
    assert keys.select("file", "year", "local_theme").rows() == [
        ("derby.csv", 2017, "Allegations against staff (LADO)")
    ]
    assert keys["key_messages"][0].startswith(
        "Referrals to the LADO rose above its upper process limit in 2016-17."
    )
