"""LAIT's children's services measures as values-only indicators: the declarations in
``catalogue/lait.toml``, generated from LAIT's data dictionary.

Every LAIT measure in the topics Children in Need, Child Protection, Children Looked After,
Adoption, Children's Services Workforce and Children's Service Finance, and the context
measures reports quote (children in low-income families, free school meals, youth justice,
child health), becomes an indicator ``lait_<measure>``: LAIT's published value, polarity from
LAIT's dictionary, decimals as LAIT's values carry them, LAIT's "no quartiles" marker kept. A
measure that a DfE file with counts already gives (an indicator declaring it as its
``lait_measure``) is not declared again: the counted indicator is used.

Regenerate after a new LAIT dictionary with ``python -m cscbench.datasets.lait_catalogue
[LAIT_DIR]``; a test checks the shipped file is what the dictionary gives. The ``short`` name
and ``headline`` are LAIT's title in English (:mod:`cscbench.datasets.lait_words`).

Example:
    >>> theme_of("Child Protection", "ReReferral", "Percentage of re-referrals")
    'front door and assessment'
    >>> unit_of("Children Looked After", "LAC", "Children looked after rate per 10,000")
    'lait_rate'
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import polars as pl

from cscbench.datasets.lait_words import headline, short_name

#: LAIT's children's services topics, every measure of which is declared.
CSC_TOPICS = (
    "Children in Need",
    "Child Protection",
    "Children Looked After",
    "Adoption",
    "Children's Services Workforce",
    "Children's Service Finance",
)
#: LAIT's context topics the reports draw on (poverty, free school meals, youth justice,
#: child health), declared in the "context" theme.
CONTEXT_TOPICS = (
    "Economic Factors",
    "Contextual\\Other",
    "Youth Offending",
    "Health and Wellbeing",
)

#: The headline (charted) measure of the themes only LAIT gives: spending (the weekly unit
#: cost of a child looked after) and context (children in low-income families).
CHARTED = ("LACFinance", "ChildPov")

#: LAIT year types and the catalogue's periods.
PERIODS = {
    "Annual": "31 March",
    "Financial Year": "year to 31 March",
    "Annual (end of Sept)": "30 September",
    "Academic Year": "academic year",
    "Calendar Year": "calendar year",
    "Annual - January": "January",
}

_FRONT_DOOR = re.compile(r"(?i)referral|refby|assess|nfa")
_PLACEMENTS = re.compile(r"(?i)placement|placed|miles|distance|moves|stabil|missing|away")
_HEALTH = re.compile(r"(?i)health|immunis|dental|teeth|sdq|substance|convict|development assess")
_LEAVERS = re.compile(r"(?i)care ?leaver|leaving care|former relevant|stayingput|_19_he")


def theme_of(topic: str, measure: str, title: str) -> str:
    """The catalogue theme of a LAIT measure, from its topic and, within children looked
    after and child protection, its name."""
    text = f"{measure} {title}"
    if topic in CONTEXT_TOPICS:
        return "context"
    if topic == "Children's Service Finance":
        return "spending"
    if topic == "Children's Services Workforce":
        return "workforce"
    if topic == "Children in Need":
        return "children in need"
    if topic == "Child Protection":
        return "front door and assessment" if _FRONT_DOOR.search(text) else "child protection"
    for pattern, theme in (
        (_LEAVERS, "care leavers"),
        (_HEALTH, "health of children looked after"),
        (_PLACEMENTS, "placements and stability"),
    ):
        if pattern.search(text):
            return theme
    return "children looked after"


def unit_of(topic: str, measure: str, title: str) -> str:
    """The values-only unit of a LAIT measure, from its title (LAIT's dictionary has none)."""
    low = f"{title} {measure}".lower()
    if topic == "Children's Service Finance":
        return "pounds"
    if topic == "Children's Services Workforce":
        if "number" in low or "fte social workers" in low or "cases held" in low:
            return "lait_count"
        return "lait_value" if "average" in low else "lait_percent"
    if "10,000" in low or low.startswith("rate"):
        return "lait_rate"
    if "%" in low or "percent" in low or "proportion" in low:
        return "lait_percent"
    if low.startswith(("number", "no_")) or "- number" in low:
        return "lait_count"
    return "lait_value"


def indicator_id(measure: str) -> str:
    """``lait_`` and the measure's code in lower case, non-alphanumerics as ``_``.

    Example:
        >>> indicator_id("CIN_Good _Develop"), indicator_id("%_of LAC Adopted")
        ('lait_cin_good_develop', 'lait_pct_of_lac_adopted')
    """
    text = measure.replace("%", "pct").replace("&", "and").replace("+", "plus")
    return "lait_" + re.sub(r"[^0-9a-z]+", "_", text.lower()).strip("_")


def _quoted(text: str) -> str:
    return '"' + " ".join(str(text).split()).replace("\\", "\\\\").replace('"', '\\"') + '"'


def declarations(measures: pl.DataFrame, held: dict[str, int], taken: set[str]) -> str:
    """The TOML text of ``catalogue/lait.toml``: one ``[indicator.lait_...]`` per measure of
    :data:`CSC_TOPICS` and :data:`CONTEXT_TOPICS` not in ``taken`` (the measures counted
    indicators give). ``held`` is each measure's decimals as LAIT's values carry them."""
    wanted = measures.filter(pl.col("topic").is_in([*CSC_TOPICS, *CONTEXT_TOPICS]))
    lines = [
        "# LAIT's children's services and context measures as values-only indicators.",
        "# Generated by cscbench.datasets.lait_catalogue from LAIT's data dictionary: do not",
        "# edit by hand (the test of the catalogue regenerates it and compares).",
    ]
    seen: set[str] = set()
    for row in wanted.sort("topic", "line").iter_rows(named=True):
        if row["measure"] in taken or row["measure"] not in held:
            continue  # a counted indicator gives it, or LAIT holds no one-year figure
        key = indicator_id(row["measure"])
        if key in seen:
            raise ValueError(f"two LAIT measures make the indicator id {key}")
        seen.add(key)
        unit = unit_of(row["topic"], row["measure"], row["title"])
        decimals = row["decimals"] if row["decimals"] is not None else held[row["measure"]]
        title = " ".join(str(row["title"]).split())
        definition = row["description"] or title
        lines += [
            "",
            f"[indicator.{key}]",
            f"title = {_quoted(title)}",
            f"short = {_quoted(short_name(title, unit))}",
            f"headline = {_quoted(headline(row['measure'], title, unit))}",
            f"theme = {_quoted(theme_of(row['topic'], row['measure'], title))}",
            f"unit = {_quoted(unit)}",
            f"decimals = {min(int(decimals), 2)}",
            f"polarity = {_quoted(row['polarity'])}",
            f"period = {_quoted(PERIODS[row['year_type']])}",
            f"definition = {_quoted(definition)}",
            'source = "lait"',
            f"lait_measure = {_quoted(row['measure'])}",
        ]
        if not row["quartiles"]:
            lines.append("quartiles = false")
        if row["measure"] in CHARTED:
            lines.append("charted = true")
    return "\n".join(lines) + "\n"


def generate(lait_dir: str | Path) -> str:
    """The declarations from the LAIT files in ``lait_dir`` (see :func:`declarations`)."""
    from cscbench.datasets.catalogue import CATALOGUE
    from cscbench.datasets.lait import held_decimals, read_lait

    lait = read_lait(lait_dir)
    one_year = lait.values.filter(pl.col("years_covered") == 1)
    held = dict(held_decimals(one_year).iter_rows())
    taken = {
        i.lait_measure
        for i in CATALOGUE.indicators.values()
        if i.lait_measure and i.source != "lait"
    }
    return declarations(lait.measures, held, taken)


if __name__ == "__main__":  # python -m cscbench.datasets.lait_catalogue [LAIT_DIR]
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data/lait")
    target = Path(__file__).parent / "catalogue" / "lait.toml"
    target.write_text(generate(folder))
    print(f"wrote {target}")
