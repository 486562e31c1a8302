"""Hostile local files: census returns, targets and quarterly files, TOML, CSV beyond the
readers' limits, and impossible populations. Each ends in one line naming the file and the
row, field or option (or, for a census record, a listed validation problem), never an internal
error; the user's file is left as it was."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cscbench.analyses.local import local_indicators
from cscbench.datasets import limits
from cscbench.datasets.census import read_return
from cscbench.datasets.csvfile import read_text_table
from cscbench.datasets.groups import read_group_file
from cscbench.datasets.targets import read_quarterly, read_targets
from cscbench.errors import DataError

sys.path.insert(0, str(Path(__file__).parent))
from test_hostile_data import refused

ROOT = Path(__file__).resolve().parents[1]
PLAN = ROOT / "analyses" / "derby_framework" / "targets-2006-07.toml"


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def cli(*args):
    return subprocess.run(
        [sys.executable, "-m", "cscbench.cli", *args],
        capture_output=True,
        text=True,
        env=os.environ,
        timeout=300,
    )


# --- census returns --------------------------------------------------------------------------

HEADER = (
    "<Header><CollectionDetails><Collection>CIN</Collection><Year>{year}</Year>"
    "<ReferenceDate>{reference}</ReferenceDate></CollectionDetails>"
    "<Source><LEA>{lea}</LEA></Source></Header>"
)


def census(
    tmp_path: Path,
    referral="2024-06-01",
    birth="2015-01-01",
    previous="0",
    year="2025",
    reference="2025-03-31",
    lea="831",
    prolog="",
    headers=1,
    review="2024-08-01",
) -> Path:
    child = (
        "<Child><ChildIdentifiers><LAchildID>c1</LAchildID>"
        f"<PersonBirthDate>{birth}</PersonBirthDate><Sex>1</Sex></ChildIdentifiers>"
        f"<CINdetails><CINreferralDate>{referral}</CINreferralDate>"
        "<ReferralNFA>false</ReferralNFA>"
        "<ChildProtectionPlans><CPPstartDate>2024-07-01</CPPstartDate>"
        f"<NumberOfPreviousCPP>{previous}</NumberOfPreviousCPP>"
        f"<Reviews><CPPreviewDate>{review}</CPPreviewDate></Reviews>"
        "</ChildProtectionPlans></CINdetails></Child>"
    )
    header = HEADER.format(year=year, reference=reference, lea=lea)
    path = tmp_path / "return.xml"
    path.write_text(
        f'<?xml version="1.0" encoding="UTF-8"?>{prolog}<Message>{header * headers}'
        f"<Children>{child}</Children></Message>",
        encoding="utf-8",
    )
    return path


def problems(path: Path) -> list[tuple[str, str]]:
    return [(r["field"], r["reason"]) for r in read_return(path).problems.iter_rows(named=True)]


def test_a_plain_return_has_no_problems(tmp_path):
    assert problems(census(tmp_path)) == []


@pytest.mark.parametrize(
    ("fields", "field", "reason"),
    [
        ({"referral": "2099-06-01"}, "CINreferralDate", "is after the return's reference date"),
        ({"birth": "2090-01-01"}, "PersonBirthDate", "is after the return's reference date"),
        ({"birth": "0001-01-01"}, "PersonBirthDate", "more than 26 years before"),
        ({"referral": "0001-06-01"}, "CINreferralDate", "more than 26 years before"),
        ({"birth": "2025-03-30"}, "CINreferralDate", "more than nine months before the child's"),
        ({"referral": "2024-06-01T25:99"}, "CINreferralDate", "is not a date (YYYY-MM-DD)"),
        ({"referral": "20240601"}, "CINreferralDate", "is not a date (YYYY-MM-DD)"),
        ({"referral": "2024-W23-1"}, "CINreferralDate", "is not a date (YYYY-MM-DD)"),
        ({"review": "2031-01-01"}, "CPPreviewDate", "is after the return's reference date"),
        ({"previous": "99999999999999999999"}, "NumberOfPreviousCPP", "is not a count"),
        ({"previous": "²"}, "NumberOfPreviousCPP", "is not a count"),
    ],
)
def test_an_impossible_date_or_number_is_a_listed_problem_left_out(tmp_path, fields, field, reason):
    path = census(tmp_path, **fields)
    found = problems(path)
    assert len(found) == 1 and found[0][0] == field and reason in found[0][1], found
    if field == "CINreferralDate":
        table = local_indicators(read_return(path), population_=10_000)
        assert table["left_out"][0] == 1  # the episode is not counted


def test_a_pre_birth_referral_is_not_a_problem(tmp_path):
    assert problems(census(tmp_path, referral="2024-06-01", birth="2024-12-01")) == []


def test_datetimes_are_dates(tmp_path):
    path = census(tmp_path, referral="2024-06-01T09:30:00Z")
    assert problems(path) == []
    assert read_return(path).episodes["referral_date"].to_list() == [dt.date(2024, 6, 1)]


@pytest.mark.parametrize(
    ("fields", "where"),
    [
        ({"year": "2025", "reference": "2024-03-31"}, "is not 31 March of the collection Year"),
        ({"year": "²⁰²⁵"}, "column 'Header/CollectionDetails/Year': '²⁰²⁵' is not a year"),
        ({"year": "99999999999999999999"}, "is not a year"),
        ({"year": str(dt.date.today().year + 5)}, "is a year not yet begun"),
        ({"reference": "2025-W13-1"}, "'2025-W13-1' is not a date"),
        ({"lea": "²³¹"}, "column 'Header/Source/LEA': '²³¹' is not a 3-digit code"),
        ({"headers": 2}, "column 'Header': appears twice"),
        (
            {"prolog": '<!DOCTYPE Message [<!ENTITY x "y">]>'},
            "column 'DOCTYPE': a census return has no DOCTYPE",
        ),
        ({"prolog": "<!DOCTYPE Message>"}, "a census return has no DOCTYPE"),
    ],
)
def test_a_bad_header_or_doctype_refuses_the_file(tmp_path, fields, where):
    path = census(tmp_path, **fields)
    before = digest(path)
    assert where in refused(read_return, path)
    assert digest(path) == before


def test_an_entity_cannot_inject_a_child(tmp_path):
    child = "<Child><ChildIdentifiers><LAchildID>injected</LAchildID></ChildIdentifiers></Child>"
    path = census(tmp_path, prolog=f"<!DOCTYPE Message [<!ENTITY c '{child}'>]>")
    text = path.read_text().replace("<Children>", "<Children>&c;")
    path.write_text(text)
    assert "no DOCTYPE" in refused(read_return, path)


def test_a_huge_text_node_is_refused_in_one_line(tmp_path):
    path = census(tmp_path, referral="2024-06-01" + " " * 10 + "x" * 20_000_000)
    message = refused(read_return, path)
    assert message.startswith("return.xml, row 1, column ")


def test_an_over_long_field_is_refused_naming_it(tmp_path):
    path = census(tmp_path, previous="9" * (limits.CENSUS_FIELD_CHARS + 1))
    assert "column 'NumberOfPreviousCPP': a field of 1,001 characters" in refused(read_return, path)


def test_a_return_beyond_the_size_limit_is_refused_before_reading(tmp_path):
    path = tmp_path / "huge.xml"
    with open(path, "wb") as handle:
        handle.truncate(limits.CENSUS_BYTES + 1)  # sparse: nothing is written
    assert "a census return may be at most 512 MB" in refused(read_return, path)


def test_local_compute_says_it_in_one_line(tmp_path):
    out = cli("local", "compute", str(census(tmp_path, year="²⁰²⁵")))
    assert out.returncode == 2 and len(out.stderr.strip().splitlines()) == 1
    assert "internal error" not in out.stderr


@pytest.mark.parametrize("population", ["-5", "nan", "inf", "0", "1e400"])
def test_an_impossible_population_is_refused(tmp_path, population):
    path = census(tmp_path)
    message = refused(local_indicators, read_return(path), population_=float(population))
    assert message.startswith("--population ") and "above 0" in message


def test_an_impossible_population_on_the_command_line(tmp_path):
    out = cli("local", "compute", str(census(tmp_path)), "--population=-5")
    assert out.returncode == 2 and "--population -5.0: give the number" in out.stderr


# --- targets and quarterly files -------------------------------------------------------------

TARGET = '[[target]]\nindicator = "cp_subsequent_pct"\ndirection = "at most"\n'


def toml(tmp_path: Path, text: str | bytes, name="t.toml") -> Path:
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return path


@pytest.mark.parametrize(
    ("text", "where"),
    [
        (TARGET + "target = nan\n", "column 'target': target 1 (cp_subsequent_pct): nan is not"),
        (TARGET + "target = inf\n", "inf is not a finite number"),
        (TARGET + "target = 1e400\n", "inf is not a finite number"),
        (TARGET + "target = 112.5\n", "112.5 is impossible for a percent (0 to 100)"),
        (TARGET + "target = 1e9\n", "1e+09 is impossible for a percent"),
        (TARGET + "target = -1\n", "-1 is impossible for a percent"),
        (TARGET + "target = 16\nrecoverable_within = nan\n", "nan is not a finite number"),
        (
            TARGET + "target = 16\nrecoverable_witihn = 2\n",
            "column 'recoverable_witihn': target 1 (cp_subsequent_pct): unknown key; did you "
            "mean 'recoverable_within'?",
        ),
        ("nmae = 'x'\n" + TARGET + "target = 16\n", "did you mean 'name'?"),
        ("[status]\nimproving = true\n" + TARGET, "did you mean 'improving_is_recoverable'?"),
        ("a = " + "[" * 5000 + "]" * 5000 + "\n", "nests 5000 levels deep; at most 32"),
        ("a = " + "{b = " * 40 + "1" + "}" * 40 + "\n", "nests 40 levels deep"),
        ((TARGET + "target = 16 # é\n").encode("latin-1"), "row 4: is not UTF-8 text (byte 0xe9)"),
        ((TARGET + "target = 16\n").encode("utf-16"), "is UTF-16 text; save it as UTF-8"),
    ],
)
def test_a_hostile_targets_file_is_refused_in_one_line(tmp_path, text, where):
    path = toml(tmp_path, text)
    assert where in refused(read_targets, path)


def test_a_toml_beyond_the_size_limit_is_refused(tmp_path):
    path = tmp_path / "t.toml"
    with open(path, "wb") as handle:
        handle.truncate(limits.TOML_BYTES + 1)
    assert "a TOML file may be at most 1 MB" in refused(read_targets, path)
    assert "a TOML file may be at most 1 MB" in refused(read_group_file, path)


def test_a_utf8_bom_is_fine(tmp_path):
    path = toml(tmp_path, b"\xef\xbb\xbf" + (TARGET + "target = 16\n").encode())
    assert read_targets(path).targets[0].value == 16


QUARTER = "indicator,period,numerator,denominator,value\n"


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ("\n\ncp_subsequent_pct,2006-07 Q1,,,abc\n", "q.csv, row 4, column 'value'"),
        (
            'cp_subsequent_pct,2006-07 Q1,,,16\n"cp_subsequent_pct","2006-07\nQ2",,,x\n'
            "cp_subsequent_pct,2006-07 Q3,,,abc\n",
            "q.csv, row 3, column 'value'",  # the row that starts on line 3
        ),
        (
            'cp_subsequent_pct,2006-07 Q1,,,16\n"cp_subsequent_pct\n",2006-07 Q2,,,16\n'
            "cp_subsequent_pct,2006-07 Q3,,,abc\n",
            "q.csv, row 5, column 'value'",  # row 3 spans lines 3 and 4
        ),
        ("cp_subsequent_pct,2006-07 Q1,,,112.5\n", "row 2, column 'value': 112.5 is impossible"),
        ("cp_subsequent_pct,2006-07 Q1,,,1e9\n", "row 2, column 'value': 1e9 is impossible"),
        ("cp_subsequent_pct,2006-07 Q1,90,80,\n", "row 2, column 'numerator': 112.5 is"),
        ("cp_subsequent_pct,2006-07 Q1,,,nan\n", "row 2, column 'value': 'nan' must be"),
        ("cp_subsequent_pct,2006-07 Q1,,,1e400\n", "1e400 is impossible"),
        ("cp_subsequent_pct,2006-07 Q1,,\n", "row 2: has 4 fields; the header has 5"),
    ],
)
def test_a_hostile_quarterly_file_names_the_right_row(tmp_path, body, where):
    path = tmp_path / "q.csv"
    path.write_text(QUARTER + body, encoding="utf-8")
    assert where in refused(read_quarterly, path, read_targets(PLAN))


@pytest.mark.parametrize(
    ("data", "where"),
    [
        ((QUARTER + "cp_subsequent_pct,2006-07 Q1,,,16 é\n").encode("latin-1"), "row 2: is not"),
        ((QUARTER + "cp_subsequent_pct,2006-07 Q1,,,16\n").encode("utf-16"), "is UTF-16"),
        (QUARTER.replace("\n", "\r").encode() + b"cp_subsequent_pct,2006-07 Q1,,,abc\r", "row 2"),
    ],
)
def test_a_quarterly_file_in_another_encoding_or_line_ending(tmp_path, data, where):
    path = tmp_path / "q.csv"
    path.write_bytes(data)
    assert where in refused(read_quarterly, path, read_targets(PLAN))


def test_the_targets_command_says_it_in_one_line(tmp_path):
    path = toml(tmp_path, "a = " + "[" * 5000 + "]" * 5000 + "\n")
    out = cli("targets", "Derby", "--targets", str(path))
    assert out.returncode == 2 and len(out.stderr.strip().splitlines()) == 1, out.stderr
    assert "internal error" not in out.stderr


# --- CSV readers' limits ---------------------------------------------------------------------


def test_a_csv_beyond_the_size_limit_is_refused_before_reading(tmp_path):
    path = tmp_path / "b1.csv"
    with open(path, "wb") as handle:
        handle.truncate(limits.CSV_BYTES + 1)
    assert "a CSV file may be at most 64 MB" in refused(read_text_table, path)


def test_a_csv_with_more_rows_than_the_limit_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "CSV_ROWS", 100)
    path = tmp_path / "b1.csv"
    path.write_text("a,b\n" + "1,2\n" * 101)
    assert "has 101 rows; at most 100 are read" in refused(read_text_table, path)


def test_a_field_beyond_the_limit_is_refused_naming_it(raw_dir, tmp_path):
    lines = (raw_dir / "b1_children_in_need_2013_to_2025.csv").read_text().splitlines()
    fields = lines[5].split(",")
    fields[9] = "x" * (limits.FIELD_CHARS + 1)
    lines[5] = ",".join(fields)
    path = tmp_path / "b1.csv"
    path.write_text("\n".join(lines) + "\n")
    message = refused(read_text_table, path)
    assert message == (
        "b1.csv, row 6, column 'la_name': a field of 4,097 characters; at most 4,096 are read"
    )


def test_cr_only_line_endings_are_one_line(raw_dir, tmp_path):
    text = (raw_dir / "b1_children_in_need_2013_to_2025.csv").read_text()
    path = tmp_path / "b1.csv"
    path.write_text(text.replace("\n", "\r"), newline="")
    assert "b1.csv, row 1: ends a line with CR alone" in refused(read_text_table, path)
    out = cli("data", "import", str(path), "--dest", str(tmp_path / "cache"))
    assert out.returncode == 2 and "internal error" not in out.stderr
    assert not (tmp_path / "cache" / "raw").exists()


def test_a_header_wider_than_the_limit_is_refused(tmp_path):
    path = tmp_path / "wide.csv"
    path.write_text(",".join(f"c{i}" for i in range(limits.CSV_COLUMNS + 1)) + "\n1\n")
    assert "has 1,001 columns; at most 1,000 are read" in refused(read_text_table, path)


def test_groups_files_in_other_encodings_are_one_line(tmp_path):
    path = toml(tmp_path, 'members = ["Derby"]\n'.encode("utf-16"), "g.toml")
    with pytest.raises(DataError, match="UTF-16"):
        read_group_file(path)
