"""Ofsted's judgements of an authority and its comparators: the latest inspection of local
authority children's services (ILACS) of each.

Ofsted grades overall effectiveness and four sub-judgements (the impact of leaders; the
experiences and progress of children who need help and protection; of children in care; of
care leavers, from 1 January 2023) on a four-point scale: outstanding, good, requires
improvement to be good, inadequate (Ofsted, "Inspecting local authority children's services",
2018 onwards). Each row here is one authority's latest inspection as Ofsted listed it at 31
March of the file's year, with its date, so that a judgement years old is seen as such.

Example:
    >>> table = inspections("Derby", group="sn2025")
    >>> table.select("role", "area_name", "overall_effectiveness").row(0)
    ('authority', 'Derby', 'Outstanding')
"""

from __future__ import annotations

import polars as pl

from cscbench.datasets import find_area, load_inspections
from cscbench.datasets import group as group_of
from cscbench.datasets.groups import ComparatorGroup
from cscbench.datasets.ofsted import GRADES, JUDGEMENTS
from cscbench.datasets.store import Source
from cscbench.errors import UsageError

#: How each judgement is named in a table or a sentence.
JUDGEMENT_TITLES = {
    "overall_effectiveness": "Overall effectiveness",
    "leadership": "Impact of leaders",
    "help_and_protection": "Children who need help and protection",
    "children_in_care": "Children in care",
    "care_leavers": "Care leavers",
}


def inspections(
    la: str,
    group: str | ComparatorGroup = "sn2025",
    comparators: str | list[str] | None = None,
    source: Source = None,
) -> pl.DataFrame:
    """The authority's and its comparators' latest Ofsted judgements: ``role`` (authority or
    comparator), code and name, the inspection and publication dates, and each judgement;
    comparators in group order, each judgement's ``*_rank`` on Ofsted's scale (1 outstanding).
    """
    frame = load_inspections(source)
    if frame.is_empty():
        raise UsageError(
            "the data hold no Ofsted inspection outcomes: import Ofsted's file "
            "(LA_Inspection_Outcomes_as_at_31_March_*.ods) with cscbench data import"
        )
    focus = find_area(la, source)
    chosen = group_of(focus["la_code"], group, comparators, source)
    codes = [chosen.focus, *chosen.members]
    order = pl.DataFrame({"la_code": codes, "_order": list(range(len(codes)))})
    rows = order.join(frame, on="la_code", how="left").sort("_order")
    grade = {g: k for k, g in enumerate(GRADES, 1)}
    return rows.select(
        pl.when(pl.col("la_code") == chosen.focus)
        .then(pl.lit("authority"))
        .otherwise(pl.lit("comparator"))
        .alias("role"),
        "la_code",
        "area_name",
        "inspection_date",
        "publication_date",
        *JUDGEMENTS,
        *(
            pl.col(j).replace_strict(grade, default=None, return_dtype=pl.Int8).alias(f"{j}_rank")
            for j in JUDGEMENTS
        ),
    )


def inspection_summary(table: pl.DataFrame) -> list[str]:
    """Sentences on the authority's judgement against its comparators'.

    Example:
        >>> inspection_summary(inspections("Rutland"))[0]  # doctest: +ELLIPSIS
        "Ofsted judged Rutland's children's services good overall at its inspection of ..."
    """
    from cscbench.analyses.wording import and_list
    from cscbench.datasets.areas import spoken_name

    own = table.filter(pl.col("role") == "authority").row(0, named=True)
    others = table.filter(
        pl.col("role") == "comparator", pl.col("overall_effectiveness").is_not_null()
    )
    name = spoken_name(own["area_name"] or own["la_code"])
    if own["overall_effectiveness"] is None:
        return [f"The data hold no Ofsted judgement of {name}'s children's services."]
    said = [
        f"Ofsted judged {name}'s children's services {own['overall_effectiveness'].lower()} "
        f"overall at its inspection of {own['inspection_date']:%B %Y}."
    ]
    if others.height:
        counts = dict(others.group_by("overall_effectiveness").len().rows())
        parts = [f"{counts[g]} {g.lower()}" for g in GRADES if counts.get(g)]
        said.append(
            f"Of its {others.height} comparators with a judgement, Ofsted judged "
            f"{and_list(parts)} overall."
        )
    return said
