"""Derby and Derbyshire Safeguarding Children Partnership, annual report 2024-25, from data.

    python analyses/derby_derbyshire_2024_25.py [--out DIR]

Section 3 of the report gives, for each authority, its rates per 10,000 children at the end of
March 2025 (from its own records, months before DfE published the year) beside the previous
year and the 2024 national and statistical-neighbour figures. DfE has since published 2024-25,
so this script sets every figure of the report beside DfE's:

- the March 2025 and March 2024 rates against DfE's published 2025 and 2024 figures;
- the 2024 national figure against DfE's England figure;
- the 2024 neighbour figure against the average of each DfE neighbour model.

It then writes the partnership pack for Derby and Derbyshire (the latest published year, each
against its 2025 statistical neighbours, and the two pooled) and the partnership narrative. A
local, provisional year comes from the authorities' own census returns when they are given
(``--local-derby RETURN``, ``--local-derbyshire RETURN``): each authority's figures from its
return, against the latest published year of its neighbours and England.

Writes to DIR (default analyses/output/derby-derbyshire-2024-25): comparison.csv,
narrative.md and the pack in pack/.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import polars as pl

from cscbench.analyses import benchmark
from cscbench.analyses.local import local_benchmark
from cscbench.analyses.narrative import as_text, local_narrative, partnership_narrative
from cscbench.analyses.partnership import partnership
from cscbench.datasets.census import read_return
from cscbench.output import flatten, text_table
from cscbench.report import partnership_report

HERE = Path(__file__).resolve().parent

LOCAL = "the report's March 2025 figure is the authority's own count before DfE published"
REVISED = (
    "DfE's England figure is now on ONS's revised mid-year estimates; the report quotes the "
    "first publication"
)
EARLIER = (
    "not verified: the report's March 2024 figure may be the authority's own count before "
    "DfE's validation, or a rate on earlier population estimates"
)
CIN_PLANS = (
    "the report counts children on child in need plans only; DfE's children in need include "
    "children on protection plans and looked after"
)
NEIGHBOURS = "the report does not name its neighbour group; neither DfE model's average gives it"

# Decimals as the report prints them: Derby to one place, Derbyshire to whole numbers.
DECIMALS = {"Derby": 1, "Derbyshire": 0}

# (what, the report's figure, indicator, year, field, why if it differs), per authority
REPORT = {
    "Derby": [
        ("Children in need, March 2025", 84.9, "cin_rate", 2025, "value", CIN_PLANS),
        ("Children in need, March 2024", 108.2, "cin_rate", 2024, "value", CIN_PLANS),
        ("Children in need, England 2024", 86.2, "cin_rate", 2024, "england", CIN_PLANS),
        (
            "Children in need, neighbours 2024",
            101.9,
            "cin_rate",
            2024,
            "comparator_mean",
            CIN_PLANS,
        ),
        ("Protection plans, March 2025", 42.1, "cp_rate", 2025, "value", LOCAL),
        ("Protection plans, March 2024", 38.4, "cp_rate", 2024, "value", EARLIER),
        ("Protection plans, England 2024", 41.6, "cp_rate", 2024, "england", REVISED),
        ("Protection plans, neighbours 2024", 54.9, "cp_rate", 2024, "comparator_mean", NEIGHBOURS),
        ("Looked after, March 2025", 90.7, "cla_rate", 2025, "value", LOCAL),
        ("Looked after, March 2024", 100.7, "cla_rate", 2024, "value", EARLIER),
        ("Looked after, England 2024", 70.0, "cla_rate", 2024, "england", REVISED),
        ("Looked after, neighbours 2024", 97.1, "cla_rate", 2024, "comparator_mean", NEIGHBOURS),
    ],
    "Derbyshire": [
        ("Children in need, March 2025", 97, "cin_rate", 2025, "value", CIN_PLANS),
        ("Children in need, March 2024", 102, "cin_rate", 2024, "value", CIN_PLANS),
        ("Children in need, England 2024", 86, "cin_rate", 2024, "england", CIN_PLANS),
        ("Children in need, neighbours 2024", 82, "cin_rate", 2024, "comparator_mean", CIN_PLANS),
        ("Protection plans, March 2025", 47, "cp_rate", 2025, "value", LOCAL),
        ("Protection plans, March 2024", 53, "cp_rate", 2024, "value", EARLIER),
        ("Protection plans, England 2024", 42, "cp_rate", 2024, "england", REVISED),
        ("Protection plans, neighbours 2024", 37, "cp_rate", 2024, "comparator_mean", NEIGHBOURS),
        ("Looked after, March 2025", 66, "cla_rate", 2025, "value", LOCAL),
        ("Looked after, March 2024", 69, "cla_rate", 2024, "value", EARLIER),
        ("Looked after, England 2024", 70, "cla_rate", 2024, "england", REVISED),
        ("Looked after, neighbours 2024", 73, "cla_rate", 2024, "comparator_mean", NEIGHBOURS),
    ],
}


def comparison() -> pl.DataFrame:
    """Each report figure beside DfE's, with whether they match to the report's rounding."""
    out = []
    for la, what, reported, indicator, year, field, why in (
        (la, *figure) for la, figures in REPORT.items() for figure in figures
    ):
        decimals = DECIMALS[la]
        row = benchmark(la, year=year, group="sn2025", indicators=[indicator]).row(0, named=True)
        ours = round(row[field], decimals)
        other_model = benchmark(la, year=year, group="sn2021", indicators=[indicator])
        match = abs(ours - reported) < 10**-decimals / 2 + 1e-9
        out.append(
            {
                "authority": la,
                "figure": what,
                "report": float(reported),
                "cscbench": ours,
                "sn2021_average": round(other_model["comparator_mean"].item(), decimals)
                if field == "comparator_mean"
                else None,
                "match": match,
                "why_not": None if match else why,
            }
        )
    return pl.DataFrame(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE / "output" / "derby-derbyshire-2024-25")
    for la in ("derby", "derbyshire"):
        parser.add_argument(f"--local-{la}", type=Path, help=f"{la.title()}'s census return")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    table = comparison()
    table.write_csv(args.out / "comparison.csv")
    print(text_table(table), end="")
    print(f"\n{int(table['match'].sum())} of {table.height} figures match DfE's to the report's")
    print("rounding; the others differ for the reasons given.")
    both = partnership(["Derby", "Derbyshire"], group="sn2025")
    (args.out / "narrative.md").write_text(as_text(partnership_narrative(both), markdown=True))
    folder = partnership_report(["Derby", "Derbyshire"], out=args.out / "pack")
    for la, path in (("Derby", args.local_derby), ("Derbyshire", args.local_derbyshire)):
        if path is None:
            continue
        rows = local_benchmark(la, read_return(path), group="sn2025")
        flatten(rows).write_csv(args.out / f"local-{la.lower()}.csv")
        said = as_text(local_narrative(rows), markdown=True)
        (args.out / f"local-{la.lower()}.md").write_text(said)
        print(f"\n{la}, local and provisional:\n{said}")
    print(f"\nwritten to {args.out} (partnership pack in {folder})")


if __name__ == "__main__":
    main()
