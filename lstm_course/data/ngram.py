"""Interpolated n-gram character models: the count baselines a character LSTM must beat.

A model of order ``n`` predicts each character from the ``n - 1`` before it. Its counts
come from the training text, and every order is interpolated with the one below it,
down to the uniform distribution over the vocabulary, so every character of the
vocabulary gets a nonzero probability in every context (Chen and Goodman, 1999):

.. math::

    p_j(w \\mid h) = \\frac{\\max(c_j(hw) - D, 0)}{c_j(h\\cdot)}
                   + \\frac{D \\, N_{1+}(h\\cdot)}{c_j(h\\cdot)} \\, p_{j-1}(w \\mid h'),
    \\qquad p_0(w) = 1 / V,

where ``h'`` drops the oldest character of ``h`` and ``N_{1+}(h.)`` is the number of
different characters seen after ``h``; a context never seen falls back to
``p_{j-1}`` whole. With ``method="kneser-ney"`` the counts ``c_j`` of every order
below the top are *continuation* counts (in how many different contexts the
n-gram was seen); with ``"absolute"`` they are plain counts. The discount ``D``
is one number in (0, 1] for all orders of a model; :func:`choose_discount`
picks it, and the order, on held-out *training* text, never on validation.

Sequences are 1-D arrays of character ids ``(N,)``, as in :mod:`lstm_course.data.corpus`.
"""

import numpy as np

METHODS = ("kneser-ney", "absolute")
DISCOUNTS = (0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 1.0)  # the grid choose_discount searches
MAX_ORDER = 6


def _ids(ids, V, name):
    array = np.asarray(ids)
    if array.ndim != 1 or not np.issubdtype(array.dtype, np.integer) or len(array) == 0:
        raise ValueError(f"expected {name} to be a non-empty 1-D array of integer character ids; "
                         f"got shape {array.shape} and dtype {array.dtype}")
    if array.min() < 0 or array.max() >= V:
        raise ValueError(f"expected {name} ids in 0..{V - 1} (V = {V}); got ids from {array.min()} to {array.max()}")
    return array.astype(np.int64)


def _grams(ids, j, V):
    """The codes of the j-grams of ``ids`` (N,): (N - j + 1,) int64, oldest character most significant."""
    code = np.zeros(len(ids) - j + 1, dtype=np.int64)
    for i in range(j):
        code = code * V + ids[i:len(ids) - j + 1 + i]
    return code


def _lookup(keys, values, queries):
    """``values`` at each of ``queries`` where it is one of the sorted ``keys``, else 0."""
    if len(keys) == 0:
        return np.zeros(len(queries), dtype=values.dtype)
    at = np.minimum(np.searchsorted(keys, queries), len(keys) - 1)
    return np.where(keys[at] == queries, values[at], 0)


class NGramModel:
    """An interpolated n-gram character model, fitted to a training text.

    Parameters
    ----------
    train : array of int
        (N,) training character ids in ``0 .. V - 1``, N >= ``order``.
    V : int
        Vocabulary size, >= 2.
    order : int
        The n of the n-gram, 1 to ``MAX_ORDER``: the prediction reads ``order - 1`` characters.
    discount : float, optional
        The absolute discount D, in (0, 1].
    method : {"kneser-ney", "absolute"}, optional
        Continuation counts below the top order (interpolated Kneser-Ney) or plain counts
        (interpolated absolute discounting).

    Raises
    ------
    ValueError
        Any argument outside the ranges above, in one line, before counting.
    """

    def __init__(self, train, V, order, discount=0.75, method="kneser-ney"):
        if isinstance(V, bool) or not isinstance(V, (int, np.integer)) or V < 2:
            raise ValueError(f"expected V an integer >= 2; got {V!r}")
        if isinstance(order, bool) or not isinstance(order, (int, np.integer)) or not 1 <= order <= MAX_ORDER:
            raise ValueError(f"expected order an integer from 1 to {MAX_ORDER}; got {order!r}")
        if isinstance(discount, bool) or not isinstance(discount, (int, float)) or not 0 < discount <= 1:
            raise ValueError(f"expected discount a number in (0, 1]; got {discount!r}")
        if method not in METHODS:
            raise ValueError(f"expected method one of {METHODS}; got {method!r}")
        train = _ids(train, V, "train")
        if len(train) < order:
            raise ValueError(f"expected a training text of at least order = {order} characters; got {len(train)}")
        self.V, self.order, self.discount, self.method = int(V), int(order), float(discount), method
        self.levels = []  # per order j = 1..n: (gram codes, counts, context codes, context totals, context types)
        for j in range(1, order + 1):
            if method == "kneser-ney" and j < order:  # continuation count: distinct left neighbours
                longer = np.unique(_grams(train, j + 1, V))
                keys, counts = np.unique(longer % V ** j, return_counts=True)
            else:
                keys, counts = np.unique(_grams(train, j, V), return_counts=True)
            contexts, where = np.unique(keys // V, return_inverse=True)
            totals = np.bincount(where, weights=counts).astype(np.int64)
            types = np.bincount(where).astype(np.int64)
            self.levels.append((keys, counts.astype(np.int64), contexts, totals, types))

    def _probabilities(self, histories, targets, lengths):
        """p(target | the last ``lengths`` characters of each history) for M queries.

        ``histories`` (M, order - 1) holds the preceding characters, oldest first, right-aligned;
        only the last ``lengths[m]`` of row m are read (fewer at the start of a text).
        """
        V, D = self.V, self.discount
        p = np.full(len(targets), 1.0 / V)
        context = np.zeros(len(targets), dtype=np.int64)
        for j, (keys, counts, contexts, totals, types) in enumerate(self.levels, start=1):
            if j > 1:  # add the character j - 1 places back to the context
                context = context + histories[:, -(j - 1)] * V ** (j - 2)
            total = _lookup(contexts, totals, context).astype(float)
            seen = _lookup(contexts, types, context).astype(float)
            count = _lookup(keys, counts, context * V + targets).astype(float)
            usable = (total > 0) & (lengths >= j - 1)
            safe = np.where(usable, total, 1.0)
            p = np.where(usable, np.maximum(count - D, 0.0) / safe + D * seen / safe * p, p)
        return p

    def distribution(self, context):
        """The predicted distribution over the vocabulary after ``context``.

        Parameters
        ----------
        context : array of int
            (L,) the characters before the one predicted, oldest first; only the last
            ``order - 1`` are read (all of them when L is shorter). L may be 0.

        Returns
        -------
        np.ndarray
            (V,) probabilities, each > 0, summing to 1.
        """
        context = np.asarray(context, dtype=np.int64).reshape(-1)
        if len(context):
            context = _ids(context, self.V, "context")
        width = self.order - 1
        kept = context[len(context) - min(len(context), width):]
        history = np.zeros((self.V, width), dtype=np.int64)
        if len(kept):
            history[:, width - len(kept):] = kept
        return self._probabilities(history, np.arange(self.V), np.full(self.V, len(kept)))

    def bits(self, ids):
        """The bits each character of ``ids`` after the first costs: ``-log2 p(ids[t] | ids[:t])``.

        Parameters
        ----------
        ids : array of int
            (N,) a text of character ids, N >= 2. Position t reads the ``min(t, order - 1)``
            characters before it: the text's own start, no padding.

        Returns
        -------
        np.ndarray
            (N - 1,) bits for ``ids[1:]``: the characters the bigram baseline of
            :func:`lstm_course.data.corpus.ngram_bits_per_char` scores too.
        """
        ids = _ids(ids, self.V, "ids")
        if len(ids) < 2:
            raise ValueError(f"expected a text of at least 2 characters to score; got {len(ids)}")
        width = self.order - 1
        padded = np.concatenate([np.zeros(width, dtype=np.int64), ids])
        t = np.arange(1, len(ids))
        history = np.stack([padded[t + i] for i in range(width)], axis=1) if width else np.zeros((len(t), 0), int)
        return -np.log2(self._probabilities(history, ids[1:], t))

    def bits_per_char(self, ids):
        """Mean of :meth:`bits` over ``ids[1:]``: the model's bits per character on a text (N,)."""
        return float(np.mean(self.bits(ids)))


def choose_discount(train, V, order, method="kneser-ney", discounts=DISCOUNTS, held_out=0.1):
    """The discount that scores best on held-out training text: the last ``held_out`` of ``train``.

    The model is fitted to the first ``1 - held_out`` of ``train`` for each discount of the grid
    and scored on the rest; validation text is never read.

    Parameters
    ----------
    train : array of int
        (N,) training character ids.
    V, order, method
        As for :class:`NGramModel`.
    discounts : sequence of float, optional
        The grid, each in (0, 1].
    held_out : float, optional
        The fraction of ``train`` held out, in (0, 1).

    Returns
    -------
    tuple
        ``(discount, scores)``: the best discount, and ``{discount: held-out bits/char}``.
    """
    if not 0 < held_out < 1:
        raise ValueError(f"expected held_out a fraction in (0, 1); got {held_out!r}")
    if len(discounts) == 0:
        raise ValueError("expected at least one discount to try; got an empty grid")
    train = _ids(train, V, "train")
    cut = int(len(train) * (1 - held_out))
    if cut < order or len(train) - cut < 2:
        raise ValueError(f"expected a training text long enough to hold out {held_out:g} of it; "
                         f"got {len(train)} characters")
    fit, rest = train[:cut], train[cut:]
    scores = {float(D): NGramModel(fit, V, order, D, method).bits_per_char(rest) for D in discounts}
    best = min(scores, key=lambda D: (scores[D], D))
    return best, scores

