"""Figures of the audio chapter: the sample-level LSTM at one step, and waveforms with their period marked."""

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import FancyArrowPatch
from matplotlib.path import Path

from ._draw import FEEDBACK, _arrow, _node, _white

PITCH = "#7b1fa2"  # arrows that carry the pitch (purple, as the image in the captioning designs)
_H = 0.55 / 2 + 0.04  # half a box's height, with its rounded pad


def _link(ax, start, end, colour="#444444", width=1.0):
    ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=10, color=colour, shrinkA=1,
                                 shrinkB=1, linewidth=width))


def _route(ax, points, colour=FEEDBACK):
    ax.add_patch(FancyArrowPatch(path=Path(points), arrowstyle="-|>", mutation_scale=10, color=colour,
                                 linestyle="--", linewidth=1.2))


def draw_sample_lstm(context=40):
    r"""One step of the sample-level LSTM: three inputs, the per-pitch gain on the frame, and the loop back.

    The LSTM reads the previous code's embedding, the frame :math:`w_t` of the last ``context`` decoded
    samples (newest first) scaled lag by lag by :math:`1 + g_p` (eq. ``frame-gain``), and the pitch :math:`p`
    one-hot; a softmax over the 256 μ-law codes gives the next code :math:`k_t`. To generate, :math:`k_t` is the next step's input, and its
    decoded value is pushed into the front of the frame while the oldest value drops out.

    Parameters
    ----------
    context : int
        The frame's length, printed in its label.

    Returns
    -------
    matplotlib.figure.Figure
        6.2 inches wide (the book's column at 100 dpi). The pitch's arrows are purple; the dashed green
        routes are the generation loop.
    """
    fig, ax = plt.subplots(figsize=(6.2, 3.7))
    w_in, w = 1.3, 1.05
    _node(ax, 0, 3, "code $k_{t-1}$", "x", w=w_in)
    _node(ax, 0, 2, f"frame $w_t$\n{context} lags", "x", w=w_in, h=0.7)
    _node(ax, 0, 0, "pitch $p$", "r", w=w_in)
    _node(ax, 1.9, 3, "embed", "x", w=w)
    _node(ax, 1.9, 2, "$\\odot\\,(1 + g_p)$", "r", w=w)
    _node(ax, 1.9, 1, "gain $g_p$", "r", w=w)
    _node(ax, 1.9, 0, "one-hot", "r", w=w)
    top, bottom = 3 + _H, 0 - _H
    ax.add_patch(_tall_box(3.4, bottom, top, 0.5))
    ax.text(3.4, 1.5, "concatenate", rotation=90, ha="center", va="center", fontsize=10)
    _node(ax, 4.75, 1.5, "LSTM", "h", w=w)
    _node(ax, 4.75, 3, "$h_{t-1}, c_{t-1}$", "off", w=w + 0.2)
    _node(ax, 6.3, 1.5, "softmax\n256 codes", "y", w=w + 0.1, h=0.7)
    _node(ax, 6.3, 0, "draw $k_t$", "y", w=w + 0.1)
    _node(ax, 4.7, 0, "μ-law decode", "fed", w=w + 0.55)
    edge_in, edge = w_in / 2 + 0.04, w / 2 + 0.04
    for y in (3, 2):
        _link(ax, (edge_in, y), (1.9 - edge, y))
    _link(ax, (edge_in, 0), (1.9 - edge, 0), PITCH, 1.6)
    _link(ax, (edge_in - 0.1, _H), (1.9 - edge, 1 - 0.1), PITCH, 1.6)  # the pitch picks its row of gains
    _link(ax, (1.9, 1 + _H), (1.9, 2 - 0.35 - 0.04), PITCH, 1.6)
    for y in (3, 2, 0):
        _link(ax, (1.9 + edge, y), (3.4 - 0.29, y), PITCH if y == 0 else "#444444", 1.6 if y == 0 else 1.0)
    _link(ax, (3.4 + 0.29, 1.5), (4.75 - edge, 1.5))
    _link(ax, (4.75, 3 - _H), (4.75, 1.5 + _H))
    _link(ax, (4.75 + edge, 1.5), (6.3 - edge - 0.05, 1.5))
    _link(ax, (6.3, 1.5 - 0.39), (6.3, _H))
    # generation: k_t becomes the next input, and its decoded value the newest lag of the frame
    _route(ax, [(6.3 + edge + 0.05, 0), (7.25, 0), (7.25, 3.75), (0, 3.75), (0, 3 + _H)])
    _link(ax, (6.3 - edge - 0.05, 0), (4.7 + edge + 0.28, 0), FEEDBACK, 1.2)
    _route(ax, [(4.7, -_H), (4.7, -0.75), (-1.0, -0.75), (-1.0, 2), (-w_in / 2 - 0.04, 2)])
    ax.text(3.6, 3.83, "$k_t$: the next step's input", ha="center", va="bottom", fontsize=10, color=FEEDBACK)
    ax.text(1.9, -0.83, "pushed in newest first; the oldest lag drops out", ha="center", va="top", fontsize=10,
            color=FEEDBACK)
    ax.set_xlim(-1.3, 7.5)
    ax.set_ylim(-1.25, 4.2)
    ax.set_aspect("equal")
    ax.axis("off")
    fig.tight_layout()
    return _white(fig)


def _tall_box(x, bottom, top, w):
    from matplotlib.patches import FancyBboxPatch

    from ._draw import COLOURS

    return FancyBboxPatch((x - w / 2, bottom), w, top - bottom, boxstyle="round,pad=0.03", facecolor=COLOURS["h"],
                          edgecolor="#444444", linewidth=1)


def plot_waveforms(waves, labels, period, n=200):
    """The first ``n`` samples of each wave, one panel each, with a mark every ``period`` samples.

    Parameters
    ----------
    waves : sequence of ndarray, each shape (n_samples,)
    labels : sequence of str
        One title per wave.
    period : float
        The string's period in samples, :math:`N + \\tfrac12`: a dotted line at every multiple.
    n : int
        How many samples to show.

    Returns
    -------
    matplotlib.figure.Figure
        6.2 inches wide, one row per wave, sharing both axes.
    """
    fig, axes = plt.subplots(len(waves), 1, figsize=(6.2, 1.5 * len(waves) + 0.4), sharex=True, sharey=True,
                             squeeze=False)
    for ax, wave, label in zip(axes[:, 0], waves, labels):
        ax.plot(np.arange(n), np.asarray(wave)[:n], linewidth=1)
        for k in np.arange(period, n, period):
            ax.axvline(k, color="#888888", linestyle=":", linewidth=1)
        ax.set_title(label, fontsize=10, loc="left")
        ax.tick_params(labelsize=9)
    axes[-1, 0].set_xlabel(f"sample (dotted: every period, {period:.1f} samples)", fontsize=10)
    fig.tight_layout()
    return _white(fig)


def draw_karplus_strong():
    r"""The Karplus–Strong string as a delay line: the two oldest samples averaged, damped, and fed back in front.

    Eq. ``karplus-strong``: :math:`y[n] = \tfrac{\rho}{2}(y[n-N] + y[n-N-1])`. The line holds the last
    :math:`N + 1` samples, newest on the left; the burst of noise fills it first, and every new sample shifts
    it one place to the right.

    Returns
    -------
    matplotlib.figure.Figure
        6.2 inches wide (the book's column at 100 dpi); the new sample's route is dashed green.
    """
    fig, ax = plt.subplots(figsize=(6.2, 2.5))
    w, xs, avg = 1.3, [0, 1.5, 3.0, 4.5, 6.0], 5.25
    for x, text in zip(xs, ["$y[n-1]$", "$y[n-2]$", "$\\cdots$", "$y[n-N]$", "$y[n-N-1]$"]):
        _node(ax, x, 1, text, "h", w=w)
    for a, b in zip(xs[:-1], xs[1:]):
        _link(ax, (a + w / 2 + 0.04, 1), (b - w / 2 - 0.04, 1))
    _node(ax, avg, -0.2, "$\\rho\\,(a + b)\\,/\\,2$", "r", w=1.5)
    _link(ax, (4.5, 1 - _H), (avg - 0.3, -0.2 + _H))
    _link(ax, (6.0, 1 - _H), (avg + 0.3, -0.2 + _H))
    _node(ax, -1.6, 1, "$y[n]$", "y", w=1.0)
    _route(ax, [(avg - 0.75 - 0.04, -0.2), (-1.6, -0.2), (-1.6, 1 - _H)])
    _link(ax, (-1.6 + 0.5 + 0.04, 1), (-w / 2 - 0.04, 1))
    _link(ax, (-1.6, 1 + _H), (-1.6, 1.85))
    ax.text(-1.6, 1.9, "output", ha="center", va="bottom", fontsize=10)
    ax.text(3.0, 1.55, "delay line: the last N + 1 samples, filled by the burst first", ha="center",
            va="bottom", fontsize=10)
    ax.text(1.5, -0.3, "new sample, next in line", ha="center", va="top", fontsize=10, color=FEEDBACK)
    ax.set_xlim(-2.3, 6.8)
    ax.set_ylim(-0.75, 2.3)
    ax.set_aspect("equal")
    ax.axis("off")
    fig.tight_layout()
    return _white(fig)
