"""The published reports' data sections rebuilt from DfE's newer files (issue 21): each worked
analysis runs, every figure that agrees is the report's to its decimals, and every figure that
does not carries its reason."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

ANALYSES = Path(__file__).resolve().parents[1] / "analyses"


def _new_measures(name: str, out: Path) -> pl.DataFrame:
    run = subprocess.run(
        [sys.executable, str(ANALYSES / name), "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert "verdict" in run.stdout or "cscbench" in run.stdout  # the table is printed
    return pl.read_csv(out / "new-measures.csv")


@pytest.fixture(scope="module")
def derby_2017(tmp_path_factory):
    return _new_measures("derby_2016_17.py", tmp_path_factory.mktemp("d17"))


@pytest.fixture(scope="module")
def derby_derbyshire(tmp_path_factory):
    return _new_measures("derby_derbyshire_2024_25.py", tmp_path_factory.mktemp("dd"))


@pytest.fixture(scope="module")
def leics_rutland(tmp_path_factory):
    return _new_measures("leicestershire_rutland_2017_18.py", tmp_path_factory.mktemp("lr"))


def _by_figure(table: pl.DataFrame) -> dict[str, dict]:
    return {r["figure"]: r for r in table.iter_rows(named=True)}


def test_derby_2016_17_agreeing_figures_by_value(derby_2017):
    rows = _by_figure(derby_2017)
    agree = {f: (r["report"], r["cscbench"]) for f, r in rows.items() if r["verdict"] == "agrees"}
    assert agree == {
        "Derby initial conferences, 2015-16": (510.0, 510.0),  # 34.20
        "Derby conferences within 15 working days, 2015-16 (%)": (92.0, 92.0),  # 34.22, 469/510
        "Derby's place for conferences in time, 2016-17 ('leading')": (1.0, 1.0),
        "Derby's place for conferences in time, 2015-16 ('second highest')": (2.0, 2.0),
        "Children in care at the end of 2015-16": (448.0, 448.0),  # 12.30; LAIT's LACnum
    }


def test_derby_2016_17_disagreements_carry_their_reasons(derby_2017):
    rows = _by_figure(derby_2017)
    # DfE's c4: Derby 2016-17, 521 of 549 conferences within 15 working days = 94.9%
    timely = rows["Derby conferences within 15 working days, 2016-17 (%)"]
    assert (timely["report"], timely["cscbench"], timely["verdict"]) == (94.1, 94.9, "differs")
    assert "521 of 549" in timely["why_not"] and "Derby's own" in timely["why_not"]
    s47 = rows["Derby section 47 enquiries, 2016-17"]
    assert (s47["report"], s47["cscbench"]) == (1080.0, 1246.0)
    assert "children subject to an enquiry" in s47["why_not"]
    icpc = rows["Derby initial conferences, 2016-17"]
    assert (icpc["report"], icpc["cscbench"]) == (541.0, 549.0)
    assert "children conferenced" in icpc["why_not"]
    comparators = rows["Comparator average enquiries, 2016-17"]
    assert (comparators["report"], comparators["cscbench"]) == (1285.0, 1423.0)
    differs = derby_2017.filter(pl.col("verdict") != "agrees")
    assert differs.height == 19 and differs["why_not"].null_count() == 0
    assert (derby_2017["verdict"] == "differs").sum() == 15  # 449 children in care: LAIT 448


def test_derby_2016_17_rates_the_report_does_not_print(derby_2017):
    rows = _by_figure(derby_2017)
    # 1,246 enquiries and 549 conferences for 58,947 children (ONS mid-2016)
    assert rows["Derby section 47 enquiries per 10,000 children"]["cscbench"] == 211.4
    assert rows["Derby initial conferences per 10,000 children"]["cscbench"] == 93.1
    assert rows["Derby conferences per 100 enquiries ('in line with comparators')"][
        "cscbench"
    ] == pytest.approx(44.1)


def test_derby_2016_17_looked_after_from_lait(derby_2017):
    # 12.30: "449 (448) children in care"; DfE's published figures (LAIT's LACnum): 448 at
    # 31 March 2017 and 448 at 31 March 2016
    cla = derby_2017.filter(pl.col("indicator") == "cla_count")
    assert cla.select("report", "cscbench", "verdict").rows() == [
        (449.0, 448.0, "differs"),
        (448.0, 448.0, "agrees"),
    ]
    assert "LAIT" in cla["why_not"][0]


def test_derby_derbyshire_workforce_and_care_leavers(derby_derbyshire):
    claims = derby_derbyshire.filter(pl.col("printed") != "not printed")
    # Ofsted on Derby, May 2025, against DfE's census at 30 September 2024 (year 2025)
    assert claims.select("indicator", "cscbench", "england", "verdict").rows() == [
        ("sw_turnover_pct", 4.6, 13.9, "agrees"),
        ("sw_vacancy_pct", 1.8, 17.3, "agrees"),
        ("sw_agency_pct", 0.4, 16.2, "agrees"),
    ]
    rest = derby_derbyshire.filter(pl.col("printed") == "not printed")
    assert rest.height == 16 and rest["why_not"].null_count() == 0
    got = {(r["authority"], r["indicator"]): r["cscbench"] for r in rest.iter_rows(named=True)}
    assert got[("Derby", "sw_caseload")] == 13.9  # 1,950 cases / 140.4 FTE case holders
    assert got[("Derbyshire", "sw_turnover_pct")] == 15.7  # 64.2 leavers / 410.2 FTE
    assert got[("Derbyshire", "sw_agency_pct")] == 10.0
    assert got[("Derby", "care_leavers_eet_17_18_pct")] == 61  # 63 of 103
    assert got[("Derby", "care_leavers_suitable_17_18_pct")] == 93  # 96 of 103
    assert got[("Derbyshire", "care_leavers_suitable_19_21_pct")] == 96  # 410 of 427


def test_leicestershire_rutland_new_measures(leics_rutland):
    assert leics_rutland.select(
        "authority", "indicator", "report", "cscbench", "verdict"
    ).rows() == [
        ("Rutland", "sw_caseload", 18.0, 17.0, "differs"),  # DfE: 171 cases / 10.1 FTE = 16.9
        ("Leicestershire", "cla_count", 548.0, 554.0, "differs"),  # LAIT's LACnum: 554
        ("Rutland", "cla_count", 30.0, 30.0, "agrees"),
    ]
    differs = leics_rutland.filter(pl.col("verdict") != "agrees")
    assert differs["why_not"].null_count() == 0
    assert "16.9" in leics_rutland["why_not"][0]
