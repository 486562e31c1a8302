"""The generic reader against rows picked by hand from each DfE file, today's loaders, DfE's
printed figures, LAIT's values, and every row of every file accounted for."""

from __future__ import annotations

import shutil

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from cscbench.datasets.catalogue import INDICATORS, SOURCES
from cscbench.datasets.loaders import INDICATOR_SCHEMA
from cscbench.datasets.recognise import identify
from cscbench.datasets.tidy import read_tidy
from cscbench.errors import DataError

KEY = ["indicator", "year", "geography", "area_code"]


@pytest.fixture(scope="session")
def tidy(raw_dir):
    return read_tidy(raw_dir)


def one(tidy, indicator, year, la_code=None, area_code=None) -> dict:
    frame = tidy.indicators.filter(pl.col("indicator") == indicator, pl.col("year") == year)
    if la_code is not None:
        frame = frame.filter(pl.col("la_code") == la_code)
    if area_code is not None:
        frame = frame.filter(pl.col("area_code") == area_code, pl.col("la_code").is_null())
    assert frame.height == 1, frame
    return frame.row(0, named=True)


def figures(row) -> tuple:
    return row["numerator"], row["denominator"], row["status"], row["published_value"]


def test_one_schema_and_every_declared_indicator(tidy):
    assert tidy.indicators.schema == pl.Schema(INDICATOR_SCHEMA)
    # every indicator of DfE's files (LAIT's values-only ones come from LAIT: read_raw)
    assert set(tidy.indicators["indicator"]) == {
        k for k, i in INDICATORS.items() if i.source != "lait"
    }
    assert tidy.missing == ()


def test_todays_18_indicators_come_out_exactly_as_todays_loaders_read_them(tidy, raw):
    # read_raw is the tidy reader's rows, then LAIT's (values-only, and the looked-after years
    # before DfE's file): with LAIT's rows set aside, the two are the same
    from cscbench.datasets.lait_rows import FROM_LAIT

    lait = pl.col("indicator").str.starts_with("lait_") | (
        pl.col("indicator").is_in(list(FROM_LAIT)) & (pl.col("year") < 2021)
    )
    dfe = raw.indicators.filter(~lait).sort(KEY)
    held = dfe["indicator"].unique().to_list()
    new = tidy.indicators.filter(pl.col("indicator").is_in(held)).sort(KEY)
    assert_frame_equal(dfe, new)


# --- Rows picked by hand from each new file -------------------------------------------------


def test_derby_2016_17_section_47s_and_conferences(tidy):
    # c4, Derby 2017: 1,246 section 47 enquiries, 549 ICPCs, 55 within 0-10 working days and
    # 466 within 11-15: 521 of 549 = 94.9% within 15 days (LAIT CP_conf_15days: 94.9).
    row = one(tidy, "icpc_15days_pct", 2017, la_code="831")
    assert figures(row) == (521, 549, "published", None)
    assert round(row["value"], 1) == 94.9
    # Rates use the mid-2016 estimate of Derby's children, 58,947 (LAIT: 211.4 and 93.1).
    s47 = one(tidy, "s47_rate", 2017, la_code="831")
    assert (s47["numerator"], s47["denominator"], round(s47["value"], 1)) == (1246, 58947, 211.4)
    assert round(one(tidy, "icpc_rate", 2017, la_code="831")["value"], 1) == 93.1
    conversion = one(tidy, "s47_to_icpc_pct", 2017, la_code="831")
    assert (conversion["numerator"], conversion["denominator"]) == (549, 1246)
    assert one(tidy, "icpc_median_days", 2017, la_code="831")["value"] == 14


def test_derby_2016_17_children_in_need_during_the_year_and_plan_durations(tidy):
    # b1, Derby 2017: 4,438 children in need at any point in the year (2,742 at 31 March).
    assert one(tidy, "cin_year_count", 2017, la_code="831")["value"] == 4438
    assert one(tidy, "cin_year_rate", 2017, la_code="831")["value"] == pytest.approx(
        4438 / 58947 * 10_000
    )
    # d5, Derby 2017: 368 plans, 147 (39.9%) 3 months or less, 1 to 2 years withheld (c).
    assert figures(one(tidy, "cp_3months_pct", 2017, la_code="831")) == (
        147,
        368,
        "published",
        39.9,
    )
    withheld = one(tidy, "cp_1to2yrs_pct", 2017, la_code="831")
    assert (withheld["numerator"], withheld["status"], withheld["value"]) == (None, "c", None)


def test_placement_stability_rows(tidy):
    # la_cla_placement_stability, 2025: Derby 43 of 545 children looked after at 31 March had
    # 3 or more placements (DfE: 8%); 172 of 230 in long-term stable placements (75%).
    assert figures(one(tidy, "cla_3plus_placements_pct", 2025, la_code="831")) == (
        43,
        545,
        "published",
        8,
    )
    assert figures(one(tidy, "cla_long_term_stability_pct", 2025, la_code="831")) == (
        172,
        230,
        "published",
        75,
    )
    # Rutland: 32 children looked after, the number with 3 or more placements withheld (c).
    assert figures(one(tidy, "cla_3plus_placements_pct", 2025, la_code="857")) == (
        None,
        32,
        "c",
        None,
    )
    # England: 19,680 of 28,710 (69%), rounded to 10 by DfE.
    assert figures(one(tidy, "cla_long_term_stability_pct", 2025, area_code="E92000001")) == (
        19680,
        28710,
        "published",
        69,
    )


def test_new_placements_far_from_home_sum_two_rows_and_keep_a_withheld_part(tidy):
    # Derby 2025: of 496 new placements, 121 outside the boundary and more than 20 miles away
    # (24%); inside the boundary and more than 20 miles is withheld (c), so the sum is too.
    assert figures(one(tidy, "new_placements_outside_20miles_pct", 2025, la_code="831")) == (
        121,
        496,
        "published",
        24,
    )
    assert figures(one(tidy, "new_placements_20miles_pct", 2025, la_code="831")) == (
        None,
        496,
        "c",
        None,
    )
    # England 2025: 4,310 + 14,560 of 90,930.
    assert figures(one(tidy, "new_placements_20miles_pct", 2025, area_code="E92000001")) == (
        18870,
        90930,
        "published",
        None,
    )


def test_school_moves_and_social_workers(tidy):
    # Derby 2024: 36 of 373 children matched to the school census moved school mid-year (10%).
    assert figures(one(tidy, "cla_school_move_pct", 2024, la_code="831")) == (
        36,
        373,
        "published",
        10,
    )
    # la_cla_swcount, 2024 only: Derby 82 of 598 had 3 or more social workers (14%).
    assert figures(one(tidy, "cla_3plus_social_workers_pct", 2024, la_code="831")) == (
        82,
        598,
        "published",
        14,
    )


def test_health_of_children_looked_after_rows(tidy):
    # la_conviction_health_outcome_cla, Derby 2025.
    expected = {
        "cla_health_assessment_pct": (405, 425, "published", 95),
        "cla_immunisation_pct": (400, 425, "published", 94),
        "cla_dental_pct": (373, 425, "published", 88),
        "cla_development_pct": (61, 62, "published", 98),
        "cla_sdq_received_pct": (200, 305, "published", 66),
        "cla_sdq_concern_pct": (95, 200, "published", 48),  # of those with a score
        "cla_substance_pct": (7, 425, "published", 2),
        "cla_convictions_pct": (13, 279, "published", 5),
    }
    for indicator, want in expected.items():
        assert figures(one(tidy, indicator, 2025, la_code="831")) == want, indicator
    # The SDQ average score is in the count column of its own row, 15.9 (LAIT: 15.9).
    sdq = one(tidy, "cla_sdq_average", 2025, la_code="831")
    assert (sdq["numerator"], sdq["denominator"], sdq["value"]) == (15.9, None, 15.9)


def test_care_leaver_rows(tidy):
    # la_care_leavers_activity and _accommodation_suitability, Derby 2025.
    assert figures(one(tidy, "care_leavers_eet_19_21_pct", 2025, la_code="831")) == (
        125,
        237,
        "published",
        53,
    )
    assert figures(one(tidy, "care_leavers_eet_17_18_pct", 2025, la_code="831")) == (
        63,
        103,
        "published",
        61,
    )
    assert figures(one(tidy, "care_leavers_neet_19_21_pct", 2025, la_code="831")) == (
        97,
        237,
        "published",
        41,
    )
    # Suitability has its own total (235 of 19-21 year olds, not the activity file's 237).
    assert figures(one(tidy, "care_leavers_suitable_19_21_pct", 2025, la_code="831")) == (
        212,
        235,
        "published",
        90,
    )
    assert figures(one(tidy, "care_leavers_suitable_17_18_pct", 2025, la_code="831")) == (
        96,
        103,
        "published",
        93,
    )
    assert one(tidy, "care_leavers_he_19_21_pct", 2025, la_code="831")["status"] == "c"


def test_workforce_rows_are_dfe_figures_with_their_ftes(tidy):
    # csww, Derby, 30 September 2025 (the reporting year to 31 March 2026): 211.9 FTE in post,
    # 16.8 leavers: turnover 7.9% as DfE prints it; caseload 1,859 cases / 125 FTE = 14.9.
    assert one(tidy, "sw_fte", 2026, la_code="831")["value"] == 211.9
    turnover = one(tidy, "sw_turnover_pct", 2026, la_code="831")
    assert figures(turnover) == (16.8, 211.9, "published", 7.9)
    assert turnover["value"] == 7.9  # DfE's figure, not 16.8 / 211.9 = 7.93
    caseload = one(tidy, "sw_caseload", 2026, la_code="831")
    assert (caseload["numerator"], caseload["denominator"], caseload["value"]) == (
        1859,
        125,
        14.9,
    )
    # Agency workers as a share of agency and employed FTE: 0 / (0 + 211.9).
    assert figures(one(tidy, "sw_agency_pct", 2026, la_code="831")) == (0, 211.9, "published", 0)
    # No agency workers, so no share of them covers vacancies: DfE's z.
    assert one(tidy, "sw_agency_cover_pct", 2026, la_code="831")["status"] == "z"
    # Absence: 1,961 days lost / (211.9 FTE x 253 working days) = 3.7%.
    absence = one(tidy, "sw_absence_pct", 2026, la_code="831")
    assert absence["denominator"] == pytest.approx(211.9 * 253)
    assert absence["value"] == 3.7
    # 30 September 2024 (year 2025): 223.1 FTE; 2024 is a leap year, so 254 working days.
    assert one(tidy, "sw_fte", 2025, la_code="831")["value"] == 223.1
    leap = one(tidy, "sw_absence_pct", 2025, la_code="831")
    assert (leap["numerator"], leap["denominator"]) == (2247.9, pytest.approx(223.1 * 254))


def test_workforce_census_belongs_to_the_reporting_year_that_holds_30_september(tidy):
    # Cumberland's first census, 30 September 2023, falls in its first reporting year
    # (2023-24): it is year 2024, when it existed; Cumbria's last, 30 September 2022, is 2023.
    years = tidy.indicators.filter(pl.col("indicator") == "sw_fte")
    assert years.filter(pl.col("la_code") == "942")["year"].min() == 2024
    assert years.filter(pl.col("la_code") == "909")["year"].max() == 2023
    assert years["year"].min() == 2018 and years["year"].max() == 2026


def test_joint_workforce_returns_are_accounted_for_not_used(tidy):
    rows = tidy.accounting.filter(pl.col("file") == "csww_indicators_2017_to_2025.csv")
    joint = rows.filter(pl.col("reason").str.starts_with("joint return"))
    # Kingston and Richmond every year (9), North and West Northamptonshire since 2021 (5).
    assert joint.height == 14 and set(joint["outcome"]) == {"skipped"}
    sw = tidy.indicators.filter(pl.col("indicator").str.starts_with("sw_"))
    assert sw.filter(pl.col("la_code").is_in(["314", "318", "940", "941"])).is_empty()


# --- Classes: every row of every file, every indicator ----------------------------------------


def test_every_row_of_every_file_read_is_accounted_for_once(tidy):
    read = {k: p for k, p in tidy.files.items() if SOURCES[k].kind in ("tidy", "population")}
    assert len(read) == 15  # 14 tidy sources and the population
    for key, path in {**read, "lineage": tidy.files["lineage"]}.items():
        lines = [
            n
            for n, text in enumerate(path.read_text(encoding="utf-8-sig").split("\n"), 1)
            if n > 1 and text.strip()
        ]
        accounted = tidy.accounting.filter(pl.col("file") == path.name)
        assert sorted(accounted["line"]) == lines, key
        assert set(accounted["outcome"]) <= {"used", "skipped"}
        assert accounted["reason"].null_count() == 0
    used = tidy.accounting.filter(pl.col("outcome") == "used")
    assert used.filter(pl.col("reason").str.contains("of cla_3plus_placements_pct")).height > 0


def test_unread_breakdowns_are_named_in_the_accounting(tidy):
    rows = tidy.accounting.filter(pl.col("file") == "la_cla_during_year_new_placements.csv")
    reasons = set(rows.filter(pl.col("outcome") == "skipped")["reason"])
    assert (
        "not read by any indicator: characteristic = 'Reason for placement change during the "
        "year', breakdown = 'Other'"
    ) in reasons
    total = rows.filter(pl.col("line") == 7).row(0, named=True)  # England 2025 total
    assert total["reason"] == (
        "denominator of new_placements_20miles_pct; denominator of "
        "new_placements_outside_20miles_pct"
    )


def test_a_symbol_comes_from_a_withheld_part_and_never_becomes_a_number(tidy):
    frame = tidy.indicators
    withheld = frame.filter(pl.col("status") != "published")
    assert withheld["value"].null_count() == withheld.height
    published_value = [i for i, d in INDICATORS.items() if d.value_from == "published"]
    recomputed = withheld.filter(~pl.col("indicator").is_in(published_value))
    # A withheld count is null, never 0; a z with both counts is a percentage of zero cases.
    both = recomputed.filter(
        pl.col("numerator").is_not_null() & pl.col("denominator").is_not_null()
    )
    assert set(both["status"]) <= {"z"} and (both["denominator"] == 0).all()
    statuses = set(frame["status"])
    assert {"c", "x", "z", "u", "low"} <= statuses and statuses <= {
        "published",
        "c",
        "x",
        "z",
        "u",
        "low",
        "k",
    }


def test_published_figures_agree_with_the_counts_to_their_rounding(tidy):
    """DfE's printed percentages and rates against the recomputed value, for every indicator:
    within half a unit of the printed decimals, allowing DfE's rounding of each count (national
    and regional counts to 10; FTEs to 0.1)."""
    frame = tidy.indicators.filter(
        pl.col("published_value").is_not_null(), pl.col("value").is_not_null()
    )
    bad = []
    for ind in INDICATORS.values():
        rows = frame.filter(pl.col("indicator") == ind.id)
        if ind.denominator is None or rows.is_empty():
            continue
        slack = pl.col("geography").replace_strict(
            dict(SOURCES[ind.source].rounding), return_dtype=pl.Float64
        )

        def parts(term):
            return len(term.columns) if term.columns else term.rows

        num_slack = slack / 2 * parts(ind.numerator)
        den_slack = 0.0 if ind.denominator.population else slack / 2 * parts(ind.denominator)
        scale = 254.0 if ind.denominator_scale else 1.0  # a leap year's working days: widest
        low = (pl.col("numerator") - num_slack).clip(lower_bound=0) / (
            pl.col("denominator") + den_slack * scale
        )
        high = (pl.col("numerator") + num_slack) / (pl.col("denominator") - den_slack * scale).clip(
            lower_bound=1e-12
        )
        half = 0.5 * 10**-ind.published_decimals + 1e-9
        check = rows.with_columns(
            (
                (pl.col("published_value") >= low * ind.multiplier - half)
                & (pl.col("published_value") <= high * ind.multiplier + half)
            ).alias("ok")
        )
        if ind.value_from == "published":  # DfE's national rates leave out missing returns
            check = check.filter(pl.col("geography") == "la")
        bad += check.filter(~pl.col("ok")).select("indicator", "year", "area_name").rows()
    # Where DfE's printed figure is not what its own counts give (as today's loaders find):
    # second or subsequent plans in 2022 for England and Yorkshire and The Humber.
    assert sorted(bad) == [
        ("cp_subsequent_pct", 2022, "England"),
        ("cp_subsequent_pct", 2022, "Yorkshire and The Humber"),
    ]


def test_counted_indicators_agree_with_lait_to_its_decimals(tidy, raw_dir):
    """Every indicator naming a LAIT measure against LAIT's published value for the same
    authority and year (LAIT's workforce year Y, 'end of Sept', is cscbench's Y+1)."""
    lait = pl.read_parquet(raw_dir.parent / "lait" / "bds_long_0.parquet")
    lait = lait.filter(pl.col("LA Number") < 970, pl.col("Years").str.contains(r"^\d{4}$"))
    for ind in INDICATORS.values():
        if not ind.lait_measure or ind.source == "lait":  # (LAIT's own: test_lait_catalogue)
            continue
        shift = 1 if SOURCES[ind.source].dated == "30 September" else 0
        theirs = lait.filter(pl.col("Short Desc") == ind.lait_measure).select(
            pl.col("LA Number").cast(pl.Int64).cast(pl.String).str.zfill(3).alias("la_code"),
            (pl.col("Years").cast(pl.Int32) + shift).alias("year"),
            pl.col("Values").cast(pl.Float64, strict=False).alias("lait"),
            pl.col("Values").str.contains(r"\.").alias("decimal"),
        )
        ours = tidy.indicators.filter(pl.col("indicator") == ind.id, pl.col("geography") == "la")
        both = ours.join(theirs, on=["la_code", "year"]).drop_nulls(["value", "lait"])
        tolerance = pl.when(pl.col("decimal")).then(0.05).otherwise(0.5) + 1e-6
        agree = ((pl.col("value") - pl.col("lait")).abs() <= tolerance).mean()
        assert both.height >= 100, ind.id
        # LAIT holds a few revised figures for conferences within 15 days (7 of 1,293).
        assert both.select(agree).item() >= (0.99 if ind.id == "icpc_15days_pct" else 1), ind.id


# --- Files recognised by their columns; bad input is one line ---------------------------------


@pytest.fixture
def small_copy(raw_dir, tmp_path):
    """A writable folder with the lineage, population and the given files (renamed)."""

    def make(*names: str, rename: bool = False):
        folder = tmp_path / "dfe"
        folder.mkdir(exist_ok=True)
        for name in ("las_lineage.csv", "ons_mid-year_population_estimates_2012_to_2024.csv"):
            shutil.copy(raw_dir / name, folder / name)
        for n, name in enumerate(names):
            target = folder / (f"download_{n}.csv" if rename else name)
            shutil.copy(raw_dir / name, target)
            target.chmod(0o644)
        return folder

    return make


def test_files_are_recognised_by_their_columns_not_their_names(small_copy):
    folder = small_copy(
        "la_care_leavers_activity.csv",
        "la_care_leavers_accommodation_suitability.csv",
        "la_conviction_health_outcome_cla.csv",
        "la_cla_during_year_new_placements.csv",
        rename=True,
    )
    keys = [identify(folder / f"download_{n}.csv") for n in range(4)]
    assert keys == [
        "care_leavers_activity",
        "care_leavers_accommodation",
        "cla_health",
        "cla_new_placements",
    ]
    tables = read_tidy(folder)
    assert set(tables.files) == {"lineage", "population", *keys}
    assert "csww" in tables.missing
    derby = tables.indicators.filter(
        pl.col("indicator") == "care_leavers_eet_19_21_pct",
        pl.col("la_code") == "831",
        pl.col("year") == 2025,
    )
    assert derby.select("numerator", "denominator").row(0) == (125, 237)


def rewrite(path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8-sig")
    assert old in text
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def test_a_renamed_breakdown_row_is_refused_not_passed_over(small_copy):
    folder = small_copy("la_cla_swcount.csv")
    rewrite(
        folder / "la_cla_swcount.csv",
        "3 or more social workers",
        "Three or more social workers",
        count=-1,
    )
    with pytest.raises(DataError, match=r"la_cla_swcount.csv, column 'sw_stability': has the"):
        read_tidy(folder)


def test_a_bad_count_names_file_row_and_column(small_copy):
    folder = small_copy("la_cla_placement_stability.csv")
    rewrite(
        folder / "la_cla_placement_stability.csv",
        ",Total children,28710,",
        ",Total children,2871O,",
    )
    with pytest.raises(DataError) as err:
        read_tidy(folder)
    assert str(err.value).startswith(
        "la_cla_placement_stability.csv, row 3, column 'children_count': '2871O' is neither"
    )


def test_a_score_is_allowed_only_where_the_source_declares_one(small_copy):
    folder = small_copy("la_conviction_health_outcome_cla.csv")
    path = folder / "la_conviction_health_outcome_cla.csv"
    rewrite(
        path,
        "Had their annual health assessment,52580,",
        "Had their annual health assessment,52580.5,",
    )
    with pytest.raises(
        DataError, match=r"row \d+, column 'children_count': '52580.5' is neither a"
    ):
        read_tidy(folder)


def test_a_figure_for_an_authority_that_did_not_exist_is_an_error(small_copy):
    folder = small_copy("la_cla_placement_stability.csv")
    path = folder / "la_cla_placement_stability.csv"
    line = next(
        ln
        for ln in path.read_text(encoding="utf-8-sig").split("\n")
        if ",Cumbria," in ln and ln.startswith("2025") and "Total children" in ln
    )
    rewrite(path, line, line.replace(",z,z", ",100,100"))
    with pytest.raises(DataError, match="Cumbria did not exist in 2025 but this row has a figure"):
        read_tidy(folder)


def test_a_missing_denominator_row_is_named(small_copy):
    folder = small_copy("la_cla_swcount.csv")
    path = folder / "la_cla_swcount.csv"
    line = next(
        ln
        for ln in path.read_text(encoding="utf-8-sig").split("\n")
        if ",Derby," in ln and "Total children" in ln
    )
    rewrite(path, line + "\n", "")
    with pytest.raises(DataError, match=r"cla_3plus_social_workers_pct: no matching denominator"):
        read_tidy(folder)
