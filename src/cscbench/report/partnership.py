"""The partnership pack: one folder for a safeguarding partnership of several authorities.

``partnership_report(["Leicestershire", "Rutland"], out=DIR)`` writes, as the single-authority
pack does (:mod:`cscbench.report.pack`, whole or not at all):

- ``index.html``: the members side by side on every indicator (each with its own comparator
  average), the partnership pooled, England; per indicator the sentences of
  :func:`~cscbench.analyses.narrative.partnership_narrative`, a chart of the members and the
  partnership with intervals, the same over the years up to the pack's
  (:func:`~cscbench.analyses.partnership.partnership_trend`), and each member's comparator
  chart; each member's group and
  flags; sources and licence;
- ``figures/`` (PNG and SVG), ``tables.xlsx`` and CSV (``partnership``,
  ``partnership_trend``, ``side_by_side``, ``narrative``, one ``group_<authority>`` per
  member), ``data.parquet``.

Example:
    >>> import tempfile
    >>> folder = partnership_report(["Leicestershire", "Rutland"], year=2018,
    ...                             out=Path(tempfile.mkdtemp()) / "lr", workers=1)
    >>> (folder / "side_by_side.csv").exists()
    True
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import polars as pl

from cscbench import __version__
from cscbench.analyses.narrative import partnership_narrative
from cscbench.analyses.partnership import partnership, partnership_trend, side_by_side
from cscbench.analyses.wording import number, year_label
from cscbench.datasets import group, load_areas, load_indicators, members_in_year
from cscbench.datasets.registry import INDICATORS
from cscbench.datasets.snapshot import LICENCE
from cscbench.datasets.store import Source
from cscbench.figures.drawing import Drawers
from cscbench.report.content import CHARTED, ChartPlan
from cscbench.report.drawn import draw
from cscbench.report.folders import PackFolder, check_target, folder_names, slug
from cscbench.report.html import flag_rows, render, sources
from cscbench.report.workbook import write_tables


def _charts(
    table: pl.DataFrame,
    trend: pl.DataFrame,
    year: int,
    group_key: str,
    include_self: bool,
    source: Source,
) -> Iterator[ChartPlan]:
    from cscbench.figures import comparator_spec, partnership_chart, partnership_trend_chart

    members = table.filter(pl.col("role") == "member")
    present = set(table["indicator"])
    stems = folder_names(members.select("la_code", "area_name").unique().rows())
    for ind in (i for i in CHARTED if i in present):
        yield ChartPlan(
            f"{ind}-partnership", ind, lambda ind=ind: partnership_chart(table, ind, source=source)
        )
        yield ChartPlan(
            f"{ind}-partnership-trend",
            ind,
            lambda ind=ind: partnership_trend_chart(trend, ind, source=source),
        )
        for row in members.filter(pl.col("indicator") == ind).iter_rows(named=True):
            yield ChartPlan(
                f"{ind}-comparators-{stems[row['la_code']]}",
                ind,
                lambda ind=ind, row=row: comparator_spec(
                    row["la_code"],
                    ind,
                    year=year,
                    group=group_key,
                    include_self=include_self,
                    source=source,
                    row=row,
                ),
            )


def _wide(frame: pl.DataFrame) -> dict:
    """The side-by-side table as the page shows it: each figure at its indicator's decimals."""
    rows = []
    for row in frame.iter_rows(named=True):
        ind = row["indicator"]
        cells = [
            number(v, ind) if v is not None else "no figure"
            for k, v in row.items()
            if k != "indicator"
        ]
        rows.append({"title": INDICATORS[ind].title, "cells": cells})
    return {"columns": ["Indicator", *frame.columns[1:]], "rows": rows}


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
    overwrite: bool = False,
) -> Path:
    """Write the pack of a partnership of authorities ``las`` to ``out``
    (default ``cscbench-<name>``), each member against its own ``group_key`` group; charts as
    SVG and (``png``) PNG. ``out`` follows the rules of :func:`cscbench.report.report`."""
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
    target = Path(out) if out is not None else Path(f"cscbench-{slug(name)}")
    check_target(target, overwrite)
    members = table.filter(pl.col("role") == "member")
    codes = members["la_code"].unique(maintain_order=True).to_list()
    names = dict(members.select("la_code", "area_name").unique().rows())
    stems = folder_names(list(names.items()))
    sentences = partnership_narrative(table)
    areas = load_areas(source)
    groups = {code: group(code, group_key, source=source) for code in codes}
    group_tables = {
        f"group_{stems[code]}": members_in_year(g, year, areas, include_self=include_self)
        for code, g in groups.items()
    }
    wide = side_by_side(table)
    charted = [i for i in CHARTED if i in set(table["indicator"])]
    trend = partnership_trend(codes, charted, source).filter(pl.col("year") <= year)
    used_codes = sorted({c for code, g in groups.items() for c in (code, *g.members)})
    with (
        Drawers(workers) as drawers,
        PackFolder(target, overwrite, {"partnership": name, "year": year}) as folder,
    ):
        svgs = draw(
            _charts(table, trend, year, group_key, include_self, source),
            folder / "figures",
            drawers,
            png,
        )
        write_tables(
            folder,
            {
                "partnership": table,
                "partnership_trend": trend,
                "side_by_side": wide,
                "narrative": sentences,
                **group_tables,
            },
            source,
        )
        load_indicators(source=source).filter(
            pl.col("la_code").is_in(used_codes) | pl.col("la_code").is_null()
        ).write_parquet(folder / "data.parquet")
        sections = [
            {
                "id": ind,
                "title": INDICATORS[ind].title,
                "sentences": sentences.filter(pl.col("indicator") == ind)["sentence"].to_list(),
                "charts": svgs.get(ind, []),
            }
            for ind in table["indicator"].unique(maintain_order=True)
        ]
        per_member = [
            {
                "name": names[code],
                "label": g.label,
                "members": group_tables[f"group_{stems[code]}"].to_dicts(),
                "flags": flag_rows(members.filter(pl.col("la_code") == code)),
            }
            for code, g in groups.items()
        ]
        page = render(
            "partnership.html.j2",
            name=name,
            year=year_label(year),
            year_end=year,
            member_names=" and ".join(names[c] for c in codes),
            including=include_self,
            wide=_wide(wide),
            sections=sections,
            per_member=per_member,
            sources=sources(source),
            licence=LICENCE,
            version=__version__,
        )
        (folder / "index.html").write_text(page, encoding="utf-8")
    return target
