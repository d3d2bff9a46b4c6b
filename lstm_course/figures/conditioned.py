"""Figures of the conditioned-generation part: the conditioned decoder, captioned images, spectrograms, audio."""

import base64
import io
import textwrap
import wave

import matplotlib.pyplot as plt
import numpy as np

from ._draw import _arrow, _finish, _node


def draw_conditioned_decoder(words=("a", "small", "red", "circle")):
    """The image's features set the decoder's initial state; each output word is fed back as the next input."""
    fig, ax = plt.subplots(figsize=(11, 3.6))
    _node(ax, -2.4, 1, "image", "r", w=0.9)
    _node(ax, -1.2, 1, "CNN\n$f$", "r", w=0.8, h=0.7)
    _node(ax, 0, 1, "$h_0$", "off")
    _arrow(ax, (-2.4, 1), (-1.2, 1))
    _arrow(ax, (-1.2, 1), (0, 1))
    ax.text(-0.6, 1.45, "$\\tanh(W_{img} f + b_{img})$", ha="center", fontsize=9)
    inputs = ["<start>", *words]
    outputs = [*words, "<end>"]
    for t, (x, y) in enumerate(zip(inputs, outputs), start=1):
        _node(ax, t * 1.3, 0, x, "x", w=1.0)
        _node(ax, t * 1.3, 1, f"$h_{{{t}}}$", "h")
        _node(ax, t * 1.3, 2, y, "y", w=1.0)
        _arrow(ax, (t * 1.3, 0), (t * 1.3, 1))
        _arrow(ax, (t * 1.3, 1), (t * 1.3, 2))
        _arrow(ax, ((t - 1) * 1.3 if t > 1 else 0, 1), (t * 1.3, 1))
        if t < len(inputs):  # the output, sampled or argmax, is the next step's input
            _arrow(ax, (t * 1.3 + 0.25, 2), ((t + 1) * 1.3 - 0.25, 0), colour="#cc4125")
    _finish(ax, "conditioning the initial state; outputs fed back as inputs (red)")
    fig.tight_layout()
    return fig


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


def plot_spectrograms(real, generated, labels, sample_rate=8000):
    """Spectrograms of real (top row) and generated (bottom row) notes, one column per label."""
    n = len(labels)
    fig, axes = plt.subplots(2, n, figsize=(2.4 * n, 4.6), sharex=True, sharey=True, squeeze=False)
    for k in range(n):
        for row, (waves, name) in enumerate(((real, "real"), (generated, "generated"))):
            ax = axes[row, k]
            ax.specgram(waves[k], NFFT=256, Fs=sample_rate, noverlap=192, cmap="magma", vmin=-120)
            ax.set_title(f"{name}, {labels[k]}", fontsize=9)
            ax.set_ylim(0, 2500)
    for ax in axes[:, 0]:
        ax.set_ylabel("Hz")
    for ax in axes[1]:
        ax.set_xlabel("seconds")
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
