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

from cscbench.analyses.engine import DOUBTFUL_LEFT_OUT, flag_label
from cscbench.analyses.wording import (
    and_list,
    change_unit,
    compared_with,
    interval_words,
    names_list,
    number,
    period,
    rank_words,
    sentence_case,
    with_spoken_names,
    with_unit,
    year_label,
)
from cscbench.datasets.csvfile import SYMBOLS
from cscbench.datasets.lineage import created_by, first_years
from cscbench.datasets.registry import INDICATORS, SHARES, SIZES

#: How the level sentence opens for each indicator; {v} is the value, {la} the authority.
LEVEL = {
    "rereferral_pct": "{when}, {v} of referrals in {la} were re-referrals within 12 months",
    "nfa_pct": "{when}, {v} of referrals in {la} resulted in no further action",
    "cp_subsequent_pct": "{when}, {v} of child protection plans starting in {la} were a "
    "second or subsequent plan",
    "cp_2yrs_pct": "{when}, {v} of child protection plans in {la} had lasted 2 years or more",
}


def opening(indicator: str, year: int, la: str, value: float) -> str:
    """The start of a level sentence: 'In 2016-17, 21.3% of referrals in Derby were ...'.

    Example:
        >>> opening("cp_count", 2018, "Rutland", 19.0)
        'Rutland had 19 children on a child protection plan at 31 March 2018'
    """
    when = period(year, indicator)
    v = with_unit(value, indicator)
    if indicator in LEVEL:
        return LEVEL[indicator].format(when=when[0].upper() + when[1:], v=v, la=la)
    if INDICATORS[indicator].unit in SIZES:
        return f"{la} had {v} {INDICATORS[indicator].short} {when}"
    return f"{la}'s {INDICATORS[indicator].short} was {v} {when}"


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


def _measure(indicator: str) -> str:
    """The indicator as a measure: 'number of children looked after', 'percentage of
    re-referrals within 12 months', 'rate of children leaving care'."""
    ind = INDICATORS[indicator]
    prefix = {"count": "number of ", "fte": "number of ", "percent": "percentage of "}.get(
        ind.unit, ""
    )
    return f"{prefix}{ind.short}"


def _rank(row: dict) -> tuple[str, dict] | None:
    """The place in the comparator group, for rates and percentages (a count measures an
    authority's size, so it is not ranked), saying how many of the group had a figure."""
    if INDICATORS[row["indicator"]].unit in SIZES:
        return None
    if row["rank"] is None or (row["rank_of"] or 0) < 3:
        return None
    words = rank_words(row["rank"], row["rank_of"], row.get("rank_ties") or 0)
    measure = _measure(row["indicator"])
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
    if INDICATORS[ind].unit in SHARES:
        return f"{word} of {abs(diff):.1f} percentage points"
    if old == 0:
        return f"{word} of {number(abs(diff), ind)}"
    pct = abs(diff) / abs(old) * 100
    return f"{word} of {number(abs(diff), ind)} ({pct:,.1f}%)"


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


def _change(row: dict) -> tuple[str, dict] | None:
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
    said = (f"{sentence} {others}" if others else sentence) + _from_first_year(row, row["year"] - 1)
    return said, fields


def _long_term(row: dict) -> tuple[str, dict] | None:
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
    said = (f"{sentence} {others}" if others else sentence) + _from_first_year(row, base)
    return said, fields


def _doubtful_average(row: dict) -> tuple[str, dict] | None:
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


def _suspect_zero(row: dict) -> tuple[str, dict] | None:
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


def _first_year_doubt(row: dict) -> tuple[str, dict] | None:
    """The caveat on a new authority's first year of re-referrals (flag
    ``first_year_look_back``): said straight after the figure, which may be too low."""
    if "first_year_look_back" not in (row["flags"] or []):
        return None
    return (
        f"{_first_year_words(row, row['year'])}, so this figure "
        "may be too low; treat it, and comparisons with it, with caution.",
        {"flags": ["first_year_look_back"], "first_year": row["year"]},
    )


def _first_year_words(row: dict, year: int) -> str:
    """'2023-24 was Cumberland's first year of figures, when referrals to the council it
    replaced may not have counted as earlier referrals'."""
    made = created_by(row["la_code"])  # always one: only a made authority has a first year
    replaced = "council it" if len(made.before) == 1 else "councils it"
    return (
        f"{year_label(year)} was {row['area_name']}'s first year of figures, when referrals to "
        f"the {replaced} replaced may not have counted as earlier referrals"
    )


def _from_first_year(row: dict, then: int | None) -> str:
    """' 2023-24 was ...; treat this change with caution.' where a change of a measure that
    looks back (re-referrals) is from a new authority's first year (engine
    :func:`~cscbench.analyses.engine.first_year_look_back`), else ''."""
    ind = row["indicator"]
    if not INDICATORS[ind].looks_back or then is None or first_years().get(row["la_code"]) != then:
        return ""
    return f" {_first_year_words(row, then)}; treat this change with caution."


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


def _withheld(row: dict) -> tuple[str, dict]:
    meaning = SYMBOLS.get(row["status"], "withheld")
    when = period(row["year"], row["indicator"])
    return (
        f"DfE did not publish {row['area_name']}'s {_measure(row['indicator'])} {when} "
        f"({meaning}).",
        {"status": row["status"]},
    )


def narrative(table: pl.DataFrame) -> pl.DataFrame:
    """Sentences for every row of a benchmark table, with the fields each one used.

    Returns ``indicator``, ``title``, ``kind`` (level, rank, change, long_term, caveat),
    ``sentence`` and ``fields`` (JSON text of the numbers used).
    """
    out = []
    for row in with_spoken_names(table).iter_rows(named=True):
        ind = row["indicator"]
        if row["value"] is None:
            parts = [("caveat", _withheld(row))]
        else:
            parts = [
                ("level", _level(row)),
                ("caveat", _doubtful_average(row)),
                ("caveat", _suspect_zero(row)),  # doubted before it is ranked or followed
                ("caveat", _first_year_doubt(row)),
                ("rank", _rank(row)),
                ("change", _change(row)),
                ("long_term", _long_term(row)),
            ]
            parts += [("caveat", c) for c in _caveats(row)]
        out += _rows(ind, parts)
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


def _rows(indicator: str, parts: list[tuple[str, tuple[str, dict] | None]]) -> list[dict]:
    """One output row per (kind, (sentence, fields)) made; parts that made nothing are left."""
    return [
        {
            "indicator": indicator,
            "title": INDICATORS[indicator].title,
            "kind": kind,
            "sentence": sentence_case(made[0]),
            "fields": json.dumps(made[1], default=str),
        }
        for kind, made in parts
        if made is not None
    ]


SENTENCE_SCHEMA = {
    "indicator": pl.String,
    "title": pl.String,
    "kind": pl.String,
    "sentence": pl.String,
    "fields": pl.String,
}


def as_text(sentences: pl.DataFrame, markdown: bool = False) -> str:
    """Paragraphs, one per indicator, under its title (a Markdown heading if ``markdown``)."""
    blocks = []
    for _, rows in sentences.group_by("indicator", maintain_order=True):
        title = rows["title"][0]
        heading = f"### {title}" if markdown else title
        blocks.append(f"{heading}\n\n{' '.join(rows['sentence'])}")
    return "\n\n".join(blocks) + "\n"


# --- partnerships -------------------------------------------------------------------------------


def _members_compared(ind: str, members: list[dict]) -> tuple[str, dict] | None:
    """'In 2017-18, 29.9% of referrals in Leicestershire were re-referrals ..., against 20.8%
    in Rutland (England 21.9%).' Members without a figure are named as such."""
    have = [m for m in members if m["value"] is not None]
    if not have:
        return None
    first, rest = have[0], have[1:]
    text = opening(ind, first["year"], first["area_name"], first["value"])
    if rest:
        others = and_list([f"{with_unit(m['value'], ind)} in {m['area_name']}" for m in rest])
        text += f", against {others}"
    england = first["england"]
    if england is not None:
        text += f" (England {with_unit(england, ind)})"
    text += "."
    withheld = [m for m in members if m["value"] is None]
    for m in withheld:
        meaning = SYMBOLS.get(m["status"], "withheld")
        text += f" DfE did not publish {m['area_name']}'s figure: {meaning}."
    fields = {m["area_name"]: m["value"] for m in members} | {"england": england}
    return text, fields


def _own_groups(ind: str, members: list[dict]) -> tuple[str, dict] | None:
    """'Against their own comparators, Leicestershire is above the average (25.0%) and
    Rutland in line with its average (21.6%).'"""
    parts, fields = [], {}
    for m in members:
        bounds = (m["ci95_low"], m["ci95_high"], m["ci998_low"], m["ci998_high"])
        words = compared_with(m["value"], m["comparator_mean"], *bounds)
        if words is None:
            continue
        average = "the average" if not parts else "its average"
        parts.append(
            f"{m['area_name']} is {words} {average} ({with_unit(m['comparator_mean'], ind)})"
        )
        fields[f"{m['area_name']} comparator_mean"] = m["comparator_mean"]
    if not parts:
        return None
    lead = "Against its own comparators" if len(parts) == 1 else "Against their own comparators"
    return f"{lead}, {and_list(parts)}.", fields


def _pooled(ind: str, whole: dict, members: int) -> tuple[str, dict]:
    """The partnership taken as one area, or why it has no figure (of ``members``).

    Example:
        >>> both = ["Cumberland", "Westmorland and Furness"]
        >>> whole = {"area_name": " and ".join(both), "value": None, "missing": both}
        >>> _pooled("cp_2yrs_pct", whole, 2)[0].split(": ")[1]
        "DfE withheld every member's figure."
    """
    name = whole["area_name"]
    if whole["value"] is None:
        missing = list(whole["missing"] or [])
        rest = ", and pooling the rest would describe a different area"
        if len(missing) >= members:
            withheld = "every member's figure"
        elif len(missing) <= 1:
            withheld = f"{missing[0] if missing else 'a member'}'s figure{rest}"
        else:
            withheld = f"the figures for {names_list(missing)}{rest}"
        return (
            f"There is no figure for {name} as a whole: DfE withheld {withheld}.",
            {"missing": whole["missing"]},
        )
    value = with_unit(whole["value"], ind)
    if INDICATORS[ind].unit in SIZES:
        together = opening(ind, whole["year"], name, whole["value"])
        return f"Together, {together}.", {"value": whole["value"]}
    interval = f"95% interval {interval_words(whole['ci95_low'], whole['ci95_high'], ind)}"
    return (
        f"Taken as one area, {name}'s figure is {value} ({interval}).",
        {k: whole[k] for k in ("value", "ci95_low", "ci95_high")},
    )


def _few(ind: str, m: dict) -> tuple[str, dict] | None:
    """A member whose figure rests on few children: said once, with its interval."""
    flags = set(m["flags"] or [])
    if not {"small_numbers", "imprecise"} & flags or m["value"] is None:
        return None
    n = number(m["numerator"], "cin_count")
    fields = {"numerator": m["numerator"]}
    if INDICATORS[ind].unit == "percent":
        n = f"{n} of {number(m['denominator'], 'cin_count')}"
        fields["denominator"] = m["denominator"]
    only = "only " if m["numerator"] else ""
    text = f"{m['area_name']}'s figure rests on {only}{n} children or events"
    if m["ci95_low"] is not None:
        text += f" (95% interval {interval_words(m['ci95_low'], m['ci95_high'], ind)})"
        fields |= {"ci95_low": m["ci95_low"], "ci95_high": m["ci95_high"]}
    outlier = [f for f in flags if f.startswith(("funnel_", "robust_", "spc_", "above_", "below_"))]
    text += ", so differences from the other members and from its comparators may be chance"
    if m["rank"] is not None:
        text += f"; its place in its group ({m['rank']} of {m['rank_of']}) could change"
        text += " with a handful of children"
        fields |= {"rank": m["rank"], "rank_of": m["rank_of"]}
    if outlier:
        text += f"; what sets it apart ({flag_words(outlier)}) rests on those few children"
        fields["flags"] = sorted(outlier)
    return text + ".", fields


#: A flag left unsaid beside the stronger one on the same side.
STRONGER = {
    "above_england_95": "above_england_998",
    "below_england_95": "below_england_998",
    "funnel_high_95": "funnel_high_998",
    "funnel_low_95": "funnel_low_998",
}


def flag_words(flags: list[str] | set[str]) -> str:
    """Flags in words, as a sentence can carry them: the short form of each meaning
    (:data:`~cscbench.analyses.engine.FLAG_MEANINGS`), the stronger of a pair only.

    Example:
        >>> flag_words(["above_england_95", "above_england_998", "spc_high"])
        "well above England; above the upper process limit of the authority's own series"
    """
    kept = [f for f in sorted(flags) if STRONGER.get(f) not in flags]
    return "; ".join(flag_label(f) for f in kept)


def partnership_narrative(table: pl.DataFrame) -> pl.DataFrame:
    """Sentences for a partnership table (:func:`~cscbench.analyses.partnership.partnership`):
    per indicator, the members named side by side, each against its own comparators, the
    partnership as one area, and a caveat for each member whose figure rests on few children.

    Same columns as :func:`narrative`; ``kind`` is members, own_groups, pooled or caveat.

    Example:
        >>> from cscbench.analyses.partnership import partnership
        >>> t = partnership(["Leicestershire", "Rutland"], year=2018,
        ...                 indicators=["rereferral_pct"])
        >>> print(partnership_narrative(t)["sentence"][0])  # doctest: +NORMALIZE_WHITESPACE
        In 2017-18, 29.9% of referrals in Leicestershire were re-referrals within 12 months,
        against 20.8% in Rutland (England 21.9%).
    """
    out = []
    for (ind,), rows in with_spoken_names(table).group_by("indicator", maintain_order=True):
        members = rows.filter(pl.col("role") == "member").to_dicts()
        whole = rows.filter(pl.col("role") == "partnership").to_dicts()
        parts = [
            ("members", _members_compared(ind, members)),
            *(("caveat", _suspect_zero(m)) for m in members),  # doubted before it is compared
            ("own_groups", _own_groups(ind, members)),
            *(("pooled", _pooled(ind, w, len(members))) for w in whole),
            *(("caveat", _few(ind, m)) for m in members),
        ]
        out += _rows(ind, parts)
    return pl.DataFrame(out, schema=SENTENCE_SCHEMA)


# --- local, provisional figures -------------------------------------------------------------


def local_narrative(rows: pl.DataFrame) -> pl.DataFrame:
    """Sentences for a :func:`~cscbench.analyses.local.local_benchmark` table: each local,
    provisional figure against the latest published comparators, saying which is which.

    Example:
        >>> import os, tempfile
        >>> from cscbench.analyses.local import local_benchmark
        >>> from cscbench.datasets.census import read_return
        >>> from cscbench.datasets.synthetic_census import write_return
        >>> path = os.path.join(tempfile.mkdtemp(), "cin.xml")
        >>> _ = write_return(path, "831", 2026, seed=1)
        >>> said = local_narrative(local_benchmark("Derby", read_return(path)))
        >>> said["sentence"][0].startswith("Provisionally, from Derby's own census return")
        True
    """
    out = []
    for row in rows.iter_rows(named=True):
        ind, la = row["indicator"], row["area_name"]
        if row["value"] is None:
            continue
        start = opening(ind, row["year"], la, row["value"])
        start = start[0].lower() + start[1:] if not start.startswith(la) else start
        published = year_label(row["compared_year"])
        parts = []
        if row["comparator_mean"] is not None:
            parts.append(f"the comparator average of {with_unit(row['comparator_mean'], ind)}")
        if row["england"] is not None and INDICATORS[ind].unit not in SIZES:
            parts.append(f"England's {with_unit(row['england'], ind)}")
        against = f", against {' and '.join(parts)} in {published}" if parts else ""
        sentence = f"Provisionally, from {la}'s own census return, {start}{against}"
        if row["compared_year"] < row["year"]:
            sentence += ", the latest year DfE has published"
        sentence += "."
        if "already_published" in (row["flags"] or []):
            sentence += (
                f" DfE has already published {year_label(row['year'])}: its figures replace these."
            )
        if "disagrees_with_history" in (row["flags"] or []):
            sentence += (
                " The return's NumberOfPreviousCPP and the child's earlier plans in the returns "
                "given disagree for some plans (see the note)."
            )
        fields = {k: row[k] for k in ("value", "comparator_mean", "england", "compared_year")}
        out += _rows(ind, [("local", (sentence, fields))])
    return pl.DataFrame(out, schema=SENTENCE_SCHEMA)
