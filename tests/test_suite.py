"""The performance suite's bookkeeping (its timings are never asserted here)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmark"))
import run


def test_a_partial_run_replaces_its_own_cases_rows_however_worded_in_order(tmp_path, monkeypatch):
    monkeypatch.setattr(run, "HERE", tmp_path)
    last = [
        {"case": "4. one pack", "suite_case": "pack", "median_s": 4.0},
        {"case": "5. packs for 153 of 153 authorities on 2 cores", "median_s": 267.0},  # unnamed
        {"case": "5. packs made again", "suite_case": "packs_again", "median_s": 62.0},
        {"case": "6. table at 10x", "suite_case": "scale", "median_s": 4.3},
        {"case": "6. table at 100x", "suite_case": "scale", "median_s": 56.0},
    ]
    (tmp_path / "results.json").write_text(json.dumps({"results": last}))
    fresh = [
        {"case": "5. packs (SVG and PNG)", "suite_case": "packs", "median_s": 250.0},
        {"case": "5. packs (SVG only, --no-png)", "suite_case": "packs_svg", "median_s": 160.0},
        {"case": "4. one pack", "suite_case": "pack", "median_s": 3.5},
    ]
    merged = run.merged(fresh, partial=True)
    assert [(r["case"], r["median_s"]) for r in merged] == [
        ("4. one pack", 3.5),
        ("5. packs (SVG and PNG)", 250.0),
        ("5. packs (SVG only, --no-png)", 160.0),
        ("5. packs made again", 62.0),  # kept, in the suite's order of cases, not first
        ("6. table at 10x", 4.3),
        ("6. table at 100x", 56.0),
    ]
    assert run.merged(fresh, partial=False) == fresh


def test_each_timed_run_of_a_command_gets_an_empty_folder(tmp_path):
    # A pack made again into its folder keeps the charts drawn before, so a repeated timed
    # run into one folder would not draw: runs given FRESH each get a new, empty one.
    fills = (
        "import os, sys; assert not os.listdir(sys.argv[1]), 'not empty'; "
        "open(os.path.join(sys.argv[1], 'made'), 'w').close()"
    )
    timed = run.command([sys.executable, "-c", fills, run.FRESH], repeat=2, warmup=1)
    assert len(timed["times"]) == 2
    with pytest.raises(SystemExit, match="exit code 1"):
        run.command([sys.executable, "-c", fills, str(tmp_path)], repeat=2, warmup=0)
