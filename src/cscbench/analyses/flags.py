"""Flags: the rules that mark a figure for attention, each explained by :data:`FLAG_MEANINGS`.

Rules on the figure's counts (small numbers, a doubtful zero, an imprecise estimate), on its
comparison with England and its own series (intervals, funnels, SPC, robust scores), and on
the authority's history (boundary changes, a new authority's first look-back year).

Example:
    >>> flag_label("small_numbers"), flag_label("suppressed")
    ('fewer than 10 children or events', 'withheld by DfE (see status)')
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from cscbench.datasets.lineage import SUCCESSIONS, first_years
from cscbench.datasets.registry import LOOKS_BACK, MULTIPLIER
from cscbench.errors import UsageError

ROBUST_LIMIT = 3.5
SMALL_NUMBERS = 10  # fewer children or events than this: the small_numbers caveat
ZERO_EXPECTED = 10  # a 0 where England's rate would give this many: the zero_unlikely flag
IMPRECISE_CV = 0.20  # a coefficient of variation above this: the imprecise caveat (ONS)
#: Units whose numerator counts children or events (so a handful of them is small numbers);
#: not FTEs, medians or averages.
COUNTED = ("count", "percent", "rate_per_10k", "per_100")


FLAG_MEANINGS: dict[str, str] = {
    "above_england_95": "above England: England's value is below the 95% interval",
    "below_england_95": "below England: England's value is above the 95% interval",
    "above_england_998": "well above England: England's value is below the 99.8% interval",
    "below_england_998": "well below England: England's value is above the 99.8% interval",
    "funnel_high_95": "above the 95% funnel limit around England",
    "funnel_low_95": "below the 95% funnel limit around England",
    "funnel_high_998": "above the 99.8% funnel limit around England",
    "funnel_low_998": "below the 99.8% funnel limit around England",
    "spc_high": "above the upper process limit of the authority's own series",
    "spc_low": "below the lower process limit of the authority's own series",
    "spc_trend": "part of 7 years in a row each higher (or lower) than the last",
    "spc_near_limit": "2 of 3 years near a process limit on the same side",
    "spc_run": "part of 7 years in a row on the same side of the series' mean",
    "robust_high": "more than 3.5 median absolute deviations above the median authority",
    "robust_low": "more than 3.5 median absolute deviations below the median authority",
    "small_numbers": "fewer than 10 children or events: treat with caution",
    "zero_unlikely": "recorded as 0 where England's rate on the same base would give 10 or more: "
    "more likely how cases were recorded or returned than practice; check before comparing",
    "imprecise": "coefficient of variation above 20% (ONS's mark of an unreliable estimate): "
    "a rate on 10 to 24 events, or a percentage on few children; the interval is wide",
    "suppressed": "withheld by DfE (see status)",
    "boundary_change": "the authority or a comparator was created or abolished in these years",
    "first_year_look_back": "a newly made authority's first year of a measure counted against "
    "earlier records (re-referrals): referrals to the councils it replaced may not have counted; "
    "treat it, and changes from it, with caution",
    "published_mismatch": "DfE's printed figure differs from its counts by more than rounding",
    "local_provisional": "local, provisional: computed from the authority's own census return, "
    "before DfE's validation and publication",
}


def flag_label(flag: str) -> str:
    """A flag in words, short: the part of its meaning before the colon.

    Example:
        >>> flag_label("spc_low"), flag_label("above_england_998")
        ("below the lower process limit of the authority's own series", 'well above England')
    """
    return FLAG_MEANINGS[flag].split(":")[0]


def flag_ids(flags: str | Sequence[str] | None) -> list[str] | None:
    """``flags`` as a list of flag ids, each checked (a list, one id, or ids separated by
    commas); None stays None.

    Example:
        >>> flag_ids("spc_low, zero_unlikely")
        ['spc_low', 'zero_unlikely']
        >>> flag_ids("spc_lo")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        cscbench.errors.UsageError: unknown flag 'spc_lo'; known: above_england_95, ...
    """
    if flags is None:
        return None
    if isinstance(flags, str):
        flags = [f.strip() for f in flags.split(",") if f.strip()]
    for flag in flags:
        if flag not in FLAG_MEANINGS:
            raise UsageError(f"unknown flag {flag!r}; known: {', '.join(FLAG_MEANINGS)}")
    if not flags:
        raise UsageError("no flags given: name one or more (see cscbench outliers)")
    return list(flags)


def boundary_events(members: pl.DataFrame) -> pl.DataFrame:
    """(focus, event_year) for every reorganisation that changed an area (not a council
    becoming unitary over the same area, as North Yorkshire's, Somerset's and
    Buckinghamshire's did) touching the focus or one of its members."""
    events = pl.DataFrame(
        [
            (code, s.year)
            for s in SUCCESSIONS
            if s.boundary_changed
            for code in {*s.before, *s.after}
        ],
        schema={"code": pl.String, "event_year": pl.Int32},
        orient="row",
    )
    touched = pl.concat(
        [
            members.select("focus", pl.col("member").alias("code")),
            members.select("focus", pl.col("focus").alias("code")).unique(),
        ]
    )
    return touched.join(events, on="code").select("focus", "event_year").unique()


def coefficient_of_variation() -> pl.Expr:
    """A rate's or percentage's coefficient of variation from its counts (null for counts).

    1/sqrt(r) for a rate on r events (Poisson); sqrt((1 - p) / r) for a percentage p = r / n
    (binomial). ONS treats an estimate whose coefficient of variation exceeds 20% as
    unreliable; a rate on fewer than 25 events does.

    Example:
        >>> f = pl.DataFrame({"unit": ["rate_per_10k", "percent"], "numerator": [25.0, 64.0],
        ...                   "denominator": [8166.0, 308.0]})
        >>> [round(v, 3) for v in f.select(coefficient_of_variation())["cv"]]
        [0.2, 0.111]
    """
    r, n, unit = pl.col("numerator"), pl.col("denominator"), pl.col("unit")
    percent = ((1 - r / n) / r).sqrt()
    return (
        pl.when((r > 0) & (unit == "percent") & (n > 0))
        .then(percent)
        .when((r > 0) & (unit == "rate_per_10k"))
        .then(1 / r.sqrt())
        .alias("cv")
    )


def imprecise() -> pl.Expr:
    """True for a figure on 10 or more events whose coefficient of variation is above
    :data:`IMPRECISE_CV` (below 10 the ``small_numbers`` flag already says more)."""
    return (coefficient_of_variation() > IMPRECISE_CV) & (pl.col("numerator") >= SMALL_NUMBERS)


def expected_at_england() -> pl.Expr:
    """Events the authority's base would give at England's rate or percentage (null for counts).

    Example:
        >>> f = pl.DataFrame({"unit": ["percent", "rate_per_10k", "count"],
        ...                   "denominator": [7960.0, 50000.0, None], "england": [6.5, 40.0, 9.0]})
        >>> f.select(expected_at_england()).to_series().to_list()
        [517.4, 200.0, None]
    """
    per = pl.col("unit").replace_strict(MULTIPLIER, return_dtype=pl.Float64)
    return (pl.col("denominator") * pl.col("england") / per).alias("expected_at_england")


def zero_unlikely() -> pl.Expr:
    """True for a rate or percentage recorded as 0 where England's rate on the authority's own
    base would give at least :data:`ZERO_EXPECTED` (10) events.

    If the authority's true rate were England's, the chance of no events at all is e^-10 for
    a Poisson count with mean 10 (PHE's technical guidance models counts as Poisson), about 1
    in 22,000, and smaller for a larger base. Such a 0 most likely records how cases were
    recorded or returned to DfE, not practice: 174 authority-years since 2012-13 returned no
    referrals ending in no further action, West Sussex 0 of 7,960 in 2024-25 (about 520
    expected). Where it is raised, ``small_numbers`` is not: the figure is not imprecise.

    Example:
        >>> f = pl.DataFrame({"unit": ["percent"] * 3, "numerator": [0.0, 0.0, 1.0],
        ...                   "denominator": [7960.0, 100.0, 7960.0], "england": [6.5] * 3})
        >>> f.select(zero_unlikely()).to_series().to_list()
        [True, False, False]
    """
    counted = pl.col("unit").is_in(["percent", "rate_per_10k"])  # counts of children
    return counted & (pl.col("numerator") == 0) & (expected_at_england() >= ZERO_EXPECTED)


def first_year_look_back() -> pl.Expr:
    """True for a measure that looks back over earlier records (registry ``looks_back``:
    re-referrals) in a newly made authority's first reporting year
    (:func:`~cscbench.datasets.lineage.first_years`), when referrals to the councils it
    replaced may not have counted: the four such authorities with first-year figures each
    reported 6.8 to 12.0 percentage points fewer re-referrals than in their second year.

    Example:
        >>> f = pl.DataFrame({"la_code": ["942", "942", "942", "831"],
        ...                   "indicator": ["rereferral_pct", "rereferral_pct", "nfa_pct",
        ...                                 "rereferral_pct"], "year": [2024, 2025, 2024, 2024]})
        >>> f.select(first_year_look_back()).to_series().to_list()
        [True, False, False, False]
    """
    first = first_years()
    starts = pl.col("la_code").replace_strict(first, default=None, return_dtype=pl.Int32)
    return pl.col("indicator").is_in(sorted(LOOKS_BACK)) & (pl.col("year") == starts).fill_null(
        False
    )


def with_flags(table: pl.DataFrame, events: pl.DataFrame) -> pl.DataFrame:
    """The ``flags`` list column from every rule (see :data:`FLAG_MEANINGS`)."""
    changed = (
        table.select("la_code", "indicator", "year", "base_year")
        .join(events.rename({"focus": "la_code"}), on="la_code", how="inner")
        .filter(pl.col("event_year") > pl.col("base_year"), pl.col("event_year") <= pl.col("year"))
        .select("la_code", "indicator", "year")
        .unique()
        .with_columns(pl.lit(True).alias("_boundary"))
    )
    table = table.join(changed, on=["la_code", "indicator", "year"], how="left")
    v = pl.col("value")
    zero = zero_unlikely()

    def flag(condition: pl.Expr, name: str) -> pl.Expr:
        return pl.when(condition.fill_null(False)).then(pl.lit(name))

    rules = [
        flag(pl.col("england_comparison_95") == "above", "above_england_95"),
        flag(pl.col("england_comparison_95") == "below", "below_england_95"),
        flag(pl.col("england_comparison_998") == "above", "above_england_998"),
        flag(pl.col("england_comparison_998") == "below", "below_england_998"),
        flag(v > pl.col("funnel95_high"), "funnel_high_95"),
        flag(v < pl.col("funnel95_low"), "funnel_low_95"),
        flag(v > pl.col("funnel998_high"), "funnel_high_998"),
        flag(v < pl.col("funnel998_low"), "funnel_low_998"),
        *(
            flag(pl.col("spc_rule") == r, r)
            for r in ("spc_high", "spc_low", "spc_trend", "spc_near_limit", "spc_run")
        ),
        flag(pl.col("robust_score") > ROBUST_LIMIT, "robust_high"),
        flag(pl.col("robust_score") < -ROBUST_LIMIT, "robust_low"),
        flag(zero, "zero_unlikely"),
        flag(
            (pl.col("numerator") < SMALL_NUMBERS)
            & pl.col("unit").is_in(COUNTED)
            & ~zero.fill_null(False),
            "small_numbers",
        ),
        flag(imprecise(), "imprecise"),
        flag(pl.col("status") != "published", "suppressed"),
        flag(pl.col("_boundary"), "boundary_change"),
        flag(first_year_look_back() & v.is_not_null(), "first_year_look_back"),
        flag(pl.col("published_ok") == False, "published_mismatch"),  # noqa: E712
    ]
    # Joining names into a string and splitting it is many times faster than concat_list here.
    joined = pl.concat_str(rules, separator=",", ignore_nulls=True)
    flags = joined.str.split(",").list.filter(pl.element() != "")
    return table.with_columns(flags.alias("flags")).drop("_boundary")
