"""Diagrams of the LSTM part: the cell, gate by gate."""

import matplotlib.pyplot as plt
from matplotlib.patches import FancyBboxPatch

from ._draw import _arrow, _finish, _node


_GATE_PARTS = {  # which boxes each section of the LSTM chapter highlights
    "forget": {"f", "times_f"},
    "input": {"i", "c_tilde", "times_i", "plus"},
    "output": {"o", "tanh_c", "times_o"},
}


def draw_lstm_cell(highlight=None):
    """One LSTM cell: the cell-state line on top, the four gates below.

    Parameters
    ----------
    highlight : {None, "forget", "input", "output"}
        Colour the boxes of one gate (the book's section on that gate); the rest is grey.
    """
    lit = _GATE_PARTS.get(highlight, {"f", "i", "c_tilde", "o", "times_f", "times_i", "plus", "tanh_c", "times_o"})
    fig, ax = plt.subplots(figsize=(8, 4.2))

    def box(x, y, text, part, kind="h", w=0.8, h=0.5):
        _node(ax, x, y, text, kind if part in lit else "off", w, h)

    ax.add_patch(FancyBboxPatch((-0.3, -0.9), 6.6, 3.6, boxstyle="round,pad=0.05", facecolor="none",
                                edgecolor="#999999", linestyle="--"))
    # the cell-state line: c_{t-1} -> (x f) -> (+ i*c~) -> c_t
    _node(ax, -1.2, 2.2, "$c_{t-1}$", "y")
    box(1, 2.2, "$\\times$", "times_f", "r", 0.5)
    box(3, 2.2, "$+$", "plus", "r", 0.5)
    _node(ax, 7.3, 2.2, "$c_t$", "y")
    for a, b in [((-1.2, 2.2), (1, 2.2)), ((1, 2.2), (3, 2.2)), ((3, 2.2), (7.3, 2.2))]:
        _arrow(ax, a, b)
    # the gates, each reading [x_t, h_{t-1}]
    box(1, 0.4, "$f_t = \\sigma$", "f", "h", 1.0)
    box(2.35, 0.4, "$i_t = \\sigma$", "i", "h", 1.0)
    box(3.75, 0.4, "$\\tilde c_t = \\tanh$", "c_tilde", "h", 1.3)
    box(5.15, 0.4, "$o_t = \\sigma$", "o", "h", 1.0)
    box(3, 1.3, "$\\times$", "times_i", "r", 0.5)
    box(6.1, 1.5, "$\\tanh$", "tanh_c", "h", 0.7)
    box(6.3, 0.4, "$\\times$", "times_o", "r", 0.5)
    _arrow(ax, (1, 0.4), (1, 2.2))
    _arrow(ax, (2.35, 0.4), (3, 1.3))
    _arrow(ax, (3.75, 0.4), (3, 1.3))
    _arrow(ax, (3, 1.3), (3, 2.2))
    _arrow(ax, (6.1, 2.2), (6.1, 1.5))
    _arrow(ax, (6.1, 1.5), (6.3, 0.4))
    _arrow(ax, (5.15, 0.4), (6.3, 0.4))
    _node(ax, 7.3, 0.4, "$h_t$", "y")
    _arrow(ax, (6.3, 0.4), (7.3, 0.4))
    # the input: the lower layer's output and the previous state, concatenated
    _node(ax, -1.2, -0.5, "$[x_t, h_{t-1}]$", "x", 1.2)
    for x in (1, 2.35, 3.75, 5.15):
        _arrow(ax, (-1.2, -0.5), (x, 0.4), rad=0.0)
    title = {None: "The LSTM cell", "forget": "Forget gate: $c_t \\leftarrow f_t \\odot c_{t-1}$",
             "input": "Input and content: $c_t \\leftarrow c_t + i_t \\odot \\tilde c_t$",
             "output": "Output gate: $h_t = o_t \\odot \\tanh(c_t)$"}[highlight]
    _finish(ax, title)
    ax.set_xlim(-2.2, 8.0)
    ax.set_ylim(-1.1, 2.8)
    fig.tight_layout()
    return fig
