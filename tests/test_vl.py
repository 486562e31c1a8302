"""Specs built as dicts (cscbench.figures.vl): the spec Altair writes for the same chart."""

from __future__ import annotations

import altair as alt
import pytest
from altair.vegalite.v6.api import _dataset_name
from hypothesis import given
from hypothesis import strategies as st

from cscbench.figures.axes import series_channels, series_specs, year_axis, year_axis_spec
from cscbench.figures.comparator import comparator_chart
from cscbench.figures.layers import chart_of, layered
from cscbench.figures.notes import finish_chart, finished_spec
from cscbench.figures.overview import overview_chart
from cscbench.figures.render import spec
from cscbench.figures.trend import trend_chart
from cscbench.figures.vl import SCHEMA, dataset_name, field, layer, named, rows, scale_of
from cscbench.report import pack_content

cells = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12),
)
records = st.lists(st.dictionaries(st.sampled_from("abcde"), cells, max_size=4), max_size=6)


@given(records)
def test_rows_are_named_as_altair_names_them(values):
    assert dataset_name(values) == _dataset_name(values)


def test_a_layer_and_its_channels_are_altairs():
    import polars as pl

    frame = pl.DataFrame({"year": [2024, 2025], "value": [1.5, None], "series": ["A", "B"]})
    colour, dash, _ = series_channels({"value": "Derby", "england": "England"}, keyed=False)
    spec_colour, spec_dash, _ = series_specs({"value": "Derby", "england": "England"}, False)
    x = alt.X(
        "year:Q",
        title=None,
        axis=year_axis(2024, 2025, labelAngle=0),
        scale=alt.Scale(domain=[2024.0, 2025.0], nice=False),
    )
    lines = chart_of(frame).mark_line(strokeWidth=2.5).encode(x=x, color=colour, strokeDash=dash)
    words = ("derby high", "Rate", "line chart", "Source: DfE.")
    chart = finish_chart(layered(lines, width=560, height=300), *words)
    datasets = {}
    ours = layer(
        named(rows(frame), datasets),
        "line",
        {
            "x": field(
                "year:Q",
                title=None,
                axis=year_axis_spec(2024, 2025, labelAngle=0),
                scale=scale_of([2024.0, 2025.0], nice=False),
            ),
            "color": spec_colour,
            "strokeDash": spec_dash,
        },
        strokeWidth=2.5,
    )
    body = {"layer": [ours], "width": 560, "height": 300, "datasets": datasets}
    found = finished_spec(body, *words)
    assert found == chart.to_dict()
    assert found["$schema"] == SCHEMA == alt.SCHEMA_URL


CASES = [  # (authority, year, model, include_self): both models, early and late years
    ("Derby", 2025, "sn2025", False),
    ("Cumberland", 2024, "sn2025", True),
    ("Kent", 2019, "sn2021", False),
    ("Isles of Scilly", 2025, "sn2025", False),
    ("Birmingham", 2016, "sn2021", True),
]


@pytest.mark.parametrize(("la", "year", "model", "include_self"), CASES)
def test_a_packs_dict_built_charts_are_valid_vega_lite_and_altairs_charts(
    la, year, model, include_self
):
    content = pack_content(la, year=year, group_key=model, include_self=include_self)
    chosen = content.group
    kinds = {"trend": 0, "comparators": 0, "overview": 0}
    for plan in content.charts():
        ind, _, kind = plan.stem.partition("-")
        if plan.section.startswith("overview"):
            ind, kind = None, "overview"
        if kind not in kinds:
            continue
        found = plan.build()
        if kind == "overview":
            theme = plan.section.partition(":")[2] or None
            chart = overview_chart(la, content.year, chosen, include_self, theme=theme)
        elif kind == "trend":
            chart = trend_chart(la, ind, chosen, include_self, year_to=content.year)
        else:
            chart = comparator_chart(la, ind, content.year, chosen, include_self)
        assert chart.to_dict(validate=True) == found == spec(found), plan.stem
        kinds[kind] += 1
    assert kinds["trend"] == kinds["comparators"] >= 8, kinds
    assert kinds["overview"] >= 2, kinds
