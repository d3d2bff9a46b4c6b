"""Pictures of what a character model's units do on real text: text coloured by one unit, gate traces."""

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import ListedColormap, Normalize
from matplotlib.patches import Rectangle

from ._draw import _white

# The middle two thirds of a diverging map: black text keeps a contrast of at least 4.5:1 on its darkest colours.
_CMAP = ListedColormap(plt.get_cmap("RdBu_r")(np.linspace(0.17, 0.83, 256)), name="RdBu_r_middle")


def _lines(text, max_lines):
    return text.replace("\t", " ").split("\n")[:max_lines]


def plot_text_activation(text, values, label="activation", max_lines=20, vmax=None):
    """Karpathy-style text: every character on a background coloured by one unit's value.

    The colours are the middle of a blue-white-red map (blue low, white 0, red high), under black
    monospace characters on an opaque white figure, so the text reads the same in light and dark mode.

    Parameters
    ----------
    text : str, length T
    values : array_like, shape (T,)
        The unit's value after reading each character.
    label : str
        The colour bar's label.
    max_lines : int
        Lines of ``text`` drawn (the rest is cut).
    vmax : float, optional
        The value drawn at full colour (symmetric about 0); ``max |values|`` by default.

    Returns
    -------
    matplotlib.figure.Figure
    """
    values = np.asarray(values, dtype=float)
    if values.shape != (len(text),):
        raise ValueError(f"expected one value per character ({len(text)}); got shape {values.shape}")
    lines = _lines(text, max_lines)
    width = max(len(line) for line in lines) + 1
    vmax = float(vmax or np.abs(values).max() or 1.0)
    norm = Normalize(-vmax, vmax)
    fig_w = min(7.0, 0.6 + 0.078 * width)
    fig, ax = plt.subplots(figsize=(fig_w, 0.6 + 0.19 * len(lines)))
    k = 0
    for row, line in enumerate(lines):
        for col, ch in enumerate(line + "\n"):
            if k >= len(values):
                break
            colour = _CMAP(norm(np.clip(values[k], -vmax, vmax)))
            ax.add_patch(Rectangle((col, -row - 1), 1, 1, facecolor=colour, edgecolor="none"))
            if ch not in " \n":
                ax.text(col + 0.5, -row - 0.5, ch, ha="center", va="center", fontsize=9,
                        family="monospace", color="black")
            k += 1
    ax.set_xlim(0, width)
    ax.set_ylim(-len(lines), 0)
    ax.axis("off")
    mappable = plt.cm.ScalarMappable(norm=norm, cmap=_CMAP)
    bar = fig.colorbar(mappable, ax=ax, orientation="horizontal", fraction=0.04, pad=0.02, aspect=40)
    bar.set_label(label, fontsize=9)
    bar.ax.tick_params(labelsize=9)
    fig.tight_layout()
    return _white(fig)


def plot_char_traces(text, traces, marks=None, title=None):
    """Gate values of one unit along a stretch of text, with the characters under the x axis.

    Parameters
    ----------
    text : str, length T
        Newlines are shown as ``⏎``, spaces as ``␣``.
    traces : dict of str to array_like, shape (T,)
        One line per entry, e.g. ``{"$i_t$": i, "$f_t$": f, "$o_t$": o, "$|c_t|$": abs(c)}``; each
        gets its own panel.
    marks : array_like of bool, shape (T,), optional
        Characters to shade in every panel (e.g. inside a string).
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    T = len(text)
    fig, axes = plt.subplots(len(traces), 1, figsize=(7, 0.3 + 1.0 * len(traces)), sharex=True)
    axes = np.atleast_1d(axes)
    steps = np.arange(T)
    for ax, (name, values) in zip(axes, traces.items()):
        values = np.asarray(values, dtype=float)
        if values.shape != (T,):
            raise ValueError(f"expected {T} values for {name!r}; got shape {values.shape}")
        if marks is not None:
            shade = np.asarray(marks, dtype=bool)
            ax.fill_between(steps, 0, 1, where=shade, step="mid", color="#dddddd",
                            transform=ax.get_xaxis_transform(), linewidth=0)
        ax.plot(steps, values, color="black", linewidth=1.2, drawstyle="steps-mid")
        ax.set_ylabel(name, fontsize=10, rotation=0, ha="right", va="center")
        ax.tick_params(labelsize=9)
    shown = [{"\n": "⏎", " ": "␣"}.get(ch, ch) for ch in text]
    axes[-1].set_xticks(steps)
    axes[-1].set_xticklabels(shown, fontsize=9, family="monospace")
    axes[-1].set_xlim(-0.5, T - 0.5)
    if title:
        axes[0].set_title(title, fontsize=10)
    fig.tight_layout()
    return _white(fig)
