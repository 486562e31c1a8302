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

import zipfile
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.parts.image import ImagePart
from docx.shared import Cm, Mm
from docx.styles.styles import Styles

#: The tallest a picture may be, so that it and its caption fit on an A4 page.
MAX_PICTURE_HEIGHT = Cm(20)


@contextmanager
def built_quickly() -> Iterator[None]:
    """Within this block, python-docx 1.2 works two things once instead of on every call.

    - Adding a picture checks it against every picture already in the document by hashing
      each one's bytes again (``docx.package.ImageParts._get_by_sha1``): 47 charts were
      1,128 hashes, 40% of the document's time. Here each image part's hash is kept.
    - Setting a paragraph's style looks up the document's default style of that type by
      scanning every style (``Styles.default``): 300 scans. Here each is scanned once.

    Both hold while a document is built: a part's bytes and the default styles do not change.
    The library's own functions are put back when the block ends.

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
    defaults: dict[tuple[int, object], object] = {}

    def sha1(part: ImagePart) -> str:
        kept = part.__dict__.get("_cscbench_sha1")
        if kept is None:
            kept = part.__dict__["_cscbench_sha1"] = _SHA1.fget(part)
        return kept

    def default(styles: Styles, style_type):
        key = (id(styles.element), style_type)
        if key not in defaults:
            defaults[key] = _DEFAULT(styles, style_type)
        return defaults[key]

    ImagePart.sha1, Styles.default = property(sha1), default
    try:
        yield
    finally:
        ImagePart.sha1, Styles.default = _SHA1, _DEFAULT


_SHA1, _DEFAULT = ImagePart.sha1, Styles.default


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


def picture(doc, path: Path, description: str, name: str):
    """``path`` (a PNG) in a paragraph of its own, as wide as the text (no taller than
    :data:`MAX_PICTURE_HEIGHT`), with ``description`` as its alt text (``docPr/@descr``) and
    ``name`` as its name."""
    shape = doc.add_picture(str(path), width=text_width(doc))
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


def _repeat_header(row) -> None:
    """Mark ``row`` as a header row, repeated at the top of every page the table runs onto."""
    mark = OxmlElement("w:tblHeader")
    mark.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(mark)


def repeats_header(table) -> bool:
    """Whether the table's first row is marked to repeat on every page (``w:tblHeader``)."""
    properties = table.rows[0]._tr.trPr
    return properties is not None and properties.find(qn("w:tblHeader")) is not None


def add_table(
    doc, header: Sequence[str], rows: Sequence[Sequence[str]], numeric: Collection[int] = ()
):
    """A 'Table Grid' table: ``header`` as its first row (repeated on every page), then
    ``rows``; the columns numbered in ``numeric`` right-aligned, so that figures printed at
    the same decimals line up on the decimal point."""
    table = doc.add_table(rows=1 + len(rows), cols=len(header), style="Table Grid")
    _repeat_header(table.rows[0])
    for r, values in enumerate([header, *rows]):
        cells = table.rows[r].cells
        for c, value in enumerate(values):
            cells[c].text = value
            if c in numeric:
                cells[c].paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    return table


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
