"""Drawing many charts fast: warm drawing processes, and one font everywhere.

Two facts about vl-convert (1.9, measured on the benchmark machine) shape this module:

- It draws in one JavaScript engine per process, which takes about 0.6 s to start and never
  draws two charts at once, however many threads ask. So a pack's charts are drawn by
  :class:`Drawers`: long-lived processes (one per core), started first and warmed while the
  pack's tables are computed, fed one chart spec at a time while the next chart is built.
- It lays out text with the machine's fonts first. Where the system has its own Liberation
  Sans (Debian and Ubuntu do, as Chromium's and LibreOffice's dependency), vl-convert opens,
  maps and unmaps that font file for every letter it measures or draws: 0.15 ms a letter, half
  the cost of a chart. Its own copy of Liberation Sans, held in memory, costs a quarter of
  that. :func:`pin_fonts` makes vl-convert load no system font (see ``fonts.conf``), so text
  is four times faster and a figure comes out the same on every machine. The price: a letter
  Liberation Sans lacks (✓, for instance; Latin, Greek, Cyrillic, arrows and ► are there)
  draws as a box in PNGs. A ``FONTCONFIG_FILE`` already set is respected.

Packs and the command line pin the fonts in processes cscbench owns; a notebook keeps the
machine's fonts unless it calls :func:`pin_fonts` before its first drawing.

Example:
    >>> import tempfile, os
    >>> from cscbench.figures import trend_chart
    >>> from cscbench.figures.render import spec
    >>> folder = tempfile.mkdtemp()
    >>> with Drawers(workers=2) as drawers:
    ...     svg = drawers.submit(spec(trend_chart("Derby", "cla_rate")),
    ...                          os.path.join(folder, "t.svg"), os.path.join(folder, "t.png"))
    ...     svg.result().startswith("<svg")
    True
    >>> sorted(os.listdir(folder))
    ['t.png', 't.svg']
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import subprocess
import sys
import tempfile
import threading
from concurrent.futures import Future
from pathlib import Path

from cscbench._render_worker import one_line, render_files
from cscbench.errors import CscbenchError, UsageError

FONTS_CONF = Path(__file__).with_name("fonts.conf")


class DrawingError(CscbenchError):
    """A chart that vl-convert could not draw, or a drawing process that ended."""


def drawing_env(environ: dict[str, str] | None = None) -> dict[str, str]:
    """``environ`` (default: this process's) with vl-convert's fonts pinned.

    Example:
        >>> drawing_env({})["FONTCONFIG_FILE"].endswith("fonts.conf")
        True
        >>> drawing_env({"FONTCONFIG_FILE": "/etc/mine.conf"})["FONTCONFIG_FILE"]
        '/etc/mine.conf'
    """
    env = dict(os.environ if environ is None else environ)
    env.setdefault("FONTCONFIG_FILE", str(FONTS_CONF))
    return env


def pin_fonts() -> None:
    """Pin vl-convert to its own Liberation Sans in this process (before its first drawing)."""
    os.environ.setdefault("FONTCONFIG_FILE", str(FONTS_CONF))


MAX_SCALE = 10  # a 700-pixel chart 7,000 pixels wide: more than any print needs


def check_scale(scale: float) -> float:
    """``scale`` if a PNG can be drawn at it (above 0, at most :data:`MAX_SCALE`); else a
    one-line error (vl-convert panics on 0 or less).

    Example:
        >>> check_scale(2)
        2
        >>> check_scale(0)
        Traceback (most recent call last):
        cscbench.errors.UsageError: scale 0: give a number above 0 and at most 10
    """
    if not 0 < scale <= MAX_SCALE:
        raise UsageError(f"scale {scale:g}: give a number above 0 and at most {MAX_SCALE}")
    return scale


def worker_count(workers: int | None) -> int:
    """How many processes to draw with: ``workers``, or one per core when None.

    Example:
        >>> worker_count(3)
        3
        >>> worker_count(0)
        Traceback (most recent call last):
        cscbench.errors.UsageError: workers 0: give 1 or more (or leave it out: one per core)
    """
    if workers is None:
        return os.cpu_count() or 1
    if workers < 1:
        raise UsageError(f"workers {workers}: give 1 or more (or leave it out: one per core)")
    return workers


class Drawers:
    """``workers`` warm drawing processes; :meth:`submit` returns a future of the SVG text.

    ``workers=1`` draws in this process, in turn (what a process that is itself one of many,
    like each of ``report --all``'s, wants). Use as a context manager: leaving it waits for
    every chart; leaving it on an error stops the processes at once.
    """

    def __init__(self, workers: int | None = None, scale: float = 2.0):
        self.scale = check_scale(scale)
        self.workers = worker_count(workers)
        self._jobs: queue.Queue = queue.Queue()
        self._processes: list[subprocess.Popen] = []
        self._threads: list[threading.Thread] = []
        if self.workers == 1:
            return
        env = drawing_env()
        for _ in range(self.workers):
            errors = tempfile.TemporaryFile()  # noqa: SIM115 (closed by its feeding thread)
            process = subprocess.Popen(
                [sys.executable, "-m", "cscbench._render_worker"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=errors,
                env=env,
                text=True,
                encoding="utf-8",
            )
            thread = threading.Thread(target=self._feed, args=(process, errors), daemon=True)
            thread.start()
            self._processes.append(process)
            self._threads.append(thread)

    def submit(self, spec: dict, svg_path: str | Path, png_path: str | Path | None) -> Future:
        """Draw ``spec`` to ``svg_path`` and ``png_path`` (None: no PNG); the future holds the
        SVG text."""
        future: Future = Future()
        png = None if png_path is None else str(png_path)
        if not self._processes:
            try:
                future.set_result(render_files(spec, str(svg_path), png, self.scale))
            except Exception as exc:
                future.set_exception(DrawingError(f"{Path(svg_path).name}: {one_line(exc)}"))
            return future
        job = {"spec": spec, "svg": str(svg_path), "png": png, "scale": self.scale}
        self._jobs.put((future, json.dumps(job) + "\n", Path(svg_path)))
        return future

    def _feed(self, process: subprocess.Popen, errors) -> None:
        """Hand one job at a time to ``process`` until told to stop (``None``)."""
        while (item := self._jobs.get()) is not None:
            future, line, svg_path = item
            try:
                process.stdin.write(line)
                process.stdin.flush()
                answer = process.stdout.readline()
            except OSError:
                answer = ""
            if not answer:
                errors.seek(0)
                said = errors.read().decode("utf-8", "replace").strip().splitlines()
                reason = said[-1] if said else f"exit code {process.poll()}"
                future.set_exception(DrawingError(f"a drawing process ended ({reason})"))
                continue
            outcome = json.loads(answer)
            if "error" in outcome:
                future.set_exception(DrawingError(f"{svg_path.name}: {outcome['error']}"))
            else:
                future.set_result(svg_path.read_text(encoding="utf-8"))
        errors.close()

    def close(self, wait: bool = True) -> None:
        """Finish the queued charts (``wait``) or stop at once, and end the processes."""
        if not wait:
            for process in self._processes:
                process.kill()
        for _ in self._threads:
            self._jobs.put(None)
        for thread in self._threads:
            thread.join()
        for process in self._processes:
            if process.stdin and not process.stdin.closed:
                with contextlib.suppress(OSError):  # already gone if it was killed
                    process.stdin.close()
            process.wait()
            process.stdout.close()

    def __enter__(self) -> Drawers:
        return self

    def __exit__(self, kind, *_) -> None:
        self.close(wait=kind is None)
