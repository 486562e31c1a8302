"""Key messages: at most six findings, chosen by rule from one authority's benchmark rows.

An annual report opens with a few key messages; :func:`key_messages` chooses them from the
statistics alone, by these rules, most important first:

1. ``england_998``, then ``comparators_998``: the value differs significantly from England's,
   then from the comparator average, at 99.8% (the reference outside the value's 99.8%
   interval: OHID Fingertips' significance bands);
2. ``england_95``, then ``comparators_95``: the same at 95%;
3. ``trend``: a significant recent trend (OHID Fingertips' trend marker, over the 5 years to
   the year);
4. ``spc``: a special-cause point in the authority's own series (above the upper or below the
   lower process limit: NHS Making Data Count); ``local_spc``, at the same place: the latest
   point of one of the authority's own monthly or quarterly measures is special cause (a pack
   with a local measures file: :mod:`cscbench.analyses.local_pack`), its theme the national
   theme its local theme joins, or a theme of its own. When the other rules would fill every
   place, the first local message takes the last: the authority's own monthly figures are
   half of an annual report and are not crowded out by national differences;
5. ``rank``: the highest or the lowest in the comparator group (DfE LAIT's rank);
6. ``doubtful_zero``, ``first_year_look_back``, ``published_mismatch``: a figure DfE's own
   checks would query.

Six messages from rule 1 alone would all be England differences, nearly always at the front
door (across 40 authorities in 2024-25 rule 1 met 539 indicators, trends 48, SPC 50): so the
six are chosen first one per theme, in the rules' order, then the rest in that order
(``per_theme``; ``None`` takes them in the rules' order alone). They are listed in the rules'
order, most important first.

Only DfE's files' measures and LAIT's charted ones are candidates (LAIT's other values-only
measures are context in the tables). Each indicator gives at most one message, by the first
rule it meets. Within a rule, messages
follow the themes' order (:data:`~cscbench.datasets.registry.THEMES`) then the registry's
(:data:`~cscbench.datasets.registry.INDICATORS`), so the choice is deterministic. A figure the
checks of rule 6 query enters no other rule (its difference, trend or place is not a finding
until it is checked); a withheld figure enters none. Values-only measures (a count, an FTE
figure, a caseload: no interval) never enter the interval rules 1 and 2, and a comparator
average over fewer than :data:`~cscbench.analyses.narrative.MATCHED_MIN` authorities is not
compared.

Every figure a message says is one of its row's fields, worded as the narrative words it
(:mod:`cscbench.analyses.wording`).

Example:
    >>> from cscbench.analyses import benchmark
    >>> said = key_messages(benchmark("Derby", year=2025))
    >>> said.columns
    ['rank', 'indicator', 'rule', 'why', 'message']
    >>> said.row(0)[:4]
    (1, 'referral_rate', 'england_998', 'significantly above England (99.8% interval)')
"""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

from cscbench.analyses.narrative_caveats import first_year_words
from cscbench.analyses.narrative_changes import MATCHED_MIN
from cscbench.analyses.sentences import opening
from cscbench.analyses.wording import (
    interval_words,
    measure_name,
    number,
    per_year,
    period,
    rank_words,
    sentence_case,
    with_spoken_names,
    with_unit,
    year_label,
)
from cscbench.datasets.registry import INDICATORS, SIZES, THEMES

#: At most this many key messages.
LIMIT = 6
#: Units whose figures have no interval (DfE's workforce figures are values only).
VALUES_ONLY = frozenset({"fte_percent", "caseload", "fte"})
#: The flags of a figure DfE's own checks would query, with the rule each gives.
CHECKS = {
    "zero_unlikely": "doubtful_zero",
    "first_year_look_back": "first_year_look_back",
    "published_mismatch": "published_mismatch",
}
SCHEMA = {
    "rank": pl.Int32,
    "indicator": pl.String,
    "rule": pl.String,
    "why": pl.String,
    "message": pl.String,
}

Found = tuple[str, str] | None  # (why, message), or None when the rule does not apply


def _interval_rule(row: dict, against: str, level: str) -> Found:
    """The value significantly above or below England's (``against`` "england") or the
    comparator average's ("comparators") at ``level`` ("95" or "998"): the reference outside
    the value's interval at that level, inclusive limits counting as inside (OHID Fingertips'
    significance bands, as :func:`~cscbench.analyses.panel_stats._england_comparison`)."""
    ind = row["indicator"]
    low, high = row[f"ci{level}_low"], row[f"ci{level}_high"]
    if INDICATORS[ind].unit in VALUES_ONLY or low is None or high is None:
        return None
    if against == "england":
        reference, words = row["england"], "England"
        side = row[f"england_comparison_{level}"]
    else:
        reference, words = row["comparator_mean"], "the comparator average"
        if (row["group_n"] or 0) < MATCHED_MIN:
            return None
        side = _side(row["value"], reference, low, high)
    if side not in ("above", "below"):
        return None
    percent = "99.8%" if level == "998" else "95%"
    why = f"significantly {side} {words} ({percent} interval)"
    message = (
        f"{opening(ind, row['year'], row['area_name'], row['value'])} ({percent} interval "
        f"{interval_words(low, high, ind)}), significantly {side} {words} "
        f"({with_unit(reference, ind)})."
    )
    return why, message


def _side(value: float, reference: float | None, low: float, high: float) -> str | None:
    """'above' / 'below' when ``reference`` is outside [low, high], 'similar' inside it.

    Example:
        >>> _side(23.1, 20.1, 21.0, 25.4), _side(23.1, 22.6, 21.0, 25.4)
        ('above', 'similar')
    """
    if reference is None:
        return None
    if low <= reference <= high:
        return "similar"
    return "above" if value > reference else "below"


def england_998(row: dict) -> Found:
    """Rule 1: significantly different from England at 99.8% (OHID Fingertips)."""
    return _interval_rule(row, "england", "998")


def comparators_998(row: dict) -> Found:
    """Rule 1: significantly different from the comparator average at 99.8% (OHID
    Fingertips' rule, against the comparator average as LAIT takes it)."""
    return _interval_rule(row, "comparators", "998")


def england_95(row: dict) -> Found:
    """Rule 2: significantly different from England at 95% (OHID Fingertips)."""
    return _interval_rule(row, "england", "95")


def comparators_95(row: dict) -> Found:
    """Rule 2: significantly different from the comparator average at 95% (OHID
    Fingertips' rule, against the comparator average as LAIT takes it)."""
    return _interval_rule(row, "comparators", "95")


def trend(row: dict) -> Found:
    """Rule 3: a significant recent trend over the 5 years to the year (OHID Fingertips'
    trend marker: :mod:`cscbench.analyses.trends`), better or worse by the polarity."""
    if row["trend"] not in ("increasing", "decreasing"):
        return None
    ind = row["indicator"]
    move = "rise" if row["trend"] == "increasing" else "fall"
    assessed = {"improving": ", an improvement", "worsening": ", a worsening"}
    judged = assessed.get(row["trend_assessment"], "")
    change = row["trend_annual_change_pct"]
    pace = f" (by {per_year(change)} a year on average, compounded)" if change is not None else ""
    why = f"a significant {move} over 5 years (Fingertips trend test)"
    message = (
        f"{opening(ind, row['year'], row['area_name'], row['value'])}, after a significant "
        f"{move} over the 5 years to {year_label(row['year'])}{pace}{judged}."
    )
    return why, message


def spc(row: dict) -> Found:
    """Rule 4: a special-cause point, the year above the upper or below the lower process
    limit of the authority's own series (NHS Making Data Count: XmR chart)."""
    side = {"spc_high": ("above", "upper", "spc_upper"), "spc_low": ("below", "lower", "spc_lower")}
    if row["spc_rule"] not in side:
        return None
    ind = row["indicator"]
    word, limit, column = side[row["spc_rule"]]
    why = f"a special-cause point: {word} the {limit} process limit of its own series (SPC)"
    message = (
        f"{opening(ind, row['year'], row['area_name'], row['value'])}, {word} the {limit} "
        f"process limit of {row['area_name']}'s own series ({with_unit(row[column], ind)}, "
        f"around a mean of {with_unit(row['spc_mean'], ind)} over {row['spc_points']} years): "
        "special-cause variation."
    )
    return why, message


def rank(row: dict) -> Found:
    """Rule 5: the highest or the lowest in the comparator group, ties included (DfE LAIT's
    rank on the published figure); not for counts, which measure an authority's size, nor in a
    group of fewer than 3 with a figure, nor when every authority shares the figure."""
    ind = row["indicator"]
    place, of, ties = row["rank"], row["rank_of"] or 0, row["rank_ties"] or 0
    if INDICATORS[ind].unit in SIZES or place is None or of < 3:
        return None
    top, bottom = place == 1, place + ties == of
    if top == bottom:  # in between, or all tied
        return None
    words = rank_words(place, of, ties)
    why = (
        f"{words.removeprefix('the ')} in the comparator group ({'1st' if top else 'last'} of {of})"
    )
    message = (
        f"{row['area_name']} has {words} {measure_name(ind)} of the {of} authorities in its "
        f"comparator group with a figure, itself included "
        f"({with_unit(row['value'], ind)} {period(row['year'], ind)})."
    )
    return why, message


def doubtful_zero(row: dict) -> Found:
    """Rule 6: a 0 England's rate makes very unlikely (flag ``zero_unlikely``), as DfE's
    validation of the census queries it."""
    if "zero_unlikely" not in (row["flags"] or []):
        return None
    ind = row["indicator"]
    expected = row["denominator"] * row["england"] / INDICATORS[ind].multiplier
    message = (
        f"{row['area_name']}'s {measure_name(ind)} {period(row['year'], ind)} is 0 out of "
        f"{number(row['denominator'], 'cin_count')}, where England's "
        f"{with_unit(row['england'], ind)} would give about {number(expected, 'cin_count')}: "
        "check it with the authority before comparing."
    )
    return "a doubtful zero (DfE's checks would query it)", message


def first_year_look_back(row: dict) -> Found:
    """Rule 6: a newly made authority's first year of a measure that looks back over earlier
    records (flag ``first_year_look_back``)."""
    if "first_year_look_back" not in (row["flags"] or []):
        return None
    ind = row["indicator"]
    message = (
        f"{opening(ind, row['year'], row['area_name'], row['value'])}, but "
        f"{first_year_words(row, row['year'])}, so it may be too low."
    )
    return "a first-year look-back (the figure may be too low)", message


def published_mismatch(row: dict) -> Found:
    """Rule 6: DfE's printed figure differs from its own counts by more than rounding (flag
    ``published_mismatch``)."""
    if "published_mismatch" not in (row["flags"] or []):
        return None
    ind = row["indicator"]
    message = (
        f"DfE published {row['area_name']}'s {measure_name(ind)} {period(row['year'], ind)} as "
        f"{with_unit(row['published_value'], ind)}, which its own counts do not give "
        f"({with_unit(row['value'], ind)})."
    )
    return "a published figure its own counts do not give", message


#: The rules in order, most important first: (id, function).
RULES: tuple[tuple[str, Callable[[dict], Found]], ...] = (
    ("england_998", england_998),
    ("comparators_998", comparators_998),
    ("england_95", england_95),
    ("comparators_95", comparators_95),
    ("trend", trend),
    ("spc", spc),
    ("rank", rank),
    ("doubtful_zero", doubtful_zero),
    ("first_year_look_back", first_year_look_back),
    ("published_mismatch", published_mismatch),
)
#: Each rule's place in the order.
RULE_ORDER = {rule: k for k, (rule, _) in enumerate(RULES)}


def _first_rule(row: dict) -> tuple[str, str, str] | None:
    """The first rule ``row`` meets, as (rule, why, message); a figure the checks query
    meets only the checks' rules, and a withheld one none."""
    if row["value"] is None:
        return None
    queried = bool(set(CHECKS) & set(row["flags"] or []))
    for rule, test in RULES:
        if queried and rule not in CHECKS.values():
            continue
        found = test(row)
        if found is not None:
            return rule, found[0], sentence_case(found[1])
    return None


def _order(indicator: str) -> tuple[int, int]:
    """Theme order, then registry order."""
    return THEMES.index(INDICATORS[indicator].theme), list(INDICATORS).index(indicator)


def _candidate(indicator: str) -> bool:
    """Whether an indicator may give a key message: DfE's files' measures, and of LAIT's
    values-only catalogue only the themes' charted (headline) ones; the rest of LAIT's 156
    measures are context in the tables, not a board's first page.

    Example:
        >>> _candidate("rereferral_pct"), _candidate("lait_lacfinance"), _candidate("lait_revcp")
        (True, True, False)
    """
    ind = INDICATORS[indicator]
    return ind.source != "lait" or ind.charted


#: Messages taken from each theme before any theme gives more (see the module docstring).
PER_THEME = 1


def spread(found: list, limit: int, per_theme: int | None = PER_THEME) -> list:
    """Of ``found`` (in the rules' order; each item's second field the theme's place), the
    first ``limit``, taking at most ``per_theme`` from each theme before any theme gives more;
    returned in the rules' order.

    Example:
        >>> spread([(1, 0, "a"), (1, 0, "b"), (1, 1, "c"), (3, 2, "d")], 3)
        [(1, 0, 'a'), (1, 1, 'c'), (3, 2, 'd')]
    """
    if per_theme is None:
        return found[:limit]
    first, counts = [], {}
    for item in found:
        if len(first) < limit and counts.get(item[1], 0) < per_theme:
            first.append(item)
            counts[item[1]] = counts.get(item[1], 0) + 1
    rest = [item for item in found if item not in first]
    chosen = first + rest[: limit - len(first)]
    return sorted(chosen, key=found.index)


def key_messages(
    table: pl.DataFrame,
    limit: int = LIMIT,
    per_theme: int | None = PER_THEME,
    local: list[dict] | None = None,
) -> pl.DataFrame:
    """At most ``limit`` key messages from one authority's benchmark rows for a year (as
    :func:`~cscbench.analyses.engine.benchmark` returns them), most important first, by the
    rules of this module's docstring.

    Returns ``rank`` (1 to ``limit``), ``indicator``, ``rule`` (an id of :data:`RULES`),
    ``why`` (the rule in words) and ``message`` (one sentence with the figures). ``local``:
    the authority's own measures that give a key message
    (:func:`~cscbench.analyses.local_pack.local_candidates`); a local measure's ``indicator``
    is ``local:`` and its id.
    """
    found = []
    for row in with_spoken_names(table).iter_rows(named=True):
        if not _candidate(row["indicator"]):
            continue
        met = _first_rule(row)
        if met is not None:
            found.append((RULE_ORDER[met[0]], *_order(row["indicator"]), row["indicator"], *met))
    mine = _local_found(local or [])
    found = sorted(found + mine, key=lambda f: f[:3])
    chosen = spread(found, limit, per_theme)
    if mine and limit and not set(mine) & set(chosen):  # the local half keeps one place
        chosen = sorted([*chosen[: limit - 1], mine[0]], key=found.index)
    rows = [
        {"rank": k, "indicator": f[3], "rule": f[4], "why": f[5], "message": f[6]}
        for k, f in enumerate(chosen, start=1)
    ]
    return pl.DataFrame(rows, schema=SCHEMA)


def _local_found(local: list[dict]) -> list[tuple]:
    """The local candidates as found messages of rule ``local_spc`` (at ``spc``'s place): a
    measure joining a national theme counts as that theme; a local theme of its own counts
    after every national theme, one place for each."""
    from cscbench.analyses.local_pack import LOCAL_WHY

    own = list(dict.fromkeys(c["part"] for c in local if c["home"] is None))

    def place(c: dict) -> int:
        return THEMES.index(c["home"]) if c["home"] else len(THEMES) + own.index(c["part"])

    return [
        (
            RULE_ORDER["spc"],
            place(c),
            len(INDICATORS) + k,
            f"local:{c['measure']}",
            "local_spc",
            LOCAL_WHY,
            c["message"],
        )
        for k, c in enumerate(local)
    ]


def as_text(messages: pl.DataFrame) -> str:
    """The key messages as a numbered list, each with why it was chosen.

    Example:
        >>> m = pl.DataFrame({"rank": [1], "indicator": ["cin_rate"], "rule": ["trend"],
        ...                   "why": ["a significant rise"], "message": ["It rose."]})
        >>> print(as_text(m), end="")
        Key messages
        <BLANKLINE>
        1. It rose. (Why: a significant rise.)
    """
    lines = [f"{r['rank']}. {r['message']} (Why: {r['why']}.)" for r in messages.to_dicts()]
    return "Key messages\n\n" + ("\n".join(lines) if lines else "None of the rules applies.") + "\n"
