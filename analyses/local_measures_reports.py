"""The local figures of the four published reports as local measures files, checked and charted.

    python analyses/local_measures_reports.py [--out DIR]

The reports' own figures, those no national data set holds, are transcribed as they are
printed into ``local_measures/``: Derby's 2006-07 performance monitoring framework (quarters)
and its 2016-17 report (quarters, and the years it compares: LADO referrals 2011-12 to
2016-17, early help, missing, private fostering, home education, QA notifications); the
Leicestershire and Rutland 2017-18 snapshots; Derby and Derbyshire's 2024-25 early help and
rates (the 2024-25 report prints no LADO figures, only that LADO referrals were reported on)
and the partnership's training. This script

1. checks each file as printed: ``check_measures`` finds where a report's figures disagree
   with themselves (a percentage that is not its counts, 218 "of" 100, a percentage of 204);
2. keeps the printed figure, drops the counts that disagree with it (or, for a figure that
   cannot be, the figure), and says so in the point's note, then checks the file again;
3. works SPC (Making Data Count) on every measure, with the 2006-07 framework's targets and
   the care proceedings target, and DfE's published figures beside the measures that match a
   national indicator (the same year for 2017-18; 2024-25 for the 2024-25 report);
4. writes each authority's summary, points and charts, and prints the sentences;
5. builds each authority's pack with the file as ``report --measures`` does (content only; run
   ``cscbench report LA --year Y --measures FILE`` on a corrected file in DIR for the whole
   pack) and writes ``in-the-pack.csv``: which theme of the pack each local theme joins, its
   charts, and the local key messages the pack opens with.

What cscbench adds: the reports print one to six points a series, so only Derby's LADO
referrals (six years) get process limits, provisional ones, and no quarter or year can be
called special cause or common cause with the confidence Making Data Count asks (15 to 20
points): collected monthly, the same measures would have limits within 15 months. It also
finds six figures the reports print that disagree with their own counts, keeps every missing
year visible (Derby's early help cases, 2017-18 to 2023-24), and sets each local figure beside
DfE's with the difference of periods stated.

Writes to DIR (default analyses/output/local-measures-reports).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import polars as pl

from cscbench.analyses.local_pack import LOCAL_WHY
from cscbench.analyses.local_spc import spc_points
from cscbench.analyses.local_words import local_summary, national_figures
from cscbench.datasets.local_measures import check_measures, read_measures
from cscbench.figures.drawing import Drawers, pin_fonts
from cscbench.figures.local_spc import write_local_charts
from cscbench.output import text_table
from cscbench.report.content import pack_content

HERE = Path(__file__).resolve().parent
FILES = HERE / "local_measures"

#: file -> (authority for DfE's figures, DfE's year to set beside them)
AUTHORITIES = {
    "derby.csv": ("Derby", 2025),
    "derbyshire.csv": ("Derbyshire", 2025),
    "leicestershire.csv": ("Leicestershire", 2018),
    "rutland.csv": ("Rutland", 2018),
    "partnership-training.csv": (None, None),
}


#: The year of the pack each file goes into, where it is not the year above: Derby's file is
#: its 2016-17 report's figures (and the 2006-07 framework's), so its pack is 2016-17's.
PACK_YEARS = {"derby.csv": 2017}


def corrected(path: Path, problems: pl.DataFrame, out: Path) -> Path:
    """The file with each disagreeing point resolved as printed: counts that disagree with
    the printed figure dropped, a figure that cannot be (over 100%) dropped; the problem
    goes into the point's note."""
    frame = pl.read_csv(path, infer_schema=False)
    frame = frame.with_row_index("row", offset=2).with_columns(pl.col("row").cast(pl.Int64))
    why = problems.group_by("row").agg(pl.col("problem").str.join("; ").alias("why"))
    impossible = problems.filter(pl.col("problem") == "is a percentage over 100")["row"]
    frame = frame.join(why, on="row", how="left", maintain_order="left")
    bad = pl.col("why").is_not_null()
    gone = pl.col("row").is_in(impossible.to_list())
    frame = frame.with_columns(
        pl.when(bad).then(None).otherwise(pl.col(c)).alias(c) for c in ("numerator", "denominator")
    ).with_columns(
        pl.when(gone).then(None).otherwise(pl.col("value")).alias("value"),
        pl.when(bad)
        .then(
            pl.concat_str(
                pl.coalesce(pl.col("note") + pl.lit("; "), pl.lit("")),
                pl.lit("as printed: "),
                pl.col("why"),
            )
        )
        .otherwise(pl.col("note"))
        .alias("note"),
    )
    target = out / path.name
    frame.drop("row", "why").write_csv(target)
    return target


def _one(name: str, la: str | None, year: int | None, out: Path, drawers) -> pl.DataFrame:
    """Check one file as printed, correct it, work its SPC, write its tables and charts and
    print its sentences; returns its problems as printed."""
    path = FILES / name
    problems = check_measures(path)
    checked = corrected(path, problems, out) if problems.height else path
    assert check_measures(checked).height == 0, checked
    local = read_measures(checked)
    targets = FILES / "derby-targets.toml" if name == "derby.csv" else None
    points = spc_points(local, targets=targets)
    national = national_figures(local.measures, la, "sn2021" if year == 2018 else "sn2025",
                                year)  # fmt: skip
    summary = local_summary(points, national, local.measures)
    stem = path.stem
    shown = summary.filter(pl.col("points") >= 2)
    write_local_charts(points, shown, out / stem, la or "Derby and Derbyshire", drawers=drawers)
    summary.with_columns(pl.col("sentences").list.join(" ")).write_csv(out / f"{stem}-summary.csv")
    points.write_csv(out / f"{stem}-points.csv")
    print(f"\n{la or 'Derby and Derbyshire partnership'} ({name}): {local.measures.height} "
          f"measures, {local.points.height} points")  # fmt: skip
    for sentences in summary["sentences"]:
        for sentence in sentences:
            print(f"  {sentence}")
    return problems, checked


def in_the_pack(name: str, la: str, year: int, checked: Path) -> list[dict]:
    """Where ``report --measures`` puts each local theme of one authority's file, and the
    local key messages its pack opens with."""
    group = "sn2021" if year <= 2021 else "sn2025"
    content = pack_content(la, year=year, group_key=group, measures=checked)
    local_keys = [
        m
        for m, why in zip(content.key_messages, content.key_message_reasons, strict=True)
        if why == LOCAL_WHY
    ]
    return [
        {
            "file": name,
            "authority": la,
            "year": year,
            "local_theme": part.title,
            "joins": part.theme or "(a part of its own)",
            "measures": part.summary.height,
            "charts": len(part.charts),
            "key_messages": " | ".join(m for m in local_keys if m in part.sentences),
        }
        for part in content.local_parts
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE / "output" / "local-measures-reports")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    pin_fonts()
    found, placed = [], []
    with Drawers() as drawers:
        for name, (la, year) in AUTHORITIES.items():
            problems, checked = _one(name, la, year, args.out, drawers)
            found.append(problems)
            if la is not None:
                placed += in_the_pack(name, la, PACK_YEARS.get(name, year), checked)
    pl.DataFrame(placed).write_csv(args.out / "in-the-pack.csv")
    print("\nIn each authority's pack (report --measures):\n")
    print(text_table(pl.DataFrame(placed).drop("key_messages")))
    problems = pl.concat(found)
    problems.write_csv(args.out / "problems-as-printed.csv")
    print(f"\nWhere the reports disagree with themselves ({problems.height}):\n")
    print(text_table(problems))
    print(f"\nwritten to {args.out}")


if __name__ == "__main__":
    main()
