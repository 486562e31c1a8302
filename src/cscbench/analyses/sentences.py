"""Sentences: the pieces every narrative shares: how a level sentence opens
(:func:`opening`), the rows sentences are returned in (:data:`SENTENCE_SCHEMA`,
:func:`sentence_rows`) and their text (:func:`as_text`).

Example:
    >>> opening("cla_rate", 2025, "Derby", 87.7)
    "Derby's rate of children looked after was 87.7 per 10,000 children at 31 March 2025"
"""

from __future__ import annotations

import json

import polars as pl

from cscbench.analyses.wording import (
    measure_name,
    number,
    period,
    sentence_case,
    with_unit,
)
from cscbench.datasets.registry import INDICATORS, SIZES

LEVEL = {
    "rereferral_pct": "{when}, {v} of referrals in {la} were re-referrals within 12 months",
    "nfa_pct": "{when}, {v} of referrals in {la} resulted in no further action",
    "cp_subsequent_pct": "{when}, {v} of child protection plans starting in {la} were a "
    "second or subsequent plan",
    "cp_2yrs_pct": "{when}, {v} of child protection plans in {la} had lasted 2 years or more",
}


def opening(indicator: str, year: int, la: str, value: float) -> str:
    """The start of a level sentence: 'In 2016-17, 21.3% of referrals in Derby were ...'.

    A values-only indicator from LAIT names its measure in full, the unit after the number
    (:func:`~cscbench.analyses.wording.measure_name`); one whose unit LAIT does not say is
    "Derby's figure for ...".

    Example:
        >>> opening("cp_count", 2018, "Rutland", 19.0)
        'Rutland had 19 children on a child protection plan at 31 March 2018'
        >>> print(opening("lait_cinsen_sup", 2025, "Derby", 24.3))  # doctest: +NORMALIZE_WHITESPACE
        The percentage of school-age children in need with SEN support in Derby was 24.3% in
        the 2024/25 academic year
        >>> opening("cla_sdq_received_pct", 2025, "Hove", 15.8)
        "Hove's percentage of children aged 5 to 16 with an SDQ score was 15.8% in 2024-25"
        >>> opening("sw_turnover_pct", 2024, "Derby", 15.8)
        "Derby's social worker turnover rate was 15.8% in 2023-24"
        >>> opening("s47_to_icpc_pct", 2025, "Derby", 32.14)
        'Derby had 32.1 initial conferences per 100 section 47 enquiries in 2024-25'
        >>> opening("icpc_median_days", 2025, "Derby", 16)
        "Derby's median working days to an initial conference was 16 in 2024-25"
    """
    when = period(year, indicator)
    v = with_unit(value, indicator)
    if indicator in LEVEL:
        return LEVEL[indicator].format(when=when[0].upper() + when[1:], v=v, la=la)
    if INDICATORS[indicator].source == "lait" and INDICATORS[indicator].unit == "lait_value":
        return f"{la}'s figure for {INDICATORS[indicator].short} was {v} {when}"
    if INDICATORS[indicator].source == "lait":
        return f"The {measure_name(indicator)} in {la} was {v} {when}"
    unit, short = INDICATORS[indicator].unit, INDICATORS[indicator].short
    if unit in SIZES:
        return f"{la} had {v} {short} {when}"
    if unit == "per_100":  # the short name says "per 100 ..." itself
        return f"{la} had {number(value, indicator)} {short} {when}"
    if unit == "days":  # "median working days to ..." already names the unit
        return f"{la}'s {short} was {number(value, indicator)} {when}"
    return f"{la}'s {measure_name(indicator)} was {v} {when}"


def sentence_rows(indicator: str, parts: list[tuple[str, tuple[str, dict] | None]]) -> list[dict]:
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
