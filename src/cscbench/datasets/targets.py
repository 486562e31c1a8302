"""Targets files (TOML) and an authority's own quarterly figures (CSV).

A targets file names, per indicator, a target value and its direction, as a performance
monitoring framework does (Derby's 2007-08 framework: "Re-registrations on the child
protection register: target 16%")::

    name = "Stay Safe performance monitoring framework 2007-08"

    [status]                        # optional; these are the defaults
    recoverable_within = "10%"      # a miss of up to 10% of the target is recoverable
    improving_is_recoverable = false

    [[target]]
    indicator = "cp_subsequent_pct"  # an indicator id from `cscbench indicators`
    target = 16
    direction = "at most"            # or "at least"
    recoverable_within = 2           # this target's own band, in the indicator's unit

    [[target]]
    indicator = "cp_reviews_in_time_pct"   # a local indicator, not published by DfE
    title = "Child protection reviews to timescale (%)"
    unit = "percent"                        # percent, rate_per_10k or count
    target = 100
    direction = "at least"

``recoverable_within`` is a number in the indicator's own unit (2 means 2 percentage points
for a percentage) or a share of the target as text ("10%"). The status rule that uses it is
:func:`cscbench.analyses.performance.target_status`.

The quarterly CSV has columns ``indicator``, ``period`` and either ``value`` or ``numerator``
(with ``denominator`` for percentages and rates), one row per indicator and period. Periods are
financial-year quarters ("2006-07 Q1" is April to June 2006) or years ("2006-07", or "2007"
for the year ending 31 March 2007).

Example:
    >>> import os, tempfile
    >>> folder = tempfile.mkdtemp()
    >>> p = os.path.join(folder, "t.toml")
    >>> _ = open(p, "w").write('[[target]]\\nindicator = "cp_subsequent_pct"\\n'
    ...                        'target = 17\\ndirection = "at most"\\n')
    >>> plan = read_targets(p)
    >>> plan.targets[0].title, plan.targets[0].margin
    ('Second or subsequent child protection plans (%)', 1.7)
"""

from __future__ import annotations

import csv
import io
import math
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Literal

import polars as pl

from cscbench.datasets import limits
from cscbench.datasets.csvfile import decode_utf8
from cscbench.datasets.groups import read_toml
from cscbench.datasets.registry import INDICATORS, MULTIPLIER
from cscbench.errors import DataError, UsageError

Direction = Literal["at most", "at least"]
DIRECTIONS: tuple[Direction, ...] = ("at most", "at least")
UNITS = tuple(MULTIPLIER)
DEFAULT_RECOVERABLE = "10%"


@dataclass(frozen=True)
class Target:
    """One indicator's target: value, direction and the band within which a miss is recoverable.

    ``margin`` is that band in the indicator's unit (already worked out from a share of the
    target where the file gave one).
    """

    indicator: str
    title: str
    unit: str
    value: float
    direction: Direction
    margin: float

    @property
    def published(self) -> bool:
        """True when DfE publishes the indicator (it is in the registry)."""
        return self.indicator in INDICATORS

    @property
    def decimals(self) -> int:
        return 0 if self.unit == "count" else 1


@dataclass(frozen=True)
class TargetPlan:
    """A targets file: its name, the targets and the status rule's one switch."""

    name: str
    targets: tuple[Target, ...]
    improving_is_recoverable: bool = False

    def get(self, indicator: str) -> Target | None:
        """The target for ``indicator``, or None."""
        return next((t for t in self.targets if t.indicator == indicator), None)


#: The keys each part of a targets file may have; any other is an error naming the closest.
KEYS = {
    "file": ("name", "status", "target"),
    "status": ("recoverable_within", "improving_is_recoverable"),
    "target": ("indicator", "target", "direction", "recoverable_within", "title", "unit"),
}
#: The largest value a figure of each unit can take: a percentage is of a whole; a rate per
#: 10,000 children cannot pass 10,000; a count is bounded by England's 12.2 million children.
UNIT_MAX = {"percent": 100.0, "rate_per_10k": 10_000.0, "count": 100_000_000.0}


def _known_keys(table: dict, part: str, where: str, path: Path) -> None:
    """Refuse a key the file's ``part`` does not have, naming the closest known one.

    Example:
        >>> try:
        ...     _known_keys({"recoverable_witihn": 2}, "target", "target 1", Path("t.toml"))
        ... except DataError as exc:
        ...     print(exc.column, "->", exc.message)
        recoverable_witihn -> target 1: unknown key; did you mean 'recoverable_within'?
    """
    import difflib

    for key in table:
        if key not in KEYS[part]:
            close = difflib.get_close_matches(str(key), KEYS[part], n=1, cutoff=0.0)
            raise DataError(
                path, None, str(key), f"{where}: unknown key; did you mean {close[0]!r}?"
            )


def _value(number: object, unit: str, field: str, where: str, path: Path) -> float:
    """A target or band as a float: finite, not negative, and possible for the unit."""
    if isinstance(number, bool) or not isinstance(number, int | float):
        raise DataError(path, None, field, f"{where}: needs a number")
    if not math.isfinite(number):
        raise DataError(path, None, field, f"{where}: {number!r} is not a finite number")
    if number < 0 or number > UNIT_MAX[unit]:
        raise DataError(
            path,
            None,
            field,
            f"{where}: {number:g} is impossible for a {unit} (0 to {UNIT_MAX[unit]:,.0f})",
        )
    return float(number)


def _margin(spec: object, target: float, where: str, path: Path) -> float:
    """``recoverable_within`` as a number in the indicator's unit."""
    if isinstance(spec, bool) or not isinstance(spec, int | float | str):
        raise DataError(path, None, "recoverable_within", f"{where}: give a number or 'N%'")
    if isinstance(spec, float) and not math.isfinite(spec):
        raise DataError(
            path, None, "recoverable_within", f"{where}: {spec!r} is not a finite number"
        )
    if isinstance(spec, str):
        text = spec.strip()
        if not re.fullmatch(r"\d+(\.\d+)?%", text):
            raise DataError(
                path, None, "recoverable_within", f"{where}: {spec!r} is not a number or 'N%'"
            )
        return round(abs(target) * float(text[:-1]) / 100, 9)
    if spec < 0:
        raise DataError(path, None, "recoverable_within", f"{where}: must not be negative")
    return float(spec)


def _target(entry: object, n: int, default_margin: object, path: Path) -> Target:
    if not isinstance(entry, dict):
        raise DataError(path, None, None, f"target {n} is not a table")
    indicator = entry.get("indicator")
    where = f"target {n}" + (f" ({indicator})" if isinstance(indicator, str) else "")
    _known_keys(entry, "target", where, path)
    if not isinstance(indicator, str) or not re.fullmatch(r"[a-z][a-z0-9_]{0,63}", indicator):
        raise DataError(path, None, "indicator", f"{where}: needs an indicator id (a_b_c)")
    value = entry.get("target")
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise DataError(path, None, "target", f"{where}: needs a number")
    direction = entry.get("direction")
    if direction not in DIRECTIONS:
        raise DataError(
            path, None, "direction", f"{where}: {direction!r} is not 'at most' or 'at least'"
        )
    known = INDICATORS.get(indicator)
    if known is not None:
        for field in ("unit", "title"):
            if field in entry and entry[field] != getattr(known, field):
                raise DataError(
                    path, None, field, f"{where}: {indicator} is DfE's; its {field} is fixed"
                )
        title, unit = known.title, known.unit
    else:
        title, unit = entry.get("title"), entry.get("unit")
        if not isinstance(title, str) or not title.strip():
            raise DataError(
                path, None, "title", f"{where}: a local indicator (not DfE's) needs a title"
            )
        if unit not in UNITS:
            raise DataError(
                path, None, "unit", f"{where}: {unit!r} is not one of {', '.join(UNITS)}"
            )
    value = _value(value, unit, "target", where, path)
    spec = entry.get("recoverable_within", default_margin)
    return Target(indicator, title, unit, value, direction, _margin(spec, value, where, path))


def read_targets(path: str | Path) -> TargetPlan:
    """Read a targets file (see the module's documentation for its shape)."""
    path = Path(path)
    data = read_toml(path)
    _known_keys(data, "file", "the file", path)
    rule = data.get("status", {})
    if not isinstance(rule, dict):
        raise DataError(path, None, "status", "must be a table: [status]")
    _known_keys(rule, "status", "[status]", path)
    improving = rule.get("improving_is_recoverable", False)
    if not isinstance(improving, bool):
        raise DataError(path, None, "improving_is_recoverable", "must be true or false")
    entries = data.get("target")
    if not isinstance(entries, list) or not entries:
        raise DataError(path, None, "target", "no targets: add [[target]] tables")
    default = rule.get("recoverable_within", DEFAULT_RECOVERABLE)
    targets = tuple(_target(e, n, default, path) for n, e in enumerate(entries, start=1))
    seen: set[str] = set()
    for t in targets:
        if t.indicator in seen:
            raise DataError(path, None, "indicator", f"{t.indicator} has two targets")
        seen.add(t.indicator)
    return TargetPlan(str(data.get("name", path.stem)), targets, improving)


PERIOD_QUARTER = re.compile(r"(\d{4})-(\d{2})\s*Q([1-4])")
PERIOD_YEAR = re.compile(r"(\d{4})-(\d{2})")


def parse_period(text: str) -> tuple[int, int | None]:
    """(year ending 31 March, quarter or None) from a period label; ValueError if not one.

    Quarters are of the financial year: Q1 is April to June.

    Example:
        >>> parse_period("2006-07 Q1"), parse_period("2006-07"), parse_period("2007")
        ((2007, 1), (2007, None), (2007, None))
    """
    text = text.strip()
    for pattern in (PERIOD_QUARTER, PERIOD_YEAR):
        match = pattern.fullmatch(text)
        if match:
            start, end = int(match[1]), int(match[2])
            if (start + 1) % 100 != end:
                raise ValueError(f"{text!r}: {end:02d} does not follow {start}")
            quarter = int(match[3]) if pattern is PERIOD_QUARTER else None
            return start + 1, quarter
    if re.fullmatch(r"\d{4}", text):
        return int(text), None
    raise ValueError(f"{text!r} is not a period like '2006-07 Q1', '2006-07' or '2007'")


def period_label(year: int, quarter: int | None) -> str:
    """The label of a period: (2007, 1) -> '2006-07 Q1'; (2007, None) -> '2006-07'."""
    label = f"{year - 1}-{year % 100:02d}"
    return label if quarter is None else f"{label} Q{quarter}"


def _number(text: str | None, path: Path, row: int, column: str) -> Decimal | None:
    if text is None or not text.strip():
        return None
    try:
        value = Decimal(text.strip().replace(",", ""))
    except InvalidOperation:
        raise DataError(path, row, column, f"{text!r} is not a number") from None
    if not value.is_finite() or value < 0:
        raise DataError(path, row, column, f"{text!r} must be a number of at least 0")
    return value


def _records(path: Path) -> tuple[list[str], list[tuple[int, dict]]]:
    """(lower-case column names, rows as (line number, {column: text})) of a small CSV file.

    Each row keeps the line it starts on, whatever blank lines or quoted line breaks come
    before it; the file must be UTF-8 and within :mod:`~cscbench.datasets.limits`.
    """
    limits.check_size(path, limits.QUARTERLY_BYTES, "a quarterly figures file")
    try:
        text = decode_utf8(path.read_bytes(), path)
    except OSError as exc:
        raise UsageError(f"{path.name}: cannot be read ({exc.strerror})") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    records: list[tuple[int, dict]] = []
    try:
        header = [c.strip().lower() for c in next(reader, [])]
        start = reader.line_num + 1
        for fields in reader:
            line, start = start, reader.line_num + 1
            if not any(f.strip() for f in fields):
                continue
            if len(fields) != len(header):
                raise DataError(
                    path, line, None, f"has {len(fields)} fields; the header has {len(header)}"
                )
            for name, field in zip(header, fields, strict=True):
                if len(field) > limits.FIELD_CHARS:
                    raise DataError(path, line, name, f"a field of {len(field):,} characters")
            records.append((line, dict(zip(header, fields, strict=True))))
            if len(records) > limits.CSV_ROWS:
                raise DataError(path, line, None, f"more than {limits.CSV_ROWS:,} rows")
    except csv.Error as exc:
        raise DataError(path, reader.line_num, None, f"not a readable CSV ({exc})") from None
    return header, records


def _row_value(
    raw: dict, target: Target, path: Path, row: int
) -> tuple[float, float | None, float | None]:
    """(value, numerator, denominator) of one row, checking value against the counts."""
    value = _number(raw.get("value"), path, row, "value")
    num = _number(raw.get("numerator"), path, row, "numerator")
    den = _number(raw.get("denominator"), path, row, "denominator")
    computed = None
    if num is not None:
        if target.unit == "count":
            computed = num
        elif den is None:
            raise DataError(path, row, "denominator", f"{target.unit} needs a denominator")
        elif den == 0:
            raise DataError(path, row, "denominator", "is 0")
        else:
            computed = num / den * Decimal(MULTIPLIER[target.unit])
    if value is None and computed is None:
        raise DataError(path, row, "value", "give a value, or a numerator and denominator")
    if value is not None and computed is not None:
        # the value as written, rounded to its own decimals, must be what the counts give
        step = Decimal(1).scaleb(value.as_tuple().exponent)
        if abs(computed - value) > step / 2 + Decimal("1e-9"):
            raise DataError(
                path,
                row,
                "value",
                f"{value} does not agree with numerator/denominator ({computed:.3f})",
            )
    chosen = float(computed if computed is not None else value)
    top = UNIT_MAX[target.unit]
    if chosen > top:
        column, shown = (
            ("value", raw["value"].strip()) if computed is None else ("numerator", f"{chosen:g}")
        )
        raise DataError(
            path, row, column, f"{shown} is impossible for a {target.unit} (0 to {top:,.0f})"
        )
    return (
        chosen,
        float(num) if num is not None else None,
        float(den) if den is not None else None,
    )


def read_quarterly(path: str | Path, plan: TargetPlan) -> pl.DataFrame:
    """The authority's own figures for the indicators of ``plan``, one row per period.

    Returns ``indicator``, ``period``, ``year`` (ending 31 March), ``quarter`` (null for a
    year), ``numerator``, ``denominator`` and ``value`` (worked from the counts when given),
    sorted by indicator and period. Every problem stops with the file, row and column.

    Example:
        >>> import os, tempfile
        >>> folder = tempfile.mkdtemp()
        >>> t = os.path.join(folder, "t.toml"); q = os.path.join(folder, "q.csv")
        >>> _ = open(t, "w").write('[[target]]\\nindicator = "cp_subsequent_pct"\\n'
        ...                        'target = 17\\ndirection = "at most"\\n')
        >>> _ = open(q, "w").write("indicator,period,numerator,denominator,value\\n"
        ...                        "cp_subsequent_pct,2006-07 Q1,13,80,16.2\\n")
        >>> read_quarterly(q, read_targets(t))["value"].item()
        16.25
    """
    path = Path(path)
    columns, records = _records(path)
    for column in ("indicator", "period"):
        if column not in columns:
            raise DataError(path, 1, column, "missing: the header needs indicator and period")
    if not {"value", "numerator"} & set(columns):
        raise DataError(path, 1, "value", "missing: give value, or numerator and denominator")
    rows, seen = [], {}
    for n, raw in records:
        indicator = (raw["indicator"] or "").strip()
        target = plan.get(indicator)
        if target is None:
            raise DataError(path, n, "indicator", f"{indicator!r} has no target in the file")
        try:
            year, quarter = parse_period(raw["period"] or "")
        except ValueError as exc:
            raise DataError(path, n, "period", str(exc)) from None
        key = (indicator, year, quarter)
        if key in seen:
            raise DataError(path, n, "period", f"repeats row {seen[key]}")
        seen[key] = n
        value, num, den = _row_value(raw, target, path, n)
        rows.append(
            {
                "indicator": indicator,
                "period": period_label(year, quarter),
                "year": year,
                "quarter": quarter,
                "numerator": num,
                "denominator": den,
                "value": value,
            }
        )
    return pl.DataFrame(
        rows,
        schema={
            "indicator": pl.String,
            "period": pl.String,
            "year": pl.Int32,
            "quarter": pl.Int8,
            "numerator": pl.Float64,
            "denominator": pl.Float64,
            "value": pl.Float64,
        },
    ).sort("indicator", "year", "quarter", nulls_last=False)
