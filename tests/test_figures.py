"""The diagrams of the recurrent-network part: opaque backgrounds, no arrow through a box it does not join."""

import base64
import io
import json
import pathlib

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch  # noqa: E402

from lstm_course import figures  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[1]
DRAWINGS = [figures.draw_task_shapes, figures.draw_unrolled_rnn, figures.draw_stacked_rnn,
            figures.draw_bidirectional_rnn, figures.draw_bptt_paths]


def _inside(box, point):
    x, y = point
    return box.get_x() <= x <= box.get_x() + box.get_width() and box.get_y() <= y <= box.get_y() + box.get_height()


def _crossings(ax):
    """Arrows whose line (straight, or an arc3 curve) passes through a box that is neither its start nor end.

    Routed arrows (given a path) are checked along their path's vertices.
    """
    boxes = [p for p in ax.patches if isinstance(p, FancyBboxPatch)]
    bad = []
    s = np.linspace(0, 1, 400)[:, None]
    for arrow in (p for p in ax.patches if isinstance(p, FancyArrowPatch)):
        if arrow._posA_posB is None:
            vertices = arrow._path_original.vertices
            points = np.concatenate([a + s * (b - a) for a, b in zip(vertices[:-1], vertices[1:])])
            start, end = vertices[0], vertices[-1]
        else:
            start, end = (np.array(p, dtype=float) for p in arrow._posA_posB)
            rad = getattr(arrow.get_connectionstyle(), "rad", 0.0)  # arc3: a quadratic Bezier curve
            d = end - start
            control = (start + end) / 2 + rad * np.array([d[1], -d[0]])
            points = (1 - s) ** 2 * start + 2 * (1 - s) * s * control + s ** 2 * end
        for box in boxes:
            if _inside(box, start) or _inside(box, end):
                continue
            if any(_inside(box, q) for q in points):
                bad.append((tuple(start), tuple(end)))
    return bad


@pytest.mark.parametrize("draw", DRAWINGS, ids=lambda d: d.__name__)
def test_diagram_has_an_opaque_white_background(draw):
    fig = draw()
    assert matplotlib.colors.to_rgba(fig.get_facecolor()) == (1.0, 1.0, 1.0, 1.0)


@pytest.mark.parametrize("draw", [figures.draw_bidirectional_rnn, figures.draw_bptt_paths,
                                  figures.draw_stacked_rnn, figures.draw_task_shapes], ids=lambda d: d.__name__)
def test_no_arrow_passes_through_another_box(draw):
    fig = draw()
    for ax in fig.axes:
        assert _crossings(ax) == [], f"{draw.__name__}: arrows through boxes {_crossings(ax)}"


def test_generating_panel_feeds_each_output_back_as_the_next_input():
    fig = figures.draw_task_shapes()
    routes = [p for p in fig.axes[1].patches if isinstance(p, FancyArrowPatch) and p._posA_posB is None]
    assert len(routes) == 3  # y_1 -> input 2, y_2 -> input 3, y_3 -> input 4


PNG_NOTEBOOKS = sorted((ROOT / "book").glob("0[1-5]_*.ipynb"))


@pytest.mark.parametrize("path", PNG_NOTEBOOKS, ids=lambda p: p.name)
def test_stored_figures_have_opaque_corners(path):
    from PIL import Image

    for cell in json.loads(path.read_text())["cells"]:
        for out in cell.get("outputs", []):
            if "image/png" in out.get("data", {}):
                image = Image.open(io.BytesIO(base64.b64decode(out["data"]["image/png"]))).convert("RGBA")
                w, h = image.size
                for corner in ((0, 0), (w - 1, 0), (0, h - 1), (w - 1, h - 1)):
                    assert image.getpixel(corner)[3] == 255, f"{path.name}: a transparent figure"
