"""Drawing processes: files written, errors in one line, vl-convert's own font pinned."""

from __future__ import annotations

import struct

import pytest

from cscbench.errors import CscbenchError
from cscbench.figures import trend_chart
from cscbench.figures.drawing import Drawers, DrawingError, drawing_env
from cscbench.figures.render import spec


def png_size(path) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def text_spec(text: str) -> dict:
    return {
        "width": 40,
        "height": 30,
        "mark": {"type": "text", "fontSize": 24, "font": "Liberation Sans"},
        "data": {"values": [{"t": text}]},
        "encoding": {"text": {"field": "t", "type": "nominal"}},
    }


def test_drawers_write_svg_and_png_at_twice_the_size(tmp_path):
    chart = spec(trend_chart("Derby", "cla_rate", year_to=2025))
    with Drawers(workers=2) as drawers:
        futures = [
            drawers.submit(chart, tmp_path / f"{i}.svg", tmp_path / f"{i}.png") for i in range(3)
        ]
        svgs = [f.result() for f in futures]
    assert svgs[0] == svgs[1] == svgs[2] == (tmp_path / "0.svg").read_text()
    assert "Derby" in svgs[0]
    width = float(svgs[0].split('width="', 1)[1].split('"', 1)[0])
    assert png_size(tmp_path / "0.png") == (round(2 * width), png_size(tmp_path / "0.png")[1])


def test_one_worker_draws_in_this_process(tmp_path):
    with Drawers(workers=1) as drawers:
        assert drawers._processes == []
        svg = drawers.submit(text_spec("A"), tmp_path / "a.svg", tmp_path / "a.png").result()
    assert svg.startswith("<svg") and (tmp_path / "a.png").exists()


@pytest.mark.parametrize("workers", [1, 2])
def test_a_spec_vl_convert_refuses_is_one_line_naming_the_file(tmp_path, workers):
    bad = {"mark": "point", "encoding": {"x": {"field": "a", "type": "no-such-type"}}}
    with Drawers(workers=workers) as drawers:
        future = drawers.submit(bad, tmp_path / "bad.svg", tmp_path / "bad.png")
        with pytest.raises(DrawingError) as caught:
            future.result()
        # the drawers go on drawing after a bad chart
        good = drawers.submit(text_spec("A"), tmp_path / "a.svg", tmp_path / "a.png")
        assert good.result().startswith("<svg")
    assert isinstance(caught.value, CscbenchError)
    assert str(caught.value).startswith("bad.svg: ") and "\n" not in str(caught.value)


def test_a_drawing_process_that_dies_is_reported(tmp_path):
    with Drawers(workers=2) as drawers:
        for process in drawers._processes:
            process.kill()
            process.wait()
        future = drawers.submit(text_spec("A"), tmp_path / "a.svg", tmp_path / "a.png")
        with pytest.raises(DrawingError, match="a drawing process ended"):
            future.result()


def test_fonts_are_pinned_unless_the_user_chose_a_fontconfig():
    assert drawing_env({})["FONTCONFIG_FILE"].endswith("cscbench/figures/fonts.conf")
    assert drawing_env({"FONTCONFIG_FILE": "/x.conf"})["FONTCONFIG_FILE"] == "/x.conf"


def test_pinned_drawing_has_only_liberation_sans(tmp_path, monkeypatch):
    """With no system font loaded, letters Liberation Sans lacks (✓ and ✗) both draw as the
    same missing-glyph box; the arrows and pointer the charts use are real glyphs."""
    monkeypatch.delenv("FONTCONFIG_FILE", raising=False)
    with Drawers(workers=2) as drawers:
        drawn = {
            t: drawers.submit(text_spec(t), tmp_path / f"{i}.svg", tmp_path / f"{i}.png")
            for i, t in enumerate(["✓", "✗", "►", "←", "→"])
        }
        [f.result() for f in drawn.values()]
    png = {t: (tmp_path / f"{i}.png").read_bytes() for i, t in enumerate(drawn)}
    assert png["✓"] == png["✗"]
    assert len({png["✓"], png["►"], png["←"], png["→"]}) == 4


@pytest.mark.parametrize("scale", [0, -1, 11])
def test_drawers_refuse_a_scale_vl_convert_cannot_draw(scale):
    # Drawers(scale=0) started its processes, and vl-convert panicked on the first chart.
    with pytest.raises(CscbenchError, match=f"scale {scale}: give a number above 0"):
        Drawers(workers=1, scale=scale)
