r"""Additive attention (Bahdanau et al. 2015) in NumPy, with its backward pass by hand.

For a query :math:`q_b` (the decoder state) and keys :math:`k_{s,b}` (the encoder
outputs), with a batch in rows:

.. math::
   e_{s,b} = v^\top \tanh(W_q q_b + W_k k_{s,b}),\qquad
   \alpha_{s,b} = \frac{\exp e_{s,b}}{\sum_{s'} \exp e_{s',b}},\qquad
   \text{context}_b = \sum_s \alpha_{s,b}\, k_{s,b}.

Masked positions (``mask[s, b]`` False) get :math:`e_{s,b} = -\infty`, hence weight 0.
"""

from typing import NamedTuple

import numpy as np


class AttentionCache(NamedTuple):
    """What :func:`attention_forward` keeps for :func:`attention_backward`."""

    query: np.ndarray  # (B, H_q)
    keys: np.ndarray  # (S, B, H_k)
    tanh_e: np.ndarray  # (S, B, A): tanh(W_q q + W_k k), after activation
    weights: np.ndarray  # (S, B): alpha, 0 on masked positions
    params: dict


def attention_shapes(H_q, H_k, A):
    """Expected parameter shapes: ``W_q (A, H_q)``, ``W_k (A, H_k)``, ``v (A,)``."""
    return {"W_q": (A, H_q), "W_k": (A, H_k), "v": (A,)}


def check_attention_inputs(query, keys, params, mask):
    """Shape checks at the public edge (shared with the Torch twin); returns ``(S, B, H_q, H_k, A)``."""
    for name, x, ndim, letters in (("query", query, 2, "(B, H_q)"), ("keys", keys, 3, "(S, B, H_k)")):
        if not hasattr(x, "shape") or len(x.shape) != ndim:
            got = tuple(x.shape) if hasattr(x, "shape") else type(x).__name__
            raise ValueError(f"{name} must have shape {letters}; got {got}")
    S, B, H_k = keys.shape
    if query.shape[0] != B:
        raise ValueError(f"query has batch {query.shape[0]} but keys (S, B, H_k) have B = {B}")
    if not isinstance(params, dict) or "v" not in params or len(params["v"].shape) != 1:
        raise ValueError("params must be a dict with W_q (A, H_q), W_k (A, H_k) and v (A,)")
    A = params["v"].shape[0]
    for key, shape in attention_shapes(query.shape[1], H_k, A).items():
        if key not in params or tuple(params[key].shape) != shape:
            got = tuple(params[key].shape) if key in params else "missing"
            raise ValueError(f"params['{key}'] must have shape {shape}; got {got}")
    if mask is not None:
        if tuple(mask.shape) != (S, B):
            raise ValueError(f"mask must have shape (S, B) = {(S, B)}; got {tuple(mask.shape)}")
        if not bool((mask.sum(0) > 0).all()):
            raise ValueError("mask (S, B) must attend to at least one position of every sequence")
    return S, B, query.shape[1], H_k, A


def attention_forward(query, keys, params, mask=None):
    """Additive attention of one query per sequence over that sequence's keys.

    Parameters
    ----------
    query : ndarray, shape (B, H_q)
    keys : ndarray, shape (S, B, H_k)
    params : dict
        ``W_q (A, H_q)``, ``W_k (A, H_k)``, ``v (A,)``.
    mask : ndarray of bool, shape (S, B), optional
        True where position s of sequence b may be attended to.

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
    d_scores = weights * (d_alpha - (weights * d_alpha).sum(axis=0, keepdims=True))  # softmax Jacobian
    d_pre = d_scores[:, :, None] * p["v"] * (1 - tanh_e ** 2)  # (S, B, A)
    grads = {
        "W_q": d_pre.sum(axis=0).T @ query,
        "W_k": np.einsum("sba,sbh->ah", d_pre, keys),
        "v": np.einsum("sb,sba->a", d_scores, tanh_e),
    }
    d_query = d_pre.sum(axis=0) @ p["W_q"]  # (B, H_q): the query is shared by every s
    d_keys = d_keys + d_pre @ p["W_k"]
    return d_query, d_keys, grads
