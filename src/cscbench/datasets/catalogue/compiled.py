"""The catalogue's TOML files, parsed once and kept as JSON beside them.

Reading the four TOML files is most of the time a command spends before it starts (21 ms of
the registry's 46: ``tomllib`` is pure Python; ``json`` is not). ``compiled.json`` holds each
file's parse with the CRC-32 of the bytes it was parsed from. :func:`parsed` returns a file's
parse from it only when the file's bytes are those very bytes, so an edited declaration is
always read from its TOML; ``tests/test_catalogue.py`` fails until ``compiled.json`` is made
again, as ``python datasets/build.py`` does before it builds the snapshot.

Example:
    >>> parsed("sources.toml", b"not the file") is None
    True
"""

from __future__ import annotations

import json
import tomllib
import zlib
from functools import lru_cache
from pathlib import Path

from cscbench.datasets.catalogue.model import FOLDER

COMPILED = "compiled.json"


def compiled_text(folder: Path = FOLDER) -> str:
    """The JSON text of ``compiled.json`` for the TOML files in ``folder``."""
    files = {}
    for path in sorted(folder.glob("*.toml")):
        raw = path.read_bytes()
        files[path.name] = {"crc32": zlib.crc32(raw), "data": tomllib.loads(raw.decode("utf-8"))}
    return json.dumps(files, ensure_ascii=False) + "\n"  # in the files' order: it is meaningful


@lru_cache(maxsize=4)
def _compiled(folder: str) -> dict:
    try:
        return json.loads((Path(folder) / COMPILED).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}  # no compiled copy, or a damaged one: the TOML is read


def parsed(name: str, raw: bytes, folder: Path = FOLDER) -> dict | None:
    """The parse of TOML file ``name`` whose bytes are ``raw``, from ``compiled.json`` in
    ``folder``; None unless that copy was made from exactly these bytes."""
    kept = _compiled(str(folder)).get(name)
    if not isinstance(kept, dict) or kept.get("crc32") != zlib.crc32(raw):
        return None
    return kept.get("data")


def write_compiled(folder: Path = FOLDER) -> Path:
    """Write ``compiled.json`` for the TOML files in ``folder``; return its path."""
    path = folder / COMPILED
    path.write_text(compiled_text(folder), encoding="utf-8")
    _compiled.cache_clear()
    return path
