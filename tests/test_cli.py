"""The cscbench command, run as a user runs it: a separate process."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys

import polars as pl
import pytest


def held(la_code: str = "831", year: int = 2025) -> int:
    """How many indicators the data hold a row for, for the authority and year."""
    from cscbench.datasets import load_indicators

    rows = load_indicators(years=[year], areas=[la_code])
    return rows.filter(pl.col("geography") == "la")["indicator"].n_unique()


def run(*args, env=None):
    return subprocess.run(
        [sys.executable, "-m", "cscbench.cli", *args], capture_output=True, text=True, env=env
    )


def test_data_info_describes_the_snapshot():
    out = run("data", "info")
    assert out.returncode == 0, out.stderr
    assert "years        2013 to 2025" in out.stdout
    assert "authorities  158" in out.stdout
    assert "Open Government Licence v3.0" in out.stdout
    info = json.loads(run("data", "info", "--format", "json").stdout)
    assert info["years"] == "2013 to 2025"
    assert {s["key"] for s in info["sources"]} >= {"b1", "c1", "d3", "d5", "cla", "sn2025"}


def test_indicators_as_json_and_csv():
    records = json.loads(run("indicators", "--format", "json").stdout)
    reref = next(r for r in records if r["id"] == "rereferral_pct")
    assert reref["unit"] == "percent" and reref["polarity"] == "low_is_good"
    rows = list(csv.DictReader(io.StringIO(run("indicators", "-f", "csv").stdout)))
    assert len(rows) == len(records) >= 15


def test_areas_lists_neighbours():
    rows = list(csv.DictReader(io.StringIO(run("areas", "--format", "csv").stdout)))
    derby = next(r for r in rows if r["la_code"] == "831")
    assert derby["area_code"] == "E06000015" and derby["region_name"] == "East Midlands"
    assert derby["sn2021_neighbours"].split("; ")[0] == "Peterborough"
    cumbria = next(r for r in rows if r["la_code"] == "909")
    assert cumbria["successors"] == "942,943" and cumbria["last_year"] == "2023"


def test_bad_data_folder_is_one_line_and_non_zero(tmp_path):
    out = run("data", "info", "--data", str(tmp_path))
    assert out.returncode == 2
    assert out.stderr.strip().count("\n") == 0
    assert "no file matches b1_children_in_need_*.csv" in out.stderr
    assert "Traceback" not in out.stderr


def test_unknown_format_is_one_line(tmp_path):
    out = run("indicators", "--format", "xml")
    assert out.returncode == 2
    expected = "cscbench: unknown format 'xml'; choose one of: table, csv, json, xlsx"
    assert out.stderr.strip() == expected


def test_data_build_then_use_it(raw_dir, tmp_path):
    out = run("data", "build", "--from", str(raw_dir), "--out", str(tmp_path / "snap"))
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "snap" / "manifest.json").is_file()
    info = run("data", "info", "--data", str(tmp_path / "snap"))
    assert info.returncode == 0 and str(tmp_path / "snap") in info.stdout


def test_corrupt_raw_file_gives_file_row_column(raw_copy, tmp_path):
    path = raw_copy / "d5_cpps_at31march_by_duration_2013_to_2025.csv"
    text = path.read_text()
    path.write_text(text.replace(",49420,", ",49,420,", 1))
    out = run("data", "build", "--from", str(raw_copy), "--out", str(tmp_path / "snap"))
    assert out.returncode == 2
    assert out.stderr.startswith(
        "cscbench: d5_cpps_at31march_by_duration_2013_to_2025.csv, row 2: "
    )
    assert not (tmp_path / "snap" / "manifest.json").exists()


def test_years_are_taken_as_reports_write_them():
    # Reports write 2016-17 or 2016/17 and Explore Education Statistics writes 201617; the
    # option took only 2017 and answered anything else with a box of usage text.
    def reref(*year_args):
        out = run(
            "benchmark",
            "Derby",
            "--group",
            "sn2021",
            "--include-self",
            "-f",
            "json",
            "--indicators",
            "rereferral_pct",
            *year_args,
        )
        assert out.returncode == 0, out.stderr
        return json.loads(out.stdout)[0]

    for year in ("2016-17", "2016/17", "201617", "2016-2017"):
        row = reref("--year", year, "--base-year", "2013-14")
        assert (row["year"], round(row["value"], 1), row["rank_best"]) == (2017, 21.3, 4)
        assert row["base_year"] == 2014
    out = run("trend", "Derby", "cin_rate", "--from", "2015/16", "--to", "2016-17", "-f", "csv")
    assert [r["year"] for r in csv.DictReader(io.StringIO(out.stdout))] == ["2016", "2017"]


def test_names_that_hold_a_comma_are_one_authority():
    # "Bristol, City of" was taken as two authorities, "Bristol" and "City of", and failed.
    out = run(
        "benchmark",
        "Bristol, City of",
        "--comparators",
        "Kingston upon Hull, City of, Leeds",
        "--indicators",
        "cla_rate",
        "-f",
        "json",
    )
    assert out.returncode == 0, out.stderr
    row = json.loads(out.stdout)[0]
    assert (row["area_name"], row["group_n"]) == ("Bristol, City of", 2)
    assert row["group"] == "Custom comparator group (excluding Bristol, City of)"


def test_command_line_mistakes_are_one_line_and_status_2():
    # Typer's own errors were a usage line, a hint and a box drawn over four lines.
    for args, said in [
        (
            ("benchmark", "Derby", "--year", "2016-18"),
            "cscbench benchmark: invalid value for '--year': '2016-18' is not a reporting "
            "year: write 2017, 2016-17 or 2016/17 (see 'cscbench benchmark --help')",
        ),
        (
            ("benchmark",),
            "cscbench benchmark: missing argument 'la' (see 'cscbench benchmark --help')",
        ),
        (("data", "info", "--verbose"), "cscbench data info: no such option: --verbose"),
        (
            ("trend", "Derby", "cin_rate", "--from", "2016/17", "--to", "2015-16"),
            "cscbench: the first year, 2016-17, is after the last, 2015-16",
        ),
    ]:
        out = run(*args)
        assert out.returncode == 2, args
        assert out.stdout == "" and out.stderr.count("\n") == 1, out.stderr
        assert out.stderr.startswith(said), out.stderr
    help_text = run("--help")
    assert help_text.returncode == 0 and "Usage: cscbench" in help_text.stdout


def test_benchmark_json_has_the_documented_fields():
    out = run(
        "benchmark",
        "Derby",
        "--year",
        "2017",
        "--group",
        "sn2021",
        "--include-self",
        "--format",
        "json",
    )
    assert out.returncode == 0, out.stderr
    records = {r["indicator"]: r for r in json.loads(out.stdout)}
    reref = records["rereferral_pct"]
    assert (reref["rank_best"], reref["rank_of"], round(reref["comparator_mean"], 1)) == (
        4,
        11,
        22.7,
    )
    assert isinstance(reref["flags"], list) and isinstance(reref["group_missing"], list)


def test_benchmark_table_is_readable():
    out = run(
        "benchmark",
        "Derby",
        "--year",
        "2017",
        "--group",
        "sn2021",
        "--include-self",
        "--indicators",
        "rereferral_pct,cin_rate",
    )
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    # what the table is of, then the table; a percentage's change in points, a rate's in %
    assert lines[0] == (
        "Derby, 2016-17 (year ending 31 March 2017); comparators: DfE statistical neighbours, "
        "2021 model (including Derby)"
    )
    assert lines[2].split()[:3] == ["indicator", "value", "95%"]
    assert "1-year change (% points)" in lines[2] and "1-year change (%)" in lines[2]
    reref = next(line for line in lines if line.startswith("rereferral_pct"))
    assert "21.3" in reref and "20.1 to 22.5" in reref and "8 of 11" in reref
    # Derby's re-referrals rose from 13.4% to 21.3% (DfE's c1: 7.9 points, not a 59.4% rise)
    assert " 7.9 " in reref and "59.4" not in reref
    assert "16.1" in next(line for line in lines if line.startswith("cin_rate"))
    assert out.stderr == ""  # no indicator asked for is missing that year
    # asked for every indicator, the looked-after figures (from 2020-21) are said to be missing
    every = run("benchmark", "Derby", "--year", "2017", "--format", "csv")
    assert every.returncode == 0, every.stderr
    notes = every.stderr.splitlines()
    # LAIT's rates of starting and ceasing care and the workforce census at 30 September
    # 2017 start in 2017-18; DfE's looked-after long files in 2020-21: one note a year
    assert notes[0] == (
        "note: DfE's figures by local authority on rate of children starting care, rate of "
        "children leaving care and the children and family social work workforce start in "
        "2017-18"
    )
    assert notes[1].startswith(
        "note: DfE's figures by local authority on the health and convictions of children "
        "looked after, placement stability"
    ) and notes[1].endswith(" start in 2020-21")
    assert len(notes) == len({n.rsplit(" in ", 1)[1] for n in notes})


def test_benchmark_to_xlsx_and_csv(tmp_path):
    import polars as pl

    target = tmp_path / "derby.xlsx"
    out = run("benchmark", "Derby", "--format", "xlsx", "--out", str(target))
    assert out.returncode == 0, out.stderr
    sheet = pl.read_excel(target)
    assert sheet.height == held() and "comparator_mean" in sheet.columns
    rows = list(csv.DictReader(io.StringIO(run("benchmark", "831", "-f", "csv").stdout)))
    assert len(rows) == held() and rows[0]["group"].startswith("DfE statistical neighbours, 2025")


def test_benchmark_with_comparators_file(tmp_path):
    group = tmp_path / "cities.toml"
    group.write_text('name = "East Midlands cities"\nmembers = ["Nottingham", "Leicester"]\n')
    out = run(
        "benchmark",
        "Derby",
        "--comparators-file",
        str(group),
        "-f",
        "json",
        "--indicators",
        "cla_rate",
    )
    record = json.loads(out.stdout)[0]
    assert record["group"] == "East Midlands cities (excluding Derby)" and record["group_n"] == 2


def test_unknown_authority_is_one_line_with_suggestions():
    out = run("benchmark", "Darby")
    assert out.returncode == 2
    assert out.stderr.strip() == "cscbench: no local authority called 'Darby'; closest: Derby"


def test_xlsx_needs_a_file():
    out = run("benchmark", "Derby", "--format", "xlsx")
    assert out.returncode == 2 and "give --out FILE.xlsx" in out.stderr


def test_a_year_the_data_do_not_hold_is_one_line_and_status_2():
    out = run("rank", "cin_rate", "--year", "2011")
    assert out.returncode == 2 and out.stdout == ""
    assert (
        out.stderr == "cscbench: no figures for cin_rate in 2010-11: they run 2012-13 to 2024-25\n"
    )


def test_options_that_name_nothing_or_cannot_be_drawn_are_one_line_errors(tmp_path):
    # --comparators "" fell back to the 2025 neighbours, --comparators Derby benchmarked Derby
    # against nobody, and --scale 0 crashed vl-convert (a Rust panic, exit status 1).
    for args, said in [
        (("benchmark", "Derby", "--comparators", ""), "'' names nothing"),
        (("benchmark", "Derby", "--comparators", " , "), "' , ' names nothing"),
        (("benchmark", "Derby", "--comparators", "Derby"), "not one of its own comparators"),
        (("benchmark", "Derby", "--comparators", "Derby,Nottingham"), "not one of its own"),
        # --workers -1 was taken as 1 and 0 as one per core, without a word.
        (("report", "Derby", "--workers", "0", "--out", str(tmp_path / "p")), "workers 0: give"),
        # Both an authority and --all made every authority's pack (153 of them).
        (("report", "Derby", "--all", "--out", str(tmp_path / "p")), "name no authority (Derby)"),
        # --all for a year no authority has figures in wrote "0 packs", status 0.
        (("report", "--all", "--year", "2011", "--out", str(tmp_path / "p")), "in 2010-11"),
        # A base year after the data left every long-term change empty in the file.
        (
            ("table", "--out", str(tmp_path / "t.parquet"), "--base-year", "2030"),
            "the base year, 2029-30, is after the last year of figures, 2024-25",
        ),
        (
            (
                "chart",
                "trend",
                "Derby",
                "--indicator",
                "cin_rate",
                "--scale",
                "0",
                "--out",
                str(tmp_path / "t.png"),
            ),
            "scale 0: give a number above 0 and at most 10",
        ),
    ]:
        out = run(*args)
        assert out.returncode == 2 and out.stderr.startswith("cscbench: "), args
        assert said in out.stderr and len(out.stderr.splitlines()) == 1, out.stderr
    assert not (tmp_path / "t.png").exists() and not (tmp_path / "t.parquet").exists()
    assert not (tmp_path / "p").exists()


def test_report_all_shows_progress_only_once_there_are_packs(monkeypatch, tmp_path):
    # The bar is started when report_all says how many packs there will be, so a run that
    # stops before (no authority has figures that year) prints its one line and no bar.
    from typer.testing import CliRunner

    import cscbench.report
    from cscbench.cli import app
    from cscbench.errors import UsageError

    def two_packs(out, expected, progress, **_):
        expected(2)
        for name in ("Derby", "Rutland"):
            progress(name)
        return [out / "derby", out / "rutland"]

    monkeypatch.setattr(cscbench.report, "report_all", two_packs)
    done = CliRunner().invoke(app, ["report", "--all", "--out", str(tmp_path)])
    assert done.exit_code == 0, done.output
    assert "Written Rutland" in done.output and "2 packs written to" in done.output

    def none_that_year(out, expected, progress, **_):
        raise UsageError("no authority has figures in 2010-11")

    monkeypatch.setattr(cscbench.report, "report_all", none_that_year)
    stopped = CliRunner().invoke(app, ["report", "--all", "--year", "2011"])
    assert isinstance(stopped.exception, UsageError)  # main() prints it as one line, status 2
    assert stopped.output == ""  # no bar


def test_the_format_follows_the_file_ending(tmp_path):
    # --out b.csv without --format wrote the aligned text table into b.csv (and into b.xlsx,
    # which Excel cannot open); -f csv --out b.json wrote CSV into a file called .json.
    for name in ("b.csv", "b.xlsx", "b.json"):
        assert run("benchmark", "Derby", "--out", str(tmp_path / name)).returncode == 0
    rows = list(csv.DictReader((tmp_path / "b.csv").open()))
    assert len(rows) == held() and rows[0]["la_code"] == "831"
    assert pl.read_excel(tmp_path / "b.xlsx").height == held()
    assert len(json.loads((tmp_path / "b.json").read_text())) == held()
    out = run("benchmark", "Derby", "-f", "csv", "--out", str(tmp_path / "c.json"))
    assert out.returncode == 2 and not (tmp_path / "c.json").exists()
    assert "c.json: --format csv does not write .json" in out.stderr
    said = run("narrative", "Derby", "--indicators", "cin_rate", "--out", str(tmp_path / "n.json"))
    assert said.returncode == 0
    assert json.loads((tmp_path / "n.json").read_text())[0]["indicator"] == "cin_rate"


def test_rank_trend_outliers_commands():
    ranked = list(
        csv.DictReader(
            io.StringIO(
                run(
                    "rank",
                    "rereferral_pct",
                    "--year",
                    "2017",
                    "--la",
                    "Derby",
                    "--group",
                    "sn2021",
                    "-f",
                    "csv",
                ).stdout
            )
        )
    )
    assert len(ranked) == 11 and ranked[0]["rank"] == "1"
    series = json.loads(
        run(
            "trend",
            "Derby",
            "cp_count",
            "--from",
            "2016",
            "--to",
            "2017",
            "--group",
            "sn2021",
            "-f",
            "json",
        ).stdout
    )
    assert [r["value"] for r in series] == [314, 368]
    flagged = json.loads(
        run("outliers", "--year", "2025", "--indicators", "cla_rate", "-f", "json").stdout
    )
    assert flagged and all(r["flags"] and r["why"] for r in flagged)


def test_trend_and_rank_tables_are_rounded_for_reading():
    # The text tables printed changes as -4.582 and 59.371, percentiles as 91.7219 and robust
    # scores as 1.80141, and years as 2017. Derby's re-referrals went from 13.3% in 2015-16 to
    # 21.3% in 2016-17 (DfE): up 7.9 percentage points, 59.4%.
    header, rule, line = run(
        "trend", "Derby", "rereferral_pct", "--from", "2016-17", "--to", "2016-17"
    ).stdout.splitlines()
    spans = [m.span() for m in re.finditer("-+", rule)]
    row = {header[a:b].strip(): line[a:b].strip() for a, b in spans}
    assert (row["year"], row["value"], row["change_1y"], row["change_1y_pct"]) == (
        "2016-17",
        "21.3",
        "7.9",
        "59.4",
    )
    ranked = run("rank", "rereferral_pct", "--year", "2017", "--la", "Derby", "--group", "sn2021")
    first = ranked.stdout.splitlines()[2]
    # 152 authorities with a figure (the Isles of Scilly's printed 0.0% counts: LAIT's 152)
    assert "Peterborough" in first and " 91.8 " in first and " 1.79 " in first
    flagged = run("outliers", "--year", "2025", "--indicators", "cla_rate").stdout.splitlines()
    barnet = next(line for line in flagged if "Barnet" in line)
    assert "2024-25" in barnet and " 36.5 " in barnet and " -1.62 " in barnet


def test_table_writes_every_authority_to_parquet(tmp_path):
    out = tmp_path / "table.parquet"
    done = run("table", "--out", str(out), "--indicators", "rereferral_pct")
    assert done.returncode == 0, done.stderr
    table = pl.read_parquet(out)
    assert done.stderr.strip() == f"{table.height:,} rows written to {out}"
    derby = table.filter(pl.col("la_code") == "831", pl.col("year") == 2017).row(0, named=True)
    assert round(derby["value"], 1) == 21.3  # Derby's 2016-17 re-referrals, as DfE published
    bad = run("table", "--out", str(tmp_path / "t.txt"))
    assert bad.returncode == 2
    assert bad.stderr.strip() == "cscbench: t.txt: write the table to a .parquet or .csv file"


def test_report_no_png_writes_each_chart_as_svg_only(tmp_path):
    first = run("report", "Rutland", "--year", "2025", "--out", str(tmp_path / "r"))
    assert first.returncode == 0 and (tmp_path / "r" / "figures" / "cla_rate-trend.png").is_file()
    out = run("report", "Rutland", "--year", "2025", "--no-png", "--out", str(tmp_path / "r"))
    assert out.returncode == 0, out.stderr
    figures = [p.suffix for p in (tmp_path / "r" / "figures").iterdir()]
    from cscbench.report import pack_content

    planned = [plan.stem for plan in pack_content("Rutland", year=2025).charts()]
    assert sorted(p.stem for p in (tmp_path / "r" / "figures").glob("*.svg")) == sorted(planned)
    assert ".png" not in figures


def test_version_and_tables_of_the_registry_and_areas_to_files(tmp_path):
    from cscbench import __version__

    out = run("--version")
    assert out.returncode == 0 and out.stdout == f"cscbench {__version__}\n"
    for command in ("areas", "indicators"):
        target = tmp_path / f"{command}.xlsx"
        out = run(command, "-f", "xlsx", "--out", str(target))
        assert out.returncode == 0, out.stderr
        frame = pl.read_excel(target)
        assert frame.height >= 18 and ("la_code" in frame.columns or "id" in frame.columns)
    out = run("narrative", "Derby", "--out", str(tmp_path / "n.docx"))
    assert out.returncode == 2 and "writes .json, .md, .txt files" in out.stderr
    assert not (tmp_path / "n.docx").exists()


def test_outliers_by_flag_and_authority():
    out = run("outliers", "--year", "2025", "--flag", "zero_unlikely", "--format", "csv")
    assert out.returncode == 0, out.stderr
    rows = pl.read_csv(out.stdout.encode())
    assert rows.height > 5 and all("zero_unlikely" in f for f in rows["flags"])
    assert "West Sussex" in set(rows["area_name"])
    one = run("outliers", "--year", "2025", "--la", "West Sussex,Derby", "--format", "csv")
    rows = pl.read_csv(one.stdout.encode())
    assert set(rows["area_name"]) <= {"West Sussex", "Derby"} and rows.height > 3
    bad = run("outliers", "--flag", "spc_lo")
    assert bad.returncode == 2 and "unknown flag 'spc_lo'" in bad.stderr


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("benchmark", "Cumbria"), "on 1 April 2023 Cumbria was split into Cumberland"),
        (("benchmark", "Cumberland", "--year", "2019"), "its figures start in 2023-24"),
        (("benchmark", "London"), "names a region, not a local authority"),
        (("benchmark", "Leicestershire,Rutland"), 'use cscbench report "Leicestershire,Rutland"'),
        (("trend", "Leicestershire, Rutland", "cla_rate"), "names 2 authorities"),
    ],
)
def test_names_and_years_that_cannot_be_benchmarked_say_why(args, said):
    out = run(*args)
    assert out.returncode == 2 and said in out.stderr, out.stderr
    assert out.stderr.count("\n") == 1


def test_each_command_is_found_in_the_module_that_registers_it():
    # main() imports only the module COMMAND_HOMES names for the command given; a command
    # missing from it, or named with another module, would be run with every module, or not
    # found at all.
    from cscbench.cli import COMMAND_HOMES, COMMAND_MODULES, app

    registered = {
        command.name: command.callback.__module__.rsplit(".", 1)[1]
        for command in app.registered_commands
    }
    for group in app.registered_groups:  # data and local: where their commands are
        homes = {
            c.callback.__module__.rsplit(".", 1)[1]
            for c in group.typer_instance.registered_commands
        }
        assert len(homes) == 1, (group.name, homes)
        registered[group.name] = homes.pop()
    assert registered == COMMAND_HOMES
    assert set(registered.values()) == set(COMMAND_MODULES)


def test_a_command_runs_with_its_own_module_alone():
    # cscbench benchmark builds only views' commands (typer builds every command it holds
    # before it runs one); what it prints is the benchmark all the same.
    code = (
        "import sys; from cscbench.cli import main; "
        "sys.argv = ['cscbench', 'benchmark', 'Derby', '--indicators', 'rereferral_pct', "
        "'--year', '2017', '--format', 'csv']\n"
        "try:\n    main()\nfinally:\n"
        "    print(sorted(m for m in sys.modules if m.startswith('cscbench.cli.')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    table, modules = out.stdout.rstrip("\n").rsplit("\n", 1)
    assert modules == "['cscbench.cli.common', 'cscbench.cli.views']"
    row = next(csv.DictReader(io.StringIO(table)))
    assert (row["la_code"], row["year"], row["indicator"]) == ("831", "2017", "rereferral_pct")
    assert round(float(row["value"]), 1) == 21.3  # Derby's 2016-17 report: 21.3%
