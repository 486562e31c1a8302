"""A chart the pack will draw, planned: built only when drawn, so a pack's content (and every
authority's and year's in the tests) costs no drawing.

Example:
    >>> plan = ChartPlan("cin_rate-trend", "cin_rate", lambda: {"mark": "line"})
    >>> plan.stem, plan.section, plan.build()
    ('cin_rate-trend', 'cin_rate', {'mark': 'line'})
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class ChartPlan:
    """A chart the pack will draw: its file stem, the section it belongs to, and how to build
    its chart (an Altair chart or a Vega-Lite spec; called only when the chart is drawn)."""

    stem: str
    section: str
    build: Callable[[], object] = field(repr=False, compare=False)
