"""Writing one authority's pack, and every authority's in parallel.

``report(la, out=DIR)`` builds the pack's content (:func:`~cscbench.report.content.pack_content`),
draws its charts and writes, into a folder made beside ``DIR`` and moved into place when
complete (:class:`~cscbench.report.folders.PackFolder`):

- ``index.html``: one self-contained page that works offline (charts as inline SVG, no
  scripts), by theme: the overview chart, a section per indicator (narrative, trend and
  comparator charts, a table of the numbers), a note for each DfE file with no figures that
  year, the flags in words, the comparator group, the data sources with checksums and the
  Open Government Licence attribution;
- ``figures/``: SVG and (unless ``png=False``) PNG of every chart;
- ``report.docx``: the Word document (:mod:`~cscbench.report.word`): the same content by
  theme in Word's own styles, the charts as PNG with alt text (or, with ``png=False``, named
  by their SVG files), each theme's figures as a Word table;
- ``tables.xlsx`` and CSV files of every table;
- ``data.parquet``: exactly the indicator rows the pack used.

Example:
    >>> import tempfile
    >>> folder = report("Rutland", out=Path(tempfile.mkdtemp()) / "rutland", png=False)
    >>> sorted(p.name for p in folder.iterdir())[:3]
    ['.cscbench-pack', 'benchmark.csv', 'data.parquet']
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

import polars as pl

from cscbench.analyses.wording import year_label
from cscbench.datasets import find_area, load_areas, load_indicators
from cscbench.datasets.store import Source, holding
from cscbench.datasets.targets import TargetPlan
from cscbench.errors import UsageError
from cscbench.figures.drawing import Drawers, worker_count
from cscbench.report.content import CHARTED, PackContent, pack_content
from cscbench.report.drawn import draw
from cscbench.report.folders import PackFolder, check_target, folder_names, slug
from cscbench.report.html import pack_page
from cscbench.report.word import write_document
from cscbench.report.workbook import write_tables


def used_rows(content: PackContent) -> pl.DataFrame:
    """The indicator rows a pack used: its authorities' and England's and the regions' every
    year, and every authority's in its year for the charted indicators (the funnels and
    spines draw them)."""
    codes = [content.focus["la_code"], *content.group.members]
    return load_indicators(source=content.source).filter(
        pl.col("la_code").is_in(codes)
        | pl.col("la_code").is_null()
        | ((pl.col("year") == content.year) & pl.col("indicator").is_in(list(CHARTED)))
    )


def write_pack(content: PackContent, folder: Path, drawers: Drawers, png: bool = True) -> None:
    """Draw ``content``'s charts into ``folder/figures`` and write its page, Word document and
    tables."""
    specs: dict[str, dict] = {}
    svgs = draw(content.charts(), folder / "figures", drawers, png, specs)
    used_rows(content).write_parquet(folder / "data.parquet")
    write_tables(folder, content.tables(), content.source, content)
    (folder / "index.html").write_text(pack_page(content, svgs, specs), encoding="utf-8")
    write_document(content, folder / "report.docx", folder / "figures" if png else None, specs)


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
    overwrite: bool = False,
    exclude_doubtful: bool = False,
    themes: str | list[str] | None = None,
    measures: str | Path | None = None,
) -> Path:
    """Write the benchmark pack of one authority to ``out`` (default ``cscbench-<name>``).

    ``out`` must be a new folder, an empty one or a pack written before (``overwrite``: a
    folder holding other files, whose namesakes of the pack's files are replaced). The pack
    is written beside it and moved in when complete: a failure leaves ``out`` as it was.
    ``workers`` processes draw the charts (default: one per core; 1 draws them in turn).
    Each chart is written as SVG (the page embeds it) and, with ``png``, as PNG at twice its
    size for documents: the PNGs are about 40% of a pack's time and most of its size.
    With ``targets`` (a targets file or plan) the benchmark table gains ``target`` and
    ``target_status`` and the pack a section on targets, from the authority's own figures in
    ``quarterly`` (a CSV, see :mod:`cscbench.datasets.targets`) or else DfE's. With ``local``
    (the authority's census return, and ``previous`` earlier ones) the pack gains a section
    on the local, provisional year against the latest published comparators.
    ``exclude_doubtful`` leaves doubtful zeros out of every group statistic. With
    ``measures`` (a local measures file, :mod:`cscbench.datasets.local_measures`) each theme
    gains the authority's own measures that join it, with SPC (Making Data Count), and the key
    messages those whose latest point is special cause; targets apply to them too.
    """
    focus = find_area(la, source)
    target = Path(out) if out is not None else Path(f"cscbench-{slug(focus['area_name'])}")
    check_target(target, overwrite)  # before any work: a refused folder costs nothing
    # drawers started now, warm by the time the charts are built; the tables read once
    with Drawers(workers) as drawers, holding():
        content = pack_content(
            focus["la_code"],
            year=year,
            group_key=group_key,
            include_self=include_self,
            source=source,
            base_year=base_year,
            comparators=comparators,
            group_name=group_name,
            targets=targets,
            quarterly=quarterly,
            local=local,
            previous=previous,
            exclude_doubtful=exclude_doubtful,
            themes=themes,
            measures=measures,
        )
        info = {"authority": focus["area_name"], "la_code": focus["la_code"]}
        with PackFolder(target, overwrite, info | {"year": content.year}) as building:
            write_pack(content, building, drawers, png)
    return target


def _pool(workers: int) -> ProcessPoolExecutor:
    """Pack processes started fresh ("spawn": forking a process whose polars threads may hold
    locks can deadlock the children), each set up by :func:`_pack_process`."""
    import multiprocessing

    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_pack_process,
    )


def _pack_process() -> None:
    """A process of :func:`report_all`: vl-convert's fonts pinned, and every snapshot table
    read once and held for all its packs (:func:`~cscbench.datasets.store.hold_tables`)."""
    from cscbench.datasets.store import hold_tables
    from cscbench.figures.drawing import pin_fonts

    pin_fonts()
    hold_tables()


def _one(args: tuple) -> str:
    """One pack of :func:`report_all`, in a pack process. What outlives the pack (the tables
    held, the look-ups and Altair's schema kept) is then set aside from Python's collector
    (``gc.freeze``, after a collection: only what is still in use): otherwise each of the
    next packs' collections walks all of it again, 37 ms a pack where it is now 13 ms."""
    import gc

    la, year, group_key, include_self, out, source, png, exclude_doubtful = args
    report(
        la,
        year=year,
        group_key=group_key,
        include_self=include_self,
        out=out,
        source=source,
        workers=1,
        png=png,
        exclude_doubtful=exclude_doubtful,
    )
    gc.collect()
    gc.freeze()
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
    exclude_doubtful: bool = False,
) -> list[Path]:
    """A pack for every authority with figures in ``year``, in parallel on the machine's cores.

    Each pack is a folder of ``out`` named after its authority (:func:`folder_names`: the
    two Dorsets are ``dorset-835`` and ``dorset-838``). Every folder is checked before any
    pack is written (:func:`check_target`). ``expected`` is told how many packs there will
    be; ``progress`` is called with each authority's name as its pack is finished.
    ``authorities`` limits the packs to those named. ``png=False`` writes each chart as SVG
    only (see :func:`report`).
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
    named = areas.select("la_code", "area_name").rows()
    folders = {code: out / name for code, name in folder_names(named).items()}
    jobs = [
        (code, year, group_key, include_self, folders[code], source, png, exclude_doubtful)
        for code, _ in named
    ]
    if not jobs:
        raise UsageError(f"no authority has figures in {year_label(year)}")
    for folder in folders.values():
        check_target(folder)
    names = dict(named)
    if expected is not None:
        expected(len(jobs))
    done = []
    with _pool(worker_count(workers)) as pool:
        futures = [pool.submit(_one, job) for job in jobs]
        for future in as_completed(futures):
            code = future.result()
            done.append(folders[code])
            if progress is not None:
                progress(names[code])
    return sorted(done)
