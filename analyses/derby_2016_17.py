"""Derby Safeguarding Children Board, annual report 2016-17, section 34, rebuilt from data.

    python analyses/derby_2016_17.py [--out DIR]

The report compared Derby with its DfE statistical neighbours (the 2021 model's ten: Bolton,
Coventry, Dudley, Kirklees, Leeds, Medway, Peterborough, Sheffield, Telford and Wrekin,
Walsall), Derby included in the comparator average, and with England. This script takes every
figure of section 34 that DfE's published files cover, computes it with cscbench, and sets the
two side by side: a match within the report's rounding, or the reason they differ.

A second table, new-measures.csv, does the same for the figures DfE's newer files give:
children in need during the year (b1), section 47 enquiries, initial child protection
conferences and conferences within 15 working days (c4), and the looked-after paragraphs, which
cscbench cannot yet give for 2016-17 (its looked-after figures start in 2020-21).

Writes to DIR (default analyses/output/derby-2016-17): comparison.csv, new-measures.csv,
narrative.md, and the comparator chart of re-referrals (as in paragraph 34.7).
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
    ("12.28", "children in care each quarter", "DfE publishes the year's end only"),
    ("34.1", "children in care by ethnic group", "cscbench holds no ethnic breakdowns"),
    ("34.30-34.31", "plans reviewed within timescales", "not in these tables"),
    (
        "34.32-34.35",
        "plans ceasing, and ceasing after 2 years or more",
        "d5 counts plans open at 31 March, not plans ceasing",
    ),
]

CHILDREN_S47 = (
    "the report counts children subject to an enquiry (DfE's c4 Section47_child: 1,080); "
    "cscbench's s47_count counts enquiries (1,246)"
)
CHILDREN_ICPC = (
    "the report counts children conferenced (DfE's c4 ICPC_child: 541); cscbench's "
    "icpc_count counts conferences (549)"
)
NO_FIGURE = "the report prints no figure; cscbench's is here for the section it could have had"
CLA_LATER = (
    "DfE's published figure, which cscbench takes from LAIT for the years before DfE's "
    "looked-after file by authority (2015-16 to 2019-20); the report's own count was the "
    "authority's at the time of writing"
)

# (paragraph, what, as printed, the report's figure or None, indicator, year, field,
#  decimals, why if it differs)
NEW = [
    ("34.11", "Derby children in need during the year", "4,656", 4656, "cin_year_count",
     2017, "value", 0,
     "not verified: DfE's b1 gives 4,438 children (4,717 episodes) in need during 2016-17; "
     "the report's 4,656 is neither, perhaps Derby's own count or DfE's first publication"),
    ("34.11", "Comparator average children in need during the year", "5,449", 5449,
     "cin_year_count", 2017, "comparator_mean", 0,
     "not verified: the comparators' mean in DfE's b1 is 5,165 children (5,514 episodes); "
     "the report's 5,449 is neither"),
    ("34.17", "Derby section 47 enquiries, 2016-17", "1,080", 1080, "s47_count", 2017,
     "value", 0, CHILDREN_S47),
    ("34.17", "Derby section 47 enquiries, 2015-16", "853", 853, "s47_count", 2017,
     "previous_value", 0,
     "DfE's c4 gives 856 enquiries and 790 children; the report's 853 is neither, perhaps "
     "Derby's own count before DfE's validation (not verified)"),
    ("34.17", "Derby change in enquiries (number)", "227", 227, "s47_count", 2017,
     "change_1y", 0, "follows from the two counts above (children in 2016-17, neither in 2015-16)"),
    ("34.17", "Derby change in enquiries (%)", "26.6%", 26.6, "s47_count", 2017,
     "change_1y_pct", 1, "follows from the two counts above"),
    ("34.17", "England change in enquiries (%)", "a 2.7% decrease", -2.7, "s47_count", 2017,
     "england_change_1y_pct", 1,
     "the report sets 2016-17's children (167,670) against 2015-16's enquiries (172,510), "
     "-2.8% on DfE's current figures; both counts rose (+7.6% enquiries, +7.0% children)"),
    ("34.17", "Comparator average enquiries, 2015-16", "1,268", 1268, "s47_count", 2017,
     "comparator_mean_previous", 0,
     "the report's average is of enquiries with Derby's 853 in place of DfE's 856 (1,268.9); "
     "cscbench's is of DfE's enquiries (1,269.2)"),
    ("34.17", "Comparator average enquiries, 2016-17", "1,285", 1285, "s47_count", 2017,
     "comparator_mean", 0,
     "the report's average is of children subject to an enquiry (c4 Section47_child: "
     "1,285.2; +1.3% on 2015-16's enquiries, as the report says); cscbench's is of enquiries"),
    ("34.17", "Derby section 47 enquiries per 10,000 children", "not printed", None,
     "s47_rate", 2017, "value", 1, NO_FIGURE),
    ("34.19", "Derby conferences per 100 enquiries ('in line with comparators')",
     "not printed", None, "s47_to_icpc_pct", 2017, "value", 1, NO_FIGURE),
    ("34.19", "Comparator average conferences per 100 enquiries", "not printed", None,
     "s47_to_icpc_pct", 2017, "comparator_mean", 1, NO_FIGURE),
    ("34.20", "Derby initial conferences, 2015-16", "510", 510, "icpc_count", 2017,
     "previous_value", 0, None),
    ("34.20", "Derby initial conferences, 2016-17", "541", 541, "icpc_count", 2017, "value",
     0, CHILDREN_ICPC),
    ("34.20", "Derby change in conferences (%)", "6.1%", 6.1, "icpc_count", 2017,
     "change_1y_pct", 1, "the report sets children conferenced (541) against conferences (510)"),
    ("34.20", "England change in conferences (%)", "3.9%", 3.9, "icpc_count", 2017,
     "england_change_1y_pct", 1,
     "the report sets 2016-17's children conferenced (75,890) against 2015-16's "
     "conferences (73,050): +3.9%; conferences rose 5.3%"),
    ("34.20", "Comparator average change in conferences (%)", "3.6%", 3.6, "icpc_count", 2017,
     "comparator_mean_change_1y_pct", 1,
     "the report sets the comparators' mean of children conferenced in 2016-17 (561.2) "
     "against their mean conferences in 2015-16 (541.5): +3.6%; conferences rose 4.5%"),
    ("34.20", "Derby initial conferences per 10,000 children", "not printed", None,
     "icpc_rate", 2017, "value", 1, NO_FIGURE),
    ("34.22", "Derby conferences within 15 working days, 2015-16 (%)", "92.0%", 92.0,
     "icpc_15days_pct", 2017, "previous_value", 1, None),
    ("34.22", "Derby conferences within 15 working days, 2016-17 (%)", "94.1%", 94.1,
     "icpc_15days_pct", 2017, "value", 1,
     "the report's figure is Derby's own before DfE's validation (94.1% is 509 of 541); "
     "DfE's c4 gives 521 of 549 conferences, 94.9%"),
    ("34.22", "Derby's place for conferences in time, 2016-17 ('leading')", "1st", 1,
     "icpc_15days_pct", 2017, "rank_best", 0, None),
    ("34.22", "Derby's place for conferences in time, 2015-16 ('second highest')", "2nd", 2,
     "icpc_15days_pct", 2016, "rank_best", 0, None),
    ("12.30", "Children in care at the end of 2016-17", "449", 449, "cla_count", 2017, "value",
     0, CLA_LATER),
    ("12.30", "Children in care at the end of 2015-16", "448", 448, "cla_count", 2016, "value",
     0, CLA_LATER),
]  # fmt: skip


def verdict(reported: float | None, ours: float | None, decimals: int) -> str:
    """Whether cscbench's figure, rounded to the report's decimals, is the report's.

    >>> verdict(94.1, 94.8998, 1), verdict(92.0, 91.9608, 1), verdict(None, 3.0, 1)
    ('differs', 'agrees', 'not printed')
    >>> verdict(449, None, 0)
    'not held'
    """
    if reported is None:
        return "not printed"
    if ours is None:
        return "not held"
    return "agrees" if abs(round(ours, decimals) - reported) < 10**-decimals / 2 else "differs"


def new_measures() -> pl.DataFrame:
    """The report's figures that DfE's newer files cover, beside cscbench's, with why not."""
    tables = {
        year: {
            r["indicator"]: r
            for r in benchmark(
                "Derby", year=year, group="sn2021", include_self=True, indicators=indicators
            ).iter_rows(named=True)
        }
        for year, indicators in (
            (2016, ["icpc_15days_pct", "cla_count"]),
            (2017, sorted({row[4] for row in NEW})),
        )
    }
    out = []
    for paragraph, what, printed, reported, indicator, year, field, decimals, why in NEW:
        row = tables[year].get(indicator)
        ours = None if row is None or row[field] is None else round(row[field], decimals)
        said = verdict(reported, ours, decimals)
        out.append(
            {
                "paragraph": paragraph,
                "figure": what,
                "printed": printed,
                "report": None if reported is None else float(reported),
                "indicator": indicator,
                "year": year,
                "cscbench": ours,
                "verdict": said,
                "why_not": None if said == "agrees" else why,
            }
        )
    return pl.DataFrame(out, schema_overrides={"report": pl.Float64, "cscbench": pl.Float64})


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
    more = new_measures()
    more.write_csv(args.out / "new-measures.csv")
    print("\nFrom DfE's newer files (b1 during the year, c4, looked after):")
    print(text_table(more.drop("indicator", "year")), end="")
    counts = dict(more.group_by("verdict").len().iter_rows())
    print("\n" + ", ".join(f"{n} {v}" for v, n in sorted(counts.items())))
    if more.filter(pl.col("verdict") != "agrees")["why_not"].null_count():
        raise SystemExit("a figure that differs carries no reason")
    bench = benchmark("Derby", year=2017, group="sn2021", include_self=True)
    (args.out / "narrative.md").write_text(as_text(narrative(bench), markdown=True))
    save(
        comparator_chart("Derby", "rereferral_pct", year=2017, group="sn2021", include_self=True),
        args.out / "rereferrals-2016-17.png",
    )
    print(f"\nwritten to {args.out}")


if __name__ == "__main__":
    main()
