"""Importing hand-downloaded files, building the active data set, and keeping good data safe."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from cscbench.datasets.cache import canonical_name, identify, import_files
from cscbench.datasets.registry import SOURCES
from cscbench.errors import DataError, UsageError

KEYS = {
    "b1_children_in_need_2013_to_2025.csv": "b1",
    "c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv": "c1",
    "c3_factors_identified_at_end_of_assessment_2018_to_2025.csv": "c3",
    "d3_cpps_subsequent_plan_2013_to_2025.csv": "d3",
    "d5_cpps_at31march_by_duration_2013_to_2025.csv": "d5",
    "cla_number_and_rate_per_10k_children.csv": "cla",
    "ons_mid-year_population_estimates_2012_to_2024.csv": "population",
    "las_lineage.csv": "lineage",
    "New_Statistical_Neighbour_Groupings_April_2021.csv": "sn2021",
    "sn_model_2025_wide.csv": "sn2025",
}


def cli(*args, cache):
    env = {**os.environ, "CSCBENCH_CACHE": str(cache)}
    return subprocess.run(
        [sys.executable, "-m", "cscbench.cli", *args], capture_output=True, text=True, env=env
    )


@pytest.mark.parametrize(("name", "key"), KEYS.items())
def test_files_are_recognised_by_their_columns(raw_dir, tmp_path, name, key):
    renamed = tmp_path / "download (3).csv"  # the name does not matter
    renamed.write_bytes((raw_dir / name).read_bytes())
    assert identify(renamed) == key


def test_a_file_with_a_changed_column_is_rejected_naming_it(raw_dir, tmp_path):
    text = (raw_dir / "d3_cpps_subsequent_plan_2013_to_2025.csv").read_text()
    bad = tmp_path / "d3.csv"
    bad.write_text(text.replace("CPP_subsequent_percent", "CPP_subsequent_pc", 1))
    with pytest.raises(DataError) as err:
        identify(bad)
    message = str(err.value)
    assert "closest is Child protection plans that are a second or subsequent plan" in message
    assert "missing CPP_subsequent_percent; unexpected CPP_subsequent_pc" in message


def test_import_checks_every_file_before_copying_any(raw_dir, tmp_path):
    good = raw_dir / "b1_children_in_need_2013_to_2025.csv"
    bad = tmp_path / "c1.csv"
    bad.write_text((raw_dir / KEYS_INV["c1"]).read_text().replace(",632830,", ",63283O,", 1))
    cache = tmp_path / "cache"
    with pytest.raises(DataError, match=r"c1.csv, row 2, column 'referral_count'"):
        import_files([good, bad], cache)
    assert not (cache / "raw").exists() or not any((cache / "raw").iterdir())


KEYS_INV = {v: k for k, v in KEYS.items()}


def test_import_replaces_a_source_atomically(raw_dir, tmp_path):
    cache = tmp_path / "cache"
    (cache / "raw").mkdir(parents=True)
    old = cache / "raw" / "b1_children_in_need_2013_to_2024.csv"
    old.write_text("old")
    done = import_files([raw_dir / KEYS_INV["b1"]], cache)
    assert done == [("b1", cache / "raw" / canonical_name("b1"))]
    assert not old.exists() and sorted(p.name for p in (cache / "raw").iterdir()) == [
        "b1_children_in_need_imported.csv"
    ]
    with pytest.raises(UsageError, match="more than one file for b1"):
        import_files([raw_dir / KEYS_INV["b1"], raw_dir / KEYS_INV["b1"]], cache)


def test_build_needs_every_source_and_names_the_missing(raw_dir, tmp_path):
    cache = tmp_path / "cache"
    import_files([raw_dir / KEYS_INV["b1"]], cache)
    out = cli("data", "build", cache=cache)
    assert out.returncode == 2
    assert "has no c1_children_in_need_referrals_and_rereferrals_*.csv" in out.stderr
    assert not (cache / "active").exists()


def test_imported_data_becomes_active_and_a_failed_build_keeps_it(raw_dir, tmp_path):
    cache = tmp_path / "cache"
    edited = tmp_path / "b1 edited.csv"
    text = (raw_dir / KEYS_INV["b1"]).read_text()
    derby_2025 = next(
        line for line in text.splitlines() if line.startswith("2025,") and ",831," in line
    )
    edited.write_text(text.replace(derby_2025, derby_2025.replace(",2030,", ",2031,")))
    files = [raw_dir / n for n in KEYS if KEYS[n] != "b1"] + [edited]
    out = cli("data", "import", *map(str, files), cache=cache)
    assert out.returncode == 0, out.stderr
    out = cli("data", "build", cache=cache)
    assert out.returncode == 0, out.stderr
    info = json.loads(cli("data", "info", "-f", "json", cache=cache).stdout)
    assert info["data"].startswith(f"active data set in the cache: {cache / 'sets'}/")
    row = json.loads(
        cli("benchmark", "Derby", "--indicators", "cin_count", "-f", "json", cache=cache).stdout
    )[0]
    assert row["value"] == 2031  # the shipped snapshot says 2030

    # A broken raw file in the cache: the build fails and the active data set stays good.
    broken = cache / "raw" / canonical_name("d5")
    broken.write_text(broken.read_text().replace(",49420,", ",49,420,", 1))
    out = cli("data", "build", cache=cache)
    assert out.returncode == 2 and "d5_cpps_at31march_by_duration_imported.csv, row 2" in out.stderr
    row = json.loads(
        cli("benchmark", "Derby", "--indicators", "cin_count", "-f", "json", cache=cache).stdout
    )[0]
    assert row["value"] == 2031
    assert sorted(p.name for p in cache.iterdir()) == [".lock", "active.json", "raw", "sets"]
    assert len(list((cache / "sets").iterdir())) == 1


def test_every_source_has_a_canonical_name_its_pattern_finds():
    from fnmatch import fnmatch

    for key, source in SOURCES.items():
        assert fnmatch(canonical_name(key), source.pattern)
