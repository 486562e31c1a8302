"""The partnership pack: one folder for a safeguarding partnership of several authorities.

``partnership_report(["Leicestershire", "Rutland"], out=DIR)`` writes, as the single-authority
pack does (:mod:`cscbench.report`):

- ``index.html``: the members side by side on every indicator (each with its own comparator
  average), the partnership pooled, England; per indicator the sentences of
  :func:`~cscbench.analyses.narrative.partnership_narrative`, a chart of the members and the
  partnership with intervals, and each member's comparator chart; each member's group and
  flags; sources and licence;
- ``figures/`` (PNG and SVG), ``tables.xlsx`` and CSV (``partnership``, ``side_by_side``,
  ``narrative``, one ``group_<authority>`` per member), ``data.parquet``.

Example:
    >>> import tempfile
    >>> folder = partnership_report(["Leicestershire", "Rutland"], year=2018,
    ...                             out=tempfile.mkdtemp(), workers=1)
    >>> (folder / "side_by_side.csv").exists()
    True
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import polars as pl

from cscbench import __version__
from cscbench.analyses.narrative import partnership_narrative
from cscbench.analyses.partnership import partnership, side_by_side
from cscbench.analyses.wording import number, year_label
from cscbench.datasets import group, load_areas, load_indicators, members_in_year
from cscbench.datasets.registry import INDICATORS
from cscbench.datasets.snapshot import LICENCE
from cscbench.datasets.store import Source
from cscbench.figures.drawing import Drawers
from cscbench.report import (
    CHARTED,
    STYLE,
    _e,
    _flags_html,
    _group_html,
    _slug,
    _sources_html,
    _write_tables,
    draw,
    pack_folder,
    write_page,
)


def _charts(
    table: pl.DataFrame, year: int, group_key: str, include_self: bool, source: Source
) -> Iterator[tuple[str, str, object]]:
    from cscbench.figures import comparator_chart, partnership_chart

    members = table.filter(pl.col("role") == "member")
    present = set(table["indicator"])
    for ind in (i for i in CHARTED if i in present):
        yield f"{ind}-partnership", ind, partnership_chart(table, ind)
        for row in members.filter(pl.col("indicator") == ind).iter_rows(named=True):
            chart = comparator_chart(
                row["la_code"],
                ind,
                year=year,
                group=group_key,
                include_self=include_self,
                source=source,
                row=row,
            )
            yield f"{ind}-comparators-{_slug(row['area_name'])}", ind, chart


def _side_by_side_html(frame: pl.DataFrame) -> str:
    head = "".join(f"<th>{_e(c)}</th>" for c in ["Indicator", *frame.columns[1:]])
    rows = []
    for row in frame.iter_rows(named=True):
        ind = row["indicator"]
        cells = "".join(
            f"<td class='n'>{_e(number(v, ind) if v is not None else 'no figure')}</td>"
            for k, v in row.items()
            if k != "indicator"
        )
        rows.append(f"<tr><th scope='row'>{_e(INDICATORS[ind].title)}</th>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def partnership_report(
    las: str | Sequence[str],
    year: int | str | None = None,
    group_key: str = "sn2025",
    include_self: bool = False,
    out: str | Path | None = None,
    source: Source = None,
    base_year: int | str | None = None,
    workers: int | None = None,
    png: bool = True,
) -> Path:
    """Write the pack of a partnership of authorities ``las`` to ``out``
    (default ``cscbench-<name>``), each member against its own ``group_key`` group; charts as
    SVG and (``png``) PNG."""
    with Drawers(workers) as drawers:  # started now: warm by the time the charts are built
        table = partnership(
            las,
            year=year,
            group=group_key,
            include_self=include_self,
            base_year=base_year,
            source=source,
        )
        year = int(table["year"][0])
        name = table["partnership"][0]
        members = table.filter(pl.col("role") == "member")
        codes = members["la_code"].unique(maintain_order=True).to_list()
        folder = pack_folder(out, name)
        figures = folder / "figures"
        sentences = partnership_narrative(table)
        charts = _charts(table, year, group_key, include_self, source)
        svgs = draw(charts, figures, drawers, png)

    areas = load_areas(source)
    groups = {code: group(code, group_key, source=source) for code in codes}
    names = dict(members.select("la_code", "area_name").unique().rows())
    group_tables = {
        f"group_{_slug(names[code])}": members_in_year(g, year, areas, include_self=include_self)
        for code, g in groups.items()
    }
    wide = side_by_side(table)
    _write_tables(
        folder,
        {"partnership": table, "side_by_side": wide, "narrative": sentences, **group_tables},
        source,
    )
    used_codes = sorted({c for code, g in groups.items() for c in (code, *g.members)})
    load_indicators(source=source).filter(
        pl.col("la_code").is_in(used_codes) | pl.col("la_code").is_null()
    ).write_parquet(folder / "data.parquet")

    sections = []
    for ind in table["indicator"].unique(maintain_order=True):
        said = sentences.filter(pl.col("indicator") == ind)["sentence"].to_list()
        charts = "".join(
            f"<figure aria-label='{_e(stem)}'>{svg}</figure>" for stem, svg in svgs.get(ind, [])
        )
        sections.append(
            f"<section id='{_e(ind)}'><h3>{_e(INDICATORS[ind].title)}</h3>"
            f"<p>{' '.join(_e(s) for s in said)}</p>{charts}</section>"
        )
    per_member = "".join(
        f"<h3>{_e(names[code])}: {_e(g.label)}</h3>"
        f"{_group_html(group_tables[f'group_{_slug(names[code])}'])}"
        f"<h4>Flags</h4>{_flags_html(members.filter(pl.col('la_code') == code))}"
        for code, g in groups.items()
    )
    member_names = " and ".join(names[c] for c in codes)
    including = "including" if include_self else "excluding"
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{_e(name)}: children's social care benchmark, {_e(year_label(year))}</title>
<style>{STYLE}</style></head>
<body>
<header><h1>{_e(name)}: children's social care benchmark</h1>
<p class="lead">{_e(year_label(year))} (year ending 31 March {year}). {_e(member_names)}, each
compared with its own comparator group ({including} itself) and England, and the partnership
taken as one area.</p>
<nav><a href="#glance">At a glance</a><a href="#indicators">Indicators</a>
<a href="#groups">Comparator groups and flags</a><a href="#sources">Sources</a></nav></header>
<main>
<h2 id="glance">At a glance</h2>{_side_by_side_html(wide)}
<p class="note">Each authority's comparator average is the mean of its own group's published
values. The partnership's figures pool the members' numerators and denominators; where any
member's figure was withheld there is no pooled figure.</p>
<h2 id="indicators">Indicators</h2>{"".join(sections)}
<h2 id="groups">Comparator groups and flags</h2>{per_member}
<h2 id="sources">Data sources and licence</h2>{_sources_html(source)}
<p class="note">{_e(LICENCE)}</p>
<p class="note">Made with cscbench {_e(__version__)}. Intervals: Wilson (percentages), exact
Poisson or Byar's (rates), as OHID's PHEindicatormethods; pooled figures the same way from the
summed counts. A figure on fewer than 10 children or events, or with a coefficient of variation
above 20% (ONS's mark of an unreliable estimate), is said to rest on few children wherever it is
ranked or flagged. Ranks and bands: DfE LAIT.</p>
</main></body></html>
"""
    write_page(folder, page)
    return folder
