"""Checker for the generative chapter's baseline: an add-k bigram's bits per character on held-out text.

The learner writes ``my_bigram_bpc(train, test, V, k)``: count the neighbouring pairs of the training ids,
smooth each row with ``k`` (add-k), and return the mean of ``-log2 p(test[t] | test[t-1])`` over
``t = 1 .. len(test) - 1``. The checker names the usual mistakes: no smoothing, a row that does not sum to
one, the context one step off, counts or a scored pair that cross the train/test boundary, nats for bits,
and a sum for a mean.
"""

import numpy as np

from ._harness import Case, Hints, Mistake, check_function


def _table(train, V, k, swap=False):
    counts = np.zeros((V, V))
    a, b = (train[1:], train[:-1]) if swap else (train[:-1], train[1:])
    np.add.at(counts, (a, b), 1.0)
    return counts


def _score(p, test, log=np.log2, mean=True, lag=1):
    with np.errstate(divide="ignore"):
        nll = -log(p[test[:-lag], test[lag:]])
    return float(nll.mean() if mean else nll.sum())


def reference_bigram_bpc(train, test, V, k):
    """Add-k bigram bits per character of ``test`` (``test[1:]`` given ``test[:-1]``), counted on ``train``.

    Parameters
    ----------
    train, test : ndarray of int, shape (N,) and (T,)
        Symbol ids in ``0 .. V - 1``; ``T >= 2``.
    V : int
        Vocabulary size.
    k : float
        The count added to every pair (``k = 1``: add-one, as ``ngram_bits_per_char``).

    Returns
    -------
    float
        ``-(1 / (T - 1)) sum_t log2 p(test[t] | test[t - 1])`` with
        ``p(b | a) = (c(a, b) + k) / (sum_b' c(a, b') + k V)``.
    """
    train, test = np.asarray(train), np.asarray(test)
    counts = _table(train, V, k)
    p = (counts + k) / (counts.sum(1, keepdims=True) + k * V)
    return _score(p, test)


def _no_smoothing(train, test, V, k):
    counts = _table(np.asarray(train), V, k)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = counts / counts.sum(1, keepdims=True)
    return _score(np.nan_to_num(p), np.asarray(test))


def _unnormalised(train, test, V, k):
    counts = _table(np.asarray(train), V, k)
    return _score((counts + k) / (counts.sum(1, keepdims=True) + k), np.asarray(test))


def _swapped_context(train, test, V, k):
    counts = _table(np.asarray(train), V, k, swap=True)
    return _score((counts + k) / (counts.sum(1, keepdims=True) + k * V), np.asarray(test))


def _context_two_back(train, test, V, k):
    counts = _table(np.asarray(train), V, k)
    return _score((counts + k) / (counts.sum(1, keepdims=True) + k * V), np.asarray(test), lag=2)


def _counted_on_test_too(train, test, V, k):
    return reference_bigram_bpc(np.concatenate([train, test]), test, V, k)


def _boundary_pair_scored(train, test, V, k):
    return reference_bigram_bpc(train, np.concatenate([np.asarray(train)[-1:], test]), V, k)


def _nats(train, test, V, k):
    return reference_bigram_bpc(train, test, V, k) * np.log(2)


def _sum_not_mean(train, test, V, k):
    counts = _table(np.asarray(train), V, k)
    return _score((counts + k) / (counts.sum(1, keepdims=True) + k * V), np.asarray(test), mean=False)


MISTAKES = [
    Mistake("no smoothing", "a pair never seen in training gets probability 0, and one such pair in the test text "
            "makes the bits infinite: add `k` to every count of the row.", _no_smoothing),
    Mistake("a row that does not sum to 1", "after adding `k` to each of the V counts of a row, the row's total "
            "grew by `k * V`, not by `k`: divide by `row total + k * V`.", _unnormalised),
    Mistake("context and next swapped", "the table is indexed [next, previous]: count `c[a, b]` for `a` followed "
            "by `b`, and read row `test[t - 1]`, column `test[t]`.", _swapped_context),
    Mistake("the context one step off", "each test character is predicted from the one two places back: the "
            "context of `test[t]` is `test[t - 1]`.", _context_two_back),
    Mistake("counts taken from the test text", "the counts include the test ids: a baseline may count the "
            "training text only, or it has seen the answers.", _counted_on_test_too),
    Mistake("the boundary pair scored", "the first test character is scored after the last training character: "
            "the files are separate, so score `test[1:]` given `test[:-1]` only.", _boundary_pair_scored),
    Mistake("nats instead of bits", "the mean is of natural logarithms: use `np.log2` (or divide by `ln 2`).",
            _nats),
    Mistake("a sum instead of a mean", "bits *per character*: divide the total by the number of scored "
            "characters, `len(test) - 1`.", _sum_not_mean),
]

_rng = np.random.default_rng(7)
CASES = [
    Case("V = 4, k = 1, an unseen pair in the test text",
         (np.array([0, 1, 2, 0, 1, 2, 0, 1, 3, 0, 1]), np.array([3, 2, 0, 1, 2, 2, 3]), 4, 1.0)),
    Case("V = 6, k = 0.5, 60 training and 25 test ids",
         (_rng.integers(0, 5, size=60), _rng.integers(0, 6, size=25), 6, 0.5)),
]

HINTS = Hints(
    nudge="Two steps, as the chapter's add-one bigram: a V x V table of counts of neighbouring pairs (previous, "
          "next) from the training ids only; then the mean over the test's neighbouring pairs of -log2 of the "
          "smoothed probability. Which denominator makes each row of probabilities sum to 1?",
    formula="p(b | a) = (c(a, b) + k) / (sum over b' of c(a, b') + k * V); "
            "bpc = -(1 / (T - 1)) * sum over t = 1 .. T - 1 of log2 p(test[t] | test[t - 1]).")


def check_bigram_bpc(fn, report=print):
    """Check ``fn(train, test, V, k) -> float``, an add-k bigram's bits per character on ``test``.

    Returns True when ``fn`` matches ``reference_bigram_bpc`` on every case; otherwise reports the
    likely mistake and returns False. Never raises.
    """
    return check_function(fn, title="Add-k bigram bits per character", arg_names=("train", "test", "V", "k"),
                          cases=CASES, reference=reference_bigram_bpc, mistakes=MISTAKES, hints=HINTS,
                          report=report, output_names=["your bits per character"])
