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

from cscbench.errors import CscbenchError

app = typer.Typer(
    help="Benchmark English local authorities' children's social care statistics.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
data_app = typer.Typer(help="What data cscbench holds, and building it.", no_args_is_help=True)
app.add_typer(data_app, name="data")

Format = Annotated[str, typer.Option("--format", "-f", help="table, csv or json.")]
DataDir = Annotated[
    Path | None,
    typer.Option(
        "--data",
        help="Another snapshot folder, or a folder of raw DfE files.",
        envvar="CSCBENCH_DATA",
    ),
]


def _emit(frame, fmt: str, decimals: int | None = None) -> None:
    from cscbench.output import render

    sys.stdout.write(render(frame, fmt, decimals))


@data_app.command("info")
def data_info(fmt: Format = "table", data: DataDir = None) -> None:
    """What the data holds: sources with checksums, years, authorities, indicators."""
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
    raw: Annotated[Path, typer.Option("--from", help="Folder of raw DfE and ONS files.")],
    out: Annotated[Path, typer.Option("--out", help="Where to write the snapshot.")] = Path(
        "cscbench-snapshot"
    ),
) -> None:
    """Build a snapshot from raw DfE files; use it with --data OUT (or CSCBENCH_DATA=OUT)."""
    from cscbench.datasets import build_snapshot

    manifest = build_snapshot(raw, out)
    for table in manifest["tables"]:
        sys.stdout.write(f"{table['file']:<20} {table['rows']:>7} rows\n")
    sys.stdout.write(f"snapshot written to {out}\n")


@app.command("indicators")
def indicators(fmt: Format = "table") -> None:
    """The indicator registry: ids, units, polarity, sources and DfE definitions."""
    from cscbench.datasets import registry_frame

    frame = registry_frame()
    if fmt == "table":
        frame = frame.select(
            "id", "unit", "polarity", "source", "numerator", "denominator", "title"
        )
    _emit(frame, fmt)


@app.command("areas")
def areas(fmt: Format = "table", data: DataDir = None) -> None:
    """Local authorities with codes, region, years of data, lineage and neighbours."""
    from cscbench.datasets import areas_table

    _emit(areas_table(data), fmt)


def main() -> None:
    """Entry point: run the app, turning errors into one line and a non-zero exit."""
    try:
        app()
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


if __name__ == "__main__":  # pragma: no cover
    main()
