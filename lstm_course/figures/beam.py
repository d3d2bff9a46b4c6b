"""Beam search drawn as the tree it searched (ch12): kept, pruned and finished hypotheses."""

import matplotlib.pyplot as plt
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from ._draw import COLOURS, _white

ROW = 0.34  # inches between two leaves
COLUMN = 1.55  # inches between two depths
BOX_W, BOX_H = 1.25, 0.26  # inches
STYLE = {  # fill, edge, edge width, edge style, text colour, marker
    "root": (COLOURS["x"], "#444444", 1.0, "-", "black", ""),
    "kept": (COLOURS["h"], "#444444", 1.0, "-", "black", ""),
    "finished": (COLOURS["y"], "#1b5e20", 2.2, "-", "black", " \u2713"),
    "max_len": (COLOURS["y"], "#1b5e20", 2.2, "-", "black", " \u2713max"),
    "pruned": (COLOURS["off"], "#777777", 1.0, "--", "#555555", " \u2717"),
}
LEGEND = ("solid box: kept in the beam     dashed, grey, \u2717: pruned\n"
          "thick, \u2713: finished (\u2713max: stopped at max_len)     bold line: the answer")


def _tree(trace, max_pruned):
    """Nodes as dicts (tokens, logprob, status, depth, children) from a :func:`beam_search` trace."""
    root = {"tokens": [], "logprob": 0.0, "status": "root", "depth": 0, "children": [], "label": None}
    live = [root]
    for t, entry in enumerate(trace):
        shown = {k: 0 for k in range(len(live))}
        hidden = {k: 0 for k in range(len(live))}
        nxt = []
        for c in entry["candidates"]:
            parent = live[c["parent"]]
            if c["status"] == "pruned" and max_pruned is not None and shown[c["parent"]] >= max_pruned:
                hidden[c["parent"]] += 1
                continue
            if c["status"] == "pruned":
                shown[c["parent"]] += 1
            node = {"tokens": c["tokens"], "logprob": c["logprob"], "status": c["status"], "depth": t + 1,
                    "children": [], "label": None}
            parent["children"].append(node)
            if c["status"] == "kept":
                nxt.append(node)
        for k, n in hidden.items():
            if n:
                live[k]["children"].append({"tokens": None, "logprob": None, "status": "pruned", "depth": t + 1,
                                            "children": [], "label": f"+{n} more \u2717"})
        live = nxt
    return root


def _place(node, leaves):
    """Give every node a y (leaves one ROW apart, in depth-first order; a parent at its children's mean)."""
    if not node["children"]:
        node["y"] = -ROW * leaves[0]
        leaves[0] += 1
    else:
        for child in node["children"]:
            _place(child, leaves)
        node["y"] = sum(child["y"] for child in node["children"]) / len(node["children"])


def _walk(node):
    yield node
    for child in node["children"]:
        yield from _walk(child)


def draw_beam_tree(trace, names=None, bos="<bos>", answer=None, max_pruned=None, title=None):
    """Draw the tree a beam search explored, from ``beam_search(..., trace=trace)``.

    Each node is one hypothesis: its last token and its summed log-probability.
    Kept hypotheses have solid boxes; pruned ones are grey, dashed and marked
    with a cross; finished ones (they wrote the end token, or reached
    ``max_len``) have a thick edge and a tick, so that no status is told by
    colour alone. Lines join each hypothesis to its extensions; the path of
    ``answer`` is drawn bold.

    Parameters
    ----------
    trace : list of dict
        The ``trace`` list filled by :func:`lstm_course.decoding.beam_search`:
        one dict per step with ``"live"`` (K hypotheses) and ``"candidates"``
        (K * V extensions, each with ``"parent"``, ``"token"``, ``"tokens"``,
        ``"logprob"`` and ``"status"``).
    names : sequence or dict, optional
        The display name of each token id (default: the id).
    bos : str
        The label of the root, the start symbol.
    answer : list of int, optional
        The tokens of the returned hypothesis, whose path is drawn bold.
    max_pruned : int, optional
        Show at most this many pruned extensions of each hypothesis (the most
        probable ones); the rest are counted in one "+n more" node.
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
        At most 7 inches wide; every text 9 pt or larger. A trace of more
        than 4 steps raises ``ValueError`` (it would not fit).
    """
    def name(token):
        if names is None:
            return str(token)
        return str(names[token])

    root = _tree(trace, max_pruned)
    leaves = [0]
    _place(root, leaves)
    depth = len(trace)
    column = min(COLUMN, (7.0 - 0.35 - BOX_W) / max(depth, 1))
    if column < BOX_W + 0.1:
        raise ValueError(f"a trace of {depth} steps does not fit 7 inches; trace at most 4 steps (max_len)")
    width = column * depth + BOX_W + 0.3
    top = ROW * 0.9 + 0.3 + (0.45 if title else 0.0)
    height = top + ROW * (leaves[0] - 1) + 1.05
    fig, ax = plt.subplots(figsize=(width, height))
    fig.subplots_adjust(left=0, right=1, bottom=0, top=1)
    on_path = {tuple(answer[:n]) for n in range(len(answer) + 1)} if answer is not None else set()
    for node in _walk(root):
        x, y = node["depth"] * column, node["y"]
        fill, edge, lw, ls, colour, marker = STYLE[node["status"]]
        ax.add_patch(FancyBboxPatch((x - BOX_W / 2, y - BOX_H / 2), BOX_W, BOX_H, boxstyle="round,pad=0.02",
                                    facecolor=fill, edgecolor=edge, linewidth=lw, linestyle=ls))
        if node["label"] is not None:
            text = node["label"]
        elif node["status"] == "root":
            text = bos
        else:
            text = f"{name(node['tokens'][-1])}  {node['logprob']:.2f}".replace("-", "\u2212") + marker
        ax.text(x, y, text, ha="center", va="center", fontsize=9, color=colour)
        for child in node["children"]:
            bold = child["tokens"] is not None and tuple(child["tokens"]) in on_path
            pruned = child["status"] == "pruned"
            ax.add_patch(FancyArrowPatch((x + BOX_W / 2 + 0.03, y), (x + column - BOX_W / 2 - 0.03, child["y"]),
                                         arrowstyle="-", shrinkA=0, shrinkB=0, linewidth=2.4 if bold else 0.9,
                                         color="#999999" if pruned else "#333333",
                                         linestyle="--" if pruned else "-"))
    bottom = -ROW * (leaves[0] - 1) - 0.45
    ax.text(-BOX_W / 2, bottom, LEGEND, ha="left", va="top", fontsize=9)
    for t in range(depth + 1):
        ax.text(t * column, ROW * 0.9, "start" if t == 0 else f"step {t}", ha="center", va="bottom", fontsize=9)
    if title:
        ax.text(-BOX_W / 2, ROW * 0.9 + 0.35, title, ha="left", va="bottom", fontsize=11)
    ax.set_xlim(-BOX_W / 2 - 0.1, -BOX_W / 2 - 0.1 + width)
    ax.set_ylim(top - height, top)
    ax.axis("off")
    return _white(fig)
