"""Many-to-one: one label for a whole sentence, from an LSTM's last states (Torch).

Words are embedded and read by an LSTM, left to right and, when bidirectional, right to left too; the
label is read from the forward direction's state after the last word and the backward direction's
state after the first, through a linear readout. Sentences of different lengths share a batch,
padded at the end; each is read within its own length (as in
:mod:`lstm_course.models.word_tagger`), so padding never changes a prediction.
"""

import collections
import re

import numpy as np
import torch

from .. import convert
from ..params import init_readout
from .cores import recurrent_core
from .training import train
from .word_tagger import _init_lstm, _reverse_within

PAD, UNK = 0, 1
_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?|n't|[^\sa-z0-9]")


def tokens(text):
    """Lowercased words and punctuation marks of one snippet (``"isn't"`` stays one token)."""
    return _TOKEN.findall(text.lower())


class WordIds:
    """Ids of the training words seen at least ``min_count`` times (0 pads, 1 is unknown)."""

    def __init__(self, texts, min_count=2):
        counts = collections.Counter(w for text in texts for w in tokens(text))
        self.index = {w: k + 2 for k, w in enumerate(sorted(w for w, n in counts.items() if n >= min_count))}

    def __len__(self):
        return len(self.index) + 2

    def encode(self, texts):
        """``ids (T, B)`` padded with 0 and ``lengths (B,)`` (an empty snippet reads as one unknown word)."""
        rows = [[self.index.get(w, UNK) for w in tokens(text)] or [UNK] for text in texts]
        ids = np.zeros((max(map(len, rows)), len(rows)), dtype=np.int64)
        for b, row in enumerate(rows):
            ids[:len(row), b] = row
        return ids, np.array([len(row) for row in rows])


class SentenceClassifier(torch.nn.Module):
    """Embedding (V, E) -> LSTM (one or two directions, H) -> last states -> Linear -> C logits.

    Parameters
    ----------
    V, C : int
        Vocabulary size and number of labels.
    rng : numpy.random.Generator
        Draws every initial parameter.
    E, H : int
    bidirectional : bool
    backend : {"twin", "nn"}
    """

    def __init__(self, V, C, rng, E=64, H=64, bidirectional=False, backend="twin"):
        super().__init__()
        self.embedding = torch.nn.Embedding(V, E)
        with torch.no_grad():
            self.embedding.weight.copy_(torch.from_numpy(rng.normal(0, 0.3, size=(V, E)).astype(np.float32)))
        self.forward_core = recurrent_core("lstm", E, H, backend=backend)
        _init_lstm(self.forward_core, rng)
        self.backward_core = recurrent_core("lstm", E, H, backend=backend) if bidirectional else None
        if self.backward_core is not None:
            _init_lstm(self.backward_core, rng)
        width = H * (2 if bidirectional else 1)
        self.readout = convert.load_readout(torch.nn.Linear(width, C), init_readout(width, C, rng, np.float32))

    def forward(self, ids, lengths):
        """``ids (T, B)``, ``lengths (B,)`` -> logits ``(B, C)``."""
        xs = self.embedding(ids)  # (T, B, E)
        lengths = torch.as_tensor(lengths)
        columns = torch.arange(ids.shape[1])
        ahead, _ = self.forward_core(xs)  # (T, B, H)
        last = ahead[lengths - 1, columns]  # (B, H): the state after each snippet's last word
        if self.backward_core is not None:
            back, _ = self.backward_core(_reverse_within(xs, lengths))
            last = torch.cat([last, back[lengths - 1, columns]], dim=-1)  # the backward state after word 1
        return self.readout(last)


def _loss(model, ids, lengths, labels):
    return torch.nn.functional.cross_entropy(model(ids, lengths), labels)


def train_classifier(model, words, texts, labels, steps, batch_size, rng, lr=3e-3, progress=None):
    """Adam with clipping on ``batch_size`` random training snippets per step; ``losses`` and ``seconds``."""
    labels = np.asarray(labels)

    def batches(step):
        chosen = rng.integers(0, len(texts), size=batch_size)
        ids, lengths = words.encode([texts[k] for k in chosen])
        return torch.from_numpy(ids), torch.from_numpy(lengths), torch.from_numpy(labels[chosen])

    return train(model, _loss, batches, steps, lr=lr, max_norm=1.0, progress=progress)


@torch.no_grad()
def predict(model, words, texts, batch_size=256):
    """Predicted labels ``(N,)``."""
    model.eval()
    out = []
    for start in range(0, len(texts), batch_size):
        ids, lengths = words.encode(texts[start:start + batch_size])
        out.append(model(torch.from_numpy(ids), torch.from_numpy(lengths)).argmax(-1).numpy())
    model.train()
    return np.concatenate(out)
