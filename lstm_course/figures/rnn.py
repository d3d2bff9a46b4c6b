"""Diagrams of the recurrent-network part: task shapes, the unrolled, stacked and bidirectional RNN."""

import matplotlib.pyplot as plt
from matplotlib.patches import FancyArrowPatch

from ._draw import FEEDBACK, GRADIENT, _arrow, _chain, _finish, _node, _white


def draw_task_shapes():
    """The four input/output shapes of sequence tasks, with the seed's examples."""
    fig, axes = plt.subplots(1, 4, figsize=(14, 3.0), gridspec_kw={"width_ratios": [4, 6, 4, 7.5]})
    x, y = (lambda t: f"$x_{{{t}}}$"), (lambda t: f"$\\hat y_{{{t}}}$")
    _chain(axes[0], [x(t) for t in range(1, 5)], [None, None, None, "$\\hat y$"],
           "many-to-one\n(sentiment)")
    _chain(axes[1], ["image"] + [y(t) for t in range(1, 4)], [y(t) for t in range(1, 5)],
           "one-to-many, generating\n(captioning, audio synthesis)", feedback=(0, 1, 2), spacing=1.5)
    _chain(axes[2], [x(t) for t in range(1, 5)], [y(t) for t in range(1, 5)],
           "aligned many-to-many\n(part-of-speech tagging)")
    _chain(axes[3], [x(1), x(2), x(3), "start", y(1)], [None, None, None, y(1), y(2)],
           "encoder-decoder\n(translation, question answering)",
           states=["$e_1$", "$e_2$", "$e_3$", "$d_1$", "$d_2$"], feedback=(3,), spacing=1.5)
    fig.text(0.5, 0.04, "dashed green: an output fed back as the next step's input (at generation time)",
             ha="center", fontsize=9, color=FEEDBACK)
    fig.tight_layout(rect=(0, 0.08, 1, 1))
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
    """A bidirectional layer: a forward chain, a reverse chain, and outputs reading both at each step.

    The two chains are staggered (forward left of each input, reverse right of
    it, one row higher), so that no arrow passes through another row's box.
    """
    fig, ax = plt.subplots(figsize=(2.0 * T + 1.5, 4.6))
    for t in range(T):
        x, fwd, rev, out = (2 * t, 0), (2 * t - 0.5, 1.2), (2 * t + 0.5, 2.4), (2 * t, 3.6)
        _node(ax, *x, f"$x_{{{t + 1}}}$", "x")
        _node(ax, *fwd, f"$\\overrightarrow{{h}}_{{{t + 1}}}$", "h")
        _node(ax, *rev, f"$\\overleftarrow{{h}}_{{{t + 1}}}$", "r")
        _node(ax, *out, f"$\\hat y_{{{t + 1}}}$", "y")
        for start, end in ((x, fwd), (x, rev), (fwd, out), (rev, out)):
            _arrow(ax, start, end)
        if t:
            _arrow(ax, (fwd[0] - 2, fwd[1]), fwd)
            _arrow(ax, rev, (rev[0] - 2, rev[1]))
    ax.text(-1.1, 1.2, "forward", ha="right", va="center", fontsize=9)
    ax.text(-1.1, 2.4, "reverse", ha="right", va="center", fontsize=9)
    _finish(ax, "A bidirectional RNN: $\\hat y_t$ reads $[\\overrightarrow{h}_t; \\overleftarrow{h}_t]$")
    ax.set_xlim(-2.2, 2 * T - 0.6)
    fig.tight_layout()
    return fig


def draw_bptt_paths(T=4, t_marked=2):
    """BPTT on the unrolled RNN: the two paths by which the gradient reaches each state (in red).

    Forward arrows are grey; red arrows carry gradients backwards, from the
    loss at each step down to its state, and from each state to the one before.
    """
    fig, ax = plt.subplots(figsize=(1.9 * T + 1.5, 3.9))
    s = 1.9
    for t in range(T):
        x = s * t
        _node(ax, x, 0, f"$x_{{{t + 1}}}$", "x")
        _node(ax, x, 1.3, f"$h_{{{t + 1}}}$", "h")
        _node(ax, x, 2.6, f"$\\mathcal{{L}}_{{{t + 1}}}$", "y")
        _arrow(ax, (x, 0), (x, 1.3), colour="#999999")
        _arrow(ax, (x - 0.15, 1.3), (x - 0.15, 2.6), colour="#999999")
        _arrow(ax, (x + 0.15, 2.6), (x + 0.15, 1.3), colour=GRADIENT)  # from the output at t
        if t:
            _arrow(ax, (x - s, 1.42), (x, 1.42), colour="#999999")
            _arrow(ax, (x, 1.18), (x - s, 1.18), colour=GRADIENT)  # from step t + 1
    x = s * (t_marked - 1)
    ax.text(x + 0.25, 1.95, "from the output\nat $t$", color=GRADIENT, fontsize=8, va="center")
    ax.text(x + s / 2, 0.88, "from step $t{+}1$:\n$W_{hh}^\\top d z_{t+1}$", color=GRADIENT, fontsize=8,
            ha="center", va="top")
    ax.text(s * (T - 1) + 0.55, 1.3, "$d h_T$ from\n$h_n$ (or 0)", color=GRADIENT, fontsize=8, va="center")
    _finish(ax, "BPTT: the gradient reaching $h_t$ is the sum of two paths (red)")
    ax.set_xlim(-0.8, s * (T - 1) + 1.6)
    fig.tight_layout()
    return fig
