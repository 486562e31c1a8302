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

from cscbench.analyses.narrative_caveats import (
    caveats,
    doubtful_average,
    first_year_doubt,
    first_year_words,
    suspect_zero,
    withheld,
)
from cscbench.analyses.narrative_changes import (
    MATCHED_MIN,
    change_sentence,
    long_term_sentence,
    printed,
)
from cscbench.analyses.narrative_groups import flag_words, local_narrative, partnership_narrative
from cscbench.analyses.sentences import LEVEL, SENTENCE_SCHEMA, as_text, opening, sentence_rows
from cscbench.analyses.wording import (
    compared_with,
    measure_name,
    number,
    rank_words,
    with_spoken_names,
    with_unit,
    year_label,
)
from cscbench.datasets.registry import INDICATORS, SIZES

__all__ = [
    "LEVEL",
    "MATCHED_MIN",
    "SENTENCE_SCHEMA",
    "as_text",
    "caveats",
    "first_year_words",
    "flag_words",
    "local_narrative",
    "measure_name",
    "narrative",
    "not_held_sentences",
    "opening",
    "partnership_narrative",
    "printed",
]


def _level(row: dict) -> tuple[str, dict]:
    ind = row["indicator"]
    opening_text = opening(ind, row["year"], row["area_name"], row["value"])
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
        if row["england"] is not None and INDICATORS[ind].unit not in SIZES:
            parts.append(england_text)
        tail = f", compared with {' and '.join(parts)}" if parts else ""
        return f"{opening_text}{tail}.", fields
    fields |= {"comparison_comparators": to_group, "comparison_england": to_england}
    if to_group == to_england:
        return f"{opening_text}, {to_group} both {group_text} and {england_text}.", fields
    return f"{opening_text}, {to_group} {group_text} and {to_england} {england_text}.", fields


def _rank(row: dict) -> tuple[str, dict] | None:
    """The place in the comparator group, for rates and percentages (a count measures an
    authority's size, so it is not ranked), saying how many of the group had a figure."""
    if INDICATORS[row["indicator"]].unit in SIZES:
        return None
    if row["rank"] is None or (row["rank_of"] or 0) < 3:
        return None
    words = rank_words(row["rank"], row["rank_of"], row.get("rank_ties") or 0)
    measure = measure_name(row["indicator"])
    fields = {"rank": row["rank"], "rank_of": row["rank_of"]}
    if row.get("rank_ties"):
        fields["rank_ties"] = row["rank_ties"]
    few = ""
    if {"small_numbers", "imprecise"} & set(row["flags"] or []):
        # a place on a handful of children is said to be one
        fields["numerator"] = row["numerator"]
        counted = number(row["numerator"], "cin_count")
        if INDICATORS[row["indicator"]].unit == "percent":
            fields["denominator"] = row["denominator"]
            counted = f"{counted} of {number(row['denominator'], 'cin_count')}"
        only = "only " if row["numerator"] else ""  # "only 0" reads as a slip
        few = f", but on {only}{counted}, so a handful either way would change this place"
    total = (row.get("group_size") or 0) + 1  # the group and the authority itself
    with_figure = row["rank_of"] < total
    if with_figure:
        fields["group_size"] = row.get("group_size")
        fields["authorities"] = total  # the group and the authority itself, as said
    if words.startswith("in the middle"):
        had = (
            f" ({row['rank_of']} of the {total} authorities, itself included, had a figure)"
            if with_figure
            else ""
        )
        return (
            f"{row['area_name']} sits {words} of its comparator group for {measure}{had}{few}.",
            fields,
        )
    who = (
        f"the {row['rank_of']} of the {total} authorities in its comparator group with a figure"
        if with_figure
        else f"the {row['rank_of']} authorities in its comparator group"
    )
    return (f"{row['area_name']} has {words} {measure} of {who}, itself included{few}.", fields)


def narrative(table: pl.DataFrame) -> pl.DataFrame:
    """Sentences for every row of a benchmark table, with the fields each one used.

    Returns ``indicator``, ``title``, ``kind`` (level, rank, change, long_term, caveat),
    ``sentence`` and ``fields`` (JSON text of the numbers used).
    """
    out = []
    for row in with_spoken_names(table).iter_rows(named=True):
        ind = row["indicator"]
        if row["value"] is None:
            parts = [("caveat", withheld(row))]
        else:
            parts = [
                ("level", _level(row)),
                ("caveat", doubtful_average(row)),
                ("caveat", suspect_zero(row)),  # doubted before it is ranked or followed
                ("caveat", first_year_doubt(row)),
                ("rank", _rank(row)),
                ("change", change_sentence(row)),
                ("long_term", long_term_sentence(row)),
            ]
            parts += [("caveat", c) for c in caveats(row)]
        out += sentence_rows(ind, parts)
    return pl.DataFrame(out, schema=SENTENCE_SCHEMA)


def not_held_sentences(gaps: pl.DataFrame, year: int) -> pl.DataFrame:
    """One sentence per DfE file whose indicators the data do not hold in ``year``
    (:func:`~cscbench.analyses.coverage.not_held`), said once for all of the file's indicators.

    Example:
        >>> from cscbench.analyses.coverage import not_held
        >>> said = not_held_sentences(not_held(2015), 2015)
        >>> said.select("indicator", "kind").row(0)
        ('cla_count', 'not_held')
        >>> print(said["sentence"][0])  # doctest: +NORMALIZE_WHITESPACE
        There are no figures on children looked after for 2014-15 (6 indicators): DfE's
        figures on children looked after by local authority start in 2015-16.
    """
    out = []
    for (_,), rows in gaps.group_by("source", maintain_order=True):
        first = rows.row(0, named=True)
        topic = first["topic"]
        many = f" ({rows.height} indicators)" if rows.height > 1 else ""
        out.append(
            {
                "indicator": first["indicator"],
                "title": topic[0].upper() + topic[1:],
                "kind": "not_held",
                "sentence": f"There are no figures on {topic} for {year_label(year)}{many}: "
                f"{first['reason']}.",
                "fields": json.dumps(
                    {
                        "indicators": rows["indicator"].to_list(),
                        "first_year": first["first_year"],
                        "last_year": first["last_year"],
                    }
                ),
            }
        )
    return pl.DataFrame(out, schema=SENTENCE_SCHEMA)
