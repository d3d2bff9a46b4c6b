"""The LSTM in Torch: the same maths as :mod:`lstm_course.numpy_impl.lstm`, on any device."""

import torch

from .. import _validate
from ..notation import lstm_shapes
from .recurrence import stack_forward


def lstm_step_forward(x_t, h_prev, c_prev, p):
    """One LSTM step: ``x_t (B, D)``, ``h_prev, c_prev (B, H)`` -> ``(h_t, c_t)``, each (B, H).

    See Also
    --------
    lstm_course.numpy_impl.lstm_step_forward : the NumPy twin, with its backward.
    """
    _validate.check_step(x_t, (("h_prev", h_prev), ("c_prev", c_prev)), p, lstm_shapes, "b_f", "torch")
    return _lstm_step_forward(x_t, h_prev, c_prev, p)


def _lstm_step_forward(x_t, h_prev, c_prev, p):
    """lstm_step_forward without the checks at the edge: the time loop calls this."""
    v_t = torch.cat([x_t, h_prev], dim=1)  # (B, D + H)
    f_t = torch.sigmoid(v_t @ p["W_f"].T + p["b_f"])
    i_t = torch.sigmoid(v_t @ p["W_i"].T + p["b_i"])
    c_tilde = torch.tanh(v_t @ p["W_c"].T + p["b_c"])
    o_t = torch.sigmoid(v_t @ p["W_o"].T + p["b_o"])
    c_t = f_t * c_prev + i_t * c_tilde
    return o_t * torch.tanh(c_t), c_t


def lstm_forward(xs, params, h0=None, c0=None, lengths=None):
    """Run a (stacked, bidirectional) LSTM; gradients by autograd.

    Shapes and padding as in :func:`lstm_course.numpy_impl.lstm_forward`.

    Returns
    -------
    out : Tensor, shape (T, B, num_directions * H)
    (h_n, c_n) : Tensors, shape (L * num_directions, B, H)
    """
    _validate.check_sequence(xs, backend="torch")
    L, num_directions, H = _validate.check_params(params, xs, lstm_shapes, "b_f")
    T, B, _ = xs.shape
    states = []
    for name, s0 in (("h0", h0), ("c0", c0)):
        s0 = xs.new_zeros((L * num_directions, B, H)) if s0 is None else s0
        _validate.check_shape(s0, (L * num_directions, B, H), f"{name} (L * num_directions, B, H)", like=xs)
        states.append(s0)
    if lengths is not None:
        lengths = _validate.check_lengths(lengths, T, B)

    def step_forward(x_t, state, p):
        return _lstm_step_forward(x_t, state[0], state[1], p)

    out, (h_n, c_n) = stack_forward(step_forward, xs, params, tuple(states), lengths)
    return out, (h_n, c_n)
