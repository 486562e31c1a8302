"""The pack's page, ``index.html``: its content rendered through Jinja2 templates.

The templates (``templates/``) escape every value by default (autoescape); only the SVG
figures vl-convert drew, which escape their own text, go in as they are. The page is one
self-contained file that works offline: charts as inline SVG, no scripts.

Within each theme the charted headline measures have sections of their own (sentences, charts,
each chart's table, the figures); the measures without charts (most of them LAIT's values
only) are one compact table per theme (:func:`compact_part`), their sentences under it in a
collapsible list that prints only when short. A full pack prints to about 55 A4 pages (Derby 52).

Example:
    >>> from cscbench.report.content import pack_content
    >>> page = pack_page(pack_content("Rutland", year=2025), {})
    >>> "<h2 id=\\"theme-front-door-and-assessment\\">Front door and assessment</h2>" in page
    True
"""

from __future__ import annotations

from functools import cache

import polars as pl

from cscbench import __version__
from cscbench.analyses.engine import FLAG_MEANINGS, flag_label
from cscbench.analyses.wording import number, rank_words, with_unit, year_label
from cscbench.datasets import manifest
from cscbench.datasets.registry import INDICATORS, SIZES
from cscbench.datasets.snapshot import LICENCE
from cscbench.datasets.store import Source
from cscbench.report.chart_tables import chart_table
from cscbench.report.compact import COMPACT_COLUMNS, compact_row, flags_in_words
from cscbench.report.compact import average_cell as _average_cell
from cscbench.report.compact import rank_cell as _rank_cell
from cscbench.report.content import PackContent, Section
from cscbench.report.folders import slug
from cscbench.report.local_parts import LOCAL_NOTE, TABLE_COLUMNS, LocalPart

#: A theme's sentences on its measures without charts print (their <details> open) when they
#: take at most this many characters, about a third of an A4 page at 11pt; longer, they are in
#: the page on screen (open the details) and in the Word document, and the table stands for them.
PRINTED_LENGTH = 1_500

METHODS = (
    "Intervals: Wilson (percentages), exact Poisson or Byar's (rates), as OHID's "
    'PHEindicatormethods. Funnel limits: Spiegelhalter (2005). SPC: NHS England "Making Data '
    'Count". Recent trend: OHID Fingertips. Ranks and bands: DfE LAIT.'
)


@cache
def environment():
    """The Jinja2 environment: the package's templates, autoescape on for every template."""
    from jinja2 import Environment, PackageLoader, StrictUndefined

    env = Environment(
        loader=PackageLoader("cscbench.report", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["slug"] = slug
    return env


def render(template: str, **values: object) -> str:
    """Render one of the package's templates with ``values``."""
    return environment().get_template(template).render(**values)


def _lead(table: pl.DataFrame, name: str) -> str:
    """The page's opening: how many rates and percentages differ from England's (95%), and
    the re-referral rate's place in the group.

    Example:
        >>> t = pl.DataFrame({"indicator": ["cin_rate", "cp_rate", "rereferral_pct", "cin_count"],
        ...     "unit": ["rate_per_10k", "rate_per_10k", "percent", "count"],
        ...     "value": [400.0, 40.0, 22.7, 2000.0],
        ...     "england_comparison_95": ["above", "similar", "above", None],
        ...     "rank": [None, None, 6, None], "rank_of": [None, None, 11, None],
        ...     "rank_ties": [None, None, 0, None]})
        >>> _lead(t, "Bexley")  # doctest: +NORMALIZE_WHITESPACE
        "Of Bexley's 3 rates and percentages with an interval, 2 are significantly above
        England's and none below (95% intervals). Bexley sits in the middle (6th of 11) of its
        comparator group for its re-referral rate (22.7%)."
    """
    shown = table.filter(
        ~pl.col("unit").is_in(sorted(SIZES)),
        pl.col("value").is_not_null(),
        pl.col("england_comparison_95").is_not_null(),  # (DfE's FTE ratios have no interval)
    )
    said = []
    if shown.height:
        compared = shown["england_comparison_95"]
        above, below = (int((compared == side).sum()) for side in ("above", "below"))
        said.append(
            f"Of {name}'s {shown.height} rates and percentages with an interval, "
            f"{above or 'none'} {'is' if above == 1 else 'are'} significantly above England's "
            f"and {below or 'none'} below (95% intervals)."
        )
    reref = table.filter(pl.col("indicator") == "rereferral_pct")
    row = reref.row(0, named=True) if reref.height else None
    if row and row["rank"]:
        place = rank_words(row["rank"], row["rank_of"], row["rank_ties"] or 0)
        value = with_unit(row["value"], "rereferral_pct")
        if place.startswith("in the middle"):
            said.append(
                f"{name} sits {place} of its comparator group for its re-referral rate ({value})."
            )
        else:
            said.append(f"{name} has {place} re-referral rate in its comparator group ({value}).")
    return " ".join(said)


def numbers(row: dict) -> list[tuple[str, str]]:
    """An indicator's figures as (label, value) pairs, for the table under its charts."""
    ind = row["indicator"]
    interval = "not applicable"
    if row["ci95_low"] is not None:
        interval = f"{number(row['ci95_low'], ind)} to {number(row['ci95_high'], ind)}"
    trend = row["trend"] + (f" ({row['trend_assessment']})" if row["trend_assessment"] else "")
    return [
        ("Value", with_unit(row["value"], ind)),
        ("95% interval", interval),
        ("Comparator average", _average_cell(row)),
        (
            "Comparator range",
            f"{number(row['comparator_min'], ind)} to {number(row['comparator_max'], ind)}",
        ),
        ("Rank in group (1 = highest)", _rank_cell(row)),
        ("Region", with_unit(row["region"], ind)),
        ("England", with_unit(row["england"], ind)),
        ("Previous year", with_unit(row["previous_value"], ind)),
        ("Quartile band (A best)", row["quartile_band"] or "not applicable"),
        ("Recent trend", trend),
    ]


def compact_part(sections: list[Section]) -> dict | None:
    """A theme's measures without charts: a row each for its compact table, and whether their
    sentences are short enough to print (:data:`PRINTED_LENGTH`)."""
    rows = [compact_row(s) for s in sections if s.row is not None and not s.charts]
    if not rows:
        return None
    length = sum(len(r["title"]) + len(r["sentences"]) for r in rows)
    return {"rows": rows, "printed": length <= PRINTED_LENGTH}


def flag_rows(table: pl.DataFrame) -> list[dict]:
    """Every flag raised in ``table``: its label, meaning and the indicators carrying it, in
    the table's order.

    Example:
        >>> table = pl.DataFrame({"indicator": ["cla_rate", "cin_rate"],
        ...                       "flags": [["small_numbers"], ["small_numbers", "imprecise"]]})
        >>> for row in flag_rows(table):
        ...     print(row["label"][:32], "|", row["indicators"].replace(" per 10,000 children", ""))
        coefficient of variation above 2 | Children in need
        fewer than 10 children or events | Children looked after, Children in need
    """
    carrying: dict[str, list[str]] = {}
    for indicator, flags in zip(
        table["indicator"].to_list(), table["flags"].to_list(), strict=True
    ):
        for flag in dict.fromkeys(flags or []):
            carrying.setdefault(flag, []).append(indicator)
    return [
        {
            "label": flag_label(flag),
            "meaning": FLAG_MEANINGS[flag],
            "indicators": ", ".join(INDICATORS[i].title for i in carrying[flag]),
        }
        for flag in sorted(carrying)
    ]


def sources(source: Source) -> dict:
    """The data's sources for the page: each file with its rows and checksum, and when the
    data were built (none when raw files were read directly)."""
    found = manifest(source)
    if not found:
        return {"raw": str(source), "files": [], "built_at": None}
    return {"raw": None, "files": found["sources"], "built_at": found["built_at"]}


def _local(rows: pl.DataFrame | None) -> dict | None:
    if rows is None:
        return None
    from cscbench.analyses.narrative import local_narrative

    lines = []
    for r in rows.iter_rows(named=True):
        ind = r["indicator"]
        interval = ""
        if r["ci95_low"] is not None:
            interval = f"{number(r['ci95_low'], ind)} to {number(r['ci95_high'], ind)}"
        lines.append(
            {
                "title": INDICATORS[ind].title,
                "value": number(r["value"], ind),
                "interval": interval,
                "comparators": number(r["comparator_mean"], ind),
                "england": number(r["england"], ind),
                "note": r["note"] or "",
            }
        )
    return {
        "year": year_label(rows["year"][0]),
        "published": year_label(rows["compared_year"][0]),
        "sentences": list(local_narrative(rows)["sentence"]),
        "rows": lines,
    }


def _targets(status: pl.DataFrame | None) -> list[dict] | None:
    if status is None:
        return None
    rows = []
    for r in status.iter_rows(named=True):
        decimals = 0 if r["unit"] == "count" else 1
        rows.append(
            {
                "title": r["title"],
                "period": r["period"] or "",
                "figures": r["figures"],
                "value": "no figure" if r["value"] is None else f"{r['value']:,.{decimals}f}",
                "target": f"{r['direction']} {r['target']:,.{decimals}f}",
                "status": f"{r['symbol']} {r['status']}" if r["status"] else "no figure",
                "travel": r["travel"] or "",
            }
        )
    return rows


def _inspections(content: PackContent) -> dict | None:
    """The Ofsted section: sentences, and a row per authority with its judgements."""
    from cscbench.analyses.inspections import JUDGEMENT_TITLES

    if content.inspections is None:
        return None
    rows = [
        {
            "name": r["area_name"] or r["la_code"],
            "date": str(r["inspection_date"] or "no inspection"),
            "grades": [r[j] or "not judged" for j in JUDGEMENT_TITLES],
            "authority": r["role"] == "authority",
        }
        for r in content.inspections.iter_rows(named=True)
    ]
    return {
        "sentences": list(content.inspection_sentences),
        "titles": list(JUDGEMENT_TITLES.values()),
        "rows": rows,
    }


def _local_part(part: LocalPart, charts: list[dict]) -> dict:
    """A local measures part as the page shows it: its sentences, charts and table."""
    return {
        "id": f"local-{slug(part.title)}",
        "title": part.title,
        "note": LOCAL_NOTE,
        "sentences": part.sentences,
        "charts": charts,
        "headings": list(TABLE_COLUMNS.values()),
        "rows": [list(row.values()) for row in part.rows()],
    }


def _of(stem: str) -> str | None:
    """The indicator a chart's stem names, if any ('cin_rate-provisional': 'cin_rate').

    Example:
        >>> _of("cin_rate-provisional"), _of("factors")
        ('cin_rate', None)
    """
    found = stem.rsplit("-", 1)[0]
    return found if found in INDICATORS else None


def chart_items(
    drawn: list[tuple[str, str]], specs: dict[str, dict], indicator: str | None, name: str
) -> list[dict]:
    """The page's charts of one section: each chart's stem, SVG text and (where its spec is
    in ``specs``) its figures as a table.

    Example:
        >>> spec = {"datasets": {"d": [{"area_name": "Derby", "value": 87.74, "is_focus": True}]}}
        >>> drawn = [("x", "<svg/>")]
        >>> [c["table"].rows for c in chart_items(drawn, {"x": spec}, "cla_rate", "Derby")]
        [(('Derby', '87.7'),)]
    """
    return [
        {
            "stem": stem,
            "svg": svg,
            "table": chart_table(specs[stem], indicator or _of(stem), name)
            if stem in specs
            else None,
        }
        for stem, svg in drawn
    ]


def pack_page(
    content: PackContent,
    svgs: dict[str, list[tuple[str, str]]],
    specs: dict[str, dict] | None = None,
) -> str:
    """The page of one authority's pack, with the SVG texts of its drawn charts by section
    and (``specs``: the Vega-Lite spec of each chart by stem) a table of each chart's figures.
    """
    specs = specs or {}

    def charts(section: str, indicator: str | None = None) -> list[dict]:
        return chart_items(svgs.get(section, []), specs, indicator, content.name)

    themes = []
    for theme, sections in content.themes():
        themes.append(
            {
                "title": theme[0].upper() + theme[1:],
                "overview": charts(f"overview:{theme}"),
                "sections": [
                    {
                        "id": s.indicator if s.row is not None else f"none-{s.indicator}",
                        "title": s.title,
                        "sentences": s.sentences,
                        "flags": flags_in_words(s.row["flags"]) if s.row else [],
                        "charts": charts(s.indicator, s.indicator) if s.row else [],
                        "numbers": numbers(s.row) if s.row else [],
                    }
                    for s in sections
                    if s.row is None or s.charts
                ],
                "compact": compact_part(sections),
                "local_measures": [
                    _local_part(p, charts(p.section)) for p in content.local_in(theme)
                ],
            }
        )
    for part in content.local_in(None):  # local themes no national theme matches
        themes.append(
            {
                "title": part.title,
                "overview": [],
                "sections": [],
                "compact": None,
                "local_measures": [_local_part(part, charts(part.section))],
            }
        )
    return render(
        "pack.html.j2",
        name=content.name,
        year=year_label(content.year),
        year_end=content.year,
        group=content.group.label,
        including=content.include_self,
        region=content.focus["region_name"],
        lead=_lead(content.table, content.name),
        themes=themes,
        compact_columns=[content.name if c == "Value" else c for c in COMPACT_COLUMNS],
        overview=charts("overview"),
        factors=charts("factors"),
        factors_note=content.factors_note,
        local=_local(content.provisional),
        local_charts=charts("local"),
        targets=_targets(content.status),
        target_charts=charts("targets"),
        flags=flag_rows(content.table),
        notes=content.notes,
        key_messages=list(zip(content.key_messages, content.key_message_reasons, strict=True)),
        inspections=_inspections(content),
        members=content.members.to_dicts(),
        sources=sources(content.source),
        licence=LICENCE,
        version=__version__,
        methods=METHODS,
    )
