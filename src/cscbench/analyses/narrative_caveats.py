"""Narrative caveats: the sentences that qualify a figure (a doubtful comparator average, a 0
England's rate makes unlikely, a new authority's first year, small numbers, a wide interval,
a published figure its counts do not give, special-cause variation, a withheld figure).

Example:
    >>> row = {"la_code": "942", "area_name": "Cumberland"}
    >>> first_year_words(row, 2024).split(", when")[0]
    "2023-24 was Cumberland's first year of figures"
"""

from __future__ import annotations

from cscbench.analyses.group_stats import DOUBTFUL_LEFT_OUT
from cscbench.analyses.wording import (
    interval_words,
    measure_name,
    names_list,
    number,
    period,
    with_unit,
    year_label,
)
from cscbench.datasets.csvfile import SYMBOLS
from cscbench.datasets.lineage import created_by, first_years
from cscbench.datasets.registry import INDICATORS


def doubtful_average(row: dict) -> tuple[str, dict] | None:
    """The comparator average's doubtful zeros (members flagged ``zero_unlikely``), said
    straight after the average: LAIT's mean counts them, so the mean without them is given;
    with ``exclude_doubtful`` the average already leaves them out, and says so."""
    names = row.get("group_doubtful") or []
    if not names or row["comparator_mean"] is None:
        return None
    ind = row["indicator"]
    zeros = f"{names[0]}'s 0" if len(names) == 1 else f"the 0s of {names_list(names)}"
    fields = {
        "group_doubtful": names,
        "comparator_mean": row["comparator_mean"],
        "comparator_mean_without_doubtful": row["comparator_mean_without_doubtful"],
    }
    why = "which England's rate makes very unlikely (more likely how cases were recorded)"
    if DOUBTFUL_LEFT_OUT in (row.get("group") or ""):
        return (f"The comparator average leaves out {zeros}, {why}.", fields)
    without = row["comparator_mean_without_doubtful"]
    if without is None:
        return (f"The comparator average is of {zeros} alone, {why}.", fields)
    return (
        f"The comparator average counts {zeros}, {why}; without "
        f"{'it' if len(names) == 1 else 'them'} it is {with_unit(without, ind)}.",
        fields,
    )


def suspect_zero(row: dict) -> tuple[str, dict] | None:
    """The caveat on a 0 that England's rate makes very unlikely (flag ``zero_unlikely``)."""
    if "zero_unlikely" not in (row["flags"] or []):
        return None
    ind = row["indicator"]
    expected = row["denominator"] * row["england"] / INDICATORS[ind].multiplier
    return (
        f"{row['area_name']}'s figure is 0 out of {number(row['denominator'], 'cin_count')}, "
        f"where England's ({with_unit(row['england'], ind)}) would give about "
        f"{number(expected, 'cin_count')}: a true 0 is very unlikely, so this most likely "
        "reflects how cases were recorded or returned to DfE rather than practice; check it "
        "with the authority before comparing.",
        {
            "numerator": row["numerator"],
            "denominator": row["denominator"],
            "england": row["england"],
            "expected_at_england": expected,
        },
    )


def first_year_doubt(row: dict) -> tuple[str, dict] | None:
    """The caveat on a new authority's first year of re-referrals (flag
    ``first_year_look_back``): said straight after the figure, which may be too low."""
    if "first_year_look_back" not in (row["flags"] or []):
        return None
    return (
        f"{first_year_words(row, row['year'])}, so this figure "
        "may be too low; treat it, and comparisons with it, with caution.",
        {"flags": ["first_year_look_back"], "first_year": row["year"]},
    )


def first_year_words(row: dict, year: int) -> str:
    """Why a new authority's first year of a look-back measure (re-referrals) may be too low,
    as a clause: ``row`` gives ``la_code`` and ``area_name``; ``year`` is the first year.

    Example:
        >>> print(first_year_words({"la_code": "942", "area_name": "Cumberland"}, 2024))
        ... # doctest: +NORMALIZE_WHITESPACE
        2023-24 was Cumberland's first year of figures, when referrals to the council it
        replaced may not have counted as earlier referrals
    """
    made = created_by(row["la_code"])  # always one: only a made authority has a first year
    replaced = "council it" if len(made.before) == 1 else "councils it"
    return (
        f"{year_label(year)} was {row['area_name']}'s first year of figures, when referrals to "
        f"the {replaced} replaced may not have counted as earlier referrals"
    )


def from_first_year(row: dict, then: int | None) -> str:
    """' 2023-24 was ...; treat this change with caution.' where a change of a measure that
    looks back (re-referrals) is from a new authority's first year (engine
    :func:`~cscbench.analyses.engine.first_year_look_back`), else ''."""
    ind = row["indicator"]
    if not INDICATORS[ind].looks_back or then is None or first_years().get(row["la_code"]) != then:
        return ""
    return f" {first_year_words(row, then)}; treat this change with caution."


def caveats(row: dict) -> list[tuple[str, dict]]:
    ind, la, flags = row["indicator"], row["area_name"], row["flags"] or []
    out = []
    if "small_numbers" in flags:
        out.append(
            (
                f"This figure rests on fewer than 10 children or events "
                f"({number(row['numerator'], 'cin_count')}), so it can move a long way from "
                "one year to the next; treat comparisons with caution.",
                {"numerator": row["numerator"]},
            )
        )
    if "imprecise" in flags:
        out.append(
            (
                f"This figure rests on {number(row['numerator'], 'cin_count')} children or "
                f"events, so its 95% interval is wide "
                f"({interval_words(row['ci95_low'], row['ci95_high'], ind)}).",
                {
                    "numerator": row["numerator"],
                    "ci95_low": row["ci95_low"],
                    "ci95_high": row["ci95_high"],
                },
            )
        )
    if "published_mismatch" in flags:
        out.append(
            (
                f"DfE published {with_unit(row['published_value'], ind)}, which its own "
                f"counts do not give ({with_unit(row['value'], ind)}).",
                {"published_value": row["published_value"], "value": row["value"]},
            )
        )
    special = {"spc_high": "higher", "spc_low": "lower"}
    for flag, word in special.items():
        if flag in flags:
            out.append(
                (
                    f"{year_label(row['year'])} is {word} than the range of {la}'s own "
                    "series would lead us to expect (special-cause variation).",
                    {"spc_rule": flag},
                )
            )
    return out


def withheld(row: dict) -> tuple[str, dict]:
    meaning = SYMBOLS.get(row["status"], "withheld")
    when = period(row["year"], row["indicator"])
    return (
        f"DfE did not publish {row['area_name']}'s {measure_name(row['indicator'])} {when} "
        f"({meaning}).",
        {"status": row["status"]},
    )
