"""Vega-Lite specs built as dicts: a pack's many trend and comparator charts (and the local
measures' XmR charts) are written straight in Vega-Lite, the same spec Altair would write,
because building Altair's objects and converting them back costs more than drawing a chart's
SVG. The chart functions a notebook calls still return Altair charts, made from these specs.

A spec's rows are named as Altair names them (:func:`named`: ``data-`` and the first 32 hex
digits of the SHA-256 of their JSON, keys sorted), so a dict-built chart's spec is the one
Altair writes for the same chart, key for key.

Example:
    >>> datasets = {}
    >>> layer = {"data": named([{"a": 1}], datasets), "mark": {"type": "bar"},
    ...          "encoding": {"x": field("a")}}
    >>> layer["data"]["name"], datasets[layer["data"]["name"]]
    ('data-2696610e78752a9e7bd0c4b0404b2fb0', [{'a': 1}])
"""

from __future__ import annotations

import hashlib
import json

import polars as pl

#: Altair's Vega-Lite schema (tested to be ``altair.SCHEMA_URL``).
SCHEMA = "https://vega.github.io/schema/vega-lite/v6.4.1.json"
#: Vega-Lite's names of the field types Altair's shorthand ("year:Q") gives.
TYPES = {"Q": "quantitative", "N": "nominal", "O": "ordinal", "T": "temporal"}


class ChartSpec(dict):
    """A Vega-Lite spec, built as a dict; :func:`cscbench.figures.save`, :func:`spec` and the
    drawing processes take it as a chart."""

    def to_dict(self, validate: bool = False) -> dict:
        return dict(self)


def rows(frame: pl.DataFrame) -> list[dict]:
    """A frame's rows as a spec's data values, dates and times as ISO text (as Altair writes
    them).

    Example:
        >>> from datetime import date
        >>> rows(pl.DataFrame({"a": [1], "day": [date(2025, 3, 31)]}))
        [{'a': 1, 'day': '2025-03-31T00:00:00'}]
    """
    iso = "%Y-%m-%dT%H:%M:%S"
    if any(dtype.is_temporal() for dtype in frame.dtypes):
        frame = frame.with_columns(
            pl.col(pl.Date).cast(pl.Datetime).dt.to_string(iso),
            pl.col(pl.Datetime).dt.to_string(f"{iso}%.f"),
        )
    return frame.to_dicts()


def dataset_name(values: list[dict]) -> str:
    """The name Altair gives a chart's rows when it moves them to the spec's ``datasets``.

    Example:
        >>> dataset_name([{"a": 1}])
        'data-2696610e78752a9e7bd0c4b0404b2fb0'
    """
    if values == [{}]:
        return "empty"
    text = json.dumps(values, sort_keys=True, default=str)
    return "data-" + hashlib.sha256(text.encode()).hexdigest()[:32]


def named(values: list[dict], datasets: dict[str, list[dict]]) -> dict:
    """A layer's ``data``: ``values`` held once in ``datasets`` under :func:`dataset_name`."""
    name = dataset_name(values)
    datasets[name] = values
    return {"name": name}


def field(shorthand: str, **more: object) -> dict:
    """An encoding channel of a field, from Altair's shorthand ("year:Q"; quantitative if no
    type is given).

    Example:
        >>> field("series:N", title="Series")
        {'field': 'series', 'type': 'nominal', 'title': 'Series'}
    """
    name, _, kind = shorthand.partition(":")
    return {"field": name, "type": TYPES[kind or "Q"], **more}


def layer(data: dict, mark: str, encoding: dict, **style: object) -> dict:
    """One layer: its ``data``, its ``mark`` (with ``style``) and its ``encoding``.

    Example:
        >>> layer({"name": "d"}, "rule", {"x": field("year")}, strokeWidth=2)["mark"]
        {'type': 'rule', 'strokeWidth': 2}
    """
    return {"data": data, "mark": {"type": mark, **style}, "encoding": encoding}


def scale_of(domain: list, range_: list | None = None, **more: object) -> dict:
    """A scale of ``domain`` (and ``range_``).

    Example:
        >>> scale_of([0.0, 10.0], zero=False, nice=False)
        {'domain': [0.0, 10.0], 'zero': False, 'nice': False}
    """
    found: dict = {"domain": domain}
    if range_ is not None:
        found["range"] = range_
    return found | more
