"""This year's indicators from the authority's own census return, as DfE defines them.

:func:`local_indicators` computes, from a :class:`~cscbench.datasets.census.CensusReturn`
(and optionally earlier returns, for look-back), the figures DfE will later publish, labelled
``local, provisional``. The collection year runs from 1 April to the return's reference date
(31 March). Definitions follow DfE's "Characteristics of children in need" methodology; where
it leaves a choice, cscbench's is stated and can be changed:

- ``referral_count``: referrals (CIN episodes) starting in the year. *Choice*: two referrals of
  the same child on the same day are one referral.
- ``rereferral_pct``: referrals in the year within 12 months of a previous referral of the same
  child (in this return or an earlier one given), over referrals in the year. *Choice*: "within
  12 months" is 12 calendar months (a previous referral on or after the same date a year
  before; 29 February counts from 28 February), ``window="365 days"`` for 365 days instead;
  a same-day duplicate is not a re-referral.
- ``nfa_pct``: referrals in the year with ``ReferralNFA`` true, over referrals in the year whose
  ``ReferralNFA`` is recorded (a missing flag is a validation problem, left out of both).
- ``cin_count`` at 31 March: children with an episode open at the reference date (no closure
  date). *Choice*: an open episode from a referral with no further action is not counted.
- ``cp_count`` at 31 March: children with a plan open at the reference date.
- ``cp_start_count``: plans starting in the year (a child with two plans counts twice).
- ``cp_subsequent_pct``: plans starting in the year for a child with ``NumberOfPreviousCPP`` of
  1 or more, over those with it recorded; ``cp_subsequent_history_pct``: the same from the
  child's earlier plans in this and the earlier returns. Both are given; ``flags`` says when
  the history finds earlier plans that ``NumberOfPreviousCPP`` does not (or the reverse).
- ``cp_2yrs_pct`` at 31 March: plans open at the reference date that have lasted more than 729
  days (730 days or more); ``cp_ended_2yrs_pct``: plans ending in the year that lasted 730
  days or more, over plans ending in the year.
- rates per 10,000 children (``referral_rate``, ``cin_rate``, ``cp_rate``, ``cp_start_rate``)
  on the population given, or the ONS estimate the shipped data uses for the year (the latest
  there is if the year is newer, said in ``note``).

Episodes and plans that failed validation (``valid`` false) are left out, and counted in
``left_out``.

Example:
    >>> import os, tempfile
    >>> from cscbench.datasets.census import read_return
    >>> from cscbench.datasets.synthetic_census import write_return
    >>> path = os.path.join(tempfile.mkdtemp(), "cin.xml")
    >>> _ = write_return(path, "831", 2025, seed=1)
    >>> table = local_indicators(read_return(path))
    >>> table.filter(pl.col("indicator") == "referral_count")["figures"].item()
    'local, provisional'
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import polars as pl

from cscbench.analyses.table import FIGURE_COLUMNS, panel
from cscbench.analyses.wording import year_label
from cscbench.datasets.census import CensusReturn
from cscbench.datasets.store import Source
from cscbench.errors import UsageError

LOCAL = "local, provisional"
WINDOWS = ("12 months", "365 days")
TWO_YEARS = 730  # days: "more than 729 days"


def read_returns(
    path: str | Path, previous: Sequence[str | Path] = ()
) -> tuple[CensusReturn, list[CensusReturn]]:
    """Read a return and its earlier returns; an earlier one must be for the same authority
    and an earlier year."""
    from cscbench.datasets.census import read_return

    census = read_return(path)
    earlier = [read_return(p) for p in previous]
    for other in earlier:
        if other.la_code != census.la_code:
            raise UsageError(
                f"{Path(other.file).name} is for LA {other.la_code}, "
                f"{Path(census.file).name} for {census.la_code}"
            )
        if other.year >= census.year:
            raise UsageError(f"{Path(other.file).name} is not an earlier year's return")
    return census, earlier


def _window_start(window: str) -> pl.Expr:
    if window == "12 months":
        return pl.col("referral_date").dt.offset_by("-1y")  # 29 February -> 28 February
    return pl.col("referral_date") - pl.duration(days=365)


def referrals(census: CensusReturn, earlier: Sequence[CensusReturn] = ()) -> pl.DataFrame:
    """Every valid referral of the return and the earlier ones, one row per child and date."""
    frames = [r.episodes for r in (census, *earlier) if r.la_code == census.la_code]
    return (
        pl.concat(frames)
        .filter(pl.col("valid"))
        .group_by("child_id", "referral_date")
        .agg(pl.col("nfa").max())
        .sort("child_id", "referral_date")
    )


def rereferrals(
    census: CensusReturn, earlier: Sequence[CensusReturn] = (), window: str = "12 months"
) -> pl.DataFrame:
    """The year's referrals with ``rereferral``: a previous referral of the child within the
    window (see the module's definitions).

    Example:
        >>> import datetime as dt
        >>> from cscbench.datasets.census import CensusReturn, SCHEMAS
        >>> d = dt.date
        >>> eps = pl.DataFrame({"child_id": ["a", "a", "a"], "episode": [1, 2, 3],
        ...     "referral_date": [d(2023, 6, 1), d(2024, 6, 1), d(2024, 6, 1)],
        ...     "referral_source": None, "primary_need": None, "closure_date": None,
        ...     "closure_reason": None, "nfa": False, "valid": True},
        ...     schema=SCHEMAS["episodes"])
        >>> empty = {k: pl.DataFrame(schema=v) for k, v in SCHEMAS.items() if k != "episodes"}
        >>> r = CensusReturn("x", "831", 2025, d(2025, 3, 31), episodes=eps, **empty)
        >>> rereferrals(r)["rereferral"].to_list()  # 1 June 2023 is within 12 months
        [True]
        >>> rereferrals(r, window="365 days")["rereferral"].to_list()  # 366 days (leap year)
        [False]
    """
    if window not in WINDOWS:
        raise UsageError(f"window must be one of {', '.join(WINDOWS)}")
    every = referrals(census, earlier).with_columns(
        pl.col("referral_date").shift(1).over("child_id").alias("previous")
    )
    in_year = every.filter(
        pl.col("referral_date").is_between(census.year_start, census.reference_date)
    )
    return in_year.with_columns(
        (pl.col("previous").is_not_null() & (pl.col("previous") >= _window_start(window)))
        .fill_null(False)
        .alias("rereferral")
    )


def _plans(census: CensusReturn, earlier: Sequence[CensusReturn] = ()) -> pl.DataFrame:
    frames = [r.plans for r in (census, *earlier) if r.la_code == census.la_code]
    return (
        pl.concat(frames)
        .filter(pl.col("valid"))
        .sort("end_date", nulls_last=True)
        .unique(["child_id", "start_date"], keep="first", maintain_order=True)
        .sort("child_id", "start_date")
    )


def plans_starting(census: CensusReturn, earlier: Sequence[CensusReturn] = ()) -> pl.DataFrame:
    """The year's new plans with ``recorded_subsequent`` (NumberOfPreviousCPP >= 1) and
    ``history_subsequent`` (an earlier plan of the child in the returns given)."""
    every = _plans(census, earlier).with_columns(
        (pl.int_range(pl.len()).over("child_id") > 0).alias("history_subsequent")
    )
    year_plans = census.plans.filter(
        pl.col("valid"),
        pl.col("start_date").is_between(census.year_start, census.reference_date),
    ).select("child_id", "start_date", "initial_category", "previous_plans")
    return year_plans.join(
        every.select("child_id", "start_date", "history_subsequent"),
        on=["child_id", "start_date"],
        how="left",
    ).with_columns((pl.col("previous_plans") >= 1).alias("recorded_subsequent"))


def population(la_code: str, year: int, source: Source = None) -> tuple[float, int]:
    """The ONS child population the shipped data uses for ``year`` (or the latest year it has):
    (population, the year it is for)."""
    from cscbench.datasets import load_indicators

    rows = load_indicators(["cin_rate"], areas=[la_code], source=source).filter(
        pl.col("denominator").is_not_null(), pl.col("year") <= year
    )
    if rows.is_empty():
        raise UsageError(f"no population for {la_code}: give one with population=")
    latest = rows.sort("year").row(-1, named=True)
    return float(latest["denominator"]), int(latest["year"])


def checked_population(value: object) -> float:
    """A child population given by the user: a finite number above 0 and at most England's
    (12.2 million children aged 0-17 in mid-2024; 100 million is allowed), else one line.

    Example:
        >>> checked_population(62113)
        62113.0
        >>> checked_population(float("nan"))
        Traceback (most recent call last):
        ...
        cscbench.errors.UsageError: --population nan: give the number of children aged 0-17, above 0
    """
    import math

    from cscbench.datasets.checks import MAX_COUNT

    number = value if isinstance(value, int | float) and not isinstance(value, bool) else None
    if number is None or not math.isfinite(number) or not 0 < number <= MAX_COUNT:
        raise UsageError(f"--population {value}: give the number of children aged 0-17, above 0")
    return float(number)


def _row(indicator, numerator, denominator, multiplier, note=None, flags=()) -> dict:
    if numerator is None or (multiplier is not None and not denominator):
        value = None
    elif multiplier is None:  # a count
        value = float(numerator)
    else:
        value = numerator / denominator * multiplier
    return {
        "indicator": indicator,
        "numerator": None if numerator is None else float(numerator),
        "denominator": None if denominator is None else float(denominator),
        "value": value,
        "note": note,
        "flags": list(flags),
    }


def local_indicators(
    census: CensusReturn,
    earlier: Sequence[CensusReturn] = (),
    population_: float | None = None,
    window: str = "12 months",
    source: Source = None,
) -> pl.DataFrame:
    """The year's indicators from the return (see the module's definitions).

    Returns ``indicator``, ``year``, ``la_code``, ``numerator``, ``denominator``, ``value``,
    ``figures`` ("local, provisional"), ``note``, ``flags`` and ``left_out`` (records that
    failed validation and were not counted).
    """
    ref, year = census.reference_date, census.year
    if population_ is not None:
        population_ = checked_population(population_)
    if population_ is None:
        population_, pop_year = population(census.la_code, year, source)
        pop_note = (
            None
            if pop_year == year
            else f"rate on the {pop_year} population (the latest in the data)"
        )
    else:
        pop_note = "rate on the population given"
    refs = rereferrals(census, earlier, window)
    n_ref = refs.height
    recorded_nfa = refs.filter(pl.col("nfa").is_not_null())
    episodes = census.episodes.filter(pl.col("valid"))
    open_cin = episodes.filter(
        pl.col("referral_date") <= ref,
        pl.col("closure_date").is_null() | (pl.col("closure_date") > ref),
        ~pl.col("nfa").fill_null(False),
    )["child_id"].n_unique()
    plans = census.plans.filter(pl.col("valid"), pl.col("start_date") <= ref)
    open_plans = plans.filter(pl.col("end_date").is_null() | (pl.col("end_date") > ref))
    open_cp = open_plans["child_id"].n_unique()
    long_open = open_plans.filter(
        (pl.lit(ref) - pl.col("start_date")).dt.total_days() >= TWO_YEARS
    ).height
    ended = plans.filter(pl.col("end_date").is_between(census.year_start, ref))
    long_ended = ended.filter(
        (pl.col("end_date") - pl.col("start_date")).dt.total_days() >= TWO_YEARS
    ).height
    starting = plans_starting(census, earlier)
    recorded = starting.filter(pl.col("recorded_subsequent").is_not_null())
    n_rec = int(recorded["recorded_subsequent"].sum())
    n_hist = int(starting["history_subsequent"].fill_null(False).sum())
    disagree = starting.filter(
        pl.col("recorded_subsequent").is_not_null()
        & (pl.col("recorded_subsequent") != pl.col("history_subsequent").fill_null(False))
    ).height
    history_flags = ["disagrees_with_history"] if earlier and disagree else []
    history_note = (
        f"{disagree} plans where NumberOfPreviousCPP and the history disagree"
        if earlier
        else "no earlier returns given: history covers this year only"
    )
    rows = [
        _row("referral_count", n_ref, None, None),
        _row("referral_rate", n_ref, population_, 10_000, pop_note),
        _row("rereferral_pct", int(refs["rereferral"].sum()), n_ref, 100,
             f"previous referral within {window}"
             + ("" if earlier else "; no earlier returns given, so April-March only")),
        _row("nfa_pct", int(recorded_nfa["nfa"].sum()), recorded_nfa.height, 100),
        _row("cin_count", open_cin, None, None),
        _row("cin_rate", open_cin, population_, 10_000, pop_note),
        _row("cp_count", open_cp, None, None),
        _row("cp_rate", open_cp, population_, 10_000, pop_note),
        _row("cp_start_count", starting.height, None, None),
        _row("cp_start_rate", starting.height, population_, 10_000, pop_note),
        _row("cp_subsequent_pct", n_rec, recorded.height, 100,
             "from NumberOfPreviousCPP", history_flags),
        _row("cp_subsequent_history_pct", n_hist, starting.height, 100, history_note,
             history_flags),
        _row("cp_2yrs_pct", long_open, open_plans.height, 100, "open at 31 March, 730+ days"),
        _row("cp_ended_2yrs_pct", long_ended, ended.height, 100, "ended in the year, 730+ days"),
    ]  # fmt: skip
    left = {
        "episodes": census.episodes.filter(~pl.col("valid")).height,
        "plans": census.plans.filter(~pl.col("valid")).height,
    }
    return (
        pl.DataFrame(
            rows,
            schema={
                "indicator": pl.String,
                "numerator": pl.Float64,
                "denominator": pl.Float64,
                "value": pl.Float64,
                "note": pl.String,
                "flags": pl.List(pl.String),
            },
        )
        .with_columns(
            pl.lit(year, pl.Int32).alias("year"),
            pl.lit(census.la_code).alias("la_code"),
            pl.lit(LOCAL).alias("figures"),
            pl.lit(left["episodes"] + left["plans"], pl.Int64).alias("left_out"),
        )
        .select(
            "indicator",
            "year",
            "la_code",
            "numerator",
            "denominator",
            "value",
            "figures",
            "note",
            "flags",
            "left_out",
        )
    )


def abuse_categories(census: CensusReturn) -> pl.DataFrame:
    """Plans starting in the year by initial category of abuse: ``category``, ``plans``, ``pct``.

    Example:
        >>> import os, tempfile
        >>> from cscbench.datasets.census import read_return
        >>> from cscbench.datasets.synthetic_census import write_return
        >>> path = os.path.join(tempfile.mkdtemp(), "cin.xml")
        >>> _ = write_return(path, "831", 2025, seed=1)
        >>> abuse_categories(read_return(path))["category"][0]
        'NEG'
    """
    starting = plans_starting(census)
    total = starting.height
    return (
        starting.group_by(pl.col("initial_category").fill_null("not recorded").alias("category"))
        .agg(pl.len().cast(pl.Int64).alias("plans"))
        .with_columns((pl.col("plans") / total * 100).alias("pct"))
        .sort("plans", "category", descending=[True, False])
    )


#: Columns of :func:`local_benchmark`, in order.
LOCAL_COLUMNS = [
    "indicator",
    "year",
    "figures",
    "la_code",
    "area_name",
    *FIGURE_COLUMNS,
    "group",
    "compared_year",
    "compared_value",
    "comparator_mean",
    "comparator_median",
    "comparator_min",
    "comparator_max",
    "rank",
    "rank_of",
    "region",
    "england",
    "previous_value",
    "change_1y",
    "england_comparison_95",
    "note",
    "flags",
]


def _comparison(value: float, low: float | None, high: float | None, england: float | None):
    if None in (value, low, high, england):
        return None
    if low <= england <= high:
        return "similar"
    return "above" if value > england else "below"


def local_benchmark(
    la: str,
    census: CensusReturn,
    earlier: Sequence[CensusReturn] = (),
    group: str = "sn2025",
    include_self: bool = False,
    population_: float | None = None,
    source: Source = None,
    indicators: str | Sequence[str] | None = None,
) -> pl.DataFrame:
    """The return's year beside the latest published year of the authority, the group and
    England (``indicators``: those only; default every indicator the return gives).

    One row per DfE indicator the return gives (columns :data:`LOCAL_COLUMNS`): the local
    value with its intervals (Wilson, exact Poisson or Byar's, as every published figure),
    ``figures`` "local, provisional"; ``compared_year``, the authority's own figure then
    (``compared_value``) and the comparator statistics, region and England of that year;
    ``rank`` where the local value would sit among the group's latest published values
    (itself included, 1 = highest); ``previous_value`` the authority's published figure for
    the year before the return's, where there is one.

    Example:
        >>> import os, tempfile
        >>> from cscbench.datasets.census import read_return
        >>> from cscbench.datasets.synthetic_census import write_return
        >>> path = os.path.join(tempfile.mkdtemp(), "cin.xml")
        >>> _ = write_return(path, "831", 2026, seed=1)
        >>> rows = local_benchmark("Derby", read_return(path))
        >>> rows.filter(pl.col("indicator") == "cp_rate")["compared_year"].item()
        2025

    A return for a year DfE has published is refused: the published figures are the ones to
    use (a return's figures for it are DfE's before validation).
    """
    from cscbench.analyses.authority import benchmark
    from cscbench.analyses.panel_stats import with_intervals
    from cscbench.datasets import find_area
    from cscbench.datasets import group as group_of
    from cscbench.datasets.registry import INDICATORS, indicator_ids

    focus = find_area(la, source)
    if focus["la_code"] != census.la_code:
        name = Path(census.file).name
        raise UsageError(
            f"{name} is a return for LA {census.la_code}, "
            f"not {focus['area_name']} ({focus['la_code']})"
        )
    asked = indicator_ids(indicators) or list(INDICATORS)
    published = benchmark(
        focus["la_code"], group=group, include_self=include_self, indicators=asked, source=source
    )
    latest = int(published["year"][0])
    if census.year <= latest:
        raise UsageError(
            f"{Path(census.file).name} is the return for {year_label(census.year)}, which DfE "
            f"has published (the latest year published is {year_label(latest)}): use DfE's "
            "figures for it; --local is for a year DfE has not published yet"
        )
    local = local_indicators(census, earlier, population_, source=source).filter(
        pl.col("indicator").is_in(asked)
    )
    by_indicator = {r["indicator"]: r for r in published.iter_rows(named=True)}
    chosen = group_of(focus["la_code"], group, source=source)
    members = panel(None, source, list(chosen.members)).filter(pl.col("year") == latest)
    mine = panel(None, source, [focus["la_code"]]).filter(pl.col("year") == census.year - 1)
    before = dict(mine.select("indicator", "value").rows())
    local = with_intervals(local.with_columns(pl.lit("published").alias("status")))
    rows = []
    for r in local.iter_rows(named=True):
        ind = r["indicator"]
        pub = by_indicator.get(ind, {})
        others = members.filter(pl.col("indicator") == ind)["value"].drop_nulls().to_list()
        rank = 1 + sum(v > r["value"] for v in others) if r["value"] is not None else None
        previous = before.get(ind)
        rows.append(
            {
                **{k: r[k] for k in ("indicator", "year", "figures", "la_code", "unit")},
                "area_name": focus["area_name"],
                "polarity": INDICATORS[ind].polarity,
                **{k: r[k] for k in ("value", "numerator", "denominator")},
                **{k: r[k] for k in ("ci95_low", "ci95_high", "ci998_low", "ci998_high")},
                "status": LOCAL,
                "group": pub.get("group"),
                "compared_year": latest,
                "compared_value": pub.get("value"),
                **{
                    k: pub.get(k)
                    for k in (
                        "comparator_mean",
                        "comparator_median",
                        "comparator_min",
                        "comparator_max",
                        "region",
                        "england",
                    )
                },
                "rank": rank,
                "rank_of": len(others) + 1 if rank is not None else None,
                "previous_value": previous,
                "change_1y": None if previous is None else r["value"] - previous,
                "england_comparison_95": _comparison(
                    r["value"], r["ci95_low"], r["ci95_high"], pub.get("england")
                ),
                "note": r["note"],
                "flags": ["local_provisional", *r["flags"]],
            }
        )
    return pl.DataFrame(rows, infer_schema_length=None).select(LOCAL_COLUMNS)
