"""The pack's page: by theme, every chart followed by its figures as a table, in words, and in
headless Chromium on a wide screen, a phone and A4 paper.

The browser tests drive Chromium's own command line (screenshots, the DOM after a probe
script has run, print to PDF); without Chromium they are skipped, saying so. Screenshots and
the PDFs are kept under ``$CSCBENCH_ARTIFACTS/page`` (default: pytest's temporary folder,
whose path the tests print).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import struct
import subprocess
from pathlib import Path

import polars as pl
import pytest
from lxml import html as lxml_html

from cscbench.analyses import benchmark_table
from cscbench.analyses.engine import FLAG_MEANINGS, flag_label
from cscbench.analyses.wording import number, with_unit, year_label
from cscbench.datasets.registry import FACTOR_LABELS, INDICATORS, SHARES, SIZES, THEMES, in_order
from cscbench.report import pack_content, report
from cscbench.report.chart_tables import chart_table
from cscbench.report.folders import slug
from cscbench.report.html import PRINTED_LENGTH, chart_items, pack_page

AUTHORITIES = ("Derby", "Rutland")
#: At most this many A4 pages for a full pack (Derby and Rutland print to 52 and 53 in Debian's
#: Chromium 2026; 135 and 130 when every measure had a section of its own).
PRINTED_PAGES = 57
YEAR = 2025
HOSTILE = '<script>alert("x")</script> & Co'


@pytest.fixture(scope="module")
def packs(tmp_path_factory) -> dict[str, Path]:
    """The packs of two authorities as `cscbench report` writes them (SVG only: quicker)."""
    root = tmp_path_factory.mktemp("page")
    return {
        la: report(la, year=YEAR, out=root / la.lower(), png=False, workers=1) for la in AUTHORITIES
    }


@pytest.fixture(scope="module")
def contents():
    return {la: pack_content(la, year=YEAR) for la in AUTHORITIES}


def tree(folder: Path):
    return lxml_html.fromstring((folder / "index.html").read_text(encoding="utf-8"))


def text(element) -> str:
    return " ".join(element.text_content().split())


def table_cells(table) -> tuple[list[str], list[list[str]]]:
    """A table's header and its body's rows, each cell's text."""
    header = [text(th) for th in table.xpath("./thead/tr/th")]
    rows = [[text(c) for c in tr.xpath("./th|./td")] for tr in table.xpath("./tbody/tr")]
    return header, rows


@pytest.mark.parametrize("la", AUTHORITIES)
def test_the_themes_are_headed_and_listed_in_the_registrys_order(packs, contents, la):
    page = tree(packs[la])
    held = [theme for theme, _ in contents[la].themes()]
    assert held == [t for t in THEMES if t in held]  # report order is the registry's
    assert len(held) >= 8  # every authority has figures in most themes in 2024-25
    titles = [t[0].upper() + t[1:] for t in held]
    assert [text(h) for h in page.xpath("//section[@class='theme']/h2")] == titles
    links = page.xpath("//nav[@class='contents']//li[@class='theme-link']/a")
    assert [text(a) for a in links] == titles
    ids = set(page.xpath("//@id"))
    targets = [a.get("href") for a in page.xpath("//nav[@class='contents']//a")]
    assert all(href.startswith("#") and href[1:] in ids for href in targets)
    # every indicator section, and each row of the theme's compact table, sits under its own
    # theme's heading; the compact part comes last but for the local measures
    for section in page.xpath("//section[@class='theme']"):
        theme = text(section.xpath("./h2")[0]).lower()
        inner = [s.get("id") for s in section.xpath("./section")]
        more = f"more-{slug(theme)}"
        full = [i for i in inner if i != more]
        assert full and all(INDICATORS[i.removeprefix("none-")].theme == theme for i in full)
        rows = section.xpath(f"./section[@id='{more}']//table[@class='compact']/tbody/@id")
        assert all(INDICATORS[i].theme == theme for i in rows)


@pytest.mark.parametrize("la", AUTHORITIES)
def test_every_chart_is_followed_by_a_table_of_its_figures(packs, contents, la):
    page = tree(packs[la])
    content = contents[la]
    figures = page.xpath("//figure")
    assert len(figures) == len(list(content.charts())) > 10
    for figure in figures:
        after = figure.getnext()
        assert after is not None and after.tag == "details", figure.get("aria-label")
        assert text(after.xpath("./summary")[0]) == "View as table"
        assert len(after.xpath(".//table/tbody/tr")) >= 1
    rows = {r["indicator"]: r for r in content.table.iter_rows(named=True)}
    checked = 0
    for section in content.sections:
        if not section.charts:
            continue
        row, ind = section.row, section.indicator
        # The trend: its last year is the section's figures, each series in its column.
        header, cells = table_cells(page.get_element_by_id(f"table-{ind}-trend").find(".//table"))
        last = dict(zip(header, cells[-1], strict=True))
        assert last["Year"] == year_label(YEAR)
        assert last[content.name] == number(row["value"], ind)
        assert last["Comparator average"] == number(row["comparator_mean"], ind)
        assert last["England"] == number(row["england"], ind)
        assert last[content.focus["region_name"]] == number(row["region"], ind)
        if row["ci95_low"] is not None:
            low, high = number(row["ci95_low"], ind), number(row["ci95_high"], ind)
            assert last["95% interval"] == f"{low} to {high}"
        # The comparator bars: one row per authority with a figure, highest first (rank 1 is
        # the highest), then the comparator average and England.
        table = page.get_element_by_id(f"table-{ind}-comparators").find(".//table")
        _, cells = table_cells(table)
        authorities = cells[:-2]
        assert cells[-2:] == [
            ["Comparator average", number(row["comparator_mean"], ind)],
            ["England", number(row["england"], ind)],
        ]
        assert len(authorities) == row["group_n"] + (row["value"] is not None)
        focus = table.xpath("./tbody/tr[@class='focus']")
        if row["value"] is None:  # no bar of its own: the chart says so in its title
            assert focus == [] and content.name not in [c[0] for c in authorities]
        else:
            assert [[text(c) for c in focus[0]]] == [[content.name, number(row["value"], ind)]]
        if row["rank"] and not row["rank_ties"]:
            assert authorities.index([content.name, number(row["value"], ind)]) + 1 == row["rank"]
        checked += 1
    assert checked >= 10
    # Each theme's spine chart: a row per measure, the authority's, comparators' and England's.
    for plan in content.theme_overviews:
        table = page.get_element_by_id(f"table-{plan.stem}").find(".//table")
        header, cells = table_cells(table)
        assert header[:4] == ["Measure", content.name, "Comparator average", "England"]
        by_title = {INDICATORS[k].title: r for k, r in rows.items()}
        for cell in cells:
            r = by_title[cell[0]]
            ind = r["indicator"]
            assert INDICATORS[ind].theme == plan.section.removeprefix("overview:")
            assert cell[1:4] == [
                with_unit(r[c], ind) for c in ("value", "comparator_mean", "england")
            ]


def compact_cells(row: dict) -> list[str]:
    """A measure's cells in its theme's compact table, worked from its benchmark row: the
    value with its unit where that is a sign (%, £), the number alone otherwise."""
    ind = row["indicator"]
    unit = INDICATORS[ind].unit
    value = with_unit if unit in SHARES | {"pounds"} else number
    average = number(row["comparator_mean"], ind)
    if row["group_missing"] and row["comparator_mean"] is not None:
        average += f" (over {row['group_n']} of {row['group_n'] + len(row['group_missing'])})"
    if unit in SIZES:
        rank = "not ranked"
    elif not row["rank"]:
        rank = "no rank"
    else:
        rank = f"{row['rank']} of {row['rank_of']}"
        if {"small_numbers", "imprecise"} & set(row["flags"] or []):
            rank += f" (on {number(row['numerator'], 'cin_count')} children or events: see caveat)"
    # the change in points for a percentage, in per cent otherwise (none from a year at 0)
    decimals = INDICATORS[ind].decimals
    points, per_cent = row["change_1y"], row["change_1y_pct"]
    if unit in SHARES:
        change = "no figure" if points is None else f"{round(points, decimals):+.{decimals}f} pts"
    else:
        change = "no figure" if per_cent is None else f"{round(per_cent, 1):+.1f}%"
    return [
        value(row["value"], ind),
        average,
        number(row["region"], ind),
        number(row["england"], ind),
        rank,
        row["quartile_band"] or "none",
        change,
    ]


def check_compact(content, page) -> int:
    """Every measure of ``content`` without charts is a row of its theme's compact table with
    the figures its benchmark row gives, its flags in words and its sentences in the theme's
    details; every charted measure keeps a section of its own. The number of rows checked."""
    where = content.name
    checked = 0
    for theme, sections in content.themes():
        compact = [s for s in sections if s.row is not None and not s.charts]
        for s in sections:
            if s.charts:
                assert page.xpath(f"//section[@id='{s.indicator}']/h3"), (where, s.indicator)
                assert not page.xpath(f"//table[@class='compact']/tbody[@id='{s.indicator}']")
        if not compact:
            assert not page.xpath(f"//*[@id='more-{slug(theme)}']"), (where, theme)
            continue
        table = page.get_element_by_id(f"more-{slug(theme)}").find(".//table")
        header = [text(th) for th in table.xpath("./thead/tr/th")]
        assert header[:2] == ["Measure", content.name] and header[-1] == "1-year change"
        assert table.xpath("./tbody/@id") == [s.indicator for s in compact], (where, theme)
        said = page.get_element_by_id(f"said-{slug(theme)}")
        assert [text(dt) for dt in said.xpath(".//dt")] == [s.title for s in compact]
        assert [text(dd) for dd in said.xpath(".//dd")] == [
            " ".join(" ".join(s.sentences).split()) for s in compact
        ]
        length = sum(len(s.title) + len(" ".join(s.sentences)) for s in compact)
        assert ("printed" in said.get("class").split()) == (length <= PRINTED_LENGTH)
        for s in compact:
            body = page.get_element_by_id(s.indicator)
            first = body.xpath("./tr")[0]
            cells = [text(c) for c in first.xpath("./th|./td")]
            assert cells == [s.title, *compact_cells(s.row)], (where, s.indicator)
            flags = [text(f) for f in body.xpath(".//span[@class='flag']")]
            assert flags == [flag_label(f) for f in s.row["flags"] or []], (where, s.indicator)
            checked += 1
    return checked


def test_every_measure_without_charts_is_in_its_themes_compact_table():
    # Every authority's 2024-25 content, built from one all-authority table (as
    # tests/test_pack_content.py does) and rendered without drawing.
    table = benchmark_table(group="sn2025").filter(pl.col("year") == YEAR)
    authorities = checked = 0
    for (la,), rows in table.group_by("la_code", maintain_order=True):
        content = pack_content(la, YEAR, "sn2025", table=rows.sort(in_order()))
        page = lxml_html.fromstring(pack_page(content, {}))
        checked += check_compact(content, page)
        authorities += 1
    assert authorities == 153  # every authority in being on 31 March 2025
    assert checked > 150 * authorities  # ~177 measures each have no chart


def test_derbys_compact_rows_hold_its_figures():
    # Derby 2024-25, LAIT's values-only share of referrals from the police: 34.5% against a
    # comparator average of 30.9, East Midlands 26.5, England 28.3; third of 11; up 0.3 points
    # from 34.2%; flagged for 2 of 3 years near a process limit.
    content = pack_content("Derby", year=YEAR)
    page = lxml_html.fromstring(pack_page(content, {}))
    row = page.get_element_by_id("lait_refbysource_police_pct").xpath("./tr")
    assert [text(c) for c in row[0]] == [
        INDICATORS["lait_refbysource_police_pct"].title,
        "34.5%",
        "30.9",
        "26.5",
        "28.3",
        "3 of 11",
        "none",
        "+0.3 pts",
    ]
    assert text(row[1]) == "Flagged: 2 of 3 years near a process limit on the same side"
    # children in need: 37 measures without charts, their sentences too long to print
    said = page.get_element_by_id("said-children-in-need")
    assert len(said.xpath(".//dt")) == 37 and "printed" not in said.get("class")
    assert check_compact(content, page) == 177


def test_the_factors_table_holds_dfes_shares():
    # Derby 2024-25 (c3_factors_identified_at_end_of_assessment_2018_to_2025.csv): factors
    # over episodes with assessment factors, as the chart draws them.
    from altair.utils.schemapi import debug_mode

    from cscbench.datasets import load_factors
    from cscbench.figures.render import spec

    content = pack_content("Derby", year=YEAR)
    with debug_mode(False):
        table = chart_table(spec(content.factors.build()), None, "Derby")
    assert table.header == ("Factor", "Derby", "England", "Comparators (lowest to highest)")
    factors = load_factors().filter(pl.col("year") == YEAR)
    factors = factors.with_columns(pl.col("factor").replace_strict(FACTOR_LABELS, default=None))
    derby = factors.filter(pl.col("la_code") == "831")
    england = factors.filter(pl.col("area_name") == "England")
    assert len(table.rows) == 12
    for name, mine, national, _spread in table.rows:
        d = derby.filter(pl.col("factor") == name).row(0, named=True)
        e = england.filter(pl.col("factor") == name).row(0, named=True)
        assert mine == f"{100 * d['count'] / d['episodes']:.1f}%"
        assert national == f"{100 * e['count'] / e['episodes']:.1f}%"


def test_a_target_chart_is_tabled_by_period_with_its_status_in_words():
    # Derby's worked framework (analyses/derby_framework): second or subsequent plans, at most
    # 17.0%, against the quarters of 2006-07 in its quarterly file.
    from altair.utils.schemapi import debug_mode

    from cscbench.figures.render import spec

    framework = Path(__file__).resolve().parents[1] / "analyses" / "derby_framework"
    content = pack_content(
        "Derby",
        year=YEAR,
        targets=framework / "targets-2006-07.toml",
        quarterly=framework / "quarterly-2006-07.csv",
    )
    status = content.status.filter(pl.col("indicator") == "cp_subsequent_pct")
    plan = next(p for p in content.extra_charts if p.stem == "cp_subsequent_pct-target")
    with debug_mode(False):
        table = chart_table(spec(plan.build()))
    assert table.header == ("Period", INDICATORS["cp_subsequent_pct"].title, "Target", "Status")
    assert table.rows == tuple(
        (r["period"], f"{r['value']:.1f}", "at most 17.0", f"{r['symbol']} {r['status']}")
        for r in status.filter(pl.col("value").is_not_null()).iter_rows(named=True)
    )
    assert [r[3] for r in table.rows] == ["✓ on target"] * 4


def test_a_provisional_chart_adds_the_local_year_to_the_published_ones(tmp_path):
    # Derby's own (simulated) census return for 2025-26 beside DfE's published years.
    from altair.utils.schemapi import debug_mode

    from cscbench.datasets.synthetic_census import write_return
    from cscbench.figures.render import spec

    paths = write_return(tmp_path / "derby.xml", "831", 2026, seed=1)
    content = pack_content("Derby", year=YEAR, local=paths[0])
    local = content.provisional.filter(pl.col("indicator") == "cp_rate").row(0, named=True)
    published = content.table.filter(pl.col("indicator") == "cp_rate").row(0, named=True)
    plan = next(p for p in content.extra_charts if p.stem == "cp_rate-provisional")
    with debug_mode(False):
        drawn = spec(plan.build())
    [item] = chart_items([(plan.stem, "<svg/>")], {plan.stem: drawn}, None, "Derby")
    table = item["table"]
    assert table.header == ("Year", "Derby", "95% interval", "Comparator average", "England")
    by_year = {r[0]: r for r in table.rows}
    low, high = number(local["ci95_low"], "cp_rate"), number(local["ci95_high"], "cp_rate")
    assert by_year["2025-26"] == (
        "2025-26",
        f"{number(local['value'], 'cp_rate')} (local, provisional)",
        f"{low} to {high}",
        "no figure",
        "no figure",
    )
    assert by_year["2024-25"][1:3] == (number(published["value"], "cp_rate"), "not drawn")
    assert by_year["2024-25"][3:] == (
        number(published["comparator_mean"], "cp_rate"),
        number(published["england"], "cp_rate"),
    )


def visible_words(page) -> set[str]:
    """Every word of the page's text a reader sees, outside the charts and the table of
    source files (whose names are DfE's)."""
    for drop in page.xpath("//svg|//style|//*[@id='sources']/following-sibling::*"):
        drop.drop_tree()
    return set(re.findall(r"[A-Za-z0-9_]+", page.text_content()))


@pytest.mark.parametrize("la", AUTHORITIES)
def test_flags_and_statuses_are_in_words(packs, contents, la):
    content = contents[la]
    page = tree(packs[la])
    ids = set(FLAG_MEANINGS) | set(INDICATORS) | set(content.table.columns)
    for column in ("status", "trend", "trend_assessment", "england_comparison_95", "rank_rule"):
        ids |= {v for v in content.table[column].drop_nulls().unique() if "_" in v}
    assert not {i for i in ids if "_" in i} & visible_words(page)
    for section in content.sections:
        if section.row is None:
            continue
        shown = page.xpath(f"//*[@id='{section.indicator}']//span[@class='flag']")
        assert [text(s) for s in shown] == [flag_label(f) for f in section.row["flags"] or []]
        assert [s.get("title") for s in shown] == [
            FLAG_MEANINGS[f] for f in section.row["flags"] or []
        ]


def test_text_from_data_is_escaped_in_chart_tables():
    content = pack_content("Rutland", year=YEAR, group_name=HOSTILE)
    spec = {
        "title": {"text": HOSTILE, "subtitle": [HOSTILE]},
        "datasets": {
            "bars": [
                {"area_name": HOSTILE, "value": 1.25, "is_focus": False},
                {"area_name": "Rutland", "value": 2.5, "is_focus": True},
            ]
        },
    }
    page = pack_page(
        content,
        {"cla_rate": [("cla_rate-comparators", "<svg></svg>")]},
        {"cla_rate-comparators": spec},
    )
    assert HOSTILE not in page
    escaped = "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; Co"
    assert f"<caption>{escaped}. {escaped}</caption>" in page
    assert f'<tr><th scope="row">{escaped}</th><td class="n">1.2</td></tr>' in page
    assert '<tr class="focus"><th scope="row">Rutland</th><td class="n">2.5</td></tr>' in page


def test_a_chart_of_another_kind_is_tabled_by_the_fields_it_encodes():
    spec = {
        "title": "Re-referrals against the target",
        "data": {"values": [{"period": "Q1", "value": 21.04, "target_status": "on target"}]},
        "layer": [
            {"encoding": {"x": {"field": "period", "title": "Quarter"}}},
            {"encoding": {"y": {"field": "value"}, "color": {"field": "target_status"}}},
        ],
    }
    table = chart_table(spec)
    assert table.header == ("Quarter", "Value", "Target status")
    assert table.rows == (("Q1", "21.0", "on target"),)


# -- in a real browser ----------------------------------------------------------------------


def chromium() -> str | None:
    found = [shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome")]
    return next((path for path in found if path), None)


@pytest.fixture(scope="module")
def browser() -> str:
    path = chromium()
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium is not installed: .ci/run installs Debian's chromium")
        pytest.skip("no Chromium found (chromium, chromium-browser or google-chrome)")
    return path


@pytest.fixture(scope="module")
def artifacts(tmp_path_factory) -> Path:
    where = os.environ.get("CSCBENCH_ARTIFACTS")
    folder = (Path(where) if where else tmp_path_factory.mktemp("artifacts")) / "page"
    folder.mkdir(parents=True, exist_ok=True)
    print(f"page screenshots and PDFs in {folder}")
    return folder


def run(browser: str, *args: str) -> str:
    flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
    ]
    done = subprocess.run(
        [browser, *flags, *args], capture_output=True, text=True, timeout=180, check=True
    )
    return done.stdout


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


#: A page holding the pack's page in a frame exactly ``width`` pixels wide (a headless window
#: is at least 500 wide), which, once it has loaded, writes into itself the page's width against
#: the frame's, the elements reaching past the frame's edge that no scrolling box holds, and the
#: smallest text outside the charts.
PROBE = """<!DOCTYPE html><html><body style="margin:0">
<iframe id="page" src="index.html" style="width:%dpx;height:900px;border:0"></iframe>
<script>
const frame = document.getElementById("page");
frame.addEventListener("load", () => {
  const doc = frame.contentDocument, win = frame.contentWindow;
  const vw = doc.documentElement.clientWidth;
  const scrolls = e => { for (let a = e.parentElement; a; a = a.parentElement) {
    const o = win.getComputedStyle(a).overflowX; if (o === "auto" || o === "scroll") return true; }
    return false; };
  const all = [...doc.body.querySelectorAll("*")].filter(e => !e.closest("svg"));
  const wide = all.filter(e => e.getBoundingClientRect().right > vw + 1 && !scrolls(e))
    .map(e => e.tagName + (e.id ? "#" + e.id : ""));
  const said = e => [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
  const sizes = all.filter(said)
    .map(e => parseFloat(win.getComputedStyle(e).fontSize));
  const out = document.createElement("pre"); out.id = "probe";
  out.textContent = JSON.stringify({viewport: win.innerWidth, client: vw,
    scroll: doc.documentElement.scrollWidth, wide: wide, smallest: Math.min(...sizes)});
  document.body.append(out);
});
</script></body></html>"""


def probe(browser: str, folder: Path, width: int) -> dict:
    """What :data:`PROBE` found of the page at ``width`` pixels wide."""
    probed = folder / f"probe-{width}.html"
    probed.write_text(PROBE % width, encoding="utf-8")
    dom = run(
        browser,
        "--allow-file-access-from-files",  # the frame's document, from the same folder
        "--virtual-time-budget=10000",
        "--dump-dom",
        probed.as_uri(),
    )
    found = re.search(r'<pre id="probe">(.*?)</pre>', dom, re.S)
    assert found, "the probe did not run"
    return json.loads(lxml_html.fromstring(found.group(0)).text_content())


@pytest.mark.parametrize("la", AUTHORITIES)
def test_the_page_fits_a_phone_and_a_wide_screen(browser, packs, artifacts, la):
    folder = packs[la]
    for width in (1280, 390):
        shot = artifacts / f"{la.lower()}-{width}.png"
        run(
            browser,
            f"--screenshot={shot}",
            f"--window-size={width},2400",
            folder.as_uri() + "/index.html",
        )
        assert png_size(shot) == (width, 2400) and shot.stat().st_size > 20_000
        seen = probe(browser, folder, width)
        assert seen["viewport"] == width
        assert seen["scroll"] <= seen["client"], seen  # nothing makes the page scroll sideways
        assert seen["wide"] == [], seen
        assert seen["smallest"] >= 16, seen  # body text at least 16 px, tables and notes too


@pytest.mark.parametrize("la", AUTHORITIES)
def test_the_page_prints_to_a4_with_a_page_per_theme_at_least(
    browser, packs, contents, artifacts, la
):
    pdf = artifacts / f"{la.lower()}.pdf"
    run(
        browser,
        f"--print-to-pdf={pdf}",
        "--no-pdf-header-footer",
        (packs[la] / "index.html").as_uri(),
    )
    data = pdf.read_bytes()
    assert data[:5] == b"%PDF-"
    pages = len(re.findall(rb"/Type\s*/Page(?![A-Za-z])", data))
    boxes = {
        tuple(float(v) for v in m)
        for m in re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)", data)
    }
    assert boxes and all(abs(w - 595.3) < 2 and abs(h - 841.9) < 2 for w, h in boxes), boxes  # A4
    content = contents[la]
    themes = len(content.themes())
    # each theme starts a page; the measures without charts are one compact table per theme,
    # so a full pack prints to well under 60 pages (before: Derby 135, Rutland 130)
    assert themes + 2 <= pages <= PRINTED_PAGES, (pages, themes)
