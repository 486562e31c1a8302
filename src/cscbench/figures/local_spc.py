"""Charts of the authority's own measures: XmR charts as Making Data Count draws them, and the
local measures of a report, theme by theme, as data.

Each chart (:func:`local_spc_chart`) draws one measure from the frame
:func:`cscbench.analyses.local_spc.spc_points` returns: the points joined by a line, each
marked by its type in shape *and* colour (circle: common cause; square: improving; triangle:
concerning; diamond: neither; the key says so in words), the mean and process limits of each
segment, broken at each change point, which is drawn as a line with its words; numbered notes
on the points that have one, the notes listed under the title; the target, and DfE's latest
England and comparator figures where the measure matches a national one (an annual count or
rate of events shown per month or quarter, and said so). The title says the latest point's
message; the subtitle gives the variation and assurance icons as symbol and words.

:func:`local_measures_parts` is the report's call: per theme, the summary table, the points,
the chart specs and the sentences (those where a rule marks the latest point also as key
messages).

Example:
    >>> from cscbench.analyses.local_spc import example_measures, spc_points
    >>> spec = local_spc_chart(spc_points(example_measures()), "ri_72h_pct").to_dict()
    >>> spec["title"]["text"]
    'Return interviews offered within 72 hours: below lower limit'
    >>> spec["title"]["subtitle"][1]
    'Variation: L- special cause variation, concerning: lower'
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import altair as alt
import polars as pl

from cscbench.analyses.local_spc import ADVISED, ASSURANCE, as_measures, assurance, spc_points
from cscbench.analyses.local_words import (
    PER_YEAR,
    PLURAL,
    _named,
    local_summary,
    national_figures,
    shown,
)
from cscbench.datasets.local_periods import period_name
from cscbench.datasets.registry import INDICATORS
from cscbench.figures.theme import (
    AUTHORITY,
    COMPARATORS,
    ENGLAND,
    EXTRA,
    FOCUS,
    config,
    fitted,
    source_note,
)

WIDTH = 560
KINDS = {  # point type -> (key words, shape, colour)
    "common_cause": ("Common cause", "circle", COMPARATORS),
    "special_cause_improvement": ("Special cause: improving", "square", FOCUS),
    "special_cause_concern": ("Special cause: concerning", "triangle-down", AUTHORITY),
    "special_cause_neutral_high": ("Special cause: higher", "diamond", EXTRA),
    "special_cause_neutral_low": ("Special cause: lower", "diamond", EXTRA),
    None: ("No limits (too few points)", "cross", COMPARATORS),
}
HEADLINES = {
    "spc_high": "above upper limit",
    "spc_low": "below lower limit",
    "spc_trend": "7-point trend",
    "spc_near_limit": "near a limit",
    "spc_run": "7 points one side of mean",
}


def _values(frame: pl.DataFrame) -> alt.Chart:
    """A chart of the frame's rows, dates as ISO text (as Altair writes them)."""
    frame = frame.with_columns(pl.col(pl.Date).dt.strftime("%Y-%m-%dT00:00:00"))
    return alt.Chart({"values": frame.to_dicts()})


def _headline(title: str, last: dict, frequency: str) -> str:
    name = _named(title)
    if last["limits"] == "none":
        return fitted([f"{name}: too few points for process limits", "Too few points for limits"])
    when = period_name(frequency, last["index"])
    message = HEADLINES.get(last["rule"], "common cause variation")
    return fitted(
        [f"{name}: {message}, {when}", f"{name}: {message}", f"{message.capitalize()}, {when}"]
    )


def _national_rules(summary: dict, frequency: str) -> pl.DataFrame:
    """England's and the comparators' latest figures, per period for a count or rate of
    events (DfE's year divided by the periods in a year)."""
    national = summary.get("national")
    if not national or summary.get("england") is None:
        return pl.DataFrame()
    ind = INDICATORS[national]
    per = 1 if ind.unit == "percent" or ind.at_31_march else PER_YEAR[frequency]
    year = summary["published_year"]
    label = f"{year - 1}-{year % 100:02d}" + ("" if per == 1 else f", per {frequency}")
    rows = [("England", summary["england"] / per, ENGLAND)]
    if summary.get("comparator_mean") is not None:
        rows.append(("Comparators", summary["comparator_mean"] / per, COMPARATORS))
    return pl.DataFrame(
        [(f"{who} {label}: {shown(v, summary['unit'])}", v, c) for who, v, c in rows],
        schema={"label": pl.String, "value": pl.Float64, "colour": pl.String},
        orient="row",
    )


def local_spc_chart(
    points: pl.DataFrame, measure: str, summary: dict | None = None, source_name: str = ""
) -> alt.LayerChart:
    """One measure's XmR chart (see the module's description); ``summary`` is its row of
    :func:`~cscbench.analyses.local_words.local_summary` (for the national figures), and
    ``source_name`` the authority whose figures they are."""
    rows = points.filter(pl.col("measure") == measure)
    first = rows.row(0, named=True)
    unit, frequency, title = first["unit"], first["frequency"], first["title"]
    shown_rows = rows.filter(pl.col("value").is_not_null())
    last = shown_rows.row(-1, named=True)
    decimals = 0 if unit == "count" else 1
    rows = rows.with_columns(
        pl.col("point_type")
        .replace_strict({k: v[0] for k, v in KINDS.items()}, default=KINDS[None][0])
        .alias("kind"),
        pl.when(pl.col("note").is_not_null())
        .then(pl.col("note").is_not_null().cum_sum().cast(pl.String))
        .alias("note_mark"),
    )
    x = alt.X(
        "start:T",
        title=None,
        axis=alt.Axis(format="%b %Y" if frequency != "year" else "%Y", labelAngle=0, tickCount=8),
    )
    y = alt.Y("value:Q", title=title, scale=alt.Scale(zero=False), axis=alt.Axis(tickCount=6))
    data = _values(rows.filter(pl.col("value").is_not_null()))
    line = data.mark_line(color=FOCUS, strokeWidth=2).encode(x=x, y=y)
    kinds = [KINDS[k] for k in KINDS if k in set(rows["point_type"].to_list())]
    points_layer = data.mark_point(filled=True, size=70).encode(
        x=x,
        y=y,
        shape=alt.Shape(
            "kind:N",
            scale=alt.Scale(domain=[k[0] for k in kinds], range=[k[1] for k in kinds]),
            legend=alt.Legend(title=None, orient="bottom"),
        ),
        color=alt.Color(
            "kind:N",
            scale=alt.Scale(domain=[k[0] for k in kinds], range=[k[2] for k in kinds]),
            legend=alt.Legend(title=None, orient="bottom"),
        ),
        tooltip=[
            alt.Tooltip("period:N"),
            alt.Tooltip("value:Q", format=f",.{decimals}f"),
            alt.Tooltip("kind:N", title="point"),
            alt.Tooltip("note:N"),
        ],
    )
    layers = [line, points_layer]
    segments = (
        rows.filter(pl.col("mean").is_not_null())
        .group_by("segment", maintain_order=True)
        .agg(
            pl.col("start").first(),
            pl.col("start").last().alias("end"),
            pl.col("mean").first(),
            pl.col("lower").first(),
            pl.col("upper").first(),
        )
    )
    if segments.height:
        limits = _values(segments)
        layers.insert(
            0,
            limits.mark_rule(color=COMPARATORS, strokeWidth=1.5).encode(
                x="start:T", x2="end:T", y="mean:Q"
            ),
        )
        for bound in ("lower", "upper"):
            layers.insert(
                0,
                limits.mark_rule(color="#6f777b", strokeDash=[5, 4]).encode(
                    x="start:T", x2="end:T", y=alt.Y(f"{bound}:Q")
                ),
            )
    changes = rows.filter(pl.col("change").is_not_null()).select("start", "change")
    if changes.height:
        marks = _values(changes)
        layers.append(marks.mark_rule(color="#0b0c0c", strokeDash=[2, 2]).encode(x="start:T"))
        layers.append(
            marks.mark_text(
                align="left", dx=4, dy=6, baseline="top", fontSize=11, color="#0b0c0c"
            ).encode(x="start:T", y=alt.YValue(0), text="change:N")
        )
    notes = rows.filter(pl.col("note_mark").is_not_null() & pl.col("value").is_not_null())
    if notes.height:
        layers.append(
            _values(notes)
            .mark_text(dy=-12, fontSize=10, color="#0b0c0c")
            .encode(x=x, y=y, text="note_mark:N")
        )
    references = []
    if first.get("target") is not None:
        references.append(
            (
                f"Target: {first['target_direction']} {shown(first['target'], unit)}",
                first["target"],
                ENGLAND,
            )
        )
    national = _national_rules(summary or {}, frequency)
    references += national.rows() if national.height else []
    if references:
        lines = _values(pl.DataFrame(references, schema=["label", "value", "colour"], orient="row"))
        layers.append(
            lines.mark_rule(strokeDash=[6, 4], strokeWidth=1.5).encode(
                y="value:Q", color=alt.Color("colour:N", scale=None)
            )
        )
        layers.append(
            lines.mark_text(align="right", dy=-6, fontSize=11).encode(
                y="value:Q",
                x=alt.XValue(WIDTH),
                text="label:N",
                color=alt.Color("colour:N", scale=None),
            )
        )
    chart = alt.LayerChart(layer=layers, width=WIDTH, height=260)
    symbol, words = last["variation_symbol"], last["variation_words"]
    subtitle = [f"{title}, by {frequency}"]
    if symbol:
        icon = f"Variation: {symbol} {words}"
        kind = assurance(last["target"], last["target_direction"], last["lower"], last["upper"])
        if kind:
            icon += f"; assurance: {ASSURANCE[kind][0]} {ASSURANCE[kind][1].split(' (')[0]}"
        subtitle.append(icon)
    changes_at = rows.filter(pl.col("change").is_not_null())["index"].to_list()
    span = f"since {period_name(frequency, last['index'] - last['segment_points'] + 1)}"
    if last["limits"] == "none":
        subtitle.append(f"No process limits: fewer than 6 {PLURAL[frequency]} with figures")
    else:
        subtitle.append(
            f"Mean and process limits from {last['limit_points']} {PLURAL[frequency]}"
            + (
                f", worked again from the change in {period_name(frequency, changes_at[0])}"
                if len(changes_at) == 1
                else f", worked again at each of its {len(changes_at)} change points"
                if changes_at
                else ""
            )
            + (
                f" (provisional: Making Data Count advises {ADVISED} or more)"
                if last["limits"] == "provisional"
                else ""
            )
        )
    for mark, period, note in notes.select("note_mark", "period", "note").iter_rows():
        subtitle.append(f"{mark}. {period}: {note}")
    whose = f"{source_name}'s own figures" if source_name else "the authority's own figures"
    sources = f"{whose} (local, not published by DfE)"
    if national.height:
        sources += f"; DfE, Children in need {summary['published_year']}"
    missing = rows.filter(pl.col("value").is_null())
    description = (
        f"Statistical process control chart of {title.lower()} by {frequency}, "
        f"{shown_rows.height} points from {shown_rows['period'][0]} to {last['period']}"
        + (
            f" ({missing.height} without a figure: {', '.join(missing['period'])})"
            if missing.height
            else ""
        )
        + f". Latest point {last['period']}: {shown(last['value'], unit)}, "
        + (words if words else "too few points for process limits")
        + "."
        + (
            f" Limits {span}: {shown(last['lower'], unit)} to {shown(last['upper'], unit)}."
            if last["limits"] != "none"
            else ""
        )
    )
    chart.title = alt.Title(
        _headline(title, last, frequency), subtitle=[*subtitle, source_note(sources)]
    )
    chart.description = description
    chart.config = alt.Config(**config())
    return chart


def local_charts(points: pl.DataFrame, summary: pl.DataFrame, source_name: str = ""):
    """(file stem, chart) of every measure with a figure, in the summary's order."""
    for row in summary.filter(pl.col("points") > 0).iter_rows(named=True):
        yield f"local-{row['measure']}", local_spc_chart(points, row["measure"], row, source_name)


@dataclass(frozen=True)
class LocalTheme:
    """One theme's local measures, for a report: the summary table (one row per measure),
    the points, the chart specs (file stem, Vega-Lite), the sentences and the key messages."""

    theme: str
    summary: pl.DataFrame
    points: pl.DataFrame
    charts: tuple[tuple[str, dict], ...]
    sentences: tuple[str, ...]
    key_messages: tuple[str, ...]


def local_measures_parts(
    measures,
    la: str | None = None,
    targets=None,
    group: str = "sn2025",
    year: int | str | None = None,
    fix_after: int | None = None,
    source=None,
) -> list[LocalTheme]:
    """The local measures of a report, theme by theme in the file's order: what a pack's
    "local measures" part of each theme shows.

    Example:
        >>> from cscbench.analyses.local_spc import example_measures
        >>> part = local_measures_parts(example_measures())[0]
        >>> part.theme, [stem for stem, _ in part.charts], len(part.key_messages)
        ('Missing and exploitation', ['local-ri_72h_pct'], 1)
    """
    from cscbench.figures.render import spec

    local = as_measures(measures)
    points = spc_points(local, targets=targets, fix_after=fix_after)
    national = national_figures(local.measures, la, group, year, source)
    summary = local_summary(points, national, local.measures)
    name = national["authority"][0] if national.height else ""
    if la is not None and not name:
        from cscbench.datasets.areas import find_area

        name = find_area(la, source=source)["area_name"]
    from cscbench.datasets.areas import spoken_name

    said = spoken_name(name) if name else ""
    out = []
    for (theme,), part in summary.group_by("theme", maintain_order=True):
        ids = part["measure"].to_list()
        mine = points.filter(pl.col("measure").is_in(ids))
        charts = tuple((stem, spec(chart)) for stem, chart in local_charts(mine, part, said))
        sentences = tuple(s for ss in part["sentences"].to_list() for s in ss)
        key = tuple(
            ss[0] for ss, k in zip(part["sentences"], part["key_message"], strict=True) if k
        )
        out.append(LocalTheme(theme, part, mine, charts, sentences, key))
    return out


def write_local_charts(
    points: pl.DataFrame,
    summary: pl.DataFrame,
    folder: str | Path,
    source_name: str = "",
    png: bool = False,
) -> list[Path]:
    """Draw every measure's chart into ``folder`` as SVG (and PNG) in warm drawing processes
    (:class:`cscbench.figures.drawing.Drawers`); returns the SVG paths."""
    from cscbench.figures.drawing import Drawers
    from cscbench.figures.render import spec

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    with Drawers() as drawers:
        futures = []
        for stem, chart in local_charts(points, summary, source_name):
            svg = folder / f"{stem}.svg"
            futures.append(
                drawers.submit(spec(chart), str(svg), str(folder / f"{stem}.png") if png else None)
            )
            written.append(svg)
        for future in futures:
            future.result()
    return written
