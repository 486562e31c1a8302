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

A second table, new-measures.csv, takes the workforce and care-leaver measures DfE's newer
files give (social workers at 30 September 2024, which is cscbench's year 2025; care leavers in
2024-25). The report prints none of these figures: it quotes Ofsted's May 2025 inspection of
Derby ("low turnover, few vacancies, and no reliance on agency staff"), so each of those words
is held against DfE's figure with the test written beside it, and every other figure is
cscbench's alone ("not printed"), the section the report could have had.

Writes to DIR (default analyses/output/derby-derbyshire-2024-25): comparison.csv,
new-measures.csv, narrative.md and the pack in pack/.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import polars as pl

from cscbench.analyses import benchmark
from cscbench.analyses.local import local_benchmark
from cscbench.analyses.narrative import as_text, local_narrative, partnership_narrative
from cscbench.analyses.partnership import partnership
from cscbench.datasets import INDICATORS
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

NO_FIGURE = "the report prints no figure; cscbench's is here for the section it could have had"
WORKFORCE = ["sw_turnover_pct", "sw_agency_pct", "sw_vacancy_pct", "sw_caseload"]
LEAVERS = [
    "care_leavers_eet_17_18_pct",
    "care_leavers_eet_19_21_pct",
    "care_leavers_suitable_17_18_pct",
    "care_leavers_suitable_19_21_pct",
]
#: Ofsted's words on Derby (section 4.10), each with the test DfE's 2025 figure must pass.
CLAIMS = [
    ("low turnover", "sw_turnover_pct", "below England's", lambda r: r["value"] < r["england"]),
    ("few vacancies", "sw_vacancy_pct", "below England's", lambda r: r["value"] < r["england"]),
    ("no reliance on agency staff", "sw_agency_pct", "under 1% of social workers",
     lambda r: r["value"] < 1.0),
]  # fmt: skip


def claims_met(row: dict, test) -> str:
    """'agrees' when DfE's figure passes the claim's test, else 'differs'.

    >>> claims_met({"value": 4.6, "england": 13.9}, lambda r: r["value"] < r["england"])
    'agrees'
    """
    return "agrees" if test(row) else "differs"


def new_measures() -> pl.DataFrame:
    """Workforce (30 September 2024) and care leavers (2024-25) for both authorities against
    their 2025 neighbours and England, with Ofsted's words on Derby held against DfE's."""
    out = []
    for la in ("Derby", "Derbyshire"):
        rows = {
            r["indicator"]: r
            for r in benchmark(
                la, year=2025, group="sn2025", indicators=WORKFORCE + LEAVERS
            ).iter_rows(named=True)
        }
        for words, indicator, test, passes in CLAIMS if la == "Derby" else []:
            row = rows[indicator]
            said = claims_met(row, passes)
            out.append(
                {"authority": la, "figure": f"Ofsted, May 2025: '{words}' ({test})",
                 "indicator": indicator, "printed": words, "cscbench": round(row["value"], 1),
                 "neighbours": round(row["comparator_mean"], 1),
                 "england": round(row["england"], 1),
                 "rank": row["rank"], "verdict": said,
                 "why_not": None if said == "agrees" else f"DfE's figure is not {test}"}
            )  # fmt: skip
        for indicator in WORKFORCE + LEAVERS:
            row = rows[indicator]
            decimals = 1 if indicator in WORKFORCE else 0
            out.append(
                {"authority": la, "figure": INDICATORS[indicator].title,
                 "indicator": indicator, "printed": "not printed",
                 "cscbench": round(row["value"], decimals),
                 "neighbours": round(row["comparator_mean"], decimals),
                 "england": round(row["england"], decimals), "rank": row["rank"],
                 "verdict": "not printed", "why_not": NO_FIGURE}
            )  # fmt: skip
    return pl.DataFrame(out)


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
    more = new_measures()
    more.write_csv(args.out / "new-measures.csv")
    print("\nWorkforce at 30 September 2024 and care leavers in 2024-25 (rank 1 = highest):")
    print(text_table(more.drop("indicator", "why_not")), end="")
    counts = dict(more.group_by("verdict").len().iter_rows())
    print("\n" + ", ".join(f"{n} {v}" for v, n in sorted(counts.items())))
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
