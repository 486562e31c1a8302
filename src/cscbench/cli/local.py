"""Commands on the authority's own census return: local compute and local problems."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from cscbench.cli.common import (
    DataDir,
    Format,
    Out,
    PreviousOpt,
    _emit,
    _format,
    local_app,
)


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
