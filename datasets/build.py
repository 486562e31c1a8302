"""Build the snapshot that ships inside the cscbench package from the raw DfE files.

    python datasets/build.py [RAW_DIR]

RAW_DIR defaults to $CSCBENCH_SHARED_DATA/dfe, else ../shared/data/dfe beside this checkout.
The snapshot is written to src/cscbench/datasets/snapshot/ (see datasets/README.md), after the
catalogue's parsed declarations (src/cscbench/datasets/catalogue/compiled.json).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from cscbench.analyses import derived_tables
from cscbench.datasets.catalogue.compiled import write_compiled
from cscbench.datasets.snapshot import SNAPSHOT_DIR, build_snapshot

ROOT = Path(__file__).resolve().parents[1]


def default_raw_dir() -> Path:
    shared = os.environ.get("CSCBENCH_SHARED_DATA", str(ROOT.parent / "shared" / "data"))
    return Path(shared) / "dfe"


if __name__ == "__main__":
    raw = Path(sys.argv[1]) if len(sys.argv) > 1 else default_raw_dir()
    out = ROOT / "src" / "cscbench" / "datasets" / "snapshot"
    if out.resolve() != SNAPSHOT_DIR.resolve():
        print(f"note: cscbench is installed from {SNAPSHOT_DIR.parent}, writing to {out}")
    catalogue = ROOT / "src" / "cscbench" / "datasets" / "catalogue"
    print(f"{write_compiled(catalogue).name:<20} the catalogue's declarations, parsed")
    manifest = build_snapshot(raw, out, derive=derived_tables)
    for table in manifest["tables"]:
        print(f"{table['file']:<20} {table['rows']:>7} rows  {table['sha256'][:12]}")
