"""A sentiment-like toy for many-to-one classification, where word order and memory matter.

A review is one clause, or two clauses joined by a connective. A clause is a
few filler words, an optional negation ("not", "never"), optional
intensifiers, one opinion word and more filler; its polarity is the
opinion's, flipped by a negation *in the same clause* (its scope).

- "A but B": the review means what B means ("the plot was good but the
  acting was not great" is negative). The decisive clause comes last.
- "A although B": the review means what A means. The decisive clause comes
  first, and the network must carry its polarity across all of B.

A bag of words sees one "but" or "although", two opinion words and
perhaps a negation, but not which clause each belongs to, so it cannot
tell "good but not bad" from "not good but bad". The label depends on word
order, and on memory over up to nine words.
"""

from typing import NamedTuple

import numpy as np

FILLER = ["the", "movie", "film", "plot", "was", "is", "and", "it", "acting"]
INTENSIFIERS = ["very", "really", "quite"]
NEGATIONS = ["not", "never"]
POSITIVE = ["good", "great", "fun", "superb"]
NEGATIVE = ["bad", "awful", "boring", "dull"]
CONNECTIVES = ["but", "although"]  # "but": the second clause decides; "although": the first does
VOCAB = FILLER + INTENSIFIERS + NEGATIONS + POSITIVE + NEGATIVE + CONNECTIVES
MAX_LEN = 2 * 9 + 1  # two clauses of at most 3 + 1 + 2 + 1 + 2 words, and the connective


class Reviews(NamedTuple):
    xs: np.ndarray  # (T, B, V) one-hot, zero at padded steps
    lengths: np.ndarray  # (B,)
    labels: np.ndarray  # (B,) 1 = positive
    texts: list
    negated: np.ndarray  # (B,) bool: the decisive clause holds a negation
    connective: list  # (B,) "", "but" or "although"


def _clause(rng, negation_rate):
    """One clause as ``(words, positive_meaning, negated)``."""
    words = [str(w) for w in rng.choice(FILLER, size=rng.integers(1, 4))]
    negated = bool(rng.random() < negation_rate)
    if negated:
        words.append(str(rng.choice(NEGATIONS)))
    words += [str(w) for w in rng.choice(INTENSIFIERS, size=rng.integers(0, 3))]
    positive = bool(rng.integers(2))
    words.append(str(rng.choice(POSITIVE if positive else NEGATIVE)))
    words += [str(w) for w in rng.choice(FILLER, size=rng.integers(0, 3))]
    return words, positive != negated, negated


def make_reviews(B, rng, negation_rate=0.4, contrast_rate=0.6):
    """Draw ``B`` reviews with an explicit ``numpy.random.Generator``.

    Parameters
    ----------
    B : int
        Number of reviews.
    rng : numpy.random.Generator
    negation_rate : float
        Probability that a clause holds a negation.
    contrast_rate : float
        Probability that a review has two clauses (then "but" and "although"
        are equally likely).

    Returns
    -------
    Reviews
        ``xs (T, B, V)`` one-hot with ``T = MAX_LEN``, ``lengths (B,)``,
        ``labels (B,)``, ``texts``, ``negated (B,)`` and ``connective``.
    """
    if not (isinstance(B, (int, np.integer)) and B >= 1):
        raise ValueError(f"make_reviews: expected a positive integer B, got {B!r}")
    texts, labels, negated, connectives = [], [], [], []
    for _ in range(B):
        words, label, neg = _clause(rng, negation_rate)
        connective = str(rng.choice(CONNECTIVES)) if rng.random() < contrast_rate else ""
        if connective:
            second, label2, neg2 = _clause(rng, negation_rate)
            words = words + [connective] + second
            if connective == "but":
                label, neg = label2, neg2
        texts.append(" ".join(words))
        labels.append(int(label))
        negated.append(neg)
        connectives.append(connective)
    lengths = np.array([len(t.split()) for t in texts])
    xs = np.zeros((MAX_LEN, B, len(VOCAB)))
    index = {w: j for j, w in enumerate(VOCAB)}
    for b, text in enumerate(texts):
        for t, word in enumerate(text.split()):
            xs[t, b, index[word]] = 1.0
    return Reviews(xs, lengths, np.array(labels), texts, np.array(negated), connectives)


def word_counts(reviews):
    """Bag-of-words features: how often each word of ``VOCAB`` occurs, ``(B, V)``; order is lost."""
    return reviews.xs.sum(axis=0)
