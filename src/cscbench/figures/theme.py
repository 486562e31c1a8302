"""One look for every cscbench chart: the Analysis Function palette, an offline font, titles.

- Colours: the Government Analysis Function palette (dark blue ``#12436D``, turquoise
  ``#28A197``, dark pink ``#801650``, orange ``#F46A25``, dark grey ``#3D3D3D``, light purple
  ``#A285D1``), focus charts in dark blue against grey ``#BFBFBF``. The authority is orange
  (DfE LAIT's convention), England dark pink, the region turquoise, the comparators dark grey.
- Font: Liberation Sans, which vl-convert carries, so PNG, SVG and PDF render offline with
  real text (a font it does not have renders no text at all); browsers fall back to Arial.
- Every chart has an active title stating its main message, a subtitle saying what is
  measured, a source and date note, and a Vega-Lite ``description`` for screen readers. DfE's
  guide asks for titles of ten words or fewer: the wordings are written to that with an
  authority's name counted as one word (:func:`title_words`), a title too long in its fullest
  wording takes a shorter one (:func:`fitted`; the registry's ``headline`` names), and a title
  is never cut short, since a cut one ("... in Derby: no clear recent") misstates the message.
- Series differ by line style and marker shape as well as colour, and lines over time are
  labelled directly at their ends rather than by a key (ONS style guide).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

AUTHORITY = "#F46A25"
ENGLAND = "#801650"
REGION = "#28A197"
COMPARATORS = "#3D3D3D"
FOCUS = "#12436D"
OTHERS = "#BFBFBF"
EXTRA = "#A285D1"
PALETTE = [FOCUS, REGION, ENGLAND, AUTHORITY, COMPARATORS, EXTRA]
FONT = "Liberation Sans, Arial, Helvetica, sans-serif"
GUIDE_TITLE_WORDS = 10  # DfE analysts' guide: active titles of ten words or fewer


def title_words(title: str, names: Iterable[str] = ()) -> int:
    """Words in ``title``, each of ``names`` (authorities, regions: proper nouns) counted as one.

    Example:
        >>> title_words("Kingston upon Hull, City of second highest for rate of referrals",
        ...             ["Kingston upon Hull, City of"])
        7
    """
    for name in sorted(names, key=len, reverse=True):
        title = title.replace(name, "Name")
    return len(title.split())


def fitted(titles: Sequence[str], names: Iterable[str] = ()) -> str:
    """The first of ``titles`` (fullest first) within the guide's ten words, each of ``names``
    counted as one; the last if none is.

    Example:
        >>> fitted(["Derby in the middle for rate of child protection plans starting",
        ...         "Derby in the middle for rate of plans starting"], ["Derby"])
        'Derby in the middle for rate of plans starting'
    """
    names = list(names)
    return next((t for t in titles if title_words(t, names) <= GUIDE_TITLE_WORDS), titles[-1])


def day(when: date) -> str:
    """A date as a chart's note gives it.

    Example:
        >>> day(date(2026, 12, 3))
        '3 Dec 2026'
    """
    return f"{when.day} {when:%b %Y}"


def drawing_day() -> date:
    """The day a chart is drawn: today, or the day of ``SOURCE_DATE_EPOCH`` where it is set (a
    reproducible build), as the snapshot's build time is.

    Example:
        >>> drawing_day() <= date.today()
        True
    """
    from cscbench.datasets.snapshot import built_at

    return date.fromisoformat(built_at()[:10])


def source_note(sources: str, data: str | None = None, drawn: date | None = None) -> str:
    """A chart's note: its sources, the data's date (``data``, in words with its own label,
    where there is one) and the day it was drawn (``drawn``, else :func:`drawing_day`).

    Example:
        >>> source_note("DfE, Children in need", "built 2 Dec 2026", date(2026, 12, 3))
        'Source: DfE, Children in need. Data: built 2 Dec 2026 · Drawn: 3 Dec 2026.'
        >>> source_note("Derby's own figures", drawn=date(2026, 12, 3))
        "Source: Derby's own figures. Drawn: 3 Dec 2026."
    """
    when = f"Drawn: {day(drawn or drawing_day())}"
    return f"Source: {sources}. " + (f"Data: {data} · {when}." if data else f"{when}.")


def config() -> dict:
    """Vega-Lite ``config`` for all charts."""
    return {
        "font": FONT,
        "background": "white",
        "view": {"stroke": None},
        "title": {
            "anchor": "start",
            "fontSize": 16,
            "fontWeight": "bold",
            "color": "#0b0c0c",
            "subtitleFontSize": 12,
            "subtitleColor": "#505a5f",
            "offset": 12,
        },
        "axis": {
            "labelFontSize": 11,
            "titleFontSize": 12,
            "labelColor": "#0b0c0c",
            "titleColor": "#0b0c0c",
            "gridColor": "#e5e5e5",
            "domainColor": "#6f777b",
            "tickColor": "#6f777b",
            "labelLimit": 0,
            "titleLimit": 0,
        },
        "legend": {
            "labelFontSize": 11,
            "titleFontSize": 11,
            "orient": "bottom",
            "labelLimit": 0,
            "titleLimit": 0,
        },
        # No length limit on axis and legend text: a name is never cut ("Bournemouth,
        # Christchurch a…" was, under Vega's default 160 pixels for legend labels), and Vega
        # measures a limited text three times, an unlimited one once; vl-convert measures by
        # laying the text out, so this makes the SVG step about a fifth faster.
        # Translucent marks by fill and stroke opacity, never an element's opacity: the same
        # look, but vl-convert rasterises an element with opacity on a layer of its own (a
        # trend chart's PNG took 87 ms with Vega-Lite's default point opacity, 54 ms without).
        "point": {"opacity": 1, "fillOpacity": 0.7, "strokeOpacity": 0.7},
        "circle": {"opacity": 1, "fillOpacity": 0.7, "strokeOpacity": 0.7},
        "square": {"opacity": 1, "fillOpacity": 0.7, "strokeOpacity": 0.7},
        "tick": {"opacity": 1, "fillOpacity": 0.7},
        "range": {"category": PALETTE},
    }
