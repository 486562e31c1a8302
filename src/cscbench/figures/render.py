"""Saving charts: HTML (JavaScript inlined, works offline), SVG, PNG or PDF via vl-convert.

Example:
    >>> import tempfile, os
    >>> from cscbench.figures import comparator_chart
    >>> path = os.path.join(tempfile.mkdtemp(), "derby.svg")
    >>> save(comparator_chart("Derby", "cla_rate", year=2025), path).endswith(".svg")
    True
"""

from __future__ import annotations

from pathlib import Path

import altair as alt

from cscbench.errors import UsageError
from cscbench.figures.drawing import check_scale
from cscbench.files import replacing

FORMATS = (".html", ".svg", ".png", ".pdf")


def spec(chart: alt.TopLevelMixin | dict) -> dict:
    """The Vega-Lite spec, without Altair's schema validation (the tests validate every kind);
    a chart built as a spec already (the local measures' XmR charts) is returned as it is.

    Example:
        >>> spec({"mark": "point"})
        {'mark': 'point'}
    """
    return chart if isinstance(chart, dict) else chart.to_dict(validate=False)


def to_svg(chart: alt.TopLevelMixin) -> str:
    """The chart as SVG text (rendered offline by vl-convert)."""
    import vl_convert as vlc

    return vlc.vegalite_to_svg(spec(chart))


def to_png(chart: alt.TopLevelMixin, scale: float = 2.0) -> bytes:
    """The chart as PNG bytes; ``scale`` 2 gives print-quality images of screen-sized charts."""
    import vl_convert as vlc

    return vlc.vegalite_to_png(spec(chart), scale=check_scale(scale))


def save(chart: alt.TopLevelMixin, path: str | Path, scale: float = 2.0) -> str:
    """Write ``chart`` to ``path``; the format follows the suffix (.html, .svg, .png, .pdf).

    Written to a temporary name and renamed when complete.
    """
    import vl_convert as vlc

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise UsageError(f"{path.name}: choose a file ending {', '.join(FORMATS)}")
    vl = spec(chart)
    if suffix == ".html":
        data: str | bytes = vlc.vegalite_to_html(vl, bundle=True)
    elif suffix == ".svg":
        data = vlc.vegalite_to_svg(vl)
    elif suffix == ".png":
        data = vlc.vegalite_to_png(vl, scale=check_scale(scale))
    else:
        data = vlc.vegalite_to_pdf(vl)  # vector: no scale
    with replacing(path) as tmp:
        if isinstance(data, str):
            tmp.write_text(data, encoding="utf-8")
        else:
            tmp.write_bytes(data)
    return str(path)
