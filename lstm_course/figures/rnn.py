"""Diagrams of the recurrent-network part: task shapes, the unrolled, stacked and bidirectional RNN."""

import matplotlib.pyplot as plt
from matplotlib.patches import FancyArrowPatch

from ._draw import _arrow, _chain, _finish, _node


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
