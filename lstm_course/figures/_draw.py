"""Drawing helpers shared by the book's diagrams: boxes, arrows and chains."""

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
