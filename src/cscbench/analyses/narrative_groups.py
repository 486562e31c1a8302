"""Narratives of a partnership's members and of an authority's own (local, provisional)
figures: the sentences of :func:`partnership_narrative` and :func:`local_narrative`.
"""

from __future__ import annotations

import polars as pl

from cscbench.analyses.flags import flag_label
from cscbench.analyses.narrative_caveats import suspect_zero
from cscbench.analyses.sentences import SENTENCE_SCHEMA, opening, sentence_rows
from cscbench.analyses.wording import (
    and_list,
    compared_with,
    interval_words,
    names_list,
    number,
    with_spoken_names,
    with_unit,
    year_label,
)
from cscbench.datasets.csvfile import SYMBOLS
from cscbench.datasets.registry import INDICATORS, SIZES


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
            *(("caveat", suspect_zero(m)) for m in members),  # doubted before it is compared
            ("own_groups", _own_groups(ind, members)),
            *(("pooled", _pooled(ind, w, len(members))) for w in whole),
            *(("caveat", _few(ind, m)) for m in members),
        ]
        out += sentence_rows(ind, parts)
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
        out += sentence_rows(ind, [("local", (sentence, fields))])
    return pl.DataFrame(out, schema=SENTENCE_SCHEMA)
