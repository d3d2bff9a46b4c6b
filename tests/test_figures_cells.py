"""The gated-cell diagrams (LSTM, peephole, coupled gates, GRU): no wire crosses a label or a box it does not
join, every label is at least 9 pt at the book's column width, and each figure shows the parts it promises."""

import io

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch  # noqa: E402
from PIL import Image  # noqa: E402

from lstm_course.figures import draw_gru_cell, draw_lstm_cell  # noqa: E402

COLUMN_PX, DPI = 623, 100  # the book's text column at 1280 px, and the notebooks' inline dpi
CELLS = {
    "lstm": lambda: draw_lstm_cell(),
    "lstm-forget": lambda: draw_lstm_cell("forget"),
    "lstm-input": lambda: draw_lstm_cell("input"),
    "lstm-output": lambda: draw_lstm_cell("output"),
    "peephole": lambda: draw_lstm_cell(variant="peephole"),
    "coupled": lambda: draw_lstm_cell(variant="coupled"),
    "gru-after": lambda: draw_gru_cell("after"),
    "gru-before": lambda: draw_gru_cell("before"),
}


@pytest.fixture(params=sorted(CELLS))
def drawn(request):
    fig = CELLS[request.param]()
    fig.set_dpi(DPI)
    fig.canvas.draw()
    yield request.param, fig
    plt.close(fig)


def _texts(ax):
    return [t for t in [*ax.texts, ax.title] if t.get_text().strip()]


def _wire_points(arrow):
    """Points every 0.5 px along an arrow as drawn (display coordinates), its head included."""
    path = arrow.get_transform().transform_path(arrow.get_path())
    points = []
    for polygon in path.to_polygons(closed_only=False):
        for a, b in zip(polygon[:-1], polygon[1:]):
            n = max(2, int(np.hypot(*(b - a)) * 2))
            points.append(a + np.linspace(0, 1, n)[:, None] * (b - a))
    return np.concatenate(points)


def _inside(bbox, points, margin):
    return ((points[:, 0] > bbox.x0 - margin) & (points[:, 0] < bbox.x1 + margin)
            & (points[:, 1] > bbox.y0 - margin) & (points[:, 1] < bbox.y1 + margin))


def test_no_wire_nor_the_outline_crosses_any_label(drawn):
    name, fig = drawn
    renderer = fig.canvas.get_renderer()
    ax = fig.axes[0]
    arrows = [p for p in ax.patches if isinstance(p, FancyArrowPatch)]
    assert arrows
    # the cell's dashed outline (an unfilled box) must not run through a label either
    arrows += [p for p in ax.patches if isinstance(p, FancyBboxPatch) and p.get_facecolor()[3] == 0]
    for text in _texts(ax):
        extent = text.get_window_extent(renderer)
        for arrow in arrows:
            hits = _inside(extent, _wire_points(arrow), margin=1.0)
            assert not hits.any(), f"{name}: a wire crosses the label {text.get_text()!r}"


def test_no_wire_passes_through_a_box_it_does_not_join(drawn):
    name, fig = drawn
    renderer = fig.canvas.get_renderer()
    ax = fig.axes[0]
    boxes = [p for p in ax.patches if isinstance(p, FancyBboxPatch) and p.get_facecolor()[3] > 0]
    for arrow in (p for p in ax.patches if isinstance(p, FancyArrowPatch)):
        points = _wire_points(arrow)
        for box in boxes:
            # a wire may touch the edge of the boxes it joins; it may never enter a box
            assert not _inside(box.get_window_extent(renderer), points, margin=-1.5).any(), \
                f"{name}: a wire runs through a box"


def test_labels_are_at_least_9_pt_at_the_book_width_and_fit_their_boxes(drawn):
    name, fig = drawn
    # the image as the notebook stores it: the inline backend saves at 100 dpi with bbox_inches="tight"
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI, bbox_inches="tight")
    width_px = Image.open(io.BytesIO(buffer.getvalue())).size[0]
    assert width_px <= COLUMN_PX, f"{name}: {width_px} px is wider than the column; it would be scaled down"
    scale = min(1.0, COLUMN_PX / width_px)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    ax = fig.axes[0]
    for text in _texts(ax):
        assert text.get_fontsize() * scale >= 9, f"{name}: {text.get_text()!r} at {text.get_fontsize()} pt"
    boxes = {p: p.get_window_extent(renderer) for p in ax.patches if isinstance(p, FancyBboxPatch)
             and p.get_facecolor()[3] > 0}
    for text in ax.texts:
        if (text.get_gid() or "").startswith("box:"):
            extent = text.get_window_extent(renderer)
            assert any(b.x0 <= extent.x0 and extent.x1 <= b.x1 for b in boxes.values()
                       if b.contains(*extent.get_points().mean(0))), f"{name}: {text.get_text()!r} overflows"


def test_cells_have_opaque_white_backgrounds_for_both_themes(drawn):
    name, fig = drawn
    assert matplotlib.colors.to_rgba(fig.get_facecolor()) == (1.0, 1.0, 1.0, 1.0)
    ax = fig.axes[0]
    dark = [p for p in ax.patches if isinstance(p, FancyBboxPatch) and p.get_facecolor()[3] > 0]
    # every box is a pale fill under dark ink: readable on the white figure in either theme
    assert all(np.mean(p.get_facecolor()[:3]) > 0.75 for p in dark)


def _labels(fig):
    ax = fig.axes[0]
    return [t.get_text() for t in ax.texts], ax.get_title()


def test_lstm_cell_labels_its_gates_states_and_operations():
    fig = draw_lstm_cell()
    labels, title = _labels(fig)
    for label in ["$c_{t-1}$", "$c_t$", "$h_t$", "$[x_t, h_{t-1}]$", "$f_t = \\sigma$", "$i_t = \\sigma$",
                  "$\\tilde c_t = \\tanh$", "$o_t = \\sigma$", "$\\tanh$", "$+$"]:
        assert label in labels
    assert labels.count("$\\times$") == 3 and title == "The LSTM cell"
    plt.close(fig)


def test_peephole_cell_draws_three_peephole_wires_from_the_old_and_the_new_cell():
    from lstm_course.figures._cell import PEEP

    fig = draw_lstm_cell(variant="peephole")
    ax = fig.axes[0]
    peep = [p for p in ax.patches if isinstance(p, FancyArrowPatch)
            and matplotlib.colors.same_color(p.get_edgecolor(), PEEP)]
    assert len(peep) == 3  # into f and i (from c_{t-1}) and into o (from c_t)
    starts = sorted(p.get_path().vertices[0][0] for p in peep)
    times_f_x = 2.9  # the forget product: c_{t-1} lies left of it, c_t right of the "+" (x = 5.1)
    assert starts[0] < times_f_x and starts[1] < times_f_x and starts[2] > 5.1
    labels, title = _labels(fig)
    assert "c_{t-1}" in title and "$o_t$ reads $c_t$" in title
    plt.close(fig)


def test_coupled_cell_has_no_input_gate_weights_and_feeds_one_minus_f():
    fig = draw_lstm_cell(variant="coupled")
    labels, title = _labels(fig)
    assert "$i_t = 1 - f_t$" in labels and "$i_t = \\sigma$" not in labels and "CIFG" in title
    plt.close(fig)


def test_unknown_variant_is_refused():
    with pytest.raises(ValueError, match="variant"):
        draw_lstm_cell(variant="cifg-ish")


@pytest.mark.parametrize("reset", ["after", "before"])
def test_gru_cell_draws_h_and_x_as_separate_inputs_and_the_reset_form(reset):
    fig = draw_gru_cell(reset)
    labels, title = _labels(fig)
    assert "$h_{t-1}$" in labels and "$x_t$" in labels and not any("[x_t" in t for t in labels)
    assert ("$U_n h_{t-1} + b_{hn}$" in labels) == (reset == "after")
    assert ("$U_n(\\cdot) + b_{hn}$" in labels) == (reset == "before")
    assert any("b_{in}" in t for t in labels) and "$1 - z_t$" in labels
    plt.close(fig)
