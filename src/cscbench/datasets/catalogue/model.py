"""The catalogue's data model: units, sources, terms and indicators (read from TOML by
:mod:`cscbench.datasets.catalogue.reading`; see the package docstring for the fields)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

FOLDER = Path(__file__).parent
POPULATION = "population"
POLARITIES = ("low_is_good", "high_is_good", "context")
KINDS = ("tidy", "population", "lineage", "factors", "neighbours", "inspections", "lait")
#: The units of LAIT's values-only indicators (source kind "lait").
LAIT_UNITS = ("lait_percent", "lait_rate", "lait_count", "pounds", "lait_value")
DATED = ("31 March", "30 September")
#: Scales a denominator may take: DfE's working days in the year to 30 September Y (253; 254
#: when Y is a leap year), for sickness absence (DfE, children's social work workforce
#: methodology, "absence rates").
SCALES = ("working_days",)
#: Where a value comes from: numerator / denominator, or DfE's printed figure.
VALUE_FROM = ("recomputed", "published")

#: A filter on breakdown columns: (column, accepted values) pairs.
Filter = tuple[tuple[str, tuple[str, ...]], ...]


@dataclass(frozen=True)
class Unit:
    """What an indicator's value is: its multiplier and whether an interval is meaningful."""

    key: str
    label: str
    multiplier: float
    ratio: bool
    interval: bool
    note: str | None = None


@dataclass(frozen=True)
class Source:
    """A file cscbench reads (see the field notes at the top of ``sources.toml``)."""

    key: str
    title: str
    publication: str
    pattern: str
    kind: str
    breakdown: tuple[str, ...] = ()
    count: str | None = None
    percent: str | None = None
    fractional: tuple[str, ...] = ()
    scores: Filter = ()
    dated: str = "31 March"
    joint_returns: bool = False
    rounding: tuple[tuple[str, float], ...] = ()
    columns: tuple[str, ...] = ()
    geography: bool = False
    sheet: str | None = None
    #: What the file's figures are about, as a sentence says it: "children looked after".
    topic: str | None = None
    #: A data set may lack the file: its indicators then have no figures, said as such.
    optional: bool = False

    @property
    def long(self) -> bool:
        """True for a long file: a breakdown column says what each row's count counts."""
        return self.count is not None

    @property
    def category_column(self) -> str | None:
        """The one breakdown column of a wide file (cla's population_type), as the registry
        names it."""
        return self.breakdown[0] if len(self.breakdown) == 1 and not self.long else None


@dataclass(frozen=True)
class Term:
    """Where a numerator or denominator comes from: columns of a row (summed), the rows a
    breakdown filter picks (summed), or the ONS population."""

    columns: tuple[str, ...] = ()
    where: Filter = ()
    population: bool = False

    def describe(self) -> str:
        """The term as the declaration writes it, for listings and messages."""
        if self.population:
            return POPULATION
        if self.where:
            return " and ".join(f"{c} = {describe_values(v)}" for c, v in self.where)
        return " + ".join(self.columns)

    @property
    def rows(self) -> int:
        """How many rows of a file the term reads for one area and year (a filter with a list
        of values sums that many rows; columns are summed within one row)."""
        n = 1
        for _, values in self.where:
            n *= len(values)
        return n


def describe_values(values: tuple[str, ...]) -> str:
    return repr(values[0]) if len(values) == 1 else "[" + ", ".join(map(repr, values)) + "]"


@dataclass(frozen=True)
class Indicator:
    """One declared indicator (see the module docstring for each field)."""

    id: str
    title: str
    short: str
    headline: str
    theme: str
    unit: str
    decimals: int
    polarity: str
    period: str
    definition: str
    source: str
    numerator: Term | None
    denominator: Term | None = None
    rows: Filter = ()
    published: str | None = None
    published_decimals: int | None = None
    denominator_scale: str | None = None
    lait_measure: str | None = None
    charted: bool = False
    looks_back: bool = False
    value_from: str = "recomputed"
    quartiles: bool = True  # LAIT's marker: False where it gives no quartile bands

    @property
    def at_31_march(self) -> bool:
        """True for a count on 31 March; False for events in a year, or a September count."""
        return self.period == "31 March"

    @property
    def multiplier(self) -> float:
        from cscbench.datasets.catalogue import UNITS

        return UNITS[self.unit].multiplier

    @property
    def interval(self) -> bool:
        """Whether a confidence interval (and a funnel) is meaningful for this indicator."""
        from cscbench.datasets.catalogue import UNITS

        return UNITS[self.unit].interval

    @property
    def category(self) -> str | None:
        """The value of a wide file's category column this indicator reads (cla's
        population_type), as the registry names it."""
        from cscbench.datasets.catalogue import SOURCES

        column = SOURCES[self.source].category_column
        return next((v[0] for c, v in self.rows if c == column), None)


@dataclass(frozen=True)
class Catalogue:
    """Units, themes, sources and indicators, as declared."""

    units: dict[str, Unit]
    themes: tuple[str, ...]
    periods: tuple[str, ...]
    sources: dict[str, Source]
    indicators: dict[str, Indicator]
