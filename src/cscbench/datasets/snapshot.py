"""The data snapshot shipped inside the package, and how it is built from the raw files.

The snapshot is a handful of small parquet files (indicators, assessment factors, neighbour
models, authorities, authority codes) and ``manifest.json``, which records each source file's
name, sha256 and row count, the accounting of every input row, each table's sha256, the build
time and the Open Government Licence v3.0 attribution.

Rebuilding from the same raw files with the same polars gives byte-identical parquet files;
only ``built_at`` in the manifest changes (set ``SOURCE_DATE_EPOCH`` to fix it too).

Example:
    >>> manifest = read_manifest()
    >>> manifest["licence"].startswith("Contains public sector information")
    True
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

import polars as pl

from cscbench import __version__

SNAPSHOT_DIR = Path(str(resources.files("cscbench.datasets").joinpath("snapshot")))
MANIFEST = "manifest.json"
TABLES = ("indicators", "factors", "neighbours", "areas", "lineage", "inspections")
#: Tables computed from the indicators by a later layer (the analyses' authority panel).
DERIVED = ("panel",)

Derive = Callable[[pl.DataFrame], dict[str, pl.DataFrame]]

LICENCE = (
    "Contains public sector information licensed under the Open Government Licence v3.0 "
    "(https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/). "
    "Sources: Department for Education, 'Children in need', 'Children looked after in "
    "England including adoptions' and 'Children's social work workforce' statistics, and "
    "DfE's statistical neighbour models; Ofsted, local authority children's services "
    "inspection outcomes; Office for National Statistics, mid-year population estimates."
)


class _NoProfile:
    """The profile of a file the CSV checks do not read (Ofsted's spreadsheet)."""

    def as_dict(self) -> dict:
        return {}


_NONE = _NoProfile()


def _years(indicators: pl.DataFrame) -> list[int]:
    """The first and last years of the files every data set has (children in need and
    looked after); a later optional file (the workforce census) does not move them."""
    from cscbench.datasets.registry import core_indicators

    core = indicators.filter(pl.col("indicator").is_in(core_indicators()))
    return [int(core["year"].min()), int(core["year"].max())]


def sha256(path: str | Path) -> str:
    """The sha256 of a file's bytes, as hex."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def built_at() -> str:
    """Now, or ``SOURCE_DATE_EPOCH`` where set (reproducible builds), in UTC to the second."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = datetime.fromtimestamp(int(epoch), UTC) if epoch else datetime.now(UTC)
    return moment.replace(microsecond=0).isoformat()


def _line_count(path: Path) -> int:
    """Data rows in a CSV file: its non-blank lines less the header."""
    with open(path, "rb") as handle:
        return sum(1 for line in handle if line.strip()) - 1


#: The numeric libraries whose releases can change a computed float in its last digit.
NUMERIC_LIBRARIES = ("polars", "numpy", "scipy", "statsmodels")


def library_versions() -> dict[str, str]:
    """The installed release of each of :data:`NUMERIC_LIBRARIES` (recorded in the manifest:
    a rebuild is byte-identical only where they all match).

    Example:
        >>> sorted(library_versions())
        ['numpy', 'polars', 'scipy', 'statsmodels']
    """
    from importlib.metadata import version

    return {name: version(name) for name in NUMERIC_LIBRARIES}


def _previous_profile(previous: dict | None, key: str) -> dict | None:
    """What the snapshot being replaced held of source ``key`` (rows, years, authorities)."""
    if previous is None:
        return None
    entry = next((s for s in previous.get("sources", ()) if s.get("key") == key), None)
    if entry is None:
        return None
    return {m: entry[m] for m in ("rows", "years", "authorities") if isinstance(entry.get(m), int)}


def build_snapshot(
    raw_dir: str | Path,
    out_dir: str | Path | None = None,
    derive: Derive | None = None,
    previous: dict | None = None,
    allow_shrink: bool = False,
    warn: Callable[[str], None] | None = None,
) -> dict:
    """Build the snapshot from a folder of raw DfE files; return the manifest written.

    ``out_dir`` defaults to the package's own snapshot folder (what ``datasets/build.py`` and
    ``cscbench data build`` write). ``derive`` computes further tables from the indicator frame
    (``cscbench.analyses.derived_tables`` adds the precomputed authority panel, so that a
    command reads its statistics instead of computing them for all of England).

    Every source file is checked first (:mod:`cscbench.datasets.checks`): an impossible figure
    stops the build; a warning is passed to ``warn`` and recorded in the manifest. Given the
    manifest of the snapshot being replaced (``previous``), a file with far fewer rows, years
    or authorities than that snapshot's is refused unless ``allow_shrink``.

    Example:
        >>> import tempfile
        >>> manifest = build_snapshot("../shared/data/dfe", tempfile.mkdtemp())
        >>> sorted(t["name"] for t in manifest["tables"])
        ['areas', 'factors', 'indicators', 'inspections', 'lineage', 'neighbours']
    """
    from cscbench.datasets.checks import check_folder, check_shrink
    from cscbench.datasets.loaders import find_source_file, read_raw
    from cscbench.datasets.registry import SOURCES

    warnings: list[str] = []

    def said(text: str) -> None:
        warnings.append(text)
        if warn is not None:
            warn(text)

    profiles = check_folder(raw_dir, said)
    for key, found in profiles.items():
        check_shrink(
            found,
            _previous_profile(previous, key),
            find_source_file(raw_dir, key),
            key,
            allow_shrink,
        )
    raw = read_raw(raw_dir)
    out = Path(out_dir) if out_dir is not None else SNAPSHOT_DIR
    out.mkdir(parents=True, exist_ok=True)
    tables = {
        "indicators": raw.indicators,
        "factors": raw.factors,
        "neighbours": raw.neighbours,
        "areas": raw.areas,
        "lineage": raw.lineage,
        "inspections": raw.inspections,
    }
    if derive is not None:
        tables.update(derive(raw.indicators))
    for stale in DERIVED:
        if stale not in tables:
            (out / f"{stale}.parquet").unlink(missing_ok=True)
    written = []
    for name, frame in tables.items():
        path = out / f"{name}.parquet"
        tmp = path.with_suffix(".parquet.tmp")
        frame.write_parquet(tmp, compression="zstd", compression_level=19, statistics=True)
        tmp.replace(path)
        written.append(
            {
                "name": name,
                "file": path.name,
                "rows": frame.height,
                "columns": frame.columns,
                "sha256": sha256(path),
            }
        )
    accounting = (
        raw.accounting.group_by("file", "outcome", "reason")
        .len("rows")
        .sort("file", "outcome", "reason")
    )
    indicators = raw.indicators
    manifest = {
        "name": "cscbench data snapshot",
        "built_at": built_at(),
        "built_by": f"cscbench {__version__}, polars {pl.__version__}",
        "libraries": library_versions(),
        "licence": LICENCE,
        "years": _years(indicators),
        "authorities": int(raw.areas.height),
        "indicators": sorted(indicators["indicator"].unique().to_list()),
        "sources": [
            {
                "key": key,
                "file": path.name,
                "title": SOURCES[key].title,
                "publication": SOURCES[key].publication,
                "sha256": sha256(path),
                "rows": _line_count(path) if path.suffix == ".csv" else raw.inspections.height,
                **{k: v for k, v in profiles.get(key, _NONE).as_dict().items() if k != "rows"},
            }
            for key, path in sorted(raw.files.items())
        ],
        "warnings": warnings,
        "accounting": accounting.to_dicts(),
        "tables": written,
    }
    (out / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest


def read_manifest(snapshot_dir: str | Path | None = None) -> dict:
    """The manifest of a snapshot (default: the shipped one); a damaged one is one line."""
    from cscbench.errors import DataError

    folder = Path(snapshot_dir) if snapshot_dir is not None else SNAPSHOT_DIR
    path = folder / MANIFEST
    try:
        found = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise DataError(path, None, None, f"cannot be read ({exc.strerror})") from None
    except (ValueError, UnicodeDecodeError):
        raise DataError(path, None, None, "is not a cscbench manifest (damaged?)") from None
    if not isinstance(found, dict) or not isinstance(found.get("tables"), list):
        raise DataError(path, None, None, "is not a cscbench manifest (damaged?)")
    return found


def verify(snapshot_dir: str | Path | None = None) -> dict:
    """Check every table of a snapshot against its manifest's sha256; return the manifest.

    A snapshot whose files do not match (a build killed half-way through an older cscbench,
    a file edited or swapped by hand) is refused in one line naming the file, never read.
    Hashing the whole snapshot (3 MB) takes about 5 ms.

    Example:
        >>> verify()["name"]
        'cscbench data snapshot'
    """
    from cscbench.errors import DataError

    folder = Path(snapshot_dir) if snapshot_dir is not None else SNAPSHOT_DIR
    found = read_manifest(folder)
    for table in found["tables"]:
        name = table.get("file") if isinstance(table, dict) else None
        if not isinstance(name, str) or Path(name).name != name:
            raise DataError(folder / MANIFEST, None, None, "lists a table without a file name")
        path = folder / name
        if not path.is_file() or path.is_symlink():
            raise DataError(path, None, None, "is missing from its data set: rebuild it")
        if sha256(path) != table.get("sha256"):
            raise DataError(
                path,
                None,
                None,
                "does not match the sha256 in its data set's manifest (damaged, changed, or "
                "left by an interrupted build): rebuild the data set",
            )
    return found


def scan_table(name: str, snapshot_dir: str | Path | None = None) -> pl.LazyFrame:
    """A lazy scan of one snapshot table, so a command reads only the rows and columns it needs."""
    folder = Path(snapshot_dir) if snapshot_dir is not None else SNAPSHOT_DIR
    return pl.scan_parquet(folder / f"{name}.parquet")


def has_table(name: str, snapshot_dir: str | Path | None = None) -> bool:
    """Whether a snapshot folder holds table ``name`` (derived tables are optional)."""
    folder = Path(snapshot_dir) if snapshot_dir is not None else SNAPSHOT_DIR
    return (folder / f"{name}.parquet").is_file()
