"""A hostile server: truncated, endless, dripping, exploding, redirecting and malformed answers,
and impossible figures served as data sets. Every one ends in one line and leaves the cache
byte for byte as it was (a local server on 127.0.0.1, tests/ees_server.py)."""

from __future__ import annotations

import gzip
import os
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import pytest

from cscbench.datasets import fetch as fetching
from cscbench.datasets import limits
from cscbench.datasets.cache import writing

sys.path.insert(0, str(Path(__file__).parent))
from ees_server import Server
from test_hostile_data import derby_2025, edited, fingerprint, refused, set_cell

CLA_FILE = "cla_number_and_rate_per_10k_children.csv"
C1_FILE = "c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv"


@pytest.fixture
def server(raw_dir):
    running = Server(raw_dir).start()
    yield running
    running.shutdown()


def fetch(server, cache, publication="children-looked-after", timeout=5.0, **kwargs):
    return fetching.fetch(
        [publication], cache, server.url, timeout=timeout, retries=0, backoff=0, **kwargs
    )


@pytest.fixture
def good_cache(server, tmp_path):
    """A cache holding a good fetch of both publications."""
    cache = tmp_path / "cache"
    fetching.fetch(None, cache, server.url, timeout=10, retries=0, backoff=0)
    return cache


@pytest.mark.parametrize(
    ("mode", "message"),
    [
        ("plain_cut", "rows where the API's metadata says"),
        ("huge_length", "its Content-Length says 953,674 MB, more than 512 MB"),
        ("pages", "claims 1,000,000,000 pages; at most 50 are followed"),
        ("not_json", "did not answer with JSON"),
        ("no_results", "is not a data-set listing"),
        ("no_id", "result 1 has no data set id (results[0].id)"),
        ("big_listing", "sent more than 8 MB"),
        ("redirect_host", "a redirect to another host or scheme is not followed"),
        ("redirect_scheme", "a redirect to another host or scheme is not followed"),
    ],
)
def test_a_hostile_answer_is_refused_and_changes_nothing(server, good_cache, mode, message):
    before = fingerprint(good_cache)
    server.mode = mode
    assert message in refused(fetch, server, good_cache)
    assert fingerprint(good_cache) == before


def test_a_plain_download_is_complete_only_with_the_rows_the_api_gives(server, raw_dir, tmp_path):
    server.mode = "plain_whole"  # no Content-Length, not gzip: the row count proves it whole
    (record,) = fetch(server, tmp_path / "cache")
    assert (tmp_path / "cache" / "raw" / record["file"]).read_bytes() == (
        raw_dir / CLA_FILE
    ).read_bytes()


def test_a_plain_download_without_any_proof_is_refused(server, tmp_path, monkeypatch):
    server.mode = "plain_whole"
    monkeypatch.setattr(fetching, "_found", _without_total(fetching._found))
    message = refused(fetch, server, tmp_path / "cache")
    assert "cannot be shown complete (no Content-Length, not gzip" in message
    assert not (tmp_path / "cache" / "raw").exists()


def _without_total(found):
    def wrapped(key, data_set):
        return found(key, {**data_set, "latestVersion": {"version": "1.0"}})

    return wrapped


def test_a_dripping_server_does_not_defeat_the_timeout(server, good_cache):
    before = fingerprint(good_cache)
    server.mode = "drip"  # one byte every 0.5 s
    started = time.monotonic()
    message = refused(fetch, server, good_cache, timeout=2.0)
    assert time.monotonic() - started < 6
    assert "not complete after 2 seconds" in message
    assert fingerprint(good_cache) == before


@pytest.mark.parametrize(("mode", "message"), [("bomb", "decompresses to"), ("huge_plain", "sent")])
def test_an_exploding_download_is_cut_off_with_memory_bounded(
    server, raw_dir, good_cache, monkeypatch, mode, message
):
    """A gzip that expands 1000-fold, or an endless plain body: cut at the limit (here made
    2 MB to keep the test quick), streamed to disk, never held in memory."""
    monkeypatch.setattr(limits, "DOWNLOAD_BYTES", 2 << 20)
    body = (raw_dir / CLA_FILE).read_bytes() + b"\0" * (64 << 20)
    server.bomb = gzip.compress(body, compresslevel=1) if mode == "bomb" else body
    del body
    before = fingerprint(good_cache)
    server.mode = mode
    tracemalloc.start()
    try:
        text = refused(fetch, server, good_cache, timeout=30)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert f"{message} more than 2 MB" in text
    assert peak < 16 << 20  # the whole body would be 64 MB
    assert fingerprint(good_cache) == before


def test_a_redirect_on_the_same_host_is_followed(server, tmp_path):
    server.mode = "redirect_same"
    (record,) = fetch(server, tmp_path / "cache")
    assert record["key"] == "cla"


def test_an_impossible_figure_served_as_a_data_set_is_refused(
    server, raw_dir, good_cache, tmp_path
):
    hostile = edited(
        raw_dir,
        "c1",
        tmp_path / "served",
        lambda rows: set_cell(rows, "rereferral_count", "4115", derby_2025),
    )
    server.files[C1_FILE] = hostile.read_bytes()
    before = fingerprint(good_cache)
    message = refused(fetch, server, good_cache, "children-in-need", timeout=30)
    assert "column 'rereferral_count': 4115 is more than referral_count (3557)" in message
    assert fingerprint(good_cache) == before


def test_a_header_only_data_set_is_refused_unless_allowed(server, raw_dir, good_cache):
    server.files[CLA_FILE] = (raw_dir / CLA_FILE).read_bytes().split(b"\n", 1)[0] + b"\n"
    before = fingerprint(good_cache)
    assert "has no data rows" in refused(fetch, server, good_cache)
    assert fingerprint(good_cache) == before
    assert fetch(server, good_cache, allow_shrink=True)


def test_a_second_writer_is_told_another_is_writing(server, good_cache):
    before = fingerprint(good_cache)
    with writing(good_cache):
        message = refused(fetch, server, good_cache)
    assert "another cscbench data import, fetch or build is writing to" in message
    assert fingerprint(good_cache) == before


def test_the_command_says_it_in_one_line(server, good_cache):
    before = fingerprint(good_cache)
    server.mode = "no_id"
    env = {**os.environ, "CSCBENCH_CACHE": str(good_cache)}
    out = subprocess.run(
        [sys.executable, "-m", "cscbench.cli", "data", "fetch", "--base-url", server.url],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert out.returncode == 2 and len(out.stderr.strip().splitlines()) == 1, out.stderr
    assert "internal error" not in out.stderr and "has no data set id" in out.stderr
    assert fingerprint(good_cache) == before
