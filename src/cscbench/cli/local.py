"""Commands on the authority's own figures: its census return (local compute, local problems)
and its monthly and quarterly measures (local template, local check, local spc)."""

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
    TargetsOpt,
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


# --- The authority's own monthly and quarterly measures -----------------------------------------

MeasuresFile = Annotated[
    Path, typer.Argument(help="The local measures file (.csv or .xlsx).", metavar="FILE")
]


@local_app.command("template")
def local_template(
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write to this new file (.csv, .xlsx).")
    ] = None,
) -> None:
    """A starter local measures file: the measures the published reports use, defined."""
    from cscbench.datasets.local_template import template_frame, write_template

    if out is None:
        sys.stdout.write(template_frame().write_csv())
        return
    sys.stderr.write(f"written to {write_template(out)}\n")


@local_app.command("check")
def local_check(measures: MeasuresFile, fmt: Format = None, out: Out = None) -> None:
    """Every bad row of a local measures file (file, row, column, why); exit 2 if any."""
    fmt = _format(fmt, out)
    from cscbench.analyses.local_spc import as_measures
    from cscbench.datasets.local_measures import check_measures

    problems = check_measures(measures)
    if problems.height:
        _emit(problems, fmt, out)
        as_measures(measures)  # raises the first problem as the one-line error
    local = as_measures(measures)
    sys.stderr.write(
        f"{measures.name}: no problems; {local.measures.height} measures, "
        f"{local.points.height} points\n"
    )


def _is_folder(out: Path | None) -> bool:
    """A folder: one that exists, or a path with no file ending."""
    return out is not None and (out.is_dir() or not out.suffix)


@local_app.command("spc")
def local_spc(
    measures: MeasuresFile,
    measure: Annotated[
        str | None, typer.Option("--measure", "-m", help="One measure's points (its id).")
    ] = None,
    la: Annotated[
        str | None,
        typer.Option("--la", help="The authority: DfE's figures beside matching measures."),
    ] = None,
    group: Annotated[str, typer.Option("--group", help="Comparators for --la.")] = "sn2025",
    targets: TargetsOpt = None,
    fix_after: Annotated[
        int | None,
        typer.Option("--fix-after", help="Limits from each segment's first N points only."),
    ] = None,
    fmt: Format = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help="A table (.csv, .json, .xlsx), a chart (.svg, .png, .pdf, .html; needs "
            "--measure unless there is one measure) or a folder (a path with no ending: every "
            "chart as SVG, summary.csv and points.csv).",
        ),
    ] = None,
    data: DataDir = None,
) -> None:
    """SPC of the authority's own measures (Making Data Count): one row per measure with its
    icons and sentences, or --measure M's points; charts with --out."""
    from cscbench.analyses.local_spc import as_measures, spc_points
    from cscbench.analyses.local_words import local_summary, national_figures
    from cscbench.errors import UsageError
    from cscbench.figures.drawing import pin_fonts

    local = as_measures(measures)
    points = spc_points(local, measure, targets, fix_after)
    chosen = (
        local.measures
        if measure is None
        else local.measures.filter(local.measures["measure"] == measure)
    )
    national = national_figures(chosen, la, group, source=data)
    summary = local_summary(points, national, chosen)
    from cscbench.figures.local_spc import authority_name

    name = authority_name(la, national, data)
    pin_fonts()
    if _is_folder(out):
        from cscbench.figures.local_spc import write_local_charts
        from cscbench.output import write

        written = write_local_charts(points, summary, out, name)
        write(summary.with_columns(summary["sentences"].list.join(" ")), "csv", out / "summary.csv")
        write(points, "csv", out / "points.csv")
        sys.stderr.write(f"written to {out}: {len(written)} charts, summary.csv, points.csv\n")
        return
    if out is not None and out.suffix.lower() in (".svg", ".png", ".pdf", ".html"):
        from cscbench.figures import save
        from cscbench.figures.local_spc import local_spc_chart

        ids = summary.filter(summary["points"] > 0)["measure"].to_list()
        if len(ids) != 1:
            raise UsageError(
                f"{measures.name} has {len(ids)} measures with figures: choose one with "
                f"--measure ({', '.join(ids[:8])}{', ...' if len(ids) > 8 else ''})"
            )
        row = summary.filter(summary["measure"] == ids[0]).row(0, named=True)
        save(local_spc_chart(points, ids[0], row, name), out)
        sys.stderr.write(f"written to {out}\n")
        return
    fmt = _format(fmt, out)
    if measure is not None:
        _emit(points.drop("row", "index"), fmt, out)
        return
    table = summary.select(
        "measure",
        "theme",
        "points",
        "period",
        "value",
        "limits",
        "variation_symbol",
        "variation_words",
        *[c for c in ("assurance_symbol", "target_status") if c in summary.columns],
    )
    if out is not None or fmt != "table":
        _emit(summary.with_columns(summary["sentences"].list.join(" ")), fmt, out)
        return
    _emit(table, fmt)
    sys.stdout.write("\n" + "\n".join(s for ss in summary["sentences"] for s in ss) + "\n")
