"""Figures of the encoder–decoder part, drawn from saved experiment results (plain dicts and lists)."""

import matplotlib.pyplot as plt
import numpy as np


GERMAN_PIECES = ("ein", "eins", "zwei", "drei", "vier", "fünf", "sechs", "sech", "sieben", "sieb", "acht", "neun",
                 "zehn", "elf", "zwölf", "zwanzig", "dreißig", "vierzig", "fünfzig", "sechzig", "siebzig", "achtzig",
                 "neunzig", "hundert", "tausend", "und")


def word_pieces(text, pieces=GERMAN_PIECES):
    """Split ``text`` into ``(start, end)`` spans of known word pieces, longest match first, left to right.

    A character that starts no known piece (a model's typo, say) is a span of its own, so the spans always
    cover ``text``. ``word_pieces("dreiundzwanzig")`` gives the spans of drei, und, zwanzig.
    """
    spans, start = [], 0
    while start < len(text):
        match = max((p for p in pieces if text.startswith(p, start)), key=len, default=None)
        end = start + (len(match) if match else 1)
        spans.append((start, end))
        start = end
    return spans


def plot_alignment(example, ax=None, rows="characters"):
    """Heat map of attention weights: output characters or word pieces (rows) against source words (columns).

    ``example``: ``{"source": [words], "output": str, "weights": (T_out + 1) x S nested list,
    "number": int}``, as saved by ``run translate``; the last row is the end token, labelled ``>`` as
    the text writes it. ``rows="pieces"`` groups the characters of each German word piece (drei, und,
    zwanzig, hundert, ..., see :func:`word_pieces`) into one row, the mean of their weights, so that each row
    still sums to 1. ``rows="words"`` takes ``"output"`` as a list of words, one row each (real sentences,
    ``run translate-bible``), and ``"title"`` in place of ``"number"``. A figure of its own gets a colour bar
    of the weight.
    """
    weights = np.asarray(example["weights"])
    labels = list(example["output"]) + [">"]
    if rows == "pieces":
        spans = word_pieces(example["output"]) + [(len(example["output"]), len(example["output"]) + 1)]
        weights = np.stack([weights[a:b].mean(axis=0) for a, b in spans])
        labels = [example["output"][a:b] for a, b in spans[:-1]] + [">"]
    elif rows not in ("characters", "words"):
        raise ValueError(f"rows must be 'characters', 'pieces' or 'words', got {rows!r}")
    fig = None
    if ax is None:
        fig, ax = plt.subplots(figsize=(0.55 * weights.shape[1] + 2.8, 0.22 * weights.shape[0] + 1.2))
    image = ax.imshow(weights, cmap="Greys", vmin=0, vmax=1, aspect="auto")
    ax.set_xticks(range(len(example["source"])), example["source"], rotation=60, ha="right", fontsize=9)
    ax.set_yticks(range(weights.shape[0]), labels, fontsize=7 if rows == "characters" else 9)
    what = {"pieces": "word piece", "words": "word"}.get(rows, "character")
    name = example.get("title", example.get("number", ""))
    ax.set_title(f"{name}: attention of each output {what}" if fig is not None else str(name), fontsize=10)
    if fig is not None:
        fig.colorbar(image, ax=ax, label="attention weight", shrink=0.6)
    return fig or ax.figure


def plot_alignments(examples, rows="characters"):
    """:func:`plot_alignment` for several examples side by side, as tall as the longest output needs
    (about 0.15 inch a character row, 0.3 inch a word-piece row), with one colour bar of the weight."""
    if rows == "pieces":
        n_rows = max(len(word_pieces(e["output"])) + 1 for e in examples)
        height = max(3.0, 0.3 * n_rows + 1.8)
    else:
        height = max(5.5, 0.15 * max(len(e["weights"]) for e in examples) + 1.5)
    fig, axes = plt.subplots(1, len(examples), figsize=(min(3.2 * len(examples) + 0.8, 7.0), height),
                             gridspec_kw={"width_ratios": [max(len(e["source"]), 2) for e in examples]},
                             layout="constrained")
    for ax, example in zip(np.atleast_1d(axes), examples):
        plot_alignment(example, ax, rows=rows)
    what = "word piece" if rows == "pieces" else "character"
    fig.suptitle(f"attention of each output {what} (row) on each source word (column)", fontsize=10)
    fig.colorbar(np.atleast_1d(axes)[-1].images[0], ax=list(np.atleast_1d(axes)), label="attention weight",
                 shrink=0.5)
    return fig


def plot_accuracy_by_length(by_length, sizes=None, title="exact match against source length", xlabel="band",
                            ylabel="accuracy"):
    """Grouped bars: ``by_length[band][model] = value`` (an accuracy, or an error rate with ``ylabel``);
    ``sizes[band]`` annotates the count."""
    bands = list(by_length)
    models = sorted({m for v in by_length.values() for m in v})
    fig, ax = plt.subplots(figsize=(7, 3.2))
    width = 0.8 / len(models)
    for j, model in enumerate(models):
        values = [by_length[b].get(model) or 0.0 for b in bands]
        ax.bar(np.arange(len(bands)) + (j - (len(models) - 1) / 2) * width, values, width,
               label=model.replace("_", " "))
    labels = [f"{b}\n(n={sizes[b]})" if sizes and b in sizes else b for b in bands]
    ax.set_xticks(range(len(bands)), labels)
    if ylabel == "accuracy":
        ax.set_ylim(0, 1.05)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=9, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0)  # clear of the bars
    fig.tight_layout()
    return fig


def plot_beam_curves(curves):
    """Exact match and mean log-probability of the best hypothesis against the beam size.

    ``curves``: ``{model name: (exact_match, mean_logprob)}``, each a dict ``{"1": value, ...}``
    keyed by the beam size as saved by ``run translate``.
    """
    fig, (left, right) = plt.subplots(1, 2, figsize=(8, 3))
    for name, (exact_match, mean_logprob) in curves.items():
        sizes = [int(k) for k in exact_match]
        left.plot(sizes, [exact_match[str(k)] for k in sizes], "o-", label=name.replace("_", " "))
        right.plot(sizes, [mean_logprob[str(k)] for k in sizes], "o-", label=name.replace("_", " "))
    for ax, label in ((left, "exact match"), (right, "mean log-probability")):
        ax.set_xscale("log", base=2)
        ax.set_xticks(sizes, [str(k) for k in sizes])
        ax.set_xlabel("beam size")
        ax.set_ylabel(label)
    left.legend(fontsize=8)
    fig.tight_layout()
    return fig


def plot_story_attention(example):
    """Horizontal bars: the attention weight on each sentence of a story.

    Supporting facts are marked three ways, not by colour alone: a red, hatched bar, a "◀ supporting" label at
    the bar's end, and a bold tick label.
    """
    weights = example["weights"]
    fig, ax = plt.subplots(figsize=(7, 0.35 * len(weights) + 1.2))
    supporting = [s in example["supporting"] for s in range(len(weights))]
    bars = ax.barh(range(len(weights)), weights, color=["C3" if s else "C0" for s in supporting])
    for bar, s, w in zip(bars, supporting, weights):
        if s:
            bar.set_hatch("//")
            bar.set_edgecolor("black")
            ax.text(min(w, 0.78) + 0.02, bar.get_y() + bar.get_height() / 2, "◀ supporting", va="center",
                    fontsize=9)
    ax.set_yticks(range(len(weights)), example["story"], fontsize=9)
    for label, s in zip(ax.get_yticklabels(), supporting):
        label.set_fontweight("bold" if s else "normal")
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_xlabel("attention weight (red, hatched, bold: supporting fact)")
    ax.set_title(f"{example['question']}  answer: {example['answer']}", fontsize=9)
    fig.tight_layout()
    return fig
