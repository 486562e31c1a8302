"""Regenerate the figure gallery: python figures/build.py

Draws every chart kind for Derby (2025 neighbours, latest year) from the shipped data into
figures/*.png and figures/*.svg; the README shows some of them.
"""

from __future__ import annotations

from pathlib import Path

from cscbench.figures import (
    comparator_chart,
    factors_chart,
    funnel_chart,
    overview_chart,
    save,
    spc_chart,
    trend_chart,
)
from cscbench.figures.drawing import pin_fonts

HERE = Path(__file__).resolve().parent

GALLERY = {
    "overview": lambda: overview_chart("Derby"),
    "trend-cla-rate": lambda: trend_chart("Derby", "cla_rate"),
    "comparators-rereferrals-2017": lambda: comparator_chart(
        "Derby", "rereferral_pct", year=2017, group="sn2021", include_self=True
    ),
    "funnel-rereferrals": lambda: funnel_chart("Derby", "rereferral_pct"),
    "spc-cin-rate": lambda: spc_chart("Derby", "cin_rate"),
    "factors": lambda: factors_chart("Derby"),
}


if __name__ == "__main__":
    pin_fonts()  # vl-convert's own Liberation Sans: the same gallery on every machine
    for name, make in GALLERY.items():
        chart = make()
        save(chart, HERE / f"{name}.png", scale=1.5)
        save(chart, HERE / f"{name}.svg")
        print(f"figures/{name}.png")
