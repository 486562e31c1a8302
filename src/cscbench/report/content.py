"""The pack's content, built once as data; the writers (the page, the workbook) render it.

:func:`pack_content` gathers everything a pack says about one authority and year: the
benchmark table, the narrative, its key messages, the comparator group, one :class:`Section`
per indicator in report order (by theme), a section saying so for each DfE file the data hold
no figures from that year, and a :class:`ChartPlan` for every chart. A chart plan says what will
be drawn and builds its Altair chart only when asked, so the content of every authority and year
can be built (and tested) without drawing anything.

Example:
    >>> content = pack_content("Derby", year=2017, group_key="sn2021")
    >>> [s.indicator for s in content.sections][:3]
    ['referral_count', 'referral_rate', 'rereferral_pct']
    >>> [s.sentences[0] for s in content.sections if s.row is None][0]  # doctest: +ELLIPSIS
    "There are no figures on rate of children starting care for 2016-17: DfE's figures on ..."
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path

import polars as pl

from cscbench.analyses.authority import benchmark_and_series
from cscbench.analyses.coverage import not_held
from cscbench.analyses.key_messages import key_messages
from cscbench.analyses.notes import report_narrative
from cscbench.analyses.wording import year_label
from cscbench.datasets import find_area, group, load_areas, members_in_year
from cscbench.datasets.areas import spoken_name
from cscbench.datasets.groups import ComparatorGroup
from cscbench.datasets.registry import INDICATORS, THEMES, charted, themes_ids
from cscbench.datasets.store import Source
from cscbench.datasets.targets import TargetPlan
from cscbench.report.local_parts import LocalPart, local_parts
from cscbench.report.plans import ChartPlan

CHARTED = charted()  # each theme's headline measures; the rest are in tables and sentences
#: A theme with at least this many measures comparable across authorities gets an overview
#: (spine) chart of its own.
THEME_SPINE = 3


@dataclass(frozen=True)
class Section:
    """One indicator's part of the pack, or (``row`` None) a DfE file with no figures that
    year, said in words."""

    indicator: str
    title: str
    theme: str
    sentences: tuple[str, ...]
    row: dict | None = field(default=None, repr=False)
    charts: tuple[ChartPlan, ...] = ()


@dataclass(frozen=True)
class PackContent:
    """Everything one authority's pack says, before anything is drawn or written."""

    focus: dict
    name: str  # as sentences say it: 'Bristol', not DfE's 'Bristol, City of'
    year: int
    group: ComparatorGroup
    include_self: bool
    source: Source
    table: pl.DataFrame = field(repr=False)
    sentences: pl.DataFrame = field(repr=False)
    members: pl.DataFrame = field(repr=False)
    gaps: pl.DataFrame = field(repr=False)
    sections: tuple[Section, ...] = ()
    overview: ChartPlan | None = None
    theme_overviews: tuple[ChartPlan, ...] = ()
    factors: ChartPlan | None = None
    factors_note: str | None = None
    status: pl.DataFrame | None = field(default=None, repr=False)
    provisional: pl.DataFrame | None = field(default=None, repr=False)
    extra_charts: tuple[ChartPlan, ...] = ()
    inspections: pl.DataFrame | None = field(default=None, repr=False)
    inspection_sentences: tuple[str, ...] = ()
    #: At most six findings chosen by rule (:func:`~cscbench.analyses.key_messages.
    #: key_messages`), most important first: what the page and the Word document open with.
    key_messages: tuple[str, ...] = ()
    key_message_reasons: tuple[str, ...] = ()  # why each key message was chosen, in order
    #: The authority's own measures by local theme (``measures``: a local measures file).
    local_parts: tuple[LocalPart, ...] = ()

    @property
    def notes(self) -> tuple[str, ...]:
        """The notes on the data: what applies to the whole pack, said once."""
        return tuple(self.sentences.filter(pl.col("kind") == "note")["sentence"])

    def charts(self) -> Iterator[ChartPlan]:
        """Every chart plan, in the order the page shows them."""
        if self.overview is not None:
            yield self.overview
        overviews = {plan.section: plan for plan in self.theme_overviews}
        for theme, sections in self.themes():
            if f"overview:{theme}" in overviews:
                yield overviews[f"overview:{theme}"]
            for section in sections:
                yield from section.charts
            for part in self.local_in(theme):
                yield from part.charts
        for part in self.local_in(None):
            yield from part.charts
        if self.factors is not None:
            yield self.factors
        yield from self.extra_charts

    def tables(self) -> dict[str, pl.DataFrame]:
        """The pack's tables by name, as the workbook and the CSV files hold them."""
        found = {"benchmark": self.table, "narrative": self.sentences, "group": self.members}
        if self.status is not None:
            found["targets"] = self.status
        if self.provisional is not None:
            found["local_provisional"] = self.provisional
        if self.inspections is not None:
            found["inspections"] = self.inspections
        if self.local_parts:
            found["local_measures"] = pl.concat([p.summary for p in self.local_parts]).drop(
                "sentences"
            )
        return found

    def local_in(self, theme: str | None) -> list[LocalPart]:
        """The local measures' parts that join ``theme`` (None: the parts of their own, shown
        after every national theme)."""
        return [part for part in self.local_parts if part.theme == theme]

    def themes(self) -> list[tuple[str, list[Section]]]:
        """The sections by theme, in report order."""
        out: list[tuple[str, list[Section]]] = []
        for section in self.sections:
            if not out or out[-1][0] != section.theme:
                out.append((section.theme, []))
            out[-1][1].append(section)
        return out


def _factor_years(source: Source) -> tuple[int, int]:
    from cscbench.datasets import load_factors

    years = load_factors(source)["year"]
    return int(years.min()), int(years.max())


def _sections(
    table: pl.DataFrame, sentences: pl.DataFrame, plans: dict[str, list[ChartPlan]]
) -> tuple[Section, ...]:
    """A section per indicator of ``table`` and per DfE file the sentences say has no figures
    that year (kind ``not_held``), in registry order."""
    held = sentences.filter(~pl.col("kind").is_in(["not_held", "note"]))
    said: dict[str, list[str]] = {}  # each indicator's sentences, in order
    for ind, sentence in zip(held["indicator"].to_list(), held["sentence"].to_list(), strict=True):
        said.setdefault(ind, []).append(sentence)
    found = [
        Section(
            ind,
            INDICATORS[ind].title,
            INDICATORS[ind].theme,
            tuple(said.get(ind, ())),
            row,
            tuple(plans.get(ind, ())),
        )
        for row in table.iter_rows(named=True)
        for ind in (row["indicator"],)
    ]
    for row in sentences.filter(pl.col("kind") == "not_held").iter_rows(named=True):
        ind = row["indicator"]
        found.append(Section(ind, row["title"], INDICATORS[ind].theme, (row["sentence"],)))
    order = {name: k for k, name in enumerate(INDICATORS)}
    return tuple(sorted(found, key=lambda s: order[s.indicator]))


#: No authority of the group with a figure (the comparator chart then has no bars).
_NO_VALUES = pl.DataFrame(
    schema={
        "indicator": pl.String,
        "year": pl.Int32,
        "la_code": pl.String,
        "area_name": pl.String,
        "value": pl.Float64,
    }
)


def chart_plans(
    content: PackContent,
    indicators: Sequence[str],
    exclude_doubtful: bool = False,
    history: pl.DataFrame | None = None,
) -> dict[str, list[ChartPlan]]:
    """Trend and comparator chart plans for each charted indicator held in the year.
    ``history``: the authority's rows of every year (:func:`benchmark_and_series`), where
    the content's table was made with them; else they are worked out for the trend charts."""
    from cscbench.analyses import panel
    from cscbench.analyses.engine import series
    from cscbench.analyses.views import trend_views
    from cscbench.figures import comparator_spec, trend_spec
    from cscbench.figures.comparator import BAR_COLUMNS

    la, chosen, year = content.focus["la_code"], content.group, content.year
    include_self, source = content.include_self, content.source
    charted = [ind for ind in CHARTED if ind in set(indicators)]

    @cache
    def rows() -> pl.DataFrame:  # every year of the authority's rows, once for all charts
        if history is not None:
            return history.filter(pl.col("indicator").is_in(charted))
        return series(la, charted, chosen, include_self, source, exclude_doubtful)

    @cache
    def views() -> dict[str, pl.DataFrame]:  # each chart's years, split once for all
        return trend_views(rows(), year_to=year)

    @cache
    def values() -> dict[tuple[str, int], pl.DataFrame]:  # the group's figures by indicator, year
        # only each indicator's year in the table, and the columns a chart's bars show: split
        # whole (51 columns, every year), the panel took a quarter of the pack's charts' time
        years = content.table.select("indicator", "year")
        members = [chosen.focus, *chosen.members]
        found = panel(charted, source, members, years["year"].unique()).select(BAR_COLUMNS)
        found = found.join(years, on=["indicator", "year"], how="semi", maintain_order="left")
        return found.partition_by("indicator", "year", as_dict=True)

    by_indicator = {r["indicator"]: r for r in content.table.iter_rows(named=True)}

    def trend(ind: str) -> Callable[[], object]:
        return lambda: trend_spec(
            la,
            ind,
            chosen,
            include_self,
            year_to=year,
            source=source,
            rows=rows(),
            view=views().get(ind),
        )

    def comparators(ind: str) -> Callable[[], object]:
        return lambda: comparator_spec(
            la,
            ind,
            year=year,
            group=chosen,
            include_self=include_self,
            source=source,
            row=by_indicator[ind],
            values=values().get((ind, by_indicator[ind]["year"]), _NO_VALUES),
        )

    return {
        ind: [
            ChartPlan(f"{ind}-trend", ind, trend(ind)),
            ChartPlan(f"{ind}-comparators", ind, comparators(ind)),
        ]
        for ind in charted
    }


def pack_content(
    la: str,
    year: int | str | None = None,
    group_key: str | ComparatorGroup = "sn2025",
    include_self: bool = False,
    source: Source = None,
    base_year: int | str | None = None,
    comparators: str | list[str] | None = None,
    group_name: str | None = None,
    targets: TargetPlan | str | Path | None = None,
    quarterly: pl.DataFrame | str | Path | None = None,
    local: str | Path | None = None,
    previous: list[str | Path] | None = None,
    table: pl.DataFrame | None = None,
    exclude_doubtful: bool = False,
    themes: str | list[str] | None = None,
    measures: str | Path | None = None,
) -> PackContent:
    """The content of one authority's pack (see :func:`cscbench.report.report` for the
    arguments). ``table``, the authority's benchmark rows for the year, saves running the
    engine again (as a run over every authority does, from one all-authority table).
    ``themes`` limits the pack to those themes (default: every theme). ``measures``, a local
    measures file, adds the authority's own measures to the themes they join
    (:mod:`cscbench.report.local_parts`) and to the key messages where a rule fires.
    """
    asked = themes_ids(themes)
    focus = find_area(la, source)
    chosen = (
        group_key
        if isinstance(group_key, ComparatorGroup)
        else group(focus["la_code"], group_key, comparators, source=source)
    )
    if group_name:
        chosen = replace(chosen, label=group_name)
    history = None  # every year of the charted indicators' rows, for the trend charts
    if table is None:
        table, history = benchmark_and_series(
            focus["la_code"],
            CHARTED,
            year=year,
            group=chosen,
            include_self=include_self,
            base_year=base_year,
            source=source,
            targets=targets,
            exclude_doubtful=exclude_doubtful,
            indicators=asked,
        )
    year = int(table["year"][0])
    status = None
    if targets is not None:
        from cscbench.analyses.performance import targets as target_table

        status = target_table(
            focus["la_code"], targets, quarterly, year, chosen, include_self, source=source
        )
    provisional = None
    if local is not None:
        from cscbench.analyses.local import local_benchmark, read_returns

        census, earlier = read_returns(local, previous or [])
        provisional = local_benchmark(
            focus["la_code"], census, earlier, chosen, include_self, source=source
        )
    members = members_in_year(chosen, year, load_areas(source), include_self=include_self)
    gaps = not_held(year, asked, source=source)
    sentences = report_narrative(table, chosen, source, asked)
    found, said = _inspections(focus["la_code"], chosen, source)
    parts, candidates = _local(measures, focus, chosen, year, targets, source, asked)
    chosen_messages = key_messages(table, local=candidates)
    content = PackContent(
        focus,
        spoken_name(focus["area_name"]),
        year,
        chosen,
        include_self,
        source,
        table,
        sentences,
        members,
        gaps,
        status=status,
        provisional=provisional,
        inspections=found,
        inspection_sentences=said,
        key_messages=tuple(chosen_messages["message"]),
        key_message_reasons=tuple(chosen_messages["why"]),
        local_parts=parts,
    )
    plans = chart_plans(content, table["indicator"].to_list(), exclude_doubtful, history)
    return replace(
        content,
        sections=_sections(table, sentences, plans),
        **_overview_and_factors(content),
        extra_charts=tuple(_extra_charts(content)),
    )


def _local(
    measures: str | Path | None,
    focus: dict,
    chosen: ComparatorGroup,
    year: int,
    targets: TargetPlan | str | Path | None,
    source: Source,
    asked: list[str] | None,
) -> tuple[tuple[LocalPart, ...], list[dict]]:
    """The local measures' parts and key-message candidates (none without a file); with
    ``themes`` asked, only the parts joining those themes."""
    if measures is None:
        return (), []
    from cscbench.analyses.local_pack import local_candidates, local_summary_for_pack

    points, summary = local_summary_for_pack(
        measures, focus["la_code"], chosen, year, targets, source
    )
    if asked is not None:
        wanted = {INDICATORS[i].theme for i in asked}
        summary = summary.filter(pl.col("home").is_in(wanted))
    parts = local_parts(points, summary, spoken_name(focus["area_name"]))
    return tuple(parts), local_candidates(summary, year)


def _inspections(
    la: str, chosen: ComparatorGroup, source: Source
) -> tuple[pl.DataFrame | None, tuple[str, ...]]:
    """The authority's and its comparators' latest Ofsted judgements, and sentences on them
    (none where the data hold no inspections file)."""
    from cscbench.analyses.inspections import inspection_summary, inspections
    from cscbench.errors import UsageError

    try:
        table = inspections(la, group=chosen, source=source)
    except UsageError:  # no inspections file in this data set
        return None, ()
    return table, tuple(inspection_summary(table))


def _overview_and_factors(content: PackContent) -> dict:
    from cscbench.analyses.views import spread
    from cscbench.figures import factors_chart, overview_spec
    from cscbench.figures.charts import spine_indicators
    from cscbench.figures.overview import overview_rows
    from cscbench.report.folders import slug

    la, year, chosen = content.focus["la_code"], content.year, content.group
    source, table = content.source, content.table
    held = set(table.filter(pl.col("value").is_not_null())["indicator"])

    @cache
    def spine_rows() -> pl.DataFrame:  # every overview's measures, worked out once for all
        measures = sorted({k for theme in (None, *THEMES) for k in spine_indicators(theme)})
        shown = table.filter(pl.col("indicator").is_in(measures))
        return overview_rows(shown, spread(measures, year, source))

    def overview(theme: str | None) -> Callable[[], object]:
        return lambda: overview_spec(
            la,
            year=year,
            group=chosen,
            include_self=content.include_self,
            source=source,
            table=table,
            theme=theme,
            rows=spine_rows(),
        )

    found: dict = {}
    if held & set(spine_indicators()):
        found["overview"] = ChartPlan("overview", "overview", overview(None))
    found["theme_overviews"] = tuple(
        ChartPlan(f"overview-{slug(theme)}", f"overview:{theme}", overview(theme))
        for theme in THEMES
        if len(held & set(spine_indicators(theme))) >= THEME_SPINE
    )
    front_door = {k for k, i in INDICATORS.items() if i.theme == THEMES[0]}
    if not front_door & set(table["indicator"]):  # factors go with the front door's theme
        return found
    first, last = _factor_years(source)
    if year < first:
        found["factors_note"] = (
            f"There are no figures on factors identified at the end of assessment for "
            f"{year_label(year)}: DfE's figures by local authority start in {year_label(first)}."
        )
    else:
        shown = min(year, last)
        if shown < year:
            found["factors_note"] = (
                f"The latest figures on factors identified at the end of assessment are for "
                f"{year_label(shown)}."
            )
        found["factors"] = ChartPlan(
            "factors", "factors", lambda: factors_chart(la, year=shown, group=chosen, source=source)
        )
    return found


def _extra_charts(content: PackContent) -> Iterator[ChartPlan]:
    """Chart plans of the targets and the local, provisional year, where the pack has them."""
    from cscbench.figures.charts import provisional_chart, target_chart

    if content.status is not None:
        status = content.status
        with_figures = status.filter(pl.col("value").is_not_null())
        for ind in with_figures["indicator"].unique(maintain_order=True):
            yield ChartPlan(
                f"{ind}-target",
                "targets",
                lambda ind=ind: target_chart(
                    status, ind, content.focus["area_name"], source=content.source
                ),
            )
    if content.provisional is not None:
        rows = content.provisional.filter(pl.col("indicator").is_in(list(CHARTED)))
        for row in rows.iter_rows(named=True):
            yield ChartPlan(
                f"{row['indicator']}-provisional",
                "local",
                lambda row=row: provisional_chart(
                    row["la_code"],
                    row["indicator"],
                    row,
                    content.group,
                    content.include_self,
                    content.source,
                ),
            )
