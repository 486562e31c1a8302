"""Reading DfE CSV text: byte-order marks, repeated headers, symbols, located errors."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cscbench.datasets.csvfile import SYMBOLS, parse_measure, read_text_table
from cscbench.errors import DataError


def write(tmp_path, text: str | bytes, name="f.csv"):
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return path


def test_byte_order_mark_is_removed(tmp_path):
    path = write(tmp_path, b"\xef\xbb\xbftime_period,n\n2025,3\n")
    frame = read_text_table(path, required=["time_period"])
    assert frame.columns == ["time_period", "n", "_line"]
    assert frame.rows() == [("2025", "3", 2)]


def test_repeated_header_is_an_error_unless_expected(tmp_path):
    path = write(tmp_path, "SN1,SNP,SN2,SNP\n1,a,2,b\n")
    with pytest.raises(DataError, match=r"f.csv, row 1, column 'SNP': header name appears"):
        read_text_table(path)
    frame = read_text_table(path, repeated={"SNP": 2})
    assert frame.columns == ["SN1", "SNP_1", "SN2", "SNP_2", "_line"]
    assert frame.row(0) == ("1", "a", "2", "b", 2)


def test_expected_repeat_count_is_checked(tmp_path):
    path = write(tmp_path, "SN1,SNP\n1,a\n")
    with pytest.raises(DataError, match="expected 2 columns of this name, found 1"):
        read_text_table(path, repeated={"SNP": 2})


def test_missing_required_column_names_it(tmp_path):
    path = write(tmp_path, "a,b\n1,2\n")
    with pytest.raises(DataError) as err:
        read_text_table(path, required=["a", "c", "d"])
    assert (
        str(err.value) == "f.csv, row 1, column 'c': required column is missing (also missing: d)"
    )


def test_line_numbers_skip_blank_lines(tmp_path):
    path = write(tmp_path, "a\n1\n\n2\n")
    assert read_text_table(path)["_line"].to_list() == [2, 4]


def test_symbols_keep_their_status_and_null_value():
    frame = pl.DataFrame(
        {"n": ["12", "c", "x", "z", "low", "u", "k", ":", "~", " 7 "], "_line": list(range(2, 12))}
    )
    value, status = parse_measure(frame, "n", "b1.csv")
    assert value.to_list() == [12.0] + [None] * 8 + [7.0]
    assert status.to_list() == ["published", "c", "x", "z", "low", "u", "k", ":", "~", "published"]


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        ("abc", "b1.csv, row 3, column 'n': 'abc' is neither a non-negative whole number"),
        ("", "b1.csv, row 3, column 'n': blank is neither"),
        ("-4", "'-4' is neither a non-negative whole number"),
        ("2.5", "'2.5' is neither a non-negative whole number"),
        ("C", "'C' is neither"),
        ("NA", "'NA' is neither"),
    ],
)
def test_bad_count_cells_are_located(cell, message):
    frame = pl.DataFrame({"n": ["1", cell or None], "_line": [2, 3]})
    with pytest.raises(DataError, match=message.replace("(", r"\(")):
        parse_measure(frame, "n", "b1.csv")


def test_percentages_may_be_fractional():
    frame = pl.DataFrame({"p": ["21.3", "c"], "_line": [2, 3]})
    value, status = parse_measure(frame, "p", "c1.csv", whole=False)
    assert value.to_list() == [21.3, None]
    assert status.to_list() == ["published", "c"]


cells = st.one_of(st.integers(0, 10**9).map(str), st.sampled_from(sorted(SYMBOLS)))


@given(st.lists(cells, min_size=1, max_size=50))
def test_parse_round_trips_numbers_and_symbols(values):
    frame = pl.DataFrame({"n": values, "_line": list(range(2, len(values) + 2))})
    value, status = parse_measure(frame, "n", "f.csv")
    for cell, v, s in zip(values, value.to_list(), status.to_list(), strict=True):
        if cell in SYMBOLS:
            assert v is None and s == cell
        else:
            assert v == float(cell) and s == "published"


@given(st.lists(cells, min_size=1, max_size=30), st.data())
def test_any_unknown_cell_is_reported_at_its_own_row(values, data):
    bad_at = data.draw(st.integers(0, len(values) - 1))
    junk = data.draw(st.text(alphabet="abdefghijmnopqrstvwy!?", min_size=1, max_size=5))
    values = list(values)
    values[bad_at] = junk
    frame = pl.DataFrame({"n": values, "_line": list(range(2, len(values) + 2))})
    with pytest.raises(DataError) as err:
        parse_measure(frame, "n", "f.csv")
    assert err.value.row == bad_at + 2
    assert err.value.column == "n"


def test_ragged_row_is_located(tmp_path):
    path = write(tmp_path, "a,b\n1,2\n3\n")
    with pytest.raises(DataError, match=r"^f.csv, row 3: has 1 fields; the header has 2$"):
        read_text_table(path)


def test_header_only_file_gives_empty_frame(tmp_path):
    frame = read_text_table(write(tmp_path, "a,b\n"), required=["a"])
    assert frame.height == 0 and frame.columns == ["a", "b", "_line"]
