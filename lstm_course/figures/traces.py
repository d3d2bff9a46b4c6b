"""Gate traces: an LSTM's input, forget and output gates and its cell along one real sequence."""

import matplotlib.pyplot as plt
import numpy as np

from ._draw import _white

ROWS = (("i", "input\ngate $i_t$"), ("f", "forget\ngate $f_t$"), ("o", "output\ngate $o_t$"),
        ("c", "cell\n$|c_t|$"))
MARK = "#c0392b"  # the marked steps: the same red in both themes, on the figure's white background


def _get(traces, name):
    return np.asarray(traces[name] if isinstance(traces, dict) else getattr(traces, name), dtype=float)


def plot_gate_traces(traces, *, title, symbols=None, inputs=None, marks=(), mark_labels=None, width=7.0):
    """Heat maps of ``i_t, f_t, o_t`` and ``|c_t|`` (units by steps) along one sequence.

    Parameters
    ----------
    traces : GateTraces or dict
        ``i, f, o, c``, each of shape (T, H), as returned by
        :func:`lstm_course.experiments.traces.lstm_gate_traces`.
    title : str
    symbols : sequence of str, optional
        One label per step (T of them), written under the bottom panel (a Reber string's symbols).
    inputs : ndarray, shape (T,), optional
        One input channel drawn as bars above the heat maps (the adding problem's values).
    marks : sequence of int
        Steps to mark: a dashed line through the inputs' bar, and dashed lines on both sides of the
        step's column in each heat map (the adding problem's two markers, or a Reber string's two
        embedded symbols).
    mark_labels : sequence of str, optional
        One label per mark, written above the top panel.
    width : float
        Figure width in inches (at most 7 for the book's column).

    Returns
    -------
    matplotlib.figure.Figure
        One axis per panel: the optional inputs, then i, f, o and ``|c|``; each heat map with its colour bar.
    """
    T, H = _get(traces, "i").shape
    panels = ([("inputs", None)] if inputs is not None else []) + list(ROWS)
    heights = [0.8 if name == "inputs" else 1.0 for name, _ in panels]
    fig, axes = plt.subplots(len(panels), 2, figsize=(width, 1.05 * sum(heights) + 1.3), squeeze=False,
                             gridspec_kw={"height_ratios": heights, "width_ratios": [40, 1], "hspace": 0.35,
                                          "wspace": 0.03})
    steps = np.arange(T)
    for row, (name, label) in enumerate(panels):
        ax, cax = axes[row]
        if name == "inputs":
            values = np.asarray(inputs, dtype=float)
            colours = ["#888888"] * T
            for t in marks:
                colours[t] = MARK
            ax.bar(steps, values, width=0.8, color=colours)
            ax.axhline(0, color="#444444", linewidth=0.6)
            ax.set_xlim(-0.5, T - 0.5)
            ax.set_ylabel("input", fontsize=9)
            ax.tick_params(labelsize=9, labelbottom=False)
            cax.axis("off")
        else:
            data = _get(traces, name)
            if name == "c":
                data = np.abs(data)
                image = ax.imshow(data.T, aspect="auto", cmap="magma", interpolation="nearest",
                                  vmin=0, vmax=max(float(data.max()), 1e-9), origin="lower")
            else:
                image = ax.imshow(data.T, aspect="auto", cmap="viridis", interpolation="nearest",
                                  vmin=0, vmax=1, origin="lower")
            ax.set_ylabel(label, fontsize=9, rotation=0, ha="right", va="center", labelpad=8)
            ax.set_yticks([0, H - 1])
            ax.set_yticklabels(["1", f"{H}"], fontsize=9)
            ax.tick_params(axis="x", labelsize=9, labelbottom=(row == len(panels) - 1))
            bar = fig.colorbar(image, cax=cax)
            bar.ax.tick_params(labelsize=9)
        for t in marks:  # on a heat map, bracket the marked column so that its values stay visible
            for edge in ((t,) if name == "inputs" else (t - 0.5, t + 0.5)):
                ax.axvline(edge, color=MARK if name == "inputs" else "white", linewidth=1.0, linestyle="--")
    top, bottom = axes[0][0], axes[-1][0]
    if mark_labels is not None:
        for t, text in zip(marks, mark_labels):
            top.annotate(text, xy=(t, 1.0), xycoords=("data", "axes fraction"), xytext=(0, 3),
                         textcoords="offset points", ha="center", va="bottom", fontsize=9, color=MARK)
    if symbols is not None:
        bottom.set_xticks(steps)
        bottom.set_xticklabels(list(symbols), fontsize=9, family="monospace")
        bottom.set_xlabel("symbol read at step t", fontsize=9)
    else:
        bottom.set_xlabel("step t", fontsize=9)
    fig.text(0.005, 0.5, f"units 1 to {H} (rows of each heat map)", rotation=90, va="center", fontsize=9)
    fig.suptitle(title, fontsize=11)
    fig.subplots_adjust(left=0.17, right=0.93, top=0.88 if mark_labels is None else 0.86, bottom=0.1)
    return _white(fig)
