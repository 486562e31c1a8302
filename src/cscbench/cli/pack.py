"""The report command: one authority's pack, a partnership's, or every authority's."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from cscbench.cli.common import (
    ComparatorsFileOpt,
    ComparatorsOpt,
    DataDir,
    ExcludeDoubtfulOpt,
    GroupOpt,
    IncludeSelfOpt,
    LocalOpt,
    MeasuresOpt,
    PreviousOpt,
    TargetsOpt,
    ThemesOpt,
    Year,
    app,
)


@app.command("report")
def report(
    la: Annotated[
        str | None,
        typer.Argument(
            help='Authority: name or code; a partnership as "Leicestershire,Rutland" '
            "(or use --all)."
        ),
    ] = None,
    year: Year = None,
    group: GroupOpt = "sn2025",
    include_self: IncludeSelfOpt = False,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Folder to write.")] = None,
    every: Annotated[bool, typer.Option("--all", help="A pack for every authority.")] = False,
    comparators: ComparatorsOpt = None,
    comparators_file: ComparatorsFileOpt = None,
    workers: Annotated[
        int | None, typer.Option("--workers", help="Processes (default: cores).")
    ] = None,
    local: LocalOpt = None,
    previous: PreviousOpt = None,
    targets: TargetsOpt = None,
    measures: MeasuresOpt = None,
    quarterly: Annotated[
        Path | None,
        typer.Option("--quarterly", help="With --targets: the authority's own figures (CSV)."),
    ] = None,
    png: Annotated[
        bool,
        typer.Option(
            "--png/--no-png",
            help="Also write each chart as PNG (for documents); --no-png: SVG only, 40% faster.",
        ),
    ] = True,
    overwrite: Annotated[
        bool,
        typer.Option(
            "--overwrite",
            help="Write into a folder holding other files, replacing the pack's namesakes.",
        ),
    ] = False,
    exclude_doubtful: ExcludeDoubtfulOpt = False,
    themes: ThemesOpt = None,
    data: DataDir = None,
) -> None:
    """Write the benchmark pack: index.html, figures (SVG and PNG), tables.xlsx, CSV, data.

    Made again into the same folder, only the charts that changed are drawn again.
    """
    from cscbench.datasets import read_group_file
    from cscbench.errors import UsageError
    from cscbench.report import report as one
    from cscbench.report import report_all

    name, members = None, comparators  # names separated by commas, read by the library
    if comparators_file is not None:
        name, members = read_group_file(comparators_file)
    if quarterly is not None and targets is None:
        raise UsageError("--quarterly needs --targets")
    if previous and local is None:
        raise UsageError("--previous needs --local")
    one_authority = [
        name
        for name, given in (("--local", local), ("--targets", targets), ("--measures", measures))
        if given
    ]
    if every and la is not None:
        raise UsageError(f"--all makes every authority's pack: name no authority ({la}) with it")
    if every and (one_authority or members is not None):
        given = ", ".join(one_authority or ["--comparators"])
        raise UsageError(f"--all makes every authority's pack: it cannot take {given}")
    if every:
        from rich.progress import Progress

        if overwrite:
            raise UsageError("--all writes a folder per authority; it does not take --overwrite")
        target = out or Path("cscbench-packs")
        progress = Progress(transient=False)
        task = progress.add_task("Writing packs", total=None)

        def expected(n: int) -> None:  # shown once there are packs to write
            progress.update(task, total=n)
            progress.start()

        def step(name: str) -> None:
            progress.update(task, advance=1, description=f"Written {name}")

        try:
            done = report_all(
                target,
                year=year,
                group_key=group,
                include_self=include_self,
                source=data,
                workers=workers,
                progress=step,
                expected=expected,
                png=png,
                exclude_doubtful=exclude_doubtful,
            )
        finally:
            if progress.live.is_started:
                progress.stop()
        sys.stderr.write(f"{len(done)} packs written to {target}\n")
        return
    if la is None:
        raise UsageError("name an authority, or give --all")
    from cscbench.datasets import split_names

    named = split_names(la, data)
    if len(named) > 1:
        from cscbench.report import partnership_report

        if members is not None or one_authority or exclude_doubtful or themes:
            raise UsageError(
                "a partnership pack uses each member's own group; --comparators, --targets, "
                "--local, --measures, --exclude-doubtful and --themes are for one authority's "
                "pack"
            )
        folder = partnership_report(
            named,
            year=year,
            group_key=group,
            include_self=include_self,
            out=out,
            source=data,
            workers=workers,
            png=png,
            overwrite=overwrite,
        )
        sys.stderr.write(f"partnership pack written to {folder}\n")
        return
    folder = one(
        named[0],
        year=year,
        group_key=group,
        include_self=include_self,
        out=out,
        source=data,
        workers=workers,
        comparators=members,
        group_name=name,
        targets=targets,
        quarterly=quarterly,
        local=local,
        previous=previous,
        png=png,
        overwrite=overwrite,
        exclude_doubtful=exclude_doubtful,
        themes=themes,
        measures=measures,
    )
    sys.stderr.write(f"pack written to {folder}\n")
