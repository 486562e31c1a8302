"""The indicator registry: the single source of truth for what cscbench measures.

The indicators and the files they come from are declared as data in
:mod:`cscbench.datasets.catalogue` (``indicators.toml``, ``sources.toml``); this module is the
registry every other part reads: :data:`INDICATORS` (by theme, in the order a report reads
them), :data:`SOURCES`, the units' properties, and the look-ups the command line uses.
Nothing else lists indicators.

Polarity follows DfE's Local Authority Interactive Tool (LAIT) data dictionary, whose measure
is named in ``lait_measure``: ``Low`` -> ``low_is_good``, ``High`` -> ``high_is_good``, ``-`` ->
``context`` (neither is better: no best rank, no quartile band).

Rates per 10,000 children for the year ending 31 March Y use the ONS mid-year estimate of
children aged 0 to 17 for mid-year Y-1, as DfE does (Derby's 2025 looked-after rate is
545 / 62,113 mid-2024 children x 10,000 = 87.7). The ONS file holds today's revised estimates,
so rates for older years can differ slightly from those first published (Derby's 2017 rate of
children in need was published as 461.6; with the revised mid-2016 estimate it is 465.2).

Example:
    >>> INDICATORS["rereferral_pct"].unit
    'percent'
    >>> INDICATORS["rereferral_pct"].polarity
    'low_is_good'
    >>> INDICATORS["icpc_15days_pct"].theme, INDICATORS["sw_caseload"].theme
    ('child protection', 'workforce')
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from cscbench.datasets.catalogue import (
    INDICATORS,
    POPULATION,
    SOURCES,
    THEMES,
    UNITS,
    Indicator,
    Source,
    catalogue_frame,
)

__all__ = [
    "INDICATORS",
    "LOOKS_BACK",
    "MULTIPLIER",
    "POPULATION",
    "SHARES",
    "SIZES",
    "SOURCES",
    "THEMES",
    "UNITS",
    "Indicator",
    "Source",
]

#: What one unit of each kind multiplies numerator / denominator by.
MULTIPLIER: dict[str, float] = {key: unit.multiplier for key, unit in UNITS.items()}

#: Units whose figure is a percentage: a change is in percentage points.
SHARES = frozenset({"percent", "fte_percent", "lait_percent"})

#: Units that measure an authority's size (counts of children, full-time equivalents): context
#: for its other figures, never ranked, banded or compared with England.
SIZES = frozenset({"count", "fte"})

#: Indicators that count an event against earlier ones in the authority's own records: a
#: re-referral is a referral within 12 months of a previous referral of the same child. A newly
#: made authority's first year can miss earlier referrals to the councils it replaced (see
#: :func:`cscbench.datasets.lineage.first_years`).
LOOKS_BACK = frozenset(k for k, i in INDICATORS.items() if i.looks_back)


#: Factors identified at the end of assessment (c3), by DfE's column name, as charts name them.
#: "(parent)", "(child)" and "(other person)" say whose circumstances the concern is about
#: (DfE: the child, a parent or carer, another person living in the household).
FACTOR_LABELS: dict[str, str] = {
    "Alcohol_Misuse_child": "Alcohol misuse (child)",
    "Alcohol_Misuse_parent": "Alcohol misuse (parent)",
    "Alcohol_Misuse_person": "Alcohol misuse (other person)",
    "Child_criminal_exploitation": "Child criminal exploitation",
    "Child_sexual_exploitation": "Child sexual exploitation",
    "Domestic_Abuse_child": "Domestic abuse (child)",
    "Domestic_Abuse_parent": "Domestic abuse (parent)",
    "Domestic_Abuse_person": "Domestic abuse (other person)",
    "Drug_Misuse_child": "Drug misuse (child)",
    "Drug_Misuse_parent": "Drug misuse (parent)",
    "Drug_Misuse_person": "Drug misuse (other person)",
    "Emotional_Abuse": "Emotional abuse",
    "Faith_linked_abuse": "Faith-linked abuse",
    "Female_Genital_Mutilation": "Female genital mutilation",
    "Gangs": "Gangs",
    "Going_missing": "Going missing",
    "Learning_Disability_child": "Learning disability (child)",
    "Learning_Disability_parent": "Learning disability (parent)",
    "Learning_Disability_person": "Learning disability (other person)",
    "Mental_Health_child": "Mental health (child)",
    "Mental_Health_parent": "Mental health (parent)",
    "Mental_Health_person": "Mental health (other person)",
    "Neglect": "Neglect",
    "Other": "Other",
    "Physical_Abuse_adult_on_child": "Physical abuse (adult on child)",
    "Physical_Abuse_child_on_child": "Physical abuse (child on child)",
    "Physical_Abuse_unknown": "Physical abuse (by whom unknown)",
    "Physical_Disability_child": "Physical disability (child)",
    "Physical_Disability_parent": "Physical disability (parent)",
    "Physical_Disability_person": "Physical disability (other person)",
    "Privately_fostered": "Privately fostered",
    "Self_harm": "Self-harm",
    "Sexual_Abuse_adult_on_child": "Sexual abuse (adult on child)",
    "Sexual_Abuse_child_on_child": "Sexual abuse (child on child)",
    "Sexual_Abuse_unknown": "Sexual abuse (by whom unknown)",
    "Socially_unacceptable_behaviour": "Socially unacceptable behaviour",
    "Trafficking": "Trafficking",
    "Unaccompanied_asylum_seeker": "Unaccompanied asylum seeker",
    "Young_Carer": "Young carer",
}


def factor_label(factor: str) -> str:
    """A c3 factor's name for charts; one DfE adds later is named from its column.

    Example:
        >>> factor_label("Mental_Health_parent"), factor_label("New_factor")
        ('Mental health (parent)', 'New factor')
    """
    return FACTOR_LABELS.get(factor, factor.replace("_", " "))


def core_indicators() -> list[str]:
    """The indicators of the files every data set has (the catalogue's required sources).

    Example:
        >>> "rereferral_pct" in core_indicators(), "sw_caseload" in core_indicators()
        (True, False)
    """
    return [k for k, i in INDICATORS.items() if not SOURCES[i.source].optional]


def comparable() -> tuple[str, ...]:
    """Indicators comparable across authorities of any size (not counts or FTEs), in registry
    order: what an overview (spine) chart shows and what is ranked.

    Example:
        >>> comparable()[:3]
        ('referral_rate', 'rereferral_pct', 'nfa_pct')
        >>> "cin_count" in comparable() or "sw_fte" in comparable()
        False
    """
    return tuple(k for k, i in INDICATORS.items() if i.unit not in SIZES)


def charted() -> tuple[str, ...]:
    """Each theme's headline measures (declared ``charted``): drawn as trend and comparator
    charts in a pack; the theme's other indicators are in its tables.

    Example:
        >>> [i for i in charted() if INDICATORS[i].theme == "front door and assessment"]
        ['referral_rate', 'rereferral_pct']
    """
    return tuple(k for k, i in INDICATORS.items() if i.charted)


def of_theme(theme: str) -> tuple[str, ...]:
    """The indicators of ``theme`` (one of :data:`THEMES`, or a unique start of one), in order.

    Example:
        >>> of_theme("care leavers")[:2]
        ('care_leavers_eet_17_18_pct', 'care_leavers_eet_19_21_pct')
    """
    return tuple(k for k, i in INDICATORS.items() if i.theme == theme_named(theme))


def theme_named(text: str) -> str:
    """The theme ``text`` names: its name, or a unique start of it ("workforce", "care").

    Example:
        >>> theme_named("placements"), theme_named("Front door")
        ('placements and stability', 'front door and assessment')
    """
    from cscbench.errors import UsageError

    key = " ".join(text.lower().replace("-", " ").split())
    found = [t for t in THEMES if t == key] or [t for t in THEMES if t.startswith(key)]
    if len(found) != 1:
        raise UsageError(f"unknown theme {text!r}; themes: {', '.join(THEMES)}")
    return found[0]


def themes_ids(themes: str | Sequence[str] | None) -> list[str] | None:
    """The indicators of ``themes`` (a list, one theme, or themes separated by commas), in
    registry order; None stays None (every indicator).

    Example:
        >>> themes_ids("workforce")[:2]
        ['sw_fte', 'sw_turnover_pct']
    """
    if themes is None:
        return None
    if isinstance(themes, str):
        themes = [t.strip() for t in themes.split(",") if t.strip()]
    chosen = {theme_named(t) for t in themes}
    return [k for k, i in INDICATORS.items() if i.theme in chosen]


def get_indicator(indicator_id: str) -> Indicator:
    """The registry entry for ``indicator_id``, or a one-line error listing the valid ids.

    Example:
        >>> get_indicator("cla_rate").denominator.population
        True
    """
    from cscbench.errors import UsageError

    try:
        return INDICATORS[indicator_id]
    except KeyError:
        raise UsageError(
            f"unknown indicator {indicator_id!r}; known: {', '.join(INDICATORS)}"
        ) from None


def indicator_ids(indicators: str | Sequence[str] | None) -> list[str] | None:
    """``indicators`` as a list of registry ids, each checked: a list, one id, or ids separated
    by commas. None stays None (every indicator); a list that names nothing is an error.

    Example:
        >>> indicator_ids("cla_rate"), indicator_ids("cla_rate, cp_rate"), indicator_ids(None)
        (['cla_rate'], ['cla_rate', 'cp_rate'], None)
    """
    from cscbench.errors import UsageError

    if indicators is None:
        return None
    if isinstance(indicators, str):
        indicators = [name.strip() for name in indicators.split(",") if name.strip()]
    ids = list(indicators)
    if not ids:
        raise UsageError("no indicators given: name one or more (see cscbench indicators)")
    for name in ids:
        get_indicator(name)
    return ids


def in_order(ids: Sequence[str] | None = None) -> pl.Expr:
    """A sort key on the ``indicator`` column: the order of ``ids`` (as a user gave them), else
    the registry's (by theme, as a report reads).

    Example:
        >>> f = pl.DataFrame({"indicator": ["cla_rate", "cin_rate", "rereferral_pct"]})
        >>> f.sort(in_order())["indicator"].to_list()
        ['rereferral_pct', 'cin_rate', 'cla_rate']
        >>> f.sort(in_order(["cla_rate", "rereferral_pct", "cin_rate"]))["indicator"].to_list()
        ['cla_rate', 'rereferral_pct', 'cin_rate']
    """
    names = list(ids) if ids is not None else list(INDICATORS)
    position = {name: k for k, name in enumerate(names)}
    return pl.col("indicator").replace_strict(
        position, default=len(position), return_dtype=pl.Int32
    )


def registry_frame(theme: str | None = None) -> pl.DataFrame:
    """The registry as a DataFrame, one row per indicator (what ``cscbench indicators``
    shows), optionally of one ``theme``.

    Example:
        >>> registry_frame().filter(pl.col("id") == "cp_rate")["unit"].item()
        'rate_per_10k'
        >>> registry_frame("workforce")["id"].to_list()[:2]
        ['sw_fte', 'sw_turnover_pct']
    """
    frame = catalogue_frame()
    if theme is not None:
        frame = frame.filter(pl.col("theme") == theme_named(theme))
    return frame
