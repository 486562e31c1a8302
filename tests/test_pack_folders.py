"""Where a pack is written: whole or not at all, never over the user's own files, never
through a planted link, in a folder of its own; and text that a spreadsheet would run as a
formula is written as text (each hostile input tried, the user's files checked byte for
byte)."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import polars as pl
import pytest

from cscbench.errors import UsageError
from cscbench.report import report
from cscbench.report.folders import MARK, PackFolder, check_target, folder_names


def sums(folder: Path) -> dict[str, str]:
    """sha256 of every file under ``folder`` (links as links), by relative path."""
    out = {}
    for path in sorted(folder.rglob("*")):
        key = str(path.relative_to(folder))
        if path.is_symlink():
            out[key] = "link:" + os.readlink(path)
        elif path.is_file():
            out[key] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def users_folder(root: Path) -> Path:
    """A folder of the user's own, holding files a pack would write, and a link out."""
    folder = root / "mine"
    (folder / "figures").mkdir(parents=True)
    (folder / "index.html").write_text("<p>my own page</p>")
    (folder / "benchmark.csv").write_text("mine\n")
    (folder / "figures" / "overview.png").write_bytes(b"my picture")
    outside = root / "outside.txt"
    outside.write_text("not to be touched")
    (folder / "tables.xlsx").symlink_to(outside)
    return folder


def test_a_users_folder_is_refused_and_left_as_it_was(tmp_path):
    folder = users_folder(tmp_path)
    before, outside = sums(folder), (tmp_path / "outside.txt").read_bytes()
    with pytest.raises(UsageError, match="holds files cscbench did not write"):
        report("Rutland", year=2025, out=folder, png=False, workers=1)
    assert sums(folder) == before and (tmp_path / "outside.txt").read_bytes() == outside
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine", "outside.txt"]  # no leftovers


def test_overwrite_replaces_only_the_packs_namesakes_and_never_writes_through_a_link(tmp_path):
    folder = users_folder(tmp_path)
    (folder / "notes.docx").write_text("my notes")
    outside = (tmp_path / "outside.txt").read_bytes()
    report("Rutland", year=2025, out=folder, png=False, workers=1, overwrite=True)
    assert (tmp_path / "outside.txt").read_bytes() == outside  # the link was replaced
    assert not (folder / "tables.xlsx").is_symlink()
    assert (folder / "notes.docx").read_text() == "my notes"  # not the pack's: kept
    assert "Rutland" in (folder / "index.html").read_text()
    assert not (folder / MARK).exists()  # still the user's folder: a later run asks again
    with pytest.raises(UsageError, match="holds files cscbench did not write"):
        check_target(folder)


@pytest.mark.parametrize("kind", ["file", "link"])
def test_out_naming_a_file_or_a_link_is_refused(tmp_path, kind):
    target = tmp_path / "out"
    if kind == "file":
        target.write_text("a file")
    else:
        (tmp_path / "real").mkdir()
        target.symlink_to(tmp_path / "real")
    with pytest.raises(UsageError, match=r"is a file|symbolic link"):
        report("Rutland", year=2025, out=target, png=False, workers=1)
    assert not any((tmp_path / "real").iterdir()) if kind == "link" else True


def test_a_failed_pack_leaves_no_folder_and_the_previous_pack_whole(tmp_path, monkeypatch):
    import cscbench.report.pack as pack

    target = tmp_path / "rutland"
    report("Rutland", year=2025, out=target, png=False, workers=1)
    before = sums(target)

    def broken(*_args, **_kwargs):
        raise RuntimeError("the disk filled up")

    monkeypatch.setattr(pack, "write_tables", broken)
    with pytest.raises(RuntimeError):
        report("Rutland", year=2024, out=target, png=False, workers=1)
    assert sums(target) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rutland"]
    with pytest.raises(RuntimeError):
        report("Rutland", year=2024, out=tmp_path / "new", png=False, workers=1)
    assert not (tmp_path / "new").exists()


def test_a_pack_is_written_again_over_its_own_folder(tmp_path):
    target = tmp_path / "rutland"
    report("Rutland", year=2025, out=target, png=False, workers=1)
    (target / "stale.csv").write_text("left by an older cscbench")
    report("Rutland", year=2024, out=target, png=False, workers=1)
    assert not (target / "stale.csv").exists()  # the folder is the pack, whole
    assert "2023-24" in (target / "index.html").read_text()


def test_folder_names_are_unique_and_never_empty():
    from cscbench.datasets import load_areas

    areas = load_areas().select("la_code", "area_name").rows()
    names = folder_names(areas)
    assert len(set(names.values())) == len(areas) and all(names.values())
    assert names["835"] == "dorset-835" and names["838"] == "dorset-838"
    assert names["831"] == "derby"
    assert folder_names([("999", "!!!")]) == {"999": "999"}


def test_the_all_packs_folders_are_checked_before_any_is_written(tmp_path):
    from cscbench.report import report_all

    (tmp_path / "rutland").mkdir()
    (tmp_path / "rutland" / "mine.txt").write_text("mine")
    with pytest.raises(UsageError, match="holds files cscbench did not write"):
        report_all(tmp_path, year=2025, authorities=["Derby", "Rutland"], workers=1, png=False)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rutland"]


def test_packfolder_moves_in_only_a_whole_folder(tmp_path):
    target = tmp_path / "p"
    with pytest.raises(ValueError), PackFolder(target) as building:
        (building / "index.html").write_text("half")
        raise ValueError("stopped")
    assert not target.exists() and list(tmp_path.iterdir()) == []


# --- formulas ------------------------------------------------------------------------------------

LEADING = ["=", "+", "-", "@", "\t", "\r"]


def sheet_formulas(path: Path) -> list[str]:
    """Every formula cell (<f> element) in the workbook's sheets."""
    with zipfile.ZipFile(path) as book:
        return [
            name
            for name in book.namelist()
            if name.startswith("xl/worksheets/") and b"<f>" in book.read(name)
        ]


@pytest.mark.parametrize("lead", LEADING)
def test_text_from_users_and_data_is_never_a_formula(tmp_path, lead):
    hostile = f'{lead}HYPERLINK("http://evil","x")+cmd|\' /C calc\'!A0'
    folder = report(
        "Rutland",
        year=2025,
        comparators=["Leicestershire", "Derbyshire"],
        group_name=hostile,
        out=tmp_path / "p",
        png=False,
        workers=1,
    )
    assert sheet_formulas(folder / "tables.xlsx") == []
    sheets = pl.read_excel(folder / "tables.xlsx", sheet_id=0)
    assert sheets["benchmark (all columns)"]["group"][0] == f"{hostile} (excluding Rutland)"
    notes = dict(sheets["Notes"].rows())
    assert notes["Comparator group"] == f"{hostile} (excluding Rutland)"  # as text
    for name in ("benchmark.csv", "narrative.csv", "group.csv"):
        frame = pl.read_csv(folder / name, infer_schema_length=None)
        for column, kind in frame.schema.items():
            if kind == pl.String:  # text; numbers (negative changes too) are numbers
                for cell in frame[column].drop_nulls():
                    assert not cell.startswith(tuple(LEADING)), (name, column, cell)
    group_cells = pl.read_csv(folder / "benchmark.csv")["group"]
    assert group_cells[0] == f"'{hostile} (excluding Rutland)"  # OWASP's quote before it


def test_the_command_line_writes_text_as_text(tmp_path):
    from cscbench.output import text_safe, write

    frame = pl.DataFrame({"name": ["=1+2", "@SUM(A1)", "-3", "Derby"], "n": [-1.5, 2, 3, 4]})
    write(frame, "xlsx", tmp_path / "t.xlsx")
    assert sheet_formulas(tmp_path / "t.xlsx") == []
    assert pl.read_excel(tmp_path / "t.xlsx")["name"].to_list() == frame["name"].to_list()
    write(frame, "csv", tmp_path / "t.csv")
    back = pl.read_csv(tmp_path / "t.csv")
    assert back["name"].to_list() == ["'=1+2", "'@SUM(A1)", "'-3", "Derby"]
    assert back["n"].to_list() == [-1.5, 2, 3, 4]  # numbers are numbers
    assert text_safe(frame)["n"].to_list() == frame["n"].to_list()


def test_report_out_a_file_is_one_line(tmp_path):
    target = tmp_path / "pack"
    target.write_text("a file")
    out = subprocess.run(
        [sys.executable, "-m", "cscbench.cli", "report", "Rutland", "--out", str(target)],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 2 and out.stderr.count("\n") == 1, out.stderr
    assert "is a file, not a folder" in out.stderr and target.read_text() == "a file"
