"""Figures of the conditioned-generation part: the conditioned decoder, captioned images, spectrograms, audio."""

import base64
import io
import textwrap
import wave

import matplotlib.pyplot as plt
import numpy as np

from matplotlib.patches import FancyArrowPatch
from matplotlib.path import Path

from ._draw import FEEDBACK, _arrow, _node, _white


IMAGE = "#7b1fa2"  # arrows that carry the image's features (purple: apart from gradients and feedback)
DESIGNS = {
    "init": "(a) image as the initial state: $h_0 = \\tanh(W_{img} f + b_{img})$",
    "input": "(b) image as the first input (Show and Tell): $x_{-1} = W_{img} f + b_{img}$, $h_0 = 0$",
    "every": "(c) image at every step: $x_t = [E\\,w_{t-1};\\ f]$, and $h_0$ from the image",
}


def _image_arrow(ax, start, end):
    ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=11, color=IMAGE, shrinkA=1,
                                 shrinkB=1, linewidth=1.8))


_H = 0.55 / 2 + 0.04  # half a box's height, with its rounded pad


def _up(ax, x, y0, y1, image=False):
    """An arrow from the top of the box at (x, y0) to the bottom of the box at (x, y1)."""
    (_image_arrow if image else _edge_arrow)(ax, (x, y0 + _H), (x, y1 - _H))


def _right(ax, x0, x1, y, w, image=False):
    """An arrow from the right edge of the box at (x0, y) to the left edge of the box at (x1, y), both w wide."""
    (_image_arrow if image else _edge_arrow)(ax, (x0 + w / 2 + 0.04, y), (x1 - w / 2 - 0.04, y))


def _edge_arrow(ax, start, end):
    _arrow(ax, start, end, shrink=1)


def _design_panel(ax, design, words, spacing=1.8, w=0.95):
    """One design: the image and CNN on the left, then the decoder's steps, the image's arrows in purple."""
    inputs, outputs = ["<start>", *words], [*words, "<end>"]
    feedback = tuple(range(len(inputs) - 1))
    if design == "input":  # one extra step first, reading the features; its output is not used
        inputs, outputs = ["$x_{-1}$", *inputs], [None, *outputs]
        feedback = tuple(t + 1 for t in feedback)
    word_w, f_w = 0.9, 0.42
    for t in range(len(inputs)):
        x = t * spacing
        _node(ax, x, 1, "LSTM", "h", w=w)
        if outputs[t] is not None:
            _node(ax, x, 2, outputs[t], "y", w=w)
            _up(ax, x, 1, 2)
        if t:
            _right(ax, x - spacing, x, 1, w)
        fed = t - 1 in feedback
        style = dict(kind="fed" if fed else "x", linestyle="--" if fed else "-")
        if design == "input" and t == 0:
            _node(ax, x, 0, inputs[t], "r", w=w)
            _up(ax, x, 0, 1, image=True)
            continue
        elif design == "every":  # the word's embedding and the features side by side: one input vector
            _node(ax, x - f_w / 2 - 0.02, 0, inputs[t], w=word_w, **style)
            _node(ax, x + word_w / 2 + 0.02, 0, "$f$", "r", w=f_w)
        else:
            _node(ax, x, 0, inputs[t], w=w, **style)
        _up(ax, x, 0, 1)
    for t in feedback:  # the output of step t is the input of step t + 1, down the gap between the columns
        x, gap = t * spacing, t * spacing + spacing / 2
        left = x + spacing - (f_w / 2 + 0.02 + word_w / 2 if design == "every" else w / 2) - 0.04
        route = Path([(x + w / 2 + 0.04, 2), (gap, 2), (gap, 0), (left, 0)])
        ax.add_patch(FancyArrowPatch(path=route, arrowstyle="-|>", mutation_scale=10, color=FEEDBACK,
                                     linestyle="--", linewidth=1.2))
    if design == "input":  # image above its CNN, which feeds the first input; the state starts at zero
        _node(ax, -1.4, 1, "image", "r", w=w)
        _node(ax, -1.4, 0, "CNN", "r", w=w)
        _image_arrow(ax, (-1.4, 1 - _H), (-1.4, _H))
        _right(ax, -1.4, 0, 0, w, image=True)
    else:  # image below its CNN, which sets the initial state h_0
        _node(ax, -1.4, 0, "image", "r", w=w)
        _node(ax, -1.4, 1, "CNN", "r", w=w)
        _up(ax, -1.4, 0, 1, image=True)
        _right(ax, -1.4, 0, 1, w, image=True)
        ax.text(-0.7, 1.2, "$h_0$", ha="center", va="bottom", fontsize=10, color=IMAGE)
    ax.set_title(DESIGNS[design], fontsize=10, loc="left")
    ax.set_xlim(-2.0, (len(words) + 2) * spacing + w / 2 + 0.15)
    ax.set_ylim(-0.4, 2.4)
    ax.set_aspect("equal")
    ax.axis("off")


def draw_conditioned_decoder(design=None, words=("red", "circle")):
    """Where the image enters a captioning decoder: the initial state, the first input, or every step.

    Parameters
    ----------
    design : {None, "init", "input", "every"}
        One design in one panel, or ``None`` for all three, one above the other: (a) the features set
        the initial state (eq. ``cond-h0``); (b) they are read as the input before ``<start>``, from a zero
        state (eq. ``cond-input``) (Show and Tell); (c) they are concatenated to every input word
        (eq. ``cond-every``), with the initial state also set from them.
    words : sequence of str
        The caption without ``<start>`` and ``<end>``; one decoder step per word, plus one.

    Returns
    -------
    matplotlib.figure.Figure
        6.2 inches wide (the book's column at 100 dpi). The image's arrows are purple; dashed green routes
        feed each output back as the next input, and dashed boxes are those fed-back words.
    """
    designs = list(DESIGNS) if design is None else [design]
    if any(d not in DESIGNS for d in designs):
        raise ValueError(f"design must be one of {sorted(DESIGNS)} or None; got {design!r}")
    fig, axes = plt.subplots(len(designs), 1, figsize=(6.2, 2.45 * len(designs)), squeeze=False)
    for ax, d in zip(axes[:, 0], designs):
        _design_panel(ax, d, tuple(words))
    fig.tight_layout(h_pad=0.4)
    return _white(fig)


def show_captions(images, captions, correct, titles=None, ncols=6, width=22):
    """A grid of ``images`` (N, 3, H, W) with their ``captions`` underneath, green if ``correct``, red if not."""
    n = len(images)
    nrows = int(np.ceil(n / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(2.1 * ncols, 2.9 * nrows), squeeze=False)
    for k, ax in enumerate(axes.flat):
        ax.axis("off")
        if k >= n:
            continue
        ax.imshow(np.transpose(images[k], (1, 2, 0)), interpolation="nearest")
        text = "\n".join(textwrap.wrap(captions[k], width))
        ax.text(0.5, -0.04, text, transform=ax.transAxes, ha="center", va="top", fontsize=8,
                color="#2e7d32" if correct[k] else "#c62828")
        if titles is not None:
            ax.set_title(titles[k], fontsize=8)
    fig.tight_layout()
    return fig


def plot_spectrograms(real, generated, labels, sample_rate=8000, real_label="Karplus–Strong"):
    """Spectrograms of the data's notes (top row: Karplus–Strong by default) and generated notes (bottom row).

    Parameters
    ----------
    real, generated : sequences of ndarray, each shape (n_samples,)
        One note per label: ``real`` from the data (Karplus–Strong outputs, not recordings), ``generated``
        from the model.
    labels : sequence of str
        The pitch names, one column each.
    sample_rate : int
    real_label : str
        What the top row is (``"recorded"`` for the SoundFont's instruments).

    Returns
    -------
    matplotlib.figure.Figure
        6.2 inches wide (the book's column), fonts of 9 points or more.
    """
    n = len(labels)
    fig, axes = plt.subplots(2, n, figsize=(6.2, 3.8), sharex=True, sharey=True, squeeze=False)
    for k in range(n):
        for row, waves in enumerate((real, generated)):
            ax = axes[row, k]
            ax.specgram(waves[k], NFFT=256, Fs=sample_rate, noverlap=192, cmap="magma", vmin=-120)
            ax.set_ylim(0, 2500)
            ax.set_xticks([0, round(len(waves[k]) / sample_rate / 2, 2)])
            ax.tick_params(labelsize=9)
        axes[0, k].set_title(labels[k], fontsize=10)
    axes[0, 0].set_ylabel(f"{real_label}\nHz", fontsize=10)
    axes[1, 0].set_ylabel("generated\nHz", fontsize=10)
    fig.supxlabel("seconds", fontsize=10)
    fig.tight_layout()
    return fig


def wav_bytes(samples, sample_rate=8000):
    """A mono 16-bit WAV file (bytes) of ``samples`` in [-1, 1]."""
    pcm = (np.clip(samples, -1, 1) * 32767).astype("<i2")
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(sample_rate)
        out.writeframes(pcm.tobytes())
    return buffer.getvalue()


def audio_html(samples, sample_rate=8000, label=""):
    """An HTML ``<audio>`` element that plays ``samples`` from a data: URI: it works offline, no file needed."""
    data = base64.b64encode(wav_bytes(samples, sample_rate)).decode("ascii")
    return (f'<figure style="display:inline-block;margin:4px"><figcaption>{label}</figcaption>'
            f'<audio controls src="data:audio/wav;base64,{data}"></audio></figure>')


def plot_caption_attention(images, examples, words=("circle", "square", "triangle")):
    """Where the attention captioner looks as it names each shape: one row per captioned scene.

    Parameters
    ----------
    images : ndarray, shape (N, 3, S, S)
        The scenes of ``examples``, in the same order.
    examples : sequence of dict
        ``caption`` (str) and ``weights`` (words + 1, G * G): the attention
        over the encoder's G x G grid (row-major) behind each generated word,
        as ``captioning-attention`` saves them.
    words : sequence of str
        The words whose maps are drawn (each scene's shape words).

    Returns
    -------
    matplotlib.figure.Figure
        6.2 inches wide: the scene, then the weights as a heat map over it at each of its shape words, each
        map scaled to its own largest weight (given in its title); fonts of 9 points or more.
    """
    rows = [[(w, word) for w, word in enumerate(e["caption"].split()) if word in words] for e in examples]
    ncols = 1 + max(len(r) for r in rows)
    fig, axes = plt.subplots(len(examples), ncols, figsize=(6.2, 1.95 * len(examples)), squeeze=False)
    for k, (example, row) in enumerate(zip(examples, rows)):
        picture = np.transpose(images[k], (1, 2, 0))
        S = picture.shape[0]
        axes[k, 0].imshow(picture, interpolation="nearest")
        axes[k, 0].set_title("the scene", fontsize=9)
        weights = np.asarray(example["weights"], dtype=float)
        G = int(round(weights.shape[1] ** 0.5))
        for j, (w, word) in enumerate(row, start=1):
            ax = axes[k, j]
            ax.imshow(picture * 0.45, interpolation="nearest")  # the scene dimmed, under the weights
            alpha = weights[w].reshape(G, G)
            ax.imshow(alpha / alpha.max(), cmap="magma", alpha=0.7, vmin=0, vmax=1, interpolation="nearest",
                      extent=(0, S, S, 0))
            ax.set_title(f"“{word}”, max {alpha.max():.2f}", fontsize=9)
        for ax in axes[k]:
            ax.set_xticks([])
            ax.set_yticks([])
        for ax in axes[k, 1 + len(row):]:
            ax.axis("off")
        axes[k, 0].set_xlabel("\n".join(textwrap.wrap(example["caption"], 30)), fontsize=9)
    fig.tight_layout()
    return fig
