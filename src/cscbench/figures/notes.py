"""The words around a chart: its title within the guide's ten words, its subtitle, its
source note (the data's date and the drawing date, each labelled) and its description.

Example:
    >>> from cscbench.datasets.registry import INDICATORS
    >>> about_title(INDICATORS["cla_rate"], "Derby", "rising")
    'Children looked after in Derby: rising'
"""

from __future__ import annotations

import textwrap
from datetime import UTC, date, datetime

import altair as alt

from cscbench.analyses.wording import sentence_case
from cscbench.datasets.registry import INDICATORS, SOURCES, Indicator
from cscbench.datasets.store import Source, data_built_at
from cscbench.figures.theme import config, day, drawing_day, fitted, source_note
from cscbench.figures.vl import SCHEMA, ChartSpec


def chart_note(
    indicator: str | None,
    source: Source,
    extra: str = "",
    publications: list[str] | None = None,
    population: bool | None = None,
) -> str:
    """The source note: every DfE publication the chart draws on (``publications``, else the
    indicator's), ONS's population estimates where a rate uses them (``population``, else
    whether the indicator's denominator is the population), then the data's date
    (:func:`data_words`) and the drawing date, each labelled.

    Example:
        >>> note = chart_note("cla_rate", None)
        >>> note.startswith("Source: DfE, Children looked after in England including adoptions; "
        ...                 "ONS mid-year population estimates. Data: built ")
        True
        >>> note.endswith(f" · Drawn: {day(drawing_day())}.")
        True
    """
    if publications is None:
        publications = [
            SOURCES[INDICATORS[indicator].source].publication if indicator else "Children in need"
        ]
    if population is None:
        denominator = INDICATORS[indicator].denominator if indicator else None
        population = denominator is not None and denominator.population
    said = "; ".join(f"DfE, {p}" for p in publications)
    ons = "; ONS mid-year population estimates" if population else ""
    return source_note(f"{said}{ons}{extra}", data_words(source))


def data_date(source: Source = None) -> date | None:
    """The day the data in use were built (the snapshot's manifest, in UTC), or None when they
    are read from DfE's raw files as they are drawn.

    Example:
        >>> import json
        >>> from cscbench.datasets.snapshot import SNAPSHOT_DIR
        >>> built = json.loads((SNAPSHOT_DIR / "manifest.json").read_text())["built_at"]
        >>> data_date(SNAPSHOT_DIR).isoformat() == built[:10]
        True
    """
    built = data_built_at(source)
    if built is None:
        return None
    return datetime.fromisoformat(built).astimezone(UTC).date()


def data_words(source: Source = None) -> str:
    """The data's date as a chart's note says it: 'built <day>' (the snapshot in use), or
    'read <day>' (DfE's raw files, read as the chart is drawn).

    Example:
        >>> from cscbench.datasets.snapshot import SNAPSHOT_DIR
        >>> data_words(SNAPSHOT_DIR) == f"built {day(data_date(SNAPSHOT_DIR))}"
        True
    """
    built = data_date(source)
    return f"built {day(built)}" if built else f"read {day(drawing_day())}"


def subjects(ind: Indicator) -> list[str]:
    """What a title over time can say it is about, fullest first, without "rate of" (the
    subtitle gives the measure).

    Example:
        >>> subjects(INDICATORS["cla_ceased_rate"]), subjects(INDICATORS["cp_2yrs_pct"])
        (['Children leaving care'], ['Plans lasting 2 years or more', 'Plans lasting 2+ years'])
    """
    names = dict.fromkeys(
        n.removeprefix("rate of ").capitalize() for n in (ind.short, ind.headline)
    )
    return list(names)


def about_title(ind: Indicator, name: str, *endings: str) -> str:
    """A title "<what> in <name>: <ending>" within the guide's ten words: the fullest subject
    and then the fullest of ``endings`` that fit.

    Example:
        >>> about_title(INDICATORS["cp_2yrs_pct"], "Derby", "too few years")
        'Plans lasting 2+ years in Derby: too few years'
        >>> about_title(INDICATORS["nfa_pct"], "Derby", "too few years for limits", "too few years")
        'Referrals with no further action in Derby: too few years'
    """
    titles = [f"{what} in {name}: {ending}" for what in subjects(ind) for ending in endings]
    return fitted(titles, [name])


def placed_title(ind: Indicator, lead: str, name: str) -> str:
    """A title "<lead> for <indicator>" within the guide's ten words, ``name`` (in ``lead``)
    counted as one.

    Example:
        >>> placed_title(INDICATORS["cp_start_rate"], "Dorset in the middle", "Dorset")
        'Dorset in the middle for rate of plans starting'
    """
    return fitted([f"{lead} for {n}" for n in (ind.short, ind.headline)], [name])


#: The longest a line of a chart's subtitle or source note may be, in characters: about 700
#: pixels at the subtitle's size, so that a long line does not set the chart's width.
LINE_LENGTH = 120


def wrapped(line: str, length: int = LINE_LENGTH) -> list[str]:
    """``line`` as lines of at most ``length`` characters: broken after a semicolon where one
    falls in the line's second two-thirds, else between words.

    Example:
        >>> wrapped("Source: DfE, Children in need; DfE, Children looked after", 40)
        ['Source: DfE, Children in need;', 'DfE, Children looked after']
        >>> wrapped("Rate per 10,000 children, 2012-13 to 2024-25", 30)
        ['Rate per 10,000 children,', '2012-13 to 2024-25']
    """
    if len(line) <= length:
        return [line]
    cut = line.rfind("; ", 0, length)
    if cut > length // 3:
        return [line[: cut + 1], *wrapped(line[cut + 2 :], length)]
    return textwrap.wrap(line, length, break_long_words=False, break_on_hyphens=False) or [line]


def note_of(spec: dict) -> str:
    """A chart's source note, as one line, from its spec (the subtitle's lines from the one
    that starts "Source:"; :func:`wrapped` may have broken it).

    Example:
        >>> note_of({"title": {"subtitle": ["Rate", "Source: DfE, Children in need;",
        ...     "ONS. Data: built 1 Dec 2026."]}})
        'Source: DfE, Children in need; ONS. Data: built 1 Dec 2026.'
    """
    lines = spec.get("title", {}).get("subtitle") or []
    lines = [lines] if isinstance(lines, str) else lines
    starts = [i for i, line in enumerate(lines) if line.startswith("Source:")]
    return " ".join(lines[starts[-1] :]) if starts else ""


def finish_chart(
    chart: alt.TopLevelMixin, title: str, subtitle: str | list[str], description: str, note: str
) -> alt.TopLevelMixin:
    """``chart`` with its title, subtitle lines and ``note`` under them, its description for
    screen readers (each in sentence case) and the theme's config, set in place.

    Example:
        >>> bars = alt.Chart({"values": [{"a": 1}]}).mark_bar().encode(x="a:Q")
        >>> spec = finish_chart(bars, "derby high", "Rate", "bar chart", "Source: DfE.").to_dict()
        >>> spec["title"]["text"], spec["title"]["subtitle"], spec["description"]
        ('Derby high', ['Rate', 'Source: DfE.'], 'Bar chart')
    """
    # Set in place: Altair's properties() and configure() copy the whole chart each time.
    chart.title = alt.Title(sentence_case(title), subtitle=subtitle_lines(subtitle, note))
    chart.description = sentence_case(description)
    chart.config = alt.Config(**config())
    return chart


def subtitle_lines(subtitle: str | list[str], note: str) -> list[str]:
    """A chart's subtitle lines and its source note under them, each long one on several
    lines (:func:`wrapped`), not one wider than the chart.

    Example:
        >>> subtitle_lines("Rate", "Source: DfE.")
        ['Rate', 'Source: DfE.']
    """
    given = [subtitle] if isinstance(subtitle, str) else subtitle
    return [part for line in [*given, note] for part in wrapped(line)]


#: The view size Altair's default theme puts in every spec it writes (a dict-built spec
#: carries it too, so that it is the spec Altair writes for the same chart).
ALTAIR_VIEW = {"continuousHeight": 300, "continuousWidth": 300}


def finished_spec(
    body: dict, title: str, subtitle: str | list[str], description: str, note: str
) -> ChartSpec:
    """A dict-built chart's whole spec (:mod:`~cscbench.figures.vl`): ``body`` (its layers,
    size and datasets) with its title, subtitle lines and ``note``, its description (each in
    sentence case) and the theme's config: what :func:`finish_chart` gives an Altair chart.

    Example:
        >>> spec = finished_spec({"mark": "bar"}, "derby high", "Rate", "bar chart", "Source: DfE.")
        >>> spec["title"], spec["description"], spec["config"]["view"]["stroke"]
        ({'text': 'Derby high', 'subtitle': ['Rate', 'Source: DfE.']}, 'Bar chart', None)
    """
    theme = config()
    return ChartSpec(
        {
            "$schema": SCHEMA,
            **body,
            "config": theme | {"view": ALTAIR_VIEW | theme["view"]},
            "title": {"text": sentence_case(title), "subtitle": subtitle_lines(subtitle, note)},
            "description": sentence_case(description),
        }
    )
