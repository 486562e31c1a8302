"""Derby Safeguarding Children Board, annual report 2016-17, section 34, rebuilt from data.

    python analyses/derby_2016_17.py [--out DIR]

The report compared Derby with its DfE statistical neighbours (the 2021 model's ten: Bolton,
Coventry, Dudley, Kirklees, Leeds, Medway, Peterborough, Sheffield, Telford and Wrekin,
Walsall), Derby included in the comparator average, and with England. This script takes every
figure of section 34 that DfE's published files cover, computes it with cscbench, and sets the
two side by side: a match within the report's rounding, or the reason they differ.

Writes to DIR (default analyses/output/derby-2016-17): comparison.csv, narrative.md, and the
comparator chart of re-referrals (as in paragraph 34.7).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import polars as pl

from cscbench.analyses import benchmark
from cscbench.analyses.narrative import as_text, narrative
from cscbench.figures import comparator_chart, save
from cscbench.output import text_table

HERE = Path(__file__).resolve().parent

REVISED = "rates use ONS's revised mid-2015 and mid-2016 estimates, not those of 2017"
PLANS = (
    "the report counts children becoming subject to a plan (461); DfE's d3 counts plans "
    "starting (468)"
)

# (paragraph, what the report says, the report's figure, indicator, field, decimals, why if not)
REPORT = [
    (
        "34.4",
        "England referrals, change on 2015-16 (%)",
        4.0,
        "referral_count",
        "england_change_1y_pct",
        1,
        None,
    ),
    (
        "34.4",
        "Comparator average referrals, change (%)",
        2.8,
        "referral_count",
        "comparator_mean_change_1y_pct",
        1,
        None,
    ),
    ("34.4", "Derby referrals, change (%)", 27.3, "referral_count", "change_1y_pct", 1, None),
    ("34.4", "Derby referrals, change (number)", 979, "referral_count", "change_1y", 0, None),
    ("34.6", "Derby referrals", 4561, "referral_count", "value", 0, None),
    ("34.6", "Derby re-referrals within 12 months", 970, "rereferral_pct", "numerator", 0, None),
    ("34.6", "Derby re-referrals (%)", 21.3, "rereferral_pct", "value", 1, None),
    (
        "34.6",
        "Comparator average re-referrals (%)",
        22.7,
        "rereferral_pct",
        "comparator_mean",
        1,
        None,
    ),
    ("34.6", "England re-referrals (%)", 21.9, "rereferral_pct", "england", 1, None),
    (
        "34.7",
        "Derby's place for re-referrals, lowest first",
        4,
        "rereferral_pct",
        "rank_best",
        0,
        None,
    ),
    ("34.8", "Derby no further action (%)", 9.8, "nfa_pct", "value", 1, None),
    (
        "34.8",
        "Comparator average no further action (%)",
        12.5,
        "nfa_pct",
        "comparator_mean",
        1,
        None,
    ),
    ("34.8", "England no further action (%)", 10.2, "nfa_pct", "england", 1, None),
    ("34.11", "Derby children in need at 31 March", 2742, "cin_count", "value", 0, None),
    (
        "34.11",
        "Comparator average children in need at 31 March",
        2953,
        "cin_count",
        "comparator_mean",
        0,
        "5 apart (0.2%); possibly a later revision of a comparator's 2017 "
        "return in DfE's current release (not verified)",
    ),
    ("34.12", "Derby children in need per 10,000", 461.6, "cin_rate", "value", 1, REVISED),
    ("34.12", "Comparator average per 10,000", 376.0, "cin_rate", "comparator_mean", 1, REVISED),
    ("34.12", "England per 10,000", 330.4, "cin_rate", "england", 1, REVISED),
    ("34.12", "Derby's place, highest first", 2, "cin_rate", "rank", 0, None),
    (
        "34.13",
        "Derby children in need per 10,000 in 2015-16",
        397.9,
        "cin_rate",
        "previous_value",
        1,
        REVISED,
    ),
    ("34.13", "Derby change in the rate (%)", 16.0, "cin_rate", "change_1y_pct", 1, REVISED),
    (
        "34.14",
        "Comparator average rate, change (%)",
        -2.4,
        "cin_rate",
        "comparator_mean_change_1y_pct",
        1,
        REVISED,
    ),
    ("34.14", "England rate, change (%)", -2.2, "cin_rate", "england_change_1y_pct", 1, REVISED),
    ("34.23", "Derby children on a plan at 31 March", 368, "cp_count", "value", 0, None),
    (
        "34.23",
        "Derby children on a plan a year earlier",
        314,
        "cp_count",
        "previous_value",
        0,
        None,
    ),
    ("34.23", "Derby change (%)", 17.2, "cp_count", "change_1y_pct", 1, None),
    (
        "34.23",
        "Comparator average change (%)",
        2.2,
        "cp_count",
        "comparator_mean_change_1y_pct",
        1,
        None,
    ),
    ("34.23", "England change (%)", 1.5, "cp_count", "england_change_1y_pct", 1, None),
    (
        "34.26",
        "Derby plans starting in the year",
        461,
        "cp_subsequent_pct",
        "denominator",
        0,
        PLANS,
    ),
    ("34.26", "Derby second or subsequent plans", 87, "cp_subsequent_pct", "numerator", 0, None),
    ("34.27", "Derby second or subsequent plans (%)", 18.6, "cp_subsequent_pct", "value", 1, None),
    ("34.27", "Comparator average (%)", 18.0, "cp_subsequent_pct", "comparator_mean", 1, None),
    ("34.27", "England (%)", 18.7, "cp_subsequent_pct", "england", 1, None),
    (
        "34.27",
        "Derby's place, highest first ('in the middle (6th)')",
        6,
        "cp_subsequent_pct",
        "rank",
        0,
        None,
    ),
]

NOT_COVERED = [
    (
        "34.5, 34.21, 34.25, 34.33",
        "changes since 2009-10 or 2011-12",
        "DfE's files as shipped start in 2012-13",
    ),
    ("34.15", "children in need with a disability", "not in the b1, c1, d3 or d5 tables"),
    ("34.17-34.22", "section 47 enquiries and initial conferences", "not in these tables"),
    ("34.30-34.31", "plans reviewed within timescales", "not in these tables"),
    (
        "34.32-34.35",
        "plans ceasing, and ceasing after 2 years or more",
        "d5 counts plans open at 31 March, not plans ceasing",
    ),
]


def comparison() -> pl.DataFrame:
    """Each report figure beside cscbench's, with whether they match and why not."""
    table = benchmark("Derby", year=2017, group="sn2021", include_self=True)
    rows = {r["indicator"]: r for r in table.iter_rows(named=True)}
    out = []
    for paragraph, what, reported, indicator, field, decimals, why in REPORT:
        ours = rows[indicator][field]
        shown = round(ours, decimals) if ours is not None else None
        match = shown is not None and abs(shown - reported) < 10**-decimals / 2 + 1e-9
        out.append(
            {
                "paragraph": paragraph,
                "figure": what,
                "report": reported,
                "cscbench": shown,
                "match": match,
                "why_not": None if match else (why or "unexplained"),
            }
        )
    return pl.DataFrame(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE / "output" / "derby-2016-17")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    table = comparison()
    table.write_csv(args.out / "comparison.csv")
    print(text_table(table), end="")
    matched = int(table["match"].sum())
    print(
        f"\n{matched} of {table.height} figures match the report to its rounding; "
        "the rest differ for the reasons given."
    )
    print("Not covered by DfE's files as shipped:")
    for paragraph, what, why in NOT_COVERED:
        print(f"  {paragraph}: {what} ({why})")
    unexplained = table.filter(pl.col("why_not") == "unexplained")
    if unexplained.height:
        raise SystemExit(f"unexplained differences: {unexplained['figure'].to_list()}")
    bench = benchmark("Derby", year=2017, group="sn2021", include_self=True)
    (args.out / "narrative.md").write_text(as_text(narrative(bench), markdown=True))
    save(
        comparator_chart("Derby", "rereferral_pct", year=2017, group="sn2021", include_self=True),
        args.out / "rereferrals-2016-17.png",
    )
    print(f"\nwritten to {args.out}")


if __name__ == "__main__":
    main()
