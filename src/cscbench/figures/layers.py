"""Building a chart's layers cheaply: rows given to Altair once (:func:`chart_of`), layers
and side-by-side charts set without Altair's copies (:func:`layered`, :func:`concatenated`),
and text quoted for a Vega expression.

Example:
    >>> bars = chart_of(pl.DataFrame({"a": [1]})).mark_bar().encode(x="a:Q")
    >>> layered(bars, bars).to_dict()["layer"][0]["mark"]
    {'type': 'bar'}
"""

from __future__ import annotations

import altair as alt
import polars as pl

from cscbench.figures.vl import rows


class _Layered(alt.LayerChart):
    """A LayerChart that sets its layers as they are when there is nothing to lift (see
    :func:`layered`); Altair builds it again, from the same layers, each time it copies it."""

    def __init__(self, data=alt.Undefined, layer=(), **kwargs):
        layer = list(layer)
        lifted = ("params", "width", "height", "view")
        shared = len(layer) > 1 and all(one.data is layer[0].data for one in layer)
        if (
            data is not alt.Undefined
            or shared
            or any(one._get(name) is not alt.Undefined for one in layer for name in lifted)
        ):
            super().__init__(data=data, layer=layer, **kwargs)
        else:  # the schema's own constructor: LayerChart's lifting has nothing to do
            super(alt.LayerChart, self).__init__(data=data, layer=layer, **kwargs)


def layered(*layers: alt.TopLevelMixin, **properties: object) -> alt.LayerChart:
    """``alt.layer(*layers, **properties)``, without Altair's copies of every layer.

    Altair's LayerChart deep-copies each layer twice as it is made (and again each time it
    is copied, as ``to_dict`` does) to lift selection parameters, shared data and sizes to the
    top: 0.2-0.3 s of a pack's 24 charts. Layers built for one chart, with no parameters, no
    size of their own and their own data, have nothing to lift, so they are set as they are;
    other layers (say, after ``.interactive()``) are lifted as Altair does. The spec is the same.

    Example:
        >>> bars = alt.Chart(pl.DataFrame({"a": [1]})).mark_bar().encode(x="a:Q")
        >>> text = alt.Chart(pl.DataFrame({"a": [2]})).mark_text().encode(x="a:Q")
        >>> layered(bars, text, height=50).to_dict() == alt.layer(bars, text, height=50).to_dict()
        True
        >>> spec = layered(bars.interactive(), text).to_dict()
        >>> spec == alt.layer(bars.interactive(), text).to_dict() and "params" in spec
        True
    """
    return _Layered(layer=layers, **properties)


class _Concatenated(alt.HConcatChart):
    """An HConcatChart that sets its charts as they are when there is nothing to lift (see
    :func:`concatenated`)."""

    def __init__(self, data=alt.Undefined, hconcat=(), **kwargs):
        charts = list(hconcat)
        if data is not alt.Undefined or not _nothing_to_lift(charts):
            super().__init__(data=data, hconcat=charts, **kwargs)
        else:  # the schema's own constructor: HConcatChart's lifting has nothing to do
            super(alt.HConcatChart, self).__init__(data=data, hconcat=charts, **kwargs)


def _nothing_to_lift(charts: list) -> bool:
    """Whether concatenating ``charts`` has nothing for Altair to lift or rename: no chart
    has data of its own at its top (layers may), and no chart or layer has parameters or a
    name."""
    layers = [one for c in charts if isinstance(c, alt.LayerChart) for one in c.layer]
    return all(c._get("data") is alt.Undefined for c in charts) and all(
        one._get(name) is alt.Undefined for one in [*charts, *layers] for name in ("params", "name")
    )


def concatenated(*charts: alt.TopLevelMixin, **properties: object) -> alt.HConcatChart:
    """``alt.hconcat(*charts, **properties)``, without Altair's copies of every chart.

    Altair's HConcatChart copies each chart and each layer as it is made (and again each
    time it is copied, as ``to_dict`` does) to lift selection parameters and shared data
    to the top: a third of building a pack's overview charts. Layered charts whose layers
    carry their own data and no parameters have nothing to lift, so they are set as they
    are; other charts are lifted as Altair does. The spec is the same.

    Example:
        >>> bars = chart_of(pl.DataFrame({"a": [1]})).mark_bar().encode(x="a:Q")
        >>> text = chart_of(pl.DataFrame({"a": [2]})).mark_text().encode(x="a:Q")
        >>> left, right = layered(bars, text), layered(text, bars)
        >>> concatenated(left, right).to_dict() == alt.hconcat(left, right).to_dict()
        True
        >>> spec = concatenated(bars.interactive(), text).to_dict()
        >>> spec == alt.hconcat(bars.interactive(), text).to_dict() and "params" in spec
        True
    """
    return _Concatenated(hconcat=charts, **properties)


def chart_of(frame: pl.DataFrame) -> alt.Chart:
    """``alt.Chart(frame)`` with the frame's rows given to Altair as values, converted once
    (layers drawn from the same frame share one: ``rows = chart_of(frame)``, then
    ``rows.mark_line()`` and ``rows.mark_point()``).

    Altair converts a DataFrame through narwhals again for every layer and every ``to_dict``
    (half the time of building a pack's charts); given the rows, it only names them. Dates
    are written as Altair writes them (ISO text), so the spec is the same.

    Example:
        >>> from datetime import date
        >>> frame = pl.DataFrame({"a": [1, 2], "day": [date(2025, 3, 31), None]})
        >>> chart_of(frame).mark_bar().encode(x="a:Q").to_dict() == (
        ...     alt.Chart(frame).mark_bar().encode(x="a:Q").to_dict())
        True
    """
    return alt.Chart({"values": rows(frame)})


def vega_string(text: str) -> str:
    """``text`` as a string literal in a Vega expression (quoted and escaped as JSON is).

    Example:
        >>> print(vega_string("► Derby's"))
        "\\u25ba Derby's"
    """
    import json

    return json.dumps(text)
