"""Fetching from the EES API, against a local server serving the API's routes and shapes.

Every failure the server can be told to make ends with a one-line error, a non-zero exit and
the cache exactly as it was before.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import requests

sys.path.insert(0, str(Path(__file__).parent))
from ees_server import CIN, CLA, Server


@pytest.fixture
def server(raw_dir):
    running = Server(raw_dir).start()
    yield running
    running.shutdown()


def fetch_cli(server, cache, *extra):
    env = {**os.environ, "CSCBENCH_CACHE": str(cache)}
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "cscbench.cli",
            "data",
            "fetch",
            "--base-url",
            server.url,
            "--timeout",
            "0.5",
            "--retries",
            "2",
            *extra,
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def snapshot(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_server_answers_in_the_openapi_shapes(server, raw_dir):
    document = json.loads((raw_dir.parent / "ees" / "openapi-v1.json").read_text())
    schema = {
        "$ref": "#/components/schemas/DataSetPaginatedListViewModel",
        "components": document["components"],
    }
    for publication in (CIN, CLA):
        body = requests.get(
            f"{server.url}/v1/publications/{publication}/data-sets",
            params={"page": 1, "pageSize": 20},
            timeout=5,
        ).json()
        jsonschema.validate(body, schema)
        assert body["results"]


def test_fetch_recognises_files_by_content_and_records_them(server, raw_dir, tmp_path):
    out = fetch_cli(server, tmp_path)
    assert out.returncode == 0, out.stderr
    raw = tmp_path / "raw"
    names = sorted(p.name for p in raw.iterdir())
    assert names == sorted(
        f.replace("2013_to_2025", "imported")
        .replace("2018_to_2025", "imported")
        .replace("children.csv", "childrenimported.csv")
        for f in [
            "b1_children_in_need_2013_to_2025.csv",
            "c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv",
            "c3_factors_identified_at_end_of_assessment_2018_to_2025.csv",
            "d3_cpps_subsequent_plan_2013_to_2025.csv",
            "d5_cpps_at31march_by_duration_2013_to_2025.csv",
            "cla_number_and_rate_per_10k_children.csv",
        ]
    )
    fetched = json.loads((tmp_path / "fetched.json").read_text())
    b1 = fetched["b1"]
    assert b1["title"] == "Children in need" and b1["version"] == "1.0"
    original = (raw_dir / "b1_children_in_need_2013_to_2025.csv").read_bytes()
    assert b1["sha256"] == hashlib.sha256(original).hexdigest()
    assert (raw / "b1_children_in_need_imported.csv").read_bytes() == original
    assert "LTLA" not in json.dumps(fetched)  # the decoy data set was recognised as not needed
    assert sorted(p.name for p in tmp_path.iterdir()) == [".lock", "fetched.json", "raw"]


def test_a_server_error_is_retried(server, tmp_path):
    server.mode = "fail_once"
    out = fetch_cli(server, tmp_path, "--publication", "children-looked-after")
    assert out.returncode == 0, out.stderr
    assert (
        server.requests.count("/v1/data-sets/0196b5f1-0000-7000-8000-0000000000a1/csv") >= 3
    )  # 500, sniff, download


@pytest.fixture
def good_cache(server, tmp_path):
    cache = tmp_path / "cache"
    assert fetch_cli(server, cache).returncode == 0
    return cache


@pytest.mark.parametrize(
    ("mode", "message"),
    [
        ("timeout", "no answer from"),
        ("truncated", "cut short"),
        ("bad_checksum", "the download is corrupt"),
        ("missing_column", "closest is 'Children in need', which lacks At31_episodes"),
    ],
)
def test_a_failure_changes_nothing_in_the_cache(server, good_cache, mode, message):
    before = snapshot(good_cache)
    server.mode = mode
    out = fetch_cli(server, good_cache)
    assert out.returncode == 2
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0] and "Traceback" not in out.stderr
    assert snapshot(good_cache) == before  # previous good data intact, nothing partial left


def test_unknown_publication(server, tmp_path):
    out = fetch_cli(server, tmp_path, "--publication", "schools")
    assert out.returncode == 2 and "unknown publication 'schools'" in out.stderr


def test_fetched_files_say_where_they_came_from(server, raw_dir, tmp_path):
    cache = tmp_path / "cache"
    assert fetch_cli(server, cache).returncode == 0
    others = [
        "ons_mid-year_population_estimates_2012_to_2024.csv",
        "las_lineage.csv",
        "New_Statistical_Neighbour_Groupings_April_2021.csv",
        "sn_model_2025_wide.csv",
    ]
    env = {**os.environ, "CSCBENCH_CACHE": str(cache)}

    def cli(*args):
        return subprocess.run(
            [sys.executable, "-m", "cscbench.cli", *args],
            capture_output=True,
            text=True,
            env=env,
            timeout=300,
        )

    assert cli("data", "import", *(str(raw_dir / n) for n in others)).returncode == 0
    assert cli("data", "build").returncode == 0
    info = json.loads(cli("data", "info", "-f", "json").stdout)
    origin = {s["key"]: s["origin"] for s in info["sources"]}
    assert origin["b1"].startswith("EES data set 0196b5f1-0000-7000-8000-00000000000b version 1.0")
    assert origin["population"] == "imported by hand"


def test_fetch_tells_look_alike_files_apart_by_their_rows(server, tmp_path, monkeypatch):
    """DfE's two care-leaver files have the same columns: the rows say which is which, and the
    optional files are fetched beside the ones cscbench needs."""
    import ees_server

    from cscbench.datasets.cache import canonical_name
    from cscbench.datasets.fetch import fetch

    extra = {
        "0196b5f1-0000-7000-8000-0000000000e1": (
            CLA,
            "Care leavers' accommodation",  # listed first, with the other's title-like name
            "la_care_leavers_accommodation_suitability.csv",
        ),
        "0196b5f1-0000-7000-8000-0000000000e2": (
            CLA,
            "Care leavers' activity",
            "la_care_leavers_activity.csv",
        ),
        "0196b5f1-0000-7000-8000-0000000000c4": (
            CIN,
            "Section 47 enquiries and initial child protection conferences",
            "c4_children_in_need_section_47s_and_icpcs_2013_to_2025.csv",
        ),
    }
    monkeypatch.setattr(ees_server, "DATA_SETS", {**ees_server.DATA_SETS, **extra})
    fetched = {r["key"]: r["data_set_id"] for r in fetch(dest=tmp_path, base_url=server.url)}
    assert fetched["care_leavers_accommodation"].endswith("e1")
    assert fetched["care_leavers_activity"].endswith("e2")
    assert fetched["c4"].endswith("c4") and "cla_health" not in fetched
    raw = tmp_path / "raw"
    for key, name in (
        ("care_leavers_activity", "la_care_leavers_activity.csv"),
        ("care_leavers_accommodation", "la_care_leavers_accommodation_suitability.csv"),
    ):
        got = raw / canonical_name(key)
        assert got.read_bytes() == (server.raw_dir / name).read_bytes()
