r"""The GRU (Cho et al. 2014) in NumPy, with backpropagation through time by hand.

With a batch in rows, and torch.nn.GRU's form as the default (``reset="after"``):

.. math::
   r_t = \sigma(W_r x_t + U_r h_{t-1} + b_r),\qquad
   z_t = \sigma(W_z x_t + U_z h_{t-1} + b_z),

   n_t = \tanh(W_n x_t + b_{in} + r_t \odot (U_n h_{t-1} + b_{hn})),\qquad
   h_t = (1 - z_t) \odot n_t + z_t \odot h_{t-1}.

Cho et al.'s own form (``reset="before"``, their eq. 8) resets the state
*before* the recurrent product: :math:`n_t = \tanh(W_n x_t + b_{in} + U_n (r_t
\odot h_{t-1}) + b_{hn})`. The two differ numerically for the same weights;
torch.nn.GRU and cuDNN use "after".
"""

from typing import NamedTuple

import numpy as np

from .. import _validate
from ..notation import check_reset, gru_shapes
from .activations import sigmoid
from .recurrence import stack_backward, stack_forward, upstream_gradients


class GRUStepCache(NamedTuple):
    """Values one GRU step keeps for its backward pass (gates after activation)."""

    x_t: np.ndarray  # (B, D)
    h_prev: np.ndarray  # (B, H)
    r_t: np.ndarray
    z_t: np.ndarray
    n_t: np.ndarray
    reset_input: np.ndarray  # (B, H): U_n h_prev + b_hn ("after") or r_t * h_prev ("before")
    p: dict
    reset: str


class GRUCache(NamedTuple):
    """What :func:`gru_forward` keeps for :func:`gru_backward`."""

    stack: object  # recurrence.StackCache
    params: list
    reset: str


def gru_step_forward(x_t, h_prev, p, reset="after"):
    """One GRU step.

    Parameters
    ----------
    x_t : ndarray, shape (B, D)
    h_prev : ndarray, shape (B, H)
    p : dict
        ``W_r, W_z, W_n (H, D)``, ``U_r, U_z, U_n (H, H)``, ``b_r, b_z, b_in, b_hn (H,)``.
    reset : {"after", "before"}
        Where the reset gate acts: after the recurrent product (torch.nn.GRU)
        or before it (Cho et al. 2014).

    Returns
    -------
    h_t : ndarray, shape (B, H)
    cache : GRUStepCache

    See Also
    --------
    lstm_course.torch_impl.gru_step_forward : the Torch twin.
    """
    check_reset(reset)
    _validate.check_step(x_t, (("h_prev", h_prev),), p, gru_shapes, "b_r", "numpy")
    return _gru_step_forward(x_t, h_prev, p, reset)


def _gru_step_forward(x_t, h_prev, p, reset):
    """gru_step_forward without the checks at the edge: the time loop calls this."""
    r_t = sigmoid(x_t @ p["W_r"].T + h_prev @ p["U_r"].T + p["b_r"])  # reset gate     eq. (gru-reset)
    z_t = sigmoid(x_t @ p["W_z"].T + h_prev @ p["U_z"].T + p["b_z"])  # update gate    eq. (gru-update)
    if reset == "after":  # torch.nn.GRU, cuDNN: r * (U_n h + b_hn)
        reset_input = h_prev @ p["U_n"].T + p["b_hn"]
        n_t = np.tanh(x_t @ p["W_n"].T + p["b_in"] + r_t * reset_input)  # eq. (gru-candidate)
    else:  # Cho et al. 2014: U_n (r * h)
        reset_input = r_t * h_prev
        n_t = np.tanh(x_t @ p["W_n"].T + p["b_in"] + reset_input @ p["U_n"].T + p["b_hn"])
    h_t = (1 - z_t) * n_t + z_t * h_prev  # eq. (gru-state): z keeps the old state
    return h_t, GRUStepCache(x_t, h_prev, r_t, z_t, n_t, reset_input, p, reset)


def gru_step_backward(dh_t, cache):
    """Backward of :func:`gru_step_forward`; ``dh_t`` is not modified.

    Parameters
    ----------
    dh_t : ndarray, shape (B, H)
    cache : GRUStepCache

    Returns
    -------
    dx_t : ndarray, shape (B, D)
    dh_prev : ndarray, shape (B, H)
    grads : dict, the keys and shapes of ``p``
    """
    x_t, h_prev, r_t, z_t, n_t, reset_input, p, reset = cache
    dh_prev = dh_t * z_t  # through h_t = ... + z_t h_prev
    dz_n = dh_t * (1 - z_t) * (1 - n_t ** 2)  # gradient at the candidate's pre-activation
    dz_z = dh_t * (h_prev - n_t) * z_t * (1 - z_t)
    grads = {}
    if reset == "after":
        dz_hn = dz_n * r_t  # reaches U_n h + b_hn
        dr_t = dz_n * reset_input
        grads["U_n"], grads["b_hn"] = dz_hn.T @ h_prev, dz_hn.sum(axis=0)
        dh_prev = dh_prev + dz_hn @ p["U_n"]
    else:
        d_reset_input = dz_n @ p["U_n"]  # reaches r * h
        dr_t = d_reset_input * h_prev
        grads["U_n"], grads["b_hn"] = dz_n.T @ reset_input, dz_n.sum(axis=0)
        dh_prev = dh_prev + d_reset_input * r_t
    dz_r = dr_t * r_t * (1 - r_t)
    pre = {"r": dz_r, "z": dz_z, "n": dz_n}
    for g in "rz":
        grads[f"U_{g}"] = pre[g].T @ h_prev
        grads[f"b_{g}"] = pre[g].sum(axis=0)
        dh_prev = dh_prev + pre[g] @ p[f"U_{g}"]
    for g in "rzn":
        grads[f"W_{g}"] = pre[g].T @ x_t
    grads["b_in"] = dz_n.sum(axis=0)
    dx_t = dz_r @ p["W_r"] + dz_z @ p["W_z"] + dz_n @ p["W_n"]
    return dx_t, dh_prev, grads


def _step(reset):
    def step_forward(x_t, state, p):
        h_t, cache = _gru_step_forward(x_t, state[0], p, reset)
        return (h_t,), cache

    return step_forward


def _step_backward(d_state, cache):
    dx_t, dh_prev, grads = gru_step_backward(d_state[0], cache)
    return dx_t, (dh_prev,), grads


def gru_forward(xs, params, h0=None, lengths=None, reset="after"):
    """Run a (stacked, optionally bidirectional) GRU over a batch of sequences.

    Parameters
    ----------
    xs : ndarray, shape (T, B, D)
    params : list of dict
        ``params[k][direction]`` with ``W_r, W_z, W_n (H, D_k)``, ``U_r, U_z,
        U_n (H, H)``, ``b_r, b_z, b_in, b_hn (H,)``; ``D_0 = D``,
        ``D_k = num_directions * H``.
    h0 : ndarray, shape (L * num_directions, B, H), optional
    lengths : sequence of int, shape (B,), optional
        ``pack_padded_sequence`` semantics, as in :func:`rnn_forward`.
    reset : {"after", "before"}
        ``"after"`` (default) is torch.nn.GRU's and cuDNN's form; ``"before"``
        is Cho et al.'s, which torch.nn has no module for.

    Returns
    -------
    out : ndarray, shape (T, B, num_directions * H)
    h_n : ndarray, shape (L * num_directions, B, H)
    cache : GRUCache

    See Also
    --------
    lstm_course.torch_impl.gru_forward : the Torch twin.
    gru_backward : backpropagation through time.
    """
    _validate.check_sequence(xs, backend="numpy")
    check_reset(reset)
    L, num_directions, H = _validate.check_params(params, xs, gru_shapes, "b_r")
    T, B, _ = xs.shape
    if h0 is None:
        h0 = np.zeros((L * num_directions, B, H), dtype=xs.dtype)
    _validate.check_shape(h0, (L * num_directions, B, H), "h0 (L * num_directions, B, H)", like=xs)
    if lengths is not None:
        lengths = _validate.check_lengths(lengths, T, B)
    out, (h_n,), stack = stack_forward(_step(reset), xs, params, (h0,), lengths)
    return out, h_n, GRUCache(stack, params, reset)


def gru_backward(d_out, d_h_n, cache):
    """Backpropagation through time for :func:`gru_forward`.

    Parameters
    ----------
    d_out : ndarray, shape (T, B, num_directions * H)
        Not modified.
    d_h_n : ndarray, shape (L * num_directions, B, H), or None for zeros
    cache : GRUCache

    Returns
    -------
    d_xs : ndarray, shape (T, B, D)
    d_h0 : ndarray, shape (L * num_directions, B, H)
    grads : list of dict, the structure of ``params``
    """
    _validate.check_cache(cache, GRUCache, "gru_backward", "gru_forward")
    stack = cache.stack
    d_states = upstream_gradients(d_out, (("d_h_n", d_h_n),), stack.layer_inputs[0],
                                  len(cache.params), len(stack.direction_caches[0]), stack.hidden_size)
    d_xs, (d_h0,), grads = stack_backward(_step_backward, d_out, d_states, stack, cache.params)
    return d_xs, d_h0, grads
