"""The local measures file: every kind of bad row found, located and worded; good files read.

One file holds a row of every kind of problem (``BAD``); the test asserts each problem's row,
column and words, the one-line error that reading it stops with, and that the same rows as
an Excel sheet give the same problems.
"""

from __future__ import annotations

import csv
import io
import os
from datetime import datetime

import polars as pl
import pytest

from cscbench.datasets.local_measures import check_measures, read_measures
from cscbench.datasets.local_periods import period_name, period_start, read_period, short_label
from cscbench.datasets.local_template import TEMPLATE, template_frame, write_template
from cscbench.errors import DataError, UsageError

HEADER = "measure,title,unit,polarity,theme,frequency,national,period,value,numerator,"
HEADER += "denominator,note,change,colour"
BAD = f"""{HEADER}
ri_72h_pct,Return interviews within 72 hours (%),percent,high_is_good,Missing,,,2024-04,,41,50,,,
ri_72h_pct,,,,,,,2024-05,,60,50,,,
ri_72h_pct,,count,,,,,2024-06,80,,,,,
ri_72h_pct,,,,,,,2024-06,,40,50,,,
ri_72h_pct,,,,,,,2024-09,,40,50,,,
ri_72h_pct,,,,,,,2024-25 Q3,,40,50,,,
ri_72h_pct,,,,,,,Smarch 2024,,40,50,,,
ri_72h_pct,,,,,,,2024-10,81,40,50,,,
ri_72h_pct,,,,,,,2024-11,,,,,,
ri_72h_pct,,,,,,,2024-12,,40,0,,,
ri_72h_pct,,,,,,,2025-01,,40,,,,
ri_72h_pct,,,,,,,2025-02,abc,,,,,
ri_72h_pct,,,,,,,2025-03,-4,,,,,
ri_72h_pct,,,,,,,2025-04,104,,,,,
lado_referrals,LADO referrals,count,context,Allegations,,,2024-04,12.5,,,,new model,
lado_referrals,,,,,,,2024-05,12,,30,"=HYPERLINK(""x"")",,
lado_referrals,,,,,,,,14,,,,,
Bad Id,x,count,context,Allegations,,,2024-04,1,,,,,
rereferral_pct,,count,,Front door,,,2024-04,20,,,,,
s_rate,S47s,rate_per_10k,sideways,Front door,,cp_rate_x,2024-04,2,,,,,
no_theme,No theme,count,context,,,,2024-04,2,,,,,
amb,Ambiguous,count,context,LADO,,,2010-11,102,,,,,
amb,,,,,,,2011-12,104,,,,,
cin,Children in need,percent,context,Front door,,cin_rate,2024-04,2,,,,,
"""

#: (row, column, problem) of every problem in BAD, in the order check_measures gives them.
EXPECTED = [
    (1, "colour", "not a column of a measures file (those are: measure, title, unit, "
     "polarity, theme, frequency, definition, national, period, value, numerator, "
     "denominator, note, change)"),
    (3, "numerator", "60 is more than its denominator, 50"),
    (4, "unit", "count does not match percent given for ri_72h_pct on row 2"),
    (5, "period", "2024-06 repeats row 4"),
    (6, "period", "gap: no row for 2024-07 to 2024-08 (after 2024-06, row 4)"),
    (7, "period", "2024-25 Q3 is a quarter; this measure's periods are months (row 2)"),
    (8, "period", "'Smarch 2024' is not a month ('2024-04'), a quarter ('2024-25 Q1') or a "
     "year ('2024-25')"),
    (9, "value", "81 does not agree with numerator / denominator (80.0)"),
    (10, "value", "no figure: give a value, or numerator and denominator, or a note saying "
     "why it is missing"),
    (11, "denominator", "is 0"),
    (12, "denominator", "a numerator needs its denominator for a percent"),
    (13, "value", "abc is not a number"),
    (14, "value", "-4 is negative"),
    (15, "value", "is a percentage over 100"),
    (16, "change", "a change point on the measure's first period has no earlier process"),
    (16, "value", "a count is a whole number"),
    (17, "denominator", "a count has no denominator"),
    (17, "note", "starts like a spreadsheet formula (=, +, - or @): refused"),
    (18, "period", "a figure needs a period"),
    (19, "measure", "Bad Id is not an id: lower-case letters, digits and _, starting with a "
     "letter"),
    (20, "unit", "rereferral_pct is DfE's indicator, whose unit is percent"),
    (21, "national", "cp_rate_x is not an indicator in 'cscbench indicators'"),
    (21, "polarity", "sideways is not one of high_is_good, low_is_good, context"),
    (22, "theme", "measure no_theme has no theme: give it on its first row"),
    (23, "period", "2010-11 could be a month or a financial year: give the measure's frequency"),
    (24, "period", "2011-12 could be a month or a financial year: give the measure's frequency"),
    (25, "national", "cin is in percent; cin_rate is in rate_per_10k"),
]  # fmt: skip


def _write(tmp_path, text: str, name: str = "measures.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_every_kind_of_bad_row_is_reported_with_row_column_and_why(tmp_path):
    problems = check_measures(_write(tmp_path, BAD))
    assert set(problems["file"]) == {"measures.csv"}
    assert problems.select("row", "column", "problem").rows() == EXPECTED


def test_reading_a_bad_file_stops_with_its_first_problem_and_the_count(tmp_path):
    with pytest.raises(DataError) as caught:
        read_measures(_write(tmp_path, BAD))
    assert str(caught.value) == (
        "measures.csv, row 1, column 'colour': not a column of a measures file (those are: "
        "measure, title, unit, polarity, theme, frequency, definition, national, period, "
        "value, numerator, denominator, note, change) (and 26 more: see 'cscbench local check "
        "measures.csv')"
    )


def _as_workbook(text: str, path) -> None:
    """The CSV's rows as an Excel sheet, numbers as numbers (as a person would type them)."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("measures")
    for r, row in enumerate(csv.reader(io.StringIO(text))):
        for c, cell in enumerate(row):
            try:
                number = float(cell)
            except ValueError:
                sheet.write_string(r, c, cell) if cell else None
            else:
                sheet.write_number(r, c, number)
    book.close()


def test_the_same_rows_as_an_excel_sheet_give_the_same_problems(tmp_path):
    _as_workbook(BAD, tmp_path / "measures.xlsx")
    problems = check_measures(tmp_path / "measures.xlsx")
    assert problems.select("row", "column", "problem").rows() == EXPECTED


def test_excel_date_cells_are_read_as_their_month(tmp_path):
    import xlsxwriter

    path = tmp_path / "dates.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    dated = book.add_format({"num_format": "mmm-yy"})
    sheet.write_row(0, 0, ["measure", "title", "unit", "polarity", "theme", "period", "value"])
    for r, month in enumerate((4, 5, 6), start=1):
        sheet.write_row(r, 0, ["contacts", "Contacts", "count", "context", "Front door"])
        sheet.write_datetime(r, 5, datetime(2024, month, 1), dated)
        sheet.write_number(r, 6, 100 + r)
    book.close()
    points = read_measures(path).points
    assert points.select("period", "value").rows() == [
        ("2024-04", 101.0), ("2024-05", 102.0), ("2024-06", 103.0)
    ]  # fmt: skip


GOOD = """measure,title,unit,polarity,theme,period,value,numerator,denominator,note,change
ri_72h_pct,Return interviews within 72 hours (%),percent,high_is_good,Missing,2024-04,,41,50,,
ri_72h_pct,,,,,2024-05,,,,system outage: no figures,
ri_72h_pct,,,,,2024-06,82.0,41,50,,new provider
qa,QA notifications,count,context,Quality assurance,2016-17 Q2,55,,,,
qa,,,,,2016-17 Q1,44,,,,
rereferral_pct,,,,Front door,,,,,,
old_lado,LADO referrals,count,context,LADO,2011-12,102,,,,
old_lado,,,,,2012/13,104,,,,
"""


def test_a_good_file_reads_whole_in_period_order(tmp_path):
    read = read_measures(_write(tmp_path, GOOD))
    assert read.measures.select("measure", "unit", "frequency", "national").rows() == [
        ("ri_72h_pct", "percent", "month", None),
        ("qa", "count", "quarter", None),
        ("rereferral_pct", "percent", None, "rereferral_pct"),  # DfE's: unit and match
        ("old_lado", "count", "year", None),  # 2011-12 read as a year beside 2012-13
    ]
    assert read.measures.filter(pl.col("measure") == "rereferral_pct")["title"].item() == (
        "Re-referrals within 12 months (%)"
    )
    points = read.points.select("measure", "period", "value", "note", "change").rows()
    assert points == [
        ("ri_72h_pct", "2024-04", 82.0, None, None),  # 41 / 50
        ("ri_72h_pct", "2024-05", None, "system outage: no figures", None),  # kept, missing
        ("ri_72h_pct", "2024-06", 82.0, None, "new provider"),
        ("qa", "2016-17 Q1", 44.0, None, None),  # sorted by period, not file order
        ("qa", "2016-17 Q2", 55.0, None, None),
        ("old_lado", "2011-12", 102.0, None, None),
        ("old_lado", "2012-13", 104.0, None, None),
    ]
    assert read.points.filter(pl.col("measure") == "qa")["year"].to_list() == [2017, 2017]


@pytest.mark.parametrize(
    "label, kind, name",
    [
        ("2024-04", "month", "April 2024"),
        ("Apr 2024", "month", "April 2024"),
        ("September 2025", "month", "September 2025"),
        ("2024-25 Q1", "quarter", "2024-25 Q1 (April to June 2024)"),
        ("2024-25 Q4", "quarter", "2024-25 Q4 (January to March 2025)"),
        ("2024-25", "year", "2024-25"),
        ("2024/25", "year", "2024-25"),
    ],
)
def test_periods_are_read_as_reports_write_them(label, kind, name):
    readings = read_period(label)
    assert list(readings) == [kind]
    assert period_name(kind, readings[kind][0]) == name


def test_every_month_quarter_and_year_follows_the_one_before():
    """Consecutive periods of each kind, 2000 to 2040, have consecutive indexes and labels
    that read back to the same period."""
    for kind, first, last in (("month", 2000 * 12, 2040 * 12), ("quarter", 2000 * 4, 2040 * 4),
                              ("year", 2000, 2040)):  # fmt: skip
        starts = [period_start(kind, i) for i in range(first, last)]
        assert starts == sorted(starts) and len(set(starts)) == len(starts)
        for index in range(first, last):
            assert read_period(short_label(kind, index))[kind][0] == index


def test_the_template_holds_the_reports_measures_and_checks_clean(tmp_path):
    for suffix in (".csv", ".xlsx"):
        path = write_template(tmp_path / f"measures{suffix}")
        assert check_measures(path).height == 0
        read = read_measures(path)
        assert read.measures.height == len(TEMPLATE) and read.points.height == 0
    ids = template_frame()["measure"].to_list()
    assert {"lado_referrals", "return_interviews_72h_pct", "ehe_children", "rereferral_pct",
            "private_fostering_notifications", "training_attendance_pct"} <= set(ids)  # fmt: skip
    assert template_frame()["definition"].null_count() == 0


def test_the_template_never_overwrites_a_file(tmp_path):
    path = _write(tmp_path, "mine", "measures.csv")
    with pytest.raises(UsageError, match="already exists"):
        write_template(path)
    link = tmp_path / "link.csv"
    os.symlink(tmp_path / "nowhere.csv", link)
    with pytest.raises(UsageError, match="already exists"):
        write_template(link)
    assert path.read_text() == "mine" and not (tmp_path / "nowhere.csv").exists()


def test_hostile_files_are_refused_in_one_line(tmp_path):
    huge = tmp_path / "huge.csv"
    with open(huge, "wb") as f:
        f.truncate(65 * 2**20)
    with pytest.raises(DataError, match=r"huge\.csv: is 65 MB: too large"):
        check_measures(huge)
    fake = _write(tmp_path, "measure,period\n", "fake.xlsx")
    with pytest.raises(DataError, match=r"fake\.xlsx: not a readable Excel workbook"):
        check_measures(fake)
    with pytest.raises(DataError, match="column 'period': missing"):
        check_measures(_write(tmp_path, "measure,value\nx,1\n"))
