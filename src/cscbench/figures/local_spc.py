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
    >>> spec = local_spc_chart(spc_points(example_measures()), "ri_72h_pct")
    >>> spec["title"]["text"]
    'Return interviews offered within 72 hours: below lower limit'
    >>> spec["title"]["subtitle"][1]
    'Variation: L- special cause variation, concerning: lower'
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

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
from cscbench.figures.labels import nice_domain
from cscbench.figures.local_labels import (
    CHANGE_DX,
    CHANGE_FONT,
    HEIGHT,
    NOTE_FONT,
    POINT_SIZE,
    REFERENCE_FONT,
    WIDTH,
    extent,
    place_local_labels,
)
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
from cscbench.figures.vl import SCHEMA, ChartSpec

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


def _values(frame: pl.DataFrame) -> dict:
    """A layer's data: the frame's rows, dates as ISO text (as Altair writes them)."""
    frame = frame.with_columns(pl.col(pl.Date).dt.strftime("%Y-%m-%dT00:00:00"))
    return {"values": frame.to_dicts()}


def _field(name: str, kind: str = "quantitative", **more) -> dict:
    return {"field": name, "type": kind, **more}


def _layer(data: dict, mark: dict, **encoding) -> dict:
    return {"data": data, "mark": mark, "encoding": encoding}


#: Vega expressions labelling a financial year or quarter by its first day.
FY = "(year(datum.value) - (month(datum.value) < 3 ? 1 : 0))"
AXIS_LABELS = {
    "year": f"toString({FY}) + '-' + slice(toString({FY} + 1), 2)",
    "quarter": f"toString({FY}) + '-' + slice(toString({FY} + 1), 2) + ' Q' + "
    "toString(floor(((month(datum.value) + 9) % 12) / 3) + 1)",
}


def _time_axis(starts: list, frequency: str) -> dict:
    """Months as 'Apr 2024'; years and quarters as reports write them ('2016-17', '2016-17
    Q1'), one tick a period (thinned to at most 8)."""
    if frequency == "month":
        return {"format": "%b %Y", "labelAngle": 0, "tickCount": 8}
    step = max(1, -(-len(starts) // 8))
    values = [{"year": d.year, "month": d.month, "date": 1} for d in starts[::step]]
    return {"values": values, "labelExpr": AXIS_LABELS[frequency], "labelAngle": 0}


def _headline(title: str, last: dict, frequency: str) -> str:
    name = _named(title)
    if last["limits"] == "none":
        return fitted([f"{name}: too few points for process limits", "Too few points for limits"])
    when = period_name(frequency, last["index"])
    message = HEADLINES.get(last["rule"], "common cause variation")
    return fitted(
        [f"{name}: {message}, {when}", f"{name}: {message}", f"{message.capitalize()}, {when}"]
    )


def _national_rules(summary: dict, frequency: str) -> list[tuple[str, float, str]]:
    """England's and the comparators' latest figures, per period for a count or rate of
    events (DfE's year divided by the periods in a year)."""
    national = summary.get("national")
    if not national or summary.get("england") is None:
        return []
    ind = INDICATORS[national]
    per = 1 if ind.unit == "percent" or ind.at_31_march else PER_YEAR[frequency]
    year = summary["published_year"]
    label = f"{year - 1}-{year % 100:02d}" + ("" if per == 1 else f", per {frequency}")
    rows = [("England", summary["england"] / per, ENGLAND)]
    if summary.get("comparator_mean") is not None:
        rows.append(("Comparators", summary["comparator_mean"] / per, COMPARATORS))
    return [(f"{who} {label}: {shown(v, summary['unit'])}", v, c) for who, v, c in rows]


def _subtitle(rows: list[dict], last: dict, notes: list[dict]) -> list[str]:
    title, frequency = last["title"], last["frequency"]
    lines = [f"{title}, by {frequency}"]
    if last["variation_symbol"]:
        icon = f"Variation: {last['variation_symbol']} {last['variation_words']}"
        kind = assurance(last["target"], last["target_direction"], last["lower"], last["upper"])
        if kind:
            icon += f"; assurance: {ASSURANCE[kind][0]} {ASSURANCE[kind][1].split(' (')[0]}"
        lines.append(icon)
    changes_at = [r["index"] for r in rows if r["change"] is not None]
    if last["limits"] == "none":
        lines.append(f"No process limits: fewer than 6 {PLURAL[frequency]} with figures")
    else:
        again = ""
        if len(changes_at) == 1:
            again = f", worked again from the change in {period_name(frequency, changes_at[0])}"
        elif changes_at:
            again = f", worked again at each of its {len(changes_at)} change points"
        provisional = (
            f" (provisional: Making Data Count advises {ADVISED} or more)"
            if last["limits"] == "provisional"
            else ""
        )
        lines.append(
            f"Mean and process limits from {last['limit_points']} {PLURAL[frequency]}"
            f"{again}{provisional}"
        )
    lines += [f"{r['note_mark']}. {r['period']}: {r['note']}" for r in notes]
    return lines


def _description(rows: list[dict], last: dict) -> str:
    title, unit, frequency = last["title"], last["unit"], last["frequency"]
    shown_rows = [r for r in rows if r["value"] is not None]
    missing = [r["period"] for r in rows if r["value"] is None]
    text = (
        f"Statistical process control chart of {title.lower()} by {frequency}, "
        f"{len(shown_rows)} points from {shown_rows[0]['period']} to {last['period']}"
    )
    if missing:
        text += f" ({len(missing)} without a figure: {', '.join(missing)})"
    words = last["variation_words"] or "too few points for process limits"
    text += f". Latest point {last['period']}: {shown(last['value'], unit)}, {words}."
    if last["limits"] != "none":
        since = period_name(frequency, next(r["index"] for r in rows
                                            if r["segment"] == last["segment"]))  # fmt: skip
        text += (
            f" Limits since {since}: {shown(last['lower'], unit)} to {shown(last['upper'], unit)}."
        )
    return text


def _iso(day) -> str:
    return f"{day.isoformat()}T00:00:00"


def _segments(rows: list[dict]) -> list[dict]:
    """Each segment with limits: its first and last period's start, mean and limits."""
    out: dict[int, dict] = {}
    for r in rows:
        if r["mean"] is None:
            continue
        seg = out.setdefault(r["segment"], {"segment": r["segment"], "start": _iso(r["start"]),
                                            "mean": r["mean"], "lower": r["lower"],
                                            "upper": r["upper"]})  # fmt: skip
        seg["end"] = _iso(r["start"])
    return list(out.values())


def local_spc_chart(
    points: pl.DataFrame, measure: str, summary: dict | None = None, source_name: str = ""
) -> ChartSpec:
    """One measure's XmR chart (see the module's description); ``summary`` is its row of
    :func:`~cscbench.analyses.local_words.local_summary` (for the national figures), and
    ``source_name`` the authority whose figures they are."""
    rows = points.filter(pl.col("measure") == measure).to_dicts()
    first = rows[0]
    unit, frequency, title = first["unit"], first["frequency"], first["title"]
    last = [r for r in rows if r["value"] is not None][-1]
    decimals = 0 if unit == "count" else 1
    marks = 0
    for r in rows:
        r["kind"] = KINDS.get(r["point_type"], KINDS[None])[0]
        marks += r["note"] is not None
        r["note_mark"] = str(marks) if r["note"] is not None else None
    starts = [r["start"] for r in rows]
    x = _field("start", "temporal", title=None, axis=_time_axis(starts, frequency))
    y = _field("value", title=title, scale={"zero": False}, axis={"tickCount": 6})
    keep = ("period", "value", "kind", "note", "note_mark")
    data = {"values": [{"start": _iso(r["start"]), **{k: r[k] for k in keep}}
                       for r in rows if r["value"] is not None]}  # fmt: skip
    present = {r["point_type"] for r in rows}
    kinds = [v for k, v in KINDS.items() if k in present]
    key = {"orient": "bottom", "title": None}
    domain = [k[0] for k in kinds]
    layers = [
        _layer(data, {"type": "line", "color": FOCUS, "strokeWidth": 2}, x=x, y=y),
        _layer(
            data,
            {"type": "point", "filled": True, "size": POINT_SIZE},
            x=x,
            y=y,
            shape=_field("kind", "nominal", legend=key,
                         scale={"domain": domain, "range": [k[1] for k in kinds]}),
            color=_field("kind", "nominal", legend=key,
                         scale={"domain": domain, "range": [k[2] for k in kinds]}),
            tooltip=[_field("period", "nominal"), _field("value", format=f",.{decimals}f"),
                     _field("kind", "nominal", title="point"), _field("note", "nominal")],
        ),
    ]  # fmt: skip
    segments = _segments(rows)
    if segments:
        limits = {"values": segments}
        ends = {"x": _field("start", "temporal"), "x2": {"field": "end"}}
        dashed = {"type": "rule", "color": "#6f777b", "strokeDash": [5, 4]}
        layers[:0] = [
            _layer(limits, dashed, **ends, y=_field("upper")),
            _layer(limits, dashed, **ends, y=_field("lower")),
            _layer(limits, {"type": "rule", "color": COMPARATORS, "strokeWidth": 1.5}, **ends,
                   y=_field("mean")),
        ]  # fmt: skip
    changes = [{"start": _iso(r["start"]), "change": r["change"]} for r in rows if r["change"]]
    notes = [r for r in rows if r["note_mark"] is not None and r["value"] is not None]
    references = []
    if first.get("target") is not None:
        target = f"Target: {first['target_direction']} {shown(first['target'], unit)}"
        references.append((target, first["target"], ENGLAND))
    national = _national_rules(summary or {}, frequency)
    references += national
    lines = [{"label": t, "value": v, "colour": c} for t, v, c in references]
    domain = nice_domain(*extent(data["values"], segments, lines))
    y["scale"] = {"zero": False, "domain": list(domain), "nice": False}
    placed = place_local_labels(data["values"], segments, lines, changes, notes, domain)
    if changes:
        at = {"values": changes}
        layers.append(
            _layer(
                at,
                {"type": "rule", "color": "#0b0c0c", "strokeDash": [2, 2]},
                x=_field("start", "temporal"),
            )
        )
        layers.append(_layer(at, {"type": "text", "align": "left", "dx": CHANGE_DX,
                                  "baseline": "middle", "fontSize": CHANGE_FONT,
                                  "color": "#0b0c0c"},
                             x=_field("start", "temporal"), y=_field("label_y"),
                             text=_field("change", "nominal")))  # fmt: skip
    if notes:
        marked = {"values": [{"start": _iso(r["start"]), "note_mark": r["note_mark"],
                              "label_y": r["label_y"]} for r in notes]}  # fmt: skip
        layers.append(_layer(marked, {"type": "text", "baseline": "middle",
                                      "fontSize": NOTE_FONT, "color": "#0b0c0c"},
                             x=x, y=_field("label_y"),
                             text=_field("note_mark", "nominal")))  # fmt: skip
    if lines:
        colour = _field("colour", "nominal", scale=None)
        layers.append(
            _layer(
                {"values": lines},
                {"type": "rule", "strokeDash": [6, 4], "strokeWidth": 1.5},
                y=_field("value"),
                color=colour,
            )
        )
        for side, align, at_x in ((0, "right", WIDTH), (1, "left", 0)):
            these = [line for line, (span, _) in zip(lines, placed, strict=True) if span == side]
            if these:
                layers.append(_layer({"values": these},
                                     {"type": "text", "align": align, "baseline": "middle",
                                      "fontSize": REFERENCE_FONT},
                                     y=_field("label_y"), x={"value": at_x},
                                     text=_field("label", "nominal"), color=colour))  # fmt: skip
    whose = f"{source_name}'s own figures" if source_name else "the authority's own figures"
    sources = f"{whose} (local, not published by DfE)"
    if national:
        sources += f"; DfE, Children in need {summary['published_year']}"
    subtitle = [*_subtitle(rows, last, notes), source_note(sources)]
    return ChartSpec(
        {
            "$schema": SCHEMA,
            "config": config(),
            "width": WIDTH,
            "height": HEIGHT,
            "title": {"text": _headline(title, last, frequency), "subtitle": subtitle},
            "description": _description(rows, last),
            "layer": layers,
        }
    )


def local_charts(points: pl.DataFrame, summary: pl.DataFrame, source_name: str = ""):
    """(file stem, chart) of every measure with a figure, in the summary's order."""
    by_measure = points.partition_by("measure", as_dict=True)
    for row in summary.filter(pl.col("points") > 0).iter_rows(named=True):
        rows = by_measure[(row["measure"],)]
        yield f"local-{row['measure']}", local_spc_chart(rows, row["measure"], row, source_name)


def authority_name(la: str | None, national: pl.DataFrame, source=None) -> str:
    """The authority as a chart's source note names it ('Derby'), or '' without one."""
    if la is None:
        return ""
    from cscbench.datasets import find_area
    from cscbench.datasets.areas import spoken_name

    name = national["authority"][0] if national.height else find_area(la, source)["area_name"]
    return spoken_name(name)


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
    local = as_measures(measures)
    points = spc_points(local, targets=targets, fix_after=fix_after)
    national = national_figures(local.measures, la, group, year, source)
    summary = local_summary(points, national, local.measures)
    said = authority_name(la, national, source)
    out = []
    for (theme,), part in summary.group_by("theme", maintain_order=True):
        ids = part["measure"].to_list()
        mine = points.filter(pl.col("measure").is_in(ids))
        charts = tuple(local_charts(mine, part, said))
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
    drawers=None,
) -> list[Path]:
    """Draw every measure's chart into ``folder`` as SVG (and PNG) in warm drawing processes
    (``drawers``, a :class:`cscbench.figures.drawing.Drawers` to share, or new ones); returns
    the SVG paths."""
    from contextlib import nullcontext

    from cscbench.figures.drawing import Drawers

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written, futures = [], []
    with nullcontext(drawers) if drawers is not None else Drawers() as drawing:
        for stem, chart in local_charts(points, summary, source_name):
            svg = folder / f"{stem}.svg"
            png_path = str(folder / f"{stem}.png") if png else None
            futures.append(drawing.submit(dict(chart), str(svg), png_path))
            written.append(svg)
        for future in futures:
            future.result()
    return written
