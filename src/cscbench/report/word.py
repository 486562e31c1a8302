"""The pack's Word document, ``report.docx``: its content rendered with python-docx.

The document an author pastes from, or restyles and hands over: a title page (authority,
year, comparator group, the data's date, the Open Government Licence), key messages where
the content has them, a Heading 1 per theme in report order with a Heading 2 per section
(its sentences, its charts as PNG with their descriptions as alt text and a caption under
each, and the theme's figures as a Word table), then Ofsted's inspections, the notes on the
data, the comparator group, and the sources with the licence. Every paragraph is in one of
Word's own styles and nothing is formatted directly (:mod:`~cscbench.report.wordparts`).

Example:
    >>> import tempfile
    >>> from docx import Document
    >>> from cscbench.report.content import pack_content
    >>> path = Path(tempfile.mkdtemp()) / "report.docx"
    >>> write_document(pack_content("Rutland", year=2025), path)
    >>> doc = Document(str(path))
    >>> # after the key messages and the overview, the themes
    >>> [p.text for p in doc.paragraphs if p.style.name == "Heading 1"][2:4]
    ['Front door and assessment', 'Children in need']
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

from cscbench import __version__
from cscbench.analyses.wording import year_label
from cscbench.datasets import manifest
from cscbench.datasets.snapshot import LICENCE
from cscbench.report.compact import COMPACT_COLUMNS, compact_row, flags_in_words, measure_cell
from cscbench.report.content import ChartPlan, PackContent, Section
from cscbench.report.html import (
    METHODS,
    _inspections,
    _lead,
    _local,
    _targets,
    flag_rows,
    sources,
)
from cscbench.report.local_parts import LOCAL_NOTE, TABLE_COLUMNS, LocalPart
from cscbench.report.wordparts import (
    a4,
    add_table,
    built_quickly,
    caption,
    page_break,
    picture,
    save_stable,
    text_width,
)
from cscbench.report.workbook import data_time

OGL = "Contains public sector information licensed under the Open Government Licence v3.0."
OFSTED_NOTE = (
    "Ofsted's latest inspection of each authority's children's services (ILACS), as Ofsted "
    "listed them at 31 March; the care leavers judgement began on 1 January 2023."
)


def theme_title(theme: str) -> str:
    """A theme as its heading says it.

    Example:
        >>> theme_title("children in need")
        'Children in need'
    """
    return theme[0].upper() + theme[1:]


def chart_words(vl: Mapping) -> tuple[str, str]:
    """A chart's caption and alt text, from its Vega-Lite spec: its title and description.

    Example:
        >>> chart_words({"title": {"text": "Referrals: falling"}, "description": "Line chart."})
        ('Referrals: falling', 'Line chart.')
    """
    title = vl.get("title") or ""
    if isinstance(title, Mapping):
        title = title.get("text") or ""
    if isinstance(title, list):
        title = " ".join(title)
    return str(title), str(vl.get("description") or "")


def data_date(content: PackContent) -> str:
    """When the data are from: DfE's years and when they were built into cscbench's data.

    Example:
        >>> from cscbench.report.content import pack_content
        >>> data_date(pack_content("Rutland", year=2025))  # doctest: +ELLIPSIS
        "DfE's figures for 2012-13 to 2024-25, built into cscbench's data on ..."
    """
    found = manifest(content.source)
    if not found:
        return f"DfE's raw files read from {content.source}."
    first, last = found["years"]
    built = datetime.fromisoformat(found["built_at"])
    return (
        f"DfE's figures for {year_label(first)} to {year_label(last)}, built into cscbench's "
        f"data on {built.day} {built:%B %Y}."
    )


def theme_rows(sections: list[Section]) -> list[list[str]]:
    """The theme table's rows, one per measure with a figure: its title (and its flags in
    words on a line beneath), then the cells of the page's compact table
    (:func:`~cscbench.report.compact.compact_row`: value, comparator average, region, England,
    rank, band, 1-year change), so the document and the page print the same figures."""
    rows = []
    for s in sections:
        if s.row is None:
            continue
        row = compact_row(s)
        rows.append([measure_cell(row), *row["cells"]])
    return rows


class _Writer:
    """The document being written, with its figure and table numbers."""

    def __init__(self, content: PackContent, figures: Path | None, specs: Mapping[str, dict]):
        from docx import Document

        self.doc = Document()
        a4(self.doc)
        self.width = text_width(self.doc)  # one section: every picture as wide as its text
        self.content, self.figures, self.specs = content, figures, specs
        self.figure_count = self.table_count = 0
        self.plans: dict[str, list[ChartPlan]] = {}
        for plan in content.charts():
            self.plans.setdefault(plan.section, []).append(plan)

    def heading(self, text: str, level: int = 1) -> None:
        self.doc.add_heading(text, level=level)

    def para(self, text: str, style: str | None = None) -> None:
        if text:
            self.doc.add_paragraph(text, style=style)

    def charts(self, section: str) -> None:
        """The charts of ``section``: each picture (or where its SVG is) and its caption."""
        from cscbench.figures.render import spec

        for plan in self.plans.get(section, []):
            vl = self.specs.get(plan.stem)
            title, description = chart_words(vl if vl is not None else spec(plan.build()))
            if self.figures is None:
                self.para(f"(figure: see figures/{plan.stem}.svg)")
            else:
                path = self.figures / f"{plan.stem}.png"
                picture(self.doc, path, description, plan.stem, self.width)
            self.figure_count += 1
            caption(self.doc, "Figure", self.figure_count, title or plan.stem)

    def table(self, title: str, header: list[str], rows: list[list[str]], numeric=()) -> None:
        """A captioned table (the caption above it, as Word's tables have them)."""
        if not rows:
            return
        self.table_count += 1
        caption(self.doc, "Table", self.table_count, title)
        add_table(self.doc, header, rows, numeric)

    def title_page(self) -> None:
        c = self.content
        self.para(f"{c.name}: children's social care benchmark", "Title")
        self.para(f"{year_label(c.year)} (year ending 31 March {c.year})", "Subtitle")
        including = f" (including {c.name})" if c.include_self else ""
        self.para(f"Comparator group: {c.group.label}{including}.")
        self.para(f"Data: {data_date(c)}")
        self.para(OGL)
        page_break(self.doc)

    def key_messages(self) -> None:
        """Key messages, where the content has them (``content.key_messages``)."""
        messages = getattr(self.content, "key_messages", None)
        if messages is None:
            return
        self.heading("Key messages")
        for message in messages:
            self.para(str(message), "List Bullet")
        if not messages:
            self.para("No figure this year meets the rules for a key message.")

    def overview(self) -> None:
        c = self.content
        self.heading("Overview")
        self.para(
            f"Compared with {c.group.label}, {c.focus['region_name']} and England. "
            + _lead(c.table, c.name)
        )
        self.charts("overview")

    def theme(self, theme: str, sections: list[Section]) -> None:
        """A theme: its overview chart; a Heading 2 section for each charted measure (its
        sentences, flags and charts); the theme's table of every measure; then the sentences
        on the measures without charts, a paragraph each, under a lead-in (as the page puts
        them under its compact table)."""
        c = self.content
        self.heading(theme_title(theme))
        self.charts(f"overview:{theme}")
        charted = [s for s in sections if s.row is None or s.charts]
        for s in charted:
            self.heading(s.title, 2)
            self.para(" ".join(s.sentences))
            flags = flags_in_words(s.row["flags"]) if s.row else []
            if flags:
                self.para("Flags: " + "; ".join(f["label"] for f in flags) + ".")
            if s.row is not None:
                self.charts(s.indicator)
        header = [
            c.name
            if column == "Value"
            else c.focus["region_name"] or "Region"
            if column == "Region"
            else column
            for column in COMPACT_COLUMNS
        ]
        title = f"{theme_title(theme)}: {c.name}, {year_label(c.year)}"
        self.table(title, header, theme_rows(sections), numeric=set(range(1, 8)))
        others = [s for s in sections if s not in charted]
        if others:
            self.para(
                f"What the figures say on the theme's other {len(others)} measures:", "Caption"
            )
            for s in others:
                self.para(f"{s.title}. {' '.join(s.sentences)}", "List Bullet")
        for part in c.local_in(theme):
            self.local_part(part, 2)

    def local_part(self, part: LocalPart, level: int) -> None:
        """A theme's local measures: sentences, an XmR chart per measure, their table."""
        self.heading(f"Local measures: {part.title}", level)
        self.para(LOCAL_NOTE)
        self.para(" ".join(part.sentences))
        self.charts(part.section)
        rows = [list(row.values()) for row in part.rows()]
        header = list(TABLE_COLUMNS.values())
        self.table(f"Local measures: {part.title}", header, rows, numeric={2, 3, 4, 5})

    def factors(self) -> None:
        c = self.content
        if c.factors is None and not c.factors_note:
            return
        self.heading("Factors identified at the end of assessment")
        self.para(c.factors_note or "")
        self.charts("factors")

    def targets(self) -> None:
        rows = _targets(self.content.status)
        if rows is None:
            return
        self.heading("Targets")
        self.para(
            "Status: ✓ on target; ! off target, recoverable (within the target's band); "
            "✗ off target, causing concern. Figures compared as displayed."
        )
        header = ["Indicator", "Period", "Figures", "Value", "Target", "Status", "Since before"]
        keys = ["title", "period", "figures", "value", "target", "status", "travel"]
        self.table("Targets", header, [[r[k] for k in keys] for r in rows], numeric={3})
        self.charts("targets")

    def local(self) -> None:
        local = _local(self.content.provisional)
        if local is None:
            return
        self.heading(f"{local['year']}: local, provisional")
        self.para(
            "From the authority's own Children in Need census return, computed as DfE defines "
            "each indicator, before DfE's validation and publication; compared with "
            f"{local['published']}, the latest year DfE has published."
        )
        self.para(" ".join(local["sentences"]))
        header = ["Indicator", f"Local, provisional {local['year']}", "95% interval"]
        header += [f"Comparators {local['published']}", f"England {local['published']}", "Note"]
        keys = ["title", "value", "interval", "comparators", "england", "note"]
        rows = [[r[k] for k in keys] for r in local["rows"]]
        self.table(f"{local['year']}: local, provisional", header, rows, numeric={1, 2, 3, 4})
        self.charts("local")

    def inspections(self) -> None:
        found = _inspections(self.content)
        if found is None:
            return
        self.heading("Ofsted inspections")
        for sentence in found["sentences"]:
            self.para(sentence)
        rows = [[r["name"], r["date"], *r["grades"]] for r in found["rows"]]
        header = ["Authority", "Inspected", *found["titles"]]
        self.table("Ofsted's latest inspections", header, rows)
        self.para(OFSTED_NOTE)

    def notes(self) -> None:
        c = self.content
        self.heading("Notes on the data")
        for note in c.notes:
            self.para(note)
        if not c.notes:
            self.para("None apply to this pack.")
        flags = flag_rows(c.table)
        rows = [[f["label"], f["meaning"], f["indicators"]] for f in flags]
        self.table("Flags raised in this pack", ["Flag", "Meaning", "Indicators"], rows)

    def group(self) -> None:
        c = self.content
        self.heading("Comparator group")
        including = f" (including {c.name})" if c.include_self else ""
        self.para(f"{c.group.label}{including}.")
        rows = [
            [r["la_code"], r["area_name"], "yes" if r["exists"] else (r["reason"] or "no")]
            for r in c.members.iter_rows(named=True)
        ]
        header = ["Code", "Authority", "Has figures this year"]
        self.table(f"{c.name}'s comparator group", header, rows)

    def sources(self) -> None:
        found = sources(self.content.source)
        self.heading("Sources and licence")
        if found["raw"]:
            self.para(f"Raw DfE files read from {found['raw']}.")
        rows = [[s["title"], s["file"], f"{s['rows']:,}", s["sha256"][:16]] for s in found["files"]]
        header = ["Source", "File", "Rows", "sha256 (start)"]
        self.table("The data's source files", header, rows, numeric={2})
        if found["built_at"]:
            self.para(f"Data built {found['built_at']}.")
        self.para(LICENCE)
        self.para(f"Made with cscbench {__version__}. {METHODS}")


def build_document(
    content: PackContent, figures: Path | None = None, specs: Mapping[str, dict] | None = None
):
    """The Word document of ``content`` (a python-docx ``Document``).

    ``figures`` is the folder holding each chart's ``<stem>.png`` (None: no pictures, each
    chart named by its SVG file instead); ``specs`` the Vega-Lite spec of each chart by
    stem, as :func:`~cscbench.report.drawn.draw` collected them (a chart missing from it is
    built, for its title and description)."""
    with built_quickly():
        return _built(_Writer(content, figures, specs or {}), content)


def _built(writer: _Writer, content: PackContent):
    writer.title_page()
    writer.key_messages()
    if content.overview is not None:
        writer.overview()
    for theme, sections in content.themes():
        writer.theme(theme, sections)
    for part in content.local_in(None):  # local themes no national theme matches
        writer.heading(part.title)
        writer.local_part(part, 2)
    writer.factors()
    writer.targets()  # targets before the local year: the pictures in the charts' order
    writer.local()
    writer.inspections()
    writer.notes()
    writer.group()
    writer.sources()
    properties = writer.doc.core_properties
    properties.title = (
        f"{content.name}: children's social care benchmark, {year_label(content.year)}"
    )
    return writer.doc


def write_document(
    content: PackContent,
    path: Path,
    figures: Path | None = None,
    specs: Mapping[str, dict] | None = None,
) -> None:
    """Write ``content``'s Word document to ``path`` (see :func:`build_document`), dated when
    its data were built so that the same pack is the same file."""
    save_stable(build_document(content, figures, specs), path, data_time(content.source))
