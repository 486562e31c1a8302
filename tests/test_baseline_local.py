"""The pandas baseline of benchmark case 8 gives cscbench's limits and rules (so the suite
compares like with like), on a smaller file of the same kind."""

from __future__ import annotations

import sys
from pathlib import Path

import polars as pl
import pytest

from cscbench.analyses.local_spc import spc_points
from cscbench.datasets.local_measures import check_measures

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmark"))
from local_measures import baseline, synthetic_file


def test_the_pandas_baseline_gives_the_same_limits_and_rules(tmp_path):
    path = synthetic_file(tmp_path / "measures.csv", measures=24, months=48, seed=3)
    problems, segments = baseline(path)
    assert problems == [] and check_measures(path).height == 0
    points = spc_points(path).filter(pl.col("value").is_not_null())
    ours = points.group_by("measure", "segment", maintain_order=True).agg(
        "mean", "lower", "upper", "rule"
    )
    assert ours.height == len(segments) == 30  # 24 measures, 6 of them with a change point
    for row, theirs in zip(ours.iter_rows(named=True), segments, strict=True):
        assert (row["measure"], row["segment"]) == (theirs["measure"], theirs["segment"])
        assert row["mean"][0] == pytest.approx(theirs["mean"], rel=1e-12)
        assert row["lower"][0] == pytest.approx(theirs["lower"], rel=1e-12)
        assert row["upper"][0] == pytest.approx(theirs["upper"], rel=1e-12)
        assert [r or "" for r in row["rule"]] == theirs["rules"]
    assert sum(r != "" for s in segments for r in s["rules"]) > 20  # the rules do fire
