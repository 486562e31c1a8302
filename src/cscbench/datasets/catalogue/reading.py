"""Reading the declarations: each TOML table checked field by field, one line per mistake."""

from __future__ import annotations

import tomllib
from dataclasses import fields
from pathlib import Path
from typing import Any

from cscbench.datasets.catalogue.compiled import parsed
from cscbench.datasets.catalogue.model import (
    DATED,
    FOLDER,
    KINDS,
    LAIT_UNITS,
    POLARITIES,
    POPULATION,
    SCALES,
    VALUE_FROM,
    Catalogue,
    Filter,
    Indicator,
    Source,
    Term,
    Unit,
)
from cscbench.errors import DataError


class _Reader:
    """Reads one TOML table into a dataclass, refusing unknown, missing or mistyped fields."""

    def __init__(self, path: Path, table: str, key: str, data: Any):
        self.path, self.where, self.data = path, f"[{table}.{key}]", data
        if not isinstance(data, dict):
            self.fail(None, "must be a table")

    def fail(self, name: str | None, message: str):
        where = self.where if name is None else f"{self.where} {name}"
        raise DataError(self.path, None, None, f"{where}: {message}")

    def check_fields(self, allowed: set[str], required: set[str]) -> None:
        unknown = sorted(set(self.data) - allowed)
        if unknown:
            self.fail(unknown[0], "unknown field (known: " + ", ".join(sorted(allowed)) + ")")
        for name in sorted(required - set(self.data)):
            self.fail(name, "required field is missing")

    def get(self, name: str, kind: type, default: Any = None) -> Any:
        value = self.data.get(name, default)
        wrong = value is not None and not isinstance(value, kind)
        if wrong or (kind is int and isinstance(value, bool)):
            self.fail(name, f"must be {kind.__name__}, not {value!r}")
        return value

    def choice(self, name: str, allowed, default: Any = None) -> Any:
        value = self.get(name, str, default)
        if value is not None and value not in allowed:
            self.fail(name, f"{value!r} is not one of: {', '.join(allowed)}")
        return value

    def strings(self, name: str) -> tuple[str, ...]:
        value = self.data.get(name, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.fail(name, "must be a list of strings")
        return tuple(value)

    def filter(self, name: str, value: Any, columns: tuple[str, ...]) -> Filter:
        if not isinstance(value, dict) or not value:
            self.fail(name, "must be a table of breakdown column = value (or [values])")
        out = []
        for column, values in value.items():
            if column not in columns:
                self.fail(name, f"{column!r} is not a breakdown column of the source")
            values = [values] if isinstance(values, str) else values
            if not values or not all(isinstance(v, str) for v in values):
                self.fail(name, f"{column} must be a value or a list of values")
            out.append((column, tuple(values)))
        return tuple(out)


def _read(path: Path) -> dict:
    """A TOML file's parse: from ``compiled.json`` when that was made from these very bytes
    (:mod:`~cscbench.datasets.catalogue.compiled`), else from the file."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DataError(path, None, None, f"cannot be read ({exc.strerror})") from None
    kept = parsed(path.name, raw, path.parent)
    if kept is not None:
        return kept
    try:
        return tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise DataError(path, None, None, "is not valid TOML (not UTF-8 text)") from None
    except tomllib.TOMLDecodeError as exc:
        raise DataError(path, None, None, f"is not valid TOML ({exc})") from None


def _units(path: Path, data: dict) -> dict[str, Unit]:
    units = {}
    for key, table in data.get("unit", {}).items():
        r = _Reader(path, "unit", key, table)
        r.check_fields(
            {"label", "multiplier", "ratio", "interval", "note"},
            {"label", "multiplier", "ratio", "interval"},
        )
        multiplier = r.data["multiplier"]
        if not isinstance(multiplier, int | float) or multiplier <= 0:
            r.fail("multiplier", "must be a positive number")
        units[key] = Unit(
            key,
            r.get("label", str),
            float(multiplier),
            r.get("ratio", bool),
            r.get("interval", bool),
            r.get("note", str),
        )
    return units


def _sources(path: Path, data: dict) -> dict[str, Source]:
    names = {f.name for f in fields(Source)} - {"key"}
    sources = {}
    for key, table in data.get("source", {}).items():
        r = _Reader(path, "source", key, table)
        r.check_fields(names, {"title", "publication", "pattern", "kind"})
        breakdown = r.strings("breakdown")
        source = Source(
            key,
            r.get("title", str),
            r.get("publication", str),
            r.get("pattern", str),
            r.choice("kind", KINDS),
            breakdown=breakdown,
            count=r.get("count", str),
            percent=r.get("percent", str),
            fractional=r.strings("fractional"),
            scores=r.filter("scores", table["scores"], breakdown) if "scores" in table else (),
            dated=r.choice("dated", DATED, "31 March"),
            joint_returns=r.get("joint_returns", bool, False),
            rounding=_rounding(r),
            columns=r.strings("columns"),
            geography=r.get("geography", bool, False),
            sheet=r.get("sheet", str),
            topic=r.get("topic", str),
            optional=r.get("optional", bool, False),
        )
        if (source.count is None) != (source.percent is None):
            r.fail("count", "a long file declares both its count and its percent column")
        if source.long and not breakdown:
            r.fail("breakdown", "a long file needs its breakdown columns")
        if source.kind != "tidy" and not source.columns:
            r.fail("columns", f"a {source.kind} source lists the columns it must have")
        sources[key] = source
    return sources


def _rounding(r: _Reader) -> tuple[tuple[str, float], ...]:
    if "rounding" not in r.data:
        return ()
    value = r.data["rounding"]
    levels = ("la", "regional", "national")
    if (
        not isinstance(value, dict)
        or sorted(value) != sorted(levels)
        or not all(isinstance(v, int | float) and v >= 0 for v in value.values())
    ):
        r.fail("rounding", "must give la, regional and national: what counts are rounded to")
    return tuple((level, float(value[level])) for level in levels)


def _term(r: _Reader, name: str, source: Source) -> Term | None:
    value = r.data.get(name)
    if value is None:
        return None
    if value == POPULATION:
        return Term(population=True)
    if source.long:
        return Term(where=r.filter(name, value, source.breakdown))
    if isinstance(value, str):
        return Term(columns=(value,))
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return Term(columns=tuple(value))
    return r.fail(name, "must be a column, a list of columns or 'population'")


_REQUIRED = {
    "title",
    "short",
    "headline",
    "theme",
    "unit",
    "decimals",
    "polarity",
    "period",
    "definition",
    "source",
    "numerator",
}


def _described(r: _Reader, key: str, cat: Catalogue) -> dict:
    """The fields every indicator declares alike: its names, theme, decimals, polarity,
    period and definition."""
    return {
        "id": key,
        "title": r.get("title", str),
        "short": r.get("short", str),
        "headline": r.get("headline", str),
        "theme": r.choice("theme", cat.themes),
        "decimals": r.get("decimals", int),
        "polarity": r.choice("polarity", POLARITIES),
        "period": r.choice("period", cat.periods),
        "definition": r.get("definition", str),
    }


def _indicator(r: _Reader, key: str, cat: Catalogue) -> Indicator:
    r.check_fields({f.name for f in fields(Indicator)} - {"id"}, _REQUIRED)
    source_key = r.choice("source", [k for k, s in cat.sources.items() if s.kind == "tidy"])
    source = cat.sources[source_key]
    unit = r.choice("unit", list(cat.units))
    numerator = _term(r, "numerator", source)
    denominator = _term(r, "denominator", source)
    if numerator.population:
        r.fail("numerator", "the population is a denominator")
    if (unit == "rate_per_10k") != bool(denominator and denominator.population):
        r.fail("denominator", "a rate per 10,000 children, and only a rate, has the population")
    if (denominator is None) == cat.units[unit].ratio:
        r.fail(
            "denominator", f"a {unit} " + ("needs" if denominator is None else "has no") + " one"
        )
    published = r.get("published", str)
    if published is not None:
        if source.long and published not in (source.count, source.percent):
            r.fail("published", f"must be {source.percent} (or {source.count}) in a long file")
        if source.long and numerator.rows != 1:
            r.fail("published", "DfE prints no figure for a sum of rows")
    published_decimals = r.get("published_decimals", int)
    if (published is None) != (published_decimals is None):
        r.fail("published_decimals", "goes with published, and only with it")
    value_from = r.choice("value_from", VALUE_FROM, "recomputed")
    if value_from == "published" and published is None:
        r.fail("value_from", "a published value needs the published column")
    scale = r.choice("denominator_scale", SCALES)
    if scale is not None and source.dated != "30 September":
        r.fail("denominator_scale", "working days are those of the year to 30 September")
    return Indicator(
        **_described(r, key, cat),
        unit=unit,
        source=source_key,
        numerator=numerator,
        denominator=denominator,
        rows=r.filter("rows", r.data["rows"], source.breakdown) if "rows" in r.data else (),
        published=published,
        published_decimals=published_decimals,
        denominator_scale=scale,
        lait_measure=r.get("lait_measure", str),
        charted=r.get("charted", bool, False),
        looks_back=r.get("looks_back", bool, False),
        value_from=value_from,
    )


#: A values-only indicator declares LAIT's measure instead of a numerator.
_LAIT_REQUIRED = (_REQUIRED - {"numerator"}) | {"lait_measure"}


def _lait_indicator(r: _Reader, key: str, cat: Catalogue) -> Indicator:
    """A values-only indicator: LAIT's published figure of one measure, no counts."""
    allowed = _LAIT_REQUIRED | {"quartiles", "charted"}
    r.check_fields(allowed, _LAIT_REQUIRED)
    source_key = r.choice("source", [k for k, s in cat.sources.items() if s.kind == "lait"])
    return Indicator(
        **_described(r, key, cat),
        unit=r.choice("unit", LAIT_UNITS),
        source=source_key,
        numerator=None,
        lait_measure=r.get("lait_measure", str),
        charted=r.get("charted", bool, False),
        quartiles=r.get("quartiles", bool, True),
    )


def load(folder: str | Path = FOLDER) -> Catalogue:
    """Read and check the declarations in ``folder`` (this package's own, by default).

    A declaration that names an unknown field, unit, theme, source or breakdown column stops
    with one line naming the file, the table and the field.

    Example:
        >>> cat = load()
        >>> cat.themes[0], cat.sources["csww"].dated
        ('front door and assessment', '30 September')
    """
    folder = Path(folder)
    vocabulary = _read(folder / "vocabulary.toml")
    periods = vocabulary.get("periods", {})
    partial = Catalogue(
        units=_units(folder / "vocabulary.toml", vocabulary),
        themes=tuple(vocabulary.get("themes", {}).get("order", ())),
        periods=(*periods.get("on_a_day", ()), *periods.get("during_a_year", ())),
        sources=_sources(folder / "sources.toml", _read(folder / "sources.toml")),
        indicators={},
    )
    path = folder / "indicators.toml"
    for key, table in _read(path).get("indicator", {}).items():
        partial.indicators[key] = _indicator(_Reader(path, "indicator", key, table), key, partial)
    path = folder / "lait.toml"  # LAIT's values-only measures (datasets/lait_catalogue.py)
    if path.is_file():
        for key, table in _read(path).get("indicator", {}).items():
            if key in partial.indicators:
                _Reader(path, "indicator", key, table).fail(None, "is declared twice")
            reader = _Reader(path, "indicator", key, table)
            partial.indicators[key] = _lait_indicator(reader, key, partial)
    # report order: by theme, each theme's declared indicators first, then LAIT's
    by_theme = sorted(partial.indicators.values(), key=lambda i: partial.themes.index(i.theme))
    ordered = {i.id: i for i in by_theme}
    partial.indicators.clear()
    partial.indicators.update(ordered)
    return partial
