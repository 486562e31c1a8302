"""Narrative changes: the year-on-year and long-term change sentences, the authority's beside
its comparators' (like for like where members lack a figure) and England's.

Example:
    >>> printed(21.26, "rereferral_pct")
    21.3
"""

from __future__ import annotations

from cscbench.analyses.narrative_caveats import from_first_year
from cscbench.analyses.wording import (
    PERCENTAGES,
    change_unit,
    names_list,
    number,
    period,
    with_unit,
)
from cscbench.datasets.csvfile import SYMBOLS
from cscbench.datasets.lineage import created_by
from cscbench.datasets.registry import INDICATORS


def printed(value: float, indicator: str) -> float:
    """``value`` as the sentences print it (to the indicator's decimals), as a number.

    Example:
        >>> printed(22.549, "rereferral_pct"), printed(2741.6, "cin_count")
        (22.5, 2742.0)
    """
    return float(number(value, indicator).replace(",", ""))


def _as_printed(new: float, old: float, ind: str, name: str) -> dict:
    """The change a sentence says, worked from the two figures as printed (its fields)."""
    diff = printed(new, ind) - printed(old, ind)
    pct = diff / abs(printed(old, ind)) * 100 if printed(old, ind) else None
    return {f"{name}_as_printed": diff, f"{name}_pct_as_printed": pct}


def _change_phrase(new: float | None, old: float | None, ind: str) -> str | None:
    """'an increase of 54 (17.2%)' / 'a decrease of 1.2 percentage points' / 'no change',
    worked from the two figures as printed, so that it agrees with them: 22.5% to 23.1% is
    0.6 points, whatever the unrounded figures' difference.

    Example:
        >>> _change_phrase(23.149, 22.451, "rereferral_pct")
        'an increase of 0.6 percentage points'
        >>> _change_phrase(1035.2, 880.4, "lait_fosteringfinance")
        'an increase of £155 (17.6%)'
        >>> _change_phrase(7.6, 7.12, "lait_cinfixedexclusion")  # LAIT's 2 decimals
        'an increase of 0.48 percentage points'
        >>> _change_phrase(79.14, 79.06, "rereferral_pct")
        'no change'
    """
    if new is None or old is None:
        return None
    new, old = printed(new, ind), printed(old, ind)
    diff = new - old
    if number(abs(diff), ind) == number(0.0, ind):
        return "no change"
    word = "an increase" if diff > 0 else "a decrease"
    if INDICATORS[ind].unit in PERCENTAGES:
        return f"{word} of {number(abs(diff), ind)} percentage points"  # at its decimals
    # A change in pounds is said in pounds (£155); other units' as plain numbers.
    size = with_unit(abs(diff), ind) if INDICATORS[ind].unit == "pounds" else number(abs(diff), ind)
    if old == 0:
        return f"{word} of {size}"
    pct = abs(diff) / abs(old) * 100
    return f"{word} of {size} ({pct:,.1f}%)"


#: The table's column naming the members without a figure in the year a change is from.
MISSING_THEN = {"change_1y": "group_missing_previous", "change_since_base": "group_missing_base"}
#: The table's column counting the members with a figure in both years of a change.
MATCHED_N = {
    "change_1y": "comparator_matched_n_1y",
    "change_since_base": "comparator_matched_n_base",
}
#: Fewest members with figures in both years for a like-for-like comparator change to be said
#: (as for a rank in the group).
MATCHED_MIN = 3


def _other_authorities(row: dict, change: str) -> str | None:
    """Who had a figure in only one of a change's two years: '(no figure for Hampshire in
    2023-24)'. None when both years' comparator averages are over the same authorities.

    Each year's average is over the members with a figure that year (as in LAIT), so a member
    without one in either year makes the difference of the averages a change of authorities,
    not of figures: Rutland's comparators' average number of referrals 'rose by 114.5%' in
    2024-25 because Hampshire, with 41,142, had none in 2023-24.
    """
    then_year = row["year"] - 1 if change == "change_1y" else row["base_year"]
    then = row.get(MISSING_THEN[change])
    now = row["group_missing"] or []
    if then is None or then_year is None or sorted(then) == sorted(now):
        return None
    ind = row["indicator"]
    gaps = [
        f"{names_list(names)} {period(year, ind)}"
        for names, year in (
            ([n for n in then if n not in now], then_year),
            ([n for n in now if n not in then], row["year"]),
        )
        if names
    ]
    return f"(no figure for {' or '.join(gaps)})"


def _moved(value: float, ind: str) -> str:
    """'rose by 2.2%' / 'fell by 1.0 percentage points' / 'was unchanged'."""
    amount = f"{abs(value):.1f}"
    if amount == "0.0":
        return "was unchanged"
    unit = "%" if change_unit(ind) == "%" else " percentage points"
    return f"{'rose' if value > 0 else 'fell'} by {amount}{unit}"


def _comparator_moved(row: dict, change: str) -> tuple[str, bool] | None:
    """The comparator average's change, like for like where its two years' members differ.

    Where a member had a figure in one year only, the change said is the matched one (engine
    :func:`~cscbench.analyses.engine.matched_changes`): over the members with a figure in
    both years, named as such, with who is left out. With fewer than :data:`MATCHED_MIN` such
    members it is not compared, and why is said. Returns the words and whether they are a
    change (False: not compared).
    """
    ind = row["indicator"]
    percent = change_unit(ind) == "%"
    differ = _other_authorities(row, change)
    if not differ:
        value = row[f"comparator_mean_{change}_pct" if percent else f"comparator_mean_{change}"]
        return None if value is None else (f"the comparator average {_moved(value, ind)}", True)
    value = row.get(
        f"comparator_matched_{change}_pct" if percent else f"comparator_matched_{change}"
    )
    matched = row.get(MATCHED_N[change]) or 0
    if value is None or matched < MATCHED_MIN:
        return (
            "the comparator average is not compared, as it is over different authorities in "
            f"the two years {differ}",
            False,
        )
    return (
        f"the comparator average over the {matched} authorities with figures in both years "
        f"{_moved(value, ind)} {differ}",
        True,
    )


def _others(row: dict, prefix: str, change: str) -> str | None:
    """'Over the same year, the comparator average rose by 2.2% and England rose by 1.5%.'

    Where the two years' averages are over different authorities, the comparator average's
    change is the like-for-like one, or not compared (:func:`_comparator_moved`).
    """
    ind = row["indicator"]
    england = row[f"england_{change}_pct" if change_unit(ind) == "%" else f"england_{change}"]
    said = None if england is None else f"England {_moved(england, ind)}"
    comparator = _comparator_moved(row, change)
    if comparator is not None and not comparator[1]:  # not compared: said after England
        return f"{prefix}, {'; '.join(p for p in (said, comparator[0]) if p)}."
    parts = [p for p in (comparator and comparator[0], said) if p]
    return f"{prefix}, {' and '.join(parts)}." if parts else None


def _fields_used(row: dict, change: str, own: list[str]) -> dict:
    """The fields a change sentence used: ``own``, England's change, and the comparator
    average's change: LAIT's where both years average the same authorities, else the matched
    one with who had no figure."""
    keys = [*own, f"england_{change}", f"england_{change}_pct"]
    if _other_authorities(row, change):
        keys += ["group_missing", MISSING_THEN[change], MATCHED_N[change]]
        keys += [f"comparator_matched_{change}", f"comparator_matched_{change}_pct"]
    else:
        keys += [f"comparator_mean_{change}", f"comparator_mean_{change}_pct"]
    return {k: row.get(k) for k in keys}


def change_sentence(row: dict) -> tuple[str, dict] | None:
    ind = row["indicator"]
    phrase = _change_phrase(row["value"], row["previous_value"], ind)
    status = row.get("previous_status")
    if phrase is None and status not in (None, "published"):
        return (
            f"There is no change from {period(row['year'] - 1, ind).removeprefix('in ')} to "
            f"give: DfE did not publish {row['area_name']}'s figure then "
            f"({SYMBOLS.get(status, 'withheld')}).",
            {"previous_status": status},
        )
    if phrase is None:
        return None
    then = period(row["year"] - 1, ind)
    if phrase == "no change":
        sentence = f"This is unchanged at {with_unit(row['value'], ind)}, as {then}."
    else:
        sentence = f"This is {phrase} from {with_unit(row['previous_value'], ind)} {then}."
    others = _others(row, "Over the same year", "change_1y")
    fields = _fields_used(
        row, "change_1y", ["value", "previous_value", "change_1y", "change_1y_pct"]
    ) | _as_printed(row["value"], row["previous_value"], ind, "change_1y")
    said = (f"{sentence} {others}" if others else sentence) + from_first_year(row, row["year"] - 1)
    return said, fields


def long_term_sentence(row: dict) -> tuple[str, dict] | None:
    ind = row["indicator"]
    base = row["base_year"]
    created = created_by(row["la_code"])
    first = created is not None and base in (None, created.year)  # figures start when made
    if base is None or base >= row["year"] - 1:
        return None  # a new authority's lack of a longer term is a note on the data, said once
    phrase = _change_phrase(row["value"], row["base_value"], ind)
    if phrase is None:
        return None
    since = period(base, ind).removeprefix("in ").removeprefix("at ")
    since += ", its first year of figures," if first else ","
    sentence = (
        f"Over the longer term, {row['area_name']} has seen {phrase} since {since} from "
        f"{with_unit(row['base_value'], ind)}."
    )
    others = _others(row, "Over the same period", "change_since_base")
    own = ["value", "base_year", "base_value", "change_since_base", "change_since_base_pct"]
    fields = _fields_used(row, "change_since_base", own) | _as_printed(
        row["value"], row["base_value"], ind, "change_since_base"
    )
    said = (f"{sentence} {others}" if others else sentence) + from_first_year(row, base)
    return said, fields
