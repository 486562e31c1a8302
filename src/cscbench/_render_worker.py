"""Render a Vega-Lite spec to SVG and PNG files in a worker process.

Kept apart from :mod:`cscbench.figures` so that worker processes import only vl-convert.
"""

from __future__ import annotations

from pathlib import Path


def render_files(spec: dict, svg_path: str, png_path: str, scale: float = 2.0) -> str:
    """Write ``spec`` as SVG and PNG (rasterised from the SVG); return the SVG text."""
    import vl_convert as vlc

    svg = vlc.vegalite_to_svg(spec)
    Path(svg_path).write_text(svg, encoding="utf-8")
    Path(png_path).write_bytes(vlc.svg_to_png(svg, scale=scale))
    return svg
