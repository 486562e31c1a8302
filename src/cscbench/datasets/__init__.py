"""Data layer: loaders, the indicator registry, comparator groups and the shipped snapshot.

Every function reads the snapshot shipped with the package unless ``source`` names another
snapshot folder or a folder of raw DfE files (see :mod:`cscbench.datasets.store`).

Example:
    >>> from cscbench.datasets import load_indicators, find_area, neighbours
    >>> find_area("derby")["la_code"]
    '831'
    >>> load_indicators(["cla_count"], years=[2025], areas=["831"])["value"].item()
    545.0
    >>> neighbours("Derby", "sn2025")["area_name"].head(3).to_list()
    ['Coventry', 'Bolton', 'Walsall']
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import polars as pl

from cscbench.datasets import areas as _areas
from cscbench.datasets.groups import (
    GROUPS,
    ComparatorGroup,
    comparator_group,
    members_in_year,
    read_group_file,
)
from cscbench.datasets.registry import (
    INDICATORS,
    Indicator,
    get_indicator,
    indicator_ids,
    registry_frame,
)
from cscbench.datasets.snapshot import build_snapshot
from cscbench.datasets.store import Source, manifest, scan

__all__ = [
    "GROUPS",
    "INDICATORS",
    "ComparatorGroup",
    "Indicator",
    "areas_table",
    "build_snapshot",
    "comparator_group",
    "data_info",
    "find_area",
    "get_indicator",
    "group",
    "load_areas",
    "load_factors",
    "load_indicators",
    "load_inspections",
    "load_neighbours",
    "manifest",
    "members_in_year",
    "neighbours",
    "read_group_file",
    "registry_frame",
    "split_names",
]


def load_indicators(
    indicators: str | Sequence[str] | None = None,
    years: Sequence[int] | None = None,
    areas: Sequence[str] | None = None,
    geography: Sequence[str] | None = None,
    source: Source = None,
) -> pl.DataFrame:
    """The tidy indicator frame, filtered; see :mod:`cscbench.datasets.loaders` for its columns.

    ``areas`` takes 3-digit codes or ONS codes (national and regional rows by ONS code).

    Example:
        >>> f = load_indicators(["rereferral_pct"], years=[2017], areas=["831"])
        >>> f.select("numerator", "denominator", "status").row(0)
        (970.0, 4561.0, 'published')
    """
    frame = scan("indicators", source)
    indicators = indicator_ids(indicators)
    if indicators is not None:
        frame = frame.filter(pl.col("indicator").is_in(indicators))
    if years is not None:
        frame = frame.filter(pl.col("year").is_in([int(y) for y in years]))
    if areas is not None:
        codes = list(areas)
        frame = frame.filter(pl.col("la_code").is_in(codes) | pl.col("area_code").is_in(codes))
    if geography is not None:
        frame = frame.filter(pl.col("geography").is_in(list(geography)))
    return frame.collect()


#: How many times :func:`_small_table` has read a table: a look-up remembered from the tables
#: (:func:`_area`, :func:`_group`) is keyed on it, so a table read afresh is looked up afresh.
_READS = [0]


@lru_cache(maxsize=16)
def _small_table(name: str, source: str | None) -> pl.DataFrame:
    """Small tables read once per process: the data does not change while a command runs."""
    _READS[0] += 1
    return scan(name, source).collect()


def _tables_read(key: str | None, *names: str) -> int:
    """The tables ``names`` of the data set ``key`` read (or already held), and the count of
    reads the look-ups remembered from them are keyed on."""
    for name in names:
        _small_table(name, key)
    return _READS[0]


def _key(source: Source) -> str | None:
    from cscbench.datasets.store import resolve

    source = resolve(source)
    return None if source is None else str(Path(source).resolve())


def load_areas(source: Source = None) -> pl.DataFrame:
    """Every authority in the data, one row each (code, name, region, years, lineage).

    Example:
        >>> load_areas().filter(pl.col("la_code") == "909")["last_year"].item()
        2023
    """
    return _small_table("areas", _key(source))


def load_neighbours(model: str | None = None, source: Source = None) -> pl.DataFrame:
    """Both statistical neighbour models, long (one row per authority and neighbour).

    Example:
        >>> load_neighbours("sn2021").filter(pl.col("la_code") == "831")["neighbour_code"].len()
        10
    """
    frame = _small_table("neighbours", _key(source))
    if model is not None:
        frame = frame.filter(pl.col("model") == model)
    return frame


def load_factors(source: Source = None) -> pl.DataFrame:
    """Factors identified at the end of assessment (c3), long: area, year, factor, count.

    Example:
        >>> f = load_factors().filter(pl.col("geography") == "national", pl.col("year") == 2025,
        ...                           pl.col("factor") == "Domestic_Abuse_child")
        >>> f["count"].item()
        57930.0
    """
    return _small_table("factors", _key(source))


def load_inspections(source: Source = None) -> pl.DataFrame:
    """Ofsted's latest ILACS judgements of every authority (empty where the data set has no
    inspections file).

    Example:
        >>> load_inspections().filter(pl.col("la_code") == "857")["overall_effectiveness"].item()
        'Good'
    """
    return _small_table("inspections", _key(source))


def find_area(query: str | int, source: Source = None) -> dict:
    """Look up an authority by 3-digit code, ONS code or name (case and punctuation ignored).

    Example:
        >>> find_area("Bristol")["area_name"]
        'Bristol, City of'
    """
    if isinstance(query, str | int):  # remembered per data set: a pack asks about fifty times
        key = _key(source)
        return dict(_area(query, key, _tables_read(key, "areas")))
    return _areas.find_area(query, load_areas(source))


@lru_cache(maxsize=1024)
def _area(query: str | int, key: str | None, reads: int) -> dict:
    """:func:`find_area` in the data set ``key`` as its tables were after ``reads`` reads (a
    look-up that fails is not remembered)."""
    return _areas.find_area(query, _small_table("areas", key))


def split_names(text: str, source: Source = None) -> list[str]:
    """Authorities named in a comma-separated list; a DfE name may hold a comma of its own.

    Example:
        >>> split_names("Bournemouth, Christchurch and Poole, Dorset")
        ['Bournemouth, Christchurch and Poole', 'Dorset']
    """
    return _areas.split_names(text, load_areas(source))


def neighbours(la: str, model: str = "sn2025", source: Source = None) -> pl.DataFrame:
    """An authority's statistical neighbours, closest first, with names and closeness.

    Example:
        >>> neighbours("831", "sn2021").select("area_name", "closeness").row(0)
        ('Peterborough', 'very close')
    """
    focus = find_area(la, source)
    rows = load_neighbours(model, source).filter(pl.col("la_code") == focus["la_code"])
    names = load_areas(source).select(
        pl.col("la_code").alias("neighbour_code"), pl.col("area_name").alias("neighbour_name")
    )
    return (
        rows.join(names, on="neighbour_code", how="left")
        .sort("rank")
        .select("rank", "neighbour_code", pl.col("neighbour_name").alias("area_name"), "closeness")
    )


def group(
    la: str,
    group: str | ComparatorGroup = "sn2025",
    comparators: str | Sequence[str] | None = None,
    source: Source = None,
) -> ComparatorGroup:
    """The comparator group of an authority (see :mod:`cscbench.datasets.groups`).

    ``group`` is a group's name, or a :class:`ComparatorGroup` already made (returned as it
    is), so every function that takes a group can be given either. ``comparators`` (a list,
    or names separated by commas) make a custom group.

    Example:
        >>> group("Derby", "region").label
        'Authorities in East Midlands'
    """
    if isinstance(group, ComparatorGroup):
        return group
    if comparators is None and isinstance(la, str):  # remembered per data set, as find_area is
        key = _key(source)
        return _group(la, group, key, _tables_read(key, "areas", "neighbours"))
    return comparator_group(
        la,
        "custom" if comparators else group,  # comparators given make the group
        load_areas(source),
        load_neighbours(source=source),
        _names(comparators, source),
    )


@lru_cache(maxsize=256)
def _group(la: str, group: str, key: str | None, reads: int) -> ComparatorGroup:
    """:func:`group` of a named group in the data set ``key`` as its tables were after
    ``reads`` reads (frozen: safe to share)."""
    return comparator_group(la, group, _small_table("areas", key), _small_table("neighbours", key))


def _names(authorities: str | Sequence[str] | None, source: Source) -> list[str] | None:
    """A list of authorities given as a list, or as one comma-separated string."""
    if isinstance(authorities, str):
        return split_names(authorities, source)
    return list(authorities) if authorities else None


def data_info(source: Source = None) -> tuple[dict, pl.DataFrame]:
    """What the data in use holds: a summary dict, and one row per source file.

    Example:
        >>> summary, sources = data_info()
        >>> summary["years"]
        '2013 to 2025'
        >>> "b1_children_in_need_2013_to_2025.csv" in sources["file"].to_list()
        True
    """
    frame = scan("indicators", source).select("indicator", "year", "geography", "la_code").collect()
    found = manifest(source)
    summary = {
        "data": _describe(source),
        "built": found["built_at"] if found else "read from raw files now",
        "years": _core_years(frame),
        "authorities": str(frame.filter(pl.col("geography") == "la")["la_code"].n_unique()),
        "regions": str(
            scan("indicators", source)
            .filter(pl.col("geography") == "regional")
            .select(pl.col("area_code").n_unique())
            .collect()
            .item()
        ),
        "indicators": ", ".join(sorted(frame["indicator"].unique())),
        "rows": str(frame.height),
        "licence": found["licence"] if found else "Open Government Licence v3.0",
        "warnings": _warnings(found),
    }
    if found:
        sources = pl.DataFrame(found["sources"]).select("key", "file", "rows", "sha256", "title")
        sources = _with_provenance(sources, source)
    else:
        sources = pl.DataFrame(
            schema={
                "key": pl.String,
                "file": pl.String,
                "rows": pl.Int64,
                "sha256": pl.String,
                "title": pl.String,
            }
        )
    return summary, sources


def _core_years(frame: pl.DataFrame) -> str:
    """The years of children in need and looked after, which every data set has (the
    workforce census at 30 September 2025 is year 2026, and moves nothing)."""
    from cscbench.datasets.registry import core_indicators

    core = frame.filter(pl.col("indicator").is_in(core_indicators()))["year"]
    core = core if core.len() else frame["year"]
    return f"{core.min()} to {core.max()}"


def _warnings(found: dict | None) -> str:
    """How many warnings the data checks gave when the data set was built, in words.

    Example:
        >>> _warnings({"warnings": ["a", "b"]})
        "2, kept and recorded in the data set's manifest.json (warnings)"
    """
    if found is None:
        return "not checked: read from raw files now"
    count = len(found.get("warnings", []))
    return (
        f"{count}, kept and recorded in the data set's manifest.json (warnings)"
        if count
        else "none"
    )


def _with_provenance(sources: pl.DataFrame, source: Source) -> pl.DataFrame:
    """Add where each file came from: the EES data set and version it was fetched from."""
    import json

    from cscbench.datasets.cache import cache_dir
    from cscbench.datasets.store import resolve

    origin = {key: "shipped with cscbench" for key in sources["key"]}
    active = resolve(None) if source is None else None
    if active is not None:
        log = cache_dir() / "fetched.json"
        fetched = json.loads(log.read_text()) if log.is_file() else {}
        for key in origin:
            record = fetched.get(key)
            if record and record["file"] in set(sources["file"]):
                origin[key] = (
                    f"EES data set {record['data_set_id']} version {record['version']}, "
                    f"fetched {record['fetched_at']}"
                )
            else:
                origin[key] = "imported by hand"
    return sources.with_columns(
        pl.col("key").replace_strict(origin, return_dtype=pl.String).alias("origin")
    )


def _describe(source: Source) -> str:
    from cscbench.datasets.store import resolve

    if source is not None:
        return str(source)
    active = resolve(None)
    return f"active data set in the cache: {active}" if active else "shipped snapshot"


def areas_table(source: Source = None) -> pl.DataFrame:
    """Authorities with codes, region, years of data, lineage, and both neighbour lists.

    Neighbour names are separated by ``; `` (DfE names can hold commas: "Bristol, City of").

    Example:
        >>> row = areas_table().filter(pl.col("la_code") == "831").row(0, named=True)
        >>> row["sn2021_neighbours"].split("; ")[:2]
        ['Peterborough', 'Sheffield']
    """
    found = load_areas(source)
    names = found.select(
        pl.col("la_code").alias("neighbour_code"), pl.col("area_name").alias("neighbour_name")
    )
    lists = (
        load_neighbours(source=source)
        .join(names, on="neighbour_code", how="left")
        .sort("rank")
        .group_by("model", "la_code")
        .agg(pl.col("neighbour_name").str.join("; "))
        .pivot(on="model", index="la_code", values="neighbour_name")
    )
    for model in ("sn2021", "sn2025"):
        if model not in lists.columns:
            lists = lists.with_columns(pl.lit(None, pl.String).alias(model))
    return found.join(lists, on="la_code", how="left").select(
        "la_code",
        "area_code",
        "area_name",
        "region_name",
        "first_year",
        "last_year",
        "predecessors",
        "successors",
        pl.col("sn2025").alias("sn2025_neighbours"),
        pl.col("sn2021").alias("sn2021_neighbours"),
    )
