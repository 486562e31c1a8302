"""The local data cache: files a user imports (or fetches), and the active data set built from them.

Layout, under the cache folder (``--dest``, else ``$CSCBENCH_CACHE``, else the user's cache
directory from platformdirs, e.g. ``~/.cache/cscbench``)::

    raw/         one CSV file per source, named by its pattern (b1_children_in_need_imported.csv)
    sets/NAME/   data sets built from raw/ by ``cscbench data build``, snapshots like the shipped
    active.json  names the active one of sets/
    .lock        held by the one import, fetch or build writing at a time

When ``active.json`` names a data set, every function and command uses it instead of the
shipped snapshot (``cscbench data info`` says which is in use); if the data set it names is
missing, every command says so rather than fall back to the shipped snapshot.

Nothing is ever left half-written: a file is copied to a temporary name in the same folder and
renamed only when complete, and a new data set is built in a folder of its own and made active
by replacing ``active.json`` in one rename, only when the build has succeeded; a failure or a
kill at any moment leaves the previous good data active.

Example:
    >>> identify("../shared/data/dfe/cla_number_and_rate_per_10k_children.csv")
    'cla'
"""

from __future__ import annotations

import csv
import json
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from cscbench.datasets.registry import SOURCES
from cscbench.errors import DataError, UsageError

if TYPE_CHECKING:
    from cscbench.datasets.checks import Profile, Warn

ENV = "CSCBENCH_CACHE"
_BOM = "\ufeff"
#: The file naming the active data set (one of ``sets/``); replaced by one rename.
POINTER = "active.json"
#: The folder holding built data sets.
SETS = "sets"
#: The lock file that lets one import, fetch or build write at a time.
LOCK = ".lock"
#: The longest header line read when recognising a file.
HEADER_CHARS = 1 << 16


def cache_dir(dest: str | Path | None = None) -> Path:
    """The cache folder: ``dest``, else ``$CSCBENCH_CACHE``, else the user's cache directory."""
    if dest is not None:
        return Path(dest)
    if os.environ.get(ENV):
        return Path(os.environ[ENV])
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("cscbench", appauthor=False))


def active_dir(dest: str | Path | None = None) -> Path | None:
    """The active data set, if one has been built; else None (the shipped snapshot is used).

    A pointer file naming a data set that is missing or damaged is an error, said loudly:
    cscbench never falls back to the shipped snapshot silently when the user built their own.
    """
    cache = cache_dir(dest)
    pointer = cache / POINTER
    if pointer.is_file():
        try:
            name = json.loads(pointer.read_text(encoding="utf-8"))["folder"]
        except (OSError, ValueError, KeyError, TypeError):
            name = None
        folder = cache / SETS / name if isinstance(name, str) and name.isprintable() else None
        if folder is None or "/" in name or "\\" in name or name.startswith("."):
            raise DataError(pointer, None, None, "is damaged: run 'cscbench data build' again")
        if not (folder / "manifest.json").is_file():
            raise DataError(
                pointer,
                None,
                None,
                f"names the active data set {folder}, which is missing: run 'cscbench data "
                f"build' again, or delete {pointer} to use the shipped snapshot",
            )
        return folder
    legacy = cache / "active"  # the layout of cscbench before the pointer file
    if (legacy / "manifest.json").is_file():
        return legacy
    if (cache / ".active.previous" / "manifest.json").is_file():
        raise DataError(
            cache,
            None,
            None,
            "the active data set is missing (a build was interrupted; the one before it is "
            "in .active.previous): run 'cscbench data build' again",
        )
    return None


def header(path: str | Path) -> list[str]:
    """The column names of a CSV file (byte-order mark removed)."""
    path = Path(path)
    try:
        with open(path, encoding="utf-8", newline="") as handle:
            first = handle.readline(HEADER_CHARS)
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError(path, None, None, f"cannot be read as UTF-8 CSV ({exc})") from None
    return [c.strip() for c in next(csv.reader([first.removeprefix(_BOM)]), [])]


def identify(path: str | Path) -> str:
    """Which source a CSV file is, from its columns (not its name).

    A file that matches no source is rejected naming, for the closest source, the columns it
    lacks and those it has that the source does not.
    """
    from cscbench.datasets.loaders import required_columns
    from cscbench.datasets.recognise import identify as by_columns

    if Path(path).suffix.lower() == ".parquet":  # LAIT's published values, by their columns
        from cscbench.datasets.lait import VALUE_COLUMNS

        if set(VALUE_COLUMNS) <= set(_parquet_columns(path)):
            return "lait"
        raise DataError(path, None, None, "is not a parquet file cscbench knows (LAIT's values)")
    if Path(path).suffix.lower() in (".ods", ".xlsx"):  # Ofsted's spreadsheet, by its header
        from cscbench.datasets.ofsted import is_inspections

        if is_inspections(path):
            return "ofsted"
        raise DataError(path, None, None, "is not a spreadsheet cscbench knows (Ofsted's ILACS)")
    found = by_columns(path)  # columns, and for look-alike long files, breakdown values
    if found is not None:
        return found
    columns = set(header(path))

    def overlap(key: str) -> int:
        return len(set(required_columns(key)) & columns)

    best = max(SOURCES, key=overlap)
    missing = [c for c in required_columns(best) if c not in columns]
    extra = sorted(columns - set(required_columns(best)))
    detail = f"missing {', '.join(missing)}"
    if extra:
        detail += f"; unexpected {', '.join(extra[:8])}" + (" ..." if len(extra) > 8 else "")
    raise DataError(
        path, 1, None, f"is not a file cscbench knows; closest is {SOURCES[best].title} ({detail})"
    )


def canonical_name(key: str) -> str:
    """The name a source's file gets in the cache: its pattern with 'imported' for the wildcard."""
    return SOURCES[key].pattern.replace("*", "imported")


def _parquet_columns(path: str | Path) -> list[str]:
    """A parquet file's columns, or one line saying it is not one."""
    import polars as pl

    try:
        return list(pl.read_parquet_schema(path))
    except Exception as exc:  # polars raises several kinds for a file that is not parquet
        raise DataError(
            path, None, None, f"cannot be read as parquet ({type(exc).__name__})"
        ) from None


def check_file(path: Path, key: str, warn: Warn | None = None) -> Profile:
    """Parse the file as its source would be parsed, and check that its figures are possible
    (:mod:`cscbench.datasets.checks`), so bad cells stop the import, not later."""
    from cscbench.datasets.checks import check_file as check

    if key == "lait":  # LAIT's values: read whole when built, beside their dictionary
        import polars as pl

        from cscbench.datasets.checks import Profile

        _parquet_columns(path)
        return Profile(pl.scan_parquet(path).select(pl.len()).collect().item())
    if key == "lait_dictionary":
        from cscbench.datasets.checks import Profile
        from cscbench.datasets.lait import read_measures

        return Profile(read_measures(path)[0].height)
    if SOURCES[key].kind == "inspections":  # read whole, as the build will: every cell checked
        from cscbench.datasets.checks import Profile
        from cscbench.datasets.ofsted import check_inspections

        return Profile(check_inspections(path))
    return check(path, key, warn)


def _profile_of(path: Path, key: str) -> Profile | None:
    """The profile of a file already in the cache, or None if it cannot be read."""
    try:
        return check_file(path, key)
    except (DataError, UsageError):
        return None


@contextmanager
def writing(cache: Path) -> Iterator[None]:
    """Hold the cache's write lock: one import, fetch or build at a time; a second is told
    so at once (never left to race the first)."""
    from filelock import FileLock, Timeout

    cache.mkdir(parents=True, exist_ok=True)
    lock = FileLock(cache / LOCK, timeout=0)
    try:
        lock.acquire()
    except Timeout:
        raise UsageError(
            f"another cscbench data import, fetch or build is writing to {cache}: "
            "try again when it has finished"
        ) from None
    try:
        yield
    finally:
        lock.release()


def import_files(
    paths: list[str | Path],
    dest: str | Path | None = None,
    allow_shrink: bool = False,
    warn: Warn | None = None,
) -> list[tuple[str, Path]]:
    """Check and copy hand-downloaded CSV files into the cache; return (source, cached file).

    All files are checked before any is copied, so one bad file changes nothing. A file with
    no rows, or far fewer than the one it replaces, is refused unless ``allow_shrink``.
    """
    from cscbench.datasets.checks import check_shrink

    cache = cache_dir(dest)
    raw = cache / "raw"
    checked = []
    for path in map(Path, paths):
        if not path.is_file():
            raise UsageError(f"{path}: no such file")
        key = identify(path)
        new = check_file(path, key, warn)
        old = next(iter(sorted(raw.glob(SOURCES[key].pattern))), None)
        check_shrink(new, _profile_of(old, key) if old else None, path, key, allow_shrink)
        checked.append((key, path))
    keys = [k for k, _ in checked]
    doubled = {k for k in keys if keys.count(k) > 1}
    if doubled:
        raise UsageError(f"more than one file for {', '.join(sorted(doubled))}: import one of each")
    done = []
    with writing(cache):
        raw.mkdir(parents=True, exist_ok=True)
        for key, path in checked:
            target = raw / canonical_name(key)
            tmp = raw / f".{target.name}.{os.getpid()}.part"
            shutil.copyfile(path, tmp)
            tmp.replace(target)
            for old in raw.glob(SOURCES[key].pattern):
                if old != target:
                    old.unlink()
            done.append((key, target))
    return done


def _set_name() -> str:
    """A new data set folder's name: when it was built and by which process."""
    return f"{datetime.now(UTC).strftime('%Y%m%dT%H%M%S%f')}-{os.getpid()}"


def _switch(cache: Path, name: str) -> None:
    """Make data set ``name`` the active one in one step: the pointer file is written whole
    beside itself and renamed over the old one; then all but the new and the previous data
    set are removed."""
    pointer = cache / POINTER
    previous = None
    if pointer.is_file():
        with suppress(OSError, ValueError, KeyError, TypeError):
            previous = json.loads(pointer.read_text(encoding="utf-8"))["folder"]
    tmp = cache / f".{POINTER}.{os.getpid()}.part"
    tmp.write_text(json.dumps({"folder": name}) + "\n", encoding="utf-8")
    tmp.replace(pointer)
    for old in (cache / SETS).iterdir():
        if old.name not in (name, previous):
            shutil.rmtree(old, ignore_errors=True)
    shutil.rmtree(cache / "active", ignore_errors=True)  # the layout before the pointer file


def build_active(
    dest: str | Path | None = None,
    derive=None,
    allow_shrink: bool = False,
    warn: Warn | None = None,
) -> dict:
    """Build the active data set from the cache's raw files; switch to it only if the build
    works (see :func:`_switch`).

    Every source must be in the cache; a missing one is named with how to add it. A source
    file with far fewer rows, years or authorities than the active data set's is refused
    unless ``allow_shrink``.
    """
    from cscbench.datasets.snapshot import build_snapshot, read_manifest

    cache = cache_dir(dest)
    raw = cache / "raw"
    missing = [k for k, s in SOURCES.items() if not s.optional and not any(raw.glob(s.pattern))]
    if missing:
        names = ", ".join(SOURCES[k].pattern for k in missing)
        raise UsageError(
            f"the cache at {cache} has no {names}: add them with "
            "cscbench data import FILE (or data fetch)"
        )
    with writing(cache):
        try:
            current = active_dir(dest)
        except DataError:  # the pointer names a missing data set: this build replaces it
            current = None
        previous = read_manifest(current) if current is not None else None
        name = _set_name()
        building = cache / SETS / f".{name}.building"
        try:
            manifest = build_snapshot(
                raw,
                building,
                derive=derive,
                previous=previous,
                allow_shrink=allow_shrink,
                warn=warn,
            )
            building.replace(cache / SETS / name)
        finally:
            shutil.rmtree(building, ignore_errors=True)
        _switch(cache, name)
    return manifest


def build_folder(
    raw_dir: str | Path,
    out: str | Path,
    derive=None,
    allow_shrink: bool = False,
    warn: Warn | None = None,
) -> dict:
    """Build a snapshot from ``raw_dir`` into ``out`` (``data build --from DIR --out OUT``):
    built beside ``out`` and moved in only when complete, so ``out`` never mixes two builds.

    ``out`` may be new, empty, or an earlier snapshot (which is replaced); any other folder is
    refused, so the user's own files are never overwritten.
    """
    from cscbench.datasets.snapshot import MANIFEST, build_snapshot, read_manifest

    out = Path(out)
    if not Path(raw_dir).is_dir():
        raise UsageError(f"--from {raw_dir}: no such folder")
    if out.is_symlink() or (out.exists() and not out.is_dir()):
        raise UsageError(f"--out {out}: not a folder")
    earlier = out.is_dir() and (out / MANIFEST).is_file()
    if out.is_dir() and not earlier and any(out.iterdir()):
        raise UsageError(
            f"--out {out}: holds files that are not a cscbench snapshot; give a new or empty folder"
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    with writing_folder(out):
        previous = read_manifest(out) if earlier else None
        building = out.with_name(f".{out.name}.building-{os.getpid()}")
        old = out.with_name(f".{out.name}.previous-{os.getpid()}")
        try:
            manifest = build_snapshot(
                raw_dir,
                building,
                derive=derive,
                previous=previous,
                allow_shrink=allow_shrink,
                warn=warn,
            )
            if out.exists():
                out.replace(old)
            building.replace(out)
        finally:
            shutil.rmtree(building, ignore_errors=True)
            shutil.rmtree(old, ignore_errors=True)
    return manifest


@contextmanager
def writing_folder(out: Path) -> Iterator[None]:
    """The write lock of a snapshot folder given with ``--out`` (a file beside it)."""
    from filelock import FileLock, Timeout

    lock = FileLock(out.with_name(f".{out.name}.lock"), timeout=0)
    try:
        lock.acquire()
    except Timeout:
        raise UsageError(
            f"another cscbench data build is writing to {out}: try again when it has finished"
        ) from None
    try:
        yield
    finally:
        lock.release()
