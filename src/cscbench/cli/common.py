"""What every command shares: the Typer apps, the options and writing a result."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from cscbench.errors import UsageError

app = typer.Typer(
    help="Benchmark English local authorities' children's social care statistics.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
data_app = typer.Typer(help="What data cscbench holds, and building it.", no_args_is_help=True)
app.add_typer(data_app, name="data")


def _version(value: bool) -> None:
    if value:
        from cscbench import __version__

        typer.echo(f"cscbench {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """Benchmark English local authorities' children's social care statistics."""


local_app = typer.Typer(
    help="The authority's own figures: its census return, and its monthly and quarterly "
    "measures (local, provisional).",
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
ThemesOpt = Annotated[
    str | None,
    typer.Option(
        "--themes",
        help="Only these themes, comma-separated: e.g. 'child protection,workforce' (see "
        "cscbench indicators).",
    ),
]


def _chosen(indicators: str | None, themes: str | None) -> list[str] | str | None:
    """The indicators asked for: ``--indicators``, those of ``--themes``, or (both given) the
    ones of the themes that are also in the list."""
    if themes is None:
        return indicators
    from cscbench.datasets.registry import indicator_ids, themes_ids

    of_themes = themes_ids(themes)
    if indicators is None:
        return of_themes
    both = [i for i in indicator_ids(indicators) if i in set(of_themes)]
    if not both:
        raise UsageError(f"none of the indicators {indicators!r} is in the themes {themes!r}")
    return both


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
ExcludeDoubtfulOpt = Annotated[
    bool,
    typer.Option(
        "--exclude-doubtful",
        help="Leave doubtful zeros (recorded 0 where England's rate gives 10 or more) out of "
        "every group statistic (default: counted, as in LAIT, and said).",
    ),
]
MeasuresOpt = Annotated[
    Path | None,
    typer.Option(
        "--measures",
        help="A local measures file (CSV or Excel; `cscbench local template`): the authority's "
        "own monthly and quarterly measures, with SPC, in each theme they join.",
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


def _emit(
    frame,
    fmt: str,
    out: Path | None = None,
    decimals: int | None = None,
    caption: str | None = None,
) -> None:
    """Write ``frame`` to ``out`` or standard output; a text table opens with ``caption``
    (what the table is of: its authority, year and group), which CSV and JSON carry as
    columns."""
    from cscbench.output import render, write

    if out is not None:
        write(frame, fmt, out)
        sys.stderr.write(f"written to {out}\n")
        return
    if caption and fmt == "table":
        sys.stdout.write(f"{caption}\n\n")
    sys.stdout.write(render(frame, fmt, decimals))


def _say(lines: list[str]) -> None:
    """Notes for the reader of a table, on standard error (the table stays clean to pipe)."""
    for line in lines:
        sys.stderr.write(f"note: {line}\n")
