"""Additive attention in Torch: the same maths as :mod:`lstm_course.numpy_impl.attention`."""

import torch

from .._validate import check_attention_inputs


def attention_forward(query, keys, params, mask=None):
    """Additive attention; gradients by autograd.

    Parameters
    ----------
    query : Tensor, shape (B, H_q)
    keys : Tensor, shape (S, B, H_k)
    params : dict of Tensor
        ``W_q (A, H_q)``, ``W_k (A, H_k)``, ``v (A,)``.
    mask : bool Tensor, shape (S, B), optional
        True where a position may be attended to. Masked positions
        contribute exactly zero, whatever their keys hold (NaN and inf
        included), and their keys get exactly zero gradient.

    Returns
    -------
    context : Tensor, shape (B, H_k)
    weights : Tensor, shape (S, B)

    See Also
    --------
    lstm_course.numpy_impl.attention_forward : the NumPy twin, with its backward.
    """
    check_attention_inputs(query, keys, params, mask)
    if mask is not None:  # masked keys are read as zeros: a NaN or inf there reaches neither context nor gradient
        keys = keys.masked_fill(~mask.unsqueeze(2), 0)
    tanh_e = torch.tanh(query @ params["W_q"].T + keys @ params["W_k"].T)  # (S, B, A)
    scores = tanh_e @ params["v"]  # (S, B)
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    weights = torch.softmax(scores, dim=0)  # over the source axis s
    context = (weights.unsqueeze(2) * keys).sum(dim=0)  # (B, H_k)
    return context, weights
