"""Drawing helpers shared by the book's diagrams: boxes, arrows and chains.

Every figure gets an opaque white background (:func:`_white`), so that the
diagrams stay readable when the book is read in the theme's dark mode; the
notebooks' own plots get the same from ``book/matplotlibrc``.
"""

from matplotlib.patches import FancyArrowPatch, FancyBboxPatch
from matplotlib.path import Path

COLOURS = {"x": "#cfe2f3", "h": "#fce5cd", "y": "#d9ead3", "r": "#ead1dc", "off": "#eeeeee", "fed": "#d9ead3"}
GRADIENT = "#c0392b"  # arrows that carry gradients backwards
FEEDBACK = "#2e7d32"  # an output fed back as the next input
WHITE = {"figure.facecolor": "white", "savefig.facecolor": "white", "savefig.transparent": False}


def _white(fig):
    """Give ``fig`` an opaque white background and return it."""
    fig.patch.set_facecolor("white")
    fig.patch.set_alpha(1.0)
    return fig


def _node(ax, x, y, text, kind, w=0.8, h=0.55, linestyle="-"):
    ax.add_patch(FancyBboxPatch((x - w / 2, y - h / 2), w, h, boxstyle="round,pad=0.03",
                                facecolor=COLOURS[kind], edgecolor="#444444", linewidth=1, linestyle=linestyle))
    ax.text(x, y, text, ha="center", va="center", fontsize=10)


def _arrow(ax, start, end, colour="#444444", rad=0.0, linestyle="-", shrink=14):
    ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=10, color=colour,
                                 shrinkA=shrink, shrinkB=shrink, connectionstyle=f"arc3,rad={rad}",
                                 linewidth=1, linestyle=linestyle))


def _finish(ax, title):
    ax.set_title(title, fontsize=11)
    ax.set_aspect("equal")
    ax.autoscale_view()
    ax.margins(0.08)
    ax.axis("off")
    _white(ax.figure)


def _chain(ax, inputs, outputs, title, states=None, cell="h", feedback=(), spacing=1.0):
    """Inputs at y = 0, cells at y = 1, outputs at y = 2, columns ``spacing`` apart; ``None`` hides a box.

    ``feedback`` lists the steps t whose output is fed back as the input of
    step t + 1: that input is drawn dashed, and a dashed arrow runs down the
    gap between the two columns, through no box.
    """
    T = len(inputs)
    for t in range(T):
        x = t * spacing
        _node(ax, x, 1, (states or [f"$h_{{{t + 1}}}$" for t in range(T)])[t], cell)
        if inputs[t] is not None:
            fed = t - 1 in feedback
            _node(ax, x, 0, inputs[t], "fed" if fed else "x", linestyle="--" if fed else "-")
            _arrow(ax, (x, 0), (x, 1))
        if outputs[t] is not None:
            _node(ax, x, 2, outputs[t], "y")
            _arrow(ax, (x, 1), (x, 2))
        if t:
            _arrow(ax, (x - spacing, 1), (x, 1))
    for t in feedback:
        x, gap = t * spacing, t * spacing + spacing / 2
        route = Path([(x + 0.44, 2), (gap, 2), (gap, 0), (x + spacing - 0.44, 0)])
        ax.add_patch(FancyArrowPatch(path=route, arrowstyle="-|>", mutation_scale=10, color=FEEDBACK,
                                     linestyle="--", linewidth=1.2))
    _finish(ax, title)
