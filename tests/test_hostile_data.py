"""Impossible figures and shrunken files, refused wherever they can come in: data import, data
build (into the cache and --from DIR --out DIR); data fetch is in test_hostile_fetch.py.

Every hostile file is a real DfE file corrupted in one way. After every refusal the active data
set, the cache and the user's own files are byte for byte as they were (sha256).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from cscbench.analyses import derived_tables
from cscbench.datasets.cache import build_active, import_files
from cscbench.datasets.checks import HANDFUL, MAX_COUNT, _one_column
from cscbench.datasets.loaders import find_source_file
from cscbench.datasets.registry import INDICATORS, SOURCES
from cscbench.errors import CscbenchError

FILES = {
    "b1": "b1_children_in_need_2013_to_2025.csv",
    "c1": "c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv",
    "c3": "c3_factors_identified_at_end_of_assessment_2018_to_2025.csv",
    "d3": "d3_cpps_subsequent_plan_2013_to_2025.csv",
    "d5": "d5_cpps_at31march_by_duration_2013_to_2025.csv",
    "cla": "cla_number_and_rate_per_10k_children.csv",
    "population": "ons_mid-year_population_estimates_2012_to_2024.csv",
    "lineage": "las_lineage.csv",
    "sn2021": "New_Statistical_Neighbour_Groupings_April_2021.csv",
    "sn2025": "sn_model_2025_wide.csv",
}
EES = ("b1", "c1", "d3", "d5", "cla", "population")


def fingerprint(*folders: Path) -> dict[str, str]:
    """sha256 of every file under the folders (the lock file aside: it is empty)."""
    return {
        str(p): hashlib.sha256(p.read_bytes()).hexdigest()
        for folder in folders
        for p in sorted(Path(folder).rglob("*"))
        if p.is_file() and p.name != ".lock"
    }


def cli(*args, cache: Path):
    env = {**os.environ, "CSCBENCH_CACHE": str(cache)}
    return subprocess.run(
        [sys.executable, "-m", "cscbench.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


def one_line(out) -> str:
    lines = out.stderr.strip().splitlines()
    assert out.returncode == 2, out.stderr
    assert len(lines) == 1 and "internal error" not in out.stderr, out.stderr
    return lines[0]


def read(path: Path) -> tuple[str, list[list[str]]]:
    raw = path.read_bytes()
    bom = "\ufeff" if raw.startswith(b"\xef\xbb\xbf") else ""
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    return bom, rows


def write(path: Path, bom: str, rows: list[list[str]]) -> Path:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    path.write_text(bom + out.getvalue(), encoding="utf-8")
    return path


def edited(raw_dir: Path, key: str, folder: Path, change) -> Path:
    """A copy of a real file, in ``folder`` under its own name, with ``change(rows)`` applied."""
    source = find_source_file(raw_dir, key)
    bom, rows = read(source)
    change(rows)
    folder.mkdir(parents=True, exist_ok=True)
    return write(folder / source.name, bom, rows)


def set_cell(rows, column: str, value: str, where=lambda row, col: True, limit: int = 1):
    """Set ``column`` to ``value`` in the first ``limit`` data rows where ``where`` holds;
    return their line numbers."""
    col = {name: i for i, name in enumerate(rows[0])}
    lines = []
    for n, row in enumerate(rows[1:], start=2):
        if len(lines) < limit and where(row, col):
            row[col[column]] = value
            lines.append(n)
    return lines


def counted_la(row, col):
    """An authority's row whose referrals and re-referrals are both published, not zero."""
    return (
        row[col["geographic_level"]] == "Local authority"
        and row[col["referral_count"]].isdigit()
        and row[col["rereferral_count"]].isdigit()
        and row[col["referral_count"]] != "0"
    )


COLUMNS = {"time_period": 0, "old_la_code": 7}  # the same in every EES file


def derby_2025(row, col):
    return row[col["time_period"]] == "2025" and row[col["old_la_code"]] == "831"


def percent_indicators():
    """Percentages whose numerator and denominator are two columns of one row (wide files)."""
    return [
        i
        for i in INDICATORS.values()
        if i.unit == "percent" and _one_column(i.numerator) and _one_column(i.denominator)
    ]


def long_percentages():
    """The first percentage of each long file, whose counts are rows (a "Total" row gives the
    denominator)."""
    first = {}
    for i in INDICATORS.values():
        if SOURCES[i.source].long and i.unit == "percent" and i.denominator is not None:
            first.setdefault(i.source, i)
    return list(first.values())


@pytest.fixture
def cache(built_cache, tmp_path) -> Path:
    target = tmp_path / "cache"
    shutil.copytree(built_cache, target)
    return target


# Each hostile edit: (source, what it does to the rows, the message it must give, the column).
def _over(ind):
    def change(rows):
        col = {name: i for i, name in enumerate(rows[0])}

        num, den = _one_column(ind.numerator), _one_column(ind.denominator)

        def chosen(row, c):
            return derby_2025(row, c) and row[c[den]].isdigit()

        for row in rows[1:]:
            if chosen(row, col):
                row[col[num]] = str(int(row[col[den]]) * 5 + 1)
                return

    return change


def _long_over(ind):
    """Derby's latest numerator row of a long file set above its cohort's "Total" row."""

    def matches(row, col, filters):
        return all(row[col[c]].strip() in accepted for c, accepted in filters)

    def change(rows):
        col = {name: i for i, name in enumerate(rows[0])}
        count = SOURCES[ind.source].count
        derby = [
            r for r in rows[1:] if r[col["old_la_code"]] == "831" and matches(r, col, ind.rows)
        ]
        totals = {
            r[0]: int(r[col[count]])
            for r in derby
            if matches(r, col, ind.denominator.where) and r[col[count]].isdigit()
        }
        year = max(totals)
        row = next(r for r in derby if r[0] == year and matches(r, col, ind.numerator.where))
        row[col[count]] = str(totals[year] * 5 + 1)

    return change


HOSTILE = {
    **{
        f"{ind.id}: numerator above denominator": (
            ind.source,
            _over(ind),
            "which it is part of",
            _one_column(ind.numerator),
        )
        for ind in percent_indicators()
    },
    **{
        f"{ind.id}: numerator rows above the Total row": (
            ind.source,
            _long_over(ind),
            "which it is part of",
            SOURCES[ind.source].count,
        )
        for ind in long_percentages()
    },
    "negative Section 47s": (
        "c4",
        lambda rows: set_cell(rows, "Section47", "-5", derby_2025),
        "neither a non-negative whole number",
        "Section47",
    ),
    "negative social workers": (
        "csww",
        lambda rows: set_cell(rows, "inpost_fte", "-5", derby_2025),
        "impossible for a figure",
        "inpost_fte",
    ),
    "negative count": (
        "d5",
        lambda rows: set_cell(rows, "CPP_At31", "-5", derby_2025),
        "neither a non-negative whole number",
        "CPP_At31",
    ),
    "1e308 count": (
        "b1",
        lambda rows: set_cell(rows, "At31_episodes", "1e308", derby_2025),
        "impossible for a count",
        "At31_episodes",
    ),
    "count above the largest possible": (
        "cla",
        lambda rows: set_cell(rows, "children_count", str(MAX_COUNT + 1)),
        "impossible for a count",
        "children_count",
    ),
    "inf": (
        "c1",
        lambda rows: set_cell(rows, "referral_count", "inf", derby_2025),
        "neither a non-negative whole number",
        "referral_count",
    ),
    "nan": (
        "d3",
        lambda rows: set_cell(rows, "CPP_start", "nan", derby_2025),
        "neither a non-negative whole number",
        "CPP_start",
    ),
    "percentage over 100": (
        "c1",
        lambda rows: set_cell(rows, "rereferral_percent", "112.5", derby_2025),
        "impossible for a percentage",
        "rereferral_percent",
    ),
    "negative rate": (
        "cla",
        lambda rows: set_cell(rows, "rate_per_10000", "-3"),
        "impossible for a rate per 10,000",
        "rate_per_10000",
    ),
    "population of 1e308": (
        "population",
        lambda rows: set_cell(rows, "population_estimate", "1e308"),
        "impossible for a count",
        "population_estimate",
    ),
    "a year after today": (
        "b1",
        lambda rows: set_cell(rows, "time_period", str(dt.date.today().year + 1), derby_2025),
        "is after the current year",
        "time_period",
    ),
    "a year that is not one": (
        "c1",
        lambda rows: set_cell(rows, "time_period", "20x5", derby_2025),
        "is not a 4-digit year",
        "time_period",
    ),
    "printed percentages disagree on more than a handful of rows": (
        "c1",
        lambda rows: set_cell(
            rows,
            "rereferral_percent",
            "50.0",
            counted_la,
            limit=HANDFUL + 1,
        ),
        "DfE's printed figure disagrees",
        "rereferral_percent",
    ),
    "looked-after counts disagree with their printed rates on more than a handful of rows": (
        "cla",
        lambda rows: set_cell(
            rows,
            "children_count",
            "9999",
            lambda r, c: (
                r[c["geographic_level"]] == "Local authority" and r[c["rate_per_10000"]].isdigit()
            ),
            limit=HANDFUL + 1,
        ),
        "DfE's printed figure disagrees with children_count / population_estimate",
        "rate_per_10000",
    ),
}


def test_every_source_with_counts_has_a_hostile_case():
    sources = {case[0] for case in HOSTILE.values()}
    counted = {i.source for i in INDICATORS.values() if i.source != "lait"}  # LAIT: values
    assert counted | {"population"} <= sources


def refused(call, *args, **kwargs) -> str:
    """The one-line message of the refusal ``call`` must end in."""
    with pytest.raises(CscbenchError) as err:
        call(*args, **kwargs)
    message = str(err.value)
    assert "\n" not in message
    return message


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_import_refuses_an_impossible_figure_and_changes_nothing(raw_dir, cache, tmp_path, case):
    key, change, message, column = HOSTILE[case]
    hostile = edited(raw_dir, key, tmp_path / "downloads", change)
    before = fingerprint(cache, hostile.parent)
    line = refused(import_files, [hostile], cache)
    assert line.startswith(f"{hostile.name}, row ") and f"column {column!r}" in line
    assert message in line
    assert fingerprint(cache, hostile.parent) == before


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_build_refuses_an_impossible_figure_and_keeps_the_active_data(
    raw_dir, cache, tmp_path, case
):
    """A hostile file already in the cache (put there by hand, or by an older cscbench)."""
    key, change, message, column = HOSTILE[case]
    raw = cache / "raw"
    target = next(raw.glob(SOURCES[key].pattern))
    hostile = edited(raw_dir, key, tmp_path / "x", change)
    target.write_bytes(hostile.read_bytes())
    before = fingerprint(cache)
    line = refused(build_active, cache, derive=derived_tables)
    assert f"{target.name}, row " in line and f"column {column!r}" in line and message in line
    assert fingerprint(cache) == before


def test_the_commands_refuse_in_one_line_with_exit_2(raw_dir, cache, tmp_path):
    key, change, message, _ = HOSTILE["1e308 count"]
    hostile = edited(raw_dir, key, tmp_path / "downloads", change)
    before = fingerprint(cache, hostile.parent)
    line = one_line(cli("data", "import", str(hostile), cache=cache))
    assert line.startswith(f"cscbench: {hostile.name}, row ") and message in line
    assert fingerprint(cache, hostile.parent) == before
    target = next((cache / "raw").glob(SOURCES[key].pattern))
    target.write_bytes(hostile.read_bytes())
    before = fingerprint(cache, hostile.parent)
    line = one_line(cli("data", "build", cache=cache))
    assert line.startswith(f"cscbench: {target.name}, row ") and message in line
    assert fingerprint(cache, hostile.parent) == before


def test_build_from_a_folder_refuses_and_keeps_the_snapshot_it_would_replace(raw_copy, tmp_path):
    out = tmp_path / "snapshot"
    first = cli("data", "build", "--from", str(raw_copy), "--out", str(out), cache=tmp_path / "c")
    assert first.returncode == 0, first.stderr
    key, change, message, _ = HOSTILE["rereferral_pct: numerator above denominator"]
    hostile = edited(raw_copy, key, tmp_path / "x", change)
    find_source_file(raw_copy, key).write_bytes(hostile.read_bytes())
    before = fingerprint(out)
    line = one_line(
        cli("data", "build", "--from", str(raw_copy), "--out", str(out), cache=tmp_path / "c")
    )
    assert "row " in line and message in line
    assert fingerprint(out) == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".snapshot")) == [
        ".snapshot.lock"
    ]


def test_derby_five_times_rereferrals_is_refused_naming_row_and_column(raw_dir, cache, tmp_path):
    """The issue's own case: Derby 2025 with 5x its re-referrals (823 -> 4,115 of 3,557)."""
    hostile = edited(
        raw_dir,
        "c1",
        tmp_path / "d",
        lambda rows: set_cell(rows, "rereferral_count", "4115", derby_2025),
    )
    _, rows = read(raw_dir / FILES["c1"])
    line_no = next(
        n for n, row in enumerate(rows[1:], start=2) if row[0] == "2025" and row[7] == "831"
    )
    line = refused(import_files, [hostile], cache)
    assert line == (
        f"{hostile.name}, row {line_no}, column 'rereferral_count': 4115 is more "
        "than referral_count (3557), which it is part of"
    )


def test_swapped_column_names_are_refused(raw_dir, cache, tmp_path):
    def swap(rows):
        header = rows[0]
        a, b = header.index("referral_count"), header.index("rereferral_count")
        header[a], header[b] = header[b], header[a]

    hostile = edited(raw_dir, "c1", tmp_path / "d", swap)
    before = fingerprint(cache, hostile.parent)
    line = refused(import_files, [hostile], cache)
    assert "are rereferral_count and referral_count swapped?" in line
    assert fingerprint(cache, hostile.parent) == before


def test_a_handful_of_printed_mismatches_is_a_warning_and_is_recorded(raw_dir, cache, tmp_path):
    lines = []

    def change(rows):
        lines.extend(
            set_cell(
                rows,
                "rereferral_percent",
                "50.0",
                counted_la,
                limit=HANDFUL,
            )
        )

    hostile = edited(raw_dir, "c1", tmp_path / "d", change)
    out = cli("data", "import", str(hostile), cache=cache)
    assert out.returncode == 0, out.stderr
    warned = [w for w in out.stderr.splitlines() if "warning" in w]
    assert [int(w.split("row ")[1].split(",")[0]) for w in warned] == lines
    out = cli("data", "build", cache=cache)
    assert out.returncode == 0, out.stderr
    info = json.loads(cli("data", "info", "-f", "json", cache=cache).stdout)
    assert info["data"].startswith("active data set")
    assert info["warnings"].startswith(f"{HANDFUL + 2}, kept")  # with d3's own two
    from cscbench.datasets.cache import active_dir
    from cscbench.datasets.snapshot import read_manifest

    recorded = read_manifest(active_dir(cache))["warnings"]
    assert sum("c1_children_in_need" in w for w in recorded) == HANDFUL


def test_the_real_files_pass_every_check_with_two_recorded_warnings():
    from cscbench.datasets import manifest

    warnings = manifest()["warnings"]
    assert len(warnings) == 2 and all("CPP_subsequent_percent" in w for w in warnings)


# A header-only file, or one with far fewer rows, years or authorities.
def _header_only(rows):
    del rows[1:]


def _one_year(rows):
    last = max(r[0] for r in rows[1:])
    rows[1:] = [r for r in rows[1:] if r[0] == last]


def _few_authorities(rows):
    col = {name: i for i, name in enumerate(rows[0])}
    keep = {r[col["old_la_code"]] for r in rows[1:] if r[col["old_la_code"]]}
    keep = set(sorted(keep)[: len(keep) // 2])
    rows[1:] = [
        r
        for r in rows[1:]
        if r[col["geographic_level"]] != "Local authority" or r[col["old_la_code"]] in keep
    ]


SHRUNK = {
    "header only": (_header_only, "has no data rows"),
    "one year of thirteen": (_one_year, "years where the"),
    "half the authorities": (_few_authorities, "authorities where the"),
}


@pytest.mark.parametrize("key", EES)
@pytest.mark.parametrize("case", sorted(SHRUNK))
def test_import_refuses_a_shrunken_file_unless_allowed(raw_dir, cache, tmp_path, key, case):
    change, message = SHRUNK[case]
    hostile = edited(raw_dir, key, tmp_path / "d", change)
    before = fingerprint(cache, hostile.parent)
    line = refused(import_files, [hostile], cache)
    assert line.startswith(f"{hostile.name}: has ") and message in line
    assert "--allow-shrink" in line
    assert fingerprint(cache, hostile.parent) == before
    assert import_files([hostile], cache, allow_shrink=True)


def test_build_refuses_a_header_only_file_put_in_the_cache(raw_dir, cache, tmp_path):
    target = next((cache / "raw").glob(SOURCES["b1"].pattern))
    target.write_bytes(edited(raw_dir, "b1", tmp_path / "d", _header_only).read_bytes())
    before = fingerprint(cache)
    line = one_line(cli("data", "build", cache=cache))
    assert "has no data rows: it would remove every figure of Children in need" in line
    assert fingerprint(cache) == before
    trend = cli("trend", "Derby", "cin_rate", "-f", "json", cache=cache)
    assert trend.returncode == 0 and json.loads(trend.stdout)


def test_build_refuses_a_file_shrunk_against_the_active_data_set(raw_dir, cache, tmp_path):
    target = next((cache / "raw").glob(SOURCES["d5"].pattern))
    target.write_bytes(edited(raw_dir, "d5", tmp_path / "d", _one_year).read_bytes())
    before = fingerprint(cache)
    line = refused(build_active, cache, derive=derived_tables)
    assert "has 1 years where the Child protection plans at 31 March" in line
    assert fingerprint(cache) == before
    assert build_active(cache, derive=derived_tables, allow_shrink=True)
