"""Figures of "Making it fast": the schedule of the fast LSTM path, and the timing run's bar chart."""

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import FancyArrowPatch, Rectangle

from ._draw import COLOURS, _white

GATE_COLOURS = {"f": "#f4cccc", "i": "#cfe2f3", "o": "#d9ead3", "c": "#fff2cc"}
BENCH_NAMES = ("numpy_loop", "numpy_readable", "numpy_fast", "numpy_fast_ws", "twin_scratch", "twin_readable",
               "twin_fast", "nn", "nn_native")
SHORT = {"numpy_readable": "np-read", "numpy_fast": "np-fast", "numpy_fast_ws": "np-fast+ws",
         "numpy_loop": "np-loop (CS231n)", "twin_scratch": "scratch (d2l)", "twin_readable": "twin-read",
         "twin_fast": "twin-fast", "nn": "nn", "nn_native": "nn-native"}
EDGE = "#444444"


def _box(ax, x, y, w, h, text, colour, fontsize=9):
    ax.add_patch(Rectangle((x, y), w, h, facecolor=colour, edgecolor=EDGE, linewidth=0.8))
    if text:
        ax.text(x + w / 2, y + h / 2, text, ha="center", va="center", fontsize=fontsize)


def _arrow(ax, start, end, colour=EDGE):
    ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=9, color=colour, linewidth=0.9,
                                 shrinkA=0, shrinkB=0))


def _timeline(ax, T=4):
    """Panel 1: the readable schedule (four GEMMs per gate and step) against the fast one."""
    ax.set_title("1. Hoisting: the input projection before the loop", fontsize=10, loc="left")
    ax.text(0, 3.35, "readable: per step, 4 gates x 2 products", fontsize=9, va="bottom")
    x = 0.0
    for t in range(T):
        for g in "fioc":
            _box(ax, x, 2.45, 0.36, 0.7, "$\\tilde c$" if g == "c" else f"${g}$", GATE_COLOURS[g])
            x += 0.4
        ax.text(x - 0.8, 2.3, f"step {t + 1}", ha="center", va="top", fontsize=9)
        x += 0.25
    ax.text(0, 1.35, "fast: one $(TB, D) \\times (D, 4H)$ product, then one per step", fontsize=9, va="bottom")
    _box(ax, 0, 0.45, 2.0, 0.7, "$X W_x^\\top$, all steps", COLOURS["x"])
    x = 2.25
    for t in range(T):
        _box(ax, x, 0.45, 0.9, 0.7, "$h_{t-1} W_h^\\top$", COLOURS["h"])
        ax.text(x + 0.45, 0.3, f"step {t + 1}", ha="center", va="top", fontsize=9)
        x += 1.05
    ax.set_xlim(-0.1, max(x, T * 1.85) + 0.1)
    ax.set_ylim(-0.2, 3.8)
    ax.axis("off")


def _stacked(ax, D=4, H=2):
    """Panel 2: the (4H, D + H) stacked gate matrix, ours (f, i, o, c) beside torch's (i, f, g, o)."""
    ax.set_title("2. Fusing: one $(4H, D+H)$ gate matrix", fontsize=10, loc="left")
    cols, rows = D + H, 4 * H
    cell = 0.36
    left = 0.8
    for n, g in enumerate("fioc"):
        y = (rows - (n + 1) * H) * cell
        for r in range(H):
            for k in range(cols):
                shade = GATE_COLOURS[g]
                ax.add_patch(Rectangle((left + k * cell, y + r * cell), cell, cell, facecolor=shade,
                                       edgecolor="white", linewidth=0.5))
        name = {"f": "$f$", "i": "$i$", "o": "$o$", "c": "$\\tilde c$"}[g]
        ax.text(left - 0.12, y + H * cell / 2, name, ha="right", va="center", fontsize=10)
    top = rows * cell
    ax.plot([left + D * cell] * 2, [0, top], color=EDGE, linewidth=1.2)
    ax.text(left + D * cell / 2, top + 0.12, "$W_x$: $D$", ha="center", va="bottom", fontsize=9)
    ax.text(left + D * cell + H * cell / 2 + 0.1, top + 0.12, "$W_h$: $H$", ha="left", va="bottom",
            fontsize=9)
    right = left + cols * cell + 0.35
    ax.text(right, top - 1.5 * H * cell, "sigmoid:\n$3H$ columns\nof $z$", ha="left", va="center", fontsize=9)
    ax.text(right, top - 3.5 * H * cell, "tanh: $H$", ha="left", va="center", fontsize=9)
    ax.plot([right - 0.12] * 2, [top - 3 * H * cell + 0.04, top - 0.04], color=EDGE, linewidth=1)
    ax.plot([right - 0.12] * 2, [0.04, H * cell - 0.04], color=EDGE, linewidth=1)
    ax.text(left + cols * cell / 2, -0.2, "torch.nn.LSTM stacks its rows\n$i, f, g, o$ instead",
            ha="center", va="top", fontsize=9)
    ax.set_xlim(0, right + 1.6)
    ax.set_ylim(-1.2, top + 0.6)
    ax.set_aspect("equal")
    ax.set_anchor("W")
    ax.axis("off")


def _dz_buffer(ax, T=4):
    """Panel 3: the backward loop stores dZ_t into a (T, B, 4H) buffer; one product after the loop."""
    ax.set_title("3. Batching: $dZ$ stored, weight gradients after the loop", fontsize=10, loc="left")
    x = 0.0
    for t in range(T, 0, -1):
        _box(ax, x, 2.3, 0.9, 0.6, f"step {t}", COLOURS["h"])
        _arrow(ax, (x + 0.45, 2.3), (x + 0.45, 1.55), colour="#c0392b")
        x += 1.05
    ax.text(0, 3.0, "backward loop, $t = T, \\dots, 1$: only $dZ_t W_h$ inside", fontsize=9, va="bottom")
    _box(ax, 0, 0.95, x - 0.15, 0.6, "", COLOURS["r"])
    for k in range(1, T):
        ax.plot([k * 1.05 - 0.075] * 2, [0.95, 1.55], color=EDGE, linewidth=0.6)
    ax.text(x + 0.05, 1.25, "$dZ$: $(T, B, 4H)$", ha="left", va="center", fontsize=9)
    _arrow(ax, ((x - 0.15) / 2, 0.95), ((x - 0.15) / 2, 0.55), colour="#c0392b")
    _box(ax, 0, -0.15, x - 0.15, 0.7, "$dW = dZ^\\top [X, H_{prev}]$: one product", COLOURS["y"])
    ax.set_xlim(-0.1, x + 2.2)
    ax.set_ylim(-0.3, 3.5)
    ax.axis("off")


def draw_fast_schedule():
    """The three schedule changes of the fast LSTM path, one panel each.

    1. Hoisting: the readable step's four gates, each with an input and a
       recurrent product, against one ``(TB, D) x (D, 4H)`` product before the
       loop and one ``(B, H) x (H, 4H)`` product per step.
    2. Fusing: the ``(4H, D + H)`` stacked matrix with its ``f, i, o, c~``
       blocks (the three sigmoid gates contiguous), torch's ``i, f, g, o`` named.
    3. Batching: the backward loop writes ``dZ_t`` into one ``(T, B, 4H)``
       buffer; the weight gradients are one product after the loop.

    Returns
    -------
    matplotlib.figure.Figure
        Three axes, top to bottom in the order above.
    """
    fig = plt.figure(figsize=(7, 7.4))
    grid = fig.add_gridspec(3, 1, height_ratios=[1.0, 1.25, 1.0], hspace=0.25)
    _timeline(fig.add_subplot(grid[0]))
    _stacked(fig.add_subplot(grid[1]))
    _dz_buffer(fig.add_subplot(grid[2]))
    fig.subplots_adjust(left=0.02, right=0.98, top=0.96, bottom=0.02)
    return _white(fig)


def plot_bench(metrics, names=BENCH_NAMES, width=7.0):
    """Bar chart of a timing run: each implementation's share of the BLAS peak, per shape, on a log scale.

    Parameters
    ----------
    metrics : dict
        ``results/bench-KIND.json``'s ``"metrics"``: ``shapes`` (each with ``name``, ``dtype``, ``gflop``,
        ``fraction_of_peak`` and ``gemm_floor_ms``), ``gemm_peak_gflops`` and ``onednn_gemm_peak_gflops``.
    names : sequence of str
        Implementations, one bar each per shape; those the record does not have are left out.
    width : float
        Figure width in inches.

    Returns
    -------
    matplotlib.figure.Figure
        One axis; black lines mark the GEMMs alone (NumPy's BLAS), dotted ones oneDNN's GEMM (float32),
        the dashed grey line the BLAS peak. The legend sits below the axis.
    """
    shapes = metrics["shapes"]
    names = [name for name in names if all(name in s["fraction_of_peak"] for s in shapes)]
    fig, ax = plt.subplots(figsize=(width, 4.6))
    bar = 0.8 / len(names)
    x = np.arange(len(shapes))
    for k, name in enumerate(names):
        fractions = [100 * s["fraction_of_peak"][name] for s in shapes]
        ax.bar(x + (k - (len(names) - 1) / 2) * bar, fractions, bar, label=SHORT.get(name, name))
    for k, s in enumerate(shapes):  # the matrix products alone, through NumPy's BLAS
        peak = metrics["gemm_peak_gflops"][s["dtype"]]
        floor = 100 * s["gflop"] / (s["gemm_floor_ms"]["numpy"] * 1e-3) / peak
        ax.plot([k - 0.45, k + 0.45], [floor] * 2, color="black", lw=2, label="GEMMs alone" if k == 0 else None)
    onednn = 100 * metrics["onednn_gemm_peak_gflops"] / metrics["gemm_peak_gflops"]["float32"]
    first = True
    for k, s in enumerate(shapes):  # oneDNN's GEMM exists in float32 only
        if s["dtype"] == "float32":
            ax.plot([k - 0.45, k + 0.45], [onednn] * 2, color="black", lw=0.8, ls=":",
                    label="oneDNN's GEMM" if first else None)
            first = False
    ax.axhline(100, color="grey", lw=0.8, ls="--", label="BLAS peak")
    ax.set_yscale("log")
    ax.set_xticks(x)
    ax.set_xticklabels([s["name"].replace(" D", "\nD").replace(" float", "\nfloat") for s in shapes], fontsize=9)
    ax.tick_params(axis="y", labelsize=9)
    ax.set_ylabel("% of the BLAS large-GEMM peak\n(same dtype)", fontsize=9)
    ax.legend(fontsize=9, ncol=3, loc="upper center", bbox_to_anchor=(0.5, -0.28), frameon=False)
    fig.subplots_adjust(left=0.12, right=0.98, top=0.97, bottom=0.36)
    return _white(fig)
