"""The benchmark pack: its files, HTML escaping, and the page in a real headless Chromium."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import polars as pl
import pytest

from cscbench.analyses import benchmark
from cscbench.report import CHARTED, pack_content, report, report_all
from cscbench.report.html import _average_cell, _lead

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = Path(os.environ.get("CSCBENCH_ARTIFACTS", ROOT / "build" / "test-artifacts"))
HOSTILE = '<script>alert("x")</script> & Co'


def planned(la: str, year: int) -> int:
    """How many charts the pack's content plans (built without drawing): the overview, one
    overview per theme with enough headline measures, a trend and a comparator chart per
    charted measure with figures that year, the factors at assessment."""
    content = pack_content(la, year=year)
    stems = [plan.stem for plan in content.charts()]
    assert len(stems) == len(set(stems))
    return len(stems)


@pytest.fixture(scope="module")
def pack(tmp_path_factory):
    return report("Derby", year=2025, out=tmp_path_factory.mktemp("pack") / "derby")


def test_pack_has_every_file(pack):
    names = {p.name for p in pack.iterdir()}
    assert {
        "index.html",
        "figures",
        "report.docx",
        "tables.xlsx",
        "benchmark.csv",
        "narrative.csv",
        "group.csv",
        "data.parquet",
    } <= names
    figures = {p.name for p in (pack / "figures").iterdir()}
    charts = planned("Derby", 2025)
    assert charts >= 2 * len(CHARTED)  # Derby has every charted measure in 2025
    assert len([f for f in figures if f.endswith(".svg")]) == charts
    assert len([f for f in figures if f.endswith(".png")]) == charts
    assert (pack / "figures" / "overview.png").read_bytes()[:4] == b"\x89PNG"


def test_tables_match_the_engine(pack):
    from cscbench.analyses import benchmark

    sheets = pl.read_excel(pack / "tables.xlsx", sheet_id=0)
    assert list(sheets) == [
        "Summary",
        "Notes",
        "benchmark (all columns)",
        "narrative",
        "group",
        "inspections",
    ]
    # Ofsted's ILACS of Derby, 21 March 2022 (LA_Inspection_Outcomes_as_at_31_March_2025.ods)
    ofsted = sheets["inspections"].filter(pl.col("la_code") == "831").row(0, named=True)
    assert str(ofsted["inspection_date"])[:10] == "2022-03-21" and ofsted["role"] == "authority"
    engine = benchmark("Derby", year=2025)
    saved = sheets["benchmark (all columns)"].sort("indicator")
    assert saved["value"].to_list() == pytest.approx(
        engine.sort("indicator")["value"].to_list(), nan_ok=True
    )
    assert sheets["group"].height == 10


def test_data_parquet_holds_the_rows_used(pack):
    used = pl.read_parquet(pack / "data.parquet")
    assert {"831", "331", "350"} <= set(used["la_code"].drop_nulls())  # Derby, Coventry, Bolton
    assert "E92000001" in set(used["area_code"])  # England
    assert used.filter(pl.col("year") == 2025, pl.col("indicator") == "cla_rate").height >= 153


def test_page_is_self_contained(pack):
    page = (pack / "index.html").read_text()
    assert "<script" not in page and "http://" not in page.replace("http://www.w3.org", "")
    assert page.count("<svg") == planned("Derby", 2025)
    assert "Open Government Licence v3.0" in page and "b1_children_in_need_2013_to_2025.csv" in page


def test_a_comparator_average_over_fewer_members_says_how_many():
    # Five of Wandsworth's ten 2025 neighbours have no figure for plans lasting 2 years or
    # more at 31 March 2025 (DfE suppresses small counts): the table's average is of five.
    row = benchmark("Wandsworth", year=2025, indicators=["cp_2yrs_pct"]).row(0, named=True)
    assert len(row["group_missing"]) == 5
    assert _average_cell(row) == f"{row['comparator_mean']:.1f}% (over 5 of 10)"
    derby = benchmark("Derby", year=2025, indicators=["cin_rate"]).row(0, named=True)
    assert _average_cell(derby) == f"{derby['comparator_mean']:.1f} per 10,000 children"


def test_the_page_opens_with_england_and_the_re_referral_place_in_words():
    # Bexley's re-referral rate is 6th of 11 in 2024-25: the opening read "Bexley has in the
    # middle (6th of 11) re-referral rate". England's side is counted here from the intervals,
    # of the rates and percentages that have one (DfE's workforce ratios of FTEs have none).
    table = benchmark("Bexley", year=2025)
    shown = table.filter(pl.col("ci95_low").is_not_null(), pl.col("unit") != "count")
    above = shown.filter(pl.col("england") < pl.col("ci95_low")).height
    below = shown.filter(pl.col("england") > pl.col("ci95_high")).height
    assert shown.filter(pl.col("indicator").str.starts_with("sw_")).height == 0
    assert _lead(table, "Bexley") == (
        f"Of Bexley's {shown.height} rates and percentages with an interval, {above} are "
        f"significantly above England's and {below} below (95% intervals). Bexley sits in the "
        "middle (6th of 11) of its comparator group for its re-referral rate (21.9%)."
    )


def test_the_page_opens_with_the_key_messages_before_the_first_theme(pack):
    from markupsafe import escape  # as Jinja2 escapes

    page = (pack / "index.html").read_text()
    content = pack_content("Derby", year=2025)
    assert 0 < len(content.key_messages) <= 6
    start = page.index('<section id="key-messages"><h2>Key messages</h2>')
    assert start < page.index('<h2 id="overview">') < page.index('<h2 id="theme-')
    listed = page[start : page.index("</ul>", start)]
    assert listed.count("<li>") == len(content.key_messages)
    for message, why in zip(content.key_messages, content.key_message_reasons, strict=True):
        assert f'<li>{escape(message)} <span class="note">Why: {escape(why)}.</span></li>' in listed
    contents = page[page.index('<nav class="contents"') : page.index("</nav>")]
    assert contents.index('<li><a href="#key-messages">Key messages</a></li>') < contents.index(
        '<li><a href="#overview">Overview</a></li>'
    )


def test_text_from_data_is_escaped(tmp_path):
    folder = report(
        "Rutland",
        year=2025,
        comparators=["Leicestershire", "Derbyshire"],
        group_name=HOSTILE,
        out=tmp_path / "rutland",
    )
    page = (folder / "index.html").read_text()
    assert HOSTILE not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co" in page
    svg = (folder / "figures" / "cla_rate-trend.svg").read_text()
    assert "<script>" not in svg


def test_packs_for_several_authorities_in_parallel(tmp_path, pack):
    seen = []
    done = report_all(
        tmp_path,
        year=2025,
        authorities=["Rutland", "Derby"],
        workers=2,
        progress=seen.append,
        png=False,
    )
    assert [p.name for p in done] == ["derby", "rutland"]
    assert sorted(seen) == ["Derby", "Rutland"]
    assert all((p / "index.html").is_file() for p in done)
    # Without PNGs: the same SVGs and page as the pack written with them, and no PNG (beside
    # them, the record of what each was drawn from).
    figures = sorted(p.name for p in (tmp_path / "derby" / "figures").iterdir())
    drawn = sorted(p.name for p in (pack / "figures").glob("*.svg"))
    assert figures == sorted([*drawn, "drawn.json"])
    for name in drawn:
        assert (tmp_path / "derby" / "figures" / name).read_text() == (
            pack / "figures" / name
        ).read_text(), name
    assert (tmp_path / "derby" / "index.html").read_text() == (pack / "index.html").read_text()
    # Every table is the same file, byte for byte (the workbook's creation time is when the
    # data were built, not when the pack was made): a pack made twice from the same data is
    # the same pack.
    for name in ("tables.xlsx", "benchmark.csv", "narrative.csv", "group.csv", "data.parquet"):
        assert (tmp_path / "derby" / name).read_bytes() == (pack / name).read_bytes(), name


def test_the_drawing_floor_draws_the_packs_own_charts(tmp_path, pack):
    # benchmark/pack_specs.py times drawing alone, from specs written before: they must be
    # the very charts the pack draws (the same drawing key, which digests the spec).
    import json
    import sys

    from cscbench.report.drawn import DRAWN, drawing_key

    sys.path.insert(0, str(ROOT / "benchmark"))
    from pack_specs import write_specs

    assert write_specs(tmp_path, ["831"]) == planned("Derby", 2025)
    drawn = json.loads((pack / "figures" / DRAWN).read_text())
    written = {p.stem: json.loads(p.read_text()) for p in (tmp_path / "831").glob("*.json")}
    assert set(written) == set(drawn)
    for stem, spec in written.items():
        assert drawing_key(spec, 2.0) == drawn[stem]["key"], stem


def test_a_pack_made_again_draws_only_what_changed(tmp_path, monkeypatch):
    from cscbench.figures.drawing import Drawers

    drawn = []
    submit = Drawers.submit

    def counted(self, spec, svg_path, png_path):
        drawn.append(Path(svg_path).stem)
        return submit(self, spec, svg_path, png_path)

    monkeypatch.setattr(Drawers, "submit", counted)
    out = tmp_path / "rutland"
    report("Rutland", year=2025, out=out, workers=1)
    charts = planned("Rutland", 2025)
    assert len(drawn) == charts
    figures = out / "figures"
    page = (out / "index.html").read_text()
    written = {p.name: p.stat().st_mtime_ns for p in figures.iterdir()}

    drawn.clear()  # the same pack again: every chart kept, files untouched, the same page
    report("Rutland", year=2025, out=out, workers=1)
    assert drawn == []
    assert {p.name: p.stat().st_mtime_ns for p in figures.iterdir() if p.name != "drawn.json"} == {
        name: when for name, when in written.items() if name != "drawn.json"
    }
    assert (out / "index.html").read_text() == page

    # A figure changed since (or gone) is drawn again, and only it.
    svg = (figures / "cla_rate-trend.svg").read_text()
    (figures / "cla_rate-trend.svg").write_text(svg.replace("Rutland", "Elsewhere"))
    (figures / "overview.png").unlink()
    report("Rutland", year=2025, out=out, workers=1)
    assert sorted(drawn) == ["cla_rate-trend", "overview"]
    assert (figures / "cla_rate-trend.svg").read_text() == svg
    assert (out / "index.html").read_text() == page

    # A record that is not one (written by hand, cut short): everything drawn again.
    drawn.clear()
    (figures / "drawn.json").write_text('{"overview": "?", "cla_rate-trend": {"key": 1')
    report("Rutland", year=2025, out=out, workers=1)
    assert len(drawn) == charts

    # Another chart (another year) or no PNGs: everything drawn again.
    drawn.clear()
    report("Rutland", year=2025, out=out, workers=1, png=False)
    assert len(drawn) == charts and not list(figures.glob("*.png"))
    drawn.clear()
    report("Rutland", year=2024, out=out, workers=1, png=False)
    assert len(drawn) == planned("Rutland", 2024)


def test_a_new_cscbench_or_vl_convert_draws_every_chart_again(monkeypatch):
    import importlib.metadata

    import cscbench.report.drawn as pack

    spec = {"mark": "point", "data": {"values": [{"a": 1}]}}
    now = pack.drawing_key(spec, 2.0)
    newer = [(pack, "__version__", "99.0"), (importlib.metadata, "version", lambda _: "99.0")]
    for target, name, value in newer:
        with monkeypatch.context() as patch:
            patch.setattr(target, name, value)
            pack._drawing_with.cache_clear()
            assert pack.drawing_key(spec, 2.0) != now, name
        pack._drawing_with.cache_clear()
    assert pack.drawing_key(spec, 2.0) == now


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def test_page_loads_in_headless_chromium_with_every_chart_drawn(pack):
    browser_path = chromium()
    if browser_path is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium is not installed: .ci/run installs Debian's chromium")
        pytest.skip("Chromium is not installed here (CI installs it)")
    from playwright.sync_api import sync_playwright

    errors = []
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=browser_path,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        page = browser.new_page(viewport={"width": 1200, "height": 1600})
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto((pack / "index.html").as_uri())
        page.wait_for_load_state("load")
        marks = page.eval_on_selector_all(
            "figure svg", "svgs => svgs.map(s => s.querySelectorAll('path, rect, line').length)"
        )
        sizes = page.eval_on_selector_all(
            "figure svg", "svgs => svgs.map(s => s.getBoundingClientRect().width)"
        )
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "derby-pack.png"), full_page=False)
        browser.close()
    assert errors == []
    assert len(marks) == planned("Derby", 2025)
    assert min(marks) > 5 and min(sizes) > 200
    assert (ARTIFACTS / "derby-pack.png").stat().st_size > 10_000
