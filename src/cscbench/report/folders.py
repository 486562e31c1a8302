"""Where a pack is written: whole or not at all, and never over a user's own files.

A pack is built in a new folder beside its target and moved into place only when every file
is written (:class:`PackFolder`), so a failed or interrupted run leaves no half-written pack
and the previous pack as it was. The target must be a new folder, an empty one, or a pack
cscbench wrote before (it holds the mark :data:`MARK`); a folder holding anything else, a
file, or a symbolic link is refused in one line unless ``overwrite`` is given, and then only
the pack's own files are replaced (each by a rename, so a symbolic link planted in the folder
is replaced, never written through). Pack folder names are unique and never empty
(:func:`folder_names`).

Example:
    >>> import tempfile
    >>> root = Path(tempfile.mkdtemp())
    >>> with PackFolder(root / "derby") as building:
    ...     _ = (building / "index.html").write_text("<p>pack</p>")
    >>> sorted(p.name for p in (root / "derby").iterdir())
    ['.cscbench-pack', 'figures', 'index.html']
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from pathlib import Path

from cscbench import __version__
from cscbench.errors import UsageError

#: The file that marks a folder as a pack cscbench wrote (so it may be written again).
MARK = ".cscbench-pack"


def slug(text: str) -> str:
    """A name as a file or folder name: lower case, each run of other characters one hyphen.

    Example:
        >>> slug("Bristol, City of"), slug("St. Helens"), slug("!!!")
        ('bristol-city-of', 'st-helens', '')
    """
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def folder_names(areas: list[tuple[str, str]]) -> dict[str, str]:
    """A folder name for each (code, name): its :func:`slug`, with the code added where two
    authorities' names make the same slug (Dorset 835, abolished in 2019, and Dorset 838), and
    the code alone where the name makes none.

    Example:
        >>> folder_names([("835", "Dorset"), ("838", "Dorset"), ("831", "Derby"), ("1", "!!")])
        {'835': 'dorset-835', '838': 'dorset-838', '831': 'derby', '1': '1'}
    """
    slugs = {code: slug(name) for code, name in areas}
    taken: dict[str, int] = {}
    for made in slugs.values():
        taken[made] = taken.get(made, 0) + 1
    out = {}
    for code, made in slugs.items():
        if not made:
            out[code] = slug(code) or "authority"
        elif taken[made] > 1:
            out[code] = f"{made}-{slug(code)}"
        else:
            out[code] = made
    return out


def is_pack(folder: Path) -> bool:
    """True if ``folder`` holds the mark of a pack cscbench wrote (a file, not a link)."""
    mark = folder / MARK
    if mark.is_symlink() or not mark.is_file():
        return False
    try:
        return "cscbench" in json.loads(mark.read_text(encoding="utf-8"))
    except (OSError, ValueError, TypeError):
        return False


def check_target(target: Path, overwrite: bool = False) -> None:
    """A one-line error unless a pack may be written to ``target`` (see the module's rules).

    Example:
        >>> folder = Path(tempfile.mkdtemp())
        >>> _ = (folder / "notes.docx").write_text("mine")
        >>> check_target(folder)  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        cscbench.errors.UsageError: ...: holds files cscbench did not write (notes.docx): ...
    """
    if target.is_symlink():
        raise UsageError(f"{target}: is a symbolic link; give the folder itself")
    if not target.exists():
        return
    if not target.is_dir():
        raise UsageError(f"{target}: is a file, not a folder; give a folder for the pack")
    if is_pack(target) or overwrite:
        return
    found = sorted(p.name for p in target.iterdir())
    if found:
        shown = ", ".join(found[:3]) + (", ..." if len(found) > 3 else "")
        raise UsageError(
            f"{target}: holds files cscbench did not write ({shown}): give a new or empty "
            "folder, or --overwrite to replace the pack's own files in it"
        )


def _copy_figures(old: Path, new: Path) -> None:
    """The figures of the pack at ``old`` into ``new`` (regular files only), so that charts
    drawn before from the same spec can be kept."""
    figures = old / "figures"
    if figures.is_symlink() or not figures.is_dir():
        return
    for path in figures.iterdir():
        if path.is_file() and not path.is_symlink():
            shutil.copy2(path, new / "figures" / path.name)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


class PackFolder:
    """A context manager: yields a new folder to build the pack in, beside ``target``, and
    moves it into place when the block ends without error (removing it otherwise).

    ``info`` is written into the pack's mark (authority, year); ``overwrite`` lets a folder
    holding other files take the pack's files, replacing only its namesakes.
    """

    def __init__(self, target: str | Path, overwrite: bool = False, info: dict | None = None):
        self.target = Path(target)
        self.overwrite = overwrite
        self.info = info or {}
        self.building: Path | None = None

    def __enter__(self) -> Path:
        check_target(self.target, self.overwrite)
        parent = self.target.parent
        try:
            parent.mkdir(parents=True, exist_ok=True)
            self.building = Path(
                tempfile.mkdtemp(prefix=f".{self.target.name}.building-", dir=parent)
            )
        except OSError as exc:
            raise UsageError(f"{self.target}: cannot be written ({exc.strerror})") from None
        self.building.chmod(0o777 & ~_umask())  # as a folder made with mkdir would be
        (self.building / "figures").mkdir()
        if self.target.is_dir() and is_pack(self.target):
            _copy_figures(self.target, self.building)
        return self.building

    def __exit__(self, kind, *_) -> None:
        building = self.building
        if building is None:
            return
        if kind is not None:
            shutil.rmtree(building, ignore_errors=True)
            return
        try:
            mark = {"cscbench": __version__, **self.info}
            (building / MARK).write_text(json.dumps(mark, indent=1) + "\n", encoding="utf-8")
            self._move_in(building)
        except OSError as exc:
            shutil.rmtree(building, ignore_errors=True)
            raise UsageError(f"{self.target}: cannot be written ({exc.strerror})") from None

    def _move_in(self, building: Path) -> None:
        target = self.target
        if not target.exists():
            os.replace(building, target)
            return
        if is_pack(target) or not any(target.iterdir()):
            old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
            os.replace(target, old / "pack")
            os.replace(building, target)
            shutil.rmtree(old, ignore_errors=True)
            return
        # --overwrite: the pack's files over their namesakes; no mark, for the folder still
        # holds the user's own files (a later run must not take it for a pack and replace it)
        (building / MARK).unlink()
        for path in building.iterdir():
            there = target / path.name
            if there.is_dir() and not there.is_symlink():
                aside = Path(tempfile.mkdtemp(prefix=f".{path.name}.old-", dir=target))
                os.replace(there, aside / path.name)
                os.replace(path, there)
                shutil.rmtree(aside, ignore_errors=True)
            else:
                os.replace(path, there)  # a link or file there is replaced, not written through
        building.rmdir()
