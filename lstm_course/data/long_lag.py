"""Hochreiter & Schmidhuber's (1997) long-time-lag tasks, generated with an explicit ``numpy.random.Generator``.

- :func:`adding_problem`: section 5.4 of the paper, the *paper's* version
  (values in [-1, 1], target 0.5 + (X1 + X2) / 4, correct if ``|error| < 0.04``),
  not the later "modern" variant with target X1 + X2.
- :func:`temporal_order`: section 5.6, task 6a (two relevant symbols, four classes).
"""

from typing import NamedTuple

import numpy as np


class Batch(NamedTuple):
    xs: np.ndarray  # (T, B, D), zero beyond each length
    lengths: np.ndarray  # (B,)
    targets: np.ndarray  # (B,) float targets or int classes


def adding_problem(B, T, rng):
    """The adding problem at minimal length ``T`` (lengths uniform in [T, T + T/10]).

    Each step carries a pair (value in U[-1, 1], marker). Exactly two pairs are
    marked with 1: one among the first 10, one among the first T/2 - 1; the
    last pair has marker -1 (and so does the first, unless it is marked, in
    which case X1 is taken as 0).

    Returns
    -------
    Batch
        ``xs (T_max, B, 2)``, ``lengths (B,)``, ``targets (B,)`` = 0.5 + (X1 + X2) / 4.
    """
    lengths = rng.integers(T, T + T // 10 + 1, size=B)
    T_max, rows = int(lengths.max()), np.arange(B)
    values = rng.uniform(-1, 1, size=(T_max, B))
    markers = np.zeros((T_max, B))
    first = rng.integers(0, 10, size=B)
    second = rng.integers(0, T // 2 - 2, size=B)
    second = second + (second >= first)  # uniform over [0, T/2 - 1) without first
    markers[first, rows] = markers[second, rows] = 1.0
    first_marked = (first == 0) | (second == 0)
    values[0, first_marked] = 0.0  # X1 := 0 when the first pair is marked
    markers[0, ~first_marked] = -1.0
    markers[lengths - 1, rows] = -1.0
    padding = np.arange(T_max)[:, None] >= lengths[None, :]
    values[padding] = markers[padding] = 0.0
    xs = np.stack([values, markers], axis=-1)
    targets = 0.5 + (values[first, rows] + values[second, rows]) / 4.0
    return Batch(xs, lengths, targets)


TEMPORAL_SYMBOLS = ("a", "b", "c", "d", "X", "Y", "E", "B")
TEMPORAL_CLASSES = ("XX", "XY", "YX", "YY")  # the paper's Q, R, S, U


def temporal_order(B, rng, min_length=100, max_length=110):
    """Temporal order task 6a: classify the order of two X/Y symbols hidden in noise.

    A sequence starts with E and ends with B; in between are random symbols
    from {a, b, c, d}, except at t1 in [10, 20] and t2 in [50, 60], which hold
    X or Y. The class is the pair (XX, XY, YX, YY).

    Returns
    -------
    Batch
        ``xs (T_max, B, 8)`` one-hot over ``TEMPORAL_SYMBOLS``, ``lengths``, ``targets`` in 0..3.
    """
    lengths = rng.integers(min_length, max_length + 1, size=B)
    xs = np.zeros((int(lengths.max()), B, len(TEMPORAL_SYMBOLS)))
    targets = rng.integers(0, 4, size=B)
    for b, n in enumerate(lengths):
        symbols = rng.integers(0, 4, size=n)
        symbols[0], symbols[n - 1] = 6, 7
        t1, t2 = rng.integers(10, 21), rng.integers(50, 61)
        symbols[t1] = 4 + targets[b] // 2
        symbols[t2] = 4 + targets[b] % 2
        xs[np.arange(n), b, symbols] = 1.0
    return Batch(xs, lengths, targets)
