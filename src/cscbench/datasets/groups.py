"""Comparator groups: who an authority is compared with.

- ``sn2025`` / ``sn2021``: its 10 DfE statistical neighbours in the 2025 or 2021 model;
- ``region``: the other authorities of its region (London boroughs: Inner or Outer London, as
  in DfE's files and LAIT);
- ``england`` and ``all``: every other authority in England;
- ``custom``: authorities named on the command line or in a TOML file::

      name = "East Midlands cities"
      members = ["Nottingham", "Leicester", "Derby"]

A member that did not exist in a given year (Cumbria after 2023, Northamptonshire after 2021,
North Northamptonshire before 2022) is reported as missing for that year by
:func:`members_in_year`, never silently dropped: the group keeps its size and says who is
absent and why.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from cscbench.datasets.areas import find_area
from cscbench.errors import DataError, UsageError

GROUPS = ("sn2025", "sn2021", "region", "england", "all", "custom")

MODEL_LABEL = {
    "sn2025": "DfE statistical neighbours, 2025 model",
    "sn2021": "DfE statistical neighbours, 2021 model",
}


@dataclass(frozen=True)
class ComparatorGroup:
    """A comparator group for one authority: its key, a label for tables and charts, members.

    ``members`` are 3-digit codes and never include the focus authority itself.
    """

    key: str
    label: str
    focus: str
    members: tuple[str, ...]


def comparator_group(
    la: str,
    group: str,
    areas: pl.DataFrame,
    neighbours: pl.DataFrame,
    comparators: list[str] | None = None,
) -> ComparatorGroup:
    """The comparator group ``group`` of authority ``la`` (a name or code).

    Example:
        >>> from cscbench.datasets import load_areas, load_neighbours
        >>> g = comparator_group("Derby", "sn2021", load_areas(), load_neighbours())
        >>> len(g.members), g.label
        (10, 'DfE statistical neighbours, 2021 model')
    """
    focus = find_area(la, areas)
    code = focus["la_code"]
    if group in MODEL_LABEL:
        rows = neighbours.filter(pl.col("model") == group, pl.col("la_code") == code).sort("rank")
        if rows.is_empty():
            others = neighbours.filter(pl.col("la_code") == code)["model"].unique().sort().to_list()
            hint = f"; it is in: {', '.join(others)}" if others else ""
            ended = focus.get("last_year")
            gone = ""
            if ended is not None and group == "sn2025" and ended < 2025:
                gone = f", made for the authorities of 2025 (its figures end in {ended})"
            raise UsageError(
                f"{focus['area_name']} is not in the {group} neighbour model{gone}{hint}"
            )
        return ComparatorGroup(group, MODEL_LABEL[group], code, tuple(rows["neighbour_code"]))
    if group == "region":
        region = focus["region_code"]
        rows = areas.filter(pl.col("region_code") == region, pl.col("la_code") != code)
        return ComparatorGroup(
            group, f"Authorities in {focus['region_name']}", code, tuple(sorted(rows["la_code"]))
        )
    if group in ("england", "all"):
        rows = areas.filter(pl.col("la_code") != code)
        return ComparatorGroup(
            group, "All authorities in England", code, tuple(sorted(rows["la_code"]))
        )
    if group == "custom":
        if not comparators:
            raise UsageError("a custom group needs comparators (names or codes)")
        codes = []
        for name in comparators:
            member = find_area(name, areas)["la_code"]
            if member == code:
                raise UsageError(
                    f"{focus['area_name']} is the authority benchmarked, not one of its own "
                    "comparators: leave it out of the group (--include-self counts it in the "
                    "group's statistics)"
                )
            if member not in codes:
                codes.append(member)
        if not codes:
            raise UsageError(f"a custom group needs an authority other than {focus['area_name']}")
        return ComparatorGroup(group, "Custom comparator group", code, tuple(codes))
    raise UsageError(f"unknown group {group!r}; choose one of: {', '.join(GROUPS)}")


#: Tables or arrays nested deeper than this in a TOML file are refused (a real file: 2).
TOML_DEPTH = 32


def read_toml(path: str | Path) -> dict:
    """A TOML file as a dict; a file that cannot be read, is not UTF-8, is larger than
    :data:`~cscbench.datasets.limits.TOML_BYTES`, is nested deeper than :data:`TOML_DEPTH`
    or is not TOML stops with one line."""
    from cscbench.datasets import limits
    from cscbench.datasets.csvfile import decode_utf8

    path = Path(path)
    limits.check_size(path, limits.TOML_BYTES, "a TOML file")
    try:
        text = decode_utf8(path.read_bytes(), path)
    except OSError as exc:
        raise UsageError(f"{path.name}: cannot be read ({exc.strerror})") from None
    deepest = _depth(text)
    if deepest > TOML_DEPTH:
        raise DataError(path, None, None, f"nests {deepest} levels deep; at most {TOML_DEPTH}")
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise DataError(path, None, None, f"not valid TOML ({exc})") from None
    except RecursionError:
        raise DataError(path, None, None, "not valid TOML (nested too deeply)") from None


def _depth(text: str) -> int:
    """The deepest nesting of ``[`` and ``{`` outside strings and comments (a bound that
    tomllib's recursion would otherwise meet as an internal error).

    Example:
        >>> _depth('a = [[1], {b = "[[["}]  # [[[[')
        2
    """
    depth = deepest = 0
    quote = None
    comment = False
    escaped = False
    for char in text:
        if comment:
            comment = char != "\n"
        elif quote:
            if escaped:
                escaped = False
            elif char == "\\" and quote == '"':
                escaped = True
            elif char == quote:
                quote = None
        elif char in "\"'":
            quote = char
        elif char == "#":
            comment = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth = max(0, depth - 1)
    return deepest


def read_group_file(path: str | Path) -> tuple[str, list[str]]:
    """Read a custom group from TOML: ``name`` (optional) and ``members`` (names or codes).

    Example:
        >>> import tempfile, os
        >>> p = os.path.join(tempfile.mkdtemp(), "g.toml")
        >>> _ = open(p, "w").write('name = "Cities"\\nmembers = ["Derby", "831"]\\n')
        >>> read_group_file(p)
        ('Cities', ['Derby', '831'])
    """
    path = Path(path)
    data = read_toml(path)
    members = data.get("members")
    if not isinstance(members, list) or not all(isinstance(m, str | int) for m in members):
        raise UsageError(f"{path.name}: needs 'members', a list of authority names or codes")
    if not members:
        raise UsageError(f"{path.name}: 'members' names no authority")
    return str(data.get("name", path.stem)), [str(m) for m in members]


def members_in_year(
    group: ComparatorGroup, year: int, areas: pl.DataFrame, include_self: bool = False
) -> pl.DataFrame:
    """The group's members in ``year``: ``la_code``, ``area_name``, ``exists``, ``reason``.

    ``exists`` is False for an authority that did not exist that year, with the reason.

    Example:
        >>> from cscbench.datasets import load_areas
        >>> g = ComparatorGroup("custom", "test", "831", ("909", "942"))
        >>> members_in_year(g, 2024, load_areas()).select("la_code", "exists").rows()
        [('909', False), ('942', True)]
    """
    codes = ((group.focus,) if include_self else ()) + group.members
    frame = pl.DataFrame({"la_code": list(codes), "_order": list(range(len(codes)))})
    rows = frame.join(
        areas.select("la_code", "area_name", "first_year", "last_year"), on="la_code", how="left"
    )
    exists = (pl.col("first_year") <= year) & (pl.col("last_year") >= year)
    reason = (
        pl.when(pl.col("first_year").is_null())
        .then(pl.lit("not in the data"))
        .when(pl.col("first_year") > year)
        .then(pl.format("created later (first year {})", pl.col("first_year")))
        .when(pl.col("last_year") < year)
        .then(pl.format("abolished (last year {})", pl.col("last_year")))
        .otherwise(pl.lit(""))
    )
    return (
        rows.with_columns(exists.fill_null(False).alias("exists"), reason.alias("reason"))
        .sort("_order")
        .select("la_code", "area_name", "exists", "reason")
    )
