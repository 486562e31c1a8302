"""The benchmark pack: one folder an analyst can hand to a board.

``report(la, out=DIR)`` writes:

- ``index.html``: one self-contained page that works offline (charts as inline SVG, no
  scripts): the overview chart, a section per indicator (narrative, trend and comparator
  charts, a table of the numbers), the flags explained, the comparator group, the data
  sources with checksums and the Open Government Licence attribution;
- ``figures/``: SVG and (unless ``png=False``) PNG of every chart;
- ``tables.xlsx`` and CSV files of every table;
- ``data.parquet``: exactly the indicator rows the pack used.

Every text that comes from data is escaped before it goes into HTML.

Example:
    >>> import tempfile
    >>> folder = report("Rutland", out=tempfile.mkdtemp())
    >>> sorted(p.name for p in folder.iterdir())[:3]
    ['benchmark.csv', 'data.parquet', 'figures']
"""

from __future__ import annotations

import functools
import hashlib
import html
import json
import re
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from dataclasses import replace
from datetime import UTC, datetime
from itertools import chain
from pathlib import Path

import polars as pl

from cscbench import __version__
from cscbench.analyses import FLAG_MEANINGS, benchmark
from cscbench.analyses.narrative import narrative
from cscbench.analyses.wording import number, rank_words, with_unit, year_label
from cscbench.datasets import find_area, group, load_areas, load_indicators, manifest
from cscbench.datasets.areas import spoken_name
from cscbench.datasets.groups import ComparatorGroup
from cscbench.datasets.registry import INDICATORS, rates_and_percentages
from cscbench.datasets.snapshot import LICENCE, built_at
from cscbench.datasets.store import Source
from cscbench.datasets.targets import TargetPlan
from cscbench.errors import UsageError
from cscbench.figures.drawing import Drawers, drawing_env, worker_count
from cscbench.files import replacing

CHARTED = rates_and_percentages()  # counts go in tables and narrative, not charts

STYLE = """
body{font-family:Arial,Helvetica,sans-serif;color:#0b0c0c;max-width:1100px;margin:0 auto;
padding:24px;line-height:1.45}
h1{font-size:2rem;margin-bottom:.2em}h2{margin-top:2em;border-top:4px solid #12436D;
padding-top:.4em}h3{margin-bottom:.3em}
.lead{color:#505a5f;font-size:1.1rem}
figure{margin:16px 0;overflow-x:auto}figure svg{max-width:100%;height:auto}
table{border-collapse:collapse;margin:12px 0;font-size:.92rem}
th,td{border-bottom:1px solid #b1b4b6;padding:4px 10px;text-align:left;vertical-align:top}
td.n{text-align:right;font-variant-numeric:tabular-nums}
.flag{display:inline-block;background:#f3f2f1;border-left:4px solid #F46A25;padding:2px 6px;
margin:2px;font-size:.85rem}
.note{color:#505a5f;font-size:.9rem}
nav a{margin-right:12px}
"""


def _e(value: object) -> str:
    """HTML-escape any value from data."""
    return html.escape("" if value is None else str(value), quote=True)


def _slug(text: str) -> str:
    """A name as a file or folder name: lower case, each run of other characters one hyphen.

    Example:
        >>> _slug("Bristol, City of"), _slug("St. Helens")
        ('bristol-city-of', 'st-helens')
    """
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def pack_charts(
    la: str,
    year: int,
    chosen: ComparatorGroup,
    include_self: bool,
    source: Source,
    table: pl.DataFrame,
) -> Iterator[tuple[str, str, object]]:
    """(file stem, section, chart) for every chart of the pack, as each is built.

    ``table`` is the authority's benchmark (so the engine is not run again per chart).
    """
    from cscbench.analyses import panel
    from cscbench.analyses.engine import series
    from cscbench.figures import comparator_chart, factors_chart, overview_chart, trend_chart

    rows = series(la, list(CHARTED), chosen, include_self, source)
    values = panel(list(CHARTED), source, [chosen.focus, *chosen.members])
    by_indicator = {r["indicator"]: r for r in table.iter_rows(named=True)}
    yield (
        "overview",
        "overview",
        overview_chart(
            la, year=year, group=chosen, include_self=include_self, source=source, table=table
        ),
    )
    for ind in CHARTED:
        yield (
            f"{ind}-trend",
            ind,
            trend_chart(la, ind, chosen, include_self, year_to=year, source=source, rows=rows),
        )
        yield (
            f"{ind}-comparators",
            ind,
            comparator_chart(
                la,
                ind,
                year=year,
                group=chosen,
                include_self=include_self,
                source=source,
                row=by_indicator[ind],
                values=values,
            ),
        )
    yield (
        "factors",
        "factors",
        factors_chart(la, year=min(year, _factor_year(source)), group=chosen, source=source),
    )


def _factor_year(source: Source) -> int:
    from cscbench.datasets import load_factors

    return int(load_factors(source)["year"].max())


def _rank_cell(row: dict) -> str:
    """'11 of 11', with the caveat when the figure rests on few children."""
    if not row["rank"]:
        return "no rank"
    cell = f"{row['rank']} of {row['rank_of']}"
    if {"small_numbers", "imprecise"} & set(row["flags"] or []):
        cell += f" (on {number(row['numerator'], 'cin_count')} children or events: see caveat)"
    return cell


def _average_cell(row: dict) -> str:
    """'503.2 per 10,000 children', with '(over 6 of 10)' when members had no figure.

    Example:
        >>> _average_cell({"indicator": "cp_2yrs_pct", "comparator_mean": 2.51, "group_n": 6,
        ...                "group_missing": ["Barnet", "Lambeth", "Reading", "Kingston"]})
        '2.5% (over 6 of 10)'
    """
    cell = with_unit(row["comparator_mean"], row["indicator"])
    missing = len(row["group_missing"] or [])
    if missing and row["comparator_mean"] is not None:
        cell += f" (over {row['group_n']} of {row['group_n'] + missing})"
    return cell


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
        "Of Bexley's 3 published rates and percentages, 2 are significantly above England's
        and none below (95% intervals). Bexley sits in the middle (6th of 11) of its
        comparator group for its re-referral rate (22.7%)."
    """
    shown = table.filter(pl.col("unit") != "count", pl.col("value").is_not_null())
    said = []
    if shown.height:
        compared = shown["england_comparison_95"]
        above, below = (int((compared == side).sum()) for side in ("above", "below"))
        said.append(
            f"Of {name}'s {shown.height} published rates and percentages, "
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


def _numbers_table(row: dict) -> str:
    ind = row["indicator"]
    cells = [
        ("Value", with_unit(row["value"], ind)),
        (
            "95% interval",
            f"{number(row['ci95_low'], ind)} to {number(row['ci95_high'], ind)}"
            if row["ci95_low"] is not None
            else "not applicable",
        ),
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
        (
            "Recent trend",
            row["trend"] + (f" ({row['trend_assessment']})" if row["trend_assessment"] else ""),
        ),
    ]
    body = "".join(
        f"<tr><th scope='row'>{_e(k)}</th><td class='n'>{_e(v)}</td></tr>" for k, v in cells
    )
    return f"<table><caption class='note'>{_e(INDICATORS[ind].title)}</caption>{body}</table>"


def _flags_html(table: pl.DataFrame) -> str:
    present = sorted({f for flags in table["flags"].to_list() for f in (flags or [])})
    if not present:
        return "<p>No indicator carries a flag.</p>"
    rows = []
    for flag in present:
        which = table.filter(pl.col("flags").list.contains(flag))["indicator"].to_list()
        names = ", ".join(INDICATORS[i].title for i in which)
        rows.append(
            f"<tr><td><span class='flag'>{_e(flag)}</span></td><td>{_e(FLAG_MEANINGS[flag])}"
            f"</td><td>{_e(names)}</td></tr>"
        )
    return (
        "<table><thead><tr><th>Flag</th><th>Meaning</th><th>Indicators</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def _group_html(members: pl.DataFrame) -> str:
    rows = "".join(
        f"<tr><td>{_e(r['la_code'])}</td><td>{_e(r['area_name'])}</td>"
        f"<td>{_e('yes' if r['exists'] else r['reason'])}</td></tr>"
        for r in members.iter_rows(named=True)
    )
    return (
        "<table><thead><tr><th>Code</th><th>Authority</th><th>Has figures this year</th>"
        f"</tr></thead><tbody>{rows}</tbody></table>"
    )


def _sources_html(source: Source) -> str:
    found = manifest(source)
    if not found:
        return f"<p>Raw DfE files read from {_e(source)}.</p>"
    rows = "".join(
        f"<tr><td>{_e(s['title'])}</td><td>{_e(s['file'])}</td>"
        f"<td class='n'>{_e(s['rows'])}</td><td><code>{_e(s['sha256'][:16])}</code></td></tr>"
        for s in found["sources"]
    )
    return (
        "<table><thead><tr><th>Source</th><th>File</th><th>Rows</th><th>sha256 (start)</th>"
        f"</tr></thead><tbody>{rows}</tbody></table>"
        f"<p class='note'>Data built {_e(found['built_at'])}.</p>"
    )


def _target_charts(status: pl.DataFrame, name: str) -> Iterator[tuple[str, str, object]]:
    from cscbench.figures.charts import target_chart

    with_figures = status.filter(pl.col("value").is_not_null())
    for ind in with_figures["indicator"].unique(maintain_order=True):
        yield f"{ind}-target", "targets", target_chart(status, ind, name)


def _provisional_charts(
    rows: pl.DataFrame, chosen: ComparatorGroup, include_self: bool, source: Source
) -> Iterator[tuple[str, str, object]]:
    from cscbench.figures.charts import provisional_chart

    for row in rows.filter(pl.col("indicator").is_in(list(CHARTED))).iter_rows(named=True):
        chart = provisional_chart(
            row["la_code"], row["indicator"], row, chosen, include_self, source
        )
        yield f"{row['indicator']}-provisional", "local", chart


def _local_html(rows: pl.DataFrame | None, svgs: list[tuple[str, str]]) -> str:
    """The local, provisional year: sentences, a table against the latest published year."""
    if rows is None:
        return ""
    from cscbench.analyses.narrative import local_narrative

    said = " ".join(_e(s) for s in local_narrative(rows)["sentence"])
    body = []
    for r in rows.iter_rows(named=True):
        ind = r["indicator"]
        interval = (
            f"{number(r['ci95_low'], ind)} to {number(r['ci95_high'], ind)}"
            if r["ci95_low"] is not None
            else ""
        )
        body.append(
            f"<tr><td>{_e(INDICATORS[ind].title)}</td><td class='n'>{_e(number(r['value'], ind))}"
            f"</td><td class='n'>{_e(interval)}</td>"
            f"<td class='n'>{_e(number(r['comparator_mean'], ind))}</td>"
            f"<td class='n'>{_e(number(r['england'], ind))}</td><td>{_e(r['note'] or '')}</td></tr>"
        )
    when, published = year_label(rows["year"][0]), year_label(rows["compared_year"][0])
    charts = "".join(f"<figure aria-label='{_e(stem)}'>{svg}</figure>" for stem, svg in svgs)
    return (
        f"<h2 id='local'>{_e(when)}: local, provisional</h2>"
        f"<p class='note'>From the authority's own Children in Need census return, computed "
        f"as DfE defines each indicator, before DfE's validation and publication; compared "
        f"with {_e(published)}, the latest year DfE has published.</p><p>{said}</p>"
        "<table><thead><tr><th>Indicator</th><th>Local, provisional</th><th>95% interval</th>"
        f"<th>Comparators {_e(published)}</th><th>England {_e(published)}</th><th>Note</th>"
        f"</tr></thead><tbody>{''.join(body)}</tbody></table>{charts}"
    )


def _targets_html(status: pl.DataFrame | None, svgs: list[tuple[str, str]]) -> str:
    """The targets section: each period's figure, target, status (symbol and words), travel."""
    if status is None:
        return ""
    rows = []
    for r in status.iter_rows(named=True):
        decimals = 0 if r["unit"] == "count" else 1
        value = "no figure" if r["value"] is None else f"{r['value']:,.{decimals}f}"
        shown = f"{r['symbol']} {r['status']}" if r["status"] else "no figure"
        goal = f"{r['direction']} {r['target']:,.{decimals}f}"
        rows.append(
            f"<tr><td>{_e(r['title'])}</td><td>{_e(r['period'] or '')}</td>"
            f"<td>{_e(r['figures'])}</td><td class='n'>{_e(value)}</td>"
            f"<td>{_e(goal)}</td>"
            f"<td>{_e(shown)}</td><td>{_e(r['travel'] or '')}</td></tr>"
        )
    charts = "".join(f"<figure aria-label='{_e(stem)}'>{svg}</figure>" for stem, svg in svgs)
    return (
        "<h2 id='targets'>Targets</h2><p class='note'>Status: ✓ on target; ! off target, "
        "recoverable (within the target's band); ✗ off target, causing concern. "
        "Figures compared as displayed.</p>"
        "<table><thead><tr><th>Indicator</th><th>Period</th><th>Figures</th><th>Value</th>"
        "<th>Target</th><th>Status</th><th>Since previous period</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>{charts}"
    )


def data_time(source: Source = None) -> datetime:
    """When the data were built (the snapshot's manifest), else ``SOURCE_DATE_EPOCH`` or now:
    the workbook's creation time, so that a pack made twice from the same data is the same
    file, byte for byte.

    Example:
        >>> data_time().year >= 2025
        True
    """
    found = manifest(source)
    stamp = found["built_at"] if found else built_at()
    return datetime.fromisoformat(stamp).astimezone(UTC).replace(tzinfo=None)


def _write_tables(folder: Path, tables: dict[str, pl.DataFrame], source: Source = None) -> None:
    import xlsxwriter

    from cscbench.output import flatten

    with xlsxwriter.Workbook(folder / "tables.xlsx") as workbook:
        workbook.set_properties({"created": data_time(source)})
        for name, frame in tables.items():
            flatten(frame).write_excel(workbook, worksheet=name[:31], autofit=True)
    for name, frame in tables.items():
        flatten(frame).write_csv(folder / f"{name}.csv")


def report(
    la: str,
    year: int | str | None = None,
    group_key: str = "sn2025",
    include_self: bool = False,
    out: str | Path | None = None,
    source: Source = None,
    base_year: int | str | None = None,
    workers: int | None = None,
    comparators: str | list[str] | None = None,
    group_name: str | None = None,
    targets: TargetPlan | str | Path | None = None,
    quarterly: pl.DataFrame | str | Path | None = None,
    local: str | Path | None = None,
    previous: list[str | Path] | None = None,
    png: bool = True,
) -> Path:
    """Write the benchmark pack of one authority to ``out`` (default ``cscbench-<name>``).

    ``workers`` processes draw the charts (default: one per core; 1 draws them in turn).
    Each chart is written as SVG (the page embeds it) and, with ``png``, as PNG at twice its
    size for documents: the PNGs are about 40% of a pack's time and most of its size.
    With ``targets`` (a targets file or plan) the benchmark table gains ``target`` and
    ``target_status`` and the pack a section on targets, from the authority's own figures in
    ``quarterly`` (a CSV, see :mod:`cscbench.datasets.targets`) or else DfE's. With ``local``
    (the authority's census return, and ``previous`` earlier ones) the pack gains a section
    on the local, provisional year against the latest published comparators.
    """

    focus = find_area(la, source)
    with Drawers(workers) as drawers:  # started now: warm by the time the charts are built
        chosen = group(focus["la_code"], group_key, comparators, source=source)
        if group_name:
            chosen = replace(chosen, label=group_name)
        table = benchmark(
            focus["la_code"],
            year=year,
            group=chosen,
            include_self=include_self,
            base_year=base_year,
            source=source,
            targets=targets,
        )
        year = int(table["year"][0])
        status = None
        if targets is not None:
            from cscbench.analyses.performance import targets as target_table

            status = target_table(
                focus["la_code"], targets, quarterly, year, chosen, include_self, source=source
            )
        from cscbench.datasets import members_in_year

        members = members_in_year(chosen, year, load_areas(source), include_self=include_self)
        folder = pack_folder(out, focus["area_name"])
        figures = folder / "figures"
        sentences = narrative(table)

        provisional = None
        if local is not None:
            from cscbench.analyses.local import local_benchmark, read_returns

            census, earlier = read_returns(local, previous or [])
            provisional = local_benchmark(
                focus["la_code"], census, earlier, chosen, include_self, source=source
            )
        charts = pack_charts(focus["la_code"], year, chosen, include_self, source, table)
        if status is not None:
            charts = chain(charts, _target_charts(status, focus["area_name"]))
        if provisional is not None:
            charts = chain(charts, _provisional_charts(provisional, chosen, include_self, source))
        svgs = draw(charts, figures, drawers, png)

    codes = [focus["la_code"], *chosen.members]
    used = load_indicators(source=source).filter(
        pl.col("la_code").is_in(codes)
        | pl.col("la_code").is_null()
        | ((pl.col("year") == year) & pl.col("indicator").is_in(list(CHARTED)))
    )
    used.write_parquet(folder / "data.parquet")
    tables = {"benchmark": table, "narrative": sentences, "group": members}
    if status is not None:
        tables["targets"] = status
    if provisional is not None:
        tables["local_provisional"] = provisional
    _write_tables(folder, tables, source)

    name = spoken_name(focus["area_name"])  # as the page's sentences say it
    sections = []
    for row in table.iter_rows(named=True):
        ind = row["indicator"]
        said = sentences.filter(pl.col("indicator") == ind)["sentence"].to_list()
        charts = "".join(
            f"<figure aria-label='{_e(stem)}'>{svg}</figure>" for stem, svg in svgs.get(ind, [])
        )
        flags = "".join(
            f"<span class='flag' title='{_e(FLAG_MEANINGS[f])}'>{_e(f)}</span>"
            for f in row["flags"] or []
        )
        sections.append(
            f"<section id='{_e(ind)}'><h3>{_e(INDICATORS[ind].title)}</h3>"
            f"<p>{' '.join(_e(s) for s in said)}</p>{flags}{charts}{_numbers_table(row)}</section>"
        )
    overview = "".join(
        f"<figure aria-label='overview'>{svg}</figure>" for _, svg in svgs["overview"]
    )
    factors = "".join(f"<figure aria-label='factors'>{svg}</figure>" for _, svg in svgs["factors"])
    lead = _e(_lead(table, name))
    including = f" (including {_e(name)})" if include_self else ""
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{_e(name)}: children's social care benchmark, {_e(year_label(year))}</title>
<style>{STYLE}</style></head>
<body>
<header><h1>{_e(name)}: children's social care benchmark</h1>
<p class="lead">{_e(year_label(year))} (year ending 31 March {year}). Compared with
{_e(chosen.label)}{including}, {_e(focus["region_name"])}
and England. {lead}</p>
<nav><a href="#overview">Overview</a><a href="#indicators">Indicators</a><a href="#flags">Flags</a>
<a href="#group">Comparator group</a><a href="#sources">Sources</a></nav></header>
<main>
<h2 id="overview">Overview</h2>{overview}
<h2 id="indicators">Indicators</h2>{"".join(sections)}
<h2 id="factors">Factors identified at the end of assessment</h2>{factors}
{_local_html(provisional, svgs.get("local", []))}
{_targets_html(status, svgs.get("targets", []))}
<h2 id="flags">Flags</h2>{_flags_html(table)}
<h2 id="group">Comparator group</h2><p>{_e(chosen.label)}.</p>{_group_html(members)}
<h2 id="sources">Data sources and licence</h2>{_sources_html(source)}
<p class="note">{_e(LICENCE)}</p>
<p class="note">Made with cscbench {_e(__version__)}. Intervals: Wilson (percentages), exact
Poisson or Byar's (rates), as OHID's PHEindicatormethods. Funnel limits: Spiegelhalter (2005).
SPC: NHS England "Making Data Count". Recent trend: OHID Fingertips. Ranks and bands: DfE LAIT.</p>
</main></body></html>
"""
    write_page(folder, page)
    return folder


#: In a pack's ``figures`` folder: what each chart was drawn from and the digests of its files.
DRAWN = "drawn.json"


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def drawing_key(spec: dict, scale: float | None) -> str:
    """Everything a chart's files depend on, as one digest: its Vega-Lite spec, the versions
    of cscbench (which calls the drawing) and vl-convert (which draws), the fonts drawing is
    pinned to, and the PNG scale (None: no PNG).

    Example:
        >>> spec = {"mark": "point"}
        >>> drawing_key(spec, 2.0) == drawing_key({"mark": "point"}, 2.0) != drawing_key(spec, None)
        True
    """
    what = [spec, _drawing_with(drawing_env()["FONTCONFIG_FILE"]), scale]
    return _digest(json.dumps(what, sort_keys=True, ensure_ascii=False).encode("utf-8"))


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
    charts: Iterable[tuple[str, str, object]], figures: Path, drawers: Drawers, png: bool = True
) -> dict[str, list[tuple[str, str]]]:
    """Draw every (file stem, section, chart) to ``figures/<stem>.svg`` and (``png``) ``.png``;
    return the SVG texts by section, in order.

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
        for stem, section, chart in charts:
            vl = spec(chart)
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


def pack_folder(out: str | Path | None, name: str) -> Path:
    """The pack's folder (default ``cscbench-<name>``), with its ``figures`` folder made."""
    folder = Path(out) if out is not None else Path(f"cscbench-{_slug(name)}")
    (folder / "figures").mkdir(parents=True, exist_ok=True)
    return folder


def write_page(folder: Path, page: str) -> None:
    """Write ``index.html`` whole or not at all (a half-written page never replaces a good one)."""
    with replacing(folder / "index.html") as tmp:
        tmp.write_text(page, encoding="utf-8")


def _pool(workers: int) -> ProcessPoolExecutor:
    """Pack processes started fresh ("spawn": forking a process whose polars threads may hold
    locks can deadlock the children), each drawing with vl-convert's own fonts pinned."""
    import multiprocessing

    from cscbench.figures.drawing import pin_fonts

    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=pin_fonts,
    )


def _one(args: tuple) -> str:
    la, year, group_key, include_self, out, source, png = args
    report(
        la,
        year=year,
        group_key=group_key,
        include_self=include_self,
        out=out,
        source=source,
        workers=1,
        png=png,
    )
    return la


def report_all(
    out: str | Path,
    year: int | str | None = None,
    group_key: str = "sn2025",
    include_self: bool = False,
    source: Source = None,
    workers: int | None = None,
    progress: Callable[[str], None] | None = None,
    expected: Callable[[int], None] | None = None,
    authorities: list[str] | None = None,
    png: bool = True,
) -> list[Path]:
    """A pack for every authority with figures in ``year``, in parallel on the machine's cores.

    ``expected`` is told how many packs there will be; ``progress`` is called with each
    authority's name as its pack is finished. ``authorities`` limits the packs to those named.
    ``png=False`` writes each chart as SVG only (see :func:`report`).
    """
    from cscbench.analyses.engine import year_or_latest

    year = year_or_latest(year, source)
    areas = load_areas(source).filter(pl.col("first_year") <= year, pl.col("last_year") >= year)
    if group_key in ("sn2025", "sn2021"):
        from cscbench.datasets import load_neighbours

        modelled = set(load_neighbours(group_key, source)["la_code"])
        areas = areas.filter(pl.col("la_code").is_in(sorted(modelled)))
    if authorities is not None:
        codes = [find_area(a, source)["la_code"] for a in authorities]
        areas = areas.filter(pl.col("la_code").is_in(codes))
    out = Path(out)
    jobs = [
        (code, year, group_key, include_self, out / _slug(name), source, png)
        for code, name in areas.select("la_code", "area_name").rows()
    ]
    if not jobs:
        raise UsageError(f"no authority has figures in {year_label(year)}")
    names = dict(areas.select("la_code", "area_name").rows())
    if expected is not None:
        expected(len(jobs))
    done = []
    with _pool(worker_count(workers)) as pool:
        futures = [pool.submit(_one, job) for job in jobs]
        for future in as_completed(futures):
            code = future.result()
            done.append(out / _slug(names[code]))
            if progress is not None:
                progress(names[code])
    return sorted(done)
