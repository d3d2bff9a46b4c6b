r"""The fast path of the NumPy LSTM: the maths of ``lstm_course.numpy_impl.lstm``, in few large GEMMs.

Same contract as :func:`~lstm_course.numpy_impl.lstm_forward` /
:func:`~lstm_course.numpy_impl.lstm_backward` (shapes, layers, both directions,
``lengths``), same numbers (within 1e-12 in float64), but:

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
from ..workspace import check_current, fresh

FUSED_ORDER = ("f", "i", "o", "c")  # sigmoid gates first, then the tanh content


class DirectionTape(NamedTuple):
    """What one direction of one layer keeps for the fast backward (all preallocated, T-major)."""

    gates: np.ndarray  # (T, B, 4H): [f, i, o, c_tilde] after activation
    h_prev: np.ndarray  # (T, B, H): the state h entering step t (a view of the forward's state buffer)
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
    workspace: object = None  # the Workspace the buffers came from, or None
    generation: int = 0  # the workspace's call that made this cache


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


CACHE_BYTES = 256 * 1024  # the working set one chunk of steps may use: about half a per-core L2 cache


def steps_per_chunk(B, H, itemsize, cache_bytes=CACHE_BYTES):
    """How many time steps the backward prepares at once: as many as fit ``cache_bytes`` of gate factors.

    A step's factors are ``(B, 4H)`` values. Prepared for all T steps at once
    (one large array per factor), they leave the cache before the loop reads
    them, and every pass over them runs at memory speed; prepared a chunk at a
    time they are read while still in cache. Tiny shapes still get every step
    in one chunk, which keeps the NumPy calls per step few.
    """
    return max(1, cache_bytes // (B * 4 * H * itemsize))


def _activation_scale(H, dtype):
    """``(4H,)``: -1 on the sigmoid rows, -2 on the content rows (see :func:`direction_fast_forward`)."""
    return np.concatenate([np.full(3 * H, -1.0), np.full(H, -2.0)]).astype(dtype)


def direction_fast_forward(xs, h0, c0, p, masks, reverse, take=fresh):
    r"""One direction: returns ``(out (T, B, H), h_n, c_n, DirectionTape)``.

    Every activation is computed from one ``exp``: the fused weights and bias
    are scaled once by ``s = -1`` on the sigmoid rows and ``s = -2`` on the
    content rows, so that one pass of :math:`1 / (1 + e^{s z})` over the whole
    ``(B, 4H)`` block gives :math:`\sigma(z)` for the gates and
    :math:`\sigma(2 z)` for the content, and :math:`\tanh z = 2 \sigma(2 z) - 1`.
    ``exp`` overflows to ``inf`` for large ``s z``, which gives exactly 0; at
    ``z = 1e4`` (the pinned forget gate) the result is exactly 1.
    Buffers come from ``take(name, shape, dtype)`` (:mod:`.workspace`).
    """
    T, B, D = xs.shape
    H = h0.shape[1]
    W_x, W_h, b = fuse_gates(p)
    scale = _activation_scale(H, xs.dtype)
    # hoisted: all steps at once, pre-activations already scaled by s
    gates = take("gates", (T, B, 4 * H), xs.dtype)
    W_xT = (W_x * scale[:, None]).T  # (D, 4H)
    np.matmul(xs.reshape(T * B, D), W_xT, out=gates.reshape(T * B, 4 * H))
    gates += b * scale
    W_hT = (W_h * scale[:, None]).T  # (H, 4H)
    # States in (T + 1, B, H) buffers, written in place: step t reads
    # slot `prev` and writes slot `new`, so h_prev and c_prev are views.
    hs, cs = take("hs", (T + 1, B, H), xs.dtype), take("cs", (T + 1, B, H), xs.dtype)
    first = T if reverse else 0
    hs[first], cs[first] = h0, c0
    tanh_c, i_c = take("tanh_c", (T, B, H), xs.dtype), take("i_c", (B, H), xs.dtype)
    with np.errstate(over="ignore"):  # exp(large) = inf gives the sigmoid its exact 0
        for t in (range(T - 1, -1, -1) if reverse else range(T)):
            prev, new = (t + 1, t) if reverse else (t, t + 1)
            z = gates[t]
            z += hs[prev] @ W_hT  # the one GEMM per step, (B, H) @ (H, 4H)
            np.exp(z, out=z)
            z += 1
            np.reciprocal(z, out=z)  # sigma(z_f), sigma(z_i), sigma(z_o), sigma(2 z_c)
            f_t, i_t = z[:, :H], z[:, H:2 * H]
            o_t, c_tilde = z[:, 2 * H:3 * H], z[:, 3 * H:]
            c_tilde *= 2
            c_tilde -= 1  # c_tilde = tanh(z_c) = 2 sigma(2 z_c) - 1
            c_t = np.multiply(f_t, cs[prev], out=cs[new])
            np.multiply(i_t, c_tilde, out=i_c)
            c_t += i_c  # c_t = f_t c_prev + i_t c_tilde
            np.tanh(c_t, out=tanh_c[t])
            np.multiply(o_t, tanh_c[t], out=hs[new])  # h_t = o_t tanh(c_t)
            if masks is not None:  # padded rows keep their state
                keep = ~masks[t]
                hs[new][keep], cs[new][keep] = hs[prev][keep], cs[prev][keep]
    last = 0 if reverse else T
    if reverse:  # time t reads slot t + 1
        out, h_prev, c_prev = hs[:-1], hs[1:], cs[1:]
    else:
        out, h_prev, c_prev = hs[1:], hs[:-1], cs[:-1]
    if masks is not None:
        out = out * masks[..., None]  # padded steps output zeros
    h, c = hs[last], cs[last]
    return out, h, c, DirectionTape(gates, h_prev, c_prev, tanh_c, W_x, W_h, reverse)


def _gate_factors(gates, c_prev, tanh_c, P, A):
    """The factors of the backward that do not depend on the carried gradients, for a chunk of steps.

    With the chunk's ``gates (S, B, 4H)`` = ``[f, i, o, c_tilde]``, writes in place
    ``P (S, B, 4H)`` = ``[c_prev f (1 - f), c_tilde i (1 - i), tanh(c_t) o (1 - o),
    i (1 - c_tilde^2)]`` and ``A (S, B, H)`` = ``o (1 - tanh(c_t)^2)``.
    """
    H = c_prev.shape[-1]
    f, i, o, c_tilde = (gates[..., n * H:(n + 1) * H] for n in range(4))
    np.multiply(gates, gates, out=P)
    np.subtract(gates, P, out=P)  # s (1 - s) in the three sigmoid blocks
    P_f, P_i, P_o, P_c = (P[..., n * H:(n + 1) * H] for n in range(4))
    P_f *= c_prev
    P_i *= c_tilde
    P_o *= tanh_c
    np.multiply(c_tilde, c_tilde, out=P_c)
    np.subtract(1, P_c, out=P_c)
    P_c *= i  # i (1 - c_tilde^2)
    np.multiply(tanh_c, tanh_c, out=A)
    np.subtract(1, A, out=A)
    A *= o  # o (1 - tanh(c_t)^2)


def direction_fast_backward(d_out, dh_n, dc_n, tape, masks, take=fresh):
    """Backpropagate one direction: returns ``(d_xs, dh0, dc0, (dZ, dW_h, db))``, ``dZ (T B, 4H)``.

    The factors that do not depend on the carried gradients (``_gate_factors``)
    are computed a chunk of :func:`steps_per_chunk` steps at a time, while the
    chunk is still in cache; the loop then makes about six NumPy calls per step.
    """
    T, B, H = d_out.shape
    gates, c_prev, tanh_c = tape.gates, tape.c_prev, tape.tanh_c
    f = gates[..., :H]
    S = min(T, steps_per_chunk(B, H, gates.itemsize, CACHE_BYTES))
    P, A = take("P", (S, B, 4 * H), gates.dtype), take("A", (S, B, H), gates.dtype)
    P4 = P.reshape(S, B, 4, H)
    if masks is not None:
        d_out = d_out * masks[..., None]  # a padded step has no output
    dZ = take("dZ", gates.shape, gates.dtype)  # (T, B, 4H): gradients of the pre-activations
    dZ4 = dZ.reshape(T, B, 4, H)
    dh, dc = dh_n, dc_n
    order = list(range(T)) if tape.reverse else list(range(T - 1, -1, -1))
    for start in range(0, T, S):
        steps = order[start:start + S]
        lo = min(steps)  # the chunk is the time slice [lo, lo + len(steps))
        n = len(steps)
        _gate_factors(gates[lo:lo + n], c_prev[lo:lo + n], tanh_c[lo:lo + n], P[:n], A[:n])
        for t in steps:
            s = t - lo
            dh_t = dh + d_out[t]  # from the output at t, plus from step t+1
            dc_t = dh_t * A[s]
            dc_t += dc
            np.multiply(P4[s], dc_t[:, None, :], out=dZ4[t])  # f, i and c take dc_t ...
            np.multiply(P4[s, :, 2], dh_t, out=dZ4[t, :, 2])  # ... and o takes dh_t
            if masks is not None:  # a padded step passed its state through unchanged
                m = masks[t][:, None]
                dZ[t] *= m
                dh, dc = np.where(m, dZ[t] @ tape.W_h, dh_t), np.where(m, dc_t * f[t], dc)
            else:
                dh, dc = dZ[t] @ tape.W_h, dc_t * f[t]
    flat = dZ.reshape(T * B, 4 * H)
    dW_h = flat.T @ tape.h_prev.reshape(T * B, H)  # weight gradients: one GEMM over all steps
    d_xs = take("d_x", (T, B, tape.W_x.shape[1]), gates.dtype)
    np.matmul(flat, tape.W_x, out=d_xs.reshape(T * B, -1))  # (T B, 4H) @ (4H, D_in)
    return d_xs, dh, dc, (flat, dW_h, flat.sum(axis=0))


def _taker(workspace, prefix):
    """``take(name, shape, dtype)`` for one layer and direction: from ``workspace``, or fresh without one."""
    if workspace is None:
        return fresh
    return lambda name, shape, dtype: workspace.take(f"{prefix}.{name}", shape, dtype)


def lstm_fast_forward(xs, params, h0=None, c0=None, lengths=None, workspace=None):
    """The fast path of :func:`lstm_course.numpy_impl.lstm_forward`: same arguments, same results.

    Parameters
    ----------
    xs : ndarray, shape (T, B, D)
    params : list of dict
        As in :func:`lstm_course.numpy_impl.lstm_forward`.
    h0, c0 : ndarray, shape (L * num_directions, B, H), optional
    lengths : sequence of int, shape (B,), optional
    workspace : lstm_course.workspace.Workspace, optional
        Reuse its buffers for what the backward keeps, rather than new ones on
        every call (faster where fresh memory is slow; see
        :mod:`lstm_course.workspace`). The cache is then valid until
        the next call with the same workspace; the results never live in it.

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
    generation = 0 if workspace is None else workspace.begin()
    h_n, c_n = np.empty_like(states[0]), np.empty_like(states[1])
    layer_input, layer_inputs, tapes = xs, [], []
    for k, layer in enumerate(params):
        shape = (T, B, num_directions * H)  # the last layer's output is the caller's: never in the workspace
        out = np.empty(shape, dtype=xs.dtype) if k == L - 1 else _taker(workspace, k)("out", shape, xs.dtype)
        tapes.append([])
        for d, direction in enumerate(layer_directions(layer)):
            index = k * num_directions + d  # layer-major, like torch.nn
            out[..., d * H:(d + 1) * H], h_n[index], c_n[index], tape = direction_fast_forward(
                layer_input, states[0][index], states[1][index], layer[direction], masks, direction == "reverse",
                _taker(workspace, f"{k}.{d}"))
            tapes[k].append(tape)
        layer_inputs.append(layer_input)
        layer_input = out
    return layer_input, (h_n, c_n), LSTMFastCache(layer_inputs, tapes, masks, H, workspace, generation)


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
    check_current(cache.workspace, cache.generation, "lstm_fast_backward", "lstm_fast_forward")
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
        # d_xs of the first layer is the caller's; the others are consumed within this call
        d_layer_input = np.zeros_like(x) if k == 0 else _taker(cache.workspace, k)("d_in", x.shape, x.dtype)
        d_layer_input[...] = 0
        for d, tape in enumerate(cache.tapes[k]):
            index = k * num_directions + d
            d_x, d_h0[index], d_c0[index], (flat, dW_h, db) = direction_fast_backward(
                d_layer_output[..., d * H:(d + 1) * H], d_states[0][index], d_states[1][index], tape, cache.masks,
                _taker(cache.workspace, f"{k}.{d}.backward"))
            d_layer_input += d_x
            dW_x = flat.T @ x.reshape(T * B, x.shape[2])  # (4H, D_k): one GEMM over all T B rows
            grads[k]["reverse" if tape.reverse else "forward"] = split_gates(dW_x, dW_h, db)
        d_layer_output = d_layer_input
    return d_layer_output, d_h0, d_c0, grads
