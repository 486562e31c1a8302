"""Drawing a pack's charts, and keeping those an earlier run drew from the same spec.

Drawing is most of a pack's time. :func:`draw` draws every chart plan of a pack's content
with warm drawing processes; a chart an earlier run into the same folder drew from the same
:func:`drawing_key` (its Vega-Lite spec, cscbench's and vl-convert's versions, the fonts, the
PNG scale), whose files are unchanged since (``figures/drawn.json`` holds their digests), is
kept rather than drawn again.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections.abc import Iterable
from concurrent.futures import Future
from pathlib import Path

from cscbench import __version__
from cscbench.figures.drawing import Drawers, drawing_env
from cscbench.files import replacing
from cscbench.report.content import ChartPlan

#: In a pack's ``figures`` folder: what each chart was drawn from and the digests of its files.
DRAWN = "drawn.json"


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


#: The drawing day in a chart's note (:func:`cscbench.figures.theme.source_note`).
_DRAWN_ON = re.compile(r"Drawn: \d{1,2} [A-Z][a-z]{2} \d{4}")


def drawing_key(spec: dict, scale: float | None) -> str:
    """Everything a chart's files depend on, as one digest: its Vega-Lite spec, the versions
    of cscbench (which calls the drawing) and vl-convert (which draws), the fonts drawing is
    pinned to, and the PNG scale (None: no PNG). The drawing day its note gives is left out: a
    chart kept from an earlier day says the day it was drawn, which is true.

    Example:
        >>> spec = {"mark": "point"}
        >>> drawing_key(spec, 2.0) == drawing_key({"mark": "point"}, 2.0) != drawing_key(spec, None)
        True
        >>> a, b = ({"title": f"Data: built 1 Dec 2026 · Drawn: {d} Dec 2026."} for d in (2, 3))
        >>> drawing_key(a, None) == drawing_key(b, None)
        True
    """
    what = [spec, _drawing_with(drawing_env()["FONTCONFIG_FILE"]), scale]
    text = json.dumps(what, sort_keys=True, ensure_ascii=False)
    return _digest(_DRAWN_ON.sub("Drawn: (day)", text).encode("utf-8"))


@functools.cache
def _drawing_with(fonts_file: str) -> list[str]:
    """cscbench's and vl-convert's versions and the font configuration drawing is pinned to."""
    from importlib.metadata import version

    fonts = Path(fonts_file)
    pinned = fonts.read_text(encoding="utf-8") if fonts.is_file() else fonts_file
    return [__version__, version("vl-convert-python"), pinned]


def _drawn_before(figures: Path) -> dict[str, dict]:
    """The record an earlier run left in ``figures`` (none if missing or unreadable).

    Example:
        >>> import tempfile
        >>> folder = Path(tempfile.mkdtemp())
        >>> _ = (folder / DRAWN).write_text('["not", "a", "record"]')
        >>> _drawn_before(folder)
        {}
    """
    try:
        found = json.loads((figures / DRAWN).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(found, dict):
        return {}
    return {stem: entry for stem, entry in found.items() if isinstance(entry, dict)}


def _file_digests(figures: Path, stem: str, png: bool) -> dict[str, str | None]:
    """Digests of a chart's SVG and (``png``) PNG files as they are now."""
    image = _digest((figures / f"{stem}.png").read_bytes()) if png else None
    return {"svg": _digest((figures / f"{stem}.svg").read_bytes()), "png": image}


def _kept(figures: Path, stem: str, key: str, png: bool, before: dict[str, dict]) -> str | None:
    """The SVG text of ``stem`` if an earlier run drew it from the same key and its files are
    still the ones it wrote; None if it must be drawn."""
    entry = before.get(stem) or {}
    if entry.get("key") != key:
        return None
    try:
        if _file_digests(figures, stem, png) != {"svg": entry.get("svg"), "png": entry.get("png")}:
            return None
        return (figures / f"{stem}.svg").read_text(encoding="utf-8")
    except OSError:
        return None


def draw(
    charts: Iterable[ChartPlan],
    figures: Path,
    drawers: Drawers,
    png: bool = True,
    specs: dict[str, dict] | None = None,
) -> dict[str, list[tuple[str, str]]]:
    """Draw every chart plan to ``figures/<stem>.svg`` and (``png``) ``.png``; return the SVG
    texts by section, in order. ``specs``, where given, is filled with each chart's Vega-Lite
    spec by stem (the Word document takes its captions and alt text from them).

    Each chart is built here while ``drawers`` draw the ones before it. Altair's check of each
    object against the Vega-Lite schema as it is made is off while they are built: it was a
    third of the building time, and the tests validate every kind of chart whole. Without
    ``png``, a PNG of the same chart left by an earlier run is removed, so no figure is stale.

    A chart an earlier run into the same folder drew from the same :func:`drawing_key`, whose
    files are unchanged since (their digests are in ``figures/drawn.json``), is kept rather
    than drawn again: drawing is most of a pack's time. Delete the folder to draw everything.
    """
    from altair.utils.schemapi import debug_mode

    from cscbench.figures.render import spec

    before = _drawn_before(figures)
    scale = drawers.scale if png else None
    drawn = []
    record = {}  # what drawn.json will say: kept charts as before, drawn ones once drawn
    with debug_mode(False):
        for plan in charts:
            stem, section = plan.stem, plan.section
            vl = spec(plan.build())
            if specs is not None:
                specs[stem] = vl
            key = drawing_key(vl, scale)
            svg = _kept(figures, stem, key, png, before)
            if svg is None:
                png_path = figures / f"{stem}.png" if png else None
                future = drawers.submit(vl, figures / f"{stem}.svg", png_path)
            else:
                future = Future()
                future.set_result(svg)
                record[stem] = before[stem]
            drawn.append((stem, section, key, future))
    svgs: dict[str, list[tuple[str, str]]] = {}
    for stem, section, key, future in drawn:
        svgs.setdefault(section, []).append((stem, future.result()))
        if not png:
            (figures / f"{stem}.png").unlink(missing_ok=True)
        if stem not in record:
            record[stem] = {"key": key, **_file_digests(figures, stem, png)}
    with replacing(figures / DRAWN) as tmp:
        tmp.write_text(json.dumps(record, indent=1, sort_keys=True), encoding="utf-8")
    return svgs
