"""Each chart's figures as a table: the page's "view as table" under every chart.

DfE's dashboards follow every chart with its figures as a table, for readers who cannot see
the chart and for anyone who wants the numbers. :func:`chart_table` reads them from the chart's
own Vega-Lite spec (the data it was drawn from), so the table says exactly what the chart
shows: a trend by year and series, a comparator bar chart by authority, a spine chart by
measure, the factors at assessment by factor, a target by period; any other chart by the
fields it encodes.

Example:
    >>> spec = {"title": {"text": "Referrals in Derby"}, "datasets": {"d": [
    ...     {"year": 2024, "series": "Derby", "value": 686.52, "segment": 0},
    ...     {"year": 2025, "series": "Derby", "value": 572.67, "segment": 0},
    ...     {"year": 2025, "series": "England", "value": 519.44, "segment": 0}]}}
    >>> t = chart_table(spec, "referral_rate")
    >>> t.header
    ('Year', 'Derby', 'England')
    >>> t.rows
    (('2023-24', '686.5', 'no figure'), ('2024-25', '572.7', '519.4'))
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from cscbench.analyses.wording import number, with_unit, year_label
from cscbench.datasets.registry import INDICATORS


@dataclass(frozen=True)
class ChartTable:
    """A chart's figures: a caption, the header row and the rows, every cell as shown
    (``focus``: the index of the row of the authority the pack is about, if any)."""

    caption: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    focus: int | None = None


def datasets(spec: dict) -> list[list[dict]]:
    """Every data set a Vega-Lite spec carries: its named ``datasets`` and any inline values.

    Example:
        >>> datasets({"datasets": {"a": [{"x": 1}]}, "layer": [{"data": {"values": [{"y": 2}]}}]})
        [[{'x': 1}], [{'y': 2}]]
    """
    found = [rows for rows in (spec.get("datasets") or {}).values() if isinstance(rows, list)]
    return found + [rows for part in _parts(spec) for rows in _inline(part)]


def _parts(spec: dict) -> Iterator[dict]:
    """The spec and every view nested in it (layers, concatenations), depth first."""
    yield spec
    for key in ("layer", "hconcat", "vconcat", "concat"):
        for part in spec.get(key) or []:
            if isinstance(part, dict):
                yield from _parts(part)


def _inline(part: dict) -> list[list[dict]]:
    values = (part.get("data") or {}).get("values")
    return [values] if isinstance(values, list) else []


def _with(spec: dict, *keys: str, without: tuple[str, ...] = ()) -> list[dict] | None:
    """The first data set whose rows all have ``keys`` (and none of ``without``)."""
    for rows in datasets(spec):
        if rows and all(set(keys) <= r.keys() and not set(without) & r.keys() for r in rows):
            return rows
    return None


def caption(spec: dict) -> str:
    """The chart's title and the first line of its subtitle, as one caption.

    Example:
        >>> caption({"title": {"text": "Derby: falling", "subtitle": ["Per 10,000", "Source"]}})
        'Derby: falling. Per 10,000'
    """
    title = spec.get("title") or {}
    if isinstance(title, str):
        return title
    text = title.get("text") or ""
    text = " ".join(text) if isinstance(text, list) else text
    subtitle = title.get("subtitle") or []
    subtitle = [subtitle] if isinstance(subtitle, str) else subtitle
    return f"{text}. {subtitle[0].rstrip(';')}" if subtitle else text  # a line broken at ';'


def _trend(spec: dict, long: list[dict], indicator: str, name: str | None) -> ChartTable:
    series = list(dict.fromkeys(r["series"] for r in long))
    if name and name not in series:  # none of its figures published: its column says so
        series.insert(0, name)
    at = {(r["year"], r["series"]): r["value"] for r in long}
    years = sorted({r["year"] for r in long})
    focus = _with(spec, "year", "ci95_low", "ci95_high", "area_name")
    interval = {}
    if focus and name in series:
        interval = {r["year"]: (r["ci95_low"], r["ci95_high"]) for r in focus}
    said = {}  # a point drawn apart from the lines: a local, provisional year
    for r in _with(spec, "year", "value", "low", "high", "label") or []:
        if name in series:
            at[(r["year"], name)] = r["value"]
            interval[r["year"]] = (r["low"], r["high"])
            said[r["year"]] = r["label"]
            years = sorted({*years, r["year"]})
    header = ["Year"]
    for s in series:
        header.append(s)
        if s == name and interval:
            header.append("95% interval")
    rows = []
    for year in years:
        cells = [year_label(year)]
        for s in series:
            cell = number(at.get((year, s)), indicator)
            cells.append(f"{cell} ({said[year]})" if s == name and year in said else cell)
            if s == name and interval:
                drawn = interval.get(year)  # none: the chart draws no interval that year
                cells.append(_interval(*drawn, indicator) if drawn else "not drawn")
        rows.append(tuple(cells))
    return ChartTable(caption(spec), tuple(header), tuple(rows))


def _interval(low: float | None, high: float | None, indicator: str) -> str:
    """'553.9 to 591.8', or 'not applicable' without one.

    Example:
        >>> _interval(553.94, 591.8, "referral_rate"), _interval(None, None, "referral_rate")
        ('553.9 to 591.8', 'not applicable')
    """
    if low is None or high is None:
        return "not applicable"
    return f"{number(low, indicator)} to {number(high, indicator)}"


def _comparators(spec: dict, bars: list[dict], indicator: str) -> ChartTable:
    rows = [(r["area_name"], number(r["value"], indicator)) for r in bars]
    focus = next((k for k, r in enumerate(bars) if r["is_focus"]), None)
    lines = _with(spec, "value", "name", without=("area_name",)) or []
    rows += [(r["name"], number(r["value"], indicator)) for r in lines]
    header = ("Authority", _heading(spec, "value"))
    return ChartTable(caption(spec), header, tuple(rows), focus)


def _heading(spec: dict, field: str, default: str = "Value") -> str:
    """The chart's own title for ``field`` (its axis title), or ``default``.

    Example:
        >>> _heading({"encoding": {"x": {"field": "value", "title": "Percentage"}}}, "value")
        'Percentage'
    """
    found = dict(_encoded(spec)).get(field)
    return found if found and found != _words(field) else default


def _order(spec: dict, field: str) -> list:
    """The order the chart sorts ``field`` in (an explicit sort list), or none.

    Example:
        >>> _order({"layer": [{"encoding": {"y": {"field": "t", "sort": ["b", "a"]}}}]}, "t")
        ['b', 'a']
    """
    for part in _parts(spec):
        for channel in (part.get("encoding") or {}).values():
            field_of = channel.get("field") if isinstance(channel, dict) else None
            if field_of == field and isinstance(channel.get("sort"), list):
                return channel["sort"]
    return []


def _spine(spec: dict, measures: list[dict]) -> ChartTable:
    name = measures[0]["area_name"]
    order = {title: k for k, title in enumerate(_order(spec, "title"))}
    measures = sorted(measures, key=lambda r: order.get(r["title"], len(order)))
    rows = tuple(
        (
            r["title"],
            with_unit(r["value"], r["indicator"]),
            with_unit(r["comparator_mean"], r["indicator"]),
            with_unit(r["england"], r["indicator"]),
            r.get("comparison") or "not compared",
        )
        for r in measures
    )
    header = ("Measure", name, "Comparator average", "England", "Compared with England")
    return ChartTable(caption(spec), header, rows)


def _share(value: float | None) -> str:
    return "no figure" if value is None else f"{value:.1f}%"


def _factors(spec: dict, shares: list[dict], england: list[dict]) -> ChartTable:
    roles = list(dict.fromkeys(r["role"] for r in shares))
    name = next((role for role in roles if role != "Comparators"), roles[0])
    rows = []
    for factor in (r["factor_name"] for r in england):
        mine = [r["share"] for r in shares if r["factor_name"] == factor and r["role"] == name]
        others = [
            r["share"]
            for r in shares
            if r["factor_name"] == factor and r["role"] != name and r["share"] is not None
        ]
        national = next(r["share"] for r in england if r["factor_name"] == factor)
        spread = f"{min(others):.1f}% to {max(others):.1f}%" if others else "no figure"
        rows.append((factor, _share(mine[0] if mine else None), _share(national), spread))
    header = ("Factor", name, "England", "Comparators (lowest to highest)")
    return ChartTable(caption(spec), header, tuple(rows))


def _targets(spec: dict, periods: list[dict]) -> ChartTable:
    """A target chart's periods: each figure, the target and its status in symbol and words."""
    rows = []
    for r in periods:
        decimals = 0 if r.get("unit") == "count" else 1
        value = "no figure" if r["value"] is None else f"{r['value']:,.{decimals}f}"
        target = f"{r['direction']} {r['target']:,.{decimals}f}"
        rows.append((r["period"], value, target, r.get("shown_status") or "no figure"))
    header = ("Period", periods[0]["title"], "Target", "Status")
    return ChartTable(caption(spec), header, tuple(rows))


def _encoded(spec: dict) -> list[tuple[str, str]]:
    """(field, heading) of every field a view of the spec encodes, in order, once each."""
    found: dict[str, str] = {}
    for part in _parts(spec):
        for channel in (part.get("encoding") or {}).values():
            if isinstance(channel, dict) and isinstance(channel.get("field"), str):
                field = channel["field"]
                title = channel.get("title")
                found.setdefault(field, title if isinstance(title, str) else _words(field))
    return list(found.items())


def _words(field: str) -> str:
    """A field's name as a heading.

    Example:
        >>> _words("target_status")
        'Target status'
    """
    text = field.replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def _cell(value: object) -> str:
    """A value as a cell: numbers to one decimal place with separators.

    Example:
        >>> _cell(1234.567), _cell(None), _cell(2025), _cell("on target")
        ('1,234.6', '', '2,025', 'on target')
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.1f}"
    return str(value)


def _generic(spec: dict) -> ChartTable | None:
    """The largest data set, by the fields the chart encodes from it."""
    found = [rows for rows in datasets(spec) if rows]
    if not found:
        return None
    rows = max(found, key=len)
    fields = [(f, h) for f, h in _encoded(spec) if all(f in r for r in rows)]
    if not fields:
        return None
    cells = tuple(
        tuple(year_label(r[f]) if f == "year" else _cell(r[f]) for f, _ in fields) for r in rows
    )
    return ChartTable(caption(spec), tuple(h for _, h in fields), cells)


def chart_table(
    spec: dict, indicator: str | None = None, name: str | None = None
) -> ChartTable | None:
    """The figures of the chart drawn from ``spec``, as a table (None: a chart with no data).

    ``indicator`` (the section's indicator) says how its values are rounded; ``name`` is the
    authority the pack is about, whose row or column the table marks.
    """
    measures = _with(spec, "indicator", "area_name", "title", "value", "s_value", "england")
    if measures:
        return _spine(spec, measures)
    if indicator in INDICATORS:
        long = _with(spec, "year", "series", "value", without=("label_at",))
        bars = _with(spec, "area_name", "value", "is_focus")
        if long:
            return _trend(spec, long, indicator, name)
        if bars:
            return _comparators(spec, bars, indicator)
    periods = _with(spec, "period", "title", "value", "target", "direction", "status")
    if periods:
        return _targets(spec, periods)
    shares = _with(spec, "factor_name", "share", "role")
    england = _with(spec, "factor_name", "share", without=("role",))
    if shares and england:
        return _factors(spec, shares, england)
    return _generic(spec)
