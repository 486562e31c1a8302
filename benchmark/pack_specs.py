"""The floor under case 5: every pack's charts drawn, and nothing else.

``python benchmark/pack_specs.py write FOLDER CODE...`` writes each authority's pack charts as
Vega-Lite specs (``FOLDER/<code>/<stem>.json``), built as :func:`cscbench.report.report` builds
them; ``python benchmark/pack_specs.py draw FOLDER OUT`` draws every spec in FOLDER to SVG and
PNG (scale 2) with the packs' own warm drawing processes, one per core. The suite times only
``draw``: no tables, no narrative and no chart building, so it is the least time case 5 can
take with this renderer on this machine.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def write_specs(folder: Path, codes: list[str]) -> int:
    """Write every chart of each authority's pack as a spec; return how many."""
    from altair.utils.schemapi import debug_mode

    from cscbench.figures.render import spec
    from cscbench.report import pack_content

    count = 0
    for code in codes:
        (folder / code).mkdir(parents=True, exist_ok=True)
        with debug_mode(False):
            for plan in pack_content(code).charts():
                (folder / code / f"{plan.stem}.json").write_text(json.dumps(spec(plan.build())))
                count += 1
    return count


def draw_specs(folder: Path, out: Path) -> int:
    """Draw every spec under ``folder`` to ``out`` as SVG and PNG; return how many."""
    from cscbench.figures.drawing import Drawers

    futures = []
    with Drawers() as drawers:
        for path in sorted(folder.glob("*/*.json")):
            target = out / path.parent.name
            target.mkdir(parents=True, exist_ok=True)
            futures.append(
                drawers.submit(
                    json.loads(path.read_text()),
                    target / f"{path.stem}.svg",
                    target / f"{path.stem}.png",
                )
            )
        for future in futures:
            future.result()
    return len(futures)


if __name__ == "__main__":
    verb, folder, *rest = sys.argv[1:]
    if verb == "write":
        print(write_specs(Path(folder), rest))
    else:
        print(draw_specs(Path(folder), Path(rest[0])))
