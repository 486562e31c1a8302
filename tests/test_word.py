"""The pack's Word document, ``report.docx``: read back with python-docx and checked against
the pack's content and the engine (headings, pictures and their alt text, table cells, the
repeated header rows, Word's own styles only)."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import replace
from datetime import datetime

import polars as pl
import pytest
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from lxml import html as lxml_html

from cscbench.analyses import benchmark, benchmark_table
from cscbench.datasets.registry import INDICATORS, in_order
from cscbench.figures.render import spec
from cscbench.report import pack_content, report
from cscbench.report.html import pack_page
from cscbench.report.word import build_document, write_document
from cscbench.report.wordparts import alt_text, repeats_header

STYLED = ("Title", "Subtitle", "Heading 1", "Heading 2", "Caption", "List Bullet", "Normal")


@pytest.fixture(scope="module")
def derby(tmp_path_factory):
    """Derby's 2025 pack with PNGs, its document, and its content."""
    folder = report("Derby", year=2025, out=tmp_path_factory.mktemp("word") / "derby")
    return folder, Document(str(folder / "report.docx")), pack_content("Derby", year=2025)


def charted(section) -> bool:
    """Whether a section has a heading of its own (its charts, or no figure at all)."""
    return section.row is None or bool(section.charts)


def styled(doc, style: str) -> list[str]:
    return [p.text for p in doc.paragraphs if p.style.name == style]


def theme_headings(content) -> list[str]:
    return [theme[0].upper() + theme[1:] for theme, _ in content.themes()]


def test_the_headings_are_the_themes_in_order(derby):
    _, doc, content = derby
    themes = theme_headings(content)
    # every theme: DfE's eight and LAIT's spending and context
    assert themes[:2] == ["Front door and assessment", "Children in need"] and len(themes) == 10
    assert content.key_messages  # Derby 2024-25 has six
    expected = ["Key messages", "Overview", *themes, "Factors identified at the end of assessment"]
    expected += ["Ofsted inspections", "Notes on the data", "Comparator group"]
    assert styled(doc, "Heading 1") == [*expected, "Sources and licence"]
    # a section of its own for each charted measure; the others are rows of the theme's table
    titles = [s.title for _, sections in content.themes() for s in sections if charted(s)]
    assert styled(doc, "Heading 2") == titles
    assert "Re-referrals within 12 months (%)" in titles
    assert len(titles) < len(content.sections) / 4  # Derby: 19 of 196


def test_the_title_page(derby):
    _, doc, _ = derby
    title, subtitle, group, data, licence = (p.text for p in doc.paragraphs[:5])
    assert doc.paragraphs[0].style.name == "Title"
    assert title == "Derby: children's social care benchmark"
    assert subtitle == "2024-25 (year ending 31 March 2025)"
    assert group == "Comparator group: DfE statistical neighbours, 2025 model."
    assert data.startswith("Data: DfE's figures for 2012-13 to 2024-25, built into")
    assert licence == (
        "Contains public sector information licensed under the Open Government Licence v3.0."
    )
    assert doc.core_properties.title == "Derby: children's social care benchmark, 2024-25"


def test_every_chart_is_a_picture_with_its_description(derby):
    folder, doc, content = derby
    plans = list(content.charts())
    pngs = sorted((folder / "figures").glob("*.png"))
    assert len(doc.inline_shapes) == len(pngs) == len(plans) >= 40
    for shape, plan in zip(doc.inline_shapes, plans, strict=True):
        description = spec(plan.build())["description"]
        assert description and alt_text(shape) == description, plan.stem
        assert shape._inline.docPr.get("name") == plan.stem
        embedded = doc.part.related_parts[shape._inline.graphic.graphicData.pic.blipFill.blip.embed]
        assert embedded.blob == (folder / "figures" / f"{plan.stem}.png").read_bytes()
        assert shape.width <= doc.sections[0].page_width - 2 * doc.sections[0].left_margin
    captions = [shown(p) for p in doc.paragraphs if p.style.name == "Caption"]
    figures = [c for c in captions if c.startswith("Figure ")]
    assert figures[0] == "Figure 1: How Derby compares with England, 2024-25"
    assert len(figures) == len(plans) and figures[-1].startswith(f"Figure {len(plans)}: ")


def shown(paragraph) -> str:
    """A paragraph's text as Word shows it, fields' results included."""
    return "".join(t.text for t in paragraph._p.iter(qn("w:t")))


def _rows_by_measure(doc) -> dict[str, list[str]]:
    found = {}
    for table in doc.tables:
        header = [c.text for c in table.rows[0].cells]
        if header[0] == "Measure":
            for row in table.rows[1:]:
                cells = [c.text for c in row.cells]
                found[cells[0].split("\n")[0]] = cells  # the title, its flags beneath
    return found


def test_the_theme_tables_hold_the_engines_figures(derby):
    _, doc, content = derby
    theme_tables = [t for t in doc.tables if t.rows[0].cells[0].text == "Measure"]
    assert len(theme_tables) == len(content.themes())
    assert [c.text for c in theme_tables[0].rows[0].cells] == [
        "Measure",
        "Derby",
        "Comparator average",
        "East Midlands",
        "England",
        "Rank (1 = highest)",
        "Band (A best)",
        "1-year change",
    ]
    rows = _rows_by_measure(doc)
    # DfE's c1 file, Derby 2024-25: 3,557 referrals, 23.1% re-referrals, 9.2% NFA; England
    # 632,830, 22.6% and 6.5%.
    assert rows["Referrals in the year"][1] == "3,557"
    assert rows["Referrals in the year"][4] == "632,830"
    assert rows["Referrals in the year"][5] == "not ranked"
    assert rows["Re-referrals within 12 months (%)"][1:5:3] == ["23.1%", "22.6"]
    assert rows["Referrals resulting in no further action (%)"][1] == "9.2%"
    engine = benchmark("Derby", year=2025)
    assert len(rows) == engine.height
    for r in engine.iter_rows(named=True):
        ind, decimals = r["indicator"], INDICATORS[r["indicator"]].decimals

        def printed(value, decimals=decimals):
            return "no figure" if value is None else f"{value:,.{decimals}f}"

        cells = rows[INDICATORS[ind].title]
        assert cells[1].lstrip("£").rstrip("%") == printed(r["value"]).lstrip("£"), ind
        assert cells[2].split(" (over ")[0] == printed(r["comparator_mean"]), ind
        assert cells[3:5] == [printed(r["region"]), printed(r["england"])], ind
        if r["rank"] and r["unit"] != "count":
            assert cells[5].startswith(f"{r['rank']} of {r['rank_of']}"), ind
        assert cells[6] == (r["quartile_band"] or "none"), ind
    cin = engine.filter(engine["indicator"] == "cin_rate").row(0, named=True)
    assert rows["Children in need per 10,000 children"][1] == f"{cin['value']:.1f}"


def _page_rows(content) -> dict[str, list[str]]:
    """Each row of the page's compact tables as the rendered HTML gives it: the measure's
    title, its seven figures, and its flags in words (the line beneath, "Flagged: ...")."""
    page = lxml_html.fromstring(pack_page(content, {}))
    rows = {}
    for body in page.xpath("//table[@class='compact']/tbody"):
        trs = body.xpath("./tr")
        cells = [" ".join(c.text_content().split()) for c in trs[0].xpath("./th|./td")]
        flags = [f.text_content() for f in body.xpath(".//span[@class='flag']")]
        rows[body.get("id")] = [*cells, "; ".join(flags)]
    return rows


def test_the_documents_theme_tables_print_what_the_pages_compact_tables_print(derby):
    # one content, two writers: each measure without charts is the same row in both (read
    # back from the rendered page and from the document), its sentences a bullet of their own
    _, doc, content = derby
    rows = _rows_by_measure(doc)
    page = _page_rows(content)
    bullets = styled(doc, "List Bullet")
    others = [s for _, ss in content.themes() for s in ss if not charted(s)]
    assert len(others) == len(page) == 177  # Derby 2024-25, as tests/test_page.py counts them
    for s in others:
        title, *cells, flags = page[s.indicator]
        assert rows[s.title] == [f"{title}\nFlags: {flags}" if flags else title, *cells]
        assert f"{s.title}. {' '.join(s.sentences)}" in bullets, s.indicator
    # LAIT's share of referrals from the police, worked by hand in tests/test_page.py
    police = rows[INDICATORS["lait_refbysource_police_pct"].title]
    assert police[1:] == ["34.5%", "30.9", "26.5", "28.3", "3 of 11", "none", "+0.3 pts"]
    assert police[0].endswith("\nFlags: 2 of 3 years near a process limit on the same side")


def test_every_authoritys_theme_tables_have_a_row_per_measure():
    # every authority's 2024-25 content (one all-authority table, as tests/test_page.py
    # builds it): the rows the document's theme tables are written from (theme_rows; the
    # documents themselves are built for four authority-years below, python-docx taking
    # 1.7 s a document): a row per measure with a figure, each un-charted measure's with the
    # page's compact cells
    from cscbench.report.compact import compact_row
    from cscbench.report.word import theme_rows

    table = benchmark_table(group="sn2025").filter(pl.col("year") == 2025)
    authorities = 0
    for (la,), found in table.group_by("la_code", maintain_order=True):
        content = pack_content(la, 2025, "sn2025", table=found.sort(in_order()))
        sections = [s for _, ss in content.themes() for s in ss]
        rows = {r[0].split("\n")[0]: r for _, ss in content.themes() for r in theme_rows(ss)}
        others = [s for s in sections if not charted(s)]
        assert len(others) > 150 and all(s.title in rows for s in others), la
        assert len(rows) == sum(s.row is not None for s in sections), la
        for s in others[::20]:
            assert rows[s.title][1:] == compact_row(s)["cells"], (la, s.indicator)
        authorities += 1
    assert authorities == 153


def test_tables_are_table_grid_with_repeated_right_aligned_headers(derby):
    _, doc, _ = derby
    assert len(doc.tables) >= 12
    for table in doc.tables:
        assert table.style.name == "Table Grid"
        assert repeats_header(table)
        assert all(not repeats_header_row(row) for row in table.rows[1:])
    for table in (t for t in doc.tables if t.rows[0].cells[0].text == "Measure"):
        for row in table.rows:
            aligned = [c.paragraphs[0].alignment for c in row.cells]
            assert aligned[1:5] == [WD_ALIGN_PARAGRAPH.RIGHT] * 4 and aligned[0] is None


def docx_table(doc, header, rows, numeric):
    """The reference: a table made through python-docx's own API, a cell at a time."""
    from docx.oxml import OxmlElement

    table = doc.add_table(rows=1 + len(rows), cols=len(header), style="Table Grid")
    mark = OxmlElement("w:tblHeader")
    mark.set(qn("w:val"), "true")
    table.rows[0]._tr.get_or_add_trPr().append(mark)
    for r, values in enumerate([header, *rows]):
        for c, text in enumerate(values):
            cell = table.cell(r, c)
            if text:
                cell.text = text
            if c in numeric:
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    return table


def test_tables_are_what_python_docx_makes_cell_by_cell():
    # add_table writes each table's rows in one parse: the XML must be what python-docx's
    # own cell.text and alignment write, for every theme table of packs of three kinds of
    # authority in two years, and for texts with spaces, tabs, breaks and XML's specials
    from lxml import etree

    from cscbench.report.word import theme_rows
    from cscbench.report.wordparts import a4, add_table

    tables = [
        (["a", "b", "c"], [[" lead", "tab\there", "<&>"], ["two\nlines", "", "end "]], {1, 2}),
        (["only"], [], ()),
    ]
    for la, year in (("Derby", 2025), ("Rutland", 2019), ("Kent", 2023)):
        for _, sections in pack_content(la, year=year).themes():
            if rows := theme_rows(sections):
                width = len(rows[0])
                header = ["Measure", *(f"column {c}" for c in range(1, width))]
                tables.append((header, rows, set(range(1, width))))
    assert len(tables) > 20
    for header, rows, numeric in tables:
        made = []
        for build in (add_table, docx_table):
            doc = Document()
            a4(doc)
            made.append(etree.tostring(build(doc, header, rows, numeric)._tbl))
        assert made[0] == made[1], header


def test_a_table_cell_xml_cannot_hold_is_refused_as_python_docx_refuses_it():
    from cscbench.report.wordparts import add_table

    with pytest.raises(ValueError, match="XML compatible"):
        add_table(Document(), ["a"], [["bell\x07"]])


def repeats_header_row(row) -> bool:
    properties = row._tr.trPr
    return properties is not None and properties.find(qn("w:tblHeader")) is not None


def test_only_words_own_styles_and_no_direct_font_formatting(derby):
    _, doc, _ = derby
    assert {p.style.name for p in doc.paragraphs} <= set(STYLED)
    runs = [run for p in doc.paragraphs for run in p.runs]
    runs += [
        run for t in doc.tables for cell in t._cells for p in cell.paragraphs for run in p.runs
    ]
    assert runs
    for run in runs:
        font = run.font
        assert (font.bold, font.italic, font.size, font.name, font.color.rgb) == (None,) * 5
        assert run.style.name == "Default Paragraph Font"


def test_the_ofsted_notes_group_and_sources_sections(derby):
    _, doc, content = derby
    texts = [p.text for p in doc.paragraphs]
    assert all(s in texts for s in content.inspection_sentences) and content.inspection_sentences
    # Ofsted's ILACS of Derby, 21 March 2022 (LA_Inspection_Outcomes_as_at_31_March_2025.ods)
    ofsted = next(t for t in doc.tables if t.rows[0].cells[0].text == "Authority")
    assert [c.text for c in ofsted.rows[1].cells][:3] == ["Derby", "2022-03-21", "Outstanding"]
    members = next(t for t in doc.tables if t.rows[0].cells[0].text == "Code")
    assert [r.cells[1].text for r in members.rows[1:]] == content.members["area_name"].to_list()
    assert len(members.rows) == 11  # Derby's 10 statistical neighbours, 2025 model
    sources = next(t for t in doc.tables if t.rows[0].cells[0].text == "Source")
    assert "b1_children_in_need_2013_to_2025.csv" in [r.cells[1].text for r in sources.rows]
    assert any(t.startswith("Contains public sector information licensed under") for t in texts)


@pytest.mark.parametrize(
    ("la", "year"),
    [("Rutland", 2017), ("Isles of Scilly", 2025), ("Cumberland", 2024), ("Birmingham", 2013)],
)
def test_the_document_builds_for_any_authority_and_year(la, year):
    content = pack_content(la, year=year)
    doc = build_document(content)  # png=False: no pictures, each chart named by its SVG
    headings = styled(doc, "Heading 1")
    themes = theme_headings(content)
    start = headings.index(themes[0])
    assert headings[start : start + len(themes)] == themes
    sections = [s for _, ss in content.themes() for s in ss]
    assert styled(doc, "Heading 2") == [s.title for s in sections if charted(s)]
    bullets = styled(doc, "List Bullet")
    assert all(f"{s.title}. {' '.join(s.sentences)}" in bullets for s in sections if not charted(s))
    assert len(doc.inline_shapes) == 0
    named = [p.text for p in doc.paragraphs if p.text.startswith("(figure: see figures/")]
    assert named == [f"(figure: see figures/{plan.stem}.svg)" for plan in content.charts()]
    measured = sum(s.row is not None for s in content.sections)
    assert len(_rows_by_measure(doc)) == measured


def test_the_same_content_is_the_same_file(tmp_path):
    content = pack_content("Rutland", year=2025)
    write_document(content, tmp_path / "a.docx")
    write_document(content, tmp_path / "b.docx")
    assert (tmp_path / "a.docx").read_bytes() == (tmp_path / "b.docx").read_bytes()


def test_a_pack_without_pngs_names_the_svgs(tmp_path):
    folder = report("Rutland", year=2025, out=tmp_path / "rutland", png=False)
    doc = Document(str(folder / "report.docx"))
    assert len(doc.inline_shapes) == 0
    named = [p.text for p in doc.paragraphs if p.text.startswith("(figure: see figures/")]
    assert named and all((folder / t[len("(figure: see ") : -1]).is_file() for t in named)


def test_key_messages_come_first_as_the_pack_chose_them():
    content = pack_content("Rutland", year=2025)
    doc = build_document(content)
    assert styled(doc, "Heading 1")[:2] == ["Key messages", "Overview"]
    assert styled(doc, "List Bullet")[: len(content.key_messages)] == list(content.key_messages)
    none = build_document(replace(content, key_messages=(), key_message_reasons=()))
    assert styled(none, "Heading 1")[:2] == ["Key messages", "Overview"]
    said = [p.text for p in none.paragraphs]
    assert "No figure this year meets the rules for a key message." in said


@pytest.mark.skipif(
    not (shutil.which("soffice") or shutil.which("libreoffice")), reason="no LibreOffice"
)
def test_libreoffice_prints_the_document(derby, tmp_path):
    folder, _, _ = derby
    office = shutil.which("soffice") or shutil.which("libreoffice")
    subprocess.run(
        [
            office,
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            folder / "report.docx",
        ],
        check=True,
        timeout=300,
    )
    pdf = (tmp_path / "report.pdf").read_bytes()
    assert len(re.findall(rb"/Type\s*/Page(?!s)", pdf)) > 1  # one object per page


def test_building_quickly_writes_what_python_docx_alone_writes(derby, tmp_path):
    # built_quickly keeps python-docx's picture hashes and default styles while a document is
    # built; the document must be the very one python-docx writes without it
    from cscbench.report.word import _built, _Writer
    from cscbench.report.wordparts import save_stable

    folder, _, content = derby
    quick = build_document(content, folder / "figures")
    plain = _built(_Writer(content, folder / "figures", {}), content)
    for doc, name in ((quick, "quick.docx"), (plain, "plain.docx")):
        save_stable(doc, tmp_path / name, datetime(2026, 1, 2))
    assert (tmp_path / "quick.docx").read_bytes() == (tmp_path / "plain.docx").read_bytes()
    assert len(quick.inline_shapes) == len(list(content.charts()))  # every chart, none merged
