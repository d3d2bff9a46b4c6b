r"""Additive attention (Bahdanau et al. 2015) in NumPy, with its backward pass by hand.

For a query :math:`q_b` (the decoder state) and keys :math:`k_{s,b}` (the encoder
outputs), with a batch in rows:

.. math::
   e_{s,b} = v^\top \tanh(W_q q_b + W_k k_{s,b}),\qquad
   \alpha_{s,b} = \frac{\exp e_{s,b}}{\sum_{s'} \exp e_{s',b}},\qquad
   \text{context}_b = \sum_s \alpha_{s,b}\, k_{s,b}.

Masked positions (``mask[s, b]`` False) get :math:`e_{s,b} = -\infty`, hence weight 0, and their
keys are read as zeros: they contribute exactly nothing to the context or to any gradient, even
where they hold NaN or inf.
"""

from typing import NamedTuple

import numpy as np

from .._validate import check_attention_inputs


class AttentionCache(NamedTuple):
    """What :func:`attention_forward` keeps for :func:`attention_backward`."""

    query: np.ndarray  # (B, H_q)
    keys: np.ndarray  # (S, B, H_k), zeros at masked positions
    tanh_e: np.ndarray  # (S, B, A): tanh(W_q q + W_k k), after activation
    weights: np.ndarray  # (S, B): alpha, 0 on masked positions
    params: dict


def attention_forward(query, keys, params, mask=None):
    """Additive attention of one query per sequence over that sequence's keys.

    Parameters
    ----------
    query : ndarray, shape (B, H_q)
    keys : ndarray, shape (S, B, H_k)
    params : dict
        ``W_q (A, H_q)``, ``W_k (A, H_k)``, ``v (A,)``.
    mask : ndarray of bool, shape (S, B), optional
        True where position s of sequence b may be attended to. Masked
        positions contribute exactly zero, whatever their keys hold (NaN and
        inf included), and get exactly zero gradient in :func:`attention_backward`.

    Returns
    -------
    context : ndarray, shape (B, H_k)
    weights : ndarray, shape (S, B)
        Each column sums to 1 and is 0 where ``mask`` is False.
    cache : AttentionCache

    Notes
    -----
    :math:`e_{s,b} = v^\\top \\tanh(W_q q_b + W_k k_{s,b})`, softmax over s,
    :math:`\\text{context}_b = \\sum_s \\alpha_{s,b} k_{s,b}`.

    See Also
    --------
    lstm_course.torch_impl.attention_forward : the Torch twin.
    """
    check_attention_inputs(query, keys, params, mask)
    if mask is not None:  # masked keys are read as zeros: a NaN or inf there cannot reach the context or a gradient
        keys = np.where(mask[:, :, None], keys, np.zeros((), dtype=keys.dtype))
    tanh_e = np.tanh(query @ params["W_q"].T + keys @ params["W_k"].T)  # (S, B, A): q broadcast over s
    scores = tanh_e @ params["v"]  # (S, B)
    if mask is not None:
        scores = np.where(mask, scores, -np.inf)
    shifted = np.exp(scores - scores.max(axis=0, keepdims=True))  # exp(-inf) = 0 on padding
    weights = shifted / shifted.sum(axis=0, keepdims=True)  # softmax over the source axis s
    context = (weights[:, :, None] * keys).sum(axis=0)  # (B, H_k)
    return context, weights, AttentionCache(query, keys, tanh_e, weights, params)


def attention_backward(d_context, d_weights, cache):
    """Backward of :func:`attention_forward`; upstream gradients are not modified.

    Parameters
    ----------
    d_context : ndarray, shape (B, H_k)
    d_weights : ndarray, shape (S, B), or None
        A gradient reaching the weights directly (for example from a loss on
        the alignment); None means zero.
    cache : AttentionCache

    Returns
    -------
    d_query : ndarray, shape (B, H_q)
    d_keys : ndarray, shape (S, B, H_k)
    grads : dict
        ``W_q``, ``W_k``, ``v``, the shapes of ``params``.
    """
    query, keys, tanh_e, weights, p = cache
    d_alpha = (keys * d_context[None]).sum(axis=2)  # (S, B): context = sum_s alpha k
    if d_weights is not None:
        d_alpha = d_alpha + d_weights
    d_keys = weights[:, :, None] * d_context[None]  # the direct path through context
    # the softmax Jacobian
    d_scores = weights * (d_alpha - (weights * d_alpha).sum(axis=0, keepdims=True))
    d_pre = d_scores[:, :, None] * p["v"] * (1 - tanh_e ** 2)  # (S, B, A)
    grads = {
        "W_q": d_pre.sum(axis=0).T @ query,
        "W_k": np.einsum("sba,sbh->ah", d_pre, keys),
        "v": np.einsum("sb,sba->a", d_scores, tanh_e),
    }
    d_query = d_pre.sum(axis=0) @ p["W_q"]  # (B, H_q): the query is shared by every s
    d_keys = d_keys + d_pre @ p["W_k"]
    return d_query, d_keys, grads
