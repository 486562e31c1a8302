"""Figures: report-ready Altair charts in one theme, and saving them offline.

Names are imported on first use, so drawing processes and the pack's start (which launches
them) do not wait for Altair to import.

Example:
    >>> from cscbench.figures import trend_chart
    >>> trend_chart("Derby", "cla_rate").to_dict()["description"].startswith("Line chart")
    True
"""

from __future__ import annotations

import importlib

_WHERE = {  # each public name of the charts, by the module that holds it
    **dict.fromkeys(
        ["LABEL_GAP_PX", "SERIES_STYLES", "VALUE_AXIS", "WIDTH", "YEAR_LABEL", "dodge"], "axes"
    ),
    **dict.fromkeys(["measure_title", "segment", "series_channels", "year_axis"], "axes"),
    **dict.fromkeys(["chart_of", "layered", "vega_string"], "layers"),
    **dict.fromkeys(
        ["about_title", "chart_note", "data_date", "finish_chart", "placed_title", "subjects"],
        "notes",
    ),
    "comparator_chart": "comparator",
    "comparator_spec": "comparator",
    "factors_chart": "factors",
    "FUNNEL_PLACES": "funnel",
    "funnel_chart": "funnel",
    "funnel_domain": "funnel",
    "overview_chart": "overview",
    "overview_spec": "overview",
    "spine_indicators": "overview",
    "partnership_chart": "partnership",
    "partnership_trend_chart": "partnership_trend",
    "provisional_chart": "provisional",
    "spc_chart": "spc",
    "STATUS_SHAPES": "target",
    "target_chart": "target",
    "NOT_TESTABLE": "trend",
    "SHORT_AVERAGE": "trend",
    "trend_chart": "trend",
    "trend_spec": "trend",
    "save": "render",
    "to_png": "render",
    "to_svg": "render",
}

#: The chart kinds of ``cscbench chart KIND``, by the name of their function.
CHART_KINDS = {
    "trend": "trend_chart",
    "comparators": "comparator_chart",
    "funnel": "funnel_chart",
    "overview": "overview_chart",
    "spc": "spc_chart",
    "factors": "factors_chart",
}

__all__ = sorted([*_WHERE, "CHARTS"])


def __getattr__(name: str):
    if name in _WHERE:
        module = importlib.import_module(f"cscbench.figures.{_WHERE[name]}")
        return getattr(module, name)
    if name == "CHARTS":  # kind -> chart function
        return {kind: __getattr__(function) for kind, function in CHART_KINDS.items()}
    raise AttributeError(f"module 'cscbench.figures' has no attribute {name!r}")
