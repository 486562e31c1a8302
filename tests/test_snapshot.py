"""The shipped snapshot: rebuilt from the raw files it must be the same, byte for byte."""

from __future__ import annotations

import json

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from cscbench.analyses import derived_tables
from cscbench.datasets import load_indicators, manifest
from cscbench.datasets.snapshot import (
    DERIVED,
    SNAPSHOT_DIR,
    TABLES,
    build_snapshot,
    read_manifest,
    sha256,
)

ALL_TABLES = TABLES + DERIVED


@pytest.fixture(scope="module")
def rebuilt(raw_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("snapshot")
    return out, build_snapshot(raw_dir, out, derive=derived_tables)


def test_rebuild_gives_the_shipped_tables(rebuilt):
    out, _ = rebuilt
    for name in TABLES:
        assert_frame_equal(
            pl.read_parquet(out / f"{name}.parquet"),
            pl.read_parquet(SNAPSHOT_DIR / f"{name}.parquet"),
        )


def _without_bytes(manifest: dict) -> dict:
    """A manifest less what depends on the libraries' last digits: build time and tool
    releases, and the tables' sha256."""
    kept = {k: v for k, v in manifest.items() if k not in ("built_at", "built_by", "libraries")}
    kept["tables"] = [{k: v for k, v in t.items() if k != "sha256"} for t in manifest["tables"]]
    return kept


def test_rebuild_gives_the_shipped_snapshot(rebuilt):
    """Identical bytes where cscbench and every numeric library are the releases that built
    the shipped snapshot; otherwise the same values to 1e-12 (another numpy or scipy may move
    a float in its last digit)."""
    out, fresh = rebuilt
    shipped = read_manifest()
    same = (shipped["built_by"], shipped.get("libraries")) == (
        fresh["built_by"],
        fresh["libraries"],
    )
    for name in ALL_TABLES:
        if same:
            assert (out / f"{name}.parquet").read_bytes() == (
                SNAPSHOT_DIR / f"{name}.parquet"
            ).read_bytes(), name
        else:
            assert_frame_equal(
                pl.read_parquet(out / f"{name}.parquet"),
                pl.read_parquet(SNAPSHOT_DIR / f"{name}.parquet"),
                check_exact=False,
                rel_tol=1e-12,
                abs_tol=1e-12,
            )
    if same:
        assert {k: v for k, v in fresh.items() if k != "built_at"} == {
            k: v for k, v in shipped.items() if k != "built_at"
        }
    else:
        assert _without_bytes(fresh) == _without_bytes(shipped)


def test_manifest_records_every_numeric_library():
    assert set(manifest()["libraries"]) == {"polars", "numpy", "scipy", "statsmodels"}


def test_two_rebuilds_are_byte_identical(raw_dir, rebuilt, tmp_path, monkeypatch):
    out, _first = rebuilt
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    second = build_snapshot(raw_dir, tmp_path, derive=derived_tables)
    assert second["built_at"] == "2023-11-14T22:13:20+00:00"
    for name in ALL_TABLES:
        assert (out / f"{name}.parquet").read_bytes() == (tmp_path / f"{name}.parquet").read_bytes()


def test_manifest_records_sources_checksums_and_licence(raw_dir):
    shipped = manifest()
    assert shipped["licence"].startswith(
        "Contains public sector information licensed under the Open Government Licence v3.0"
    )
    assert shipped["years"] == [2013, 2025]
    files = {s["file"]: s for s in shipped["sources"]}
    # the first release's 10, c4, the looked-after files, CSWW, Ofsted, LAIT's two files
    assert len(files) == 22
    for name, entry in files.items():
        folder = raw_dir.parent / "lait" if entry["key"].startswith("lait") else raw_dir
        assert entry["sha256"] == sha256(folder / name), name
    assert files["b1_children_in_need_2013_to_2025.csv"]["rows"] == 2132
    for table in shipped["tables"]:
        assert table["sha256"] == sha256(SNAPSHOT_DIR / table["file"])
    skipped = [a for a in shipped["accounting"] if a["outcome"] == "skipped"]
    old = ("cla_number", "las_lineage", "New_Statistical")  # the first release's files
    first = [a for a in skipped if a["file"].startswith(old)]
    assert sum(a["rows"] for a in first) == 42 + 9 + 3  # CLA z rows, lineage, SN separators
    by_reason = {}
    for a in skipped:
        by_reason[a["reason"].split(":")[0]] = by_reason.get(a["reason"].split(":")[0], 0) + 1
    assert set(by_reason) <= {  # every skipped row has one of these reasons
        "authority did not exist at the end of this year (a row of symbols)",
        "authority not in being that year (DfE's files have it other years)",  # LAIT's
        "year label '0' names no period (every such row is '-')",  # LAIT's
        "measure outside cscbench's catalogue (not a children's services measure)",  # LAIT's
        "DfE's looked-after file gives this year, with its counts",  # LAIT's
        "not read by any indicator",
        "joint return of Kingston upon Thames / Richmond upon Thames",
        "joint return of North Northamptonshire / West Northamptonshire",
        "sheet not read",
        "header row",
        "note on the sheet",
        "title of the sheet",
        "blank separator row",
        "section label row (e.g. 'Old SNs",
        "joint row for two authorities' joint returns, not an authority",
        "no 3-digit code",
        "no ONS area code",
    }


def test_snapshot_is_compact():
    total = sum(p.stat().st_size for p in SNAPSHOT_DIR.iterdir())
    assert total < 10_000_000  # issue 21: under 10 MB with every theme


def test_stored_panel_is_what_the_engine_computes(raw_dir):
    from cscbench.analyses.panel_stats import authority_panel
    from cscbench.analyses.stored_panel import STORED_PARTS, from_stored

    chosen = ["rereferral_pct", "cla_rate", "lait_cinsen_sup"]
    computed = authority_panel(load_indicators(chosen, source=raw_dir))
    stored = pl.read_parquet(SNAPSHOT_DIR / "panel.parquet").filter(
        pl.col("indicator").is_in(chosen)
    )
    # the percentile and robust score are stored as their parts, and come back exactly
    assert set(STORED_PARTS) <= set(stored.columns)
    assert not {"percentile", "robust_score"} & set(stored.columns)
    assert_frame_equal(computed, from_stored(stored), check_exact=True)


def test_an_authoritys_panel_rows_are_the_whole_panels():
    # every row of the stored panel comes back on its own: any set of authorities gets
    # exactly the whole panel's rows, for every indicator and year
    from cscbench.analyses.panel_stats import authority_panel
    from cscbench.analyses.table import panel

    whole = authority_panel(load_indicators())
    codes = ["831", "909", "940", "857", "201"]  # Derby, Cumbria, Cumberland, Rutland, City
    assert_frame_equal(panel(la_codes=codes), whole.filter(pl.col("la_code").is_in(codes)),
                       check_exact=True)  # fmt: skip
    assert_frame_equal(panel(), whole, check_exact=True)


def test_a_panels_years_are_the_whole_panels(raw_dir):
    # panel(years=...) filters before reading: every year alone, and two together, are the
    # whole panel's rows of those years, from the snapshot and from the raw files alike
    from cscbench.analyses.table import panel

    chosen = ["rereferral_pct", "cla_rate", "sw_turnover_pct"]
    codes = ["831", "909", "940", "857"]
    for source in (None, raw_dir):
        whole = panel(chosen, source, codes)
        years = sorted(set(whole["year"]))
        assert len(years) >= 10
        for asked in [[y] for y in years] + [[years[0], years[-1]]]:
            expected = whole.filter(pl.col("year").is_in(asked))
            assert_frame_equal(panel(chosen, source, codes, asked), expected, check_exact=True)
        assert panel(chosen, source, codes, [1990]).is_empty()


def test_snapshot_reads_only_what_is_asked():
    frame = load_indicators(["rereferral_pct"], years=[2017], areas=["831"])
    assert frame.height == 1 and frame["value"].item() == pytest.approx(21.2673, abs=1e-4)


def test_functions_can_read_raw_files_instead(raw_dir):
    from_raw = load_indicators(["cp_count"], years=[2017], areas=["831"], source=raw_dir)
    shipped = load_indicators(["cp_count"], years=[2017], areas=["831"])
    assert_frame_equal(from_raw, shipped)
    assert manifest(raw_dir) is None


def test_manifest_is_valid_json_with_newline():
    text = (SNAPSHOT_DIR / "manifest.json").read_text()
    assert text.endswith("\n") and json.loads(text)["name"] == "cscbench data snapshot"


def test_the_build_date_is_read_again_when_the_manifest_changes(tmp_path):
    """store.data_built_at remembers the date per version of the manifest (every chart note of a
    pack says it): a manifest rewritten is read afresh."""
    import json
    import shutil

    from cscbench.datasets.snapshot import SNAPSHOT_DIR
    from cscbench.datasets.store import data_built_at, manifest

    folder = tmp_path / "snap"
    shutil.copytree(SNAPSHOT_DIR, folder)
    assert data_built_at(folder) == manifest(folder)["built_at"] == manifest()["built_at"]
    found = json.loads((folder / "manifest.json").read_text())
    found["built_at"] = "2031-01-02T03:04:05+00:00"
    (folder / "manifest.json").write_text(json.dumps(found, indent=2) + "\n")
    assert data_built_at(folder) == "2031-01-02T03:04:05+00:00"
    assert data_built_at() == manifest()["built_at"]
