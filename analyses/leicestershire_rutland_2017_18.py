"""Leicestershire and Rutland LSCB, annual report 2017-18: the partnership pack, from data.

    python analyses/leicestershire_rutland_2017_18.py [--out DIR]

The board's report gives each authority a "safeguarding children snapshot" of counts and
percentages, with no comparators. This script sets every snapshot figure that DfE's files
cover beside DfE's, then builds what the report could have had: both authorities side by side,
each against its own statistical neighbours (DfE's 2021 model, the nearest to 2018), the
partnership pooled, and sentences that name both ("29.9% of referrals in Leicestershire were
re-referrals, against 20.8% in Rutland"). Rutland is small (19 children on protection plans),
so its figures come with their intervals and the small-numbers caveats wherever they are
ranked or flagged.

A second table, new-measures.csv, takes the snapshot figures DfE's newer files cover:
Rutland's average caseload (social workers at 30 September 2017, cscbench's year 2018) and
each authority's children in care, which cscbench cannot yet give for 2017-18 (its
looked-after figures start in 2020-21).

Writes to DIR (default analyses/output/leicestershire-rutland-2017-18): comparison.csv,
new-measures.csv, narrative.md and the pack in pack/.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import polars as pl

from cscbench.analyses import benchmark
from cscbench.analyses.narrative import as_text, partnership_narrative
from cscbench.analyses.partnership import partnership
from cscbench.errors import UsageError
from cscbench.output import text_table
from cscbench.report import partnership_report

HERE = Path(__file__).resolve().parent
YEAR, GROUP = 2018, "sn2021"

OWN = (
    "not verified: the board quotes the authority's own figure, which DfE's published count "
    "does not give"
)
SERIES = (
    "DfE's series for Leicestershire jumps (3,041 in 2017, 2,128 in 2018, 2,931 in 2019); "
    "the board's 2,763 is the authority's own count"
)

# (authority, what, the report's figure, decimals, indicator, why if it differs)
REPORT = [
    ("Leicestershire", "Referrals to children's social care", 6609, 0, "referral_count", OWN),
    ("Leicestershire", "Re-referrals (%)", 30, 0, "rereferral_pct", None),
    ("Leicestershire", "Children on plans, end of March 2018", 394, 0, "cp_count", None),
    ("Leicestershire", "Children in need, end of March 2018", 2763, 0, "cin_count", SERIES),
    (
        "Leicestershire",
        "Plans for children previously on one (%)",
        24,
        0,
        "cp_subsequent_pct",
        None,
    ),
    ("Rutland", "Referrals to children's social care", 308, 0, "referral_count", None),
    ("Rutland", "Re-referrals (%)", 26, 0, "rereferral_pct", OWN),
    ("Rutland", "Children in need, end of March 2018", 244, 0, "cin_count", OWN),
    ("Rutland", "Children on plans, end of March 2018", 19, 0, "cp_count", None),
    (
        "Rutland",
        "Plans for children previously on one (%)",
        21,
        0,
        "cp_subsequent_pct",
        "DfE withheld Rutland's figure (c: confidential, to protect the children)",
    ),
]

#: Snapshot figures DfE's files, as cscbench ships them, do not cover.
NOT_COVERED = [
    ("both", "contacts, early help, CSE, missing, home education, LADO, CAMHS", "not in DfE's CIN"),
    ("both", "plans where neglect is a factor", "initial category of abuse is not shipped"),
]

CLA_LATER = (
    "DfE's published figure, which cscbench takes from LAIT for the years before DfE's "
    "looked-after file by authority (2015-16 to 2019-20); the report's own count was the "
    "authority's at the time of writing"
)

# (authority, what, the report's figure, decimals, indicator, why if it differs)
NEW = [
    ("Rutland", "Average caseload (cases per worker)", 18, 0, "sw_caseload",
     "not verified: DfE's figure at 30 September 2017 is 16.9 (171 cases, 10.1 FTE case "
     "holders), 14.9 a year later; the board quotes Rutland's own figure"),
    ("Leicestershire", "Children in care", 548, 0, "cla_count", CLA_LATER),
    ("Rutland", "Children in care", 30, 0, "cla_count", CLA_LATER),
]  # fmt: skip


def new_measures() -> pl.DataFrame:
    """The snapshot figures DfE's newer files cover, beside cscbench's, with why not."""
    out = []
    for la, what, reported, decimals, indicator, why in NEW:
        try:
            row = benchmark(la, year=YEAR, group=GROUP, indicators=[indicator]).row(0, named=True)
        except UsageError:  # the data hold no figures for that year
            row = {"value": None, "england": None}
        ours = None if row["value"] is None else round(row["value"], decimals)
        said = (
            "not held"
            if ours is None
            else "agrees"
            if abs(ours - reported) < 10**-decimals / 2
            else "differs"
        )
        out.append(
            {"authority": la, "figure": what, "report": float(reported), "indicator": indicator,
             "cscbench": ours, "england": row["england"], "verdict": said,
             "why_not": None if said == "agrees" else why}
        )  # fmt: skip
    return pl.DataFrame(out, schema_overrides={"cscbench": pl.Float64, "england": pl.Float64})


def comparison(table: pl.DataFrame) -> pl.DataFrame:
    """Each snapshot figure beside DfE's, with whether they match to the report's rounding."""
    out = []
    for la, what, reported, decimals, indicator, why in REPORT:
        row = table.filter(
            pl.col("role") == "member", pl.col("area_name") == la, pl.col("indicator") == indicator
        ).row(0, named=True)
        ours = None if row["value"] is None else round(row["value"], decimals)
        match = ours is not None and abs(ours - reported) < 10**-decimals / 2 + 1e-9
        out.append(
            {
                "authority": la,
                "figure": what,
                "report": float(reported),
                "cscbench": ours,
                "match": match,
                "why_not": None if match else (why or "unexplained"),
            }
        )
    return pl.DataFrame(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out", type=Path, default=HERE / "output" / "leicestershire-rutland-2017-18"
    )
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    table = partnership(["Leicestershire", "Rutland"], year=YEAR, group=GROUP)
    compared = comparison(table)
    compared.write_csv(args.out / "comparison.csv")
    print(text_table(compared), end="")
    print(f"\n{int(compared['match'].sum())} of {compared.height} snapshot figures match DfE's.")
    print("Not covered by DfE's files as shipped:")
    for who, what, why in NOT_COVERED:
        print(f"  {who}: {what} ({why})")
    unexplained = compared.filter(pl.col("why_not") == "unexplained")
    if unexplained.height:
        raise SystemExit(f"unexplained differences: {unexplained['figure'].to_list()}")
    more = new_measures()
    more.write_csv(args.out / "new-measures.csv")
    print("\nFrom DfE's newer files (social workers at 30 September 2017; looked after):")
    print(text_table(more.drop("indicator")), end="")
    said = partnership_narrative(table)
    (args.out / "narrative.md").write_text(as_text(said, markdown=True))
    print("\nWhat the pack says about Rutland's small numbers:")
    for sentence in said.filter(pl.col("kind") == "caveat")["sentence"]:
        if sentence.startswith("Rutland"):
            print(f"  {sentence}")
    folder = partnership_report(
        ["Leicestershire", "Rutland"], year=YEAR, group_key=GROUP, out=args.out / "pack"
    )
    print(f"\nwritten to {args.out} (partnership pack in {folder})")


if __name__ == "__main__":
    main()
