"""Part-of-speech tagging of real sentences: one tag per word, read by a (bidirectional) LSTM (Torch).

A word enters as three embeddings side by side: the lowercased word, its last three letters, and its
shape (lowercase, Capitalised, ALL CAPS, has a digit, other). A word seen fewer than twice in training
is unknown (id 1), and so is a rare suffix; the suffix and the shape still tell the tagger something
about such words. Sentences of different lengths share a batch, padded at the end: the forward LSTM
never reads past a sentence's end, and the backward one reads each sentence reversed within its own
length, so every word's tag depends on its own sentence only.
"""

import collections

import numpy as np
import torch

from .. import convert
from ..params import init_readout
from .cores import recurrent_core
from .training import train

PAD, UNK = 0, 1
SHAPES = ("lower", "capitalised", "upper", "digit", "other")


def shape_of(word):
    """The shape id of one word: an index into ``SHAPES``."""
    if any(ch.isdigit() for ch in word):
        return 3
    if word.isalpha() and word.islower():
        return 0
    if word[:1].isupper() and word[1:].islower():
        return 1
    if word.isupper():
        return 2
    return 4


class Vocabulary:
    """Ids for words, suffixes and tags, built from the training sentences only.

    Parameters
    ----------
    sentences : list of list of (str, str)
        Training sentences of ``(word, tag)`` pairs.
    min_count : int
        A word or suffix seen fewer times is unknown.
    """

    def __init__(self, sentences, min_count=2):
        words = collections.Counter(w.lower() for s in sentences for w, _ in s)
        suffixes = collections.Counter(w.lower()[-3:] for s in sentences for w, _ in s)
        self.words = {w: k + 2 for k, w in enumerate(sorted(w for w, n in words.items() if n >= min_count))}
        self.suffixes = {x: k + 2 for k, x in enumerate(sorted(x for x, n in suffixes.items() if n >= min_count))}
        self.tags = sorted({t for s in sentences for _, t in s})
        self.tag_ids = {t: k for k, t in enumerate(self.tags)}
        self.known = set(words)  # every word seen in training, for "unknown-word accuracy"

    def encode(self, sentences):
        """Pad ``sentences`` to ``(T, B)`` arrays: word, suffix, shape and tag ids, and ``lengths (B,)``.

        Tags not seen in training get id -1 (never counted as right).
        """
        T, B = max(len(s) for s in sentences), len(sentences)
        ids = np.zeros((4, T, B), dtype=np.int64)
        ids[3] = -1
        for b, sentence in enumerate(sentences):
            for t, (word, tag) in enumerate(sentence):
                low = word.lower()
                ids[:, t, b] = (self.words.get(low, UNK), self.suffixes.get(low[-3:], UNK), shape_of(word),
                                self.tag_ids.get(tag, -1))
        return ids[0], ids[1], ids[2], ids[3], np.array([len(s) for s in sentences])


def _reverse_within(xs, lengths):
    """``xs (T, B, ...)`` with each column's first ``lengths[b]`` steps reversed, the padding left in place."""
    T = xs.shape[0]
    t = torch.arange(T, device=xs.device)[:, None]  # (T, 1)
    n = torch.as_tensor(lengths, device=xs.device)[None, :]  # (1, B)
    index = torch.where(t < n, n - 1 - t, t)  # (T, B)
    return xs.gather(0, index.reshape(T, -1, *([1] * (xs.dim() - 2))).expand_as(xs))


class WordTagger(torch.nn.Module):
    """Word, suffix and shape embeddings -> LSTM (one or two directions) -> Linear -> one tag per word.

    Parameters
    ----------
    vocabulary : Vocabulary
    rng : numpy.random.Generator
        Draws every initial parameter.
    E, H : int
        Word-embedding and hidden sizes (the suffix embedding has E // 4, the shape one 4).
    bidirectional : bool
    num_layers : int
        Stacked layers; layer l > 1 reads both directions of layer l - 1.
    backend : {"twin", "nn"}
        Who runs the recurrence (:func:`lstm_course.models.cores.recurrent_core`).
    """

    def __init__(self, vocabulary, rng, E=64, H=64, bidirectional=False, num_layers=1, backend="twin"):
        super().__init__()
        sizes = (len(vocabulary.words) + 2, len(vocabulary.suffixes) + 2, len(SHAPES))
        dims = (E, E // 4, 4)
        self.embeddings = torch.nn.ModuleList(torch.nn.Embedding(n, d) for n, d in zip(sizes, dims))
        with torch.no_grad():
            for embedding, (n, d) in zip(self.embeddings, zip(sizes, dims)):
                embedding.weight.copy_(torch.from_numpy(rng.normal(0, 0.3, size=(n, d)).astype(np.float32)))
        width = H * (2 if bidirectional else 1)
        self.forward_cores, self.backward_cores = torch.nn.ModuleList(), torch.nn.ModuleList()
        for layer in range(num_layers):
            D = sum(dims) if layer == 0 else width
            for cores in (self.forward_cores, self.backward_cores) if bidirectional else (self.forward_cores,):
                cores.append(recurrent_core("lstm", D, H, backend=backend))
                _init_lstm(cores[-1], rng)
        self.readout = convert.load_readout(torch.nn.Linear(width, len(vocabulary.tags)),
                                            init_readout(width, len(vocabulary.tags), rng, np.float32))

    def forward(self, words, suffixes, shapes, lengths):
        """Ids ``(T, B)`` each and ``lengths (B,)`` -> tag logits ``(T, B, C)``."""
        out = torch.cat([e(ids) for e, ids in zip(self.embeddings, (words, suffixes, shapes))], dim=-1)
        for layer, forward_core in enumerate(self.forward_cores):
            ahead, _ = forward_core(out)  # (T, B, H)
            if len(self.backward_cores):
                back, _ = self.backward_cores[layer](_reverse_within(out, lengths))
                ahead = torch.cat([ahead, _reverse_within(back, lengths)], dim=-1)  # (T, B, 2H)
            out = ahead
        return self.readout(out)


def _init_lstm(core, rng):
    """Uniform(-1/sqrt(H), 1/sqrt(H)) weights from ``rng`` (no global seeding), forget-gate bias 1."""
    H = core.hidden_size
    with torch.no_grad():
        for name, weight in core.named_parameters():
            weight.copy_(torch.from_numpy(rng.uniform(-H ** -0.5, H ** -0.5, size=weight.shape).astype(np.float32)))
            if name.startswith("bias_ih"):
                weight[H:2 * H] += 1.0  # torch.nn's gate order i, f, g, o


def _loss(model, words, suffixes, shapes, tags, lengths):
    logits = model(words, suffixes, shapes, lengths)  # (T, B, C)
    return torch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), tags.reshape(-1),
                                             ignore_index=-1)


def train_word_tagger(model, vocabulary, sentences, steps, batch_size, rng, lr=3e-3, progress=None):
    """Adam with clipping on ``batch_size`` training sentences of similar length per step.

    Each step takes ``batch_size`` neighbours in the length-sorted training set from a random start, so
    that little of a batch is padding (tags of padding are -1 and are not in the loss).

    Returns
    -------
    dict
        ``losses`` (per step) and ``seconds``.
    """
    order = sorted(range(len(sentences)), key=lambda k: len(sentences[k]))

    def batches(step):
        start = int(rng.integers(0, max(1, len(order) - batch_size + 1)))
        chosen = [sentences[k] for k in order[start:start + batch_size]]
        words, suffixes, shapes, tags, lengths = vocabulary.encode(chosen)
        return (torch.from_numpy(words), torch.from_numpy(suffixes), torch.from_numpy(shapes),
                torch.from_numpy(tags), torch.from_numpy(lengths))

    return train(model, _loss, batches, steps, lr=lr, max_norm=1.0, progress=progress)


@torch.no_grad()
def predict(model, vocabulary, sentences, batch_size=256):
    """Predicted tag ids, one ``(len(sentence),)`` array per sentence."""
    model.eval()
    order = sorted(range(len(sentences)), key=lambda k: len(sentences[k]))
    out = [None] * len(sentences)
    for start in range(0, len(order), batch_size):
        chunk = order[start:start + batch_size]
        words, suffixes, shapes, _, lengths = vocabulary.encode([sentences[k] for k in chunk])
        logits = model(torch.from_numpy(words), torch.from_numpy(suffixes), torch.from_numpy(shapes),
                       torch.from_numpy(lengths))
        best = logits.argmax(-1).numpy()  # (T, B)
        for b, k in enumerate(chunk):
            out[k] = best[:lengths[b], b]
    model.train()
    return out
