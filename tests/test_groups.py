"""Area look-up and comparator groups."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cscbench.datasets import (
    find_area,
    group,
    load_areas,
    members_in_year,
    read_group_file,
    split_names,
)
from cscbench.datasets.areas import name_key
from cscbench.datasets.groups import ComparatorGroup
from cscbench.errors import AreaNotFound, UsageError


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("Derby", "831"),
        ("DERBY", "831"),
        ("831", "831"),
        ("E06000015", "831"),
        ("St Helens", "342"),
        ("st. helens", "342"),
        ("Bristol", "801"),
        ("Bristol, City of", "801"),
        ("Kingston upon Hull", "810"),
        ("herefordshire", "884"),
        ("Telford & Wrekin", "894"),
        ("Dorset", "838"),
        ("835", "835"),
    ],
)
def test_find_area_ignores_case_punctuation_and_suffixes(query, code):
    assert find_area(query)["la_code"] == code


def test_unknown_name_suggests_the_closest():
    with pytest.raises(
        AreaNotFound, match=r"no local authority called 'Derbyshir'; closest: Derbyshire"
    ):
        find_area("Derbyshir")


@given(st.text(alphabet="aBcD .,'-&", max_size=20))
def test_name_key_is_idempotent_and_case_blind(text):
    assert name_key(name_key(text)) == name_key(text)
    assert name_key(text.upper()) == name_key(text.lower())


def test_neighbour_group_of_derby():
    g = group("Derby", "sn2025")
    assert g.focus == "831" and len(g.members) == 10 and "831" not in g.members
    assert g.members[:3] == ("331", "350", "335")  # Coventry, Bolton, Walsall


def test_authority_not_in_a_model_gets_a_clear_error():
    with pytest.raises(
        UsageError,
        match=r"Cumbria is not in the sn2025 neighbour model, made for the authorities of 2025 "
        r"\(its figures end in 2023\); it is in: sn2021",
    ):
        group("Cumbria", "sn2025")


def test_region_group_is_the_rest_of_the_region():
    g = group("Derby", "region")
    names = dict(load_areas().select("la_code", "area_name").rows())
    members = sorted(names[c] for c in g.members)
    assert "Derbyshire" in members and "Nottingham" in members and "Derby" not in members
    assert "Northamptonshire" in members  # kept, reported missing in years it did not exist


def test_england_group_is_every_other_authority():
    assert len(group("Derby", "england").members) == load_areas().height - 1


def test_missing_member_is_reported_with_reason():
    # North Northamptonshire's 2021 neighbours include Cumbria, abolished in 2023.
    g = group("North Northamptonshire", "sn2021")
    assert "909" in g.members
    rows = members_in_year(g, 2025, load_areas())
    assert rows.height == 10
    cumbria = rows.filter(pl.col("la_code") == "909").row(0, named=True)
    assert cumbria["exists"] is False and cumbria["reason"] == "abolished (last year 2023)"
    assert rows.filter(pl.col("exists")).height == 9
    assert members_in_year(g, 2023, load_areas())["exists"].all()


def test_member_created_later_is_reported():
    g = ComparatorGroup("custom", "test", "831", ("940",))
    row = members_in_year(g, 2021, load_areas()).row(0, named=True)
    assert (row["exists"], row["reason"]) == (False, "created later (first year 2022)")


def test_include_self_puts_the_focus_first():
    g = group("Derby", "sn2021")
    rows = members_in_year(g, 2017, load_areas(), include_self=True)
    assert rows["la_code"][0] == "831" and rows.height == 11


def test_custom_group_from_names_and_toml(tmp_path):
    g = group("Derby", "custom", ["Nottingham", "leicester", "Nottingham"])
    assert g.members == ("892", "856")  # repeats left out
    with pytest.raises(UsageError, match="not one of its own comparators"):  # not silently
        group("Derby", "custom", ["Nottingham", "831"])
    path = tmp_path / "cities.toml"
    path.write_text('name = "East Midlands cities"\nmembers = ["Nottingham", "Leicester"]\n')
    assert read_group_file(path) == ("East Midlands cities", ["Nottingham", "Leicester"])


def test_bad_group_file_is_a_clear_error(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text("members = 3\n")
    with pytest.raises(UsageError, match=r"bad\.toml: needs 'members'"):
        read_group_file(path)
    with pytest.raises(UsageError, match="unknown group 'sn2030'"):
        group("Derby", "sn2030")


def test_lists_of_authorities_keep_names_that_hold_a_comma():
    # "Bristol, City of,Leeds" was split into Bristol, "City of" and Leeds, so the packs of
    # Bristol, Hull, Herefordshire and BCP could not be asked for by their DfE names.
    assert split_names("Bristol, City of,Leeds") == ["Bristol, City of", "Leeds"]
    assert split_names("Bournemouth, Christchurch and Poole, Dorset") == [
        "Bournemouth, Christchurch and Poole",
        "Dorset",
    ]
    assert split_names("Kingston upon Hull, City of, East Riding of Yorkshire") == [
        "Kingston upon Hull, City of",
        "East Riding of Yorkshire",
    ]
    assert split_names("Herefordshire, Shropshire,, 831") == ["Herefordshire", "Shropshire", "831"]
    with pytest.raises(UsageError, match="' , ' names nothing"):
        split_names(" , ")
    chosen = group("Bristol, City of", comparators="Kingston upon Hull, City of, Leeds")
    assert (chosen.focus, chosen.members) == ("801", ("810", "383"))


def test_an_authority_may_be_given_by_its_code_as_a_number():
    assert find_area(831)["area_name"] == "Derby"
    assert find_area(201)["area_name"] == "City of London"
    with pytest.raises(AreaNotFound, match="None is not an authority"):
        find_area(None)


def test_a_name_in_part_finds_the_one_authority_it_belongs_to():
    # "Hull" found nothing ("closest: Solihull"); people say Hull, Durham and Telford.
    for query, code in [
        ("Hull", "810"),
        ("Durham", "840"),
        ("Telford", "894"),
        ("Christchurch", "839"),
    ]:
        assert find_area(query)["la_code"] == code, query
    with pytest.raises(
        AreaNotFound,
        match="'Kingston' could be Kingston upon Hull, City of or Kingston upon Thames: give",
    ):
        find_area("Kingston")
    with pytest.raises(AreaNotFound, match="'Sussex' could be East Sussex or West Sussex"):
        find_area("Sussex")
    # A region's name is not taken as the one authority in it whose name shares the word.
    with pytest.raises(AreaNotFound, match=r"'London' names a region, not a local authority"):
        find_area("London")


def test_remembered_look_ups_equal_fresh_ones_for_every_authority_and_group():
    """find_area and group remember their answers per data set (a pack asks about fifty
    times): for every authority, by each of its names and codes, and every named group, the
    remembered answer is the one worked from the tables afresh, and a caller that changes
    the dict it was given does not change the next answer."""
    from cscbench.datasets import load_neighbours
    from cscbench.datasets.areas import find_area as fresh_area
    from cscbench.datasets.groups import comparator_group

    areas, neighbours = load_areas(), load_neighbours()
    modelled = {
        m: set(neighbours.filter(pl.col("model") == m)["la_code"]) for m in ("sn2021", "sn2025")
    }
    for row in areas.iter_rows(named=True):
        for query in (row["la_code"], row["area_code"], row["area_name"]):
            assert find_area(query) == fresh_area(query, areas)
        la = row["la_code"]
        for key in ("sn2021", "sn2025", "region", "england"):
            if key in modelled and la not in modelled[key]:
                with pytest.raises(UsageError):
                    group(la, key)
                continue
            assert group(la, key) == comparator_group(la, key, areas, neighbours)
    found = find_area("Derby")
    found["area_name"] = "changed"
    assert find_area("Derby")["area_name"] == "Derby"


def test_comparators_that_name_nothing_are_an_error_not_the_named_group():
    """An empty list of comparators given as text names nothing: an error, as before look-ups
    were remembered (the remembered path is for no comparators at all)."""
    with pytest.raises(UsageError):
        group("Derby", "sn2025", comparators="")
    with pytest.raises(UsageError):
        group("Derby", "sn2025", comparators=" , ")


def test_a_look_up_follows_a_data_set_rebuilt_in_its_folder(tmp_path):
    """find_area and group remember answers per data set, keyed on its tables' reads: once a
    table is read afresh (a folder rebuilt in place, its old table let go), they answer from
    the new table, as load_areas does, never from the old one."""
    import hashlib
    import json
    import shutil

    from cscbench import datasets
    from cscbench.datasets.snapshot import SNAPSHOT_DIR

    folder = tmp_path / "snap"
    shutil.copytree(SNAPSHOT_DIR, folder)
    assert find_area("831", folder)["area_name"] == "Derby"
    before = group("831", "sn2021", source=folder)
    renamed = load_areas(folder).with_columns(
        pl.when(pl.col("la_code") == "831")
        .then(pl.lit("Derby (rebuilt)"))
        .otherwise(pl.col("area_name"))
        .alias("area_name")
    )
    renamed.write_parquet(folder / "areas.parquet")
    found = json.loads((folder / "manifest.json").read_text())
    for table in found["tables"]:
        if table["name"] == "areas":
            table["sha256"] = hashlib.sha256((folder / "areas.parquet").read_bytes()).hexdigest()
    (folder / "manifest.json").write_text(json.dumps(found, indent=2) + "\n")
    datasets._small_table.cache_clear()  # the old tables let go, as a full cache lets them go
    assert load_areas(folder).filter(pl.col("la_code") == "831")["area_name"].item() == (
        "Derby (rebuilt)"
    )
    assert find_area("831", folder)["area_name"] == "Derby (rebuilt)"
    assert find_area("Derby (rebuilt)", folder)["la_code"] == "831"
    assert group("831", "sn2021", source=folder) == before  # same members, worked afresh
