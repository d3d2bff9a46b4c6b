"""The GRU cell, drawn in the style of the LSTM cell (:func:`lstm_course.figures.draw_lstm_cell`)."""

import matplotlib.pyplot as plt
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from ._draw import _arrow, _finish, _node


def _short_arrow(ax, start, end):
    """An arrow between two box edges (``_draw._arrow`` shrinks from box centres)."""
    ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=10, color="#444444",
                                 shrinkA=0, shrinkB=0, linewidth=1))


def draw_gru_cell(reset="after"):
    """One GRU cell: the state line on top (kept by z, replaced by 1 - z), the gates r, z and the candidate n below.

    Parameters
    ----------
    reset : {"after", "before"}
        Label the reset product as torch.nn.GRU's ``r * (U_n h + b_hn)`` or
        Cho et al.'s ``U_n (r * h)``.
    """
    fig, ax = plt.subplots(figsize=(8, 4.2))
    ax.add_patch(FancyBboxPatch((-0.3, -0.9), 6.6, 3.6, boxstyle="round,pad=0.05", facecolor="none",
                                edgecolor="#999999", linestyle="--"))
    # the state line: h_{t-1} -> (x z) -> (+ (1 - z) n) -> h_t
    _node(ax, -1.2, 2.2, "$h_{t-1}$", "y")
    _node(ax, 1.6, 2.2, "$\\times\\, z_t$", "r", 0.7)
    _node(ax, 4.4, 2.2, "$+$", "r", 0.5)
    _node(ax, 7.3, 2.2, "$h_t$", "y")
    for a, b in [((-1.2, 2.2), (1.6, 2.2)), ((1.6, 2.2), (4.4, 2.2)), ((4.4, 2.2), (7.3, 2.2))]:
        _arrow(ax, a, b)
    _node(ax, 0.7, 0.4, "$r_t = \\sigma$", "h", 1.0)
    _node(ax, 2.2, 0.4, "$z_t = \\sigma$", "h", 1.0)
    reset_text = "$r_t \\odot (U_n h + b_{hn})$" if reset == "after" else "$U_n (r_t \\odot h)$"
    _node(ax, 3.0, -0.3, reset_text, "r", 1.9, 0.45)
    _node(ax, 4.4, 0.4, "$n_t = \\tanh$", "h", 1.2)
    _node(ax, 4.4, 1.3, "$\\times\\,(1 - z_t)$", "r", 1.1, 0.45)
    _arrow(ax, (2.2, 0.4), (1.6, 2.2))
    _arrow(ax, (2.2, 0.4), (4.4, 1.3), rad=-0.2)
    _short_arrow(ax, (0.9, 0.15), (2.05, -0.3))  # r enters the reset product
    _short_arrow(ax, (3.95, -0.2), (4.2, 0.15))
    _arrow(ax, (4.4, 0.4), (4.4, 1.3))
    _arrow(ax, (4.4, 1.3), (4.4, 2.2))
    _node(ax, -1.2, -0.5, "$[x_t, h_{t-1}]$", "x", 1.2)
    for x in (0.7, 2.2):
        _arrow(ax, (-1.2, -0.5), (x, 0.4))
    _arrow(ax, (-1.2, -0.5), (4.4, 0.4), rad=0.3)
    where = "torch.nn.GRU, cuDNN: reset after $U_n h$" if reset == "after" else "Cho et al. 2014: reset before $U_n$"
    _finish(ax, f"The GRU cell ({where})")
    ax.set_xlim(-2.2, 8.0)
    ax.set_ylim(-1.5, 2.8)
    fig.tight_layout()
    return fig
