"""Ofsted's ILACS judgements as printed in the .ods, joined to DfE's codes, every row accounted."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from cscbench.datasets.catalogue import SOURCES
from cscbench.datasets.lineage import read_lineage
from cscbench.datasets.ofsted import GRADES, is_inspections, read_inspections
from cscbench.errors import DataError

ODS = "LA_Inspection_Outcomes_as_at_31_March_2025.ods"
SHEET = "Inspections_as_at_31_March"


@pytest.fixture(scope="session")
def codes(raw_dir):
    return read_lineage(raw_dir / "las_lineage.csv")[0]


@pytest.fixture(scope="session")
def inspections(raw_dir, codes):
    return read_inspections(raw_dir / ODS, codes)


def judgements(frame, la_code):
    row = frame.filter(pl.col("la_code") == la_code).row(0, named=True)
    return (
        row["overall_effectiveness"],
        row["leadership"],
        row["help_and_protection"],
        row["children_in_care"],
        row["care_leavers"],
        row["inspection_date"],
        row["publication_date"],
    )


def test_derby_and_rutland_as_printed(inspections):
    frame, _ = inspections
    # Derby, inspected 21 March 2022 (before the care leavers judgement began): Outstanding,
    # with children in care Good.
    assert judgements(frame, "831") == (
        "Outstanding",
        "Outstanding",
        "Outstanding",
        "Good",
        None,
        date(2022, 3, 21),
        date(2022, 5, 11),
    )
    # Rutland, inspected 15 April 2024: Good throughout, care leavers included.
    assert judgements(frame, "857") == (
        "Good",
        "Good",
        "Good",
        "Good",
        "Good",
        date(2024, 4, 15),
        date(2024, 7, 12),
    )
    # Derbyshire, 30 October 2023: Good throughout.
    assert judgements(frame, "830")[:5] == ("Good",) * 5
    derby = frame.filter(pl.col("la_code") == "831").row(0, named=True)
    assert (derby["area_code"], derby["area_name"], derby["ofsted_region"]) == (
        "E06000015",
        "Derby",
        "East Midlands",
    )


def test_one_row_for_every_authority_in_force_on_31_march_2025(inspections, codes):
    frame, _ = inspections
    assert frame.height == 153 and frame["la_code"].n_unique() == 153
    as_at = date(2025, 3, 31)
    current = codes.filter(
        (pl.col("start") <= as_at) & (pl.col("end").is_null() | (pl.col("end") >= as_at))
    )
    assert set(frame["la_code"]) == set(current["la_code"])
    # Recoded and new authorities are found by their code in force: North Yorkshire keeps 815.
    assert frame.filter(pl.col("area_code") == "E06000065")["la_code"].item() == "815"
    assert {"942", "943", "940", "941"} <= set(frame["la_code"])


def test_grades_and_the_care_leavers_judgement_introduced_in_2023(inspections):
    frame, _ = inspections
    for column in ("overall_effectiveness", "leadership", "help_and_protection"):
        assert set(frame[column]) <= set(GRADES)
    blank = frame.filter(pl.col("care_leavers").is_null())
    assert blank.height == 50
    assert (blank["inspection_date"] < date(2023, 1, 1)).all()
    assert (frame.filter(pl.col("care_leavers").is_not_null())["inspection_date"]
            >= date(2023, 1, 1)).all()  # fmt: skip
    counts = dict(frame.group_by("overall_effectiveness").len().rows())
    assert counts == {
        "Outstanding": 36,
        "Good": 67,
        "Requires improvement to be good": 31,
        "Inadequate": 19,
    }


def test_every_row_of_the_sheet_is_accounted_for(inspections):
    _, accounting = inspections
    rows = accounting.filter(pl.col("file") == f"{ODS} [{SHEET}]")
    assert sorted(rows["line"]) == list(range(1, 157))  # title, note, header, 153 authorities
    assert rows.filter(pl.col("outcome") == "used").height == 153
    others = accounting.filter(pl.col("file") != f"{ODS} [{SHEET}]")
    assert sorted(others["file"]) == [
        f"{ODS} [{s}]"
        for s in sorted(
            ["Cover", "Contents", "Notes", "In-year_inspections", "ILACS_inspection_history"]
        )
    ]
    assert set(others["outcome"]) == {"skipped"}


def test_the_spreadsheet_is_recognised_by_its_sheet_and_columns(raw_dir, tmp_path):
    assert is_inspections(raw_dir / ODS)
    other = tmp_path / "other.xlsx"
    pl.DataFrame({"a": [1]}).write_excel(other, worksheet=SHEET)
    assert not is_inspections(other)


# --- Bad input: one line naming file, row and column -----------------------------------------


def sheet_copy(raw_dir, tmp_path, change) -> str:
    """The sheet written as an .xlsx (calamine reads both), after ``change`` to its cells."""
    cells = pl.read_excel(
        raw_dir / ODS,
        sheet_name=SHEET,
        engine="calamine",
        has_header=False,
        read_options={"dtypes": "string"},
    )
    path = tmp_path / "inspections.xlsx"
    change(cells).write_excel(path, worksheet=SHEET, include_header=False)
    return path


def test_an_unknown_grade_names_its_row_and_column(raw_dir, tmp_path, codes):
    def change(cells):
        return cells.with_columns(
            pl.when(pl.col("column_2") == "Derby")
            .then(pl.lit("Excellent"))
            .otherwise(pl.col("column_6"))
            .alias("column_6")
        )

    path = sheet_copy(raw_dir, tmp_path, change)
    row = row_of(raw_dir, "Derby")
    with pytest.raises(DataError, match=rf"inspections.xlsx, row {row}, column 'Overall effect"):
        read_inspections(path, codes)


def row_of(raw_dir, name):
    """The spreadsheet row of an authority (its table starts at row 4)."""
    cells = pl.read_excel(
        raw_dir / ODS,
        sheet_name=SHEET,
        engine="calamine",
        has_header=False,
        read_options={"dtypes": "string"},
    )
    return 4 + cells.slice(3)["column_2"].to_list().index(name)


def test_a_blank_care_leavers_judgement_after_2023_is_an_error(raw_dir, tmp_path, codes):
    def change(cells):
        return cells.with_columns(
            pl.when(pl.col("column_2") == "Rutland")
            .then(None)
            .otherwise(pl.col("column_10"))
            .alias("column_10")
        )

    path = sheet_copy(raw_dir, tmp_path, change)
    with pytest.raises(DataError, match=r"column 'The experiences and progress of care leavers'"):
        read_inspections(path, codes)


def test_an_unknown_area_code_is_an_error(raw_dir, tmp_path, codes):
    def change(cells):
        return cells.with_columns(pl.col("column_1").replace("E06000015", "E06999999"))

    path = sheet_copy(raw_dir, tmp_path, change)
    with pytest.raises(DataError, match=r"'E06999999' is not an authority's ONS code on 31 March"):
        read_inspections(path, codes)


def test_a_changed_header_is_named(raw_dir, tmp_path, codes):
    def change(cells):
        return cells.with_columns(pl.col("column_6").replace("Overall effectiveness", "Overall"))

    path = sheet_copy(raw_dir, tmp_path, change)
    with pytest.raises(DataError, match=r"row 3, column 'Overall effectiveness': header is"):
        read_inspections(path, codes)
    assert SOURCES["ofsted"].columns[6] == "Overall effectiveness"


def test_a_file_that_is_not_a_spreadsheet_is_one_line(tmp_path, codes):
    path = tmp_path / "fake.ods"
    path.write_text("not a spreadsheet")
    with pytest.raises(DataError, match=r"fake.ods: cannot be read as a spreadsheet"):
        read_inspections(path, codes)
