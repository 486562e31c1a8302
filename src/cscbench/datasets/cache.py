"""The local data cache: files a user imports (or fetches), and the active data set built from them.

Layout, under the cache folder (``--dest``, else ``$CSCBENCH_CACHE``, else the user's cache
directory from platformdirs, e.g. ``~/.cache/cscbench``)::

    raw/     one CSV file per source, named by its pattern (b1_children_in_need_imported.csv)
    active/  the data set built from raw/ by ``cscbench data build``, a snapshot like the shipped

When ``active/`` holds a snapshot, every function and command uses it instead of the shipped
snapshot (``cscbench data info`` says which is in use).

Nothing is ever left half-written: a file is copied to a temporary name in the same folder and
renamed only when complete, and a new active data set is built beside the old one and swapped
in only when the build has succeeded; a failure leaves the previous good data as it was.

Example:
    >>> identify("../shared/data/dfe/cla_number_and_rate_per_10k_children.csv")
    'cla'
"""

from __future__ import annotations

import csv
import os
import shutil
from pathlib import Path

from cscbench.datasets.registry import SOURCES
from cscbench.errors import DataError, UsageError

ENV = "CSCBENCH_CACHE"
_BOM = "\ufeff"


def cache_dir(dest: str | Path | None = None) -> Path:
    """The cache folder: ``dest``, else ``$CSCBENCH_CACHE``, else the user's cache directory."""
    if dest is not None:
        return Path(dest)
    if os.environ.get(ENV):
        return Path(os.environ[ENV])
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("cscbench", appauthor=False))


def active_dir(dest: str | Path | None = None) -> Path | None:
    """The active data set, if one has been built; else None (the shipped snapshot is used)."""
    folder = cache_dir(dest) / "active"
    return folder if (folder / "manifest.json").is_file() else None


def header(path: str | Path) -> list[str]:
    """The column names of a CSV file (byte-order mark removed)."""
    path = Path(path)
    try:
        with open(path, encoding="utf-8", newline="") as handle:
            first = handle.readline()
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError(path, None, None, f"cannot be read as UTF-8 CSV ({exc})") from None
    return [c.strip() for c in next(csv.reader([first.removeprefix(_BOM)]), [])]


def identify(path: str | Path) -> str:
    """Which source a CSV file is, from its columns (not its name).

    A file that matches no source is rejected naming, for the closest source, the columns it
    lacks and those it has that the source does not.
    """
    from cscbench.datasets.loaders import required_columns

    columns = set(header(path))
    matches = [k for k in SOURCES if set(required_columns(k)) <= columns]
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        raise DataError(path, 1, None, f"matches more than one source: {', '.join(matches)}")

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


def check_file(path: Path, key: str) -> None:
    """Parse the file as its source would be parsed, so bad cells stop the import, not later."""
    from cscbench.datasets.csvfile import parse_measure, read_text_table
    from cscbench.datasets.loaders import measure_columns, required_columns

    repeated = {"SNP": 10} if key == "sn2021" else {}
    required = [c for c in required_columns(key) if c not in repeated]  # repeats: counted
    frame = read_text_table(path, required=required, repeated=repeated)
    for column in measure_columns(key):
        whole = not (column.endswith("_percent") or column.startswith("rate_"))
        parse_measure(frame, column, path, whole=whole)


def import_files(paths: list[str | Path], dest: str | Path | None = None) -> list[tuple[str, Path]]:
    """Check and copy hand-downloaded CSV files into the cache; return (source, cached file).

    All files are checked before any is copied, so one bad file changes nothing.
    """
    raw = cache_dir(dest) / "raw"
    checked = []
    for path in map(Path, paths):
        if not path.is_file():
            raise UsageError(f"{path}: no such file")
        key = identify(path)
        check_file(path, key)
        checked.append((key, path))
    keys = [k for k, _ in checked]
    doubled = {k for k in keys if keys.count(k) > 1}
    if doubled:
        raise UsageError(f"more than one file for {', '.join(sorted(doubled))}: import one of each")
    raw.mkdir(parents=True, exist_ok=True)
    done = []
    for key, path in checked:
        target = raw / canonical_name(key)
        tmp = raw / f".{target.name}.part"
        shutil.copyfile(path, tmp)
        tmp.replace(target)
        for old in raw.glob(SOURCES[key].pattern):
            if old != target:
                old.unlink()
        done.append((key, target))
    return done


def build_active(dest: str | Path | None = None, derive=None) -> dict:
    """Build the active data set from the cache's raw files; swap it in only if the build works.

    Every source must be in the cache; a missing one is named with how to add it.
    """
    from cscbench.datasets.snapshot import build_snapshot

    cache = cache_dir(dest)
    raw = cache / "raw"
    missing = [k for k in SOURCES if not any(raw.glob(SOURCES[k].pattern))]
    if missing:
        names = ", ".join(SOURCES[k].pattern for k in missing)
        raise UsageError(
            f"the cache at {cache} has no {names}: add them with "
            "cscbench data import FILE (or data fetch)"
        )
    building = cache / ".active.building"
    shutil.rmtree(building, ignore_errors=True)
    manifest = build_snapshot(raw, building, derive=derive)
    previous = cache / ".active.previous"
    shutil.rmtree(previous, ignore_errors=True)
    active = cache / "active"
    if active.exists():
        active.replace(previous)
    building.replace(active)
    shutil.rmtree(previous, ignore_errors=True)
    return manifest
