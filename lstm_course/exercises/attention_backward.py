"""Checker for the encoder–decoder chapter: the backward pass of additive attention.

The learner writes ``my_attention_backward(d_context, query, keys, params, mask)`` and returns
``(d_query, d_keys, grads)``. The zoo names the four mistakes the chapter warns about: the key gradient
along only one of its two paths (the direct one through the context, or the one through the scores), the
softmax Jacobian without its subtracted sum, and a gradient at padded positions that is not zero.
"""

import numpy as np

from ..numpy_impl.attention import attention_backward, attention_forward
from ._harness import Case, Hints, Mistake, check_function, shape_problem

OUTPUTS = ("d_query", "d_keys", "grads")


def _reference(d_context, query, keys, params, mask):
    _, _, cache = attention_forward(query, keys, params, mask)
    return attention_backward(d_context, None, cache)


def _parts(d_context, query, keys, params, mask, respect_mask=True):
    """The pieces of the backward pass, with the forward recomputed (masked keys read as zeros)."""
    if respect_mask:
        keys = np.where(mask[:, :, None], keys, 0.0)
    tanh_e = np.tanh(query @ params["W_q"].T + keys @ params["W_k"].T)  # (S, B, A)
    scores = tanh_e @ params["v"]
    if respect_mask:
        scores = np.where(mask, scores, -np.inf)
    weights = np.exp(scores - scores.max(axis=0, keepdims=True))
    weights = weights / weights.sum(axis=0, keepdims=True)
    d_alpha = (keys * d_context[None]).sum(axis=2)
    return keys, tanh_e, weights, d_alpha


def _finish(d_scores, d_direct, query, keys, tanh_e, params, score_path=True):
    d_pre = d_scores[:, :, None] * params["v"] * (1 - tanh_e ** 2)
    grads = {"W_q": d_pre.sum(axis=0).T @ query, "W_k": np.einsum("sba,sbh->ah", d_pre, keys),
             "v": np.einsum("sb,sba->a", d_scores, tanh_e)}
    d_keys = d_direct + (d_pre @ params["W_k"] if score_path else 0.0)
    return d_pre.sum(axis=0) @ params["W_q"], d_keys, grads


def _softmax_backward(weights, d_alpha):
    return weights * (d_alpha - (weights * d_alpha).sum(axis=0, keepdims=True))


def _direct_path_only(d_context, query, keys, params, mask):
    keys, tanh_e, weights, d_alpha = _parts(d_context, query, keys, params, mask)
    return _finish(_softmax_backward(weights, d_alpha), weights[:, :, None] * d_context[None], query, keys,
                   tanh_e, params, score_path=False)


def _score_path_only(d_context, query, keys, params, mask):
    keys, tanh_e, weights, d_alpha = _parts(d_context, query, keys, params, mask)
    return _finish(_softmax_backward(weights, d_alpha), 0.0, query, keys, tanh_e, params)


def _no_subtracted_sum(d_context, query, keys, params, mask):
    keys, tanh_e, weights, d_alpha = _parts(d_context, query, keys, params, mask)
    return _finish(weights * d_alpha, weights[:, :, None] * d_context[None], query, keys, tanh_e, params)


def _padding_not_zero(d_context, query, keys, params, mask):
    keys, tanh_e, weights, d_alpha = _parts(d_context, query, keys, params, mask, respect_mask=False)
    return _finish(_softmax_backward(weights, d_alpha), weights[:, :, None] * d_context[None], query, keys,
                   tanh_e, params)


MISTAKES = [
    Mistake("the direct path into the keys only",
            "each key reaches the loss along two paths: directly, as a term of the context (weights * d_context), "
            "and through its score e_s (d_pre @ W_k). d_keys is the sum of both; you kept only the direct one.",
            _direct_path_only),
    Mistake("the score path only",
            "each key is also a term of the context: add the direct path weights[:, :, None] * d_context[None] "
            "to the gradient that comes back through the scores (d_pre @ W_k).", _score_path_only),
    Mistake("the softmax Jacobian without the subtracted sum",
            "every weight depends on every score: d_e = alpha * (d_alpha - sum_s' alpha_s' d_alpha_s'), the sum "
            "taken over the source axis s for each sequence. Without it the gradient pushes every score up at "
            "once, which the softmax cancels.", _no_subtracted_sum),
    Mistake("the gradient of padded positions not zero",
            "recompute the weights with the mask (-inf scores where mask is False, keys read as zeros there): "
            "then the weights, and every gradient, at padded positions are exactly 0. Your d_keys is not zero "
            "where mask is False.", _padding_not_zero),
]

HINTS = Hints(
    nudge="Recompute the forward pass first (the masked scores, the weights (S, B) and tanh_e (S, B, A)), then go "
          "backwards through eq. additive-attention: the context gives d_alpha (S, B), the softmax gives d_e, "
          "the tanh layer gives d_pre (S, B, A), and d_pre gives d_query, the score path of d_keys and the three "
          "weight gradients. Return d_query (B, H_q), d_keys (S, B, H_k) and grads with the keys and shapes of "
          "params. Remember the two paths into every key.",
    formula="d_alpha = (keys * d_context[None]).sum(2); d_e = alpha * (d_alpha - (alpha * d_alpha).sum(0)); "
            "d_pre = d_e[:, :, None] * v * (1 - tanh_e**2); grads: W_q = d_pre.sum(0).T @ query, "
            "W_k = sum over s, b of d_pre[s, b] outer keys[s, b], v = sum over s, b of d_e * tanh_e; "
            "d_query = d_pre.sum(0) @ W_q; d_keys = alpha[:, :, None] * d_context[None] + d_pre @ W_k.")


def _cases():
    rng = np.random.default_rng(26)
    cases = []
    for name, (S, B, H_q, H_k, A, lengths) in (("S=5, B=3, padded", (5, 3, 3, 4, 6, (5, 3, 1))),
                                                ("S=4, B=2, padded", (4, 2, 4, 3, 5, (2, 4)))):
        params = {"W_q": rng.normal(size=(A, H_q)), "W_k": rng.normal(size=(A, H_k)), "v": rng.normal(size=A)}
        mask = np.arange(S)[:, None] < np.array(lengths)[None, :]
        keys = rng.normal(size=(S, B, H_k))  # the padded positions hold numbers too: they must not count
        cases.append(Case(name, (rng.normal(size=(B, H_k)), rng.normal(size=(B, H_q)), keys, params, mask)))
    return cases


def check_attention_backward(fn, report=print):
    """Check ``fn(d_context (B, H_k), query (B, H_q), keys (S, B, H_k), params, mask (S, B))
    -> (d_query (B, H_q), d_keys (S, B, H_k), grads)``.

    ``params`` holds ``W_q (A, H_q)``, ``W_k (A, H_k)``, ``v (A,)``; ``grads`` is a dict with the same keys
    and shapes. The forward pass is :func:`lstm_course.numpy_impl.attention_forward` (masked positions
    read as zeros and given weight 0); the reference is
    :func:`lstm_course.numpy_impl.attention_backward` with no gradient on the weights. Names the four
    mistakes of ``MISTAKES``; never raises.
    """
    return check_function(
        fn, title="Attention backward", arg_names=("d_context", "query", "keys", "params", "mask"), cases=_cases(),
        reference=_reference, mistakes=MISTAKES, output_names=OUTPUTS,
        check_output=lambda out, expected: shape_problem(out, expected, OUTPUTS), hints=HINTS, report=report)
