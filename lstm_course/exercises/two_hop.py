"""Checker for the question-answering chapter: a two-hop attention read, as in end-to-end memory networks.

The first hop reads the sentence keys with the question's query :math:`q`; the second reads them again with
the updated query :math:`q + \\text{context}_1`, so that what the first read found (the sentence in which
someone picked the object up) can steer the second (that person's last move). Both hops use the same additive
attention (the same ``W_q``, ``W_k`` and ``v``, the layer-wise tying of Sukhbaatar et al.).
"""

import numpy as np

from ..numpy_impl.attention import attention_forward
from ._harness import Case, Hints, Mistake, check_function, shape_problem

OUTPUTS = ("context_2", "weights_1", "weights_2")


def _reference(query, keys, params, mask):
    context_1, weights_1, _ = attention_forward(query, keys, params, mask)
    context_2, weights_2, _ = attention_forward(query + context_1, keys, params, mask)
    return context_2, weights_1, weights_2


def _hop(query, keys, params, mask, axis=0):
    keys = np.where(mask[:, :, None], keys, 0.0)
    scores = np.where(mask, np.tanh(query @ params["W_q"].T + keys @ params["W_k"].T) @ params["v"], -np.inf)
    weights = np.exp(scores - scores.max(axis=axis, keepdims=True))
    weights = weights / weights.sum(axis=axis, keepdims=True)
    return (weights[:, :, None] * keys).sum(axis=0), weights


def _original_query(query, keys, params, mask):
    context_1, weights_1 = _hop(query, keys, params, mask)
    context_2, weights_2 = _hop(query, keys, params, mask)
    return context_2, weights_1, weights_2


def _context_as_query(query, keys, params, mask):
    context_1, weights_1 = _hop(query, keys, params, mask)
    context_2, weights_2 = _hop(context_1, keys, params, mask)
    return context_2, weights_1, weights_2


def _wrong_axis(query, keys, params, mask):
    context_1, weights_1 = _hop(query, keys, params, mask, axis=1)
    context_2, weights_2 = _hop(query + context_1, keys, params, mask, axis=1)
    return context_2, weights_1, weights_2


def _first_weights_reused(query, keys, params, mask):
    context_1, weights_1 = _hop(query, keys, params, mask)
    _, weights_2 = _hop(query + context_1, keys, params, mask)
    return context_1, weights_1, weights_2


MISTAKES = [
    Mistake("the second hop does not use the updated query",
            "the second hop must read with q + context_1, the query updated by what the first hop found; with q "
            "again it computes the first hop's weights a second time and learns nothing new.", _original_query),
    Mistake("the context replaces the query",
            "the second query is q + context_1, the sum: context_1 alone forgets the question.", _context_as_query),
    Mistake("softmax over the wrong axis",
            "the weights must sum to 1 over the sentences s (axis 0 of the (S, B) scores), in each hop; you "
            "normalised over the batch (axis 1).", _wrong_axis),
    Mistake("the first hop's weights reused",
            "weights_2 is right, but context_2 was summed with weights_1: the second context is "
            "sum_s weights_2[s] * keys[s].", _first_weights_reused),
]

HINTS = Hints(
    nudge="Two calls of the chapter's additive attention (eq. qa-attention), with the same params: the first with "
          "the query q (B, H), the second with an updated query built from q and the first context (B, H). The "
          "mask (S, B) marks real sentences. Return context_2 (B, H), weights_1 (S, B) and weights_2 (S, B).",
    formula="context_1, weights_1 = attend(q); context_2, weights_2 = attend(q + context_1), where attend(query) "
            "scores v . tanh(W_q query + W_k keys[s]), puts -inf where mask is False, takes the softmax over "
            "s (axis 0) and returns sum_s weights[s] * keys[s] with the weights.")


def _cases():
    rng = np.random.default_rng(13)
    cases = []
    for name, (S, B, H, A, lengths) in (("S=5 sentences, B=3", (5, 3, 4, 6, (5, 4, 2))),
                                         ("S=6 sentences, B=2", (6, 2, 3, 5, (6, 3)))):
        params = {"W_q": rng.normal(size=(A, H)), "W_k": rng.normal(size=(A, H)), "v": rng.normal(size=A)}
        mask = np.arange(S)[:, None] < np.array(lengths)[None, :]
        keys = np.where(mask[:, :, None], rng.normal(size=(S, B, H)), 0.0)
        cases.append(Case(name, (rng.normal(size=(B, H)), keys, params, mask)))
    return cases


def check_two_hop(fn, report=print):
    """Check ``fn(query (B, H), keys (S, B, H), params, mask (S, B)) -> (context_2 (B, H), weights_1 (S, B),
    weights_2 (S, B))``, a two-hop attention read.

    Hop 1 is :func:`lstm_course.numpy_impl.attention_forward` with ``query``; hop 2 the same with
    ``query + context_1``. ``params``: ``W_q (A, H)``, ``W_k (A, H)``, ``v (A,)``, shared by both hops.
    Names the mistakes of ``MISTAKES``; never raises.
    """
    return check_function(
        fn, title="Two-hop read", arg_names=("query", "keys", "params", "mask"), cases=_cases(),
        reference=_reference, mistakes=MISTAKES, output_names=OUTPUTS,
        check_output=lambda out, expected: shape_problem(out, expected, OUTPUTS), hints=HINTS, report=report)
