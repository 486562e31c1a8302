"""A drawing process: Vega-Lite specs in, SVG and PNG files out.

Started by :class:`cscbench.figures.drawing.Drawers` as ``python -m cscbench._render_worker``.
It reads one job per line on stdin (JSON: ``spec``, ``svg``, ``png`` (or null), ``scale``),
writes the files and answers one line per job on stdout (``{"ok": true}`` or
``{"error": "..."}``). It imports only vl-convert, so it starts in a fraction of a second, and
it draws a tiny chart first so that vl-convert's JavaScript engine (about 0.6 s to start) is
warm before the first job.

Kept apart from :mod:`cscbench.figures` so that drawing processes never import Altair or polars.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TextIO

WARM_UP = {
    "mark": "text",
    "data": {"values": [{"t": "warm"}]},
    "encoding": {"text": {"field": "t", "type": "nominal"}},
}


def render_files(spec: dict, svg_path: str, png_path: str | None, scale: float = 2.0) -> str:
    """Write ``spec`` as SVG and, unless ``png_path`` is None, PNG (rasterised from the SVG);
    return the SVG text."""
    import vl_convert as vlc

    svg = vlc.vegalite_to_svg(spec)
    Path(svg_path).write_text(svg, encoding="utf-8")
    if png_path is not None:
        Path(png_path).write_bytes(vlc.svg_to_png(svg, scale=scale))
    return svg


def one_line(exc: Exception) -> str:
    r"""vl-convert's message without its JavaScript stack, on one line.

    Example:
        >>> one_line(ValueError("conversion failed:\nError: Invalid field type.\n    at f (x:1)"))
        'conversion failed: Error: Invalid field type.'
    """
    said = [s.strip() for s in str(exc).splitlines() if s.strip() and not s.startswith("    at ")]
    return " ".join(said) or type(exc).__name__


def serve(jobs: TextIO, answers: TextIO) -> None:
    """Draw every job read from ``jobs``, answering each on ``answers``, until end of input."""
    import vl_convert as vlc

    vlc.vegalite_to_svg(WARM_UP)
    for line in jobs:
        try:
            job = json.loads(line)
            render_files(job["spec"], job["svg"], job["png"], job["scale"])
            answer = {"ok": True}
        except Exception as exc:  # reported to the parent, which raises it there
            answer = {"error": one_line(exc)}
        answers.write(json.dumps(answer) + "\n")
        answers.flush()


if __name__ == "__main__":
    serve(sys.stdin, sys.stdout)
