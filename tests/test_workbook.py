"""The pack's workbook, read back with openpyxl: the Summary's figures are the engine's at each
indicator's decimals and are real numbers with that many decimals in their format; colour
follows the indicator's polarity, never the direction of a change; text stays text; the
header rows are frozen and filtered (issue 22)."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import polars as pl
import pytest

openpyxl = pytest.importorskip("openpyxl")

from cscbench.analyses import benchmark, benchmark_table  # noqa: E402
from cscbench.datasets.registry import INDICATORS, SHARES  # noqa: E402
from cscbench.report import pack_content  # noqa: E402
from cscbench.report.summary import COLUMNS, comparison_words  # noqa: E402
from cscbench.report.workbook import write_tables  # noqa: E402

RED, GREEN = "FFFFC7CE", "FFC6EFCE"
BY_TITLE = {i.title: k for k, i in INDICATORS.items()}
NUMBERS = ["Value", "95% interval: low", "95% interval: high", "Comparator average", "Region"]
ENGINE = dict(
    zip(
        [*NUMBERS, "England"],
        ["value", "ci95_low", "ci95_high", "comparator_mean", "region", "england"],
        strict=True,
    )
)


def book_of(folder: Path, la: str, year: int, **options) -> openpyxl.Workbook:
    content = pack_content(la, year=year, **options)
    folder.mkdir(parents=True, exist_ok=True)
    write_tables(folder, content.tables(), content.source, content)
    return openpyxl.load_workbook(folder / "tables.xlsx")


def summary(book) -> list[dict]:
    """The Summary's rows as {header: cell}."""
    rows = list(book["Summary"].iter_rows())
    headers = [c.value for c in rows[0]]
    return [dict(zip(headers, row, strict=True)) for row in rows[1:]]


def decimals_of(number_format: str) -> int:
    """The decimal places an Excel number format shows (its first section)."""
    found = re.match(r"[+]?#,##0(?:\.(0+))?", number_format)
    assert found, number_format
    return len(found.group(1) or "")


def row_of(rows: list[dict], indicator: str) -> dict:
    return next(r for r in rows if r["Measure"].value == INDICATORS[indicator].title)


@pytest.fixture(scope="module")
def derby(tmp_path_factory):
    return book_of(tmp_path_factory.mktemp("derby"), "Derby", 2025)


def test_the_workbook_opens_on_the_summary_and_keeps_every_table(derby):
    assert derby.sheetnames == [
        "Summary",
        "Notes",
        "benchmark (all columns)",
        "narrative",
        "group",
        "inspections",
    ]
    assert [c.value for c in next(derby["Summary"].iter_rows())] == [c.header for c in COLUMNS]
    full = derby["benchmark (all columns)"]
    assert full.max_column == len(benchmark("Derby", year=2025).columns)


def test_the_summary_is_the_engines_figures_at_each_indicators_decimals(derby):
    engine = benchmark("Derby", year=2025)
    rows = summary(derby)
    shown = [BY_TITLE[r["Measure"].value] for r in rows]
    assert shown == [k for k in INDICATORS if k in shown]  # by theme, in report order
    # Every row of the engine's, and a row saying so for each indicator whose DfE file holds
    # no figures for 2024-25 (school moves and social workers of children looked after).
    by_indicator = dict(zip(shown, rows, strict=True))
    assert set(shown) - set(engine["indicator"]) == {
        "cla_school_move_pct",
        "cla_3plus_social_workers_pct",
    }
    assert by_indicator["cla_school_move_pct"]["Flags"].value.startswith("There are no figures")
    checked = 0
    for want in engine.iter_rows(named=True):
        row = by_indicator[want["indicator"]]
        d = INDICATORS[want["indicator"]].decimals
        for header, column in ENGINE.items():
            cell = row[header]
            assert decimals_of(cell.number_format) == d, (want["indicator"], header)
            assert cell.number_format.endswith('"%"') == (want["unit"] in SHARES)
            if want[column] is None:
                assert cell.value is None
                continue
            assert cell.data_type == "n" and cell.value == round(want[column], d), header
            checked += 1
        assert row["Year"].value in (  # (LAIT's school and census measures: their own dates)
            "2024-25",
            "31 March 2025",
            "30 September 2024",
            "the 2024/25 academic year",
            "January 2025",
            "2025",
        )
    assert checked > 250
    # Derby's re-referral rate in 2024-25: 23.1% (DfE's c1 file: 23.1), up 0.7 points, 2nd of
    # 11, band D; similar to England's 22.6%, above the comparator average of 20.1%.
    reref = row_of(rows, "rereferral_pct")
    assert [reref[h].value for h in ("Value", "England", "Comparator average")] == [
        23.1,
        22.6,
        20.1,
    ]
    assert reref["1-year change"].value == 0.7 and "pts" in reref["1-year change"].number_format
    assert reref["Rank in group (1 = highest)"].value == "2 of 11"
    assert reref["Quartile band (A best)"].value == "D"
    assert (reref["vs England"].value, reref["vs comparators"].value) == ("similar", "worse")
    # A rate's change is in per cent: Derby's referral rate fell 16.6%, from 686.5 to 572.7.
    rate = row_of(rows, "referral_rate")
    assert rate["1-year change"].value == -16.6 and '"%"' in rate["1-year change"].number_format


def test_colour_follows_polarity_and_says_it_in_words(derby):
    for row in summary(derby):
        for header in ("vs England", "vs comparators"):
            words, fill = row[header].value, row[header].fill.fgColor.rgb
            assert (
                words
                in ("better", "worse", "similar", "higher", "lower", "no interval", "no figure")
                or row["Value"].value is None
            )
            assert (fill == GREEN) == (words == "better") and (fill == RED) == (words == "worse")
        assert row["1-year change"].fill.fgColor.rgb not in (RED, GREEN)  # never by sign
    # Referrals per 10,000 children is a context measure (LAIT: no polarity): above England
    # significantly, said "higher", and not coloured.
    rate = row_of(summary(derby), "referral_rate")
    assert rate["vs England"].value == "higher"
    assert rate["Value"].fill.fgColor.rgb not in (RED, GREEN)


def test_a_falling_re_referral_rate_better_than_england_is_green_not_red(tmp_path):
    # Camden 2016-17: 9.1% of referrals were re-referrals, down 3.9 points, against England's
    # 21.9% (DfE's c1 file: 9.1 and 21.9); low is good, so it is better, and green.
    row = benchmark("Camden", year=2017, indicators=["rereferral_pct"]).row(0, named=True)
    assert row["change_1y"] < 0 and row["england_comparison_95"] == "below"
    cells = row_of(summary(book_of(tmp_path, "Camden", 2017)), "rereferral_pct")
    assert cells["Value"].value == 9.1 and cells["England"].value == 21.9
    assert cells["1-year change"].value == -3.9
    assert cells["vs England"].value == "better"
    assert cells["Value"].fill.fgColor.rgb == GREEN == cells["vs England"].fill.fgColor.rgb
    assert RED not in {c.fill.fgColor.rgb for c in cells.values()}


def test_a_rising_re_referral_rate_worse_than_england_is_red(tmp_path):
    # Kensington and Chelsea 2017-18: 27.6%, up 4.0 points, against England's 21.9%.
    row = benchmark("Kensington and Chelsea", year=2018, indicators=["rereferral_pct"])
    assert row["change_1y"][0] > 0 and row["england_comparison_95"][0] == "above"
    cells = row_of(summary(book_of(tmp_path, "Kensington and Chelsea", 2018)), "rereferral_pct")
    assert (cells["Value"].value, cells["1-year change"].value) == (27.6, 4.0)
    assert cells["vs England"].value == "worse"
    assert cells["Value"].fill.fgColor.rgb == RED == cells["vs England"].fill.fgColor.rgb
    assert cells["Value"].font.color.rgb == "FF9C0006"


@pytest.mark.parametrize(
    "indicator", ["rereferral_pct", "icpc_15days_pct", "referral_rate", "cla_count"]
)
def test_every_authority_and_years_judgement_by_polarity(indicator):
    # Worked from the numbers, not the engine's labels: better where England lies outside the
    # 95% interval on the side polarity calls worse.
    table = benchmark_table(indicators=[indicator]).filter(pl.col("value").is_not_null())
    polarity = INDICATORS[indicator].polarity
    seen = set()
    for row in table.iter_rows(named=True):
        words = comparison_words(row, "england")
        low, high, england = row["ci95_low"], row["ci95_high"], row["england"]
        if low is None:
            want = "no interval"
        elif low <= england <= high:
            want = "similar"
        elif polarity == "context":
            want = "higher" if row["value"] > england else "lower"
        else:
            want = "better" if (row["value"] < england) == (polarity == "low_is_good") else "worse"
        assert words == want, (row["area_name"], row["year"])
        seen.add(words)
    assert len(seen) >= (1 if INDICATORS[indicator].unit == "count" else 3)


def test_panes_filters_and_widths(derby):
    sheet = derby["Summary"]
    assert sheet.freeze_panes == "C2"  # the header row and the theme and measure columns
    assert sheet.auto_filter.ref == f"A1:Q{sheet.max_row}"
    assert sheet.column_dimensions["B"].width == pytest.approx(46, abs=1)
    assert sheet.print_title_rows == "$1:$1"  # repeated on every printed page
    for name in derby.sheetnames[1:]:
        assert derby[name].freeze_panes == "A2", name


def test_the_notes_say_what_the_columns_mean_sources_and_licence(derby):
    notes = {}
    for item, text in derby["Notes"].iter_rows(min_row=2, values_only=True):
        notes.setdefault(item, []).append(text)
    assert notes["Authority"] == ["Derby"] and notes["Region"] == ["East Midlands"]
    assert notes["Comparators"][0].startswith("Coventry, Bolton, Walsall")
    assert all(f"Column: {c.header}" in notes for c in COLUMNS)
    assert any("c1_children_in_need_referrals" in s for s in notes["Source"])
    assert "Open Government Licence v3.0" in notes["Licence"][0]


def test_a_year_without_a_file_says_so_in_the_summary(tmp_path):
    # DfE's looked-after figures by authority (and LAIT's, which carry them back) start in
    # 2015-16; the placement stability file in 2020-21.
    rows = summary(book_of(tmp_path, "Derby", 2015))
    cla = row_of(rows, "cla_count")
    assert cla["Value"].value is None
    assert cla["Flags"].value.startswith("There are no figures on children looked after")
    later = summary(book_of(tmp_path / "2017", "Derby", 2017))
    assert row_of(later, "cla_count")["Value"].value == 448  # LAIT's LACnum, 31 March 2017
    stability = row_of(later, "cla_3plus_placements_pct")
    assert stability["Value"].value is None
    assert stability["Flags"].value.startswith("There are no figures on placement stability")


LEADING = ["=", "+", "-", "@", "\t", "\r"]


@pytest.mark.parametrize("lead", LEADING)
def test_a_formula_leading_group_name_stays_text(tmp_path, lead):
    hostile = f'{lead}HYPERLINK("http://evil","x")+cmd|\' /C calc\'!A0'
    book = book_of(
        tmp_path,
        "Rutland",
        2025,
        comparators=["Leicestershire", "Derbyshire"],
        group_name=hostile,
    )
    with zipfile.ZipFile(tmp_path / "tables.xlsx") as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/sheet")]
        assert sheets and not any(b"<f>" in archive.read(n) for n in sheets)
    cell = next(r[1] for r in book["Notes"].iter_rows() if r[0].value == "Comparator group")
    text = cell.value.replace("_x000D_", "\r")  # OOXML's escape of a carriage return
    assert cell.data_type == "s" and text == f"{hostile} (excluding Rutland)"


def _autofit_widths(frame: pl.DataFrame, folder: Path) -> dict[str, int]:
    """The widths xlsxwriter's own autofit gives a table of ``frame`` (the reference)."""
    import xlsxwriter

    with xlsxwriter.Workbook(str(folder / "autofit.xlsx")) as book:
        frame.write_excel(book, worksheet="a", autofit=True)
        infos = book.worksheets()[0].col_info
        return {frame.columns[i]: info.width for i, info in infos.items()}


@pytest.mark.parametrize(
    ("la", "year"),
    [
        ("Derby", 2025),
        ("Rutland", 2018),
        ("Kent", 2021),
        ("Isles of Scilly", 2025),
        ("Cumberland", 2024),
        ("Birmingham", 2017),
        ("City of London", 2023),
    ],
)
def test_every_tables_widths_are_autofits(la, year, tmp_path):
    # fitted_widths measures each column's longest texts and numbers, not every cell as
    # autofit does; on every table of these packs it gives autofit's widths exactly
    from cscbench.output import fitted_widths, flatten
    from cscbench.report.workbook import in_words

    for name, frame in pack_content(la, year=year).tables().items():
        flat = flatten(in_words(frame))
        assert fitted_widths(flat) == _autofit_widths(flat, tmp_path), name


def test_widths_of_lines_booleans_dates_and_nulls_are_autofits(tmp_path):
    from datetime import date

    from cscbench.output import fitted_widths

    frame = pl.DataFrame(
        {
            "text": ["short", "a much longer line\nand a second", None],
            "flag": [True, None, True],
            "mixed": [True, False, None],
            "day": [date(2025, 3, 31), None, None],
            "n": [1, 22_333_444, None],
            "x": [0.1, None, 123.456789],
            "empty": [None, None, None],
        }
    )
    assert fitted_widths(frame) == _autofit_widths(frame, tmp_path)


def test_a_full_table_keeps_its_types_and_never_colours_by_sign(tmp_path):
    # the data sheets: years whole (2025, not 2,025), decimals to three places in black
    # whatever their sign, dates as dates, booleans as booleans, a missing figure an empty
    # cell, a NaN Excel's #NUM! error, formula-leading text as text; header frozen, filtered
    from datetime import date

    frame = pl.DataFrame(
        {
            "year": [2025, 2024, 2023],
            "change": [-3.25, None, float("nan")],
            "inspected": [date(2022, 3, 21), None, None],
            "exists": [True, False, None],
            "name": ["=HYPERLINK(1)", "Derby", None],
        }
    )
    write_tables(tmp_path, {"data": frame})
    sheet = openpyxl.load_workbook(tmp_path / "tables.xlsx")["data"]
    rows = list(sheet.iter_rows(min_row=2))
    assert [r[0].value for r in rows] == [2025, 2024, 2023] and rows[0][0].number_format == "0"
    assert rows[0][1].value == -3.25 and rows[0][1].number_format == "#,##0.000"
    assert rows[1][1].value is None and rows[2][1].value == "=#NUM!"  # xlsxwriter's error
    assert rows[0][2].value.date() == date(2022, 3, 21) and rows[0][2].is_date
    assert [r[3].value for r in rows] == [True, False, None]
    assert rows[0][4].value == "=HYPERLINK(1)" and rows[0][4].data_type == "s"
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == "A1:E4"
