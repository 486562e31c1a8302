"""Every authority's pack, every year, both neighbour models: its content builds and says
what it should; a sample of old years' charts build, and a few old packs are drawn.

The content (tables, narrative, sections, chart plans) of all of them is built from one
all-authority table per model, which gives the same rows as ``benchmark()`` for each
authority (checked on a sample below), so the whole class runs in about a minute.
"""

from __future__ import annotations

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from cscbench.analyses import benchmark, benchmark_table
from cscbench.analyses.coverage import held_spans
from cscbench.analyses.key_messages import key_messages
from cscbench.analyses.wording import year_label
from cscbench.datasets import load_areas, load_neighbours
from cscbench.datasets.registry import (
    INDICATORS,
    SOURCES,
    THEMES,
    comparable,
    in_order,
    of_theme,
)
from cscbench.errors import UsageError
from cscbench.report import CHARTED, pack_content, report

MODELS = ("sn2025", "sn2021")


@pytest.fixture(scope="module", params=MODELS)
def model_table(request):
    return request.param, benchmark_table(group=request.param)


def spine(ind, theme: str) -> bool:
    """On a theme's spine: its DfE measures, and of LAIT's values only its charted ones."""
    return ind.theme == theme and (ind.source != "lait" or ind.charted)


def expected_overviews(rows: pl.DataFrame) -> list[str]:
    """A theme has an overview (spine) chart of its own where the authority has figures for
    at least three of its spine's measures comparable across authorities (rates, percentages)."""
    held = set(rows.filter(pl.col("value").is_not_null())["indicator"])
    return [
        f"overview:{theme}"
        for theme in THEMES
        if len(held & {k for k in comparable() if spine(INDICATORS[k], theme)}) >= 3
    ]


def _expected_gaps(year: int) -> dict[str, list[str]]:
    """Per DfE file, the indicators the data hold no authority figures for in ``year``; a file
    with some figures that year (LAIT's looked-after rates of starting and ceasing begin in
    2017-18, its counts in 2015-16) has a gap per missing indicator. LAIT's values-only
    measures run their own years and are not said."""
    spans = {n: (f, last) for n, f, last in held_spans().iter_rows()}
    held = {INDICATORS[n].source for n, (f, last) in spans.items() if f <= year <= last}
    gaps: dict[str, list[str]] = {}
    for name, (first, last) in spans.items():
        source = INDICATORS[name].source
        if source == "lait" or first <= year <= last:
            continue
        gaps.setdefault(f"{source}:{name}" if source in held else source, []).append(name)
    return gaps


def _topic(indicator: str, year: int) -> str:
    """What the sentence names: the file's topic, or the indicator where the file has others."""
    key = next(k for k, names in _expected_gaps(year).items() if indicator in names)
    ind = INDICATORS[indicator]
    return ind.short if ":" in key else SOURCES[ind.source].topic


def test_every_authority_and_year_has_its_content(model_table):
    model, table = model_table
    modelled = set(load_neighbours(model)["la_code"])
    names = dict(load_areas().select("la_code", "area_name").rows())
    order = {name: k for k, name in enumerate(INDICATORS)}
    built, refused = 0, set()
    for (la, year), rows in table.group_by("la_code", "year", maintain_order=True):
        year = int(year)
        if la not in modelled:  # abolished before the model, or made after it
            with pytest.raises(UsageError, match=f"not in the {model} neighbour model"):
                pack_content(la, year, model, table=rows.sort(in_order()))
            refused.add(la)
            continue
        content = pack_content(la, year, model, table=rows.sort(in_order()))
        built += 1
        where = f"{names[la]} {year} {model}"
        held = [s for s in content.sections if s.row is not None]
        assert [s.indicator for s in held] == rows.sort(in_order())["indicator"].to_list(), where
        for s in held:
            assert s.sentences, f"{where} {s.indicator}: no sentence"
            charted = s.indicator in CHARTED
            assert [p.stem for p in s.charts] == (
                [f"{s.indicator}-trend", f"{s.indicator}-comparators"] if charted else []
            ), where
        # each DfE file with no figures that year: one section, said once, naming the years
        gaps = _expected_gaps(year)
        missing = [s for s in content.sections if s.row is None]
        assert sorted(s.indicator for s in missing) == sorted(g[0] for g in gaps.values())
        for s in missing:
            (sentence,) = s.sentences
            topic = _topic(s.indicator, year)
            assert sentence.startswith(f"There are no figures on {topic} for {year_label(year)}")
            assert "start in" in sentence or "end in" in sentence, sentence
        # report order: by theme, and the registry's order within each
        positions = [order[s.indicator] for s in content.sections]
        assert positions == sorted(positions), where
        assert [t for t, _ in content.themes()] == [
            t for t in THEMES if t in {s.theme for s in content.sections}
        ], where
        text = " ".join(s for section in content.sections for s in section.sentences)
        for wrong in (" None", " nan", "  ", " ,", "..", " .", "inf%"):
            assert wrong not in text, f"{where}: {wrong!r}"
        # the overview draws the headline measures held (none: Norfolk 2013 sent no return)
        figures = set(rows.filter(pl.col("value").is_not_null())["indicator"])
        assert (content.overview is not None) == bool(figures & set(CHARTED)), where
        # the factors at assessment (c3, 2017-18 on) go with the front door's figures
        front_door = set(rows["indicator"]) & set(of_theme(THEMES[0]))
        assert (content.factors is None) == (year < 2018 or not front_door), where
        assert [p.section for p in content.theme_overviews] == expected_overviews(rows), where
        # the key messages, chosen by rule from the authority's rows (tests/test_key_messages.py)
        chosen = key_messages(rows.sort(in_order()))
        assert content.key_messages == tuple(chosen["message"]), where
        assert content.key_message_reasons == tuple(chosen["why"]), where
        assert len(content.key_messages) <= 6, where
    assert built > 1500
    # the 2025 model has no abolished authority; the 2021 one predates Cumbria's split
    assert (
        refused == {"sn2025": {"835", "836", "837", "909", "928"}, "sn2021": {"942", "943"}}[model]
    )


@pytest.mark.parametrize(
    ("la", "year", "model"),
    [("831", 2017, "sn2021"), ("420", 2025, "sn2025"), ("942", 2024, "sn2025")],
)
def test_the_shortcut_gives_what_benchmark_gives(la, year, model):
    # The test above takes each authority's rows from one all-authority table: they are the
    # rows benchmark() gives (its group label aside, which names the authority).
    whole = benchmark_table(group=model).filter(pl.col("la_code") == la, pl.col("year") == year)
    one = benchmark(la, year=year, group=model)
    assert_frame_equal(whole.sort(in_order()).drop("group"), one.drop("group"))


# An old year for each kind of authority: small (Rutland, the Isles of Scilly, the City of
# London), newly made (BCP, North Northamptonshire, Cumberland), abolished (Poole), large.
SAMPLE = [
    ("857", 2013, "sn2021"),
    ("420", 2014, "sn2025"),
    ("201", 2015, "sn2021"),
    ("836", 2016, "sn2021"),
    ("831", 2017, "sn2021"),
    ("330", 2018, "sn2025"),
    ("857", 2019, "sn2025"),
    ("839", 2020, "sn2021"),
    ("420", 2021, "sn2021"),
    ("940", 2022, "sn2025"),
    ("201", 2023, "sn2025"),
    ("942", 2024, "sn2025"),
]


@pytest.mark.parametrize(("la", "year", "model"), SAMPLE)
def test_every_chart_of_a_sample_of_old_years_builds(la, year, model):
    from altair.utils.schemapi import debug_mode

    from cscbench.figures.render import spec

    content = pack_content(la, year, model)
    with debug_mode(False):
        specs = {plan.stem: spec(plan.build()) for plan in content.charts()}
    held = [s.indicator for s in content.sections if s.row is not None and s.indicator in CHARTED]
    overviews = expected_overviews(content.table)
    assert len(specs) == 1 + len(overviews) + 2 * len(held) + (year >= 2018)
    assert "overview:child protection" in overviews  # its plan durations, from 2012-13
    for stem, made in specs.items():
        title = made.get("title", {}).get("text") or (made.get("hconcat") and "overview")
        assert title, stem


@pytest.mark.parametrize(
    ("la", "year", "model"), [("Derby", 2017, "sn2021"), ("Birmingham", 2013, "sn2025")]
)
def test_old_years_make_whole_packs(tmp_path, la, year, model):
    folder = report(la, year=year, group_key=model, out=tmp_path / "pack", png=False, workers=1)
    page = (folder / "index.html").read_text()
    svgs = sorted(p.stem for p in (folder / "figures").glob("*.svg"))
    content = pack_content(la, year, model)
    assert svgs == sorted(plan.stem for plan in content.charts())
    assert {f"{i}-trend" for i in ("cin_rate", "cp_rate", "rereferral_pct")} <= set(svgs)
    sheets = pl.read_excel(folder / "tables.xlsx", sheet_id=0)
    said = sheets["narrative"].filter(pl.col("kind") == "not_held")["sentence"].to_list()
    notes = sheets["narrative"].filter(pl.col("kind") == "note")["sentence"].to_list()
    if year < 2016:  # before LAIT's looked-after figures (2015-16) too
        assert said[0] == (
            f"There are no figures on children looked after for {year_label(year)} "
            "(6 indicators): DfE's figures on children looked after by local authority start "
            "in 2015-16."
        )
    else:  # LAIT's figures, said to be LAIT's, once; charted as any other year's
        assert "cla_rate-trend" in svgs
        assert any(
            n.startswith("Figures on children looked after for 2016-17 are LAIT's") for n in notes
        )
        assert "are LAIT&#39;s published values" in page
    # one sentence per DfE file with no figures that year, each naming when its figures start
    assert len(said) == len(_expected_gaps(year))
    assert all("start in" in sentence for sentence in said)
