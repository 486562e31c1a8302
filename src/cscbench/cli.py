"""The ``cscbench`` command: a thin layer over library functions a notebook can call too.

Every command prints a table (default), CSV or JSON, reads the shipped snapshot unless
``--data DIR`` names another snapshot or a folder of raw DfE files, and turns any error into
one line on standard error with exit status 2.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from cscbench.errors import CscbenchError, UsageError

app = typer.Typer(
    help="Benchmark English local authorities' children's social care statistics.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
data_app = typer.Typer(help="What data cscbench holds, and building it.", no_args_is_help=True)
app.add_typer(data_app, name="data")
local_app = typer.Typer(
    help="Figures from the authority's own census return (local, provisional).",
    no_args_is_help=True,
)
app.add_typer(local_app, name="local")

Format = Annotated[
    str | None,
    typer.Option(
        "--format", "-f", help="table, csv, json or xlsx (default: --out's ending, else table)."
    ),
]
DataDir = Annotated[
    Path | None,
    typer.Option(
        "--data",
        help="Another snapshot folder, or a folder of raw DfE files.",
        envvar="CSCBENCH_DATA",
    ),
]


def _year(text: str) -> int:
    """A year option as written: 2017, 2016-17, 2016/17 or 201617 (see ``year_ending``)."""
    from cscbench.analyses.wording import year_ending

    try:
        return year_ending(text)
    except UsageError as exc:
        raise typer.BadParameter(str(exc)) from None


def _year_option(*names: str, help: str) -> typer.models.OptionInfo:
    return typer.Option(*names, help=help, parser=_year, metavar="YEAR")


Out = Annotated[Path | None, typer.Option("--out", "-o", help="Write to this file instead.")]
Year = Annotated[
    int | None,
    _year_option("--year", help="Year ending 31 March, as 2017 or 2016-17 (default: latest)."),
]
GroupOpt = Annotated[str, typer.Option("--group", help="sn2025, sn2021, region, england or all.")]
IncludeSelfOpt = Annotated[
    bool,
    typer.Option("--include-self", help="Count the authority in its comparator statistics."),
]
IndicatorsOpt = Annotated[
    str | None,
    typer.Option("--indicators", help="Indicator ids, comma-separated (default: all)."),
]
BaseYearOpt = Annotated[
    int | None,
    _year_option("--base-year", help="Year for long-term change (default: first year of data)."),
]
LocalOpt = Annotated[
    Path | None,
    typer.Option(
        "--local", help="The authority's own census return (XML): a local, provisional year."
    ),
]
PreviousOpt = Annotated[
    list[Path] | None,
    typer.Option("--previous", help="An earlier census return, for look-back (repeatable)."),
]
ComparatorsOpt = Annotated[
    str | None,
    typer.Option("--comparators", help='A custom group: "Nottingham,Leicester,...".'),
]
ComparatorsFileOpt = Annotated[
    Path | None,
    typer.Option(
        "--comparators-file", help="A custom group from TOML: name = ..., members = [...]."
    ),
]
TargetsOpt = Annotated[
    Path | None,
    typer.Option("--targets", help="A targets file (TOML): adds target and target_status."),
]


def _format(fmt: str | None, out: Path | None, **kinds) -> str:
    """The output format: ``--format``, else ``--out``'s ending (see ``output.format_for``)."""
    from cscbench.output import format_for

    return format_for(fmt, out, **kinds)


def _emit(frame, fmt: str, out: Path | None = None, decimals: int | None = None) -> None:
    from cscbench.output import render, write

    if out is not None:
        write(frame, fmt, out)
        sys.stderr.write(f"written to {out}\n")
    else:
        sys.stdout.write(render(frame, fmt, decimals))


@data_app.command("info")
def data_info(fmt: Format = None, data: DataDir = None) -> None:
    """What the data holds: sources with checksums, years, authorities, indicators."""
    fmt = _format(fmt, None)
    from cscbench.datasets import data_info as build_info

    summary, sources = build_info(data)
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
) -> None:
    """Build a data set: from the cache into the active data set, or --from DIR --out DIR."""
    from cscbench.analyses import derived_tables
    from cscbench.datasets import build_snapshot
    from cscbench.datasets.cache import build_active, cache_dir

    if raw is None:
        manifest = build_active(dest, derive=derived_tables)
        where = cache_dir(dest) / "active"
        note = "now the active data set (cscbench data info)"
    else:
        where = out or Path("cscbench-snapshot")
        manifest = build_snapshot(raw, where, derive=derived_tables)
        note = "use it with --data DIR or CSCBENCH_DATA=DIR"
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
        float, typer.Option("--timeout", help="Seconds to wait for an answer.")
    ] = 30.0,
    retries: Annotated[int, typer.Option("--retries", help="Tries after the first.")] = 3,
) -> None:
    """Fetch DfE's latest files from the Explore Education Statistics API into the cache."""
    from rich.progress import DownloadColumn, Progress, TextColumn, TransferSpeedColumn

    from cscbench.datasets.fetch import BASE_URL, fetch

    chosen = None if publication == "all" else [publication]
    with Progress(
        TextColumn("{task.description}"), DownloadColumn(), TransferSpeedColumn(), transient=True
    ) as bar:
        tasks: dict[str, object] = {}

        def step(title: str, size: int, total: int | None) -> None:
            if title not in tasks:
                tasks[title] = bar.add_task(title[:40], total=total)
            bar.update(tasks[title], advance=size)

        done = fetch(chosen, dest, base_url or BASE_URL, timeout, retries, progress=step)
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
) -> None:
    """Add hand-downloaded DfE CSV files to the cache (recognised by their columns)."""
    from cscbench.datasets.cache import import_files

    for key, target in import_files(list(files), dest):
        sys.stdout.write(f"{key:<11} {target}\n")
    sys.stdout.write("then: cscbench data build\n")


@app.command("indicators")
def indicators(fmt: Format = None) -> None:
    """The indicator registry: ids, units, polarity, sources and DfE definitions."""
    fmt = _format(fmt, None)
    from cscbench.datasets import registry_frame

    frame = registry_frame()
    if fmt == "table":
        frame = frame.select(
            "id", "unit", "polarity", "source", "numerator", "denominator", "title"
        )
    _emit(frame, fmt)


@app.command("benchmark")
def benchmark(
    la: Annotated[str, typer.Argument(help="Authority: name or code, e.g. Derby or 831.")],
    year: Year = None,
    group: GroupOpt = "sn2025",
    comparators: ComparatorsOpt = None,
    comparators_file: ComparatorsFileOpt = None,
    include_self: IncludeSelfOpt = False,
    indicators: IndicatorsOpt = None,
    base_year: BaseYearOpt = None,
    targets: TargetsOpt = None,
    local: LocalOpt = None,
    previous: PreviousOpt = None,
    fmt: Format = None,
    out: Out = None,
    data: DataDir = None,
) -> None:
    """An authority against its comparator group, region and England, one row per indicator."""
    fmt = _format(fmt, out)
    import polars as pl

    from cscbench.analyses import benchmark as run
    from cscbench.datasets import read_group_file
    from cscbench.errors import UsageError
    from cscbench.output import summary_view

    name, members = None, comparators  # names separated by commas, read by the library
    if comparators_file is not None:
        name, members = read_group_file(comparators_file)
    table = run(
        la,
        year=year,
        group=group,
        comparators=members,
        include_self=include_self,
        indicators=indicators,
        base_year=base_year,
        source=data,
        group_name=name,
        targets=targets,
    )
    if local is not None:
        from cscbench.analyses.local import local_benchmark, read_returns
        from cscbench.output import local_view

        census, earlier = read_returns(local, previous or [])
        rows = local_benchmark(la, census, earlier, group, include_self, source=data)
        if fmt == "table":
            _emit(local_view(table, rows), fmt, out)
            return
        table = pl.concat(
            [table.with_columns(pl.lit("DfE").alias("figures")), rows], how="diagonal_relaxed"
        )
    elif previous:
        raise UsageError("--previous needs --local")
    _emit(summary_view(table) if fmt == "table" else table, fmt, out)


@local_app.command("compute")
def local_compute(
    census_file: Annotated[Path, typer.Argument(help="The census return (XML).", metavar="RETURN")],
    previous: PreviousOpt = None,
    population: Annotated[
        float | None,
        typer.Option("--population", help="Children aged 0-17 (default: ONS, from the data)."),
    ] = None,
    window: Annotated[
        str, typer.Option("--window", help="Re-referral window: '12 months' or '365 days'.")
    ] = "12 months",
    fmt: Format = None,
    out: Out = None,
    data: DataDir = None,
) -> None:
    """The year's indicators from the return, as DfE defines them (local, provisional)."""
    fmt = _format(fmt, out)
    from cscbench.analyses.local import local_indicators, read_returns

    census, earlier = read_returns(census_file, previous or [])
    table = local_indicators(census, earlier, population, window, source=data)
    if census.problems.height:
        sys.stderr.write(
            f"{census.problems.height} validation problems in {census_file.name}; "
            "the records are left out of the figures that need them (see --format json "
            "of 'cscbench local problems')\n"
        )
    _emit(table, fmt, out)


@local_app.command("problems")
def local_problems(
    census_file: Annotated[Path, typer.Argument(help="The census return (XML).", metavar="RETURN")],
    fmt: Format = None,
    out: Out = None,
) -> None:
    """Every child, episode or plan in the return that failed validation, and why."""
    fmt = _format(fmt, out)
    from cscbench.datasets.census import read_return

    _emit(read_return(census_file).problems, fmt, out)


@app.command("targets")
def targets(
    la: Annotated[str, typer.Argument(help="Authority: name or code, e.g. Derby or 831.")],
    targets_file: Annotated[
        Path, typer.Option("--targets", help="The targets file (TOML): see cscbench docs.")
    ],
    local: Annotated[
        Path | None,
        typer.Option(
            "--local",
            help="The authority's own figures (CSV: indicator, period, numerator, "
            "denominator or value), e.g. by quarter.",
        ),
    ] = None,
    year: Year = None,
    group: GroupOpt = "sn2025",
    include_self: IncludeSelfOpt = False,
    fmt: Format = None,
    out: Out = None,
    data: DataDir = None,
) -> None:
    """Each target's figures by period with status (on target, off target recoverable or
    causing concern), direction of travel and the latest published comparators."""
    fmt = _format(fmt, out)
    from cscbench.analyses.performance import targets as run
    from cscbench.output import targets_view

    table = run(
        la,
        targets_file,
        local=local,
        year=year,
        group=group,
        include_self=include_self,
        source=data,
    )
    _emit(targets_view(table) if fmt == "table" else table, fmt, out)


@app.command("table")
def table(
    out: Annotated[Path, typer.Option("--out", "-o", help="The file: .parquet or .csv.")],
    group: GroupOpt = "sn2025",
    include_self: IncludeSelfOpt = False,
    indicators: IndicatorsOpt = None,
    base_year: BaseYearOpt = None,
    data: DataDir = None,
) -> None:
    """Every authority x indicator x year to one file, written an indicator at a time."""
    from cscbench.analyses import benchmark_table_parts
    from cscbench.output import write_parts

    parts = benchmark_table_parts(
        group=group,
        include_self=include_self,
        indicators=indicators,
        base_year=base_year,
        source=data,
    )
    rows = write_parts(parts, out)
    sys.stderr.write(f"{rows:,} rows written to {out}\n")


@app.command("rank")
def rank(
    indicator: Annotated[str, typer.Argument(help="Indicator id, e.g. rereferral_pct.")],
    year: Year = None,
    la: Annotated[
        str | None, typer.Option("--la", help="Rank only this authority's group.")
    ] = None,
    group: GroupOpt = "all",
    fmt: Format = None,
    out: Out = None,
    data: DataDir = None,
) -> None:
    """Every authority (or one authority's group) ranked on an indicator, with band and flags."""
    fmt = _format(fmt, out)
    from cscbench.analyses import rank as run
    from cscbench.output import display_values, fixed

    table = run(indicator, year=year, la=la, group=group, source=data)
    if fmt == "table":
        table = display_values(table, ["value"], indicator).drop("ci95_low", "ci95_high")
        table = table.with_columns(fixed("percentile", 1), fixed("robust_score", 2))
    _emit(table, fmt, out)


@app.command("trend")
def trend(
    la: Annotated[str, typer.Argument(help="Authority: name or code.")],
    indicator: Annotated[str, typer.Argument(help="Indicator id.")],
    year_from: Annotated[int | None, _year_option("--from", help="First year.")] = None,
    year_to: Annotated[int | None, _year_option("--to", help="Last year.")] = None,
    group: GroupOpt = "sn2025",
    include_self: IncludeSelfOpt = False,
    fmt: Format = None,
    out: Out = None,
    data: DataDir = None,
) -> None:
    """An authority's series with its comparator mean, region and England, year by year."""
    fmt = _format(fmt, out)
    from cscbench.analyses import trend as run
    from cscbench.output import display_values, fixed, year_labels

    table = run(
        la, indicator, year_from, year_to, group=group, include_self=include_self, source=data
    )
    if fmt == "table":
        columns = ["value", "comparator_mean", "region", "england", "change_1y"]
        table = display_values(table, columns, indicator).drop("ci95_low", "ci95_high")
        table = table.with_columns(year_labels(), fixed("change_1y_pct", 1))
    _emit(table, fmt, out)


@app.command("outliers")
def outliers(
    year: Year = None,
    indicators: IndicatorsOpt = None,
    group: GroupOpt = "sn2025",
    fmt: Format = None,
    out: Out = None,
    data: DataDir = None,
) -> None:
    """Every authority and indicator carrying a flag, with why."""
    fmt = _format(fmt, out)
    from cscbench.analyses import outliers as run
    from cscbench.output import display_values, fixed, year_labels

    table = run(year=year, indicators=indicators, group=group, source=data)
    if fmt == "table":
        table = display_values(table, ["value", "england", "comparator_mean"]).drop("why")
        table = table.with_columns(year_labels(), fixed("robust_score", 2))
    _emit(table, fmt, out)


@app.command("chart")
def chart(
    kind: Annotated[
        str, typer.Argument(help="trend, comparators, funnel, overview, spc, factors.")
    ],
    la: Annotated[str, typer.Argument(help="Authority: name or code.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="File: .html, .svg, .png or .pdf.")],
    indicator: Annotated[str | None, typer.Option("--indicator", help="Indicator id.")] = None,
    year: Year = None,
    group: GroupOpt = "sn2025",
    include_self: IncludeSelfOpt = False,
    scale: Annotated[float, typer.Option("--scale", help="PNG scale (2 for print).")] = 2.0,
    data: DataDir = None,
) -> None:
    """Draw one chart to a file (rendered offline)."""
    from cscbench.errors import UsageError
    from cscbench.figures import CHARTS, save
    from cscbench.figures import charts as c
    from cscbench.figures.drawing import pin_fonts

    pin_fonts()  # this process is ours: draw with vl-convert's own Liberation Sans
    if kind not in CHARTS:
        raise UsageError(f"unknown chart {kind!r}; choose one of: {', '.join(CHARTS)}")
    needs_indicator = kind in ("trend", "comparators", "funnel", "spc")
    if needs_indicator and indicator is None:
        raise UsageError(f"a {kind} chart needs --indicator (see cscbench indicators)")
    if indicator is not None:
        from cscbench.datasets import get_indicator

        get_indicator(indicator)
    if kind == "trend":
        made = c.trend_chart(la, indicator, group, include_self, year_to=year, source=data)
    elif kind == "comparators":
        made = c.comparator_chart(la, indicator, year, group, include_self, source=data)
    elif kind == "funnel":
        made = c.funnel_chart(la, indicator, year, group, source=data)
    elif kind == "overview":
        made = c.overview_chart(la, year, group, include_self, source=data)
    elif kind == "spc":
        made = c.spc_chart(la, indicator, source=data)
    else:
        made = c.factors_chart(la, year, group, source=data)
    save(made, out, scale=scale)
    sys.stderr.write(f"written to {out}\n")


@app.command("narrative")
def narrative(
    la: Annotated[str, typer.Argument(help="Authority: name or code.")],
    year: Year = None,
    group: GroupOpt = "sn2025",
    include_self: IncludeSelfOpt = False,
    indicators: IndicatorsOpt = None,
    base_year: BaseYearOpt = None,
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format", "-f", help="text, markdown or json (default: --out's ending, else text)."
        ),
    ] = None,
    out: Out = None,
    data: DataDir = None,
) -> None:
    """Sentences for an annual report's data section, from the benchmark."""
    import json

    fmt = _format(
        fmt, out, default="text", by_suffix={".json": "json", ".md": "markdown", ".txt": "text"}
    )
    from cscbench.analyses import benchmark as run
    from cscbench.analyses.narrative import as_text
    from cscbench.analyses.narrative import narrative as write_sentences
    from cscbench.errors import UsageError

    table = run(
        la,
        year=year,
        group=group,
        include_self=include_self,
        indicators=indicators,
        base_year=base_year,
        source=data,
    )
    sentences = write_sentences(table)
    if fmt in ("text", "markdown"):
        text = as_text(sentences, markdown=fmt == "markdown")
    elif fmt == "json":
        records = [{**r, "fields": json.loads(r["fields"])} for r in sentences.to_dicts()]
        text = json.dumps(records, indent=2) + "\n"
    else:
        raise UsageError(f"unknown format {fmt!r}; choose one of: text, markdown, json")
    if out is not None:
        out.write_text(text, encoding="utf-8")
        sys.stderr.write(f"written to {out}\n")
    else:
        sys.stdout.write(text)


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
    one_authority = [name for name, given in (("--local", local), ("--targets", targets)) if given]
    if every and la is not None:
        raise UsageError(f"--all makes every authority's pack: name no authority ({la}) with it")
    if every and (one_authority or members is not None):
        given = ", ".join(one_authority or ["--comparators"])
        raise UsageError(f"--all makes every authority's pack: it cannot take {given}")
    if every:
        from rich.progress import Progress

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
        from cscbench.partnership_pack import partnership_report

        if members is not None or one_authority:
            raise UsageError(
                "a partnership pack uses each member's own group; --comparators, --targets "
                "and --local are for one authority's pack"
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
    )
    sys.stderr.write(f"pack written to {folder}\n")


@app.command("areas")
def areas(fmt: Format = None, data: DataDir = None) -> None:
    """Local authorities with codes, region, years of data, lineage and neighbours."""
    fmt = _format(fmt, None)
    from cscbench.datasets import areas_table

    _emit(areas_table(data), fmt)


def usage_line(exc: typer.TyperException) -> str:
    """A command-line mistake (unknown option, bad value, missing argument) as one line naming
    the command and where to read its help.

    Example:
        >>> from typer.testing import CliRunner
        >>> run = CliRunner().invoke(app, ["rank"], prog_name="cscbench", standalone_mode=False)
        >>> usage_line(run.exception)
        "cscbench rank: missing argument 'indicator' (see 'cscbench rank --help')"
    """
    message = exc.format_message().rstrip(".")
    message = message[:1].lower() + message[1:]
    ctx = getattr(exc, "ctx", None)
    if ctx is None:
        return f"cscbench: {message}"
    return f"{ctx.command_path}: {message} (see '{ctx.command_path} --help')"


def main() -> None:
    """Entry point: run the app, turning errors into one line and a non-zero exit."""
    try:
        status = app(prog_name="cscbench", standalone_mode=False)
    except typer.TyperException as exc:  # the command line itself is wrong
        if type(exc).__name__ == "NoArgsIsHelpError":  # no arguments: the help is the answer
            typer.echo(exc.format_message(), err=True)
        else:
            typer.echo(usage_line(exc), err=True)
        sys.exit(2)
    except CscbenchError as exc:
        typer.echo(f"cscbench: {exc}", err=True)
        sys.exit(2)
    except Exception as exc:  # a bug, not bad input: still one line unless asked for more
        if os.environ.get("CSCBENCH_DEBUG"):
            raise
        typer.echo(
            f"cscbench: internal error: {type(exc).__name__}: {exc} "
            "(set CSCBENCH_DEBUG=1 for the traceback)",
            err=True,
        )
        sys.exit(3)
    if isinstance(status, int) and status:  # typer.Exit(code), or 130 for Ctrl-C
        sys.exit(status)


if __name__ == "__main__":  # pragma: no cover
    main()
