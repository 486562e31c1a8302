"""Charts: their Vega-Lite specs, the theme, and rendering to real images."""

from __future__ import annotations

import json
import re
import struct
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cscbench.analyses import benchmark, panel
from cscbench.datasets.registry import charted
from cscbench.figures import (
    CHARTS,
    comparator_chart,
    factors_chart,
    funnel_chart,
    overview_chart,
    save,
    spc_chart,
    to_png,
    to_svg,
    trend_chart,
)
from cscbench.figures.charts import LABEL_GAP_PX, SHORT_AVERAGE, dodge, provisional_chart
from cscbench.figures.notes import note_of
from cscbench.figures.theme import (
    COMPARATORS,
    ENGLAND,
    GUIDE_TITLE_WORDS,
    PALETTE,
    title_words,
)


def data_of(spec: dict, layer: dict) -> list[dict]:
    return spec["datasets"][layer["data"]["name"]]


def colours_of(layer: dict) -> dict[str, str]:
    scale = layer["encoding"]["color"]["scale"]
    return dict(zip(scale["domain"], scale["range"], strict=True))


def all_charts():
    return {
        "trend": trend_chart("Derby", "cla_rate"),
        "comparators": comparator_chart("Derby", "rereferral_pct", year=2017, group="sn2021"),
        "funnel": funnel_chart("Derby", "rereferral_pct", year=2025),
        "overview": overview_chart("Derby", year=2025),
        "spc": spc_chart("Derby", "cin_rate"),
        "factors": factors_chart("Derby", year=2025),
    }


@pytest.fixture(scope="module")
def charts():
    return all_charts()


def test_every_kind_is_registered(charts):
    assert set(charts) == set(CHARTS)


def test_every_chart_is_valid_vega_lite_with_title_note_and_description(charts):
    for kind, chart in charts.items():
        spec = chart.to_dict(validate=True)  # Altair validates against the Vega-Lite schema
        title = spec["title"]["text"]
        assert 3 <= title_words(title, ["Derby"]) <= GUIDE_TITLE_WORDS, (kind, title)
        assert note_of(spec).startswith("Source: DfE"), kind
        assert len(spec["description"]) > 60, kind
        assert spec["config"]["font"].startswith("Liberation Sans"), kind


def test_no_chart_draws_with_vega_lite_warnings(charts, capfd):
    # vl-convert prints Vega-Lite's compile warnings to stderr. Ones these charts had: point
    # size on a nominal field (funnel, factors); "conflicting legend property disable" where
    # dash or shape hid the key that colour showed for the same field (trend, overview, SPC,
    # funnel, factors).
    import vl_convert as vlc

    from cscbench.analyses.partnership import partnership
    from cscbench.figures.charts import partnership_chart

    lr = partnership(["Leicestershire", "Rutland"], year=2018, group="sn2021")
    every = {**charts, "partnership": partnership_chart(lr, "cp_subsequent_pct")}
    capfd.readouterr()
    for kind, chart in every.items():
        vlc.vegalite_to_vega(chart.to_dict(), show_warnings=True)
        assert "WARN" not in capfd.readouterr().err, kind
    with pytest.raises(AssertionError):  # the check sees a warning when there is one
        bad = {"mark": "point", "encoding": {"size": {"field": "a", "type": "nominal"}}}
        vlc.vegalite_to_vega(bad, show_warnings=True)
        assert "WARN" not in capfd.readouterr().err


def test_trend_chart_has_band_and_four_series():
    spec = trend_chart("Derby", "cin_rate").to_dict()
    band, lines = spec["layer"][0], spec["layer"][1]
    assert band["mark"]["type"] == "area" and band["encoding"]["y2"]["field"] == "ci95_high"
    rows = data_of(spec, lines)
    assert {r["series"] for r in rows} == {
        "Derby",
        "Comparator average",
        "East Midlands",
        "England",
    }
    # Lines are named at their ends, not by a key (ONS style guide): one label for each series.
    labels = data_of(spec, spec["layer"][3])
    assert sorted(r["series"] for r in labels) == sorted({r["series"] for r in rows})
    assert all(layer["encoding"]["color"]["legend"] is None for layer in spec["layer"][1:4])
    derby_2017 = next(r for r in rows if r["series"] == "Derby" and r["year"] == 2017)
    assert derby_2017["value"] == pytest.approx(465.1636, abs=1e-4)
    assert lines["encoding"]["strokeDash"]["field"] == "series"  # not colour alone


def test_trend_chart_marks_comparator_averages_over_fewer_authorities():
    # Rutland's ten 2025 neighbours: Hampshire has no referrals figure for 2023-24, so that
    # year's average (375.6 per 10,000, the mean of the nine rates) dips and 2024-25's (over
    # ten, Hampshire 1,424.9) jumps back; the line joins LAIT's averages, and the year over
    # nine is an open square, said in the subtitle and the description.
    spec = trend_chart("Rutland", "referral_rate").to_dict()
    marked = [layer for layer in spec["layer"] if layer.get("mark", {}).get("fill") == "white"]
    assert len(marked) == 1
    rows = data_of(spec, marked[0])
    assert [(r["year"], r["averaged"]) for r in rows] == [
        (2024, "9 of 10; no figure for Hampshire")
    ]
    assert rows[0]["value"] == pytest.approx(375.55, abs=0.005)
    assert SHORT_AVERAGE in spec["title"]["subtitle"]
    assert spec["description"].endswith(
        "The comparator average is over fewer authorities in 2023-24 (9 of 10; no figure for "
        "Hampshire)."
    )
    # Derby's comparators all have a figure in every year for children in need: no marks
    derby = trend_chart("Derby", "cin_rate").to_dict()
    assert SHORT_AVERAGE not in derby["title"]["subtitle"]
    assert not [layer for layer in derby["layer"] if layer.get("mark", {}).get("fill") == "white"]


def test_comparator_chart_lists_members_without_a_figure_apart():
    # Five of Wandsworth's 2025 neighbours have no figure at 31 March 2025; "Hammersmith and
    # Fulham" in a list joined with commas and "and" read as two authorities.
    spec = comparator_chart("Wandsworth", "cp_2yrs_pct", year=2025).to_dict()
    assert spec["title"]["subtitle"][1] == (
        "No figure: Hammersmith and Fulham, Kingston upon Thames, Lambeth, Barnet, and Reading"
    )


def test_a_two_year_trend_has_no_half_year_tick():
    # Cumberland's figures start in 2023-24: Vega put a tick half way between its two years,
    # labelled "2023.5-24.5"; the year axis now ticks each reporting year only.
    svg = to_svg(trend_chart("Cumberland", "rereferral_pct", year_to=2025))
    assert re.findall(r">(20[\d.]+-[\d.]+)</text>", svg) == ["2023-24", "2024-25"]


def test_titles_are_whole_however_long_the_name():
    # Titles were cut at ten words: "Rate of children leaving care in Derby: no clear recent",
    # "Plans lasting 2 years or more in Derby: too few", and for long names "Kingston upon
    # Hull, City of second highest for rate of". Now worded to about ten, never cut.
    hull = "Kingston upon Hull, City of"
    bcp = "Bournemouth, Christchurch and Poole"
    titles = {
        "Children leaving care in Derby: no clear trend": trend_chart("Derby", "cla_ceased_rate"),
        "Plans lasting 2+ years in Derby: too few years": trend_chart("Derby", "cp_2yrs_pct"),
        "Kingston upon Hull third highest for rate of referrals": comparator_chart(
            hull, "referral_rate", year=2025
        ),
        f"{bcp} highest for rate of child protection plans starting": comparator_chart(
            bcp, "cp_start_rate", year=2025
        ),
    }
    for title, chart in titles.items():
        assert chart.to_dict()["title"]["text"] == title


def test_every_title_keeps_to_ten_words_for_every_indicator_and_wording():
    # DfE's analysts' guide: active titles of ten words or fewer. 173 of the 3,672 titles of
    # the 2024-25 packs had eleven: "Plans lasting 2 years or more in Thurrock: too few years"
    # (150 trend charts) and "Dorset in the middle for rate of child protection plans
    # starting" (22 comparator charts). Every wording each kind of title can take is checked
    # here, for every indicator, with the name counted as one word.
    from cscbench.analyses.wording import rank_words
    from cscbench.datasets.registry import FACTOR_LABELS, INDICATORS
    from cscbench.figures.charts import about_title, placed_title
    from cscbench.figures.factors import _factor_title

    places = {"in the middle"} | {
        rank_words(rank, of, ties).removeprefix("the ")
        for of in range(2, 16)
        for rank in range(1, of + 1)
        for ties in range(0, of - rank + 1)
    }
    places = {p for p in places if not p.startswith("in the middle (")}
    endings = [
        "rising",
        "falling",
        "no clear trend",
        "trend not testable",
        "too few years",
        "13 special-cause years",
        "common-cause variation only",
        "above 99.8% limit",
        "within expected range",
        "no figure",
        "no figures published",
        "2025-26 provisional",
    ]
    name = "Kingston upon Hull, City of"
    for key, ind in INDICATORS.items():
        assert len(ind.headline.split()) <= 5, key
        for place in places:
            title = placed_title(ind, f"{name} {place}", name)
            assert title_words(title, [name]) <= GUIDE_TITLE_WORDS, title
        title = placed_title(ind, f"{name}: no figure", name)
        assert title_words(title, [name]) <= GUIDE_TITLE_WORDS, title
        for ending in endings:
            title = about_title(ind, name, ending)
            assert title_words(title, [name]) <= GUIDE_TITLE_WORDS, title
        title = about_title(ind, name, "too few years for limits", "too few years")
        assert title_words(title, [name]) <= GUIDE_TITLE_WORDS, title
    for factor in FACTOR_LABELS.values():
        for named in (False, True):
            title = _factor_title(factor, name, named)
            assert title_words(title, [name]) <= GUIDE_TITLE_WORDS, title
    # The fuller wording is kept wherever it fits.
    assert placed_title(INDICATORS["cp_start_rate"], "Derby third lowest", "Derby") == (
        "Derby third lowest for rate of child protection plans starting"
    )
    assert comparator_chart("Dorset", "cp_start_rate", year=2025).to_dict()["title"]["text"] == (
        "Dorset in the middle for rate of plans starting"
    )


def test_a_year_without_figures_is_a_clear_error_not_an_empty_chart():
    # The funnel plot failed with an internal error (an index out of bounds), and the factors
    # chart was drawn empty, for a year the data do not hold.
    from cscbench.errors import UsageError

    with pytest.raises(UsageError, match="cin_rate in 2010-11: they run 2012-13 to 2024-25"):
        funnel_chart("Derby", "cin_rate", year=2011)
    with pytest.raises(UsageError, match="factors at assessment in 2010-11: they run 2017-18"):
        factors_chart("Derby", year=2011)
    with pytest.raises(UsageError, match="Derby in 2010-11: they run 2012-13 to 2024-25"):
        comparator_chart("Derby", "cin_rate", year=2011)


def test_an_authority_without_a_figure_is_not_placed_on_a_funnel_or_trend():
    # DfE publishes no looked-after figures for the Isles of Scilly: its funnel plot's title
    # said "within expected range" and its description "Isles of Scilly (no figure) is within
    # expected range"; its trend chart's title said "too few years".
    funnel = funnel_chart("Isles of Scilly", "cla_rate", year=2025).to_dict()
    assert funnel["title"]["text"] == "Children looked after in the Isles of Scilly: no figure"
    assert funnel["description"].endswith("Isles of Scilly has no figure for 2024-25.")
    trend = trend_chart("Isles of Scilly", "cla_rate").to_dict()
    # LAIT shows 0 for 2015-16 to 2018-19 (DfE's own file: z from 2020-21): four years
    said = "Children looked after in the Isles of Scilly: too few years"
    assert trend["title"]["text"] == said
    # The overview's description counted "8 no comparison"; a figure with no interval (the
    # workforce's ratios of FTEs: 100% agency, a caseload of 16) is not "no figure".
    overview = overview_chart("Isles of Scilly", year=2025).to_dict()
    assert (
        "centred on England: 11 with no figure to compare; 4 with no interval to test against "
        "England; 2 higher than England; 1 better than England; 1 similar to England. On few "
        "children or events" in overview["description"]
    )
    # A placed authority keeps its place, said in full in the description.
    london = funnel_chart("City of London", "cin_rate", year=2025).to_dict()
    assert london["title"]["text"] == "Children in need in the City of London: above 99.8% limit"
    assert london["description"].endswith(
        "City of London (814.6 per 10,000 children) is above the 99.8% funnel limit around England."
    )


def test_a_trend_not_tested_at_0_percent_is_not_called_too_few_years():
    # Rutland has plans lasting 2 years or more for all 13 years, 0% in each of the last five:
    # OHID's test cannot run on a 0% year, which the title called "too few years".
    spec = trend_chart("Rutland", "cp_2yrs_pct").to_dict()
    assert spec["title"]["text"] == "Plans lasting 2+ years in Rutland: trend not testable"
    assert spec["title"]["subtitle"][1] == (
        "No recent trend is tested: a percentage of 0% or 100% in the 5 years (OHID's method)"
    )
    rows = data_of(spec, spec["layer"][1])
    rutland = [r["value"] for r in rows if r["series"] == "Rutland"]
    assert len(rutland) == 13 and rutland[-5:] == [0.0] * 5


def test_reorganisation_is_marked_and_breaks_created_series():
    # North Northamptonshire's 2021 neighbours include Cumbria, abolished in 2023.
    spec = trend_chart("North Northamptonshire", "cin_rate", group_key="sn2021").to_dict()
    rules = [layer for layer in spec["layer"] if layer["mark"]["type"] == "rule"]
    assert rules and data_of(spec, rules[0])[0]["year"] == 2023.5
    cumberland = trend_chart("Cumberland", "cin_rate").to_dict()
    rows = data_of(cumberland, cumberland["layer"][1])
    assert {r["year"] for r in rows if r["series"] == "Cumberland"} == {2024, 2025}


def test_reorganisations_in_one_year_share_a_mark_naming_each():
    # Dorset's 2025 neighbours include North Yorkshire and Somerset, both made unitary on
    # 1 April 2023. The chart kept one of the two notes, whichever polars' unique() met first,
    # so the same pack could be written with either note and in either order.
    spec = trend_chart("Dorset", "cla_rate").to_dict()
    rules = next(layer for layer in spec["layer"] if layer["mark"]["type"] == "rule")
    rows = data_of(spec, rules)
    years = [r["year"] for r in rows]
    assert years == sorted(set(years)) and 2023.5 in years
    note = next(r["note"] for r in rows if r["year"] == 2023.5)
    assert note.startswith("On 1 April 2023 North Yorkshire became a unitary council")
    assert ". On 1 April 2023 Somerset became a unitary council" in note


def test_comparator_chart_highlights_the_authority_and_starts_at_zero():
    spec = comparator_chart("Derby", "rereferral_pct", year=2017, group="sn2021").to_dict()
    bars = spec["layer"][0]
    rows = data_of(spec, bars)
    assert len(rows) == 11 and [r["la_code"] for r in rows if r["is_focus"]] == ["831"]
    assert bars["encoding"]["x"]["scale"]["zero"] is True
    rules = spec["layer"][1]
    refs = {r["name"]: r["value"] for r in data_of(spec, rules)}
    row = benchmark("Derby", year=2017, group="sn2021", indicators=["rereferral_pct"]).row(
        0, named=True
    )
    assert refs["Comparator average"] == pytest.approx(row["comparator_mean"])
    assert refs["England"] == pytest.approx(row["england"])


def test_comparator_chart_rules_keep_their_own_colours_and_key():
    # With the bars' colour scale shared, the comparator-average rule drew in the authority's
    # blue, England's in the other bars' grey, and the key of the two lines was dropped.
    spec = comparator_chart("Derby", "cp_rate", year=2025).to_dict()
    assert spec["resolve"]["scale"]["color"] == "independent"
    colour = spec["layer"][1]["encoding"]["color"]
    assert colour["scale"] == {
        "domain": ["Comparator average", "England"],
        "range": [COMPARATORS, ENGLAND],
    }
    assert colour["legend"] == {"orient": "bottom", "title": None}
    # The value labels come last, with no white halo (which hid the rules where it passed
    # them): they are placed clear of the rules instead.
    text = spec["layer"][2]["mark"]
    assert text["type"] == "text" and "stroke" not in text and len(spec["layer"]) == 3


def test_a_value_label_on_a_rule_moves_past_it():
    """The gallery's Derby 2016-17 re-referrals: the comparator average (22.8%) showed between
    the "1" and "." of Telford and Wrekin's "21.8" (and was hidden by its halo). England's
    21.9% and the average are 0.9 apart, 12.6 px on the 0-30 axis of 420 px, too little for
    the 24 px the label needs between them: it now starts 3 px past the average's rule (1 px
    of the 2 px rule, and 2 clear)."""
    spec = comparator_chart("Derby", "rereferral_pct", year=2017, group="sn2021").to_dict()
    rows = {r["area_name"]: r for r in data_of(spec, spec["layer"][0])}
    refs = {r["name"]: r["value"] for r in data_of(spec, spec["layer"][1])}
    scale = spec["layer"][0]["encoding"]["x"]["scale"]
    assert scale["domain"] == [0.0, 30.0] and spec["width"] == 420
    px = 420 / 30
    telford = rows["Telford and Wrekin"]
    assert round(telford["value"], 1) == 21.8 and round(refs["Comparator average"], 1) == 22.8
    assert (telford["label_at"] - refs["Comparator average"]) * px == pytest.approx(3.0)
    medway = rows["Medway"]  # no rule near: 4 px past the bar's end
    assert (medway["label_at"] - medway["value"]) * px == pytest.approx(4.0)


def test_funnel_chart_has_both_limits_every_authority_and_tooltips():
    spec = funnel_chart("Derby", "rereferral_pct", year=2025).to_dict()
    limits = data_of(spec, spec["layer"][0])
    assert {r["limit"] for r in limits} == {"95% limits", "99.8% limits"}
    points = data_of(spec, spec["layer"][2])
    rows = panel(["rereferral_pct"]).filter(panel(["rereferral_pct"])["year"] == 2025)
    assert len(points) == rows["value"].drop_nulls().len()
    assert {p["role"] for p in points} == {"Derby", "Comparators", "Other authorities"}
    tooltip = [t["field"] for t in spec["layer"][2]["encoding"]["tooltip"]]
    assert "area_name" in tooltip


@pytest.mark.parametrize(
    ("la", "indicator", "year"),
    [
        ("Derby", "rereferral_pct", 2025),
        ("Rutland", "rereferral_pct", 2025),
        ("Birmingham", "cla_rate", 2025),
        ("Isles of Scilly", "cp_rate", 2024),
        ("Leeds", "nfa_pct", 2019),
    ],
)
def test_a_funnels_x_axis_starts_a_little_below_its_smallest_denominator(la, indicator, year):
    # Not at zero, nor at Vega's power of ten below: 10% under the smallest authority shown
    # (the engine's panel for the year, computed here apart from the chart), 5% over the
    # largest, not rounded out ("nice"), and every point and limit line inside it.
    spec = funnel_chart(la, indicator, year=year).to_dict()
    scale = spec["layer"][2]["encoding"]["x"]["scale"]
    rows = panel([indicator]).filter(
        panel([indicator])["year"] == year, panel([indicator])["value"].is_not_null()
    )
    smallest, largest = rows["denominator"].min(), rows["denominator"].max()
    assert scale["type"] == "log" and scale["nice"] is False
    assert scale["domain"] == pytest.approx([smallest * 0.9, largest * 1.05])
    assert 0 < scale["domain"][0] < smallest
    points = data_of(spec, spec["layer"][2])
    assert min(p["denominator"] for p in points) == smallest
    limits = data_of(spec, spec["layer"][0])
    assert min(r["denominator"] for r in limits) == pytest.approx(scale["domain"][0])
    assert max(r["denominator"] for r in limits) == pytest.approx(scale["domain"][1])
    assert all(layer["encoding"]["x"]["scale"] == scale for layer in spec["layer"][::2])


def test_a_funnel_from_the_engines_frames_is_the_chart_it_computes_alone():
    # The panel of every indicator (a notebook's or a pack's frame) and the authority's
    # benchmark row: the same chart as the one that fetches its own.
    whole = panel(["rereferral_pct", "cla_rate"])
    for la, indicator in (("Derby", "rereferral_pct"), ("Rutland", "cla_rate")):
        row = benchmark(la, year=2025, indicators=[indicator]).row(0, named=True)
        given = funnel_chart(la, indicator, year=2025, values=whole, row=row).to_dict()
        assert given == funnel_chart(la, indicator, year=2025).to_dict(), la


def test_a_funnels_domain_is_worked_by_hand():
    import polars as pl

    from cscbench.figures.charts import funnel_domain

    # Derby's re-referrals, 2025: the Isles of Scilly's 32 referrals are the fewest
    assert funnel_domain(pl.Series([32.0, 1_000.0, 41_142.0])) == pytest.approx((28.8, 43199.1))
    assert funnel_domain(pl.Series([1.0, 10.0])) == (1.0, 10.5)  # never below 1 on a log axis


NOTE_DATES = re.compile(
    r"\. Data: (built|read) (\d{1,2} [A-Z][a-z]{2} \d{4}) · Drawn: (\d{1,2} [A-Z][a-z]{2} \d{4})\.$"
)


def test_every_charts_note_gives_the_datas_date_and_the_drawing_date(charts, monkeypatch):
    # The shipped snapshot's manifest says when it was built; SOURCE_DATE_EPOCH (1700000000 is
    # 22:13:20 UTC on 14 November 2023) fixes the drawing day, as it fixes the snapshot's.
    from datetime import UTC, datetime

    from cscbench.datasets.snapshot import SNAPSHOT_DIR

    built = json.loads((SNAPSHOT_DIR / "manifest.json").read_text())["built_at"]
    on = datetime.fromisoformat(built).astimezone(UTC)
    built_day = f"{on.day} {on:%b %Y}"
    for kind, chart in charts.items():  # drawn today
        note = note_of(chart.to_dict())
        found = NOTE_DATES.search(note)
        assert found, (kind, note)
        assert found.groups()[:2] == ("built", built_day), kind
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    for kind, chart in all_charts().items():
        note = note_of(chart.to_dict())
        assert note.endswith(f". Data: built {built_day} · Drawn: 14 Nov 2023."), (kind, note)


def test_a_note_dates_the_data_by_its_manifest_in_utc_and_raw_files_as_read(monkeypatch):
    from cscbench.figures import notes

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    # 23:30 an hour west of Greenwich on 21 November is 00:30 UTC on the 22nd
    monkeypatch.setattr(notes, "data_built_at", lambda source: "2025-11-21T23:30:00-01:00")
    assert notes.chart_note("rereferral_pct", None) == (
        "Source: DfE, Children in need. Data: built 22 Nov 2025 · Drawn: 14 Nov 2023."
    )
    monkeypatch.setattr(notes, "data_built_at", lambda source: None)  # DfE's raw files, read now
    assert notes.chart_note("cla_rate", None, "; local return") == (
        "Source: DfE, Children looked after in England including adoptions; ONS mid-year "
        "population estimates; local return. Data: read 14 Nov 2023 · Drawn: 14 Nov 2023."
    )


def test_overview_scales_every_rate_around_england():
    spec = overview_chart("Derby", year=2025).to_dict()
    rows = data_of(spec, spec["hconcat"][0]["layer"][0])
    assert [r["indicator"] for r in rows] == list(charted())  # Derby has all 17 in 2025
    for r in rows:
        assert -1.0001 <= r["s_lo"] <= 0.0001 <= r["s_hi"] + 0.0001 <= 1.0002
        assert -1.0001 <= r["s_value"] <= 1.0001


def test_overview_from_a_packs_whole_table_is_the_chart_it_computes_alone():
    # A pack passes its benchmark table (every indicator, with targets' columns where set);
    # the chart keeps its rates and percentages and draws exactly what it draws alone.
    whole = benchmark("Derby", year=2025)
    assert set(whole["indicator"]) > {"cla_rate", "rereferral_pct"}
    given = overview_chart("Derby", year=2025, table=whole).to_dict()
    assert given == overview_chart("Derby", year=2025).to_dict()


def test_overview_description_counts_comparisons_in_a_fixed_order():
    # Cumberland 2024-25: three comparisons tie at one indicator each. They are listed by
    # name, so the description (the SVG's accessible text) is the same on every run.
    spec = overview_chart("Cumberland", year=2025).to_dict()
    rows = data_of(spec, spec["hconcat"][0]["layer"][0])
    counts = {c: sum(r["comparison"] == c for r in rows) for c in {r["comparison"] for r in rows}}
    assert counts == {
        "higher than England": 5,
        "no interval": 5,  # social workers' turnover, agency, caseload (FTE ratios); LAIT's two
        "similar to England": 5,
        "worse than England": 3,
        "no figure": 1,
    }
    assert spec["description"].endswith(
        ": 5 higher than England; 5 with no interval to test against England; 5 similar to "
        "England; 3 worse than England; 1 with no figure to compare."
    )


def test_provisional_chart_breaks_at_a_withheld_year_and_matches_the_trend_colours():
    # Derby's plans lasting 2 years or more: DfE withheld 2022-23 ("c"), so the published line
    # stops at 2021-22 and starts again at 2023-24, as the trend chart draws it.
    local = {"year": 2026, "value": 3.2, "ci95_low": 1.7, "ci95_high": 6.2}
    spec = provisional_chart("Derby", "cp_2yrs_pct", local).to_dict()
    lines = spec["layer"][0]
    derby = [r for r in data_of(spec, lines) if r["series"] == "Derby"]
    assert [r["year"] for r in derby] == [2020, 2021, 2022, 2024, 2025]
    segments = [r["segment"] for r in derby]
    assert segments[:3] == [segments[0]] * 3 and segments[3:] == [segments[3]] * 2
    assert segments[3] != segments[0] and lines["encoding"]["detail"]["field"] == "segment"
    trend = trend_chart("Derby", "cp_2yrs_pct").to_dict()
    trend_colours = colours_of(trend["layer"][1])
    colours = colours_of(lines)
    assert colours == {k: trend_colours[k] for k in ("Derby", "Comparator average", "England")}


def test_spc_chart_with_too_few_years_does_not_claim_limits():
    # Cumberland has 2 years of figures: no mean or limits are drawn, and the subtitle had
    # said "mean and process limits from 2 years".
    spec = spc_chart("Cumberland", "cin_rate").to_dict()
    assert spec["title"]["text"] == "Children in need in Cumberland: too few years for limits"
    assert spec["title"]["subtitle"][:2] == [
        "Children in need per 10,000 children",
        "No process limits from 2 years: cscbench draws them from 6 (Making Data Count "
        "advises 15 to 20)",
    ]
    assert "too few for a mean and process limits" in spec["description"]
    points = spec["layer"][-1]["encoding"]
    assert points["color"]["legend"] is None and points["shape"]["legend"] is None  # no key
    derby = spc_chart("Derby", "cin_rate").to_dict()["layer"][-1]["encoding"]
    assert derby["color"]["legend"]["orient"] == "bottom"


def test_spc_chart_marks_special_cause_years():
    spec = spc_chart("Derby", "cin_rate").to_dict()
    points = next(layer for layer in spec["layer"] if layer.get("mark", {}).get("type") == "point")
    rows = data_of(spec, points)
    assert {r["point"] for r in rows} >= {"Common cause", "Below lower limit"}
    assert next(r for r in rows if r["year"] == 2025)["point"] == "Below lower limit"


def test_factors_chart_has_england_ticks_and_the_authority():
    spec = factors_chart("Derby", year=2025).to_dict()
    ticks = data_of(spec, spec["layer"][0])
    assert len(ticks) == 12 and all(t["geography"] == "national" for t in ticks)
    dots = data_of(spec, spec["layer"][1])
    assert {d["role"] for d in dots} == {"Derby", "Comparators"}
    # Factors by DfE's meaning, not its column names ("Domestic Abuse parent" before)
    assert spec["title"]["text"] == "Domestic abuse (parent) most common factor in Derby"
    assert {"Mental health (parent)", "Neglect"} <= {t["factor_name"] for t in ticks}


def test_factors_title_names_a_factor_not_other():
    # "Other" is Leeds' most recorded factor in 2024-25: "Other most common factor in Leeds"
    # said nothing, so the title names the most common named one and says so.
    spec = factors_chart("Leeds", year=2025).to_dict()
    assert (
        spec["title"]["text"] == "Physical abuse (adult on child) commonest named factor in Leeds"
    )
    dots = data_of(spec, spec["layer"][1])
    leeds = sorted((d for d in dots if d["role"] == "Leeds"), key=lambda d: -d["share"])
    assert leeds[0]["factor"] == "Other"
    assert leeds[1]["factor"] == "Physical_Abuse_adult_on_child"


def test_palette_is_the_analysis_function_palette():
    assert PALETTE == ["#12436D", "#28A197", "#801650", "#F46A25", "#3D3D3D", "#A285D1"]


def test_no_name_is_cut_short():
    # Vega cuts legend labels at 160 pixels by default: Bournemouth, Christchurch and Poole's
    # own trend and factors charts named it "Bournemouth, Christchurch a…" in their key.
    # The theme lifts every axis and legend limit, so names are whole in every chart.
    bcp = "Bournemouth, Christchurch and Poole"
    for chart in (
        trend_chart(bcp, "cla_rate"),
        factors_chart(bcp, year=2025),
        comparator_chart(bcp, "cla_rate", year=2025),
    ):
        svg = to_svg(chart)
        assert "…" not in svg
        assert f">{bcp}</text>" in svg or f">► {bcp}</text>" in svg


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_renders_to_png_and_svg_of_the_expected_size(charts):
    chart = charts["comparators"]
    svg = to_svg(chart)
    assert svg.startswith("<svg") and "<text" in svg and "Derby" in svg
    width = int(float(svg.split('width="')[1].split('"')[0]))
    one, two = to_png(chart, scale=1), to_png(chart, scale=2)
    w1, h1 = png_size(one)
    w2, h2 = png_size(two)
    assert w1 == width and (w2, h2) == (2 * w1, 2 * h1)
    assert len(set(one[100:2000])) > 20  # not a blank image


def test_save_by_suffix(tmp_path, charts):
    chart = charts["trend"]
    for suffix in (".svg", ".png", ".pdf", ".html"):
        path = tmp_path / f"chart{suffix}"
        save(chart, path)
        data = path.read_bytes()
        assert len(data) > 1000
    assert (tmp_path / "chart.pdf").read_bytes().startswith(b"%PDF")
    html = (tmp_path / "chart.html").read_text()
    assert "vegaEmbed" in html and "cdn.jsdelivr" not in html  # JavaScript inlined: works offline


@given(
    st.lists(st.floats(-1e4, 1e4, allow_nan=False), min_size=1, max_size=8),
    st.floats(0.1, 50),
)
def test_dodged_labels_keep_their_order_and_their_distance(values, gap):
    placed = dodge(values, gap)
    order = sorted(range(len(values)), key=lambda i: (values[i], i))
    assert [placed[i] for i in order] == sorted(placed)
    ys = sorted(placed)
    assert all(b - a >= gap * (1 - 1e-9) for a, b in pairwise(ys))
    if all(b - a >= gap for a, b in pairwise(sorted(values))):
        assert placed == values  # labels with room stay by their values


def y_pixels(spec: dict) -> float:
    """Pixels a unit of a chart's fixed value axis (its domain over its height)."""
    y = spec["layer"][1]["encoding"]["y"]["scale"]["domain"]
    return spec["height"] / (y[1] - y[0])


def test_trend_chart_labels_the_crowded_last_year_apart():
    """Derby's 2024-25 rate of plans (40.7), England's (40.6) and the East Midlands' (40.4)
    would print on top of each other; their labels are moved 14 px apart, centred on them."""
    spec = trend_chart("Derby", "cp_rate", year_to=2025).to_dict()
    data = [spec["datasets"][layer["data"]["name"]] for layer in spec["layer"][:4]]
    px = y_pixels(spec)
    at = {d["series"]: d["label_at"] for d in data[3]}
    values = {d["series"]: d["value"] for d in data[3]}
    assert [round(values[s], 1) for s in ("Derby", "England", "East Midlands")] == [
        40.7,
        40.6,
        40.4,
    ]
    assert (at["Derby"] - at["England"]) * px == pytest.approx(LABEL_GAP_PX)
    assert (at["England"] - at["East Midlands"]) * px == pytest.approx(LABEL_GAP_PX)
    crowded = ("Derby", "England", "East Midlands")
    assert sum(at[s] for s in crowded) == pytest.approx(sum(values[s] for s in crowded))
    assert at["Comparator average"] == pytest.approx(values["Comparator average"])  # room


def test_trend_chart_labels_stay_inside_the_plot_above_the_lowest_figure():
    """Rutland's plans lasting 2 years or more are 0% in 2024-25, under the East Midlands'
    1.7%, the comparator average's 2.1% and England's 2.3%; centred on their values, the four
    labels put Rutland's at -1.2 and the percentage axis ran to -5. The run now starts with
    Rutland's label inside the plot: its centre half its height (6.6 px) above the axis at 0,
    the others 14 px apart above it."""
    spec = trend_chart("Rutland", "cp_2yrs_pct", year_to=2025).to_dict()
    data = [spec["datasets"][layer["data"]["name"]] for layer in spec["layer"][:4]]
    plotted = [d["value"] for d in data[1]] + [
        d[k] for d in data[0] for k in ("ci95_low", "ci95_high")
    ]
    px = y_pixels(spec)
    at = sorted((d["label_at"], d["series"]) for d in data[3])
    assert min(plotted) == 0.0 == spec["layer"][1]["encoding"]["y"]["scale"]["domain"][0]
    assert at[0][1] == "Rutland" and at[0][0] * px == pytest.approx(6.6)
    assert [round((b[0] - a[0]) * px, 9) for a, b in pairwise(at)] == [LABEL_GAP_PX] * 3


def test_value_axes_label_about_six_values():
    """Vega's default labels a value axis every 40 pixels: Derby's children in need bars had
    thirteen labels and gridlines, 0 to 600 by 50. They now go by 100, and a trend chart's
    years are still each labelled (2012-13 to 2024-25 on Derby's: every other year fits)."""
    bars = to_svg(comparator_chart("Derby", "cin_rate", year=2025))
    axis = [t for t in re.findall(r"<text[^>]*>([^<]*)</text>", bars) if t.isdigit()]
    assert axis == ["0", "100", "200", "300", "400", "500", "600"]
    lines = to_svg(trend_chart("Derby", "cin_rate", year_to=2025))
    years = re.findall(r">(20\d\d-\d\d)</text>", lines)
    assert years[0] == "2012-13" and years[-1] == "2024-25"
    values = [t for t in re.findall(r"<text[^>]*>([^<]*)</text>", lines) if t.isdigit()]
    assert 4 <= len(values) <= 7


def test_titles_say_an_authority_as_people_do_and_keys_keep_dfes_name():
    # "Children in need in Bristol, City of: rising": DfE's names are for sorting. The line's
    # label and the bar's name keep DfE's name, as DfE's tables give it.
    trend = trend_chart("Bristol, City of", "cin_rate").to_dict()
    assert trend["title"]["text"] == "Children in need in Bristol: rising"
    assert "Bristol, City of" in json.dumps(trend["datasets"])
    bars = comparator_chart("Bristol, City of", "cin_rate", year=2025).to_dict()
    assert bars["title"]["text"] == "Bristol fourth lowest for rate of children in need"
    assert bars["description"].startswith("Bar chart of children in need per 10,000 children in")
    assert "City of" not in bars["description"]
    overview = overview_chart("Bristol, City of", year=2025).to_dict()
    assert overview["title"]["text"] == "How Bristol compares with England, 2024-25"


def test_the_overviews_two_columns_print_a_figure_alike():
    # Stockport 2018-19: the authority's "£1,305" stood beside England's bare "1,200", its
    # "24.3%" beside "22.6"; both columns now carry a % or £ and leave word units to the title
    from cscbench.analyses.wording import with_sign

    spec = overview_chart("Stockport", year=2019).to_dict()
    rows = [r for data in spec["datasets"].values() for r in data if "england_text" in r]
    assert rows
    for r in rows:
        if r["england"] is not None:
            assert r["england_text"] == with_sign(r["england"], r["indicator"])
        assert ("%" in r["value_text"]) == ("%" in r["england_text"]) or r["england"] is None
    unit_costs = [r for r in rows if r["england_text"].startswith("£")]
    assert unit_costs and all(r["value_text"].startswith("£") for r in unit_costs)


@given(st.text(alphabet="ab ;,", min_size=0, max_size=400), st.integers(10, 150))
def test_a_wrapped_line_keeps_every_word_within_the_length(line, length):
    from cscbench.figures.notes import wrapped

    lines = wrapped(line, length)
    assert " ".join(lines).split() == line.split()  # every word, in order
    assert all(len(part) <= length or " " not in part.strip() for part in lines)


def test_no_chart_line_is_wider_than_the_chart():
    # Stockport 2018-19's overview named five publications on one 230-character line, which
    # set the chart's width at twice its plot's; trend subtitles ran to 140 characters
    from altair.utils.schemapi import debug_mode

    from cscbench.figures.notes import LINE_LENGTH
    from cscbench.figures.render import spec
    from cscbench.report import pack_content

    for la, year in (("Stockport", 2019), ("Derby", 2025), ("Isles of Scilly", 2017)):
        with debug_mode(False):
            for plan in pack_content(la, year=year).charts():
                lines = spec(plan.build())["title"]["subtitle"]
                assert all(len(line) <= LINE_LENGTH for line in lines), (la, plan.stem, lines)


def test_a_trend_of_one_year_names_the_year_once():
    # Staffordshire's 2020-21 pack: DfE's placement figures by authority start that year
    spec = trend_chart("Staffordshire", "cla_3plus_placements_pct", year_to=2021).to_dict()
    assert spec["title"]["subtitle"][0] == (
        "Children looked after with 3 or more placements in the year (%), 2020-21;"
    )
    assert "2020-21 to 2020-21" not in json.dumps(spec)


@pytest.mark.parametrize(("la", "year"), [("Derby", 2025), ("Rutland", 2019), ("Kent", 2022)])
def test_overviews_from_a_packs_shared_rows_are_the_charts_drawn_alone(la, year):
    # a pack works out the rows of every overview once (overview_rows over every theme's
    # measures and their spread); each theme's chart must be the one it draws by itself
    import polars as pl

    from cscbench.analyses.views import spread
    from cscbench.datasets.registry import THEMES
    from cscbench.figures.overview import overview_rows, spine_indicators

    measures = sorted({k for theme in (None, *THEMES) for k in spine_indicators(theme)})
    whole = benchmark(la, year=year)
    rows = overview_rows(whole.filter(pl.col("indicator").is_in(measures)), spread(measures, year))
    for theme in (None, *THEMES):
        held = set(whole.filter(pl.col("value").is_not_null())["indicator"])
        if not held & set(spine_indicators(theme)):
            continue
        shared = overview_chart(la, year=year, theme=theme, rows=rows).to_dict()
        assert shared == overview_chart(la, year=year, theme=theme).to_dict(), theme
