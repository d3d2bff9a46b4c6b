r"""The basic RNN in Torch: the same maths as :mod:`lstm_course.numpy_impl.rnn`, on any device.

.. math:: h_t = \sigma(W_{hh} h_{t-1} + W_{xh} x_t + b_h)
"""

import torch

from .. import _validate
from ..notation import check_nonlinearity, rnn_shapes
from .recurrence import stack_forward

_ACTIVATIONS = {"tanh": torch.tanh, "relu": torch.relu}  # keyed by notation.NONLINEARITIES


def rnn_step_forward(x_t, h_prev, p, nonlinearity="tanh"):
    r"""One RNN step, :math:`h_t = \sigma(W_{hh} h_{t-1} + W_{xh} x_t + b_h)`.

    Parameters
    ----------
    x_t : Tensor, shape (B, D)
    h_prev : Tensor, shape (B, H)
    p : dict of Tensor
        ``W_xh (H, D)``, ``W_hh (H, H)``, ``b_h (H,)``.
    nonlinearity : {"tanh", "relu"}

    Returns
    -------
    h_t : Tensor, shape (B, H)

    See Also
    --------
    lstm_course.numpy_impl.rnn_step_forward : the NumPy twin, with its backward.
    """
    check_nonlinearity(nonlinearity)
    _validate.check_step(x_t, (("h_prev", h_prev),), p, rnn_shapes, "b_h", "torch")
    return _rnn_step_forward(x_t, h_prev, p, nonlinearity)


def _rnn_step_forward(x_t, h_prev, p, nonlinearity):
    """rnn_step_forward without the checks at the edge: the time loop calls this."""
    z_h = h_prev @ p["W_hh"].T + x_t @ p["W_xh"].T + p["b_h"]  # (B, H)   eq. (rnn-step)
    return _ACTIVATIONS[nonlinearity](z_h)


def rnn_forward(xs, params, h0=None, nonlinearity="tanh", lengths=None):
    """Run a (stacked, optionally bidirectional) RNN; gradients by autograd.

    Parameters
    ----------
    xs : Tensor, shape (T, B, D)
        float32 or float64, on any device.
    params : list of dict of Tensor
        As in :func:`lstm_course.numpy_impl.rnn_forward`; see
        :func:`lstm_course.convert.to_tensors`. Same dtype and device as ``xs``.
    h0 : Tensor, shape (L * num_directions, B, H), optional
    nonlinearity : {"tanh", "relu"}
    lengths : sequence of int, shape (B,), optional
        ``pack_padded_sequence`` semantics, as in the NumPy twin.

    Returns
    -------
    out : Tensor, shape (T, B, num_directions * H)
    h_n : Tensor, shape (L * num_directions, B, H)

    See Also
    --------
    lstm_course.numpy_impl.rnn_forward : the NumPy twin.
    """
    _validate.check_sequence(xs, backend="torch")
    check_nonlinearity(nonlinearity)
    L, num_directions, H = _validate.check_params(params, xs, rnn_shapes, "b_h")
    T, B, _ = xs.shape
    if h0 is None:
        h0 = xs.new_zeros((L * num_directions, B, H))
    _validate.check_shape(h0, (L * num_directions, B, H), "h0 (L * num_directions, B, H)", like=xs)
    if lengths is not None:
        lengths = _validate.check_lengths(lengths, T, B)

    def step_forward(x_t, state, p):
        return (_rnn_step_forward(x_t, state[0], p, nonlinearity),)

    out, (h_n,) = stack_forward(step_forward, xs, params, (h0,), lengths)
    return out, h_n
