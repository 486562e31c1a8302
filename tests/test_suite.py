"""The performance suite's bookkeeping (its timings are never asserted here)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmark"))
import run


def test_a_partial_run_replaces_its_own_cases_rows_however_worded(tmp_path, monkeypatch):
    monkeypatch.setattr(run, "HERE", tmp_path)
    last = [
        {"case": "4. one pack", "suite_case": "pack", "median_s": 4.0},
        {"case": "5. packs for 153 of 153 authorities on 2 cores", "median_s": 267.0},  # unnamed
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
        ("6. table at 10x", 4.3),
        ("6. table at 100x", 56.0),
    ]
    assert run.merged(fresh, partial=False) == fresh
