"""LAIT's long file and data dictionary: rows picked by hand from the files, every row
accounted for, and one clear line for each kind of bad input."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest

from cscbench.datasets.lait import (
    AREAS,
    DICTIONARY_FILE,
    VALUES_FILE,
    held_decimals,
    indicator_rows,
    parse_year_label,
    period_label,
    read_lait,
)
from cscbench.datasets.lait_rows import FROM_LAIT
from cscbench.datasets.registry import INDICATORS, SIZES, SOURCES
from cscbench.errors import DataError


@pytest.fixture(scope="session")
def lait_dir(raw_dir) -> Path:
    folder = raw_dir.parent / "lait"
    if not folder.is_dir():
        pytest.fail(f"LAIT's files not found at {folder}; set CSCBENCH_SHARED_DATA")
    return folder


@pytest.fixture(scope="session")
def lait(lait_dir):
    return read_lait(lait_dir)


def one(values: pl.DataFrame, measure: str, number: int, label: str) -> dict:
    rows = values.filter(
        pl.col("measure") == measure,
        pl.col("lait_number") == number,
        pl.col("year_label") == label,
    )
    assert rows.height == 1
    return rows.row(0, named=True)


# --- Rows picked by hand from bds_long_0.parquet ------------------------------------------------


def test_derby_rereferrals_2017_is_the_published_21_3(lait):
    row = one(lait.values, "ReReferral", 831, "2017")  # file row: ReReferral, 2017, Derby, 21.3
    assert (row["value"], row["status"], row["year"], row["years_covered"]) == (
        21.3,
        "published",
        2017,
        1,
    )
    assert (row["geography"], row["la_code"], row["area_name"]) == ("la", "831", "Derby")
    assert (row["region_code"], row["region_name"]) == ("E12000004", "East Midlands")
    assert row["area_code"] is None  # LAIT gives authorities no ONS code
    assert row["period"] == "year ending 31 March 2017"


def test_a_dash_is_a_status_never_a_zero(lait):
    row = one(lait.values, "CPPlans2yrsActive", 831, "2017")  # file row 180575: "-"
    assert (row["value"], row["status"]) == (None, "-")
    cumbria = one(lait.values, "LAC", 909, "2024")  # abolished 2023: "-" (file row 90301)
    assert (cumbria["value"], cumbria["status"]) == (None, "-")
    assert one(lait.values, "LAC", 909, "2023")["value"] == 82.0  # file row 90131


def test_every_label_form_is_read_as_what_it_is(lait):
    outturn = one(lait.values, "LACFinance", 831, "2017-18 (OT)")  # file row 2925: 1195
    assert (outturn["value"], outturn["year"], outturn["revision"]) == (1195.0, 2018, "outturn")
    assert outturn["period"] == "financial year 2017-18 (outturn)"
    academic = one(lait.values, "TotPermEx", 831, "2016/17")  # file row 47465: 9.042E-2
    assert (academic["value"], academic["year"]) == (0.09042, 2017)
    assert academic["period"] == "academic year 2016/17"
    span = one(lait.values, "Hosp_Adm_Alc_<18yrs", 831, "2016/17-18/19")  # row 346665: 16.91
    assert (span["value"], span["year"], span["years_covered"]) == (16.91, 2019, 3)
    assert span["period"] == "financial years 2016-17 to 2018-19"
    rta = one(lait.values, "RTA", 301, "2014-16")  # first row of the file: 12.13
    assert (rta["value"], rta["year"], rta["years_covered"]) == (12.13, 2016, 3)
    assert rta["period"] == "calendar years 2014 to 2016"
    revised = one(lait.values, "A3A", 831, "2017")  # row 90815: 6.8, an academic-year measure
    assert revised["period"] == "academic year 2016/17"


def test_england_and_regions_get_their_ons_codes(lait):
    inner = one(lait.values, "PrevRegCPR", 987, "2022")  # file row 29577: "London (Inner)"
    assert (inner["geography"], inner["area_code"], inner["area_name"]) == (
        "regional",
        "E13000001",
        "Inner London",
    )
    assert (inner["la_code"], inner["region_name"], inner["value"]) == (None, None, 18.6)
    england = one(lait.values, "LAC", 970, "2025")
    assert (england["geography"], england["area_code"], england["value"]) == (
        "national",
        "E92000001",
        67.0,
    )
    numbers = lait.values.select("lait_number", "geography").unique()
    assert numbers.filter(pl.col("geography") != "la")["lait_number"].sort().to_list() == sorted(
        AREAS
    )
    assert numbers.filter(pl.col("geography") == "la")["lait_number"].max() < 970


def test_every_row_is_accounted_for(lait_dir, lait):
    raw = pl.read_parquet(lait_dir / VALUES_FILE)
    accounted = lait.accounting.filter(pl.col("file") == VALUES_FILE)
    assert accounted.height == raw.height == 641_070
    assert accounted["line"].sort().to_list() == list(range(1, raw.height + 1))
    skipped = accounted.filter(pl.col("outcome") == "skipped")
    # The 170 rows of CINPermExclusion labelled "0": no period, and no figure.
    assert skipped.height == 170 and raw.filter(pl.col("Years") == "0")[
        "Values"
    ].unique().to_list() == ["-"]
    assert lait.values.height == raw.height - 170
    assert lait.values.filter(pl.col("value").is_null()).height == 93_883 - 170
    assert set(lait.values["status"].unique()) == {"published", "-"}


def test_the_dictionary_is_read_measure_by_measure(lait):
    m = lait.measures
    assert m.height == 448 and m["measure"].n_unique() == 434
    rereferral = m.filter(pl.col("measure") == "ReReferral").row(0, named=True)
    assert (rereferral["topic"], rereferral["lait_polarity"], rereferral["polarity"]) == (
        "Child Protection",
        "Low",
        "low_is_good",
    )
    assert (rereferral["year_type"], rereferral["decimals"], rereferral["quartiles"]) == (
        "Financial Year",
        None,
        True,
    )
    cin = m.filter(pl.col("measure") == "CIN").row(0, named=True)
    assert (cin["lait_polarity"], cin["polarity"]) == ("-", "context")
    assert m.filter(pl.col("measure") == "CPP_Abuse")["decimals"].item() == 0
    infant = m.filter(pl.col("measure") == "InfMort").row(0, named=True)  # the first record
    assert (infant["line"], infant["last_update"], infant["next_update"]) == (
        2,
        date(2025, 6, 1),  # serial 45809
        date(2026, 6, 1),  # serial 46174
    )
    # Measures under two topics (LAIT joins them many-to-many): 14, each twice.
    twice = m.group_by("measure").len().filter(pl.col("len") > 1)
    assert twice.height == 14 and set(twice["len"]) == {2}
    no_band = m.filter(~pl.col("quartiles"))
    assert no_band.height == 21
    assert m.filter(pl.col("lait_polarity").is_null())["polarity"].unique().to_list() == ["context"]
    assert set(m.filter(pl.col("discontinued"))["measure"]) == {"PreChildDea", "RTA"}
    notes = m.filter(pl.col("last_update").is_null())["last_update_note"].unique().sort()
    assert notes.to_list() == ["New Data", "New data"]


def test_measure_records_carry_the_line_they_start_on(lait_dir, lait):
    # Descriptions hold quoted line breaks: a record's line is where it starts in the file.
    lines = (lait_dir / DICTIONARY_FILE).read_bytes().decode("utf-8").split("\n")
    for row in lait.measures.sample(20, seed=1).iter_rows(named=True):
        assert f'"{row["measure"]}"' in lines[row["line"] - 1]


def test_held_decimals_of_the_csc_measures(lait):
    held = dict(held_decimals(lait.values).iter_rows())
    assert [held[m] for m in ("ReReferral", "CIN", "LAC", "LACnum", "CPP_Abuse_Rate")] == [
        1,
        1,
        0,
        0,
        1,
    ]


def test_indicator_rows_put_a_measure_in_the_indicator_frame(lait):
    from cscbench.datasets.loaders import INDICATOR_SCHEMA

    rows = indicator_rows(lait.values, "PrevRegCPR", "cp_subsequent_pct")
    # the indicator frame's columns, and the line of LAIT's file each row comes from
    assert rows.schema == pl.Schema({**INDICATOR_SCHEMA, "line": pl.Int64})
    inner = rows.filter(pl.col("area_code") == "E13000001", pl.col("year") == 2022).row(
        0, named=True
    )
    assert (inner["region_code"], inner["region_name"], inner["published_value"]) == (
        "E13000001",
        "Inner London",
        18.6,
    )
    assert rows["numerator"].null_count() == rows.height  # values only


# --- Year labels --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("label", "year", "covered", "form", "revision"),
    [
        ("2016", 2016, 1, "year", None),
        ("2016-17", 2017, 1, "year_to_year", None),
        ("2016-17 (OT)", 2017, 1, "year_to_year", "outturn"),
        ("2015/16", 2016, 1, "academic_year", None),
        ("2014-16", 2016, 3, "years_span", None),
        ("2013/14-15/16", 2016, 3, "split_years_span", None),
        ("2025 (Rev)", 2025, 1, "year", "revised"),
        ("2020 (Final)", 2020, 1, "year", "final"),
        ("2025 (prov)", 2025, 1, "year", "provisional"),
        ("1999-00", 2000, 1, "year_to_year", None),
    ],
)
def test_year_labels(label, year, covered, form, revision):
    read = parse_year_label(label)
    assert (read.year, read.years_covered, read.form, read.revision) == (
        year,
        covered,
        form,
        revision,
    )


@pytest.mark.parametrize("label", ["2016-19", "2016/18", "16", "2016 (draft)", "2016-17-18", ""])
def test_other_labels_are_refused(label):
    with pytest.raises(ValueError, match="not a LAIT year label"):
        parse_year_label(label)


def test_every_label_in_the_file_is_read(lait_dir):
    raw = pl.read_parquet(lait_dir / VALUES_FILE, columns=["Years"])["Years"].unique()
    read = {label: parse_year_label(label) for label in raw}
    assert [k for k, v in read.items() if v is None] == ["0"]


def test_periods_follow_the_year_type():
    assert period_label("2016", "Annual - January") == "January 2016"
    assert period_label("2016", "Calendar Year") == "calendar year 2016"
    assert period_label("2015-16", "Academic Year") == "academic year 2015/16"
    assert period_label("2016-17", "Financial Year") == "financial year 2016-17"
    assert period_label("0", "Academic Year") is None


# --- Bad input: one line naming file, row and column; nothing read ---------------------------


def _folder(
    lait_dir: Path,
    tmp_path: Path,
    values: pl.DataFrame | None = None,
    dictionary: str | None = None,
):
    folder = tmp_path / "lait"
    folder.mkdir()
    source = pl.read_parquet(lait_dir / VALUES_FILE)
    (values if values is not None else source.head(400)).write_parquet(folder / VALUES_FILE)
    text = (lait_dir / DICTIONARY_FILE).read_bytes().decode("utf-8")
    (folder / DICTIONARY_FILE).write_bytes((dictionary or text).encode("utf-8"))
    return folder


def _changed(lait_dir: Path, row: int, column: str, cell) -> pl.DataFrame:
    frame = pl.read_parquet(lait_dir / VALUES_FILE).head(400)
    index = pl.int_range(1, frame.height + 1)
    return frame.with_columns(
        pl.when(index == row).then(pl.lit(cell)).otherwise(pl.col(column)).alias(column)
    )


@pytest.mark.parametrize(
    ("column", "cell", "message"),
    [
        ("Values", "12,5", "'12,5' is neither a number nor a symbol"),
        ("Values", "NaN", "'NaN' is neither a number nor a symbol"),
        ("Years", "2016-19", "'2016-19' is not a LAIT year label"),
        ("LA Number", 975.0, "975.0 is neither an authority"),
        ("LA Number", 8.31, "8.31 is not a 3-digit LA number"),
        ("Region", "Mercia", "'Mercia' is not a region"),
        ("Short Desc", None, "None is blank"),
    ],
)
def test_bad_values_stop_with_file_row_and_column(lait_dir, tmp_path, column, cell, message):
    folder = _folder(lait_dir, tmp_path, _changed(lait_dir, 37, column, cell))
    with pytest.raises(DataError) as caught:
        read_lait(folder)
    assert str(caught.value).startswith(f"{VALUES_FILE}, row 37, column '{column}': {message}")


def test_a_region_row_must_name_its_region(lait_dir, tmp_path):
    frame = pl.read_parquet(lait_dir / VALUES_FILE).head(170)
    row = int(frame.with_row_index("i", 1).filter(pl.col("LA Number") == 982)["i"].item())
    folder = _folder(lait_dir, tmp_path, _changed(lait_dir, row, "LA and Regions", "North West"))
    with pytest.raises(DataError, match=f"row {row}, column 'LA and Regions': 'North West' is not"):
        read_lait(folder)


def test_a_figure_under_a_label_with_no_period_is_refused(lait_dir, tmp_path):
    frame = pl.read_parquet(lait_dir / VALUES_FILE)
    zero = (
        frame.filter(pl.col("Years") == "0")
        .head(3)
        .with_columns(pl.Series("Values", ["-", "4.2", "-"]))
    )
    folder = _folder(lait_dir, tmp_path, pl.concat([frame.head(10), zero]))
    with pytest.raises(
        DataError, match=r"row 12, column 'Values': '4\.2' is a figure under a year"
    ):
        read_lait(folder)


def test_a_repeated_value_is_refused(lait_dir, tmp_path):
    frame = pl.read_parquet(lait_dir / VALUES_FILE).head(10)
    folder = _folder(lait_dir, tmp_path, pl.concat([frame, frame.slice(3, 1)]))
    with pytest.raises(DataError, match=r"row 11: a second value for the same measure"):
        read_lait(folder)


def test_a_measure_missing_from_the_dictionary_is_refused(lait_dir, tmp_path):
    folder = _folder(lait_dir, tmp_path, _changed(lait_dir, 5, "Short Desc", "Invented"))
    with pytest.raises(DataError, match=r"'Invented' is not in lait_data_dictionary\.csv"):
        read_lait(folder)


def test_a_missing_column_is_refused(lait_dir, tmp_path):
    folder = _folder(
        lait_dir, tmp_path, pl.read_parquet(lait_dir / VALUES_FILE).head(5).drop("Region")
    )
    with pytest.raises(DataError, match="column 'Region': required column is missing"):
        read_lait(folder)


def _edited_dictionary(lait_dir: Path, tmp_path: Path, old: str, new: str) -> Path:
    text = (lait_dir / DICTIONARY_FILE).read_bytes().decode("utf-8")
    assert text.count(old) == 1
    return _folder(lait_dir, tmp_path, dictionary=text.replace(old, new))


def test_a_bad_polarity_names_its_record(lait_dir, tmp_path):
    old = '"Low","Rate per 1000 live births"'  # the first record, InfMort, on line 2
    folder = _edited_dictionary(lait_dir, tmp_path, old, old.replace("Low", "Lower"))
    with pytest.raises(DataError, match=f"{DICTIONARY_FILE}, row 2, column 'Polarity': 'Lower'"):
        read_lait(folder)


def test_an_update_given_in_words_is_kept_as_a_note(lait_dir, tmp_path):
    old = '"45809","46174","ONS"'  # InfMort's last and next updates
    folder = _edited_dictionary(lait_dir, tmp_path, old, '"45809","After the census","ONS"')
    infant = read_lait(folder).measures.filter(pl.col("measure") == "InfMort").row(0, named=True)
    assert (infant["next_update"], infant["next_update_note"]) == (None, "After the census")


def test_a_bad_record_after_quoted_line_breaks_names_its_own_line(lait_dir, tmp_path):
    # The record of CPP_Total_NumRef starts on line 99, after many records with line breaks.
    lines = (lait_dir / DICTIONARY_FILE).read_bytes().split(b"\n")  # CRLF ends; lone CRs inside
    old = '"CPP_Total_NumRef","-","Number of children"'
    assert lines[98].decode().count(old) == 1
    folder = _edited_dictionary(lait_dir, tmp_path, old, old.replace('"-"', '"Up"'))
    with pytest.raises(DataError, match="row 99, column 'Polarity': 'Up' is not"):
        read_lait(folder)


def test_a_folder_without_lait_files_is_refused(tmp_path):
    with pytest.raises(DataError, match=f"holds no {VALUES_FILE}"):
        read_lait(tmp_path)


# --- DfE's printed figure where it knows better than the counts ---------------------------------


def test_england_and_regional_percentages_are_dfes_printed_figures(raw):
    # Every percentage, year, England and region: DfE works the figure from counts it then
    # rounds to the nearest 10, so its printed figure is the value (the counts stay).
    percentages = [
        k
        for k, i in INDICATORS.items()
        if i.unit == "percent" and i.published and i.source in FIRST_FILES
    ]
    rows = raw.indicators.filter(
        pl.col("indicator").is_in(percentages),
        pl.col("geography") != "la",
        pl.col("published_value").is_not_null(),
    )
    # re-referrals, no further action, second plans and the five plan durations (d5 prints
    # each band's percentage) x 13 years x England and 11 regions
    assert len(percentages) == 8 and rows.height == 8 * 13 * 12
    assert (rows["value"] == rows["published_value"]).all()
    assert rows["numerator"].null_count() == 0 and (rows["status"] == "published").all()
    england = rows.filter(pl.col("geography") == "national")
    pick = {(i, y): v for i, y, v in england.select("indicator", "year", "value").iter_rows()}
    assert (pick["cp_subsequent_pct", 2022], pick["cp_2yrs_pct", 2016]) == (22.7, 2.1)
    assert pick["cp_2yrs_pct", 2024] == 2.6
    yorkshire = rows.filter(
        pl.col("area_code") == "E12000003",
        pl.col("indicator") == "cp_subsequent_pct",
        pl.col("year") == 2022,
    )
    assert yorkshire.select("numerator", "denominator", "value").row(0) == (1660.0, 7490.0, 23.6)


def test_rates_of_england_and_regions_stay_worked_from_the_counts(raw):
    rates = raw.indicators.filter(
        pl.col("indicator").is_in(["cla_rate", "cla_start_rate", "cla_ceased_rate"]),
        pl.col("geography") != "la",
    )
    worked = rates["numerator"] / rates["denominator"] * 10_000
    assert ((rates["value"] - worked).abs() < 1e-9).all()
    england = rates.filter(
        pl.col("geography") == "national", pl.col("indicator") == "cla_rate", pl.col("year") == 2025
    )
    assert (round(england["value"].item(), 2), england["published_value"].item()) == (67.12, 67.0)


def test_a_printed_figure_whose_count_was_withheld_is_kept(raw):
    # DfE printed 0.0% where it withheld the denominator (City of London, the Isles of
    # Scilly): the figure is DfE's, so it is the value, and published; before, "withheld".
    old = {"b1", "c1", "d3", "d5", "cla"}  # the files of cscbench's first 18 indicators
    first = [k for k, i in INDICATORS.items() if i.source in old and i.unit not in SIZES]
    ratios = raw.indicators.filter(pl.col("indicator").is_in(first))
    ratios = ratios.filter(~pl.col("indicator").is_in(list(FROM_LAIT)) | (pl.col("year") >= 2021))
    kept = ratios.filter(pl.col("published_value").is_not_null(), pl.col("denominator").is_null())
    # 68: every printed percentage of d5's five plan durations counts, not only plans of 2
    # years or more, as when cscbench read only that band
    assert kept.height == 68 and set(kept["la_code"]) == {"201", "420"}
    assert (kept["value"] == 0.0).all() and (kept["status"] == "published").all()
    # a printed figure is always the value, except DfE's 0% of no children (0 of 0): no
    # figure, status z (not applicable), with what DfE printed kept beside it
    dropped = raw.indicators.filter(
        pl.col("published_value").is_not_null(), pl.col("value").is_null()
    )
    assert (dropped["denominator"] == 0).all() and (dropped["status"] == "z").all()
    assert (dropped["published_value"] == 0).all()
    scilly = kept.filter(
        pl.col("indicator") == "rereferral_pct", pl.col("la_code") == "420", pl.col("year") == 2017
    )
    assert scilly.select("numerator", "value", "status").row(0) == (0.0, 0.0, "published")


# --- Agreement with LAIT: every indicator LAIT also holds, every year both hold ----------------
#
# cscbench's figures (the shipped snapshot) against LAIT's published values, and cscbench's
# national ranks and quartile bands against LAIT's own rule (docs/methods.md, section 5:
# rank(ties "min") by polarity, type-7 quartiles with its boundary rules) applied to LAIT's
# values. A value agrees when cscbench's, rounded half away from zero to the decimals LAIT's
# values carry, is LAIT's, or when neither has a figure. Every difference that remains is
# listed here and, with its reason, in datasets/README.md ("Agreement with LAIT"); a new one
# fails. `python tests/test_lait.py` prints the agreement rates.

KINDS = ("values", "england_regions", "ranks", "bands")

#: Values and England/regions that differ, each for the reason datasets/README.md gives.
KNOWN_VALUES = {
    # DfE's d3 file prints 0.0% for the Isles of Scilly (plans starting withheld, c); LAIT "-".
    ("cp_subsequent_pct", "values", 2017, "Isles of Scilly"),
    ("cp_subsequent_pct", "values", 2021, "Isles of Scilly"),
    ("cp_subsequent_pct", "values", 2022, "Isles of Scilly"),
    ("cp_subsequent_pct", "values", 2025, "Isles of Scilly"),
    # A regional rate worked from a count rounded to 10 falls on the other side of a half from
    # DfE's whole number worked from the true count (61.51 -> 62, DfE 61).
    ("cla_rate", "england_regions", 2023, "Inner London"),
    ("cla_rate", "england_regions", 2024, "West Midlands"),
    ("cla_ceased_rate", "england_regions", 2023, "London"),
    ("cla_ceased_rate", "england_regions", 2024, "Inner London"),
}

#: Ranks that differ, by indicator and year: the Isles of Scilly's 0.0% (above) ranks first,
#: and every authority with a figure above 0 one place lower than LAIT ranks it.
KNOWN_RANKS = {
    ("cp_subsequent_pct", 2017): 151,
    ("cp_subsequent_pct", 2021): 146,
    ("cp_subsequent_pct", 2022): 148,
    ("cp_subsequent_pct", 2025): 152,
}

#: Bands that differ: the Isles of Scilly's 0.0% is in band A, and its figure moves the
#: quartiles so that a few authorities on a boundary change band.
KNOWN_BANDS = {
    ("cp_subsequent_pct", "bands", 2017, "Isles of Scilly"),
    ("cp_subsequent_pct", "bands", 2017, "Blackburn with Darwen"),
    ("cp_subsequent_pct", "bands", 2017, "Calderdale"),
    ("cp_subsequent_pct", "bands", 2017, "County Durham"),
    ("cp_subsequent_pct", "bands", 2017, "Oxfordshire"),
    ("cp_subsequent_pct", "bands", 2021, "Isles of Scilly"),
    ("cp_subsequent_pct", "bands", 2021, "Cornwall"),
    ("cp_subsequent_pct", "bands", 2022, "Isles of Scilly"),
    ("cp_subsequent_pct", "bands", 2025, "Isles of Scilly"),
}


#: The files of cscbench's first 16 indicators with a LAIT measure, whose every difference
#: is listed above; the later files' differences fall in the classes below, each tested.
FIRST_FILES = {"b1", "c1", "d3", "d5", "cla"}

#: The workforce census's joint returns (Achieving for Children: Kingston upon Thames and
#: Richmond upon Thames; Northamptonshire Children's Trust: North and West
#: Northamptonshire). LAIT gives each authority the joint figure; cscbench, no figure for
#: either alone (the row is accounted for as a joint return).
JOINT_RETURNS = {
    "Kingston upon Thames",
    "Richmond upon Thames",
    "North Northamptonshire",
    "West Northamptonshire",
}


def why_it_differs(row: dict) -> str | None:
    """The documented reason a later file's figure differs from LAIT's, or None."""
    ind, ours, theirs = row["indicator"], row["cscbench"], row["lait"]
    source = SOURCES[INDICATORS[ind].source]
    if row["kind"] == "england_regions" and ours is not None and theirs is not None:
        gap = abs(float(ours) - float(theirs))
        # DfE's England and regional counts are rounded to 10; its printed figure (LAIT's)
        # is from the true counts: to a whole number in the long files, to 0.1 in c4.
        if (source.long and gap <= 1.0) or (ind == "icpc_15days_pct" and gap < 0.25):
            return "regional counts rounded to 10"
    if row["kind"] != "values":
        return None
    if source.kind == "lait" and ours is None:
        # LAIT keeps figures for an authority after DfE's files end (Dorset before 2019,
        # Cumbria after 2023): skipped and accounted for in the build (test_lait_catalogue)
        return "authority abolished by then"
    if ind.startswith("sw_") and ours is None and row["area"] in JOINT_RETURNS:
        return "joint return"
    if ind.startswith("sw_") and ours is None and theirs == "0.0":
        return "DfE printed 'low' (above 0, below 0.5); LAIT shows 0.0"
    if ind == "icpc_15days_pct" and ours is None:
        return "a duration band suppressed in c4; LAIT has DfE's percentage of the time"
    if ind == "icpc_15days_pct" and row["year"] <= 2017 and abs(float(ours) - float(theirs)) < 1:
        return "c4 revises 2015-16 and 2016-17; LAIT keeps the first edition"
    if (ind, row["year"], row["area"]) == ("cla_substance_pct", 2025, "Birmingham"):
        return "LAIT shows '-' where DfE's file prints the count (5 of 1,231)"
    return None


def _key() -> pl.Expr:
    la = pl.col("geography") == "la"
    return pl.when(la).then(pl.col("la_code")).otherwise(pl.col("area_code")).alias("key")


def _differences(joined: pl.DataFrame, ours: str, theirs: str, agree: pl.Expr, kind: str):
    """(rows compared, the rows that differ as indicator, kind, year, area, cscbench, lait)."""
    differ = joined.filter(~agree).select(
        "indicator",
        pl.lit(kind).alias("kind"),
        "year",
        pl.coalesce("area_name", "lait_name").alias("area"),
        pl.col(ours).cast(pl.String).alias("cscbench"),
        pl.col(theirs).cast(pl.String).alias("lait"),
    )
    return joined.height, differ


def compare_with_lait(lait) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(rows compared and agreeing per indicator and kind, every difference)."""
    from cscbench.analyses import panel
    from cscbench.analyses.ranks import quartile_band, rank_best_first
    from cscbench.datasets import load_indicators

    held = dict(held_decimals(lait.values).iter_rows())
    polarity = dict(lait.measures.select("measure", "polarity").iter_rows())
    counts, differences = [], []
    for ind in INDICATORS.values():
        if ind.lait_measure is None:
            continue
        assert ind.polarity == polarity[ind.lait_measure], ind.id
        theirs = indicator_rows(lait.values, ind.lait_measure, ind.id).with_columns(_key())
        if ind.period in ("30 September", "year to 30 September"):
            # LAIT labels the census at 30 September 2024 "2024"; cscbench puts it with
            # 2024-25's figures (year 2025), as the reports do: compare the same census.
            theirs = theirs.with_columns(pl.col("year") + 1)
        ours = load_indicators([ind.id]).with_columns(_key())
        if ind.id in FROM_LAIT:  # the years before DfE's file are LAIT's own values
            ours = ours.filter(pl.col("year") >= 2021)
        years = sorted(set(theirs["year"]) & set(ours["year"]))
        joined = (
            ours.filter(pl.col("year").is_in(years))
            .select("indicator", "year", "geography", "key", "area_name", "value")
            .join(
                theirs.filter(pl.col("year").is_in(years)).select(
                    "year",
                    "geography",
                    "key",
                    pl.col("area_name").alias("lait_name"),
                    pl.col("value").alias("lait"),
                ),
                on=["year", "geography", "key"],
                how="full",
                coalesce=True,
            )
            .with_columns(pl.lit(ind.id).alias("indicator"))
        )
        rounded = (  # (57.49999999999999, 23 of 40, is DfE's 57.5: round off the float first)
            pl.col("value").round(9).round(held[ind.lait_measure], mode="half_away_from_zero")
        )
        same = pl.when(pl.col("value").is_null() | pl.col("lait").is_null()).then(
            pl.col("value").is_null() & pl.col("lait").is_null()
        )
        same = same.otherwise(
            ((rounded - pl.col("lait")).abs() < 1e-9)
            | ((pl.col("value") - pl.col("lait")).abs() < 1e-9)  # LAIT's own value, as it is
        )
        for kind, rows in (
            ("values", joined.filter(pl.col("geography") == "la")),
            ("england_regions", joined.filter(pl.col("geography") != "la")),
        ):
            n, differ = _differences(rows, "value", "lait", same, kind)
            counts.append((ind.id, kind, n, n - differ.height))
            differences.append(differ)
        if ind.polarity == "context":
            continue  # LAIT ranks and bands only High and Low polarity
        v, group = pl.col("lait"), "year"
        standing = panel([ind.id]).select(
            "year",
            pl.col("la_code").alias("key"),
            pl.col("national_rank_best").alias("rank"),
            pl.col("quartile_band").alias("band"),
        )
        theirs_la = joined.filter(pl.col("geography") == "la")
        if ind.source not in FIRST_FILES:
            # LAIT's rule on LAIT's values, over the authorities cscbench ranks: the joint
            # returns and DfE's "low" (below) have no figure here, and so no place.
            ranked = standing.filter(pl.col("rank").is_not_null()).select("year", "key")
            theirs_la = theirs_la.join(ranked, on=["year", "key"], how="semi")
        band = quartile_band(v, ind.polarity).over(group) if ind.quartiles else pl.lit(None)
        theirs_la = theirs_la.with_columns(  # (no bands where LAIT's dictionary says none)
            rank_best_first(v, ind.polarity).over(group).alias("lait_rank"),
            band.cast(pl.String).alias("lait_band"),
        )
        both = theirs_la.join(standing, on=["year", "key"], how="full", coalesce=True)
        both = both.filter(pl.col("year").is_in(years))
        for kind, mine, lait_col in (
            ("ranks", "rank", "lait_rank"),
            ("bands", "band", "lait_band"),
        ):
            rows = both.filter(pl.col(mine).is_not_null() | pl.col(lait_col).is_not_null())
            n, differ = _differences(
                rows, mine, lait_col, pl.col(mine).eq_missing(pl.col(lait_col)), kind
            )
            counts.append((ind.id, kind, n, n - differ.height))
            differences.append(differ)
    rates = pl.DataFrame(
        counts, schema=["indicator", "kind", "compared", "agree"], orient="row"
    ).with_columns((100 * pl.col("agree") / pl.col("compared")).alias("percent"))
    return rates, pl.concat(differences)


@pytest.fixture(scope="module")
def agreement(lait):
    return compare_with_lait(lait)


def test_every_indicator_and_year_both_hold_is_compared(agreement):
    rates, _ = agreement
    first = rates.filter(pl.col("indicator").is_in(_first_indicators()))
    compared = dict(first.group_by("kind").agg(pl.col("compared").sum()).iter_rows())
    # 16 indicators with a LAIT measure; 2016-2025 (looked-after 2021-2025, LAIT's looked-after
    # rates of starting and ceasing from 2018); ranks and bands for the 4 with a polarity.
    assert compared == {"values": 20_540, "england_regions": 1_560, "ranks": 5_447, "bands": 5_447}
    assert first["indicator"].n_unique() == 16
    # and every later indicator the catalogue gives a LAIT measure
    with_measure = {k for k, i in INDICATORS.items() if i.lait_measure is not None}
    assert set(rates["indicator"]) == with_measure and len(with_measure) > 35


def test_later_files_differ_from_lait_only_for_a_documented_reason(agreement):
    _, differences = agreement
    later = differences.filter(~pl.col("indicator").is_in(_first_indicators()))
    values = later.filter(pl.col("kind").is_in(["values", "england_regions"]))
    reasons = [why_it_differs(row) for row in values.iter_rows(named=True)]
    rows = list(values.iter_rows(named=True))
    assert [r for r, why in zip(rows, reasons, strict=True) if why is None] == []
    # LAIT gives both authorities of a joint return the same (joint) figure
    joint = values.filter(
        pl.col("indicator").str.starts_with("sw_"),
        pl.col("area").is_in(sorted(JOINT_RETURNS)),
        pl.col("cscbench").is_null(),
    )
    assert joint.height == reasons.count("joint return") > 100
    pairs = (
        joint.with_columns(
            pl.col("area").str.contains("Northamptonshire").alias("trust"),
        )
        .group_by("indicator", "year", "trust")
        .agg(pl.col("lait").n_unique().alias("figures"), pl.len())
    )
    assert (pairs["figures"] == 1).all() and (pairs["len"] == 2).all()
    # A place differs only where a value does (LAIT's rule, on the authorities cscbench ranks)
    differing = set(values.select("indicator", "year").iter_rows())
    ranks = later.filter(pl.col("kind") == "ranks")
    assert set(ranks.select("indicator", "year").iter_rows()) <= differing


def _first_indicators() -> list[str]:
    return [k for k, i in INDICATORS.items() if i.source in FIRST_FILES]


def test_values_differ_from_lait_only_where_listed(agreement):
    _, differences = agreement
    differences = differences.filter(pl.col("indicator").is_in(_first_indicators()))
    found = differences.filter(pl.col("kind").is_in(["values", "england_regions"]))
    assert set(found.select("indicator", "kind", "year", "area").iter_rows()) == KNOWN_VALUES
    scilly = found.filter(pl.col("area") == "Isles of Scilly")
    assert set(scilly["cscbench"]) == {"0.0"} and scilly["lait"].null_count() == 4


def test_ranks_differ_from_lait_only_where_listed(agreement):
    _, differences = agreement
    differences = differences.filter(pl.col("indicator").is_in(_first_indicators()))
    ranks = differences.filter(pl.col("kind") == "ranks")
    by_year = dict(((i, y), n) for i, y, n in ranks.group_by("indicator", "year").len().iter_rows())
    assert by_year == KNOWN_RANKS
    scilly = ranks.filter(pl.col("area") == "Isles of Scilly")
    assert (
        scilly.height == 4 and set(scilly["cscbench"]) == {"1"} and scilly["lait"].null_count() == 4
    )
    others = ranks.filter(pl.col("area") != "Isles of Scilly")
    assert (others["cscbench"].cast(pl.Int32) == others["lait"].cast(pl.Int32) + 1).all()


def test_bands_differ_from_lait_only_where_listed(agreement):
    _, differences = agreement
    differences = differences.filter(pl.col("indicator").is_in(_first_indicators()))
    bands = differences.filter(pl.col("kind") == "bands")
    assert set(bands.select("indicator", "kind", "year", "area").iter_rows()) == KNOWN_BANDS


def agreement_table(rates: pl.DataFrame) -> pl.DataFrame:
    """Agreement per indicator (rows) and kind (columns), in per cent, as datasets/README.md."""
    return rates.pivot(on="kind", index="indicator", values="percent").select(
        "indicator", *[pl.col(k).round(2) for k in KINDS if k in rates["kind"].unique()]
    )


if __name__ == "__main__":
    import os

    shared = Path(
        os.environ.get("CSCBENCH_SHARED_DATA", Path(__file__).parents[2] / "shared" / "data")
    )
    rates, differences = compare_with_lait(read_lait(shared / "lait"))
    with pl.Config(tbl_rows=40, tbl_width_chars=120):
        print(agreement_table(rates))
        totals = rates.group_by("kind").agg(pl.col("compared", "agree").sum())
        print(totals.with_columns((100 * pl.col("agree") / pl.col("compared")).round(2)))
        print(differences.group_by("indicator", "kind").len().sort("indicator", "kind"))


def test_a_truncated_values_file_is_refused(lait_dir, tmp_path):
    folder = _folder(lait_dir, tmp_path)
    data = (folder / VALUES_FILE).read_bytes()
    (folder / VALUES_FILE).write_bytes(data[: len(data) // 2])
    with pytest.raises(DataError, match=f"^{VALUES_FILE}: cannot be read as parquet"):
        read_lait(folder)
