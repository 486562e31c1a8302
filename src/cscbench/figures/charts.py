"""Report-ready charts, each a function returning an Altair chart built from the engine's
frames; one module per kind, every public name re-exported here so callers need not know which.

1. :func:`trend_chart` (:mod:`~cscbench.figures.trend`): the authority's series with its 95%
   interval band, the comparator average, its region and England; reorganisations drawn as
   breaks and marked.
2. :func:`comparator_chart` (:mod:`~cscbench.figures.comparator`): every group member's bar,
   the authority highlighted, rules for the comparator average and England; bars from zero.
3. :func:`funnel_chart` (:mod:`~cscbench.figures.funnel`): every authority's value against its
   denominator with 95% and 99.8% limits around England (overdispersion-adjusted where the
   engine used that); the authority and its neighbours highlighted; tooltips name each point.
4. :func:`overview_chart` (:mod:`~cscbench.figures.overview`): a spine chart (OHID
   Fingertips): one row per indicator, the spread of all authorities around England, the
   authority coloured and shaped by its comparison with England, and the comparator average.
5. :func:`spc_chart` (:mod:`~cscbench.figures.spc`): the authority's own series with centre
   line, process limits and special-cause points (Making Data Count).
6. :func:`factors_chart` (:mod:`~cscbench.figures.factors`): factors identified at the end of
   assessment across the group.
7. :func:`target_chart` (:mod:`~cscbench.figures.target`): one target's figures by period
   against the target line, shaped by status.
8. :func:`partnership_chart` (:mod:`~cscbench.figures.partnership`): each member of a
   partnership and the partnership pooled, with intervals, each member's comparator average
   and England.
   :func:`partnership_trend_chart` (:mod:`~cscbench.figures.partnership_trend`): the same
   over the years, the pooled figure with its 95% interval as a band.
9. :func:`provisional_chart` (:mod:`~cscbench.figures.provisional`): the published series
   with a local, provisional year from the authority's own census return.

What they share: :mod:`~cscbench.figures.axes` (axes, series styles, direct labels),
:mod:`~cscbench.figures.layers` (layers built cheaply) and :mod:`~cscbench.figures.notes`
(titles and the source note).

Example:
    >>> chart = comparator_chart("Derby", "rereferral_pct", year=2017, group="sn2021")
    >>> chart.to_dict()["title"]["text"]
    'Derby fourth lowest for re-referrals within 12 months'
"""

from __future__ import annotations

from cscbench.figures.axes import (
    LABEL_GAP_PX,
    SERIES_STYLES,
    VALUE_AXIS,
    WIDTH,
    YEAR_LABEL,
    dodge,
    measure_title,
    segment,
    series_channels,
    year_axis,
)
from cscbench.figures.comparator import comparator_chart
from cscbench.figures.factors import factors_chart
from cscbench.figures.funnel import FUNNEL_PLACES, funnel_chart, funnel_domain
from cscbench.figures.layers import chart_of, layered, vega_string
from cscbench.figures.notes import (
    about_title,
    chart_note,
    data_date,
    finish_chart,
    placed_title,
    subjects,
)
from cscbench.figures.overview import overview_chart, spine_indicators
from cscbench.figures.partnership import partnership_chart
from cscbench.figures.partnership_trend import partnership_trend_chart
from cscbench.figures.provisional import provisional_chart
from cscbench.figures.spc import spc_chart
from cscbench.figures.target import STATUS_SHAPES, target_chart
from cscbench.figures.trend import NOT_TESTABLE, SHORT_AVERAGE, trend_chart

__all__ = [
    "FUNNEL_PLACES",
    "LABEL_GAP_PX",
    "NOT_TESTABLE",
    "SERIES_STYLES",
    "SHORT_AVERAGE",
    "STATUS_SHAPES",
    "VALUE_AXIS",
    "WIDTH",
    "YEAR_LABEL",
    "about_title",
    "chart_note",
    "chart_of",
    "comparator_chart",
    "data_date",
    "dodge",
    "factors_chart",
    "finish_chart",
    "funnel_chart",
    "funnel_domain",
    "layered",
    "measure_title",
    "overview_chart",
    "partnership_chart",
    "partnership_trend_chart",
    "placed_title",
    "provisional_chart",
    "segment",
    "series_channels",
    "spc_chart",
    "spine_indicators",
    "subjects",
    "target_chart",
    "trend_chart",
    "vega_string",
    "year_axis",
]
