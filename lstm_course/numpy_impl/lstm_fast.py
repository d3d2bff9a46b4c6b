r"""The fast path of the NumPy LSTM: the maths of :mod:`lstm_course.numpy_impl.lstm`, in few large GEMMs.

Same contract as :func:`lstm_forward` / :func:`lstm_backward` (shapes, layers,
both directions, ``lengths``), same numbers (within 1e-12 in float64), but:

1. **Gate fusion.** The four gate weights are stacked into one ``W (4H, D + H)``,
   split by columns into ``W_x (4H, D)`` and ``W_h (4H, H)``. Inside the fused
   block the gates sit in the order ``[f, i, o, c]``: the three sigmoid gates
   are contiguous, so one sigmoid call covers them and one tanh the content.
2. **Hoisting.** :math:`x_t W_x^\top + b` does not depend on :math:`h_{t-1}`, so it
   is computed for all T steps in one GEMM ``(T B, D) @ (D, 4H)`` before the loop;
   the loop keeps one ``(B, H) @ (H, 4H)`` GEMM per step.
3. **Weight-gradient batching.** The backward loop only writes the gate
   gradients ``dZ[t] (B, 4H)`` and carries ``dh``, ``dc``. After the loop
   ``dW_x = dZ^\top X``, ``dW_h = dZ^\top H_{prev}`` and ``d_xs = dZ W_x`` are one
   GEMM each over all T B rows, instead of T small ones.
4. **Preallocated buffers** for every per-step value, and elementwise work in place.

The sigmoid is written :math:`\sigma(z) = \tfrac12 \tanh(z/2) + \tfrac12`: it
never overflows and gives exactly 1 at ``z = 1e4`` (the pinned forget gate).
"""

from typing import NamedTuple

import numpy as np

from .. import _validate
from ..notation import LSTM_GATES, layer_directions, lstm_shapes
from .recurrence import lengths_to_mask, upstream_gradients

FUSED_ORDER = ("f", "i", "o", "c")  # sigmoid gates first, then the tanh content


class DirectionTape(NamedTuple):
    """What one direction of one layer keeps for the fast backward (all preallocated, T-major)."""

    gates: np.ndarray  # (T, B, 4H): [f, i, o, c_tilde] after activation
    h_prev: np.ndarray  # (T, B, H): the state h entering step t
    c_prev: np.ndarray  # (T, B, H)
    tanh_c: np.ndarray  # (T, B, H)
    W_x: np.ndarray  # (4H, D_in)
    W_h: np.ndarray  # (4H, H)
    reverse: bool


class LSTMFastCache(NamedTuple):
    """What :func:`lstm_fast_forward` keeps for :func:`lstm_fast_backward`."""

    layer_inputs: list  # layer_inputs[k]: (T, B, D_k)
    tapes: list  # tapes[k][d]: DirectionTape
    masks: np.ndarray | None  # (T, B) or None
    hidden_size: int


def fuse_gates(p):
    """Stack one direction's gate parameters into ``W_x (4H, D)``, ``W_h (4H, H)``, ``b (4H,)``.

    Rows are in the order ``FUSED_ORDER = (f, i, o, c)``.

    Parameters
    ----------
    p : dict
        ``W_f, W_i, W_c, W_o (H, D + H)``, ``b_f, b_i, b_c, b_o (H,)``.
    """
    H = p["b_f"].shape[0]
    W = np.concatenate([p[f"W_{g}"] for g in FUSED_ORDER], axis=0)  # (4H, D + H)
    b = np.concatenate([p[f"b_{g}"] for g in FUSED_ORDER])  # (4H,)
    D = W.shape[1] - H
    return np.ascontiguousarray(W[:, :D]), np.ascontiguousarray(W[:, D:]), b


def split_gates(dW_x, dW_h, db):
    """The inverse of :func:`fuse_gates` for gradients: a dict with the keys of ``p``."""
    H = db.shape[0] // 4
    grads = {}
    for n, g in enumerate(FUSED_ORDER):
        rows = slice(n * H, (n + 1) * H)
        grads[f"W_{g}"] = np.concatenate([dW_x[rows], dW_h[rows]], axis=1)
        grads[f"b_{g}"] = db[rows].copy()
    return {key: grads[key] for key in [f"W_{g}" for g in LSTM_GATES] + [f"b_{g}" for g in LSTM_GATES]}


def _sigmoid_(z):
    """In place: z <- sigmoid(z) = tanh(z / 2) / 2 + 1 / 2."""
    z *= 0.5
    np.tanh(z, out=z)
    z *= 0.5
    z += 0.5


def direction_fast_forward(xs, h0, c0, p, masks, reverse):
    """One direction: returns ``(out (T, B, H), h_n, c_n, DirectionTape)``."""
    T, B, D = xs.shape
    H = h0.shape[1]
    W_x, W_h, b = fuse_gates(p)
    # hoisted: all steps at once
    gates = (xs.reshape(T * B, D) @ W_x.T).reshape(T, B, 4 * H)
    gates += b
    h_prev, c_prev, tanh_c = (np.empty((T, B, H), dtype=xs.dtype) for _ in range(3))
    out = np.empty((T, B, H), dtype=xs.dtype)
    W_hT = W_h.T
    h, c = h0, c0
    for t in (range(T - 1, -1, -1) if reverse else range(T)):
        h_prev[t], c_prev[t] = h, c
        z = gates[t]
        z += h @ W_hT  # the one GEMM per step, (B, H) @ (H, 4H)
        _sigmoid_(z[:, :3 * H])
        np.tanh(z[:, 3 * H:], out=z[:, 3 * H:])
        f_t, i_t = z[:, :H], z[:, H:2 * H]
        o_t, c_tilde = z[:, 2 * H:3 * H], z[:, 3 * H:]
        c_new = f_t * c
        c_new += i_t * c_tilde  # c_t = f_t c_prev + i_t c_tilde
        np.tanh(c_new, out=tanh_c[t])
        np.multiply(o_t, tanh_c[t], out=out[t])  # h_t = o_t tanh(c_t)
        if masks is not None:  # padded rows keep their state and output zeros
            m = masks[t][:, None]
            h, c = np.where(m, out[t], h), np.where(m, c_new, c)
            out[t] *= m
        else:
            h, c = out[t], c_new
    return out, h, c, DirectionTape(gates, h_prev, c_prev, tanh_c, W_x, W_h, reverse)


def direction_fast_backward(d_out, dh_n, dc_n, tape, masks):
    """Backpropagate one direction: returns ``(d_xs, dh0, dc0, (dZ, dW_h, db))``, ``dZ (T B, 4H)``.

    Every factor that does not depend on the carried gradients is computed for
    all steps before the loop, which then makes about eight NumPy calls per step.
    """
    T, B, H = d_out.shape
    gates, c_prev, tanh_c = tape.gates, tape.c_prev, tape.tanh_c
    f, i, o, c_tilde = (gates[..., n * H:(n + 1) * H] for n in range(4))
    # dz_f = dc_t c_prev f (1 - f), dz_i = dc_t c_tilde i (1 - i), dz_o = dh_t tanh(c_t) o (1 - o),
    # dz_c = dc_t i (1 - c_tilde^2), with dc_t = dc + dh_t o (1 - tanh(c_t)^2): the factors, written
    # in place into one (T, B, 4H) buffer in the fused order f, i, o, c
    P = gates * gates
    np.subtract(gates, P, out=P)  # s (1 - s) in the three sigmoid blocks
    P_f, P_i, P_o, P_c = (P[..., n * H:(n + 1) * H] for n in range(4))
    P_f *= c_prev
    P_i *= c_tilde
    P_o *= tanh_c
    np.multiply(c_tilde, c_tilde, out=P_c)
    np.subtract(1, P_c, out=P_c)
    P_c *= i  # i (1 - c_tilde^2)
    A = tanh_c * tanh_c
    np.subtract(1, A, out=A)
    A *= o  # (T, B, H): o (1 - tanh(c_t)^2)
    P = P.reshape(T, B, 4, H)
    if masks is not None:
        d_out = d_out * masks[..., None]  # a padded step has no output
    dZ = np.empty_like(gates)  # (T, B, 4H): gradients of the pre-activations
    dZ4 = dZ.reshape(T, B, 4, H)
    dh, dc = dh_n, dc_n
    for t in (range(T) if tape.reverse else range(T - 1, -1, -1)):
        dh_t = dh + d_out[t]  # from the output at t, plus from step t+1
        dc_t = dc + dh_t * A[t]
        np.multiply(P[t], dc_t[:, None, :], out=dZ4[t])  # f, i and c take dc_t ...
        np.multiply(P[t, :, 2], dh_t, out=dZ4[t, :, 2])  # ... and o takes dh_t
        if masks is not None:  # a padded step passed its state through unchanged
            m = masks[t][:, None]
            dZ[t] *= m
            dh, dc = np.where(m, dZ[t] @ tape.W_h, dh_t), np.where(m, dc_t * f[t], dc)
        else:
            dh, dc = dZ[t] @ tape.W_h, dc_t * f[t]
    flat = dZ.reshape(T * B, 4 * H)
    dW_h = flat.T @ tape.h_prev.reshape(T * B, H)  # weight gradients: one GEMM over all steps
    d_xs = (flat @ tape.W_x).reshape(T, B, -1)  # (T B, 4H) @ (4H, D_in)
    return d_xs, dh, dc, (flat, dW_h, flat.sum(axis=0))


def lstm_fast_forward(xs, params, h0=None, c0=None, lengths=None):
    """The fast path of :func:`lstm_course.numpy_impl.lstm_forward`: same arguments, same results.

    Parameters
    ----------
    xs : ndarray, shape (T, B, D)
    params : list of dict
        As in :func:`lstm_course.numpy_impl.lstm_forward`.
    h0, c0 : ndarray, shape (L * num_directions, B, H), optional
    lengths : sequence of int, shape (B,), optional

    Returns
    -------
    out : ndarray, shape (T, B, num_directions * H)
    (h_n, c_n) : ndarrays, shape (L * num_directions, B, H)
    cache : LSTMFastCache

    See Also
    --------
    lstm_course.torch_impl.lstm_fast_forward : the Torch twin of the fast path.
    """
    _validate.check_sequence(xs, backend="numpy")
    L, num_directions, H = _validate.check_params(params, xs, lstm_shapes, "b_f")
    T, B, _ = xs.shape
    states = []
    for name, s0 in (("h0", h0), ("c0", c0)):
        s0 = np.zeros((L * num_directions, B, H), dtype=xs.dtype) if s0 is None else s0
        _validate.check_shape(s0, (L * num_directions, B, H), f"{name} (L * num_directions, B, H)", like=xs)
        states.append(s0)
    masks = None if lengths is None else lengths_to_mask(_validate.check_lengths(lengths, T, B), T)
    h_n, c_n = np.empty_like(states[0]), np.empty_like(states[1])
    layer_input, layer_inputs, tapes = xs, [], []
    for k, layer in enumerate(params):
        out = np.empty((T, B, num_directions * H), dtype=xs.dtype)
        tapes.append([])
        for d, direction in enumerate(layer_directions(layer)):
            index = k * num_directions + d  # layer-major, like torch.nn
            out[..., d * H:(d + 1) * H], h_n[index], c_n[index], tape = direction_fast_forward(
                layer_input, states[0][index], states[1][index], layer[direction], masks, direction == "reverse")
            tapes[k].append(tape)
        layer_inputs.append(layer_input)
        layer_input = out
    return layer_input, (h_n, c_n), LSTMFastCache(layer_inputs, tapes, masks, H)


def lstm_fast_backward(d_out, d_h_n, d_c_n, cache):
    """The fast path of :func:`lstm_course.numpy_impl.lstm_backward`: same arguments, same results.

    Parameters
    ----------
    d_out : ndarray, shape (T, B, num_directions * H)
    d_h_n, d_c_n : ndarray, shape (L * num_directions, B, H), or None for zeros
    cache : LSTMFastCache

    Returns
    -------
    d_xs : ndarray, shape (T, B, D)
    d_h0, d_c0 : ndarray, shape (L * num_directions, B, H)
    grads : list of dict, the structure of ``params``
    """
    _validate.check_cache(cache, LSTMFastCache, "lstm_fast_backward", "lstm_fast_forward")
    x0, H = cache.layer_inputs[0], cache.hidden_size
    T, B = x0.shape[:2]
    num_directions = len(cache.tapes[0])
    d_states = upstream_gradients(d_out, (("d_h_n", d_h_n), ("d_c_n", d_c_n)), x0, len(cache.tapes),
                                  num_directions, H)
    d_h0, d_c0 = np.empty_like(d_states[0]), np.empty_like(d_states[1])
    grads = [dict() for _ in cache.tapes]
    d_layer_output = d_out
    for k in reversed(range(len(cache.tapes))):
        x = cache.layer_inputs[k]
        d_layer_input = np.zeros_like(x)
        for d, tape in enumerate(cache.tapes[k]):
            index = k * num_directions + d
            d_x, d_h0[index], d_c0[index], (flat, dW_h, db) = direction_fast_backward(
                d_layer_output[..., d * H:(d + 1) * H], d_states[0][index], d_states[1][index], tape, cache.masks)
            d_layer_input += d_x
            dW_x = flat.T @ x.reshape(T * B, x.shape[2])  # (4H, D_k): one GEMM over all T B rows
            grads[k]["reverse" if tape.reverse else "forward"] = split_gates(dW_x, dW_h, db)
        d_layer_output = d_layer_input
    return d_layer_output, d_h0, d_c0, grads
