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
