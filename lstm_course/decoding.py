r"""Decoding a trained conditional model: greedy search and beam search.

Both work on any model through one function,
``step(tokens_last, state) -> (log_probs, new_state)``:

- ``tokens_last``: int ndarray, shape (K,), the last token of each of K hypotheses;
- ``state``: a *pytree* (nested tuples, lists and dicts whose leaves are NumPy
  arrays or torch tensors, or None) in which **every leaf has the K hypotheses
  along its first axis**. The search reorders it with ``leaf[indices]`` when it
  keeps, drops or duplicates hypotheses. Anything that is the same for every
  hypothesis (the encoder's keys of the one source sentence, say) belongs in
  the closure of ``step``, not in ``state``;
- ``log_probs``: shape (K, V), log-probabilities of the next token (a NumPy
  array or a CPU tensor).

Scores add log-probabilities. With ``length_penalty`` :math:`\alpha > 0`
hypotheses are ranked by the GNMT-normalised score (Wu et al. 2016)

.. math:: \frac{\log P(y)}{\mathrm{lp}(y)},\qquad \mathrm{lp}(y) = \left(\frac{5 + |y|}{6}\right)^{\alpha},

where :math:`|y|` counts the generated tokens (``eos`` included).
"""

import numpy as np


def reorder(state, indices):
    """Keep hypotheses ``indices`` (int list): axis 0 of every leaf of ``state``."""
    if state is None:
        return None
    if isinstance(state, dict):
        return {key: reorder(value, indices) for key, value in state.items()}
    if isinstance(state, (tuple, list)):
        return type(state)(reorder(value, indices) for value in state)
    return state[indices]


def length_normalised(logprob, length, length_penalty):
    """``logprob / ((5 + length) / 6) ** length_penalty``; the raw ``logprob`` when the penalty is 0."""
    if length_penalty == 0:
        return logprob
    return logprob / ((5.0 + length) / 6.0) ** length_penalty


def greedy_search(step, state, bos, eos, max_len):
    """Pick the most probable token at every step until ``eos`` or ``max_len`` tokens.

    Returns
    -------
    tokens : list of int
        The generated tokens after ``bos``, ending with ``eos`` if it was produced.
    logprob : float
        Their total log-probability.
    """
    tokens, logprob, last = [], 0.0, bos
    for _ in range(max_len):
        log_probs, state = step(np.array([last]), state)
        row = np.asarray(log_probs, dtype=np.float64)[0]
        last = int(row.argmax())
        tokens.append(last)
        logprob += float(row[last])
        if last == eos:
            break
    return tokens, logprob


def _check(beam_size, max_len, length_penalty):
    if not isinstance(beam_size, (int, np.integer)) or beam_size < 1:
        raise ValueError(f"beam_size must be an int >= 1; got {beam_size!r}")
    if not isinstance(max_len, (int, np.integer)) or max_len < 1:
        raise ValueError(f"max_len must be an int >= 1; got {max_len!r}")
    if length_penalty < 0:
        raise ValueError(f"length_penalty must be >= 0; got {length_penalty!r}")


def _trace_step(live, order, totals, beam_size, eos, last_step):
    """One step of :func:`beam_search`'s trace: the live hypotheses and every candidate, best first."""
    V = totals.shape[1]
    candidates = []
    for rank, flat in enumerate(order):
        k, token = divmod(int(flat), V)
        if rank >= beam_size:
            status = "pruned"
        elif token == eos:
            status = "finished"
        else:
            status = "max_len" if last_step else "kept"
        candidates.append({"parent": k, "token": token, "tokens": live[k][0] + [token],
                           "logprob": float(totals[k, token]), "status": status})
    return {"live": [(list(tokens), float(lp)) for tokens, lp in live], "candidates": candidates}


def beam_search(step, state, bos, eos, beam_size, max_len, length_penalty=0.0, trace=None):
    """Beam search over one source: keep the ``beam_size`` best prefixes at every step.

    At every step each live hypothesis is extended by every token; the
    ``beam_size`` best extensions (by summed log-probability) are kept, and
    those that end in ``eos`` leave the beam for the finished set, so the beam
    shrinks as hypotheses finish (Sutskever et al. 2014, sec. 3.2). The search
    stops when no hypothesis is live or after ``max_len`` tokens, when the
    live ones count as finished. With ``beam_size=1`` this is greedy decoding;
    with a beam at least as large as the number of possible sequences it is
    exhaustive.

    Parameters
    ----------
    step : callable
        ``step(tokens_last (K,), state) -> (log_probs (K, V), new_state)``.
    state : pytree
        The decoder state of the one source, every leaf with first axis 1
        (see the module docstring).
    bos, eos : int
        Start and end tokens.
    beam_size, max_len : int
    length_penalty : float
        GNMT's alpha: 0 ranks by the raw sum of log-probabilities.
    trace : list or None
        If a list, the search appends one dict per step and changes nothing
        else (the same model calls, the same result). Each dict has
        ``"live"``, the hypotheses extended at this step as
        ``(tokens, logprob)`` pairs (K of them, aligned with the state), and
        ``"candidates"``, every extension as a dict with ``"parent"`` (index
        into ``"live"``), ``"token"``, ``"tokens"`` (the whole prefix),
        ``"logprob"`` (its summed log-probability) and ``"status"``:
        ``"kept"`` (live at the next step), ``"finished"`` (ended with
        ``eos`` and left the beam), ``"max_len"`` (kept, but the search
        stopped at ``max_len``, so it counts as finished) or ``"pruned"``
        (not among the ``beam_size`` best). Candidates are listed best first
        by summed log-probability, the order in which the beam is filled.
        :func:`lstm_course.figures.draw_beam_tree` draws it.

    Returns
    -------
    list of (tokens, logprob)
        At most ``beam_size`` finished hypotheses, best first by the
        (normalised) score; ``tokens`` is the list of generated ints (``bos``
        excluded, ``eos`` included when produced) and ``logprob`` its raw
        total log-probability.
    """
    _check(beam_size, max_len, length_penalty)
    live = [([], 0.0)]  # (tokens, logprob) of each live hypothesis, aligned with state's first axis
    finished = []
    for t in range(max_len):
        last = np.array([tokens[-1] if tokens else bos for tokens, _ in live])
        log_probs, state = step(last, state)
        log_probs = np.asarray(log_probs, dtype=np.float64)  # (K, V)
        totals = np.array([lp for _, lp in live])[:, None] + log_probs  # sum of log-probabilities
        V = totals.shape[1]
        order = np.argsort(-totals, axis=None, kind="stable")
        best = order[:beam_size]  # flat indices k * V + token
        keep, next_live = [], []
        for flat in best:
            k, token = divmod(int(flat), V)
            hypothesis = (live[k][0] + [token], float(totals[k, token]))
            if token == eos:
                finished.append(hypothesis)  # finished hypotheses are never expanded again
            else:
                keep.append(k)
                next_live.append(hypothesis)
        if trace is not None:
            trace.append(_trace_step(live, order, totals, beam_size, eos, last_step=t == max_len - 1))
        if not next_live:
            live = []
            break
        live, state = next_live, reorder(state, keep)
    finished += live  # reached max_len without eos
    finished.sort(key=lambda h: -length_normalised(h[1], len(h[0]), length_penalty))
    return finished[:beam_size]
