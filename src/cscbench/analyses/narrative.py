"""Narrative: sentences in the register of annual reports' data sections, from the engine.

For each indicator of a benchmark table, :func:`narrative` writes up to five sentences, each
with the fields it used:

- ``level``: the value against the comparator average and England, worded from the
  intervals (:func:`~cscbench.analyses.wording.compared_with`): "in line with", "above",
  "well above";
- ``rank``: the place in the comparator group: "the fourth lowest", "in the middle (6th of 11)";
- ``change``: the change from the previous year, with the comparators' and England's;
- ``long_term``: the change since the base year, for the authority, comparators and England;
- ``caveat``: one sentence per flag that asks for one (small numbers, a reorganisation, a
  withheld figure, a published figure that disagrees with its counts, a special-cause year).

Every number is one of the row's fields, rounded as the unit is displayed everywhere else.

Example:
    >>> from cscbench.analyses import benchmark
    >>> rows = benchmark("Derby", year=2017, group="sn2021", include_self=True,
    ...                  indicators=["rereferral_pct"])
    >>> print(narrative(rows)["sentence"][0])  # doctest: +NORMALIZE_WHITESPACE
    In 2016-17, 21.3% of referrals in Derby were re-referrals within 12 months,
    below the comparator average (22.7%) and in line with England (21.9%).
"""

from __future__ import annotations

import json

import polars as pl

from cscbench.analyses.wording import (
    change_unit,
    compared_with,
    number,
    period,
    rank_words,
    with_unit,
    year_label,
)
from cscbench.datasets.csvfile import SYMBOLS
from cscbench.datasets.registry import INDICATORS

#: How the level sentence opens for each indicator; {v} is the value, {la} the authority.
LEVEL = {
    "rereferral_pct": "{when}, {v} of referrals in {la} were re-referrals within 12 months",
    "nfa_pct": "{when}, {v} of referrals in {la} resulted in no further action",
    "cp_subsequent_pct": "{when}, {v} of child protection plans starting in {la} were a "
    "second or subsequent plan",
    "cp_2yrs_pct": "{when}, {v} of child protection plans in {la} had lasted 2 years or more",
}


def _level(row: dict) -> tuple[str, dict]:
    ind, la = row["indicator"], row["area_name"]
    when = period(row["year"], ind)
    v = with_unit(row["value"], ind)
    if ind in LEVEL:
        opening = LEVEL[ind].format(when=when[0].upper() + when[1:], v=v, la=la)
    elif INDICATORS[ind].unit == "count":
        opening = f"{la} had {v} {INDICATORS[ind].short} {when}"
    else:
        opening = f"{la}'s {INDICATORS[ind].short} was {v} {when}"
    bounds = (row["ci95_low"], row["ci95_high"], row["ci998_low"], row["ci998_high"])
    to_group = compared_with(row["value"], row["comparator_mean"], *bounds)
    to_england = compared_with(row["value"], row["england"], *bounds)
    group_text = f"the comparator average ({with_unit(row['comparator_mean'], ind)})"
    england_text = f"England ({with_unit(row['england'], ind)})"
    fields = {
        "value": row["value"],
        "comparator_mean": row["comparator_mean"],
        "england": row["england"],
    }
    if to_group is None or to_england is None or row["comparator_mean"] is None:
        parts = []
        if row["comparator_mean"] is not None:
            parts.append(
                f"an average of {with_unit(row['comparator_mean'], ind)} across its comparators"
            )
        if row["england"] is not None and INDICATORS[ind].unit != "count":
            parts.append(england_text)
        tail = f", compared with {' and '.join(parts)}" if parts else ""
        return f"{opening}{tail}.", fields
    fields |= {"comparison_comparators": to_group, "comparison_england": to_england}
    if to_group == to_england:
        return f"{opening}, {to_group} both {group_text} and {england_text}.", fields
    return f"{opening}, {to_group} {group_text} and {to_england} {england_text}.", fields


def _rank(row: dict) -> tuple[str, dict] | None:
    if row["rank"] is None or (row["rank_of"] or 0) < 3:
        return None
    words = rank_words(row["rank"], row["rank_of"])
    ind = INDICATORS[row["indicator"]]
    measure = {"count": f"number of {ind.short}", "percent": f"percentage of {ind.short}"}.get(
        ind.unit, ind.short
    )
    fields = {"rank": row["rank"], "rank_of": row["rank_of"]}
    if words.startswith("in the middle"):
        return f"{row['area_name']} sits {words} of its comparator group for {measure}.", fields
    return (
        f"{row['area_name']} has {words} {measure} of the {row['rank_of']} authorities in "
        "its comparator group, itself included.",
        fields,
    )


def _change_phrase(new: float | None, old: float | None, ind: str) -> str | None:
    """'an increase of 54 (17.2%)' / 'a decrease of 1.2 percentage points' / 'no change'."""
    if new is None or old is None:
        return None
    diff = new - old
    if number(abs(diff), ind) == number(0.0, ind):
        return "no change"
    word = "an increase" if diff > 0 else "a decrease"
    if INDICATORS[ind].unit == "percent":
        return f"{word} of {abs(diff):.1f} percentage points"
    if old == 0:
        return f"{word} of {number(abs(diff), ind)}"
    pct = abs(diff) / abs(old) * 100
    return f"{word} of {number(abs(diff), ind)} ({pct:.1f}%)"


def _others(row: dict, prefix: str, change: str) -> str | None:
    """'Over the same year, the comparator average rose by 2.2% and England rose by 1.5%.'"""
    ind = row["indicator"]
    parts = []
    for who, key in (("the comparator average", "comparator_mean_"), ("England", "england_")):
        value = row[f"{key}{change}_pct"] if change_unit(ind) == "%" else row[f"{key}{change}"]
        if value is None:
            continue
        if change_unit(ind) == "%":
            amount = f"{abs(value):.1f}%"
        else:
            amount = f"{abs(value):.1f} percentage points"
        verb = "rose" if value > 0 else "fell"
        if f"{abs(value):.1f}" == "0.0":
            parts.append(f"{who} was unchanged")
        else:
            parts.append(f"{who} {verb} by {amount}")
    if not parts:
        return None
    return f"{prefix}, {' and '.join(parts)}."


def _change(row: dict) -> tuple[str, dict] | None:
    ind = row["indicator"]
    phrase = _change_phrase(row["value"], row["previous_value"], ind)
    if phrase is None:
        return None
    before = f"from {with_unit(row['previous_value'], ind)} {period(row['year'] - 1, ind)}"
    sentence = (
        f"This is {phrase} {before}." if phrase != "no change" else (f"This is no change {before}.")
    )
    others = _others(row, "Over the same year", "change_1y")
    fields = {
        k: row[k]
        for k in (
            "value",
            "previous_value",
            "change_1y",
            "change_1y_pct",
            "comparator_mean_change_1y",
            "comparator_mean_change_1y_pct",
            "england_change_1y",
            "england_change_1y_pct",
        )
    }
    return (f"{sentence} {others}" if others else sentence), fields


def _long_term(row: dict) -> tuple[str, dict] | None:
    ind = row["indicator"]
    base = row["base_year"]
    if base is None or base >= row["year"] - 1:
        return None
    phrase = _change_phrase(row["value"], row["base_value"], ind)
    if phrase is None:
        return None
    since = period(base, ind)
    sentence = (
        f"Over the longer term, {row['area_name']} has seen {phrase} since "
        f"{since.removeprefix('in ').removeprefix('at ')}, from "
        f"{with_unit(row['base_value'], ind)}."
    )
    others = _others(row, "Over the same period", "change_since_base")
    fields = {
        k: row[k]
        for k in (
            "value",
            "base_year",
            "base_value",
            "change_since_base",
            "change_since_base_pct",
            "comparator_mean_change_since_base",
            "comparator_mean_change_since_base_pct",
            "england_change_since_base",
            "england_change_since_base_pct",
        )
    }
    return (f"{sentence} {others}" if others else sentence), fields


def _caveats(row: dict) -> list[tuple[str, dict]]:
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
    if "boundary_change" in flags:
        out.append(
            (
                "The years compared span a local government reorganisation affecting "
                f"{la} or its comparators, so earlier figures are not for exactly the same "
                "areas.",
                {"flags": ["boundary_change"]},
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


def _withheld(row: dict) -> tuple[str, dict]:
    ind = INDICATORS[row["indicator"]]
    meaning = SYMBOLS.get(row["status"], "withheld")
    when = period(row["year"], row["indicator"])
    return (
        f"DfE did not publish {ind.short} for {row['area_name']} {when} ({meaning}).",
        {"status": row["status"]},
    )


def narrative(table: pl.DataFrame) -> pl.DataFrame:
    """Sentences for every row of a benchmark table, with the fields each one used.

    Returns ``indicator``, ``title``, ``kind`` (level, rank, change, long_term, caveat),
    ``sentence`` and ``fields`` (JSON text of the numbers used).
    """
    out = []
    for row in table.iter_rows(named=True):
        ind = row["indicator"]
        if row["value"] is None:
            parts = [("caveat", _withheld(row))]
        else:
            parts = [
                ("level", _level(row)),
                ("rank", _rank(row)),
                ("change", _change(row)),
                ("long_term", _long_term(row)),
            ]
            parts += [("caveat", c) for c in _caveats(row)]
        for kind, made in parts:
            if made is None:
                continue
            sentence, fields = made
            out.append(
                {
                    "indicator": ind,
                    "title": INDICATORS[ind].title,
                    "kind": kind,
                    "sentence": sentence,
                    "fields": json.dumps(fields, default=str),
                }
            )
    return pl.DataFrame(
        out,
        schema={
            "indicator": pl.String,
            "title": pl.String,
            "kind": pl.String,
            "sentence": pl.String,
            "fields": pl.String,
        },
    )


def as_text(sentences: pl.DataFrame, markdown: bool = False) -> str:
    """Paragraphs, one per indicator, under its title (a Markdown heading if ``markdown``)."""
    blocks = []
    for (ind,), rows in sentences.group_by("indicator", maintain_order=True):
        title = INDICATORS[ind].title
        heading = f"### {title}" if markdown else title
        blocks.append(f"{heading}\n\n{' '.join(rows['sentence'])}")
    return "\n\n".join(blocks) + "\n"
