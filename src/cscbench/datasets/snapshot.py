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
TABLES = ("indicators", "factors", "neighbours", "areas", "lineage")
#: Tables computed from the indicators by a later layer (the analyses' authority panel).
DERIVED = ("panel",)

Derive = Callable[[pl.DataFrame], dict[str, pl.DataFrame]]

LICENCE = (
    "Contains public sector information licensed under the Open Government Licence v3.0 "
    "(https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/). "
    "Sources: Department for Education, 'Children in need' and 'Children looked after in "
    "England including adoptions' statistics, and DfE's statistical neighbour models; Office "
    "for National Statistics, mid-year population estimates."
)


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


def build_snapshot(
    raw_dir: str | Path, out_dir: str | Path | None = None, derive: Derive | None = None
) -> dict:
    """Build the snapshot from a folder of raw DfE files; return the manifest written.

    ``out_dir`` defaults to the package's own snapshot folder (what ``datasets/build.py`` and
    ``cscbench data build`` write). ``derive`` computes further tables from the indicator frame
    (``cscbench.analyses.derived_tables`` adds the precomputed authority panel, so that a
    command reads its statistics instead of computing them for all of England).

    Example:
        >>> import tempfile
        >>> manifest = build_snapshot("../shared/data/dfe", tempfile.mkdtemp())
        >>> sorted(t["name"] for t in manifest["tables"])
        ['areas', 'factors', 'indicators', 'lineage', 'neighbours']
    """
    from cscbench.datasets.loaders import read_raw
    from cscbench.datasets.registry import SOURCES

    raw = read_raw(raw_dir)
    out = Path(out_dir) if out_dir is not None else SNAPSHOT_DIR
    out.mkdir(parents=True, exist_ok=True)
    tables = {
        "indicators": raw.indicators,
        "factors": raw.factors,
        "neighbours": raw.neighbours,
        "areas": raw.areas,
        "lineage": raw.lineage,
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
        "licence": LICENCE,
        "years": [int(indicators["year"].min()), int(indicators["year"].max())],
        "authorities": int(raw.areas.height),
        "indicators": sorted(indicators["indicator"].unique().to_list()),
        "sources": [
            {
                "key": key,
                "file": path.name,
                "title": SOURCES[key].title,
                "publication": SOURCES[key].publication,
                "sha256": sha256(path),
                "rows": _line_count(path),
            }
            for key, path in sorted(raw.files.items())
        ],
        "accounting": accounting.to_dicts(),
        "tables": written,
    }
    (out / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest


def read_manifest(snapshot_dir: str | Path | None = None) -> dict:
    """The manifest of a snapshot (default: the shipped one)."""
    folder = Path(snapshot_dir) if snapshot_dir is not None else SNAPSHOT_DIR
    return json.loads((folder / MANIFEST).read_text(encoding="utf-8"))


def scan_table(name: str, snapshot_dir: str | Path | None = None) -> pl.LazyFrame:
    """A lazy scan of one snapshot table, so a command reads only the rows and columns it needs."""
    folder = Path(snapshot_dir) if snapshot_dir is not None else SNAPSHOT_DIR
    return pl.scan_parquet(folder / f"{name}.parquet")


def has_table(name: str, snapshot_dir: str | Path | None = None) -> bool:
    """Whether a snapshot folder holds table ``name`` (derived tables are optional)."""
    folder = Path(snapshot_dir) if snapshot_dir is not None else SNAPSHOT_DIR
    return (folder / f"{name}.parquet").is_file()
