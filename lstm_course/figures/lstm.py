"""Diagrams of the LSTM part: the cell gate by gate, its gradient path, and the Reber automaton."""

import matplotlib.pyplot as plt

from ._cell import PEEP, Board
from ._draw import _arrow, _finish, _node


_GATE_PARTS = {  # which boxes each section of the LSTM chapter highlights
    "forget": {"f", "times_f"},
    "input": {"i", "c_tilde", "times_i", "plus"},
    "output": {"o", "tanh_c", "times_o"},
}
_ALL_PARTS = {"f", "i", "c_tilde", "o", "times_f", "times_i", "plus", "tanh_c", "times_o"}
_TITLES = {None: "The LSTM cell", "forget": "Forget gate: $c_t \\leftarrow f_t \\odot c_{t-1}$",
           "input": "Input and content: $c_t \\leftarrow c_t + i_t \\odot \\tilde c_t$",
           "output": "Output gate: $h_t = o_t \\odot \\tanh(c_t)$"}
_VARIANT_TITLES = {"peephole": "Peephole LSTM: $f_t, i_t$ read $c_{t-1}$, $o_t$ reads $c_t$",
                   "coupled": "Coupled gates (CIFG): $i_t = 1 - f_t$"}


def draw_lstm_cell(highlight=None, variant="lstm"):
    """One LSTM cell: the cell-state line on top, the four gates below, every wire clear of every label.

    Parameters
    ----------
    highlight : {None, "forget", "input", "output"}
        Colour the boxes of one gate (the book's section on that gate); the rest is grey.
    variant : {"lstm", "peephole", "coupled"}
        ``"lstm"``: the cell of ``torch.nn.LSTM``. ``"peephole"`` (Gers & Schmidhuber 2000) adds the
        peephole wires, drawn in purple: from :math:`c_{t-1}` into :math:`f_t` and :math:`i_t`, and from
        the new :math:`c_t` into :math:`o_t`. ``"coupled"`` (CIFG) replaces the input gate by
        :math:`i_t = 1 - f_t`, fed by the forget gate, not by the input.

    Returns
    -------
    matplotlib.figure.Figure
        6 inches wide (about 611 px as the notebooks save it, inside the book's 623 px column), labels at 9 pt or more.

    See Also
    --------
    lstm_course.numpy_impl.lstm_variant_step_forward : the variants these pictures draw.
    """
    if variant not in ("lstm", "peephole", "coupled"):
        raise ValueError(f"variant must be 'lstm', 'peephole' or 'coupled'; got {variant!r}")
    lit = _GATE_PARTS.get(highlight, _ALL_PARTS)
    b = Board(height=3.9)
    Y_C, Y_MUL, Y_O, Y_G, Y_IN = 4.4, 3.3, 2.3, 1.2, 0.1  # rows: cell line, x i, x o, gates, input

    def box(name, x, y, text, kind="h", w=1.15, h=0.5):
        b.box(name, x, y, text, kind if name in lit else "off", w, h)

    b.frame(1.7, -0.35, 9.25, 4.95)
    # the cell-state line: c_{t-1} -> (x f) -> (+ i c~) -> c_t
    b.box("c_prev", 0.45, Y_C, "$c_{t-1}$", "y", 0.9)
    box("times_f", 2.9, Y_C, "$\\times$", "r", 0.5)
    box("plus", 5.1, Y_C, "$+$", "r", 0.5)
    b.box("c_t", 10.15, Y_C, "$c_t$", "y", 0.8)
    b.wire(b.edge("c_prev", "right"), b.edge("times_f", "left"))
    b.wire(b.edge("times_f", "right"), b.edge("plus", "left"))
    b.wire(b.edge("plus", "right"), b.edge("c_t", "left"))
    # the gates, each reading [x_t, h_{t-1}] from the input line below them
    box("f", 2.9, Y_G, "$f_t = \\sigma$")
    if variant == "coupled":
        box("i", 4.3, Y_O, "$i_t = 1 - f_t$", "r", 1.45)
    else:
        box("i", 4.3, Y_G, "$i_t = \\sigma$")
    box("c_tilde", 5.85, Y_G, "$\\tilde c_t = \\tanh$", "h", 1.35)
    box("o", 7.4, Y_G, "$o_t = \\sigma$")
    box("times_i", 5.1, Y_MUL, "$\\times$", "r", 0.5)
    box("tanh_c", 8.6, Y_MUL, "$\\tanh$", "h", 0.75)
    box("times_o", 8.6, Y_O, "$\\times$", "r", 0.5)
    b.box("h_t", 10.15, Y_O, "$h_t$", "y", 0.8)
    b.wire(b.edge("f", "top"), b.edge("times_f", "bottom"))
    i_out = b.edge("i", "top", 0.0 if variant == "coupled" else 0.2)
    b.wire(i_out, (i_out[0], Y_MUL), b.edge("times_i", "left"))
    b.wire(b.edge("c_tilde", "top"), (5.85, Y_MUL), b.edge("times_i", "right"))
    b.wire(b.edge("times_i", "top"), b.edge("plus", "bottom"))
    o_out = b.edge("o", "top", 0.2 if variant == "peephole" else 0.0)
    b.wire(o_out, (o_out[0], Y_O), b.edge("times_o", "left"))
    b.dot(8.6, Y_C)
    b.wire((8.6, Y_C), b.edge("tanh_c", "top"))
    b.wire(b.edge("tanh_c", "bottom"), b.edge("times_o", "top"))
    b.wire(b.edge("times_o", "right"), b.edge("h_t", "left"))
    # the input: the lower layer's output and the previous state, concatenated
    b.box("input", 0.45, Y_IN, "$[x_t, h_{t-1}]$", "x", 1.3)
    readers = ["f", "c_tilde", "o"] + ([] if variant == "coupled" else ["i"])
    for name in readers:
        offset = -0.2 if (name == "i" and variant == "peephole") else 0.0
        top = b.edge(name, "bottom", offset)
        b.wire(b.edge("input", "right"), (top[0], Y_IN), top)
    if variant == "coupled":  # i_t = 1 - f_t: a branch of the forget gate's output
        b.dot(2.9, Y_O)
        b.wire((2.9, Y_O), b.edge("i", "left"))
    if variant == "peephole":  # f and i read the old cell, o the new one
        b.dot(1.95, Y_C, PEEP)
        b.wire((1.95, Y_C), (1.95, Y_G), b.edge("f", "left"), colour=PEEP)
        b.dot(1.95, Y_O, PEEP)
        into_i = b.edge("i", "top", -0.2)
        b.wire((1.95, Y_O), (into_i[0], Y_O), into_i, colour=PEEP)
        b.note(1.55, 3.35, "$c_{t-1}$\ninto $f_t, i_t$", PEEP, ha="right", va="center")
        b.dot(7.0, Y_C, PEEP)
        b.wire((7.0, Y_C), b.edge("o", "top", -0.4), colour=PEEP)
        b.note(7.1, 3.5, "$c_t$ into $o_t$", PEEP, ha="left", va="center")
    title = _VARIANT_TITLES[variant] if variant != "lstm" and highlight is None else _TITLES[highlight]
    return b.finish(title, (-0.3, 10.7), (-0.6, 5.1))


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
