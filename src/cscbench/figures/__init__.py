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

_WHERE = {
    "comparator_chart": "charts",
    "factors_chart": "charts",
    "funnel_chart": "charts",
    "overview_chart": "charts",
    "partnership_chart": "charts",
    "provisional_chart": "charts",
    "spc_chart": "charts",
    "target_chart": "charts",
    "trend_chart": "charts",
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
