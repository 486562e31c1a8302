"""Local authorities: one row each, with region, years of data and lineage; and name look-up.

Look-up takes a 3-digit code (``831``), an ONS code (``E06000015``) or a name, and ignores
case, punctuation and DfE's name suffixes: ``"St Helens"`` finds ``St. Helens`` and
``"Bristol"`` finds ``Bristol, City of``; whole words of one authority's name find it
(``"Hull"``, ``"Durham"``). A name that matches nothing, or several, gets an error that lists
the closest names.
"""

from __future__ import annotations

import difflib
import re

import polars as pl

from cscbench.datasets.lineage import SUCCESSIONS
from cscbench.errors import AreaNotFound, UsageError

AREA_SCHEMA: dict[str, pl.DataType] = {
    "la_code": pl.String(),
    "area_code": pl.String(),
    "area_name": pl.String(),
    "region_code": pl.String(),
    "region_name": pl.String(),
    "first_year": pl.Int32(),
    "last_year": pl.Int32(),
    "predecessors": pl.String(),
    "successors": pl.String(),
    "lineage_note": pl.String(),
}


def build_areas(indicators: pl.DataFrame, codes: pl.DataFrame) -> pl.DataFrame:
    """One row per authority in the indicator data, named and placed as in its latest year.

    ``first_year`` and ``last_year`` are the first and last reporting years for which any DfE
    file has a row for the authority; ``predecessors`` and ``successors`` list 3-digit codes
    from :data:`~cscbench.datasets.lineage.SUCCESSIONS` (comma-separated, empty if none).
    """
    la = indicators.filter(pl.col("geography") == "la")
    latest = (
        la.sort("year")
        .group_by("la_code")
        .agg(
            pl.col("area_code").last(),
            pl.col("area_name").last(),
            pl.col("region_code").drop_nulls().last(),
            pl.col("region_name").drop_nulls().last(),
            pl.col("year").min().alias("first_year"),
            pl.col("year").max().alias("last_year"),
        )
    )
    before: dict[str, list[str]] = {}
    after: dict[str, list[str]] = {}
    notes: dict[str, list[str]] = {}
    for s in SUCCESSIONS:
        for code in s.after:
            before.setdefault(code, []).extend(c for c in s.before if c != code)
            notes.setdefault(code, []).append(s.note)
        for code in s.before:
            after.setdefault(code, []).extend(c for c in s.after if c != code)
            if code not in s.after:
                notes.setdefault(code, []).append(s.note)
    return (
        latest.with_columns(
            pl.col("la_code")
            .map_elements(lambda c: ",".join(before.get(c, [])), pl.String)
            .alias("predecessors"),
            pl.col("la_code")
            .map_elements(lambda c: ",".join(after.get(c, [])), pl.String)
            .alias("successors"),
            pl.col("la_code")
            .map_elements(lambda c: " ".join(notes.get(c, [])), pl.String)
            .alias("lineage_note"),
        )
        .select([pl.col(c).cast(t) for c, t in AREA_SCHEMA.items()])
        .sort("area_name", "la_code")
    )


_SUFFIX = re.compile(r",\s*(city|county) of$", re.IGNORECASE)

#: Authorities whose names take the definite article in a sentence.
WITH_ARTICLE = frozenset({"Isles of Scilly", "City of London"})


def spoken_name(name: str) -> str:
    """An authority's name as a sentence or a title says it: DfE's names are for sorting
    ("Bristol, City of"), so the ", City of" or ", County of" at the end is left off, and
    the names that take an article have it ("the Isles of Scilly"; a sentence that starts
    with one capitalises it, see :func:`cscbench.analyses.wording.sentence_case`).

    Example:
        >>> spoken_name("Bristol, City of"), spoken_name("Herefordshire, County of")
        ('Bristol', 'Herefordshire')
        >>> spoken_name("Bournemouth, Christchurch and Poole"), spoken_name("City of London")
        ('Bournemouth, Christchurch and Poole', 'the City of London')
    """
    name = _SUFFIX.sub("", name)
    return f"the {name}" if name in WITH_ARTICLE else name


def name_key(name: str) -> str:
    """The form of a name that look-up compares: lower case, no punctuation or DfE suffix.

    Example:
        >>> name_key("Bristol, City of") == name_key("bristol")
        True
        >>> name_key("St. Helens") == name_key("St Helens")
        True
    """
    text = _SUFFIX.sub("", name.strip().lower()).replace("&", " and ")
    text = re.sub(r"[^a-z0-9 ]+", " ", text)
    return " ".join(text.split())


def find_area(query: str | int, areas: pl.DataFrame) -> dict:
    """The one authority that ``query`` names, as a dict of its :data:`AREA_SCHEMA` fields.

    Example:
        >>> areas = pl.DataFrame({"la_code": ["831", "342"],
        ...     "area_code": ["E06000015", "E08000013"], "area_name": ["Derby", "St. Helens"]})
        >>> find_area("st helens", areas)["la_code"]
        '342'
        >>> find_area("E06000015", areas)["area_name"], find_area(831, areas)["area_name"]
        ('Derby', 'Derby')

    A name that is the whole words of one authority's name finds it ("Hull" finds Kingston
    upon Hull); of several, it is an error that names them.
    """
    if isinstance(query, int) and not isinstance(query, bool):  # a 3-digit code as a number
        query = f"{query:03d}"
    if not isinstance(query, str):
        raise AreaNotFound(f"{query!r} is not an authority: give a name, a 3-digit or an ONS code")
    text = query.strip()
    for column in ("la_code", "area_code"):
        hit = areas.filter(pl.col(column).str.to_uppercase() == text.upper())
        if hit.height:
            return _newest(hit)
    key = name_key(text)
    keys = areas["area_name"].map_elements(name_key, pl.String)
    hit = areas.filter(keys == key)
    if hit.height:
        return _newest(hit)
    within = sorted({k for k in keys if key and f" {key} " in f" {k} "})
    if len(within) == 1 and not _names_a_region(key, areas):  # "Hull": one name, in part
        return _newest(areas.filter(keys == within[0]))
    candidates = dict(zip(keys.to_list(), areas["area_name"].to_list(), strict=True))
    if within and _names_a_region(key, areas):
        meant = f" (did you mean {candidates[within[0]]}?)" if len(within) == 1 else ""
        raise AreaNotFound(
            f"{query!r} names a region, not a local authority{meant}: give an authority's "
            "name or code; the region's figures are in every benchmark's 'region' column"
        )
    if within:
        names = and_or([candidates[k] for k in within])
        raise AreaNotFound(f"{query!r} could be {names}: give the whole name or the code")
    if "," in text:
        _several(text, areas)
    close = difflib.get_close_matches(key, list(candidates), n=4, cutoff=0.6)
    if not close:
        close = [k for k in candidates if key and key in k][:4]
    hint = f"; closest: {', '.join(candidates[k] for k in close)}" if close else ""
    raise AreaNotFound(f"no local authority called {query!r}{hint}")


def split_names(text: str, areas: pl.DataFrame) -> list[str]:
    """The authorities named in a comma-separated list, where a DfE name may hold a comma of
    its own ("Bristol, City of", "Bournemouth, Christchurch and Poole"): the longest run of
    pieces that names an authority is taken as one name. Each name is still to be looked up
    (:func:`find_area`); a list that names nothing is an error.

    Example:
        >>> areas = pl.DataFrame({"area_name": ["Bristol, City of", "Leeds"]})
        >>> split_names("Bristol, City of,Leeds", areas), split_names("Leeds, York", areas)
        (['Bristol, City of', 'Leeds'], ['Leeds', 'York'])
    """
    pieces = [piece.strip() for piece in text.split(",")]
    if not any(pieces):
        raise UsageError(f"{text!r} names nothing: give names or codes separated by commas")
    keys = {name_key(name) for name in areas["area_name"] if "," in name}
    names: list[str] = []
    start = 0
    while start < len(pieces):
        end = next(
            (
                end
                for end in range(len(pieces), start + 1, -1)
                if name_key(", ".join(pieces[start:end])) in keys
            ),
            start + 1,
        )
        names += [", ".join(pieces[start:end])] if pieces[start] else []
        start = end
    return names


def _several(text: str, areas: pl.DataFrame) -> None:
    """A one-line error pointing to the partnership pack when ``text`` names several
    authorities where one is wanted; nothing otherwise."""
    try:
        several = split_names(text, areas)
    except AreaNotFound:
        return
    if len(several) > 1:
        for name in several:  # one that names nothing is the error to give
            find_area(name, areas)
        raise AreaNotFound(
            f"{text!r} names {len(several)} authorities, and this takes one: for a "
            f'partnership, use cscbench report "{text}" (or partnership() in Python)'
        )


def _names_a_region(key: str, areas: pl.DataFrame) -> bool:
    """Whether ``key`` is words of a region's name ("london" of "Inner London")."""
    regions = areas["region_name"].drop_nulls().unique() if "region_name" in areas.columns else []
    return any(f" {key} " in f" {name_key(region)} " for region in regions)


def and_or(names: list[str]) -> str:
    """'A or B'; 'A, B or C'; with semicolons when a name holds a comma.

    Example:
        >>> and_or(["East Sussex", "West Sussex"]), and_or(["Bristol, City of", "Leeds"])
        ('East Sussex or West Sussex', 'Bristol, City of or Leeds')
        >>> and_or(["Bristol, City of", "Leeds", "York"])
        'Bristol, City of; Leeds or York'
    """
    if len(names) == 1:
        return names[0]
    comma = "; " if any("," in name for name in names) else ", "
    return f"{comma.join(names[:-1])} or {names[-1]}"


def _newest(hit: pl.DataFrame) -> dict:
    """Of several authorities sharing a name (Dorset 835 and 838), the one that exists now."""
    if "last_year" in hit.columns:
        hit = hit.sort("last_year", "la_code", descending=True)
    return hit.row(0, named=True)
