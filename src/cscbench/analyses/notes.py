"""Notes on the data: what applies to a whole benchmark, said once rather than in every
indicator's sentences.

- :func:`reorganisation_notes`: a reorganisation that changed the area of the authority or of
  one of its comparators within the years compared (not a council becoming unitary over the
  same area, as North Yorkshire's, Somerset's and Buckinghamshire's did), naming who and when;
- :func:`report_narrative`: the narrative of every indicator, a sentence for each DfE file the
  data hold no figures from that year (:func:`~cscbench.analyses.coverage.not_held`), and
  these notes: what the ``narrative`` command and the pack say;
- :func:`brief_paragraphs`: the same in brief, one paragraph per theme (``narrative --style
  brief``).

Example:
    >>> from cscbench.analyses import benchmark
    >>> from cscbench.datasets import group
    >>> table = benchmark("Cumberland", year=2025)
    >>> print(reorganisation_notes(table, group("Cumberland"))["sentence"][0])
    ... # doctest: +NORMALIZE_WHITESPACE
    Cumberland's figures start in 2023-24: on 1 April 2023 Cumbria was split into Cumberland
    and Westmorland and Furness. There is no longer-term comparison for Cumberland.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import polars as pl

from cscbench.analyses.coverage import not_held
from cscbench.analyses.narrative import SENTENCE_SCHEMA, narrative, not_held_sentences
from cscbench.analyses.wording import names_list, sentence_case, year_label
from cscbench.datasets import load_areas
from cscbench.datasets.areas import spoken_name
from cscbench.datasets.groups import ComparatorGroup
from cscbench.datasets.lineage import SUCCESSIONS, created_by
from cscbench.datasets.registry import INDICATORS, THEMES
from cscbench.datasets.store import Source

NOTE_TITLE = "Notes on the data"


def _note(sentence: str, fields: dict) -> dict:
    return {
        "indicator": None,
        "title": NOTE_TITLE,
        "kind": "note",
        "sentence": sentence_case(sentence),
        "fields": json.dumps(fields),
    }


def reorganisation_notes(
    table: pl.DataFrame, group: ComparatorGroup | None = None, source: Source = None
) -> pl.DataFrame:
    """A note per reorganisation that changed an area within the years ``table`` compares,
    touching its authority or (with ``group``) one of its comparators.

    The years compared run from the earliest base year of the table's rows (else the year
    before) to its year.
    """
    if table.is_empty():
        return pl.DataFrame(schema=SENTENCE_SCHEMA)
    focus, year = table["la_code"][0], int(table["year"][0])
    name = spoken_name(table["area_name"][0])
    bases = table["base_year"].drop_nulls()
    start = int(bases.min()) if bases.len() else year - 1
    names = dict(load_areas(source).select("la_code", "area_name").rows())
    out = []
    made = created_by(focus)
    if made is not None and made.year <= year:
        out.append(
            _note(
                f"{name}'s figures start in {year_label(made.year)}: "
                f"{made.note[0].lower()}{made.note[1:-1]}. There is no longer-term comparison "
                f"for {name}.",
                {"first_year": made.year},
            )
        )
    members = set(group.members) if group is not None else set()
    for s in SUCCESSIONS:
        if not s.boundary_changed or not start < s.year <= year:
            continue
        new = [spoken_name(names.get(c, c)) for c in s.after if c in members]
        old = [spoken_name(names.get(c, c)) for c in s.before if c in members]
        said = []
        if new:
            said.append(
                f"{names_list(new)}, in {name}'s comparator group, "
                f"{'has' if len(new) == 1 else 'have'} figures only from {year_label(s.year)}"
            )
        if old:
            said.append(
                f"{names_list(old)}, in {name}'s comparator group, "
                f"{'has' if len(old) == 1 else 'have'} no figures after {year_label(s.year - 1)}"
            )
        if said:
            out.append(
                _note(
                    f"{s.note} {'; '.join(said)}, so comparator averages either side of "
                    f"{year_label(s.year)} are over different authorities.",
                    {"year": s.year, "before": list(s.before), "after": list(s.after)},
                )
            )
    return pl.DataFrame(out, schema=SENTENCE_SCHEMA)


def lait_notes(table: pl.DataFrame, source: Source = None) -> pl.DataFrame:
    """A note where the table holds figures that are LAIT's, not from a DfE file with counts:
    the looked-after years before DfE's file by authority (2015-16 to 2019-20), and LAIT's
    values-only measures.

    Example:
        >>> from cscbench.analyses import benchmark
        >>> notes = lait_notes(benchmark("Rutland", year=2018, indicators=["cla_count"]))
        >>> notes["sentence"][0][:75]
        "Figures on children looked after for 2017-18 are LAIT's published values, a"
    """
    from cscbench.datasets.lait_rows import FROM_LAIT
    from cscbench.datasets.registry import INDICATORS

    if table.is_empty():
        return pl.DataFrame(schema=SENTENCE_SCHEMA)
    year = int(table["year"][0])
    held = list(table.filter(pl.col("value").is_not_null())["indicator"])
    out = []
    back = [i for i in FROM_LAIT if i in held]
    first = _first_dfe_looked_after_year(source)
    if back and (first is None or year < first):
        out.append(
            _note(
                f"Figures on children looked after for {year_label(year)} are LAIT's published "
                f"values, as DfE's file by local authority starts in {year_label(first or year)}"
                ": counts as LAIT gives them, rates as LAIT published them (no interval is "
                "drawn for a rate).",
                {"year": year, "indicators": back},
            )
        )
    values_only = [k for k in held if INDICATORS[k].source == "lait"]
    if values_only:
        out.append(
            _note(
                f"{len(values_only)} measures are LAIT's published values (ids lait_...): no "
                "counts are behind them in the data, so they have no interval, funnel or "
                "pooled average; ranks and quartile bands follow LAIT's rule.",
                {"indicators": values_only},
            )
        )
    return pl.DataFrame(out, schema=SENTENCE_SCHEMA)


def _first_dfe_looked_after_year(source: Source = None) -> int | None:
    """The first year of DfE's looked-after file by authority (its rates have counts; the
    years before are LAIT's values, with none)."""
    from cscbench.datasets.store import scan

    return (
        scan("indicators", source)
        .filter(
            pl.col("indicator") == "cla_rate",
            pl.col("geography") == "la",
            pl.col("numerator").is_not_null(),
        )
        .select(pl.col("year").min())
        .collect()
        .item()
    )


def report_narrative(
    table: pl.DataFrame,
    group: ComparatorGroup | None = None,
    source: Source = None,
    indicators: str | Sequence[str] | None = None,
) -> pl.DataFrame:
    """Every indicator's sentences (:func:`~cscbench.analyses.narrative.narrative`), then one
    for each DfE file of ``indicators`` (default: all) with no figures that year, then the
    notes on the data."""
    if table.is_empty():
        return narrative(table)
    year = int(table["year"][0])
    return pl.concat(
        [
            narrative(table),
            not_held_sentences(not_held(year, indicators, source), year),
            reorganisation_notes(table, group, source),
            lait_notes(table, source),
        ]
    )


#: The kinds of sentence the brief narrative keeps: each indicator's level and caveats, the
#: DfE files with no figures and the notes (ranks and changes are in the full narrative).
BRIEF_KINDS = ("level", "caveat", "not_held", "note")


def brief_paragraphs(
    sentences: pl.DataFrame, kinds: Sequence[str] = BRIEF_KINDS
) -> list[tuple[str, str]]:
    """The narrative in brief: one paragraph per theme present, in report order (the theme's
    sentences of ``kinds`` joined, a caveat that several indicators give in the same words
    said once), then the notes on the data, once. Returns (heading, paragraph) pairs.

    Example:
        >>> s = pl.DataFrame({"indicator": ["cin_rate", "cin_rate", "cin_count", None],
        ...     "title": ["", "", "", NOTE_TITLE], "kind": ["level", "change", "caveat", "note"],
        ...     "sentence": ["It is high.", "It rose.", "Treat with caution.", "A note."],
        ...     "fields": ""})
        >>> brief_paragraphs(pl.concat([s, s[2:3]]))
        [('Children in need', 'It is high. Treat with caution.'), ('Notes on the data', 'A note.')]
    """
    sentences = sentences.filter(pl.col("kind").is_in(list(kinds)))
    by_theme: dict[str, list[str]] = {}
    for row in sentences.iter_rows(named=True):
        ind = row["indicator"]
        heading = NOTE_TITLE if ind is None else sentence_case(INDICATORS[ind].theme)
        said = by_theme.setdefault(heading, [])
        if row["sentence"] not in said:
            said.append(row["sentence"])
    order = [sentence_case(t) for t in THEMES] + [NOTE_TITLE]
    return [(h, " ".join(by_theme[h])) for h in order if h in by_theme]


def brief_text(sentences: pl.DataFrame, markdown: bool = False) -> str:
    """:func:`brief_paragraphs` as text, each paragraph under its theme (a Markdown heading if
    ``markdown``)."""
    blocks = [f"{f'## {h}' if markdown else h}\n\n{p}" for h, p in brief_paragraphs(sentences)]
    return "\n\n".join(blocks) + "\n"
