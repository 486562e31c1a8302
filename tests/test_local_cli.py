"""'cscbench local template|check|spc' as a user runs them, and the charts they draw."""

from __future__ import annotations

import csv
import io
import subprocess
import sys

import altair as alt
import polars as pl
from test_local_measures import BAD

from cscbench.analyses.local_spc import example_measures, spc_points
from cscbench.analyses.local_words import local_summary, national_figures
from cscbench.datasets.local_measures import read_measures
from cscbench.figures.local_spc import SCHEMA, local_measures_parts, local_spc_chart
from cscbench.figures.notes import note_of


def run(*args, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "cscbench.cli", "local", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
    )


def monthly(tmp_path, n=20, name="ri.csv", change_at=None, measure="ri_72h_pct"):
    rows = ["measure,title,unit,polarity,theme,period,numerator,denominator,note,change"]
    for i in range(n):
        m = 2024 * 12 + 3 + i
        head = (
            f"{measure},Return interviews within 72 hours (%),percent,high_is_good,Missing"
            if i == 0
            else f"{measure},,,,"
        )
        num = 40 + (i * 7) % 5 if i != n - 1 else 20
        note = "new duty system" if i == 3 else ""
        change = "change of provider" if i == change_at else ""
        rows.append(f"{head},{m // 12}-{m % 12 + 1:02d},{num},50,{note},{change}")
    path = tmp_path / name
    path.write_text("\n".join(rows) + "\n")
    return path


def test_template_prints_or_writes_a_new_file_and_never_overwrites(tmp_path):
    out = run("template")
    assert out.returncode == 0
    rows = list(csv.DictReader(io.StringIO(out.stdout)))
    assert len(rows) >= 30 and all(r["definition"] for r in rows)
    assert run("template", "--out", str(tmp_path / "m.xlsx")).returncode == 0
    again = run("template", "--out", str(tmp_path / "m.xlsx"))
    assert again.returncode == 2
    assert again.stderr.strip() == (
        f"cscbench: {tmp_path / 'm.xlsx'}: already exists; choose a new file name"
    )
    assert run("check", str(tmp_path / "m.xlsx")).returncode == 0


def test_check_lists_every_bad_row_and_stops_with_the_first(tmp_path):
    path = tmp_path / "measures.csv"
    path.write_text(BAD)
    out = run("check", str(path), "--format", "csv")
    assert out.returncode == 2
    problems = pl.read_csv(io.StringIO(out.stdout))
    assert problems.height == 27 and problems.columns == ["file", "row", "column", "problem"]
    assert out.stderr.count("\n") == 1 and "Traceback" not in out.stderr
    assert out.stderr.startswith("cscbench: measures.csv, row 1, column 'colour': not a column")
    good = run("check", str(monthly(tmp_path)))
    assert good.returncode == 0
    assert good.stderr == "ri.csv: no problems; 1 measures, 20 points\n"


def test_spc_prints_the_summary_and_its_sentences(tmp_path):
    out = run("spc", str(monthly(tmp_path, change_at=8)))
    assert out.returncode == 0, out.stderr
    assert "ri_72h_pct  Missing" in out.stdout
    assert (
        "Return interviews within 72 hours fell below its lower process limit in "
        "November 2025 (a concern), the first special-cause point since the change of "
        "provider in December 2024."
    ) in out.stdout
    points = run("spc", str(monthly(tmp_path)), "--measure", "ri_72h_pct", "-f", "csv")
    table = pl.read_csv(io.StringIO(points.stdout))
    assert table.height == 20 and table["point_type"][-1] == "special_cause_concern"


def test_spc_draws_a_chart_or_a_folder_of_charts(tmp_path):
    one = monthly(tmp_path)
    out = run("spc", str(one), "--out", str(tmp_path / "chart.svg"))
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "chart.svg").read_text().startswith("<svg")
    two = tmp_path / "two.csv"
    text = one.read_text()
    two.write_text(
        text
        + "".join(line.replace("ri_72h_pct", "ri_again") + "\n" for line in text.splitlines()[1:])
    )
    refused = run("spc", str(two), "--out", str(tmp_path / "c.svg"))
    assert refused.returncode == 2 and not (tmp_path / "c.svg").exists()
    assert "two.csv has 2 measures with figures: choose one with --measure" in refused.stderr
    folder = tmp_path / "charts"
    out = run("spc", str(two), "--out", f"{folder}/")
    assert out.returncode == 0, out.stderr
    assert sorted(p.name for p in folder.iterdir()) == [
        "local-ri_72h_pct.svg",
        "local-ri_again.svg",
        "points.csv",
        "summary.csv",
    ]
    unknown = run("spc", str(one), "--measure", "nope")
    assert unknown.returncode == 2 and "has no measure 'nope'" in unknown.stderr


def test_the_chart_is_valid_vega_lite_with_annotations_icons_and_words(tmp_path):
    path = monthly(tmp_path, change_at=8)
    points = spc_points(path)
    row = local_summary(points).row(0, named=True)
    spec = local_spc_chart(points, "ri_72h_pct", row, "Derby")
    alt.LayerChart.from_dict(spec.to_dict(), validate=True)  # the Vega-Lite schema
    assert spec["$schema"] == alt.SCHEMA_URL == SCHEMA
    subtitle = spec["title"]["subtitle"]
    assert subtitle[1] == "Variation: L- special cause variation, concerning: lower"
    assert "1. 2024-07: new duty system" in subtitle  # the note, numbered on its point
    marks = [layer["mark"]["type"] for layer in spec["layer"]]
    texts = [layer for layer in spec["layer"] if layer["mark"]["type"] == "text"]
    assert marks.count("rule") >= 4 and len(texts) == 2
    assert texts[0]["data"]["values"][0]["change"] == "change of provider"
    assert spec["description"].startswith(
        "Statistical process control chart of return "
        "interviews within 72 hours (%) by month, 20 points"
    )
    # shape and colour both say the kind of point, and the key says it in words
    point = next(layer for layer in spec["layer"] if layer["mark"]["type"] == "point")
    assert point["encoding"]["shape"]["scale"]["domain"] == [
        "Common cause",
        "Special cause: concerning",
    ]


def test_the_chart_shows_dfes_figures_per_period_for_a_national_match(tmp_path):
    path = monthly(tmp_path, measure="rereferral_pct")
    local = read_measures(path)
    national = national_figures(local.measures, "Derby")
    points = spc_points(local)
    row = local_summary(points, national).row(0, named=True)
    spec = local_spc_chart(points, "rereferral_pct", row, "Derby")
    labels = [
        v["label"]
        for layer in spec["layer"]
        if layer["mark"]["type"] == "text"
        for v in layer["data"]["values"]
        if "label" in v
    ]
    year = national["published_year"][0]
    england = f"{national['england'][0]:.1f}%"
    assert f"England {year - 1}-{year % 100:02d}: {england}" in labels  # a percentage: as is
    assert note_of(spec).startswith(
        "Source: Derby's own figures (local, not published by DfE); DfE, Children in need"
    )


def test_the_report_parts_are_data_theme_by_theme():
    parts = local_measures_parts(example_measures(), la="Derby")
    assert [p.theme for p in parts] == ["Missing and exploitation"]
    part = parts[0]
    assert isinstance(part.charts[0][1], dict) and part.charts[0][0] == "local-ri_72h_pct"
    assert part.key_messages == (part.sentences[0],)
    assert part.summary.height == 1 and part.points.height == 33
    assert "Derby's own figures" in note_of(part.charts[0][1])


def test_spc_on_the_untouched_template_says_no_figures_yet(tmp_path):
    template = tmp_path / "measures.csv"
    assert run("template", "--out", str(template)).returncode == 0
    out = run("spc", str(template))
    assert out.returncode == 0, out.stderr
    assert "Referrals to the LADO: no figures yet." in out.stdout
    summary = run("spc", str(template), "-f", "csv")
    rows = pl.read_csv(io.StringIO(summary.stdout))
    assert rows.height == 34 and set(rows["points"]) == {0} and "variation" in rows.columns
