"""Shared fixtures: raw DfE files are found through CSCBENCH_SHARED_DATA."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import settings

# No time limit on a property's example: speed is measured by benchmark/, never asserted in
# tests (hypothesis's default 200 ms deadline failed a test at random on a loaded machine).
settings.register_profile("cscbench", deadline=None)
settings.load_profile("cscbench")

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("CSCBENCH_SHARED_DATA", ROOT.parent / "shared" / "data"))
RAW_DFE = SHARED_DATA / "dfe"

# Tests use the shipped snapshot, whatever a developer has built in their own cache.
os.environ["CSCBENCH_CACHE"] = tempfile.mkdtemp(prefix="cscbench-test-cache-")


@pytest.fixture(scope="session")
def raw_dir() -> Path:
    if not RAW_DFE.is_dir():
        pytest.fail(f"raw DfE files not found at {RAW_DFE}; set CSCBENCH_SHARED_DATA")
    return RAW_DFE


@pytest.fixture(scope="session")
def raw(raw_dir):
    from cscbench.datasets.loaders import read_raw

    return read_raw(raw_dir)


@pytest.fixture
def raw_copy(raw_dir, tmp_path) -> Path:
    """A writable copy of the raw folder, for tests that corrupt a file."""
    target = tmp_path / "dfe"
    shutil.copytree(raw_dir, target)
    for path in target.iterdir():
        path.chmod(0o644)
    return target


@pytest.fixture(scope="session")
def built_cache(raw_dir, tmp_path_factory) -> Path:
    """A cache with every real file imported and built into the active data set (copy it
    before changing it: see ``cache`` in test_hostile_data.py)."""
    from cscbench.analyses import derived_tables
    from cscbench.datasets.cache import build_active, import_files
    from cscbench.datasets.loaders import find_source_file
    from cscbench.datasets.registry import SOURCES

    cache = tmp_path_factory.mktemp("built") / "cache"
    import_files([find_source_file(raw_dir, key) for key in SOURCES], cache)
    build_active(cache, derive=derived_tables)
    return cache
