"""The parts of a Word document the report is made of, in Word's own styles only.

Each helper adds one thing to a python-docx ``Document``: a numbered caption (a ``SEQ``
field, so Word can renumber and list them), a picture fitted to the page with its alt text,
a table in the 'Table Grid' style whose header row repeats on every page, an A4 page. No
helper sets a font, a size or a colour: an author restyles the whole document by changing
its styles (Title, Heading 1/2, Caption, List Bullet, Table Grid).

Example:
    >>> from docx import Document
    >>> doc = Document()
    >>> table = add_table(doc, ["Measure", "Value"], [["Referrals", "1,234"]], numeric={1})
    >>> table.style.name, repeats_header(table), table.cell(1, 1).text
    ('Table Grid', True, '1,234')
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from xml.sax.saxutils import escape

from docx.enum.text import WD_BREAK
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.document import CT_Body
from docx.oxml.ns import nsdecls, qn
from docx.oxml.text.run import CT_R, _RunContentAppender
from docx.parts.image import ImagePart
from docx.parts.story import StoryPart
from docx.shared import Cm, Mm
from docx.styles.styles import Styles

#: The tallest a picture may be, so that it and its caption fit on an A4 page.
MAX_PICTURE_HEIGHT = Cm(20)


@contextmanager
def built_quickly() -> Iterator[None]:
    """Within this block, python-docx 1.2 does each of these once, or in one step, each time.

    - Adding a picture checks it against every picture already in the document by hashing
      each one's bytes again (``docx.package.ImageParts._get_by_sha1``): 47 charts were
      1,128 hashes, 40% of the document's time. Here each image part's hash is kept (the
      hash of the picture it was made from).
    - Adding a picture numbers it one more than the largest ``id`` in the document, found
      by searching the whole document each time (``StoryPart.next_id``). Only pictures carry
      such ids, so here the part counts on from the first search.
    - Setting a paragraph's style looks up the document's default style of that type by
      scanning every style (``Styles.default``), and the style named by an XPath search
      (``Styles._get_style_id_from_name``): 600 of each. Here each is looked up once.
    - Text is written one character at a time, to find tabs and line breaks
      (``_RunContentAppender.add_text``: 430,000 calls a document). Here a text with neither
      is written whole, as python-docx writes what it collects between them.
    - Each paragraph and table goes before the body's section properties, found by searching
      every element of the body (``CT_Body._insert_p``): 500 searches of a growing body.
      Those properties are the body's last element (the schema puts them there), so here it
      is put before the last element when that is they, and where python-docx puts it
      otherwise.
    - Writing a run's text first removes what the run held, found by an XPath search
      (``CT_R.clear_content``: 500 a document). A run with no element has nothing to remove.

    All hold while a document is built: a part's bytes and the styles do not change, and the
    XML is the same (``tests/test_word.py`` compares the files byte for byte). The library's
    own functions are put back when the block ends.

    Example:
        >>> import io
        >>> from docx import Document
        >>> png = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108000000003a7e9b"
        ...     "550000000a49444154789c636000000002000148afa4710000000049454e44ae426082")  # 1x1
        >>> doc = Document()
        >>> with built_quickly():
        ...     for _ in range(3):
        ...         _ = doc.add_picture(io.BytesIO(png))
        >>> len(doc.part.package.image_parts), ImagePart.sha1 is _SHA1
        (1, True)
    """
    kept: dict[tuple, object] = {}  # default styles and style ids, by what they were asked

    def sha1(part: ImagePart) -> str:
        digest = part.__dict__.get("_cscbench_sha1")
        if digest is None:
            image = part.__dict__.get("_image")  # the picture it was made from, hashed once
            digest = image.sha1 if image is not None else _SHA1.fget(part)
            part.__dict__["_cscbench_sha1"] = digest
        return digest

    def next_id(part: StoryPart) -> int:
        given = part.__dict__.get("_cscbench_next_id")
        if given is None:
            given = _NEXT_ID.fget(part)
        part.__dict__["_cscbench_next_id"] = given + 1
        return given

    def default(styles: Styles, style_type):
        key = (id(styles.element), style_type)
        if key not in kept:
            kept[key] = _DEFAULT(styles, style_type)
        return kept[key]

    def style_id(styles: Styles, name: str, style_type):
        key = (id(styles.element), name, style_type)
        if key not in kept:
            kept[key] = _STYLE_ID(styles, name, style_type)
        return kept[key]

    def add_text(appender: _RunContentAppender, text: str) -> None:
        if _TAB_OR_BREAK.search(text):
            _ADD_TEXT(appender, text)
        elif text:
            appender.flush()
            appender._r.add_t(text)

    def before_section(insert):
        def put(body: CT_Body, element):
            if len(body) and body[-1].tag == _SECTION:
                body[-1].addprevious(element)
                return element
            return insert(body, element)

        return put

    def clear_content(run: CT_R) -> None:
        if len(run):
            _CLEAR(run)

    ImagePart.sha1, Styles.default = property(sha1), default
    Styles._get_style_id_from_name, _RunContentAppender.add_text = style_id, add_text
    StoryPart.next_id = property(next_id)
    CT_Body._insert_p, CT_Body._insert_tbl = before_section(_INSERT_P), before_section(_INSERT_TBL)
    CT_R.clear_content = clear_content
    try:
        yield
    finally:
        ImagePart.sha1, Styles.default = _SHA1, _DEFAULT
        Styles._get_style_id_from_name, _RunContentAppender.add_text = _STYLE_ID, _ADD_TEXT
        StoryPart.next_id = _NEXT_ID
        CT_Body._insert_p, CT_Body._insert_tbl, CT_R.clear_content = _INSERT_P, _INSERT_TBL, _CLEAR


_SHA1, _DEFAULT, _NEXT_ID = ImagePart.sha1, Styles.default, StoryPart.next_id
_STYLE_ID, _ADD_TEXT = Styles._get_style_id_from_name, _RunContentAppender.add_text
_INSERT_P, _INSERT_TBL, _CLEAR = CT_Body._insert_p, CT_Body._insert_tbl, CT_R.clear_content
_SECTION = qn("w:sectPr")
#: What python-docx writes as its own elements (``w:tab``, ``w:br``) rather than as text.
_TAB_OR_BREAK = re.compile(r"[\t\r\n]")


def a4(doc) -> None:
    """Every section of ``doc`` on A4 with 2.5 cm margins (python-docx starts on US Letter)."""
    for section in doc.sections:
        section.page_width, section.page_height = Mm(210), Mm(297)
        for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
            setattr(section, side, Cm(2.5))


def text_width(doc) -> int:
    """The width between the margins of the document's last section, in EMU.

    Example:
        >>> from docx import Document
        >>> doc = Document()
        >>> a4(doc)
        >>> round(text_width(doc) / Cm(1), 2)  # 21 cm less two margins of 2.5 cm
        16.0
    """
    section = doc.sections[-1]
    return section.page_width - section.left_margin - section.right_margin


def page_break(doc) -> None:
    """Start a new page (a break in its own paragraph, as Word's Ctrl+Enter puts it)."""
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def caption(doc, label: str, number: int, text: str):
    """A 'Caption' paragraph: 'Figure 3: text', the number a ``SEQ label`` field Word can
    update (its last result written in, so it reads right before it is updated).

    Example:
        >>> from docx import Document
        >>> p = caption(Document(), "Table", 2, "Workforce")
        >>> p.style.name, "".join(t.text for t in p._p.iter(qn("w:t")))
        ('Caption', 'Table 2: Workforce')
    """
    paragraph = doc.add_paragraph(f"{label} ", style="Caption")
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), f" SEQ {label} \\* ARABIC ")
    run = OxmlElement("w:r")
    shown = OxmlElement("w:t")
    shown.text = str(number)
    run.append(shown)
    field.append(run)
    paragraph._p.append(field)
    paragraph.add_run(f": {text}")
    return paragraph


def picture(doc, path: Path, description: str, name: str, width: int | None = None):
    """``path`` (a PNG) in a paragraph of its own, ``width`` EMU wide (default: as wide as
    the text, :func:`text_width`) and no taller than :data:`MAX_PICTURE_HEIGHT`, with
    ``description`` as its alt text (``docPr/@descr``) and ``name`` as its name."""
    shape = doc.add_picture(str(path), width=width or text_width(doc))
    if shape.height > MAX_PICTURE_HEIGHT:
        shape.width = int(shape.width * MAX_PICTURE_HEIGHT / shape.height)
        shape.height = MAX_PICTURE_HEIGHT
    properties = shape._inline.docPr
    properties.set("descr", description)
    properties.set("name", name)
    return shape


def alt_text(shape) -> str:
    """A picture's alt text, as :func:`picture` wrote it."""
    return shape._inline.docPr.get("descr", "")


def repeats_header(table) -> bool:
    """Whether the table's first row is marked to repeat on every page (``w:tblHeader``)."""
    properties = table.rows[0]._tr.trPr
    return properties is not None and properties.find(qn("w:tblHeader")) is not None


def add_table(
    doc, header: Sequence[str], rows: Sequence[Sequence[str]], numeric: Collection[int] = ()
):
    """A 'Table Grid' table: ``header`` as its first row (repeated on every page), then
    ``rows``; the columns numbered in ``numeric`` right-aligned, so that figures printed at
    the same decimals line up on the decimal point.

    The rows are made as python-docx makes a table (``CT_Tbl.new_tbl``: its rows' XML
    parsed in one step), with each cell's text and alignment in it: the elements
    ``_Cell.text`` and ``alignment`` write (``tests/test_word.py`` compares them on every
    table of a pack), in a fifth of the time of adding them cell by cell. A text with a tab,
    a line break or a character XML cannot hold is written by python-docx itself.
    """
    table = doc.add_table(rows=0, cols=len(header), style="Table Grid")
    width = table._tbl.tblGrid.gridCol_lst[0].w.twips if header else 0
    special = []  # (row, column, text): the cells python-docx writes itself
    xml = []
    for r, values in enumerate([header, *rows]):
        if len(values) != len(header):
            raise ValueError(f"row {r} has {len(values)} cells for {len(header)} columns")
        xml.append(_HEADER_ROW if r == 0 else "<w:tr>")
        for c, text in enumerate(values):
            plain = not _TAB_OR_BREAK.search(text) and _XML_TEXT.fullmatch(text)
            if not plain:
                special.append((r, c, text))
            xml.append(_cell_xml(width, text if plain else "", right=c in numeric))
        xml.append("</w:tr>")
    parsed = parse_xml(f"<w:tbl {nsdecls('w')}>{''.join(xml)}</w:tbl>")
    table._tbl.extend(list(parsed))
    trs = table._tbl.tr_lst
    for r, c, text in special:
        paragraph = trs[r].tc_lst[c].find(qn("w:p"))
        paragraph.add_r().text = text
    return table


#: A header row: marked to repeat at the top of every page the table runs onto.
_HEADER_ROW = '<w:tr><w:trPr><w:tblHeader w:val="true"/></w:trPr>'
#: Text XML 1.0 can hold (lxml refuses the rest, as python-docx's own ``text`` does).
_XML_TEXT = re.compile(r"[\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]*")


def _cell_xml(width: int, text: str, right: bool) -> str:
    """A cell of ``width`` twips holding ``text`` (right-aligned or not) as python-docx's
    ``_Cell.text`` and ``alignment`` write it: no run for an empty text, ``xml:space``
    kept where the text begins or ends with a space.

    Example:
        >>> _cell_xml(1000, " a&b", right=True)  # doctest: +NORMALIZE_WHITESPACE
        '<w:tc><w:tcPr><w:tcW w:type="dxa" w:w="1000"/></w:tcPr><w:p><w:pPr><w:jc
        w:val="right"/></w:pPr><w:r><w:t xml:space="preserve"> a&amp;b</w:t></w:r></w:p></w:tc>'
    """
    aligned = '<w:pPr><w:jc w:val="right"/></w:pPr>' if right else ""
    run = ""
    if text:
        space = ' xml:space="preserve"' if text.strip() != text else ""
        run = f"<w:r><w:t{space}>{escape(text)}</w:t></w:r>"
    shape = f'<w:tcPr><w:tcW w:type="dxa" w:w="{width}"/></w:tcPr>'
    return f"<w:tc>{shape}<w:p>{aligned}{run}</w:p></w:tc>"


class _StableZip:
    """python-docx's writer of the package's zip, with every entry dated ``stamp`` and the
    pictures stored as they are (a PNG is compressed already: deflating it again took most
    of the document's time and saved nothing)."""

    def __init__(self, path: Path, stamp: tuple[int, ...]):
        self.zip, self.stamp = zipfile.ZipFile(path, "w"), stamp

    def write(self, pack_uri, blob: bytes) -> None:
        entry = zipfile.ZipInfo(pack_uri.membername, date_time=self.stamp)
        stored = pack_uri.membername.startswith("word/media/")
        entry.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
        self.zip.writestr(entry, blob)

    def close(self) -> None:
        self.zip.close()


def save_stable(doc, path: Path, when: datetime) -> None:
    """Save ``doc`` to ``path`` with its properties' dates and every zip entry's time set to
    ``when`` (when the data were built): the same content is the same file, byte for byte.

    The package is written by python-docx's own steps (``OpcPackage.save``, pinned in
    constraints.txt) into :class:`_StableZip`.

    Example:
        >>> import tempfile
        >>> from docx import Document
        >>> folder, when = Path(tempfile.mkdtemp()), datetime(2026, 1, 2, 3, 4, 5)
        >>> save_stable(Document(), folder / "a.docx", when)
        >>> save_stable(Document(), folder / "b.docx", when)
        >>> (folder / "a.docx").read_bytes() == (folder / "b.docx").read_bytes()
        True
        >>> Document(str(folder / "a.docx")).core_properties.created.replace(tzinfo=None)
        datetime.datetime(2026, 1, 2, 3, 4, 5)
    """
    from docx.opc.pkgwriter import PackageWriter

    properties = doc.core_properties
    properties.created = properties.modified = when
    properties.last_modified_by = properties.author = "cscbench"
    properties.revision = 1
    package = doc.part.package
    parts = list(package.parts)
    for part in parts:
        part.before_marshal()
    writer = _StableZip(path, max(when, datetime(1980, 1, 1)).timetuple()[:6])
    try:
        PackageWriter._write_content_types_stream(writer, parts)
        PackageWriter._write_pkg_rels(writer, package.rels)
        PackageWriter._write_parts(writer, parts)
    finally:
        writer.close()
