"""Diagrams of attention: the encoder–decoder with and without it, additive attention, the attention reader.

Also :func:`plot_story_attention_maps`, the attention reader's weights over saved test stories, shown next to
their questions. Every arrow runs from the edge of one box to the edge of another (or along a routed path
through the gaps between boxes), so that no arrow crosses a label; all text is at least 9 pt in figures at
most 7 inches wide, on an opaque white background (readable in the book's dark mode).
"""

from typing import NamedTuple

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch
from matplotlib.path import Path

from ._draw import COLOURS, FEEDBACK, _white

INK = "#444444"
ATTEND = "#1f5fa8"  # arrows of the attention read (query, keys, weights)
VALUE = FEEDBACK  # values entering the weighted sum
SUPPORT = "#c0392b"


class _Box(NamedTuple):
    x: float
    y: float
    w: float
    h: float


def _box(ax, x, y, text, kind, w=0.9, h=0.55, fontsize=10, weight="normal"):
    """A rounded box centred at (x, y) holding ``text``; returns its geometry for :func:`_link`."""
    ax.add_patch(FancyBboxPatch((x - w / 2, y - h / 2), w, h, boxstyle="round,pad=0.02",
                                facecolor=COLOURS.get(kind, kind), edgecolor=INK, linewidth=1))
    ax.text(x, y, text, ha="center", va="center", fontsize=fontsize, fontweight=weight)
    return _Box(x, y, w, h)


def _edge(box, towards):
    """The point where the segment from the centre of ``box`` towards ``towards`` leaves the box."""
    dx, dy = towards[0] - box.x, towards[1] - box.y
    scale = min(box.w / 2 / abs(dx) if dx else np.inf, box.h / 2 / abs(dy) if dy else np.inf)
    pad = 0.04
    return (box.x + dx * scale + np.sign(dx) * pad * (abs(dx) * scale > box.w / 2 - 1e-9),
            box.y + dy * scale + np.sign(dy) * pad * (abs(dy) * scale > box.h / 2 - 1e-9))


def _link(ax, a, b, colour=INK, linestyle="-", rad=0.0):
    """An arrow from the edge of box ``a`` to the edge of box ``b`` (no part of it inside either box)."""
    start, end = _edge(a, (b.x, b.y)), _edge(b, (a.x, a.y))
    ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=10, color=colour, shrinkA=0,
                                 shrinkB=0, linewidth=1.1, linestyle=linestyle,
                                 connectionstyle=f"arc3,rad={rad}"))


def _route(ax, points, colour=INK, linestyle="-"):
    """An arrow along the polyline ``points`` (chosen to run through the gaps between boxes)."""
    ax.add_patch(FancyArrowPatch(path=Path(points), arrowstyle="-|>", mutation_scale=10, color=colour,
                                 linewidth=1.1, linestyle=linestyle))


def _frame(ax, title, xlim, ylim):
    ax.set_title(title, fontsize=11)
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_aspect("equal")
    ax.axis("off")


def draw_encoder_decoder(attention=False):
    """The encoder–decoder on "twenty three" → "dreiundzwanzig", with or without attention.

    Without attention (``attention=False``) the encoder's final state is the only thing the decoder knows about
    the source: it starts the decoder (:math:`h_0`) and, as the context :math:`c`, enters every decoder step,
    as in the chapter's trained model. With attention (``attention=True``) the encoder outputs are keys; at
    step :math:`t` the query :math:`h_{t-1}` scores every key, a softmax over the source positions gives the
    weights :math:`\\alpha_{t,s}`, and their weighted sum, the context :math:`c_t`, enters the step's input and
    its readout (drawn for one step; every step does the same).

    Parameters
    ----------
    attention : bool
        Draw the decoder with additive attention (True) or with one fixed context (False).

    Returns
    -------
    matplotlib.figure.Figure
        One axes, 7 in wide.
    """
    fig, ax = plt.subplots(figsize=(7, 3.9))
    enc_x, dec_x = (0.0, 1.5), (4.4, 6.4, 8.4)
    inputs = [_box(ax, x, 0, word, "x", 1.05) for x, word in zip(enc_x, ("twenty", "three"))]
    enc = [_box(ax, x, 1.2, f"$e_{{{s + 1}}}$", "h") for s, x in enumerate(enc_x)]
    for a, b in zip(inputs, enc):
        _link(ax, a, b)
    _link(ax, enc[0], enc[1])
    ax.text(0.75, -0.75, "encoder (reads English words)", ha="center", fontsize=9)
    dec_in = [_box(ax, x, 0, f"'{c}'", "x") for x, c in zip(dec_x, "<dr")]
    dec = [_box(ax, x, 1.2, f"$h_{{{t + 1}}}$", "h") for t, x in enumerate(dec_x)]
    dec_out = [_box(ax, x, 2.4, f"'{c}'", "y") for x, c in zip(dec_x, "dre")]
    for a, b, c in zip(dec_in, dec, dec_out):
        _link(ax, a, b)
        _link(ax, b, c)
    for a, b in zip(dec, dec[1:]):
        _link(ax, a, b)
    ax.text(6.4, -0.75, "decoder (writes German characters, fed its previous one)", ha="center", fontsize=9)
    ax.text(9.35, 2.4, "… zwanzig >", ha="left", va="center", fontsize=9)
    _link(ax, enc[1], dec[0])
    ax.text(2.55, 0.86, "$h_0$ = bridge", ha="center", va="top", fontsize=9)
    top = 3.75
    if not attention:
        context = _box(ax, 1.5, top, "context $c$ = the\nfinal encoder state", "r", 2.6, 0.75, fontsize=9)
        _link(ax, enc[1], context)
        for x in dec_x:  # along the top, then down the gap left of each decoder column
            _route(ax, [(2.84, top), (x - 1.0, top), (x - 1.0, 0.95), (x - 0.49, 0.95)], VALUE)
        ax.text(6.4, top + 0.18, "the same $c$ enters every step", ha="center", va="bottom", fontsize=9,
                color=VALUE)
        title = "Encoder–decoder: one fixed-size context for every output"
    else:
        att = _box(ax, 2.2, top, "scores $e_{t,s}$, softmax\nover $s$: weights $\\alpha_{t,s}$", "r", 2.4, 0.8,
                   fontsize=9)
        for e in enc:
            _link(ax, e, att, ATTEND)
        ax.text(0.05, 2.45, "keys $k_s$", ha="center", fontsize=9, color=ATTEND)
        _route(ax, [(dec[0].x - 0.2, 1.5), (dec[0].x - 0.2, 1.8), (3.1, 1.8), (3.1, top - 0.44)], ATTEND)
        ax.text(3.2, 2.6, "query\n$h_1$", ha="left", va="center", fontsize=9, color=ATTEND)
        context = _box(ax, 5.4, top, "context $c_2 = \\sum_s \\alpha_{2,s} k_s$", "r", 2.5, 0.6, fontsize=9)
        _link(ax, att, context, ATTEND)
        _route(ax, [(5.4, top - 0.34), (5.4, 0.95), (dec[1].x - 0.49, 0.95)], VALUE)
        _link(ax, context, dec_out[1], VALUE)
        ax.text(8.4, top, "(each step $t$ computes\nits own $c_t$ the same way)", ha="center", va="center", fontsize=9)
        title = "Encoder–decoder with attention: a fresh context at every step"
    _frame(ax, title, (-0.8, 10.9), (-1.05, 4.35))
    fig.tight_layout()
    return _white(fig)


def draw_additive_attention(S=4):
    """Additive attention for one query over ``S`` keys: scores, softmax weights, values, the context.

    Bottom to top: the keys :math:`k_s` (the encoder outputs); the scores
    :math:`e_s = v^\\top \\tanh(W_q q + W_k k_s)`, each reading its key and the query :math:`q`; the weights
    :math:`\\alpha_s`, a softmax over all the scores; the products :math:`\\alpha_s k_s`, where the keys serve
    again as values; their sum, the context.

    Parameters
    ----------
    S : int
        Number of source positions drawn (2 to 5).

    Returns
    -------
    matplotlib.figure.Figure
    """
    S = int(S)
    if not 2 <= S <= 5:
        raise ValueError(f"S must be 2 to 5, got {S}")
    fig, ax = plt.subplots(figsize=(7, 4.6))
    xs = [1.8 * s for s in range(S)]
    keys = [_box(ax, x, 0, f"$k_{{{s + 1}}}$", "x") for s, x in enumerate(xs)]
    scores = [_box(ax, x, 1.5, f"$e_{{{s + 1}}}$", "h") for s, x in enumerate(xs)]
    weights = [_box(ax, x, 3.0, f"$\\alpha_{{{s + 1}}}$", "h") for s, x in enumerate(xs)]
    products = [_box(ax, x, 4.5, f"$\\alpha_{{{s + 1}}} k_{{{s + 1}}}$", "y", 1.0) for s, x in enumerate(xs)]
    centre = (xs[0] + xs[-1]) / 2
    context = _box(ax, centre, 5.9, "context $c = \\sum_s \\alpha_s k_s$", "r", 2.8, 0.55)
    query = _box(ax, -1.9, 0.0, "query $q$", "y", 1.2)
    span = xs[-1] - xs[0] + 0.9
    softmax = _box(ax, centre, 2.25, "", "off", span, 0.5)
    ax.text(xs[max(S // 2 - 1, 0)], 2.25, "softmax over $s$", ha="center", va="center", fontsize=9)  # between
    # the dashed value routes
    for s in range(S):
        _link(ax, keys[s], scores[s], ATTEND)
        _route(ax, [(-1.9, 0.3), (-1.9, 0.75), (xs[s] - 0.25, 0.75), (xs[s] - 0.25, 1.21)], ATTEND)
        _route(ax, [(xs[s] + 0.49, 0), (xs[s] + 0.9, 0), (xs[s] + 0.9, 4.5), (xs[s] + 0.54, 4.5)], VALUE,
               linestyle="--")
        column = _Box(xs[s], softmax.y, 0.9, softmax.h)
        _link(ax, scores[s], column)
        _link(ax, column, weights[s])
        _link(ax, weights[s], products[s])
        _link(ax, products[s], context)
    right = xs[-1] + 1.05
    for y, text in ((0, "keys: the encoder\noutputs"), (1.5, "$e_s = v^\\top\\tanh(W_q q$\n$+ W_k k_s)$"),
                    (3.0, "weights: each depends\non every score; sum 1"), (4.5, "keys again,\nas values (dashed)")):
        ax.text(right, y, text, ha="left", va="center", fontsize=9)
    ax.text(-1.9, 0.95, "enters\nevery score", ha="center", va="bottom", fontsize=9, color=ATTEND)
    _frame(ax, "Additive attention: one query reads S keys", (-2.7, right + 2.1), (-0.5, 6.35))
    fig.tight_layout()
    return _white(fig)


def draw_attention_reader(weights=(0.02, 0.93, 0.05)):
    """The attention reader of the question-answering chapter on a three-sentence story.

    A bidirectional LSTM reads the story's words; its output at the last word of sentence :math:`j` is the
    key :math:`k_j`. A second LSTM reads the question; its final state is the query :math:`q`. A softmax over
    the sentences (not the words) gives the weights :math:`\\alpha_j`, printed next to each key; the context
    :math:`\\sum_j \\alpha_j k_j` and the query predict the answer among the six rooms.

    Parameters
    ----------
    weights : sequence of 3 floats
        The weights printed next to the keys (an illustration; they should sum to 1).

    Returns
    -------
    matplotlib.figure.Figure
    """
    weights = [float(w) for w in weights]
    if len(weights) != 3:
        raise ValueError(f"weights must hold 3 numbers, one per sentence; got {len(weights)}")
    fig, ax = plt.subplots(figsize=(7, 4.2))
    story = ("Sandra went to the office", "Mary moved to the hallway", "John went to the kitchen")
    ys = (3.6, 2.6, 1.6)
    sentences = [_box(ax, 0.0, y, f"{j + 1}: {s}", "x", 3.7, 0.5, fontsize=9)
                 for j, (y, s) in enumerate(zip(ys, story))]
    lstm = _box(ax, 3.0, 2.6, "bidirectional\nLSTM over\nall the\nstory's\nwords", "h", 1.7, 2.55, fontsize=9)
    keys = [_box(ax, 4.7, y, f"$k_{{{j + 1}}}$", "h", 0.6, 0.5) for j, y in enumerate(ys)]
    for j in range(3):
        _link(ax, sentences[j], _Box(lstm.x, ys[j], lstm.w, 0.5))
        _link(ax, _Box(lstm.x, ys[j], lstm.w, 0.5), keys[j])
        ax.text(5.1, ys[j] + 0.1, f"$\\alpha_{{{j + 1}}}$ = {weights[j]:.2f}", ha="left", va="bottom", fontsize=9,
                color=ATTEND)
    ax.text(3.5, 0.98, "$k_j$: the output at sentence $j$'s last word", ha="center", fontsize=9)
    question = _box(ax, 0.0, 0.0, "Q: where is Mary ?", "y", 3.7, 0.5, fontsize=9)
    q_lstm = _box(ax, 3.0, 0.0, "LSTM", "h", 1.7, 0.5, fontsize=9)
    query = _box(ax, 4.7, 0.0, "$q$", "y", 0.6, 0.5)
    _link(ax, question, q_lstm)
    _link(ax, q_lstm, query)
    att = _box(ax, 7.45, 2.6, "softmax\nover the\nsentences:\nweights $\\alpha_j$", "r", 1.5, 2.55, fontsize=9)
    for key, y in zip(keys, ys):
        _link(ax, key, _Box(att.x, y, att.w, 0.5), ATTEND)
    _route(ax, [(5.04, 0.0), (7.45, 0.0), (7.45, 1.28)], ATTEND)
    ax.text(6.2, -0.12, "query", ha="center", va="top", fontsize=9, color=ATTEND)
    context = _box(ax, 9.55, 2.6, "context\n$\\sum_j \\alpha_j k_j$", "r", 1.6, 0.9, fontsize=9)
    answer = _box(ax, 9.55, 0.0, "answer:\nsoftmax over\n6 rooms:\nhallway", "y", 1.8, 1.25, fontsize=9)
    _link(ax, att, context, ATTEND)
    _link(ax, context, answer)
    _route(ax, [(4.7, -0.28), (4.7, -0.9), (9.55, -0.9), (9.55, -0.66)])
    _frame(ax, "The attention reader: a question reads the story sentence by sentence", (-2.0, 10.5), (-1.1, 4.1))
    fig.tight_layout()
    return _white(fig)


def plot_story_attention_maps(examples, titles=None, columns=2):
    """The attention reader's weights over stories, each story's sentences listed beside its question.

    One panel per example: a column of grey cells (darker: more weight; the weight printed inside) next to
    the sentences, the question and the answer above. Supporting facts are marked by a red triangle and the
    word "supporting" as well as by colour, so that the marking does not rest on colour alone.

    Parameters
    ----------
    examples : list of dict
        As saved by ``run qa`` (``attention_examples``): ``story`` (list of sentence strings), ``question``,
        ``answer``, ``supporting`` (list of sentence indices) and ``weights`` (one per sentence).
    titles : list of str, optional
        A line above each panel (for example the task's name).
    columns : int
        Panels per row.

    Returns
    -------
    matplotlib.figure.Figure
        At most 7 in wide, with a colour bar of the weight.
    """
    n = len(examples)
    columns = max(1, min(int(columns), n))
    rows = -(-n // columns)
    places = [(k % rows, k // rows) for k in range(n)]  # filled column by column
    tallest = [max([len(examples[k]["story"]) for k in range(n) if places[k][0] == r]) for r in range(rows)]
    heights = [0.27 * t + 0.75 for t in tallest]
    fig, axes = plt.subplots(rows, columns, figsize=(7, sum(heights) + 0.6), squeeze=False,
                             gridspec_kw={"height_ratios": heights})
    image = None
    used = set()
    for k, example in enumerate(examples):
        r, col = places[k]
        ax = axes[r, col]
        used.add((r, col))
        weights = np.asarray(example["weights"], dtype=float)
        S = len(weights)
        image = ax.imshow(weights[:, None], cmap="Greys", vmin=0, vmax=1, aspect="auto",
                          extent=(-0.5, 0.5, S - 0.5, -0.5))
        for s, w in enumerate(weights):
            ax.text(0, s, f"{w:.2f}", ha="center", va="center", fontsize=9, color="white" if w > 0.5 else "black")
            supporting = s in example["supporting"]
            ax.text(0.62, s, ("◀ " if supporting else "") + example["story"][s].rstrip(" ."), ha="left",
                    va="center", fontsize=9, color=SUPPORT if supporting else "black",
                    fontweight="bold" if supporting else "normal")
        ax.set_xlim(-0.5, 6.0)
        ax.set_ylim(tallest[r] - 0.5, -0.5)
        ax.set_xticks([])
        ax.set_yticks([])
        for side in ("top", "right", "bottom", "left"):
            ax.spines[side].set_visible(False)
        heading = f"Q: {example['question']}  A: {example['answer']}"
        if titles:
            heading = f"{titles[k]}\n{heading}"
        ax.set_title(heading, fontsize=9, loc="left")
    for r in range(rows):
        for col in range(columns):
            if (r, col) not in used:
                axes[r, col].axis("off")
    fig.tight_layout(rect=(0, 0.6 / (sum(heights) + 0.6), 1, 1))
    fig.text(0.02, 0.2 / (sum(heights) + 0.6), "◀ bold red: a supporting fact", fontsize=9, color=SUPPORT, ha="left", va="bottom")
    if image is not None:
        bar = fig.add_axes((0.55, 0.25 / (sum(heights) + 0.6), 0.4, 0.1 / (sum(heights) + 0.6)))
        fig.colorbar(image, cax=bar, orientation="horizontal")
        bar.tick_params(labelsize=9)
        bar.set_title("attention weight", fontsize=9, pad=2)
    return _white(fig)
