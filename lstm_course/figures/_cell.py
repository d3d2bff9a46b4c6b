"""A small board for the gated-cell diagrams (LSTM, its variants, GRU): boxes, wires routed at right angles.

Every wire is a path of explicit corner points that starts and ends on a box's
edge (``Board.edge``), so no arrowhead lands on a label and a test can check
each wire against each text's extent. Colours and the opaque white background
are those of :mod:`lstm_course.figures._draw`, so the diagrams read the same in
the book's light and dark modes.
"""

import matplotlib.pyplot as plt
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch
from matplotlib.path import Path

from ._draw import COLOURS, _white

WIDTH = 6.0  # inches: saved at the notebooks' 100 dpi with a tight box (0.1 in of padding each side), about 611 px: inside the book's 623 px column, so not scaled down
PAD = 0.03  # the boxes' rounding pad, in data units; an edge lies this far outside the box
INK = "#444444"
PEEP = "#7b3294"  # the peephole wires
BOX_FONT, NOTE_FONT, TITLE_FONT = 10, 9, 11


class Board:
    """Named boxes on one axes, and wires between their edges."""

    def __init__(self, height=3.9):
        self.fig, self.ax = plt.subplots(figsize=(WIDTH, height))
        self.where = {}

    def box(self, name, x, y, text, kind="h", w=1.0, h=0.5, fontsize=BOX_FONT):
        """A rounded box of colour ``kind`` (a key of ``_draw.COLOURS``) centred at (x, y)."""
        self.ax.add_patch(FancyBboxPatch((x - w / 2, y - h / 2), w, h, boxstyle=f"round,pad={PAD}",
                                         facecolor=COLOURS[kind], edgecolor=INK, linewidth=1))
        self.ax.text(x, y, text, ha="center", va="center", fontsize=fontsize, gid=f"box:{name}")
        self.where[name] = (x, y, w, h)

    def edge(self, name, side, offset=0.0):
        """The point on side ``"top" | "bottom" | "left" | "right"`` of a box, ``offset`` along that side."""
        x, y, w, h = self.where[name]
        return {"top": (x + offset, y + h / 2 + PAD), "bottom": (x + offset, y - h / 2 - PAD),
                "left": (x - w / 2 - PAD, y + offset), "right": (x + w / 2 + PAD, y + offset)}[side]

    def wire(self, *points, colour=INK, head=True, linestyle="-"):
        """A wire through ``points`` (corners included), with an arrowhead at the last one."""
        self.ax.add_patch(FancyArrowPatch(path=Path(list(points)), arrowstyle="-|>" if head else "-",
                                          mutation_scale=10, color=colour, linewidth=1.1, linestyle=linestyle,
                                          shrinkA=0, shrinkB=0, joinstyle="miter"))

    def dot(self, x, y, colour=INK):
        """A junction: a wire that branches off another one here."""
        self.ax.plot([x], [y], "o", color=colour, markersize=3.5)

    def note(self, x, y, text, colour=INK, **kw):
        """A free label (9 pt) placed clear of every wire."""
        self.ax.text(x, y, text, fontsize=NOTE_FONT, color=colour, **kw)

    def frame(self, x0, y0, x1, y1):
        """The dashed outline of the cell (drawn first, under everything)."""
        self.ax.add_patch(FancyBboxPatch((x0, y0), x1 - x0, y1 - y0, boxstyle="round,pad=0.05",
                                         facecolor="none", edgecolor="#999999", linestyle="--", zorder=0))

    def finish(self, title, xlim, ylim):
        self.ax.set_title(title, fontsize=TITLE_FONT)
        self.ax.set_aspect("equal")
        self.ax.set_xlim(*xlim)
        self.ax.set_ylim(*ylim)
        self.ax.axis("off")
        self.fig.tight_layout(pad=0.3)
        return _white(self.fig)
