r"""The basic (Elman) RNN in NumPy, with backpropagation through time by hand.

Equation (rnn-step) of the book, with a batch in rows:

.. math:: h_t = \sigma(W_{hh} h_{t-1} + W_{xh} x_t + b_h)
   \quad\Longleftrightarrow\quad
   \texttt{h\_t = act(h\_prev @ W\_hh.T + x\_t @ W\_xh.T + b\_h)}
"""

from typing import NamedTuple

import numpy as np

from .. import _validate
from ..notation import check_nonlinearity, rnn_shapes
from .activations import ACTIVATIONS, activation_derivative
from .recurrence import stack_backward, stack_forward, upstream_gradients


class RNNStepCache(NamedTuple):
    """Values one RNN step keeps for its backward pass (after activation)."""

    x_t: np.ndarray  # (B, D)
    h_prev: np.ndarray  # (B, H)
    h_t: np.ndarray  # (B, H)
    p: dict
    nonlinearity: str


class RNNCache(NamedTuple):
    """What :func:`rnn_forward` keeps for :func:`rnn_backward`."""

    stack: object  # recurrence.StackCache
    params: list
    nonlinearity: str


def rnn_step_forward(x_t, h_prev, p, nonlinearity="tanh"):
    r"""One RNN step, :math:`h_t = \sigma(W_{hh} h_{t-1} + W_{xh} x_t + b_h)`.

    Parameters
    ----------
    x_t : ndarray, shape (B, D)
    h_prev : ndarray, shape (B, H)
    p : dict
        ``W_xh (H, D)``, ``W_hh (H, H)``, ``b_h (H,)``.
    nonlinearity : {"tanh", "relu"}

    Returns
    -------
    h_t : ndarray, shape (B, H)
    cache : RNNStepCache

    See Also
    --------
    lstm_course.torch_impl.rnn_step_forward : the Torch twin.
    """
    check_nonlinearity(nonlinearity)
    _validate.check_step(x_t, (("h_prev", h_prev),), p, rnn_shapes, "b_h", "numpy")
    return _rnn_step_forward(x_t, h_prev, p, nonlinearity)


def _rnn_step_forward(x_t, h_prev, p, nonlinearity):
    """rnn_step_forward without the checks at the edge: the time loop calls this."""
    z_h = h_prev @ p["W_hh"].T + x_t @ p["W_xh"].T + p["b_h"]  # (B, H)   eq. (rnn-step)
    h_t = ACTIVATIONS[nonlinearity](z_h)
    return h_t, RNNStepCache(x_t, h_prev, h_t, p, nonlinearity)


def rnn_step_backward(dh_t, cache):
    r"""Backward of :func:`rnn_step_forward`.

    With :math:`\delta = \partial L/\partial z_h = dh_t \odot \sigma'(z_h)`:
    :math:`dW_{xh} = \delta^\top x_t`, :math:`dW_{hh} = \delta^\top h_{t-1}`,
    :math:`db_h = \sum_b \delta`, :math:`dx_t = \delta W_{xh}`,
    :math:`dh_{t-1} = \delta W_{hh}`.

    Parameters
    ----------
    dh_t : ndarray, shape (B, H)
        Gradient of the loss with respect to ``h_t``. Not modified.
    cache : RNNStepCache

    Returns
    -------
    dx_t : ndarray, shape (B, D)
    dh_prev : ndarray, shape (B, H)
    grads : dict
        ``W_xh (H, D)``, ``W_hh (H, H)``, ``b_h (H,)``.
    """
    x_t, h_prev, h_t, p, nonlinearity = cache
    dz_h = dh_t * activation_derivative(h_t, nonlinearity)  # (B, H)
    grads = {"W_xh": dz_h.T @ x_t, "W_hh": dz_h.T @ h_prev, "b_h": dz_h.sum(axis=0)}
    return dz_h @ p["W_xh"], dz_h @ p["W_hh"], grads


def _step(nonlinearity):
    def step_forward(x_t, state, p):
        h_t, cache = _rnn_step_forward(x_t, state[0], p, nonlinearity)
        return (h_t,), cache

    return step_forward


def _step_backward(d_state, cache):
    dx_t, dh_prev, grads = rnn_step_backward(d_state[0], cache)
    return dx_t, (dh_prev,), grads


def rnn_forward(xs, params, h0=None, nonlinearity="tanh", lengths=None):
    r"""Run a (stacked, optionally bidirectional) RNN over a batch of sequences.

    Layer k reads the outputs of layer k-1,
    :math:`h_t^{(k)} = \sigma(W_{hh}^{(k)} h_{t-1}^{(k)} + W_{xh}^{(k)} h_t^{(k-1)} + b_h^{(k)})`,
    and a bidirectional layer concatenates ``[forward; reverse]`` features.

    Parameters
    ----------
    xs : ndarray, shape (T, B, D)
        Time-major input, float32 or float64.
    params : list of dict
        ``params[k]["forward"]`` (and ``["reverse"]``) hold ``W_xh (H, D_k)``,
        ``W_hh (H, H)``, ``b_h (H,)``, with ``D_0 = D`` and
        ``D_k = num_directions * H`` above. Same dtype as ``xs``.
    h0 : ndarray, shape (L * num_directions, B, H), optional
        Initial states, layer-major as in ``torch.nn.RNN``; zeros by default.
    nonlinearity : {"tanh", "relu"}
    lengths : sequence of int, shape (B,), optional
        True lengths of padded sequences (``pack_padded_sequence`` semantics):
        outputs at padded steps are zero, ``h_n`` is each sequence's state at
        its own end, and the reverse direction starts there.

    Returns
    -------
    out : ndarray, shape (T, B, num_directions * H)
        Outputs of the last layer.
    h_n : ndarray, shape (L * num_directions, B, H)
    cache : RNNCache

    See Also
    --------
    lstm_course.torch_impl.rnn_forward : the Torch twin.
    rnn_backward : backpropagation through time.
    """
    _validate.check_sequence(xs, backend="numpy")
    check_nonlinearity(nonlinearity)
    L, num_directions, H = _validate.check_params(params, xs, rnn_shapes, "b_h")
    T, B, _ = xs.shape
    if h0 is None:
        h0 = np.zeros((L * num_directions, B, H), dtype=xs.dtype)
    _validate.check_shape(h0, (L * num_directions, B, H), "h0 (L * num_directions, B, H)", like=xs)
    if lengths is not None:
        lengths = _validate.check_lengths(lengths, T, B)
    out, (h_n,), stack = stack_forward(_step(nonlinearity), xs, params, (h0,), lengths)
    return out, h_n, RNNCache(stack, params, nonlinearity)


def rnn_backward(d_out, d_h_n, cache):
    """Backpropagation through time for :func:`rnn_forward`.

    Parameters
    ----------
    d_out : ndarray, shape (T, B, num_directions * H)
        Gradient of the loss with respect to ``out``. Not modified.
    d_h_n : ndarray, shape (L * num_directions, B, H), or None for zeros
    cache : RNNCache

    Returns
    -------
    d_xs : ndarray, shape (T, B, D)
    d_h0 : ndarray, shape (L * num_directions, B, H)
    grads : list of dict
        Same structure as ``params``.
    """
    _validate.check_cache(cache, RNNCache, "rnn_backward", "rnn_forward")
    stack = cache.stack
    d_states = upstream_gradients(d_out, (("d_h_n", d_h_n),), stack.layer_inputs[0],
                                  len(cache.params), len(stack.direction_caches[0]), stack.hidden_size)
    d_xs, (d_h0,), grads = stack_backward(_step_backward, d_out, d_states, stack, cache.params)
    return d_xs, d_h0, grads
