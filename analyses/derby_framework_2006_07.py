"""Derby Safeguarding Children Board, performance monitoring framework 2006-07, with status.

    python analyses/derby_framework_2006_07.py [--out DIR]

The board's annual review 2004-06 and business plan 2007-08 set quarterly figures against
targets and marked each action "on target", "off target and recoverable" or "off target and
causing concern". Its framework is transcribed in ``derby_framework/``: the targets as a
targets file (``targets-2006-07.toml``) and the four quarters' figures as the authority's own
figures (``quarterly-2006-07.csv``). This script

1. gives every quarter its status, symbol and direction of travel, with DfE's latest published
   figures for Derby, its statistical neighbours and England beside each DfE indicator;
2. holds the 2007-08 child protection targets up against DfE's published years for Derby
   (how the board's framework would read today);
3. writes the targets table, a chart per target and a benchmark table with ``target_status``.

Writes to DIR (default analyses/output/derby-framework-2006-07).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import polars as pl

from cscbench.analyses import benchmark
from cscbench.analyses.performance import targets
from cscbench.figures import save, target_chart
from cscbench.output import targets_view, text_table

HERE = Path(__file__).resolve().parent
FRAMEWORK = HERE / "derby_framework"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE / "output" / "derby-framework-2006-07")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)

    quarters = targets(
        "Derby", FRAMEWORK / "targets-2006-07.toml", local=FRAMEWORK / "quarterly-2006-07.csv"
    )
    quarters.write_csv(args.out / "targets-2006-07.csv")
    print("2006-07, the board's own quarterly figures against its targets:\n")
    print(text_table(targets_view(quarters)))
    counts = quarters.group_by("status").len().sort("status")
    for status, n in counts.iter_rows():
        print(f"  {n:>2} quarters {status}")

    today = targets("Derby", FRAMEWORK / "targets-2007-08.toml")
    today.write_csv(args.out / "targets-2007-08-against-dfe.csv")
    print("\nThe 2007-08 targets against DfE's published years for Derby:\n")
    print(text_table(targets_view(today)))

    for indicator in quarters["indicator"].unique(maintain_order=True):
        save(target_chart(quarters, indicator, "Derby"), args.out / f"{indicator}-2006-07.png")
    table = benchmark("Derby", targets=FRAMEWORK / "targets-2007-08.toml")
    table.filter(pl.col("target").is_not_null()).select(
        "indicator", "year", "value", "target", "target_direction", "target_status"
    ).write_csv(args.out / "benchmark-with-targets.csv")
    print(f"\nwritten to {args.out}")


if __name__ == "__main__":
    main()
