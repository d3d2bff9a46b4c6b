"""A sentiment-like toy for many-to-one classification, where negation needs memory.

A review is a few filler words, an optional negation ("not", "never"),
optional intensifiers, one opinion word and more filler. Its label is the
opinion's polarity, flipped by the negation: "the film was not very good"
is negative. The negation may sit several words before the opinion, so the
network must carry it in its state.
"""

from typing import NamedTuple

import numpy as np

FILLER = ["the", "movie", "film", "plot", "was", "is", "and", "it", "acting"]
INTENSIFIERS = ["very", "really", "quite"]
NEGATIONS = ["not", "never"]
POSITIVE = ["good", "great", "fun", "superb"]
NEGATIVE = ["bad", "awful", "boring", "dull"]
VOCAB = FILLER + INTENSIFIERS + NEGATIONS + POSITIVE + NEGATIVE


class Reviews(NamedTuple):
    xs: np.ndarray  # (T, B, V) one-hot, zero at padded steps
    lengths: np.ndarray  # (B,)
    labels: np.ndarray  # (B,) 1 = positive
    texts: list


def make_reviews(B, rng, max_len=12, negation_rate=0.3):
    """Draw ``B`` reviews with an explicit ``numpy.random.Generator``.

    Returns
    -------
    Reviews
        ``xs (T, B, V)`` one-hot with ``T = max_len``, ``lengths (B,)``, ``labels (B,)``, ``texts``.
    """
    texts, labels = [], []
    for _ in range(B):
        words = list(rng.choice(FILLER, size=rng.integers(1, 4)))
        negated = bool(rng.random() < negation_rate)
        if negated:
            words.append(str(rng.choice(NEGATIONS)))
        words += list(rng.choice(INTENSIFIERS, size=rng.integers(0, 3)))
        positive = bool(rng.integers(2))
        words.append(str(rng.choice(POSITIVE if positive else NEGATIVE)))
        words += list(rng.choice(FILLER, size=rng.integers(0, 3)))
        words = [str(w) for w in words][:max_len]
        texts.append(" ".join(words))
        labels.append(int(positive != negated))
    lengths = np.array([len(t.split()) for t in texts])
    xs = np.zeros((max_len, B, len(VOCAB)))
    index = {w: j for j, w in enumerate(VOCAB)}
    for b, text in enumerate(texts):
        for t, word in enumerate(text.split()):
            xs[t, b, index[word]] = 1.0
    return Reviews(xs, lengths, np.array(labels), texts)
