"""The embedded Reber grammar (Hochreiter & Schmidhuber 1997, section 5.1) and its continual version (Gers et al. 2000).

A Reber string walks a small automaton from B to E. The *embedded* grammar
wraps one in B, T|P, ..., T|P, E: the symbol before the final E repeats the
second symbol, so predicting it needs a memory across the whole inner string.
The *continual* version concatenates embedded strings into one endless stream
that is never reset.
"""

from typing import NamedTuple

import numpy as np

SYMBOLS = "BTPSXVE"
_INDEX = {s: k for k, s in enumerate(SYMBOLS)}
# state -> [(symbol, next state)], each choice with probability 1/2
_REBER = {0: [("T", 1), ("P", 2)], 1: [("S", 1), ("X", 3)], 2: [("T", 2), ("V", 4)],
          3: [("X", 2), ("S", 5)], 4: [("P", 3), ("V", 5)]}


def embedded_reber_string(rng):
    """One embedded Reber string and, for each position, the set of legal next symbols.

    Returns
    -------
    text : str
        e.g. ``"BTBPVVETE"``.
    legal_next : list of str
        ``legal_next[t]``: the symbols that may follow ``text[t]`` (empty after the final E).
    """
    branch = "TP"[rng.integers(2)]
    text, legal = ["B", branch, "B"], ["TP", "B", "TP"]
    state = 0
    while state != 5:
        symbol, state = _REBER[state][rng.integers(2)]
        text.append(symbol)
        legal.append("".join(s for s, _ in _REBER[state]) if state != 5 else "E")
    text += ["E", branch, "E"]
    legal += [branch, "E", ""]
    return "".join(text), legal


class ReberSet(NamedTuple):
    xs: np.ndarray  # (T, B, 7) one-hot
    legal: np.ndarray  # (T, B, 7) 1 where the symbol may come next
    lengths: np.ndarray  # (B,) predictions are made at t < length - 1
    texts: list


def _encode(texts, legals):
    T = max(len(t) for t in texts)
    xs = np.zeros((T, len(texts), len(SYMBOLS)))
    legal = np.zeros_like(xs)
    for b, (text, allowed) in enumerate(zip(texts, legals)):
        for t, (symbol, nxt) in enumerate(zip(text, allowed)):
            xs[t, b, _INDEX[symbol]] = 1.0
            legal[t, b, [_INDEX[s] for s in nxt]] = 1.0
    return ReberSet(xs, legal, np.array([len(t) for t in texts]), list(texts))


def embedded_reber_sets(rng, n_train=256, n_test=256):
    """Disjoint training and test sets of distinct embedded Reber strings (as in the 1997 paper)."""
    seen, strings = set(), []
    while len(strings) < n_train + n_test:
        text, legal = embedded_reber_string(rng)
        if text not in seen:
            seen.add(text)
            strings.append((text, legal))
    train, test = strings[:n_train], strings[n_train:]
    return _encode(*zip(*train)), _encode(*zip(*test))


def reber_stream(B, n_strings, rng):
    """B continual streams, each ``n_strings`` embedded strings long, never reset.

    Returns
    -------
    ReberSet
        With ``xs (T, B, 7)``, ``legal (T, B, 7)``, and ``lengths`` holding T for
        every stream; plus ``texts``. ``legal`` after each final E is B (the next
        string's start).
    """
    texts, legals = [], []
    for _ in range(B):
        text, legal = "", []
        for _ in range(n_strings):
            s, allowed = embedded_reber_string(rng)
            text += s
            legal += allowed[:-1] + ["B"]
        texts.append(text)
        legals.append(legal)
    T = min(len(t) for t in texts)  # cut to a common length: a stream has no natural end
    return _encode([t[:T] for t in texts], [l[:T] for l in legals])


def outer_positions(texts, T):
    """(T, B) mask of the positions whose next symbol is the remembered outer T/P (right after an inner E)."""
    mask = np.zeros((T, len(texts)), dtype=bool)
    for b, text in enumerate(texts):
        depth = 0  # 0 outside a string, 1 inside the embedded wrapper, 2 inside the inner string
        for t, symbol in enumerate(text[:T]):
            if symbol == "B":
                depth += 1
            elif symbol == "E":
                if depth == 2:
                    mask[t, b] = True
                depth -= 1
    return mask
