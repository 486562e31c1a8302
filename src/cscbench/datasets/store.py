"""Where the data comes from: the shipped snapshot by default, or a folder of raw DfE files.

Every loading function takes ``source``:

- ``None`` (default): the active data set built in the cache by ``cscbench data build`` if
  there is one (:mod:`cscbench.datasets.cache`), else the snapshot shipped inside the package
  (works offline);
- a folder holding ``manifest.json``: another snapshot (one written by ``cscbench data build``);
- any other folder: raw DfE files, read and checked afresh (kept in memory for the session).

A snapshot is checked when first opened in a process: each of its files must have the sha256
its manifest records (:func:`cscbench.datasets.snapshot.verify`), else it is refused.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

import polars as pl

from cscbench.datasets.snapshot import (
    MANIFEST,
    SNAPSHOT_DIR,
    TABLES,
    has_table,
    read_manifest,
    scan_table,
    verify,
)

Source = str | Path | None


@lru_cache(maxsize=4)
def _raw_tables(folder: str) -> dict[str, pl.DataFrame]:
    from cscbench.datasets.loaders import read_raw

    raw = read_raw(folder)
    return {name: getattr(raw, name) for name in TABLES}


@lru_cache(maxsize=16)
def _verified(folder: str, stamp: tuple[int, int]) -> None:
    verify(folder)


def opened(folder: str | Path | None = None) -> Path:
    """A snapshot folder (default: the shipped one), verified against its manifest once per
    process (again if the manifest changes)."""
    folder = Path(folder) if folder is not None else SNAPSHOT_DIR
    try:
        stat = (folder / MANIFEST).stat()
    except OSError:
        stat = None
    _verified(str(folder.resolve()), (stat.st_mtime_ns, stat.st_size) if stat else (0, 0))
    return folder


def resolve(source: Source) -> Source:
    """The folder ``source`` names, with None meaning the active data set if there is one.

    Example:
        >>> resolve("/some/folder")
        '/some/folder'
    """
    if source is None:
        from cscbench.datasets.cache import active_dir

        return active_dir()
    return source


def scan(name: str, source: Source = None) -> pl.LazyFrame:
    """A lazy frame of snapshot table ``name`` (indicators, factors, neighbours, areas, lineage).

    Example:
        >>> scan("areas").select(pl.len()).collect().item() > 150
        True
    """
    source = resolve(source)
    if source is None:
        return _table(name, opened())
    folder = Path(source)
    if (folder / MANIFEST).is_file():
        return _table(name, opened(folder))
    return _raw_tables(str(folder.resolve()))[name].lazy()


def stored(name: str, source: Source = None) -> pl.LazyFrame | None:
    """A derived table stored in the snapshot in use, or None (raw files, or not built).

    Read as :func:`_table` reads every snapshot table.

    Example:
        >>> stored("panel") is not None
        True
    """
    source = resolve(source)
    if source is None:
        folder = opened() if has_table(name) else None
    else:
        folder = Path(source)
        ok = (folder / MANIFEST).is_file() and has_table(name, folder)
        folder = opened(folder) if ok else None
    return None if folder is None else _table(name, folder)


def _table(name: str, folder: Path) -> pl.LazyFrame:
    """Table ``name`` of the snapshot in ``folder`` (verified): scanned from its file, so a
    command reads only the rows it wants; within :func:`holding`, read whole once and held."""
    if not _HOLDING:
        return scan_table(name, folder)
    path = folder / f"{name}.parquet"
    try:
        stat = path.stat()
    except OSError:  # scanned as before: polars names the missing file
        return scan_table(name, folder)
    return _held(str(path.resolve()), stat.st_mtime_ns, stat.st_size).lazy()


#: How many :func:`holding` blocks are open (a process that makes packs holds throughout).
_HOLDING = 0


@contextmanager
def holding() -> Iterator[None]:
    """Within this block each snapshot table is read whole once and held in memory, and
    every later read of it filters the held frame: a pack asks for the authority panel four
    times (scanning 6 MB of parquet each time was 100 ms of its 1.2 s outside drawing), and a
    batch of packs asks for it hundreds of times. Held: the panel 120 MB, the indicators 35
    MB. A file changed meanwhile (a data set rebuilt) is read afresh. Leaving the outermost
    block lets the tables go.

    Example:
        >>> with holding():
        ...     first = scan("areas").collect()
        ...     scan("areas").collect().equals(first)
        True
    """
    global _HOLDING
    _HOLDING += 1
    try:
        yield
    finally:
        _HOLDING -= 1
        if not _HOLDING:
            _held.cache_clear()


def hold_tables() -> None:
    """Hold every snapshot table from now on in this process (see :func:`holding`): for a
    process that does nothing but make packs."""
    global _HOLDING
    _HOLDING += 1


@lru_cache(maxsize=len(TABLES) + 2)
def _held(path: str, mtime_ns: int, size: int) -> pl.DataFrame:
    """A snapshot file read whole, once per version of the file."""
    return pl.read_parquet(path)


def manifest(source: Source = None) -> dict | None:
    """The manifest of the snapshot in use; None when reading raw files directly."""
    folder = snapshot_folder(source)
    return None if folder is None else read_manifest(folder)


def snapshot_folder(source: Source = None) -> Path | None:
    """The snapshot folder in use, verified (:func:`opened`); None when reading raw files.

    Example:
        >>> snapshot_folder() == SNAPSHOT_DIR
        True
    """
    source = resolve(source)
    if source is None:
        return opened()
    folder = Path(source)
    return opened(folder) if (folder / MANIFEST).is_file() else None


def data_built_at(source: Source = None) -> str | None:
    """When the snapshot in use was built (its manifest's ``built_at``), read once per version
    of the manifest (a pack's every chart note says it); None when reading raw files.

    Example:
        >>> data_built_at() == manifest()["built_at"]
        True
    """
    folder = snapshot_folder(source)
    if folder is None:
        return None
    stat = (folder / MANIFEST).stat()
    return _data_built_at(str(folder.resolve()), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=16)
def _data_built_at(folder: str, mtime_ns: int, size: int) -> str:
    return read_manifest(folder)["built_at"]
