"""Writing a file whole or not at all.

Example:
    >>> import tempfile
    >>> from pathlib import Path
    >>> path = Path(tempfile.mkdtemp()) / "out.txt"
    >>> with replacing(path) as tmp:
    ...     _ = tmp.write_text("done")
    >>> path.read_text(), sorted(p.name for p in path.parent.iterdir())
    ('done', ['out.txt'])
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from cscbench.errors import UsageError


@contextmanager
def replacing(path: str | Path) -> Iterator[Path]:
    """A temporary file beside ``path`` to write; it replaces ``path`` when the block ends
    without error and is removed otherwise, so a half-written file never replaces a good one.
    A file that cannot be written is one line naming it."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.part")
    try:
        yield tmp
        tmp.replace(path)
    except OSError as exc:
        raise UsageError(f"{path}: cannot be written ({exc.strerror})") from None
    finally:
        tmp.unlink(missing_ok=True)
