"""Diagrams of the book, drawn with matplotlib so that they are code, not images.

Each function returns the ``matplotlib.figure.Figure`` it drew.
"""

import matplotlib.pyplot as plt
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

COLOURS = {"x": "#cfe2f3", "h": "#fce5cd", "y": "#d9ead3", "r": "#ead1dc", "off": "#eeeeee"}


def _node(ax, x, y, text, kind, w=0.8, h=0.55):
    ax.add_patch(FancyBboxPatch((x - w / 2, y - h / 2), w, h, boxstyle="round,pad=0.03",
                                facecolor=COLOURS[kind], edgecolor="#444444", linewidth=1))
    ax.text(x, y, text, ha="center", va="center", fontsize=10)


def _arrow(ax, start, end, colour="#444444", rad=0.0):
    ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=10, color=colour,
                                 shrinkA=14, shrinkB=14, connectionstyle=f"arc3,rad={rad}", linewidth=1))


def _finish(ax, title):
    ax.set_title(title, fontsize=11)
    ax.set_aspect("equal")
    ax.autoscale_view()
    ax.margins(0.08)
    ax.axis("off")


def _chain(ax, inputs, outputs, title, states=None, cell="h"):
    """Inputs at y = 0, cells at y = 1, outputs at y = 2; ``None`` hides a box."""
    T = len(inputs)
    for t in range(T):
        _node(ax, t, 1, (states or [f"$h_{{{t + 1}}}$" for t in range(T)])[t], cell)
        if inputs[t] is not None:
            _node(ax, t, 0, inputs[t], "x")
            _arrow(ax, (t, 0), (t, 1))
        if outputs[t] is not None:
            _node(ax, t, 2, outputs[t], "y")
            _arrow(ax, (t, 1), (t, 2))
        if t:
            _arrow(ax, (t - 1, 1), (t, 1))
    _finish(ax, title)


def draw_task_shapes():
    """The four input/output shapes of sequence tasks, with the seed's examples."""
    fig, axes = plt.subplots(1, 4, figsize=(13, 3.2))
    x, y = (lambda t: f"$x_{{{t}}}$"), (lambda t: f"$\\hat y_{{{t}}}$")
    _chain(axes[0], [x(t) for t in range(1, 5)], [None, None, None, "$\\hat y$"],
           "many-to-one\n(sentiment)")
    _chain(axes[1], ["image", None, None, None], [y(t) for t in range(1, 5)],
           "one-to-many\n(captioning, audio synthesis)")
    _chain(axes[2], [x(t) for t in range(1, 5)], [y(t) for t in range(1, 5)],
           "aligned many-to-many\n(part-of-speech tagging)")
    _chain(axes[3], [x(1), x(2), x(3), None, None], [None, None, None, y(1), y(2)],
           "encoder-decoder\n(translation, question answering)",
           states=["$e_1$", "$e_2$", "$e_3$", "$d_1$", "$d_2$"])
    fig.tight_layout()
    return fig


def draw_unrolled_rnn(T=4):
    """The recurrent cell folded (a loop) and unrolled over ``T`` steps, with the shared weights named."""
    fig, (ax_fold, ax) = plt.subplots(1, 2, figsize=(11, 3.4), gridspec_kw={"width_ratios": [1, T]})
    _node(ax_fold, 0, 1, "$h_t$", "h")
    _node(ax_fold, 0, 0, "$x_t$", "x")
    _node(ax_fold, 0, 2, "$\\hat y_t$", "y")
    _arrow(ax_fold, (0, 0), (0, 1))
    _arrow(ax_fold, (0, 1), (0, 2))
    ax_fold.add_patch(FancyArrowPatch((0.35, 1.15), (0.35, 0.85), connectionstyle="arc3,rad=-2.2",
                                      arrowstyle="-|>", mutation_scale=10, color="#444444"))
    ax_fold.text(0.95, 1, "$W_{hh}$", fontsize=10, va="center")
    _finish(ax_fold, "folded")
    ax_fold.set_xlim(-0.8, 1.5)
    _chain(ax, [f"$x_{{{t}}}$" for t in range(1, T + 1)], [f"$\\hat y_{{{t}}}$" for t in range(1, T + 1)],
           "unrolled: the same $W_{xh}$, $W_{hh}$, $W_{hy}$ at every step")
    _node(ax, -1, 1, "$h_0$", "off")
    _arrow(ax, (-1, 1), (0, 1))
    ax.text(0.5, 1.36, "$W_{hh}$", ha="center", fontsize=9)
    ax.set_xlim(-1.6, T - 0.4)
    ax.text(0.1, 0.5, "$W_{xh}$", fontsize=9)
    ax.text(0.1, 1.5, "$W_{hy}$", fontsize=9)
    fig.tight_layout()
    return fig


def draw_stacked_rnn(T=4, L=3):
    """A stack of ``L`` recurrent layers unrolled over ``T`` steps; layer k reads layer k-1 at the same step."""
    fig, ax = plt.subplots(figsize=(1.6 * T + 1.5, 1.1 * (L + 2)))
    for t in range(T):
        _node(ax, t, 0, f"$x_{{{t + 1}}}$", "x")
        for k in range(1, L + 1):
            _node(ax, t, k, f"$h^{{({k})}}_{{{t + 1}}}$", "h")
            _arrow(ax, (t, k - 1), (t, k))
            if t:
                _arrow(ax, (t - 1, k), (t, k))
        _node(ax, t, L + 1, f"$\\hat y_{{{t + 1}}}$", "y")
        _arrow(ax, (t, L), (t, L + 1))
    for k in range(1, L + 1):
        ax.text(-0.75, k, f"layer {k}", ha="right", va="center", fontsize=9)
    _finish(ax, f"A stacked RNN: {L} layers, each with its own $W_{{xh}}^{{(k)}}, W_{{hh}}^{{(k)}}, b_h^{{(k)}}$")
    ax.set_xlim(-1.9, T - 0.4)
    fig.tight_layout()
    return fig


def draw_bidirectional_rnn(T=4):
    """A bidirectional layer: a forward chain, a reverse chain, and outputs reading both at each step."""
    fig, ax = plt.subplots(figsize=(1.6 * T + 1.5, 4.2))
    for t in range(T):
        _node(ax, t, 0, f"$x_{{{t + 1}}}$", "x")
        _node(ax, t, 1, f"$\\overrightarrow{{h}}_{{{t + 1}}}$", "h")
        _node(ax, t, 2, f"$\\overleftarrow{{h}}_{{{t + 1}}}$", "r")
        _node(ax, t, 3, f"$\\hat y_{{{t + 1}}}$", "y")
        _arrow(ax, (t, 0), (t, 1))
        _arrow(ax, (t - 0.25, 0), (t - 0.25, 2), rad=0.25)
        _arrow(ax, (t, 2), (t, 3))
        _arrow(ax, (t + 0.28, 1), (t + 0.28, 3), rad=-0.25)
        if t:
            _arrow(ax, (t - 1, 1), (t, 1))
            _arrow(ax, (t, 2), (t - 1, 2))
    ax.text(-0.75, 1, "forward", ha="right", va="center", fontsize=9)
    ax.text(-0.75, 2, "reverse", ha="right", va="center", fontsize=9)
    _finish(ax, "A bidirectional RNN: $\\hat y_t$ reads $[\\overrightarrow{h}_t; \\overleftarrow{h}_t]$")
    ax.set_xlim(-1.9, T - 0.4)
    fig.tight_layout()
    return fig


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
