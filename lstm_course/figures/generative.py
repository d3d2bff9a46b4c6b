"""Diagrams of the generative part: teacher forcing against free-running sampling, and temperature."""

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import FancyArrowPatch

from ._draw import _arrow, _finish, _node


def _white(fig):
    """An opaque white background, so that the figure reads the same in the book's dark mode."""
    fig.patch.set_facecolor("white")
    fig.patch.set_alpha(1.0)
    return fig


def draw_teacher_forcing(steps=4):
    """Two unrolled character models: trained with teacher forcing (top), sampling freely (bottom).

    Top: every input is the true previous character, whatever the model
    predicted, and every output is scored against the true next one. Bottom:
    the character drawn from each output is fed back as the next input.
    """
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(8, 6.4))
    text = "def f"  # shown with a visible space below
    for t in range(steps):
        for ax in (top, bottom):
            _node(ax, 1.6 * t, 1, f"$h_{{{t + 1}}}$", "h")
            _arrow(ax, (1.6 * t, 1), (1.6 * t, 2))
            _arrow(ax, (1.6 * t, 0), (1.6 * t, 1))
            if t:
                _arrow(ax, (1.6 * (t - 1), 1), (1.6 * t, 1))
        _node(top, 1.6 * t, 0, "'" + text[t].replace(" ", "␣") + "'", "x")
        _node(top, 1.6 * t, 2, f"$\\hat y_{{{t + 1}}}$", "y")
        top.text(1.6 * t, 2.55, "target '" + text[t + 1].replace(" ", "␣") + "'", ha="center", fontsize=9, color="#555555")
        _node(bottom, 1.6 * t, 2, f"draw $x_{{{t + 2}}}$", "y", 1.0)
        _node(bottom, 1.6 * t, 0, f"'{text[0]}'" if t == 0 else f"$x_{{{t + 1}}}$", "x")
        if t + 1 < steps:  # the draw becomes the next input
            bottom.add_patch(FancyArrowPatch((1.6 * t + 0.5, 1.8), (1.6 * (t + 1) - 0.45, 0.2), arrowstyle="-|>",
                                             mutation_scale=10, color="#c0392b", linewidth=1.2))
    _finish(top, "Teacher forcing (training): the input is always the true previous character")
    _finish(bottom, "Free-running (generation): each drawn character is fed back as the next input")
    for ax in (top, bottom):
        ax.set_xlim(-0.8, 1.6 * steps - 0.6)
        ax.set_ylim(-0.5, 2.9)
    fig.tight_layout()
    return _white(fig)


def plot_temperature_bars(logits, temperatures, symbols=None):
    """Grouped bars of softmax(logits / tau), one group per symbol, one colour per temperature.

    Parameters
    ----------
    logits : array_like, shape (V,)
    temperatures : sequence of float > 0
    symbols : sequence of str, length V, optional
        Tick labels; ``0 .. V-1`` by default.
    """
    from ..sampling import probabilities

    logits = np.asarray(logits, dtype=np.float64)
    V = len(logits)
    symbols = [str(k) for k in range(V)] if symbols is None else list(symbols)
    fig, ax = plt.subplots(figsize=(7, 3.4))
    width = 0.8 / len(temperatures)
    colours = plt.get_cmap("viridis")(np.linspace(0, 0.85, len(temperatures)))
    for n, (tau, colour) in enumerate(zip(temperatures, colours)):
        p = probabilities(logits, tau)
        ax.bar(np.arange(V) + (n - (len(temperatures) - 1) / 2) * width, p, width, color=colour,
               label=f"$\\tau$ = {tau:g}")
    ax.set_xticks(np.arange(V))
    ax.set_xticklabels(symbols, family="monospace")
    ax.set_xlabel("next symbol")
    ax.set_ylabel("probability")
    ax.set_ylim(0, 1)
    ax.set_title("One set of logits at several temperatures")
    ax.legend()
    fig.tight_layout()
    return _white(fig)
