"""Figures: report-ready Altair charts in one theme, and saving them offline.

Example:
    >>> from cscbench.figures import trend_chart
    >>> trend_chart("Derby", "cla_rate").to_dict()["description"].startswith("Line chart")
    True
"""

from cscbench.figures.charts import (
    comparator_chart,
    factors_chart,
    funnel_chart,
    overview_chart,
    partnership_chart,
    provisional_chart,
    spc_chart,
    target_chart,
    trend_chart,
)
from cscbench.figures.render import save, to_png, to_svg

#: The chart kinds of ``cscbench chart KIND``.
CHARTS = {
    "trend": trend_chart,
    "comparators": comparator_chart,
    "funnel": funnel_chart,
    "overview": overview_chart,
    "spc": spc_chart,
    "factors": factors_chart,
}

__all__ = [
    "CHARTS",
    "comparator_chart",
    "factors_chart",
    "funnel_chart",
    "overview_chart",
    "partnership_chart",
    "provisional_chart",
    "save",
    "spc_chart",
    "target_chart",
    "to_png",
    "to_svg",
    "trend_chart",
]
