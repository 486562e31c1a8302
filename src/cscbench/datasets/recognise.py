"""Recognising DfE's files by their columns, not their names.

A file is a tidy source if it has the geography columns, the source's breakdown columns and
every column the catalogue's indicators read from it; where two sources have the same columns
(care leavers' activity and accommodation; health outcomes and new placements), the one whose
indicators' breakdown values the file holds. Other sources list the columns they need.
"""

from __future__ import annotations

from pathlib import Path

from cscbench.datasets.catalogue import CATALOGUE, Catalogue, Source
from cscbench.datasets.csvfile import read_text_table
from cscbench.datasets.loaders import GEOGRAPHY_COLUMNS
from cscbench.errors import DataError


def required_columns(source: Source, catalogue: Catalogue = CATALOGUE) -> list[str]:
    """The columns a file must have to be ``source``: for a tidy source, the geography, its
    breakdown columns and every column its indicators read.

    Example:
        >>> required_columns(CATALOGUE.sources["cla_social_workers"])[-4:]
        ['cla_group', 'sw_stability', 'number', 'percentage']
    """
    if source.kind != "tidy":
        return [*(GEOGRAPHY_COLUMNS if source.geography else []), *source.columns]
    columns = [*GEOGRAPHY_COLUMNS, *source.breakdown]
    columns += [c for c in (source.count, source.percent) if c]
    for ind in catalogue.indicators.values():
        if ind.source == source.key:
            for term in (ind.numerator, ind.denominator):
                columns += list(term.columns) if term else []
            columns += [ind.published] if ind.published else []
    return list(dict.fromkeys(columns))


def required_values(source: Source, catalogue: Catalogue = CATALOGUE) -> dict[str, set[str]]:
    """The breakdown values a file of ``source`` must hold: those its indicators read.

    Example:
        >>> sorted(required_values(CATALOGUE.sources["care_leavers_accommodation"])["breakdown"])
        ['Accommodation considered suitable', 'Suitability total']
    """
    values: dict[str, set[str]] = {}
    for ind in catalogue.indicators.values():
        if ind.source != source.key:
            continue
        terms = [t.where for t in (ind.numerator, ind.denominator) if t]
        for column, accepted in (*ind.rows, *[w for where in terms for w in where]):
            values.setdefault(column, set()).update(accepted)
    return values


def _header(path: Path) -> list[str]:
    from cscbench.datasets.cache import header

    return header(path)


def missing_values(frame, source: Source, catalogue: Catalogue = CATALOGUE):
    """The first breakdown (column, value) the indicators of ``source`` read that ``frame``
    lacks, or None."""
    for column, wanted in required_values(source, catalogue).items():
        present = set(frame[column].drop_nulls()) if column in frame.columns else set()
        for value in sorted(wanted - present):
            return column, value
    return None


def candidates(path: str | Path, catalogue: Catalogue = CATALOGUE) -> list[str]:
    """The sources whose columns a CSV file has, from its header alone (several where sources
    share their columns and differ only in their breakdown values: see :func:`identify`).

    Example:
        >>> candidates("../shared/data/dfe/la_care_leavers_accommodation_suitability.csv")
        ['care_leavers_activity', 'care_leavers_accommodation']
    """
    columns = set(_header(Path(path)))
    return [
        s.key for s in catalogue.sources.values() if set(required_columns(s, catalogue)) <= columns
    ]


def identify(path: str | Path, catalogue: Catalogue = CATALOGUE) -> str | None:
    """The source a CSV file is, from its columns (and, where two sources have the same
    columns, from the breakdown values their indicators read); None if it is none.

    A file with a source's columns that lacks a breakdown value the source's indicators read
    (DfE renamed a row) is refused, naming the value, rather than passed over.

    Example:
        >>> identify("../shared/data/dfe/la_care_leavers_accommodation_suitability.csv")
        'care_leavers_accommodation'
    """
    path = Path(path)
    columns = set(_header(path))
    matches = [
        s for s in catalogue.sources.values() if set(required_columns(s, catalogue)) <= columns
    ]
    if not any(required_values(s, catalogue) for s in matches):
        found = matches
    else:
        frame = read_text_table(path)
        if frame.is_empty():  # no rows to tell by: the shrink check says what is wrong
            return matches[0].key if len(matches) == 1 else _ambiguous(path, matches)
        found = [s for s in matches if missing_values(frame, s, catalogue) is None]
        if not found:
            column, value = missing_values(frame, matches[0], catalogue)
            raise DataError(
                path,
                None,
                column,
                f"has the columns of {matches[0].title} but "
                f"no row with {column} = {value!r}, which its indicators read",
            )
    if len(found) > 1:
        _ambiguous(path, found)
    return found[0].key if found else None


def _ambiguous(path: Path, found: list[Source]):
    keys = ", ".join(s.key for s in found)
    raise DataError(path, 1, None, f"matches more than one source: {keys}")


def find_files(raw_dir: str | Path, catalogue: Catalogue = CATALOGUE):
    """Recognise the files in ``raw_dir``: (source key -> file, file name -> why not read).

    Example:
        >>> files, other = find_files("../shared/data/dfe")
        >>> files["csww"].name, other["LTLA-UTLA_Apr23_Lookup_England-Wales.csv"]
        ('csww_indicators_2017_to_2025.csv', 'not a file cscbench reads')
    """
    raw_dir = Path(raw_dir)
    if not raw_dir.is_dir():
        raise DataError(raw_dir, None, None, "is not a folder of DfE files")
    files: dict[str, Path] = {}
    other: dict[str, str] = {}
    for path in sorted(p for p in raw_dir.iterdir() if p.is_file()):
        if path.suffix.lower() == ".csv":
            key = identify(path, catalogue)
        elif path.suffix.lower() in (".ods", ".xlsx"):
            from cscbench.datasets.ofsted import is_inspections

            key = "ofsted" if is_inspections(path) else None
        else:
            key = None
        if key is None:
            other[path.name] = "not a file cscbench reads"
            continue
        if key in files:
            raise DataError(
                raw_dir, None, None, f"{files[key].name} and {path.name} are both {key}: keep one"
            )
        files[key] = path
        kind = catalogue.sources[key].kind
        if kind not in ("tidy", "population", "lineage"):
            other[path.name] = f"{kind}: read by its own reader, not by the tidy reader"
    return files, other
