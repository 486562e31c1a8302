"""Loaders against values read by hand from the published DfE and ONS files."""

from __future__ import annotations

import polars as pl
import pytest

from cscbench.datasets.loaders import INDICATOR_SCHEMA, read_raw
from cscbench.datasets.quality import published_agreement
from cscbench.datasets.registry import INDICATORS
from cscbench.errors import DataError


def one(raw, indicator, year, la_code=None, area_code=None) -> dict:
    frame = raw.indicators.filter(pl.col("indicator") == indicator, pl.col("year") == year)
    if la_code is not None:
        frame = frame.filter(pl.col("la_code") == la_code)
    if area_code is not None:
        frame = frame.filter(pl.col("area_code") == area_code, pl.col("la_code").is_null())
    assert frame.height == 1, frame
    return frame.row(0, named=True)


def test_one_schema_for_every_source(raw):
    assert raw.indicators.schema == pl.Schema(INDICATOR_SCHEMA)
    sources = {"cin_rate", "rereferral_pct", "cp_subsequent_pct", "cp_2yrs_pct", "cla_rate"}
    assert sources <= set(raw.indicators["indicator"].unique())


# Derby 2016-17, as in section 34 of the Derby Safeguarding Children Board annual report:
# "of the 4,561 referrals in 2016-17, 970 (21.3%) were referrals within 12 months".
def test_derby_2017_rereferrals(raw):
    row = one(raw, "rereferral_pct", 2017, la_code="831")
    assert (row["numerator"], row["denominator"], row["published_value"]) == (970, 4561, 21.3)
    assert row["value"] == pytest.approx(100 * 970 / 4561)
    assert row["area_code"] == "E06000015" and row["region_name"] == "East Midlands"


def test_derby_2017_counts_match_the_annual_report(raw):
    assert one(raw, "cin_count", 2017, la_code="831")["value"] == 2742  # report 34.11
    assert one(raw, "cp_count", 2017, la_code="831")["value"] == 368  # report 34.23
    assert one(raw, "cp_count", 2016, la_code="831")["value"] == 314
    nfa = one(raw, "nfa_pct", 2017, la_code="831")  # report 34.8: 9.8%
    assert (nfa["numerator"], nfa["published_value"]) == (446, 9.8)


def test_rate_uses_mid_year_population_of_the_previous_year(raw):
    # DfE: Derby's 2025 looked-after rate is 545 / 62,113 children (mid-2024) = 88 per 10,000.
    row = one(raw, "cla_rate", 2025, la_code="831")
    assert (row["numerator"], row["denominator"], row["published_value"]) == (545, 62113, 88)
    assert row["value"] == pytest.approx(545 / 62113 * 10_000)
    # 2017 children in need: 2,742 / mid-2016 estimate 58,947 (revised; the report had 461.6).
    cin = one(raw, "cin_rate", 2017, la_code="831")
    assert cin["denominator"] == 58947
    assert cin["value"] == pytest.approx(465.1636, abs=1e-4)


def test_england_2025_headlines(raw):
    cin = one(raw, "cin_rate", 2025, area_code="E92000001")
    assert (cin["numerator"], cin["denominator"]) == (402400, 12183016)
    assert round(cin["value"], 1) == 330.3
    assert cin["geography"] == "national" and cin["region_code"] is None
    reref = one(raw, "rereferral_pct", 2025, area_code="E92000001")
    assert (reref["numerator"], reref["denominator"], reref["published_value"]) == (
        142900,
        632830,
        22.6,
    )
    sub = one(raw, "cp_subsequent_pct", 2025, area_code="E92000001")
    assert (sub["numerator"], sub["denominator"], sub["published_value"]) == (15130, 61840, 24.5)
    cla = one(raw, "cla_rate", 2025, area_code="E92000001")
    assert (cla["numerator"], cla["published_value"]) == (81770, 67)


def test_regional_rows_include_inner_and_outer_london(raw):
    regions = raw.indicators.filter(
        pl.col("indicator") == "cin_rate", pl.col("year") == 2025, pl.col("geography") == "regional"
    )
    assert regions.height == 11
    assert {"E13000001", "E13000002", "E12000007"} <= set(regions["area_code"])


@pytest.mark.parametrize(
    ("indicator", "year", "la_code", "status"),
    [
        ("cin_count", 2021, "204", "x"),  # Hackney 2021 and 2022 are x in b1
        ("cin_count", 2022, "204", "x"),
        ("cin_count", 2024, "850", "u"),  # Hampshire 2024 is u in b1
        ("cla_count", 2025, "201", "c"),  # City of London CLA 2025 is c
        ("cla_rate", 2023, "420", "z"),  # Isles of Scilly: z in every year
        ("cin_rate", 2015, "837", "x"),  # Bournemouth: count published, population x
    ],
)
def test_withheld_values_keep_their_symbol(raw, indicator, year, la_code, status):
    row = one(raw, indicator, year, la_code=la_code)
    assert row["status"] == status
    assert row["value"] is None


def test_rate_with_withheld_population_keeps_the_count(raw):
    row = one(raw, "cin_rate", 2015, la_code="837")
    assert row["numerator"] == one(raw, "cin_count", 2015, la_code="837")["value"]
    assert row["denominator"] is None


def test_percentage_of_zero_cases_is_not_applicable(raw):
    zero = raw.indicators.filter(
        pl.col("indicator") == "cp_subsequent_pct", pl.col("denominator") == 0
    )
    assert zero.height > 0
    assert set(zero["status"]) == {"z"} and zero["value"].null_count() == zero.height


def test_authorities_per_year_follow_reorganisations(raw):
    counts = dict(
        raw.indicators.filter(pl.col("indicator") == "cin_count", pl.col("geography") == "la")
        .group_by("year")
        .len()
        .rows()
    )
    assert [counts[y] for y in range(2013, 2026)] == [152] * 7 + [151] * 2 + [152] * 2 + [153] * 2


def test_abolished_and_created_authorities_keep_their_own_series(raw):
    years = (
        raw.indicators.filter(pl.col("indicator") == "cin_count", pl.col("geography") == "la")
        .group_by("la_code")
        .agg(pl.col("year").min().alias("first"), pl.col("year").max().alias("last"))
    )
    spans = {code: (first, last) for code, first, last in years.rows()}
    assert spans["909"] == (2013, 2023)  # Cumbria
    assert spans["942"] == spans["943"] == (2024, 2025)  # Cumberland, Westmorland and Furness
    assert spans["928"] == (2013, 2021)  # Northamptonshire
    assert spans["940"] == spans["941"] == (2022, 2025)
    assert spans["835"] == spans["836"] == spans["837"] == (2013, 2019)
    assert spans["838"] == spans["839"] == (2020, 2025)


def test_area_code_is_the_code_in_force_whatever_the_file_says(raw):
    # The CLA file carries North Yorkshire's E06 code back to 2021; b1 has E10 until 2023.
    assert one(raw, "cla_rate", 2021, la_code="815")["area_code"] == "E10000023"
    assert one(raw, "cin_rate", 2023, la_code="815")["area_code"] == "E10000023"
    assert one(raw, "cla_rate", 2024, la_code="815")["area_code"] == "E06000065"
    # Buckinghamshire keeps 825 and one series; the ONS code changes in 2021.
    assert one(raw, "cin_count", 2020, la_code="825")["area_code"] == "E10000002"
    assert one(raw, "cin_count", 2021, la_code="825")["area_code"] == "E06000060"


def test_rows_for_authorities_that_did_not_exist_are_accounted_not_kept(raw):
    assert raw.indicators.filter(pl.col("la_code") == "909", pl.col("year") == 2024).is_empty()
    skipped = raw.accounting.filter(
        pl.col("file") == "cla_number_and_rate_per_10k_children.csv", pl.col("outcome") == "skipped"
    )
    # Cumbria 2024-25, Northamptonshire 2022-25, Cumberland and W&F 2021-23, N and W Northants 2021:
    # 14 authority-years x 3 population types.
    assert skipped.height == 42
    assert set(skipped["reason"]) == {
        "authority did not exist at the end of this year (a row of symbols)"
    }


def test_every_input_row_is_accounted_for(raw):
    for key, path in raw.files.items():
        if key.startswith("lait"):  # by record, not by line: see test_lait.py
            continue
        if path.suffix != ".csv":  # Ofsted's spreadsheet: accounted by sheet and row
            sheets = raw.accounting.filter(pl.col("file").str.starts_with(path.name))
            assert sheets.height > 153 and sheets["reason"].null_count() == 0
            continue
        lines = [
            n
            for n, text in enumerate(path.read_text(encoding="utf-8-sig").split("\n"), 1)
            if n > 1 and text.strip()
        ]
        accounted = raw.accounting.filter(pl.col("file") == path.name)
        assert sorted(accounted["line"]) == lines, key
        assert set(accounted["outcome"]) <= {"used", "skipped"}
        assert accounted["reason"].null_count() == 0


def test_published_percentages_and_rates_agree_with_counts_within_rounding(raw):
    checked = published_agreement(raw.indicators)
    compared = checked.filter(pl.col("published_ok").is_not_null())
    assert compared.height > 20_000
    mismatches = compared.filter(~pl.col("published_ok")).select("indicator", "year", "area_name")
    # The only two places where DfE's printed figure is not what its own counts give:
    # second or subsequent plans in 2022 for England (22.7% printed, counts give 22.6%) and
    # Yorkshire and The Humber (23.6% printed, counts 1,660 / 7,490 give 22.2%).
    assert sorted(mismatches.rows()) == [
        ("cp_subsequent_pct", 2022, "England"),
        ("cp_subsequent_pct", 2022, "Yorkshire and The Humber"),
    ]
    from cscbench.datasets.quality import published_decimals

    la_rows = compared.filter(
        pl.col("geography") == "la", pl.col("indicator").str.ends_with("_pct")
    ).with_columns(
        pl.col("indicator")
        .replace_strict({i: 0.5 * 10 ** -published_decimals(i) for i in INDICATORS})
        .alias("half")
    )  # an authority's counts are exact: its figure is within the printed rounding
    assert ((la_rows["value"] - la_rows["published_value"]).abs() <= la_rows["half"] + 1e-9).all()


def test_assessment_factors_are_long_with_their_denominator(raw):
    derby = raw.factors.filter(pl.col("la_code") == "831", pl.col("year") == 2025)
    assert derby.height == 39  # the 39 factor columns of c3
    national = raw.factors.filter(
        pl.col("geography") == "national", pl.col("year") == 2025, pl.col("factor") == "Neglect"
    ).row(0, named=True)
    assert (national["count"], national["episodes"]) == (90370, 513250)
    # Physical abuse by who: x before it was collected.
    early = raw.factors.filter(
        pl.col("factor") == "Physical_Abuse_child_on_child", pl.col("year") == 2018
    )
    assert set(early["status"]) == {"x"}


# --- Bad input stops with one line naming file, row and column ---------------------------------


def rewrite(path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8-sig")
    assert old in text
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def test_non_numeric_count_names_file_row_column(raw_copy):
    path = raw_copy / "b1_children_in_need_2013_to_2025.csv"
    rewrite(path, ",334060,402400,", ",334060,4O2400,")
    with pytest.raises(DataError) as err:
        read_raw(raw_copy)
    assert str(err.value).startswith(
        "b1_children_in_need_2013_to_2025.csv, row 2, column 'At31_episodes': '4O2400' is neither"
    )


def test_unknown_symbol_is_an_error_not_a_null(raw_copy):
    path = raw_copy / "c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv"
    rewrite(path, ",632830,142900,", ",632830,n/a,")
    with pytest.raises(DataError, match=r"row 2, column 'rereferral_count': 'n/a' is neither"):
        read_raw(raw_copy)


def test_missing_column_is_named(raw_copy):
    path = raw_copy / "d3_cpps_subsequent_plan_2013_to_2025.csv"
    rewrite(path, "CPP_subsequent_percent", "CPP_subsequent_pct")
    with pytest.raises(
        DataError, match=r"d3_cpps.*row 1, column 'CPP_subsequent_percent': required"
    ):
        read_raw(raw_copy)


def test_figure_for_an_authority_that_did_not_exist_is_an_error(raw_copy):
    path = raw_copy / "cla_number_and_rate_per_10k_children.csv"
    text = path.read_text(encoding="utf-8-sig")
    line = next(ln for ln in text.split("\n") if ",Cumbria," in ln and ln.startswith("2025"))
    rewrite(path, line, line.replace(",z,z", ",100,20"))
    with pytest.raises(DataError, match="Cumbria did not exist in 2025 but this row has a figure"):
        read_raw(raw_copy)


def test_missing_file_is_named(raw_copy):
    (raw_copy / "d5_cpps_at31march_by_duration_2013_to_2025.csv").unlink()
    with pytest.raises(DataError, match=r"no file matches d5_cpps_at31march_by_duration_\*\.csv"):
        read_raw(raw_copy)
