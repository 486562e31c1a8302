"""A tour of cscbench's Python API for analysts: load, benchmark, chart, narrative, export, and
then partnerships, targets and this year's local figures.

    python analyses/api_tour.py [--out DIR]

Each step is a few lines you can paste into a notebook; every function returns a polars
DataFrame or an Altair chart. Writes its outputs to DIR (default analyses/output/tour).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import polars as pl

HERE = Path(__file__).resolve().parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE / "output" / "tour")
    out = parser.parse_args().out
    out.mkdir(parents=True, exist_ok=True)

    # 1. Load: the data shipped with cscbench (works offline), tidy and long.
    from cscbench.datasets import find_area, load_indicators, neighbours

    derby = find_area("derby")
    print(
        f"1. {derby['area_name']} is {derby['la_code']} ({derby['area_code']}), "
        f"{derby['region_name']}"
    )
    rates = load_indicators(["cla_rate"], areas=[derby["la_code"]])
    print(rates.select("year", "numerator", "denominator", "value", "status"))
    print(neighbours("Derby", "sn2025").head(5))

    # 2. Benchmark: one row per indicator against the comparators, region and England.
    from cscbench.analyses import benchmark, rank

    table = benchmark("Derby")
    print("\n2. Benchmark, latest year:")
    print(
        table.select(
            "indicator", "value", "comparator_mean", "england", "rank", "rank_of", "trend", "flags"
        )
    )
    print(rank("cla_rate").head(5).select("rank", "area_name", "value", "quartile_band"))

    # 3. Chart: Altair charts in one theme, saved offline to PNG, SVG, PDF or HTML.
    from cscbench.figures import save, trend_chart

    chart = trend_chart("Derby", "cla_rate")
    save(chart, out / "derby-cla-rate.png")
    save(chart, out / "derby-cla-rate.html")
    print(f"\n3. Chart: {chart.to_dict()['title']['text']!r}")

    # 4. Narrative: sentences in the register of annual reports, numbers from the engine.
    from cscbench.analyses.narrative import as_text, narrative

    sentences = narrative(table.filter(pl.col("indicator") == "cla_rate"))
    print("\n4. Narrative:\n" + as_text(sentences))

    # 5. Export: the table as CSV and Excel, ready for a board paper (list columns, such as
    # the flags and the members without a figure, are joined with "; ").
    from cscbench.output import write

    write(table, "csv", out / "derby-benchmark.csv")
    write(table, "xlsx", out / "derby-benchmark.xlsx")
    print(f"5. Exported to {out}")

    # 6. Partnerships: each authority against its own neighbours, and the two pooled.
    from cscbench.analyses.narrative import partnership_narrative
    from cscbench.analyses.partnership import partnership, side_by_side

    both = partnership(["Derby", "Derbyshire"])
    print("\n6. Partnership:")
    print(side_by_side(both).filter(pl.col("indicator").is_in(["cp_rate", "rereferral_pct"])))
    print(partnership_narrative(both).filter(pl.col("kind") == "members")["sentence"][0])

    # 7. Targets: a targets file (TOML) and the status of each period.
    from cscbench.analyses.performance import targets

    status = targets("Derby", HERE / "derby_framework" / "targets-2007-08.toml")
    print("\n7. Targets against DfE's years:")
    print(status.select("indicator", "period", "value", "target", "symbol", "status"))

    # 8. This year's local, provisional figures from the census return (here a synthetic one).
    from cscbench.analyses.local import local_benchmark
    from cscbench.datasets.census import read_return
    from cscbench.datasets.synthetic_census import write_return

    # Earlier returns let re-referrals and repeat plans look back past 1 April.
    this, last = write_return(out / "derby-2026-synthetic.xml", "831", 2026, seed=1, previous=1)
    local = local_benchmark("Derby", read_return(this), [read_return(last)])
    print("\n8. Local, provisional 2025-26 against DfE's 2024-25:")
    print(local.select("indicator", "value", "comparator_mean", "england", "figures").head(4))


if __name__ == "__main__":
    main()
