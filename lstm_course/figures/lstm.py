"""Diagrams of the LSTM part: the cell gate by gate, its gradient path, and the Reber automaton."""

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


def _white(fig):
    """An opaque white background, so that the figure reads the same in the book's dark mode."""
    fig.patch.set_facecolor("white")
    fig.patch.set_alpha(1.0)
    return fig


def draw_cell_gradient_path(steps=3):
    """The two roads of the LSTM's gradient back through time, over ``steps`` steps.

    Top: along the cell, each step back multiplies by the forget gate only,
    :math:`\\partial L/\\partial c_{t-1} = \\partial L/\\partial c_t \\odot f_t` (plus
    what enters at that step). Bottom: through the hidden state, each step back
    multiplies by the recurrent weights and the gates' derivatives, as in the
    RNN. The vertical arrows are where the two meet: ``h_t = o_t tanh(c_t)``.
    """
    fig, ax = plt.subplots(figsize=(8, 3.6))
    red, blue = "#c0392b", "#1f5fa6"
    xs = [2.2 * t for t in range(steps)]
    names = ["t-1", "t", "t+1", "t+2", "t+3"][:steps]
    for x, name in zip(xs, names):
        _node(ax, x, 2, f"$c_{{{name}}}$", "y", 0.9)
        _node(ax, x, 0, f"$h_{{{name}}}$", "h", 0.9)
        _arrow(ax, (x, 0), (x, 2), colour="#888888")  # h_t = o_t tanh(c_t): what reaches h_t reaches c_t
    for a, b, name in zip(xs[1:], xs[:-1], names[1:]):
        _arrow(ax, (a, 2), (b, 2), colour=red)
        ax.text((a + b) / 2, 2.3, f"$\\odot f_{{{name}}}$", ha="center", color=red, fontsize=10)
        _arrow(ax, (a, 0), (b, 0), colour=blue)
        ax.text((a + b) / 2, -0.45, f"$W^\\top$, $\\sigma'$, $\\tanh'$", ha="center", color=blue, fontsize=9)
        _arrow(ax, (a, 2), (b, 0), colour=blue, rad=0.0)  # c_{t+1} reads h_t through its gates
    ax.text(xs[-1] + 0.8, 2, "cell path:\nno matrix,\nno squashing", va="center", color=red, fontsize=9)
    ax.text(xs[-1] + 0.8, 0, "hidden path:\nas in the RNN", va="center", color=blue, fontsize=9)
    ax.text(xs[0] - 0.6, 1, "up: through\n$h_t = o_t \\tanh(c_t)$\ndiagonal: the\ngates read $h_{t-1}$",
            ha="right", va="center", color="#555555", fontsize=9)
    _finish(ax, "The gradient flows backward (right to left) along two roads")
    ax.set_xlim(xs[0] - 2.2, xs[-1] + 2.2)
    ax.set_ylim(-0.9, 2.7)
    fig.tight_layout()
    return _white(fig)


def draw_reber_automaton():
    """The Reber automaton the book's Reber data is drawn from, and its embedding.

    The transitions are read from :mod:`lstm_course.data.reber` (each taken
    with probability 1/2), so the picture is the grammar the code samples.
    """
    from matplotlib.patches import Circle, FancyArrowPatch

    from ..data.reber import _REBER

    fig, (ax, ax_embed) = plt.subplots(2, 1, figsize=(8, 5.2), gridspec_kw={"height_ratios": [3, 1]})
    where = {"start": (-1.3, 0), 0: (0, 0), 1: (1.4, 1), 2: (1.4, -1), 3: (3, 1), 4: (3, -1), 5: (4.4, 0),
             "end": (5.7, 0)}
    for state, (x, y) in where.items():
        if isinstance(state, int):
            ax.add_patch(Circle((x, y), 0.28, facecolor="#fce5cd", edgecolor="#444444"))
            ax.text(x, y, str(state), ha="center", va="center", fontsize=9)

    def edge(a, b, label, rad=0.0, offset=(0, 0.18)):
        (xa, ya), (xb, yb) = where[a], where[b]
        _arrow(ax, (xa, ya), (xb, yb), rad=rad)
        ax.text((xa + xb) / 2 + offset[0], (ya + yb) / 2 + offset[1], label, ha="center", fontsize=11,
                color="#1f5fa6", fontweight="bold")

    edge("start", 0, "B")
    for state, choices in _REBER.items():
        for symbol, target in choices:
            if target == state:  # a loop: drawn as a small arc above or below the state
                x, y = where[state]
                sign = 1 if y >= 0 else -1
                ax.add_patch(FancyArrowPatch((x - 0.2, y + sign * 0.2), (x + 0.2, y + sign * 0.2),
                                             arrowstyle="-|>", mutation_scale=10, color="#444444",
                                             connectionstyle=f"arc3,rad={-1.6 * sign}", linewidth=1))
                ax.text(x, y + sign * 0.75, symbol, ha="center", va="center", fontsize=11, color="#1f5fa6",
                        fontweight="bold")
            else:
                edge(state, target, symbol, offset=(0.18 if target == 2 and state == 3 else 0, 0.18))
    edge(5, "end", "E")
    _finish(ax, "Reber automaton: every path from B to E is a legal string (each branch 1/2)")
    ax.set_xlim(-1.8, 6.2)
    ax.set_ylim(-1.9, 1.9)
    ax_embed.axis("off")
    ax_embed.text(0.5, 0.6, "embedded:   B  T  [Reber string]  T  E      or      B  P  [Reber string]  P  E",
                  ha="center", va="center", family="monospace", fontsize=10, transform=ax_embed.transAxes)
    ax_embed.text(0.5, 0.15, "the symbol before the last E repeats the second one: the long-range memory",
                  ha="center", va="center", fontsize=9, color="#555555", transform=ax_embed.transAxes)
    fig.tight_layout()
    return _white(fig)
