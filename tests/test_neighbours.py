"""Statistical neighbour models 2021 and 2025."""

from __future__ import annotations

import polars as pl
import pytest

from cscbench.datasets.sn_models import read_neighbours_2021, read_neighbours_2025
from cscbench.errors import DataError


def test_2021_model_has_the_current_and_old_authorities(raw):
    sn = raw.neighbours.filter(pl.col("model") == "sn2021")
    assert sn["la_code"].n_unique() == 156  # 152 authorities of 2021 + Old SNs 835, 836, 837, 928
    assert {"835", "836", "837", "928", "909"} <= set(sn["la_code"])
    assert sn.group_by("la_code").len()["len"].unique().to_list() == [10]


def test_2025_model_has_153_authorities(raw):
    sn = raw.neighbours.filter(pl.col("model") == "sn2025")
    assert sn["la_code"].n_unique() == 153
    assert {"942", "943", "201", "420"} <= set(sn["la_code"])
    assert "909" not in set(sn["la_code"])


def test_closeness_labels_are_normalised_and_counted(raw):
    counts = dict(
        raw.neighbours.group_by("model", "closeness")
        .len()
        .filter(pl.col("model") == "sn2021")
        .select("closeness", "len")
        .rows()
    )
    # data-notes: Extremely Close 91, Very Close 931, Close 293, Somewhat close 137, Not Close 108
    assert counts == {
        "extremely close": 91,
        "very close": 931,
        "close": 293,
        "somewhat close": 137,
        "not close": 108,
    }
    counts = dict(
        raw.neighbours.group_by("model", "closeness")
        .len()
        .filter(pl.col("model") == "sn2025")
        .select("closeness", "len")
        .rows()
    )
    # 2025: Extremely close 12, Very close 820, "Close " (trailing space) 513, Somewhat 136, Not 49
    assert counts == {
        "extremely close": 12,
        "very close": 820,
        "close": 513,
        "somewhat close": 136,
        "not close": 49,
    }


def test_derby_2021_neighbours_are_the_annual_reports_comparators(raw):
    # Derby 2016-17 report, table in 34.29: Bolton, Coventry, Dudley, Kirklees, Leeds, Medway,
    # Peterborough, Sheffield, Telford and Wrekin, Walsall.
    derby = raw.neighbours.filter(pl.col("model") == "sn2021", pl.col("la_code") == "831").sort(
        "rank"
    )
    names = dict(raw.areas.select("la_code", "area_name").rows())
    assert sorted(names[c] for c in derby["neighbour_code"]) == [
        "Bolton",
        "Coventry",
        "Dudley",
        "Kirklees",
        "Leeds",
        "Medway",
        "Peterborough",
        "Sheffield",
        "Telford and Wrekin",
        "Walsall",
    ]
    assert derby.row(0, named=True)["neighbour_code"] == "874"  # Peterborough, SN1


def test_every_neighbour_is_a_known_authority(raw):
    known = set(raw.areas["la_code"])
    assert set(raw.neighbours["neighbour_code"]) <= known
    assert set(raw.neighbours["la_code"]) <= known


def test_unknown_closeness_label_is_an_error(tmp_path, raw_dir):
    text = (raw_dir / "sn_model_2025_wide.csv").read_text(encoding="utf-8-sig")
    path = tmp_path / "sn_model_2025_wide.csv"
    path.write_text(text.replace("Extremely close", "Extremly close", 1), encoding="utf-8")
    with pytest.raises(DataError, match=r"row \d+, column 'SN_1P': 'Extremly close' is not one of"):
        read_neighbours_2025(path)


def test_2021_file_must_repeat_snp_ten_times(tmp_path, raw_dir):
    text = (raw_dir / "New_Statistical_Neighbour_Groupings_April_2021.csv").read_text(
        encoding="utf-8-sig"
    )
    path = tmp_path / "sn2021.csv"
    path.write_text(text.replace("SN10,SNP,", "SN10,SNP10,", 1), encoding="utf-8")
    with pytest.raises(DataError, match="column 'SNP': expected 10 columns of this name, found 9"):
        read_neighbours_2021(path)
