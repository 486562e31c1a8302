"""DfE children's services statistical neighbour models (2021 and 2025), read into one frame.

One row per (model, authority, neighbour): ``model`` (``sn2021`` or ``sn2025``), ``la_code``,
``area_name``, ``rank`` (1 = closest), ``neighbour_code`` and ``closeness`` (``extremely
close``, ``very close``, ``close``, ``somewhat close``, ``not close``).

The two files differ, and each quirk is handled by name, not by position:

- the 2021 file (``New_Statistical_Neighbour_Groupings_April_2021.csv``) repeats the header
  ``SNP`` ten times (the closeness of SN1 ... SN10), ends each line with an empty column, has
  blank separator rows and an ``Old SNs:`` block with the neighbours of the authorities
  abolished in 2019 and 2021 (Dorset county 835, Poole 836, Bournemouth 837,
  Northamptonshire 928);
- the 2025 file (``sn_model_2025_wide.csv``) has ``SN_1 ... SN_10`` and ``SN_1P ... SN_10P``,
  and the label ``"Close "`` with a trailing space.

Closeness labels are normalised with strip and lower case. An unknown label, a neighbour code
that is not three digits, or an authority listed twice stops with a one-line error.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from cscbench.datasets.csvfile import LINE, read_text_table
from cscbench.errors import DataError

CLOSENESS = ("extremely close", "very close", "close", "somewhat close", "not close")
MODELS = ("sn2021", "sn2025")
NEIGHBOURS = 10

NEIGHBOUR_SCHEMA: dict[str, pl.DataType] = {
    "model": pl.String(),
    "la_code": pl.String(),
    "area_name": pl.String(),
    "rank": pl.Int8(),
    "neighbour_code": pl.String(),
    "closeness": pl.String(),
}


def _long(
    frame: pl.DataFrame, path: Path, model: str, code: str, name: str, sn: list[str], snp: list[str]
) -> pl.DataFrame:
    """Turn a wide neighbour table (10 code columns, 10 closeness columns) into long rows."""
    parts = []
    for rank, (code_col, close_col) in enumerate(zip(sn, snp, strict=True), start=1):
        neighbour = frame[code_col].str.strip_chars()
        closeness = frame[close_col].str.strip_chars().str.to_lowercase()
        bad_code = ~neighbour.str.contains(r"^\d{3}$").fill_null(False)
        bad_close = ~closeness.is_in(list(CLOSENESS)).fill_null(False)
        for bad, column, what in (
            (bad_code, code_col, "is not a 3-digit authority code"),
            (bad_close, close_col, f"is not one of: {', '.join(CLOSENESS)}"),
        ):
            if bad.any():
                i = int(bad.arg_max())
                raise DataError(path, int(frame[LINE][i]), column, f"{frame[column][i]!r} {what}")
        parts.append(
            pl.DataFrame(
                {
                    "model": model,
                    "la_code": frame[code].str.strip_chars(),
                    "area_name": frame[name].str.strip_chars(),
                    "rank": rank,
                    "neighbour_code": neighbour,
                    "closeness": closeness,
                },
                schema=NEIGHBOUR_SCHEMA,
            )
        )
    out = pl.concat(parts)
    own = out.filter(pl.col("la_code") == pl.col("neighbour_code"))
    if own.height:
        raise DataError(path, None, None, f"authority {own['la_code'][0]} is its own neighbour")
    return out


def _authority_rows(
    frame: pl.DataFrame, path: Path, code: str
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Split rows into authorities and separators (blank rows, the ``Old SNs:`` label)."""
    values = [c for c in frame.columns if c != LINE]
    blank = pl.all_horizontal(
        pl.col(c).is_null() | (pl.col(c).str.strip_chars() == "") for c in values
    )
    is_code = pl.col(code).str.strip_chars().str.contains(r"^\d{3}$").fill_null(False)
    labelled = frame.with_columns(blank.alias("_blank"), is_code.alias("_code"))
    odd = labelled.filter(~pl.col("_blank") & ~pl.col("_code"))
    separators = odd.filter(pl.col(code).is_null() | (pl.col(code).str.strip_chars() == ""))
    if separators.height != odd.height:
        bad = odd.filter(~pl.col(LINE).is_in(separators[LINE].implode()))
        raise DataError(path, int(bad[LINE][0]), code, f"{bad[code][0]!r} is not a 3-digit code")
    used = labelled.filter(pl.col("_code")).drop("_blank", "_code")
    duplicated = used[code].str.strip_chars().is_duplicated()
    if duplicated.any():
        i = int(duplicated.arg_max())
        raise DataError(path, int(used[LINE][i]), code, "authority is listed more than once")
    accounting = labelled.select(
        pl.lit(path.name).alias("file"),
        pl.col(LINE).alias("line"),
        pl.when(pl.col("_code")).then(pl.lit("used")).otherwise(pl.lit("skipped")).alias("outcome"),
        pl.when(pl.col("_code"))
        .then(pl.lit("statistical neighbours"))
        .when(pl.col("_blank"))
        .then(pl.lit("blank separator row"))
        .otherwise(pl.lit("section label row (e.g. 'Old SNs:')"))
        .alias("reason"),
    )
    return used, accounting


def read_neighbours_2021(path: str | Path) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Read the April 2021 (LGR version) neighbour model: (long neighbours, accounting)."""
    path = Path(path)
    sn = [f"SN{k}" for k in range(1, NEIGHBOURS + 1)]
    frame = read_text_table(path, required=["LA num", "LA Name", *sn], repeated={"SNP": NEIGHBOURS})
    snp = [f"SNP_{k}" for k in range(1, NEIGHBOURS + 1)]
    used, accounting = _authority_rows(frame, path, "LA num")
    return _long(used, path, "sn2021", "LA num", "LA Name", sn, snp), accounting


def read_neighbours_2025(path: str | Path) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Read the 2025 neighbour model: (long neighbours, accounting)."""
    path = Path(path)
    sn = [f"SN_{k}" for k in range(1, NEIGHBOURS + 1)]
    snp = [f"SN_{k}P" for k in range(1, NEIGHBOURS + 1)]
    frame = read_text_table(path, required=["old_la_code", "la_name", *sn, *snp])
    used, accounting = _authority_rows(frame, path, "old_la_code")
    return _long(used, path, "sn2025", "old_la_code", "la_name", sn, snp), accounting


def read_neighbours(
    path_2021: str | Path, path_2025: str | Path
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Both models in one frame, sorted, with the accounting of both files.

    Example:
        >>> n, _ = read_neighbours(
        ...     "../shared/data/dfe/New_Statistical_Neighbour_Groupings_April_2021.csv",
        ...     "../shared/data/dfe/sn_model_2025_wide.csv")
        >>> n.filter(pl.col("model") == "sn2025", pl.col("la_code") == "301", pl.col("rank") == 1
        ...          ).select("neighbour_code", "closeness").row(0)
        ('308', 'close')
    """
    a, acc_a = read_neighbours_2021(path_2021)
    b, acc_b = read_neighbours_2025(path_2025)
    return pl.concat([a, b]).sort("model", "la_code", "rank"), pl.concat([acc_a, acc_b])
