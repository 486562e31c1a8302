"""Faults mid-write: the active data set is switched in one step, checked when opened, and
written by one process at a time; a kill at any moment leaves a good data set in use."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cscbench.datasets.cache import POINTER, SETS, active_dir, writing
from cscbench.errors import DataError

sys.path.insert(0, str(Path(__file__).parent))
from test_hostile_data import FILES, cli, fingerprint, one_line


@pytest.fixture
def cache(built_cache, tmp_path):
    target = tmp_path / "cache"
    shutil.copytree(built_cache, target)
    return target


def derby_cin(cache) -> float:
    out = cli("benchmark", "Derby", "--indicators", "cin_count", "-f", "json", cache=cache)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)[0]["value"]


def test_a_missing_active_data_set_is_said_loudly_never_replaced_by_the_shipped(cache):
    shutil.rmtree(active_dir(cache))
    for args in (("benchmark", "Derby"), ("data", "info"), ("trend", "Derby", "cin_rate")):
        line = one_line(cli(*args, cache=cache))
        assert f"{POINTER}: names the active data set" in line and "which is missing" in line


def test_a_damaged_pointer_is_said(cache):
    (cache / POINTER).write_text("{not json")
    assert "active.json: is damaged" in one_line(cli("benchmark", "Derby", cache=cache))


def test_an_interrupted_build_of_the_old_layout_is_said(cache):
    folder = active_dir(cache)
    (cache / POINTER).unlink()
    folder.rename(cache / ".active.previous")
    line = one_line(cli("benchmark", "Derby", cache=cache))
    assert "the active data set is missing (a build was interrupted" in line


@pytest.mark.parametrize("table", ["indicators", "panel", "areas"])
def test_a_table_that_does_not_match_its_manifest_is_refused(cache, raw_dir, tmp_path, table):
    """A table swapped for another build's (the old non-atomic --out left such mixtures)."""
    folder = active_dir(cache)
    other = tmp_path / "other"
    out = cli("data", "build", "--from", str(raw_dir), "--out", str(other), cache=cache)
    assert out.returncode == 0
    (folder / f"{table}.parquet").write_bytes(b"PAR1 not the table that was built PAR1")
    line = one_line(cli("benchmark", "Derby", cache=cache))
    assert f"{table}.parquet: does not match the sha256 in its data set's manifest" in line
    shutil.copy(folder / f"{table}.parquet", other / f"{table}.parquet")
    line = one_line(cli("benchmark", "Derby", "--data", str(other), cache=cache))
    assert f"{table}.parquet: does not match the sha256" in line


def test_a_second_writer_is_told_and_changes_nothing(cache, raw_dir):
    before = fingerprint(cache)
    with writing(cache):
        for args in (("data", "build"), ("data", "import", str(raw_dir / FILES["b1"]))):
            line = one_line(cli(*args, cache=cache))
            assert "another cscbench data import, fetch or build is writing to" in line
    assert fingerprint(cache) == before


def test_two_builds_at_once_one_builds_the_other_is_told(cache):
    env = {**os.environ, "CSCBENCH_CACHE": str(cache)}
    command = [sys.executable, "-m", "cscbench.cli", "data", "build"]
    runs = [subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True) for _ in "ab"]
    results = [(run.wait(timeout=300), run.stderr.read()) for run in runs]
    assert sorted(code for code, _ in results) in ([0, 0], [0, 2])  # the second may find it free
    for code, err in results:
        assert "internal error" not in err
        if code == 2:
            assert "another cscbench data import, fetch or build is writing" in err
    assert derby_cin(cache) == 2030


@pytest.mark.parametrize("after", [1.0, 2.5, 4.0])
def test_a_build_killed_at_any_moment_leaves_a_good_active_data_set(cache, raw_dir, after):
    """Each kill lands in another step (reading, checking, writing tables, switching)."""
    edited = cache / "raw" / "b1_children_in_need_imported.csv"
    text = edited.read_text()
    derby = next(line for line in text.splitlines() if line.startswith("2025,") and ",831," in line)
    edited.write_text(text.replace(derby, derby.replace(",2030,", ",2031,")))
    env = {**os.environ, "CSCBENCH_CACHE": str(cache)}
    run = subprocess.Popen([sys.executable, "-m", "cscbench.cli", "data", "build"], env=env)
    time.sleep(after)
    run.send_signal(signal.SIGKILL)
    run.wait()
    assert derby_cin(cache) in (2030, 2031)  # the old data set, or the new one: never missing
    assert len([p for p in (cache / SETS).iterdir() if not p.name.startswith(".")]) <= 2
    assert cli("data", "build", cache=cache).returncode == 0  # and the next build cleans up
    assert derby_cin(cache) == 2031
    assert [p.name for p in (cache / SETS).iterdir() if p.name.startswith(".")] == []


def test_build_out_refuses_a_folder_of_the_users_files(raw_dir, tmp_path):
    mine = tmp_path / "reports"
    mine.mkdir()
    (mine / "annual report.docx").write_bytes(b"my work")
    before = fingerprint(mine)
    out = cli("data", "build", "--from", str(raw_dir), "--out", str(mine), cache=tmp_path / "c")
    assert "holds files that are not a cscbench snapshot" in one_line(out)
    assert fingerprint(mine) == before


def test_build_out_replaces_an_earlier_snapshot_whole(raw_dir, tmp_path):
    out = tmp_path / "snap"
    for _ in range(2):
        run = cli("data", "build", "--from", str(raw_dir), "--out", str(out), cache=tmp_path / "c")
        assert run.returncode == 0, run.stderr
    from cscbench.datasets.snapshot import verify

    assert verify(out)["name"] == "cscbench data snapshot"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".snap.lock", "snap"]


def test_opening_checks_the_active_data_set(cache):
    from cscbench.datasets.store import opened

    folder = active_dir(cache)
    assert opened(folder) == folder
    (folder / "lineage.parquet").write_bytes(b"changed")
    os.utime(folder / "manifest.json")  # a new stamp: checked again
    with pytest.raises(DataError, match=r"lineage\.parquet: does not match"):
        opened(folder)
