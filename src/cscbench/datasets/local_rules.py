"""The checks of a local measures file, one function per kind (see
:mod:`cscbench.datasets.local_measures` for the format they enforce).

Each check adds the problems it finds to a list, as frames of ``row, column, problem``, and
returns the rows it has read, so every bad row is reported and none is dropped unreported.

Example:
    >>> import polars as pl
    >>> found = []
    >>> rows = pl.DataFrame({"row": [2], "value": ["1,204"], "numerator": [None],
    ...                      "denominator": ["x"]}, schema_overrides={"numerator": pl.String})
    >>> numbers(rows, found)["value_n"].item(), pl.concat(found)["problem"].to_list()
    (1204.0, ['x is not a number'])
"""

from __future__ import annotations

import re

import polars as pl

from cscbench.datasets.local_periods import read_period, short_label
from cscbench.datasets.registry import INDICATORS

UNITS: dict[str, float] = {
    "count": 1.0,
    "percent": 100.0,
    "rate_per_10k": 10_000.0,
    "days": 1.0,
    "score": 1.0,
}
UNIT_WORDS = {"rate per 10,000": "rate_per_10k", "rate per 10000": "rate_per_10k"}
POLARITIES = ("high_is_good", "low_is_good", "context")
POLARITY_WORDS = {
    "higher is better": "high_is_good",
    "lower is better": "low_is_good",
    "neither": "context",
}
FREQUENCIES = ("month", "quarter", "year")
FREQUENCY_WORDS = {"monthly": "month", "quarterly": "quarter", "annual": "year", "yearly": "year"}
DETAILS = ("title", "unit", "polarity", "theme", "frequency", "definition", "national")
FIGURES = ("value", "numerator", "denominator")
COLUMNS = ("measure", *DETAILS, "period", *FIGURES, "note", "change")
TEXT = ("title", "theme", "definition", "note", "change")
ID = re.compile(r"[a-z][a-z0-9_]*")
FORMULA = re.compile(r"[=+@\t\r]|-[^\d\s.]")


def problem(frame: pl.DataFrame, when: pl.Expr, column: str, message: pl.Expr | str):
    message = pl.lit(message) if isinstance(message, str) else message
    return frame.filter(when).select(
        "row", pl.lit(column).alias("column"), message.alias("problem")
    )


def details(rows: pl.DataFrame, problems: list) -> pl.DataFrame:
    """Each measure's details: the first value given, checked against the registry; a later
    row that disagrees is a problem."""
    words = {"unit": UNIT_WORDS, "polarity": POLARITY_WORDS, "frequency": FREQUENCY_WORDS}
    allowed = {"unit": tuple(UNITS), "polarity": POLARITIES, "frequency": FREQUENCIES}
    stated = rows.group_by("measure", maintain_order=True).agg(
        pl.col(name).is_not_null().any().alias(f"{name}_given")
        for name in ("title", "unit", "polarity", "theme")
    )
    for name, known in allowed.items():
        if name in rows.columns:
            rows = rows.with_columns(
                pl.col(name).str.to_lowercase().replace(words[name]).alias(name)
            )
            problems.append(
                problem(
                    rows,
                    pl.col(name).is_not_null() & ~pl.col(name).is_in(known),
                    name,
                    pl.format("{} is not one of " + ", ".join(known), pl.col(name)),
                )
            )
            rows = rows.with_columns(
                pl.when(pl.col(name).is_in(known)).then(pl.col(name)).alias(name)
            )
    if "national" in rows.columns:
        problems.append(
            problem(
                rows,
                pl.col("national").is_not_null() & ~pl.col("national").is_in(list(INDICATORS)),
                "national",
                pl.format("{} is not an indicator in 'cscbench indicators'", pl.col("national")),
            )
        )
    agreed = []
    for name in DETAILS:
        if name not in rows.columns:
            continue
        given = rows.filter(pl.col(name).is_not_null()).select("measure", "row", name)
        first = given.group_by("measure", maintain_order=True).first()
        odd = given.join(first, on="measure", suffix="_first").filter(
            pl.col(name) != pl.col(f"{name}_first")
        )
        problems.append(
            odd.select(
                "row",
                pl.lit(name).alias("column"),
                pl.format(
                    "{} does not match {} given for {} on row {}",
                    pl.col(name).str.slice(0, 40),
                    pl.col(f"{name}_first").str.slice(0, 40),
                    "measure",
                    "row_first",
                ).alias("problem"),
            )
        )
        agreed.append(first.select("measure", name))
    measures = rows.group_by("measure", maintain_order=True).agg(pl.col("row").first())
    measures = measures.join(stated, on="measure", maintain_order="left")
    for part in agreed:
        measures = measures.join(part, on="measure", how="left", maintain_order="left")
    for name in DETAILS:
        if name not in measures.columns:
            measures = measures.with_columns(pl.lit(None, pl.String).alias(name))
    return _with_registry(measures, problems).select("measure", *DETAILS, "row")


def _with_registry(measures: pl.DataFrame, problems: list) -> pl.DataFrame:
    """DfE's title, unit and polarity for a DfE indicator's id; each measure's national match;
    the unit fixed by DfE where it matches; the details every measure needs."""
    dfe = pl.DataFrame(
        {
            "measure": list(INDICATORS),
            "dfe_title": [i.title for i in INDICATORS.values()],
            "dfe_unit": [i.unit for i in INDICATORS.values()],
            "dfe_polarity": [i.polarity for i in INDICATORS.values()],
        }
    )
    measures = measures.join(dfe, on="measure", how="left", maintain_order="left")
    is_dfe = pl.col("dfe_unit").is_not_null()
    problems.append(
        problem(
            measures,
            is_dfe & pl.col("unit").is_not_null() & (pl.col("unit") != pl.col("dfe_unit")),
            "unit",
            pl.format("{} is DfE's indicator, whose unit is {}", "measure", "dfe_unit"),
        )
    )
    measures = measures.with_columns(
        pl.coalesce("title", "dfe_title").alias("title"),
        pl.coalesce("polarity", "dfe_polarity").alias("polarity"),
        pl.when(is_dfe).then("dfe_unit").otherwise("unit").alias("unit"),
        pl.coalesce("national", pl.when(is_dfe).then("measure")).alias("national"),
    )
    national_unit = pl.col("national").replace_strict(
        {k: i.unit for k, i in INDICATORS.items()}, default=None
    )
    problems.append(
        problem(
            measures,
            pl.col("unit").is_not_null() & national_unit.is_not_null()
            & (pl.col("unit") != national_unit),
            "national",
            pl.format("{} is in {}; {} is in {}", "measure", "unit", "national", national_unit),
        )
    )  # fmt: skip
    for name in ("title", "unit", "polarity", "theme"):
        problems.append(
            problem(
                measures,
                pl.col(name).is_null() & ~pl.col(f"{name}_given"),
                name,
                pl.format(f"measure {{}} has no {name}: give it on its first row", "measure"),
            )
        )
    return measures


def periods(rows: pl.DataFrame, measures: pl.DataFrame, problems: list) -> pl.DataFrame:
    """Each row's period read as the measure's frequency: kind, index and canonical label."""
    labels = rows["period"].drop_nulls().unique().to_list()
    readings, bad = [], []
    for label in labels:
        try:
            found = read_period(label)
        except ValueError as exc:
            bad.append((label, str(exc)))
            continue
        readings += [
            (label, kind, index, text, len(found)) for kind, (index, text) in found.items()
        ]
    read = pl.DataFrame(
        readings,
        schema={"period": pl.String, "kind": pl.String, "index": pl.Int64, "label": pl.String,
                "readings": pl.Int64},
        orient="row",
    )  # fmt: skip
    unreadable = pl.DataFrame(bad, schema={"period": pl.String, "why": pl.String}, orient="row")
    problems.append(
        rows.join(unreadable, on="period").select(
            "row", pl.lit("period").alias("column"), pl.col("why").alias("problem")
        )
    )
    # the measure's kind: its frequency, else the first period that has one reading
    sure = (
        rows.join(read.filter(pl.col("readings") == 1), on="period")
        .sort("row")
        .group_by("measure")
        .agg(pl.col("kind").first().alias("seen"), pl.col("row").first().alias("seen_row"))
    )
    kinds = measures.select("measure", "frequency").join(sure, on="measure", how="left")
    kinds = kinds.with_columns(pl.coalesce("frequency", "seen").alias("kind"))
    rows = rows.join(kinds.select("measure", "kind", "frequency", "seen_row"), on="measure",
                     how="left")  # fmt: skip
    matched = rows.join(read, on=["period", "kind"], how="left")
    any_reading = rows.select("row", "period").join(
        read.group_by("period").agg(pl.col("kind").sort().str.join(" or ").alias("kinds")),
        on="period",
    )
    matched = matched.join(any_reading.select("row", "kinds"), on="row", how="left")
    ambiguous = pl.col("kind").is_null() & pl.col("kinds").str.contains(" or ")
    other = pl.col("kind").is_not_null() & pl.col("index").is_null() & pl.col("kinds").is_not_null()
    problems.append(
        problem(
            matched,
            ambiguous,
            "period",
            pl.format(
                "{} could be a month or a financial year: give the measure's frequency", "period"
            ),
        )
    )
    why = (
        pl.when(pl.col("frequency").is_not_null())
        .then(pl.lit("its frequency"))
        .otherwise(pl.format("row {}", "seen_row"))
    )
    problems.append(
        problem(
            matched,
            other,
            "period",
            pl.format("{} is a {}; this measure's periods are {}s ({})", "period", "kinds",
                      "kind", why),
        )
    )  # fmt: skip
    return matched.drop("kinds", "readings", "frequency", "seen_row")


def numbers(rows: pl.DataFrame, problems: list) -> pl.DataFrame:
    for name in FIGURES:
        if name not in rows.columns:
            rows = rows.with_columns(pl.lit(None, pl.String).alias(name))
            continue
        text = pl.col(name).str.replace_all(",", "").str.strip_suffix("%")
        number = text.cast(pl.Float64, strict=False)
        not_number = pl.col(name).is_not_null() & (
            number.is_null() | number.is_nan() | number.is_infinite()
        )
        problems.append(
            problem(rows, not_number, name, pl.format("{} is not a number", pl.col(name)))
        )
        problems.append(
            problem(rows, ~not_number & (number < 0), name,
                     pl.format("{} is negative", pl.col(name)))
        )  # fmt: skip
        decimals = text.str.extract(r"\.(\d+)$").str.len_chars().fill_null(0)
        rows = rows.with_columns(
            pl.when(~not_number & (number >= 0)).then(number).alias(f"{name}_n"),
            decimals.alias(f"{name}_decimals"),
        )
    return rows


def figures(rows: pl.DataFrame, problems: list) -> pl.DataFrame:
    """Each point's value from its counts, checked against its unit and its written value."""
    value, num, den = pl.col("value_n"), pl.col("numerator_n"), pl.col("denominator_n")
    unit = pl.col("unit")
    ratio = unit.is_in(["percent", "rate_per_10k", "days", "score"])
    multiplier = unit.replace_strict(UNITS, default=None)
    computed = pl.when(unit == "count").then(num).when(den > 0).then(num / den * multiplier)
    rules = [
        ("denominator", (unit == "count") & pl.col("denominator").is_not_null(),
         "a count has no denominator"),
        ("denominator", ratio & pl.col("numerator").is_not_null() & pl.col("denominator").is_null(),
         pl.format("a numerator needs its denominator for a {}", unit)),
        ("numerator", ratio & pl.col("denominator").is_not_null() & pl.col("numerator").is_null(),
         "a denominator needs its numerator"),
        ("denominator", den == 0, "is 0"),
        ("numerator", (unit == "percent") & (num > den) & (den > 0),
         pl.format("{} is more than its denominator, {}", pl.col("numerator"),
                   pl.col("denominator"))),
        ("value", (unit == "percent") & (value > 100), "is a percentage over 100"),
        ("value", (unit == "count") & (value != value.floor()), "a count is a whole number"),
        ("numerator", (unit == "count") & (num != num.floor()), "a count is a whole number"),
        ("value", value.is_not_null() & computed.is_not_null()
         & ((computed - value).abs() > 0.5 * 10 ** (-pl.col("value_decimals").cast(pl.Float64))
            + 1e-9),
         pl.format("{} does not agree with numerator / denominator ({})", pl.col("value"),
                   computed.round(3))),
        ("value", pl.col("value").is_null() & pl.col("numerator").is_null()
         & pl.col("note").is_null(),
         "no figure: give a value, or numerator and denominator, or a note saying why it is "
         "missing"),
    ]  # fmt: skip
    for column, when, message in rules:
        problems.append(problem(rows, when.fill_null(False), column, message))
    return rows.with_columns(pl.coalesce(computed, value).alias("figure"))


def sequence(points: pl.DataFrame, problems: list) -> pl.DataFrame:
    """Repeated periods and gaps, within each measure; returns the points in period order."""
    points = points.sort("measure_order", "index", "row")
    first = points.group_by("measure", "index").agg(pl.col("row").min().alias("first_row"))
    points = points.join(first, on=["measure", "index"])
    problems.append(
        problem(points, pl.col("row") != pl.col("first_row"), "period",
                 pl.format("{} repeats row {}", "period", "first_row"))
    )  # fmt: skip
    points = points.filter(pl.col("row") == pl.col("first_row")).sort("measure_order", "index")
    before = pl.col("index").shift(1).over("measure")
    gap = points.with_columns(
        before.alias("before"),
        pl.col("label").shift(1).over("measure").alias("before_label"),
        pl.col("row").shift(1).over("measure").alias("before_row"),
    ).filter(pl.col("index") - pl.col("before") > 1)
    for r in gap.iter_rows(named=True):
        missing = [short_label(r["kind"], i) for i in range(r["before"] + 1, r["index"])]
        which = missing[0] if len(missing) == 1 else f"{missing[0]} to {missing[-1]}"
        problems.append(
            pl.DataFrame(
                {"row": [r["row"]], "column": ["period"],
                 "problem": [f"gap: no row for {which} (after {r['before_label']}, "
                             f"row {r['before_row']})"]},
                schema={"row": pl.Int64, "column": pl.String, "problem": pl.String},
            )
        )  # fmt: skip
    opening = pl.col("index") == pl.col("index").min().over("measure")
    problems.append(
        problem(points, opening & pl.col("change").is_not_null(), "change",
                 "a change point on the measure's first period has no earlier process")
    )  # fmt: skip
    return points
