"""Commands about the data: data info, build, fetch and import; indicators; areas."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from cscbench.cli.common import (
    DataDir,
    Format,
    Out,
    _emit,
    _format,
    app,
    data_app,
)

AllowShrink = Annotated[
    bool,
    typer.Option(
        "--allow-shrink",
        help="Accept a file with no rows, or far fewer rows, years or authorities than the "
        "one it replaces.",
    ),
]


def _say(warnings: list[str]) -> None:
    """The data checks' warnings, one line each on standard error, once the command has
    succeeded (a refusal is one line alone)."""
    for text in warnings:
        sys.stderr.write(f"cscbench: warning: {text}\n")


@data_app.command("info")
def data_info(fmt: Format = None, out: Out = None, data: DataDir = None) -> None:
    """What the data holds: sources with checksums, years, authorities, indicators."""
    fmt = _format(fmt, out)
    from cscbench.datasets import data_info as build_info

    summary, sources = build_info(data)
    if out is not None:  # the sources table, as every --out writes a table
        _emit(sources, fmt, out)
        return
    if fmt == "json":
        import json

        sys.stdout.write(json.dumps({**summary, "sources": sources.to_dicts()}, indent=2) + "\n")
        return
    if fmt == "table":
        width = max(map(len, summary))
        for key, value in summary.items():
            sys.stdout.write(f"{key.ljust(width)}  {value}\n")
        sys.stdout.write("\n")
    _emit(sources, fmt)


@data_app.command("build")
def data_build(
    raw: Annotated[
        Path | None,
        typer.Option(
            "--from",
            help="A folder of raw DfE files (default: the files imported into the cache).",
        ),
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="With --from: where to write the snapshot.")
    ] = None,
    dest: Annotated[
        Path | None,
        typer.Option(
            "--dest", help="The cache folder (default: $CSCBENCH_CACHE or the user cache)."
        ),
    ] = None,
    allow_shrink: AllowShrink = False,
) -> None:
    """Build a data set: from the cache into the active data set, or --from DIR --out DIR."""
    from cscbench.analyses import derived_tables
    from cscbench.datasets.cache import active_dir, build_active, build_folder

    warnings: list[str] = []
    if raw is None:
        manifest = build_active(dest, derived_tables, allow_shrink, warn=warnings.append)
        where = active_dir(dest)
        note = "now the active data set (cscbench data info)"
    else:
        where = out or Path("cscbench-snapshot")
        manifest = build_folder(raw, where, derived_tables, allow_shrink, warn=warnings.append)
        note = "use it with --data DIR or CSCBENCH_DATA=DIR"
    _say(warnings)
    for table in manifest["tables"]:
        sys.stdout.write(f"{table['file']:<20} {table['rows']:>7} rows\n")
    sys.stdout.write(f"written to {where}: {note}\n")


@data_app.command("fetch")
def data_fetch(
    publication: Annotated[
        str, typer.Option("--publication", help="children-in-need, children-looked-after or all.")
    ] = "all",
    dest: Annotated[Path | None, typer.Option("--dest", help="The cache folder.")] = None,
    base_url: Annotated[
        str | None, typer.Option("--base-url", help="The EES API (default: DfE's public API).")
    ] = None,
    timeout: Annotated[
        float,
        typer.Option(
            "--timeout",
            help="Seconds each request may take in all: the answer and the whole body.",
            min=0.1,
            max=86_400,
        ),
    ] = 120.0,
    retries: Annotated[
        int, typer.Option("--retries", help="Tries after the first.", min=0, max=10)
    ] = 3,
    allow_shrink: AllowShrink = False,
) -> None:
    """Fetch DfE's latest files from the Explore Education Statistics API into the cache."""
    from rich.progress import DownloadColumn, Progress, TextColumn, TransferSpeedColumn

    from cscbench.datasets.fetch import BASE_URL, fetch

    chosen = None if publication == "all" else [publication]
    warnings: list[str] = []
    with Progress(
        TextColumn("{task.description}"), DownloadColumn(), TransferSpeedColumn(), transient=True
    ) as bar:
        tasks: dict[str, object] = {}

        def step(title: str, size: int, total: int | None) -> None:
            if title not in tasks:
                tasks[title] = bar.add_task(title[:40], total=total)
            bar.update(tasks[title], advance=size)

        done = fetch(
            chosen,
            dest,
            base_url or BASE_URL,
            timeout,
            retries,
            progress=step,
            allow_shrink=allow_shrink,
            warn=warnings.append,
        )
    _say(warnings)
    for record in done:
        sys.stdout.write(
            f"{record['key']:<5} {record['title']} (version {record['version']}, "
            f"sha256 {record['sha256'][:12]})\n"
        )
    sys.stdout.write("then: cscbench data build\n")


@data_app.command("import")
def data_import(
    files: Annotated[list[Path], typer.Argument(help="CSV files downloaded from EES by hand.")],
    dest: Annotated[Path | None, typer.Option("--dest", help="The cache folder.")] = None,
    allow_shrink: AllowShrink = False,
) -> None:
    """Add hand-downloaded DfE CSV files to the cache (recognised by their columns)."""
    from cscbench.datasets.cache import import_files

    warnings: list[str] = []
    done = import_files(list(files), dest, allow_shrink, warn=warnings.append)
    _say(warnings)
    for key, target in done:
        sys.stdout.write(f"{key:<11} {target}\n")
    sys.stdout.write("then: cscbench data build\n")


@app.command("indicators")
def indicators(
    theme: Annotated[
        str | None, typer.Option("--theme", help="Only this theme's indicators.")
    ] = None,
    fmt: Format = None,
    out: Out = None,
) -> None:
    """The indicator registry by theme: ids, units, polarity, sources and DfE definitions."""
    fmt = _format(fmt, out)
    from cscbench.datasets import registry_frame

    frame = registry_frame(theme)
    if fmt == "table":
        frame = frame.select("theme", "id", "unit", "polarity", "source", "title")
    _emit(frame, fmt, out)


@app.command("areas")
def areas(fmt: Format = None, out: Out = None, data: DataDir = None) -> None:
    """Local authorities with codes, region, years of data, lineage and neighbours."""
    fmt = _format(fmt, out)
    from cscbench.datasets import areas_table

    _emit(areas_table(data), fmt, out)
