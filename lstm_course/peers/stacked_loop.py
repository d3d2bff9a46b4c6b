r"""A NumPy LSTM in the style of the CS231n assignments: stacked gates and a per-step forward and backward.

The gates are stacked by columns, ``W_x (D, 4H)``, ``W_h (H, 4H)``, ``b (4H,)``,
in the order ``[i, f, o, g]`` (``g`` is :math:`\tilde c_t`). Each step computes
``a = x_t W_x + h_{t-1} W_h + b`` and the usual cell; each backward step makes
its own ``dW_x += x_t^\top da``, ``dW_h += h_{t-1}^\top da`` and ``dx_t = da W_x^\top``.
Nothing is hoisted out of the loop: this is the code the bench compares our
fast path with (:mod:`lstm_course.bench`).
"""

from typing import NamedTuple

import numpy as np

STACKED_ORDER = ("i", "f", "o", "c")  # CS231n's [i, f, o, g], with g written c (c_tilde)


class StepCache(NamedTuple):
    """What one step keeps for its backward."""

    x_t: np.ndarray  # (B, D)
    h_prev: np.ndarray  # (B, H)
    c_prev: np.ndarray  # (B, H)
    i_t: np.ndarray
    f_t: np.ndarray
    o_t: np.ndarray
    c_tilde: np.ndarray
    tanh_c_t: np.ndarray


def stack_params(p):
    """``W_x (D, 4H)``, ``W_h (H, 4H)``, ``b (4H,)`` from one direction of the package's parameters.

    Parameters
    ----------
    p : dict
        ``W_f, W_i, W_c, W_o (H, D + H)``, ``b_f, b_i, b_c, b_o (H,)``.
    """
    H = p["b_f"].shape[0]
    W = np.concatenate([p[f"W_{g}"] for g in STACKED_ORDER], axis=0).T  # (D + H, 4H)
    D = W.shape[0] - H
    b = np.concatenate([p[f"b_{g}"] for g in STACKED_ORDER])
    return np.ascontiguousarray(W[:D]), np.ascontiguousarray(W[D:]), b


def unstack_grads(dW_x, dW_h, db):
    """The inverse of :func:`stack_params` for gradients: a dict with the package's keys."""
    H = db.shape[0] // 4
    dW = np.concatenate([dW_x, dW_h], axis=0).T  # (4H, D + H)
    grads = {}
    for n, g in enumerate(STACKED_ORDER):
        grads[f"W_{g}"] = dW[n * H:(n + 1) * H].copy()
        grads[f"b_{g}"] = db[n * H:(n + 1) * H].copy()
    return grads


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def step_forward(x_t, h_prev, c_prev, W_x, W_h, b):
    """One step: ``x_t (B, D)``, ``h_prev, c_prev (B, H)`` -> ``h_t, c_t (B, H)``, :class:`StepCache`."""
    H = h_prev.shape[1]
    a = x_t @ W_x + h_prev @ W_h + b  # (B, 4H)
    i_t, f_t, o_t = _sigmoid(a[:, :H]), _sigmoid(a[:, H:2 * H]), _sigmoid(a[:, 2 * H:3 * H])
    c_tilde = np.tanh(a[:, 3 * H:])
    c_t = f_t * c_prev + i_t * c_tilde
    tanh_c_t = np.tanh(c_t)
    h_t = o_t * tanh_c_t
    return h_t, c_t, StepCache(x_t, h_prev, c_prev, i_t, f_t, o_t, c_tilde, tanh_c_t)


def step_backward(dh_t, dc_t, W_x, W_h, cache):
    """One step back: returns ``dx_t (B, D)``, ``dh_prev``, ``dc_prev (B, H)``, ``dW_x``, ``dW_h``, ``db``."""
    dc = dc_t + dh_t * cache.o_t * (1 - cache.tanh_c_t ** 2)
    da = np.concatenate([
        dc * cache.c_tilde * cache.i_t * (1 - cache.i_t),
        dc * cache.c_prev * cache.f_t * (1 - cache.f_t),
        dh_t * cache.tanh_c_t * cache.o_t * (1 - cache.o_t),
        dc * cache.i_t * (1 - cache.c_tilde ** 2),
    ], axis=1)  # (B, 4H)
    return (da @ W_x.T, da @ W_h.T, dc * cache.f_t,
            cache.x_t.T @ da, cache.h_prev.T @ da, da.sum(axis=0))


def loop_forward(xs, h0, c0, W_x, W_h, b):
    """All steps: ``xs (T, B, D)`` -> ``out (T, B, H)`` and the list of step caches."""
    T = xs.shape[0]
    out, caches = np.empty((T,) + h0.shape, dtype=xs.dtype), []
    h, c = h0, c0
    for t in range(T):
        h, c, cache = step_forward(xs[t], h, c, W_x, W_h, b)
        out[t] = h
        caches.append(cache)
    return out, caches


def loop_backward(d_out, W_x, W_h, caches):
    """Back through all steps from ``d_out (T, B, H)``: ``d_xs (T, B, D)``, ``dh0``, ``dc0``, ``dW_x``, ``dW_h``, ``db``."""
    T, B, H = d_out.shape
    d_xs = np.empty((T, B, W_x.shape[0]), dtype=d_out.dtype)
    dW_x, dW_h, db = np.zeros_like(W_x), np.zeros_like(W_h), np.zeros(4 * H, dtype=d_out.dtype)
    dh, dc = np.zeros((B, H), dtype=d_out.dtype), np.zeros((B, H), dtype=d_out.dtype)
    for t in reversed(range(T)):
        d_xs[t], dh, dc, dW_x_t, dW_h_t, db_t = step_backward(dh + d_out[t], dc, W_x, W_h, caches[t])
        dW_x += dW_x_t
        dW_h += dW_h_t
        db += db_t
    return d_xs, dh, dc, dW_x, dW_h, db
