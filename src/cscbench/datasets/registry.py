"""The indicator registry: the single source of truth for what cscbench measures.

Each :class:`Indicator` says where its numerator and denominator come from (DfE file and
column), its unit, its polarity and DfE's definition. Loaders, the snapshot, the engine, the
charts and the narrative all read this table; nothing else lists indicators.

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
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from typing import Literal

import polars as pl

Unit = Literal["rate_per_10k", "percent", "count"]
Polarity = Literal["low_is_good", "high_is_good", "context"]

#: The denominator of every rate: the ONS mid-year estimate of children aged 0 to 17.
POPULATION = "population"

#: What one unit of each kind multiplies numerator / denominator by.
MULTIPLIER: dict[str, float] = {"rate_per_10k": 10_000.0, "percent": 100.0, "count": 1.0}


@dataclass(frozen=True)
class Source:
    """A DfE or ONS file the loaders read, found in a folder by its file-name pattern."""

    key: str
    pattern: str
    title: str
    publication: str
    category_column: str | None = None
    #: What the file's figures are about, as a sentence says it: "children looked after".
    topic: str | None = None


SOURCES: dict[str, Source] = {
    s.key: s
    for s in (
        Source(
            "b1",
            "b1_children_in_need_*.csv",
            "Children in need",
            "Children in need",
            topic="children in need",
        ),
        Source(
            "c1",
            "c1_children_in_need_referrals_and_rereferrals_*.csv",
            "Referrals and re-referrals",
            "Children in need",
            topic="referrals",
        ),
        Source(
            "c3",
            "c3_factors_identified_at_end_of_assessment_*.csv",
            "Factors identified at the end of assessment",
            "Children in need",
            topic="factors identified at the end of assessment",
        ),
        Source(
            "d3",
            "d3_cpps_subsequent_plan_*.csv",
            "Child protection plans that are a second or subsequent plan",
            "Children in need",
            topic="child protection plans starting",
        ),
        Source(
            "d5",
            "d5_cpps_at31march_by_duration_*.csv",
            "Child protection plans at 31 March by length of time on the plan",
            "Children in need",
            topic="child protection plans at 31 March",
        ),
        Source(
            "cla",
            "cla_number_and_rate_per_10k_children*.csv",
            "Children looked after: numbers and rates per 10,000 children",
            "Children looked after in England including adoptions",
            category_column="population_type",
            topic="children looked after",
        ),
        Source(
            "population",
            "ons_mid-year_population_estimates_*.csv",
            "ONS mid-year population estimates, children aged 0 to 17",
            "ONS mid-year population estimates",
        ),
        Source(
            "lineage",
            "las_lineage.csv",
            "DfE list of local authorities with dates of operation",
            "DfE data screener reference data",
        ),
        Source(
            "sn2021",
            "New_Statistical_Neighbour_Groupings_April_2021.csv",
            "Children's services statistical neighbours, April 2021 (LGR version)",
            "DfE children's services statistical neighbour benchmarking tool",
        ),
        Source(
            "sn2025",
            "sn_model_2025_wide.csv",
            "Children's services statistical neighbours, 2025 model",
            "DfE children's services statistical neighbour benchmarking tool",
        ),
    )
}

CLA_AT_31_MARCH = "Children looked after on 31 March each year"
CLA_STARTING = "Children starting to be looked after each year"
CLA_CEASING = "Children ceasing to be looked after each year"


@dataclass(frozen=True)
class Indicator:
    """One indicator: where its figures come from and how to read them."""

    id: str
    title: str
    unit: Unit
    source: str
    numerator: str
    denominator: str | None
    polarity: Polarity
    definition: str
    published: str | None = None
    category: str | None = None
    lait_measure: str | None = None
    #: The theme of the report it belongs to (one of :data:`THEMES`).
    theme: str = ""

    @property
    def short(self) -> str:
        """The indicator as a sentence names it, in lower case: 're-referrals within 12 months'."""
        return SHORT[self.id]

    @property
    def headline(self) -> str:
        """The indicator as a chart title names it when :attr:`short` would make the title too
        long: five words or fewer.

        Example:
            >>> INDICATORS["cp_2yrs_pct"].headline, INDICATORS["cin_rate"].headline
            ('plans lasting 2+ years', 'rate of children in need')
        """
        return HEADLINE.get(self.id, SHORT[self.id])

    @property
    def at_31_march(self) -> bool:
        """True for a count on one day (31 March); False for events during the year."""
        return self.id in AT_31_MARCH

    @property
    def looks_back(self) -> bool:
        """True for a measure counted against the authority's earlier records (re-referrals).

        Example:
            >>> INDICATORS["rereferral_pct"].looks_back, INDICATORS["referral_rate"].looks_back
            (True, False)
        """
        return self.id in LOOKS_BACK

    @property
    def decimals(self) -> int:
        """Decimal places for display: counts as whole numbers, rates and percentages to 1."""
        return 0 if self.unit == "count" else 1

    @property
    def multiplier(self) -> float:
        return MULTIPLIER[self.unit]


def _count(id_, title, source, column, definition, lait=None, category=None, published=True):
    return Indicator(
        id_,
        title,
        "count",
        source,
        column,
        None,
        "context",
        definition,
        published=column if published else None,
        category=category,
        lait_measure=lait,
    )


#: The themes of a report's data section, in the order it reads them.
FRONT_DOOR = "front door and assessment"
CHILDREN_IN_NEED = "children in need"
CHILD_PROTECTION = "child protection"
LOOKED_AFTER = "children looked after"
THEMES = (FRONT_DOOR, CHILDREN_IN_NEED, CHILD_PROTECTION, LOOKED_AFTER)


def _themed(theme: str, *indicators: Indicator) -> list[Indicator]:
    return [replace(i, theme=theme) for i in indicators]


#: Every indicator, by theme in the order a report reads them (this order is every table's,
#: section's and chart's).
INDICATORS: dict[str, Indicator] = {
    i.id: i
    for i in (
        *_themed(
            FRONT_DOOR,
            _count(
                "referral_count",
                "Referrals in the year",
                "c1",
                "referral_count",
                "Referrals to children's social care completed in the year ending 31 March.",
                lait="CPP_Total_NumRef",
            ),
            Indicator(
                "referral_rate",
                "Referrals per 10,000 children",
                "rate_per_10k",
                "c1",
                "referral_count",
                POPULATION,
                "context",
                "Referrals in the year ending 31 March per 10,000 children aged 0 to 17.",
                lait_measure="CPP_Total_Rateper10,000",
            ),
            Indicator(
                "rereferral_pct",
                "Re-referrals within 12 months (%)",
                "percent",
                "c1",
                "rereferral_count",
                "referral_count",
                "low_is_good",
                "Referrals in the year that were within 12 months of a previous referral of the "
                "same child, as a percentage of all referrals in the year.",
                published="rereferral_percent",
                lait_measure="ReReferral",
            ),
            Indicator(
                "nfa_pct",
                "Referrals resulting in no further action (%)",
                "percent",
                "c1",
                "no_further_action_count",
                "referral_count",
                "context",
                "Referrals in the year that resulted in no further action, as a percentage of all "
                "referrals in the year.",
                published="no_further_action_percent",
                lait_measure="CIN_Refferals_NFA",
            ),
        ),
        *_themed(
            CHILDREN_IN_NEED,
            _count(
                "cin_count",
                "Children in need at 31 March",
                "b1",
                "At31_episodes",
                "Children in need (open episodes of need) at 31 March.",
            ),
            Indicator(
                "cin_rate",
                "Children in need per 10,000 children",
                "rate_per_10k",
                "b1",
                "At31_episodes",
                POPULATION,
                "context",
                "Children in need at 31 March per 10,000 children aged 0 to 17.",
                lait_measure="CIN",
            ),
        ),
        *_themed(
            CHILD_PROTECTION,
            _count(
                "cp_count",
                "Children on a child protection plan at 31 March",
                "d5",
                "CPP_At31",
                "Children who were the subject of a child protection plan at 31 March.",
            ),
            Indicator(
                "cp_rate",
                "Child protection plans per 10,000 children",
                "rate_per_10k",
                "d5",
                "CPP_At31",
                POPULATION,
                "context",
                "Children who were the subject of a child protection plan at 31 March per 10,000 "
                "children aged 0 to 17.",
                lait_measure="CPP_rate",
            ),
            _count(
                "cp_start_count",
                "Child protection plans starting in the year",
                "d3",
                "CPP_start",
                "Child protection plans that started in the year ending 31 March.",
                lait="CPP_Abuse",
            ),
            Indicator(
                "cp_start_rate",
                "Child protection plans starting per 10,000 children",
                "rate_per_10k",
                "d3",
                "CPP_start",
                POPULATION,
                "low_is_good",
                "Child protection plans that started in the year ending 31 March per 10,000 "
                "children aged 0 to 17.",
                lait_measure="CPP_Abuse_Rate",
            ),
            Indicator(
                "cp_subsequent_pct",
                "Second or subsequent child protection plans (%)",
                "percent",
                "d3",
                "CPP_subsequent",
                "CPP_start",
                "low_is_good",
                "Child protection plans starting in the year that were a second or subsequent "
                "plan for the child, as a percentage of all plans starting in the year.",
                published="CPP_subsequent_percent",
                lait_measure="PrevRegCPR",
            ),
            Indicator(
                "cp_2yrs_pct",
                "Child protection plans open 2 years or more (%)",
                "percent",
                "d5",
                "2_years_or_more",
                "CPP_At31",
                "low_is_good",
                "Child protection plans open at 31 March that had lasted 2 years or more, as a "
                "percentage of all plans open at 31 March.",
                published="2_years_or_more_percent",
                lait_measure="CPPlans2yrsActive",
            ),
        ),
        *_themed(
            LOOKED_AFTER,
            _count(
                "cla_count",
                "Children looked after at 31 March",
                "cla",
                "children_count",
                "Children looked after by the authority at 31 March.",
                lait="LACnum",
                category=CLA_AT_31_MARCH,
            ),
            Indicator(
                "cla_rate",
                "Children looked after per 10,000 children",
                "rate_per_10k",
                "cla",
                "children_count",
                POPULATION,
                "context",
                "Children looked after at 31 March per 10,000 children aged 0 to 17.",
                published="rate_per_10000",
                category=CLA_AT_31_MARCH,
                lait_measure="LAC",
            ),
            _count(
                "cla_start_count",
                "Children starting to be looked after in the year",
                "cla",
                "children_count",
                "Children who started to be looked after in the year ending 31 March.",
                lait="LACnum_Start",
                category=CLA_STARTING,
            ),
            Indicator(
                "cla_start_rate",
                "Children starting to be looked after per 10,000 children",
                "rate_per_10k",
                "cla",
                "children_count",
                POPULATION,
                "context",
                "Children who started to be looked after in the year ending 31 March per 10,000 "
                "children aged 0 to 17.",
                published="rate_per_10000",
                category=CLA_STARTING,
                lait_measure="LAC_Start_Rate",
            ),
            _count(
                "cla_ceased_count",
                "Children ceasing to be looked after in the year",
                "cla",
                "children_count",
                "Children who ceased to be looked after in the year ending 31 March.",
                lait="LACceased",
                category=CLA_CEASING,
            ),
            Indicator(
                "cla_ceased_rate",
                "Children ceasing to be looked after per 10,000 children",
                "rate_per_10k",
                "cla",
                "children_count",
                POPULATION,
                "context",
                "Children who ceased to be looked after in the year ending 31 March per 10,000 "
                "children aged 0 to 17.",
                published="rate_per_10000",
                category=CLA_CEASING,
                lait_measure="LAC_Cease_Rate",
            ),
        ),
    )
}


#: How sentences and chart titles name each indicator.
SHORT: dict[str, str] = {
    "cin_count": "children in need",
    "cin_rate": "rate of children in need",
    "referral_count": "referrals",
    "referral_rate": "rate of referrals",
    "rereferral_pct": "re-referrals within 12 months",
    "nfa_pct": "referrals with no further action",
    "cp_count": "children on a child protection plan",
    "cp_rate": "rate of child protection plans",
    "cp_start_count": "child protection plans starting",
    "cp_start_rate": "rate of child protection plans starting",
    "cp_subsequent_pct": "second or subsequent plans",
    "cp_2yrs_pct": "plans lasting 2 years or more",
    "cla_count": "children looked after",
    "cla_rate": "rate of children looked after",
    "cla_start_count": "children starting to be looked after",
    "cla_start_rate": "rate of children starting care",
    "cla_ceased_count": "children ceasing to be looked after",
    "cla_ceased_rate": "rate of children leaving care",
}

#: Shorter names for a chart title that the name in ``SHORT`` would take past the DfE
#: analysts' guide's ten words: each is five words or fewer.
HEADLINE: dict[str, str] = {
    "cp_count": "children on child protection plans",
    "cp_start_rate": "rate of plans starting",
    "cp_2yrs_pct": "plans lasting 2+ years",
    "cla_start_count": "children starting care",
    "cla_ceased_count": "children leaving care",
}

#: Indicators counted on 31 March (the rest count events during the year ending 31 March).
AT_31_MARCH = frozenset(
    {"cin_count", "cin_rate", "cp_count", "cp_rate", "cp_2yrs_pct", "cla_count", "cla_rate"}
)

#: Indicators that count an event against earlier ones in the authority's own records: a
#: re-referral is a referral within 12 months of a previous referral of the same child. A newly
#: made authority's first year can miss earlier referrals to the councils it replaced (see
#: :func:`cscbench.datasets.lineage.first_years`).
LOOKS_BACK = frozenset({"rereferral_pct"})


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


def rates_and_percentages() -> tuple[str, ...]:
    """Indicators comparable across authorities of any size (not counts), in registry order.

    Example:
        >>> rates_and_percentages()[:3]
        ('referral_rate', 'rereferral_pct', 'nfa_pct')
    """
    return tuple(k for k, i in INDICATORS.items() if i.unit != "count")


def get_indicator(indicator_id: str) -> Indicator:
    """The registry entry for ``indicator_id``, or a one-line error listing the valid ids.

    Example:
        >>> get_indicator("cla_rate").denominator
        'population'
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


def registry_frame() -> pl.DataFrame:
    """The registry as a DataFrame, one row per indicator (what ``cscbench indicators`` shows).

    Example:
        >>> registry_frame().filter(pl.col("id") == "cp_rate")["unit"].item()
        'rate_per_10k'
    """
    rows = []
    for ind in INDICATORS.values():
        row = asdict(ind)
        row["source_file"] = SOURCES[ind.source].pattern
        row["decimals"] = ind.decimals
        rows.append(row)
    columns = [
        "id",
        "theme",
        "title",
        "unit",
        "polarity",
        "source",
        "source_file",
        "category",
        "numerator",
        "denominator",
        "published",
        "decimals",
        "lait_measure",
        "definition",
    ]
    return pl.DataFrame(rows).select(columns)
