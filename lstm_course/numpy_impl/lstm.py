r"""The LSTM in NumPy, gate by gate, with backpropagation through time by hand.

With :math:`v_t = [x_t, h_{t-1}]` (the lower layer's output first, as in the
lecture notes), the pre-activations :math:`z_g = W_g v_t + b_g` for the gates
:math:`g = f, i, c, o`, and a batch in rows:

.. math::
   f_t = \sigma(z_f),\quad i_t = \sigma(z_i),\quad
   \tilde c_t = \tanh(z_c),\quad o_t = \sigma(z_o),

   c_t = f_t \odot c_{t-1} + i_t \odot \tilde c_t,\qquad h_t = o_t \odot \tanh(c_t).
"""

from typing import NamedTuple

import numpy as np

from .. import _validate
from ..notation import LSTM_GATES, lstm_shapes
from .activations import sigmoid
from .recurrence import stack_backward, stack_forward, upstream_gradients


class LSTMStepCache(NamedTuple):
    """Values one LSTM step keeps for its backward pass (gates after activation)."""

    v_t: np.ndarray  # (B, D + H): [x_t, h_prev]
    c_prev: np.ndarray  # (B, H)
    f_t: np.ndarray
    i_t: np.ndarray
    c_tilde: np.ndarray
    o_t: np.ndarray
    tanh_c_t: np.ndarray
    p: dict


class LSTMCache(NamedTuple):
    """What :func:`lstm_forward` keeps for :func:`lstm_backward`."""

    stack: object  # recurrence.StackCache
    params: list


def lstm_step_forward(x_t, h_prev, c_prev, p):
    """One LSTM step.

    Parameters
    ----------
    x_t : ndarray, shape (B, D)
    h_prev, c_prev : ndarray, shape (B, H)
    p : dict
        ``W_f, W_i, W_c, W_o (H, D + H)``, ``b_f, b_i, b_c, b_o (H,)``.

    Returns
    -------
    h_t, c_t : ndarray, shape (B, H)
    cache : LSTMStepCache

    See Also
    --------
    lstm_course.torch_impl.lstm_step_forward : the Torch twin.
    """
    _validate.check_step(x_t, (("h_prev", h_prev), ("c_prev", c_prev)), p, lstm_shapes, "b_f", "numpy")
    return _lstm_step_forward(x_t, h_prev, c_prev, p)


def _lstm_step_forward(x_t, h_prev, c_prev, p):
    """lstm_step_forward without the checks at the edge: the time loop calls this."""
    v_t = np.concatenate([x_t, h_prev], axis=1)  # (B, D + H)   v_t = [x_t, h_{t-1}]
    f_t = sigmoid(v_t @ p["W_f"].T + p["b_f"])  # forget gate      eq. (lstm-forget)
    i_t = sigmoid(v_t @ p["W_i"].T + p["b_i"])  # input gate       eq. (lstm-input)
    c_tilde = np.tanh(v_t @ p["W_c"].T + p["b_c"])  # content      eq. (lstm-content)
    o_t = sigmoid(v_t @ p["W_o"].T + p["b_o"])  # output gate      eq. (lstm-output)
    c_t = f_t * c_prev + i_t * c_tilde  # eq. (lstm-cell): forget and input at once
    tanh_c_t = np.tanh(c_t)  # eq. (lstm-output)
    h_t = o_t * tanh_c_t  # eq. (lstm-output)
    return h_t, c_t, LSTMStepCache(v_t, c_prev, f_t, i_t, c_tilde, o_t, tanh_c_t, p)


def lstm_step_backward(dh_t, dc_t, cache):
    """Backward of :func:`lstm_step_forward`; upstream gradients are not modified.

    Parameters
    ----------
    dh_t, dc_t : ndarray, shape (B, H)
        Gradients reaching ``h_t`` and ``c_t``.
    cache : LSTMStepCache

    Returns
    -------
    dx_t : ndarray, shape (B, D)
    dh_prev, dc_prev : ndarray, shape (B, H)
    grads : dict, the keys and shapes of ``p``
    """
    v_t, c_prev, f_t, i_t, c_tilde, o_t, tanh_c_t, p = cache
    D = v_t.shape[1] - dh_t.shape[1]
    dc = dc_t + dh_t * o_t * (1 - tanh_c_t ** 2)  # via h_t = o_t tanh(c_t), plus from t+1
    dz = {  # gradients of the pre-activations z_f, z_i, z_c, z_o
        "f": dc * c_prev * f_t * (1 - f_t),
        "i": dc * c_tilde * i_t * (1 - i_t),
        "c": dc * i_t * (1 - c_tilde ** 2),
        "o": dh_t * tanh_c_t * o_t * (1 - o_t),
    }
    grads = {}
    for g in LSTM_GATES:
        grads[f"W_{g}"] = dz[g].T @ v_t
        grads[f"b_{g}"] = dz[g].sum(axis=0)
    dv_t = sum(dz[g] @ p[f"W_{g}"] for g in LSTM_GATES)  # (B, D + H): [dx_t, dh_prev]
    return dv_t[:, :D], dv_t[:, D:], dc * f_t, grads


def _step_forward(x_t, state, p):
    h_t, c_t, cache = _lstm_step_forward(x_t, state[0], state[1], p)
    return (h_t, c_t), cache


def _step_backward(d_state, cache):
    dx_t, dh_prev, dc_prev, grads = lstm_step_backward(d_state[0], d_state[1], cache)
    return dx_t, (dh_prev, dc_prev), grads


def lstm_forward(xs, params, h0=None, c0=None, lengths=None):
    """Run a (stacked, optionally bidirectional) LSTM over a batch of sequences.

    Parameters
    ----------
    xs : ndarray, shape (T, B, D)
    params : list of dict
        ``params[k][direction]`` with ``W_f, W_i, W_c, W_o (H, D_k + H)`` and
        ``b_f, b_i, b_c, b_o (H,)``; ``D_0 = D``, ``D_k = num_directions * H``.
    h0, c0 : ndarray, shape (L * num_directions, B, H), optional
    lengths : sequence of int, shape (B,), optional
        ``pack_padded_sequence`` semantics, as in :func:`rnn_forward`.

    Returns
    -------
    out : ndarray, shape (T, B, num_directions * H)
    (h_n, c_n) : ndarrays, shape (L * num_directions, B, H)
    cache : LSTMCache

    See Also
    --------
    lstm_course.torch_impl.lstm_forward : the Torch twin.
    """
    _validate.check_sequence(xs, backend="numpy")
    L, num_directions, H = _validate.check_params(params, xs, lstm_shapes, "b_f")
    T, B, _ = xs.shape
    states = []
    for name, s0 in (("h0", h0), ("c0", c0)):
        s0 = np.zeros((L * num_directions, B, H), dtype=xs.dtype) if s0 is None else s0
        _validate.check_shape(s0, (L * num_directions, B, H), f"{name} (L * num_directions, B, H)", like=xs)
        states.append(s0)
    if lengths is not None:
        lengths = _validate.check_lengths(lengths, T, B)
    out, (h_n, c_n), stack = stack_forward(_step_forward, xs, params, tuple(states), lengths)
    return out, (h_n, c_n), LSTMCache(stack, params)


def lstm_backward(d_out, d_h_n, d_c_n, cache):
    """Backpropagation through time for :func:`lstm_forward`.

    Parameters
    ----------
    d_out : ndarray, shape (T, B, num_directions * H)
    d_h_n, d_c_n : ndarray, shape (L * num_directions, B, H), or None for zeros
    cache : LSTMCache

    Returns
    -------
    d_xs : ndarray, shape (T, B, D)
    d_h0, d_c0 : ndarray, shape (L * num_directions, B, H)
    grads : list of dict, the structure of ``params``
    """
    _validate.check_cache(cache, LSTMCache, "lstm_backward", "lstm_forward")
    stack = cache.stack
    d_states = upstream_gradients(d_out, (("d_h_n", d_h_n), ("d_c_n", d_c_n)), stack.layer_inputs[0],
                                  len(cache.params), len(stack.direction_caches[0]), stack.hidden_size)
    d_xs, (d_h0, d_c0), grads = stack_backward(_step_backward, d_out, d_states, stack, cache.params)
    return d_xs, d_h0, d_c0, grads
