"""Commands that show the benchmark: benchmark, targets, table, rank, trend, outliers, chart
and narrative."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from cscbench.cli.common import (
    BaseYearOpt,
    ComparatorsFileOpt,
    ComparatorsOpt,
    DataDir,
    ExcludeDoubtfulOpt,
    Format,
    GroupOpt,
    IncludeSelfOpt,
    IndicatorsOpt,
    LocalOpt,
    Out,
    PreviousOpt,
    TargetsOpt,
    ThemesOpt,
    Year,
    _chosen,
    _emit,
    _format,
    _say,
    _year_option,
    app,
)


@app.command("benchmark")
def benchmark(
    la: Annotated[str, typer.Argument(help="Authority: name or code, e.g. Derby or 831.")],
    year: Year = None,
    group: GroupOpt = "sn2025",
    comparators: ComparatorsOpt = None,
    comparators_file: ComparatorsFileOpt = None,
    include_self: IncludeSelfOpt = False,
    indicators: IndicatorsOpt = None,
    themes: ThemesOpt = None,
    base_year: BaseYearOpt = None,
    targets: TargetsOpt = None,
    local: LocalOpt = None,
    previous: PreviousOpt = None,
    exclude_doubtful: ExcludeDoubtfulOpt = False,
    fmt: Format = None,
    out: Out = None,
    data: DataDir = None,
) -> None:
    """An authority against its comparator group, region and England, one row per indicator."""
    fmt = _format(fmt, out)
    import polars as pl

    from cscbench.analyses import benchmark as run
    from cscbench.analyses.coverage import not_held, reasons_together
    from cscbench.datasets import read_group_file
    from cscbench.errors import UsageError
    from cscbench.output import caption, summary_view

    name, members = None, comparators  # names separated by commas, read by the library
    if comparators_file is not None:
        name, members = read_group_file(comparators_file)
    indicators = _chosen(indicators, themes)
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
        exclude_doubtful=exclude_doubtful,
    )
    year_shown = int(table["year"][0])
    _say(reasons_together(not_held(year_shown, indicators, data), year_shown))
    if local is not None:
        from cscbench.analyses.local import local_benchmark, read_returns
        from cscbench.output import local_view

        census, earlier = read_returns(local, previous or [])
        rows = local_benchmark(
            la, census, earlier, group, include_self, source=data, indicators=indicators
        )
        if fmt == "table":
            _emit(local_view(table, rows), fmt, out, caption=caption(rows))
            return
        table = pl.concat(
            [table.with_columns(pl.lit("DfE").alias("figures")), rows], how="diagonal_relaxed"
        )
    elif previous:
        raise UsageError("--previous needs --local")
    shown = summary_view(table) if fmt == "table" else table
    _emit(shown, fmt, out, caption=caption(table))


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
    unrounded: Annotated[
        bool,
        typer.Option(
            "--unrounded",
            help="Rank and band the unrounded values, not DfE's published figures (LAIT's rule).",
        ),
    ] = False,
    fmt: Format = None,
    out: Out = None,
    data: DataDir = None,
) -> None:
    """Every authority (or one authority's group) ranked on an indicator, with band and flags.

    Ranks and bands are taken on DfE's published figures, as LAIT takes them (authorities with
    the same published figure share the better rank); the rank_rule column says which rule.
    """
    fmt = _format(fmt, out)
    from cscbench.analyses import rank as run
    from cscbench.output import display_values, fixed

    table = run(indicator, year=year, la=la, group=group, source=data, unrounded=unrounded)
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
    flag: Annotated[
        str | None,
        typer.Option("--flag", help="Only rows with this flag (or flags, comma-separated)."),
    ] = None,
    la: Annotated[
        str | None, typer.Option("--la", help="Only this authority (or authorities).")
    ] = None,
    fmt: Format = None,
    out: Out = None,
    data: DataDir = None,
) -> None:
    """Every authority and indicator carrying a flag, with why."""
    fmt = _format(fmt, out)
    from cscbench.analyses import outliers as run
    from cscbench.output import display_values, fixed, year_labels

    table = run(year=year, indicators=indicators, group=group, source=data, flags=flag, la=la)
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
    themes: ThemesOpt = None,
    base_year: BaseYearOpt = None,
    exclude_doubtful: ExcludeDoubtfulOpt = False,
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format", "-f", help="text, markdown or json (default: --out's ending, else text)."
        ),
    ] = None,
    key: Annotated[
        bool,
        typer.Option(
            "--key-messages",
            help="Only the key messages (at most six, chosen by rule), each with why.",
        ),
    ] = False,
    style: Annotated[
        str,
        typer.Option(
            "--style",
            help="full (every indicator's sentences) or brief (a paragraph per theme: each "
            "figure against its comparators and England, caveats once).",
        ),
    ] = "full",
    out: Out = None,
    data: DataDir = None,
) -> None:
    """Sentences for an annual report's data section, from the benchmark, with a sentence for
    each DfE file that has no figures that year and the notes on the data; or, with
    --key-messages, only the key messages."""
    import json

    fmt = _format(
        fmt,
        out,
        default="text",
        by_suffix={".json": "json", ".md": "markdown", ".txt": "text"},
        strict=True,
    )
    from cscbench.analyses import benchmark as run
    from cscbench.analyses.narrative import as_text
    from cscbench.analyses.notes import report_narrative
    from cscbench.datasets import group as group_of
    from cscbench.errors import UsageError

    if style not in ("full", "brief"):
        raise UsageError(f"unknown style {style!r}; choose one of: full, brief")
    if fmt not in ("text", "markdown", "json"):
        raise UsageError(f"unknown format {fmt!r}; choose one of: text, markdown, json")
    indicators = _chosen(indicators, themes)
    table = run(
        la,
        year=year,
        group=group,
        include_self=include_self,
        indicators=indicators,
        base_year=base_year,
        source=data,
        exclude_doubtful=exclude_doubtful,
    )
    if key:
        from cscbench.analyses.key_messages import as_text as key_text
        from cscbench.analyses.key_messages import key_messages

        messages = key_messages(table)
        if fmt == "json":
            text = json.dumps(messages.to_dicts(), indent=2) + "\n"
        else:
            text = key_text(messages)
    else:
        from cscbench.analyses.notes import brief_text

        chosen = group_of(table["la_code"][0], group, source=data)
        sentences = report_narrative(table, chosen, data, indicators)
        if fmt == "json":
            records = [{**r, "fields": json.loads(r["fields"])} for r in sentences.to_dicts()]
            text = json.dumps(records, indent=2) + "\n"
        elif style == "brief":
            text = brief_text(sentences, markdown=fmt == "markdown")
        else:
            text = as_text(sentences, markdown=fmt == "markdown")
    if out is not None:
        out.write_text(text, encoding="utf-8")
        sys.stderr.write(f"written to {out}\n")
    else:
        sys.stdout.write(text)


@app.command("inspections")
def inspections(
    la: Annotated[str, typer.Argument(help="Authority: name or code, e.g. Derby or 831.")],
    group: GroupOpt = "sn2025",
    comparators: ComparatorsOpt = None,
    fmt: Format = None,
    out: Out = None,
    data: DataDir = None,
) -> None:
    """The authority's and its comparators' latest Ofsted judgements (ILACS), with dates."""
    fmt = _format(fmt, out)
    from cscbench.analyses.inspections import inspection_summary
    from cscbench.analyses.inspections import inspections as run

    table = run(la, group=group, comparators=comparators, source=data)
    if fmt == "table":
        _say(inspection_summary(table))
        table = table.select(c for c in table.columns if not c.endswith("_rank"))
    _emit(table, fmt, out)
