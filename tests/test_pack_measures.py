"""`report --measures FILE`: the authority's own measures in each theme of the pack, in the key
messages where a rule fires, on the page, in the Word document and the workbook."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest
from docx import Document
from test_local_cli import monthly

from cscbench.analyses.key_messages import LIMIT
from cscbench.analyses.local_pack import LOCAL_WHY, home_theme, local_candidates
from cscbench.analyses.local_spc import example_measures, spc_points
from cscbench.analyses.local_words import local_summary, national_figures, shown
from cscbench.datasets import group
from cscbench.datasets.local_measures import read_measures
from cscbench.datasets.local_template import template_frame
from cscbench.datasets.registry import INDICATORS, THEMES
from cscbench.report.content import pack_content
from cscbench.report.html import pack_page
from cscbench.report.word import build_document

LEICESTERSHIRE = Path(__file__).parents[1] / "analyses" / "local_measures" / "leicestershire.csv"


def test_a_local_theme_joins_the_national_theme_it_names_whatever_its_case():
    for theme in THEMES:
        assert home_theme(theme) == theme
        assert home_theme(theme.upper()) == theme
        assert home_theme(theme[0].upper() + theme[1:]) == theme


def test_a_local_theme_naming_no_theme_joins_its_matches_theme_only_when_they_share_one():
    by_theme: dict[str, list[str]] = {}
    for ind in INDICATORS.values():
        by_theme.setdefault(ind.theme, []).append(ind.id)
    for theme, ids in by_theme.items():
        assert home_theme("Early help", ids[:2]) == theme
        assert home_theme("Early help", [ids[0], None]) == theme
    first, second = (ids[0] for ids in list(by_theme.values())[:2])
    assert home_theme("Early help", [first, second]) is None  # two themes: its own part
    assert home_theme("Early help", []) is None
    assert home_theme("Early help", ["no_such_indicator"]) is None


def test_the_templates_themes_go_where_their_names_say():
    homes = {t: home_theme(t) for t in template_frame()["theme"].unique(maintain_order=True)}
    assert homes["Front door and assessment"] == "front door and assessment"
    assert homes["Child protection"] == "child protection"
    assert homes["Children looked after"] == "children looked after"
    assert homes["Early help"] is None and homes["Missing and exploitation"] is None


@pytest.fixture(scope="module")
def leicestershire():
    return pack_content("Leicestershire", year=2018, group_key="sn2021", measures=LEICESTERSHIRE)


def test_every_local_measure_is_in_exactly_one_part_with_the_summarys_sentences(leicestershire):
    content = leicestershire
    local = read_measures(LEICESTERSHIRE)
    chosen = group(content.focus["la_code"], "sn2021")
    points = spc_points(local)
    national = national_figures(local.measures, content.focus["la_code"], chosen, 2018)
    expected = local_summary(points, national, local.measures)
    placed = [m for p in content.local_parts for m in p.summary["measure"]]
    assert sorted(placed) == sorted(local.measures["measure"]) and len(placed) == len(set(placed))
    for part in content.local_parts:
        mine = expected.filter(pl.col("theme") == part.title)
        nationals = local.measures.filter(pl.col("theme") == part.title)["national"]
        assert part.theme == home_theme(part.title, nationals.to_list())
        assert part.sentences == tuple(s for ss in mine["sentences"] for s in ss)
        with_points = mine.filter(pl.col("points") > 0)["measure"]
        assert [plan.stem for plan in part.charts] == [f"local-{m}" for m in with_points]
        for row, cells in zip(mine.iter_rows(named=True), part.rows(), strict=True):
            assert cells["title"] == row["title"]
            assert cells["value"] == (
                "" if row["value"] is None else shown(row["value"], row["unit"])
            )
    # the re-referral measure matches DfE's rereferral_pct: DfE's 2017-18 figures beside it
    rereferral = content.tables()["local_measures"].filter(pl.col("measure") == "rereferral_pct")
    row = content.table.filter(pl.col("indicator") == "rereferral_pct").row(0, named=True)
    assert rereferral["england"][0] == pytest.approx(row["england"])
    assert rereferral["comparator_mean"][0] == pytest.approx(row["comparator_mean"])


def test_local_charts_follow_their_themes_national_charts(leicestershire):
    content = leicestershire
    sections = [plan.section for plan in content.charts()]
    for part in content.local_parts:
        first = sections.index(part.section)
        if part.theme is None:  # after every national theme
            last_theme = max(i for i, s in enumerate(sections) if s in INDICATORS)
            assert first > last_theme
        else:
            theirs = [
                i
                for i, s in enumerate(sections)
                if s in INDICATORS and INDICATORS[s].theme == part.theme
            ]
            assert not theirs or first > max(theirs)
    assert all(isinstance(plan.build(), dict) for p in content.local_parts for plan in p.charts)


def test_the_page_and_the_word_document_carry_each_part(leicestershire):
    content = leicestershire
    page = pack_page(content, {})
    doc = build_document(content)
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    text = "\n".join(p.text for p in doc.paragraphs)
    for part in content.local_parts:
        assert f"<h3>Local measures: {part.title}</h3>".replace("'", "&#39;") in page
        assert f"Local measures: {part.title}" in headings
        for sentence in part.sentences[:2]:
            assert sentence in text
        for plan in part.charts:
            assert f"(figure: see figures/{plan.stem}.svg)" in text
    tables = {t.rows[0].cells[0].text: t for t in doc.tables}
    assert "Measure" in tables
    own = [p.title for p in content.local_parts if p.theme is None]
    assert own and all(title in headings for title in own)


def test_a_special_cause_local_point_is_a_key_message_of_the_pack():
    content = pack_content("Derby", year=2025, measures=example_measures())
    assert any("Return interviews offered within 72 hours" in m for m in content.key_messages)
    assert LOCAL_WHY in content.key_message_reasons
    assert len(content.key_messages) <= LIMIT
    summary = pl.concat([p.summary for p in content.local_parts])
    assert [c["measure"] for c in local_candidates(summary, 2025)] == ["ri_72h_pct"]
    # the same file in a pack of a later year than its latest point: no local key message
    later = summary.with_columns(pl.lit(2024, dtype=pl.Int32).alias("latest_year"))
    assert local_candidates(later, 2025) == []


def cli(*args, cwd):
    return subprocess.run(
        [sys.executable, "-m", "cscbench.cli", "report", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
    )


def test_report_measures_writes_the_local_parts_and_refuses_a_bad_file(tmp_path):
    good = monthly(tmp_path, n=20)
    done = cli("Rutland", "--measures", str(good), "--no-png", "--out", "pack", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    page = (tmp_path / "pack" / "index.html").read_text()
    assert 'id="local-missing"' in page
    assert (tmp_path / "pack" / "figures" / "local-ri_72h_pct.svg").exists()
    sheet = pl.read_csv(tmp_path / "pack" / "local_measures.csv")
    assert sheet["measure"].to_list() == ["ri_72h_pct"] and sheet["points"][0] == 20
    doc = Document(tmp_path / "pack" / "report.docx")
    assert "Local measures: Missing" in [p.text for p in doc.paragraphs]

    bad = tmp_path / "bad.csv"
    bad.write_text(good.read_text().replace(",20,50,", ",60,50,", 1))
    refused = cli("Rutland", "--measures", str(bad), "--no-png", "--out", "p2", cwd=tmp_path)
    assert refused.returncode == 2
    assert len(refused.stderr.strip().splitlines()) == 1
    assert "bad.csv, row " in refused.stderr and "column" in refused.stderr
    assert not (tmp_path / "p2").exists()
    every = cli("--all", "--measures", str(good), cwd=tmp_path)
    assert every.returncode == 2 and "--measures" in every.stderr
