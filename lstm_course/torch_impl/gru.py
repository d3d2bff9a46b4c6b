"""The GRU in Torch: the same maths as :mod:`lstm_course.numpy_impl.gru`, on any device."""

import torch

from .. import _validate
from ..notation import check_reset, gru_shapes
from .recurrence import stack_forward


def gru_step_forward(x_t, h_prev, p, reset="after"):
    """One GRU step: ``x_t (B, D)``, ``h_prev (B, H)`` -> ``h_t (B, H)``.

    ``reset="after"`` is torch.nn.GRU's form, ``r * (U_n h + b_hn)``;
    ``"before"`` is Cho et al.'s, ``U_n (r * h) + b_hn``.

    See Also
    --------
    lstm_course.numpy_impl.gru_step_forward : the NumPy twin, with its backward.
    """
    check_reset(reset)
    _validate.check_step(x_t, (("h_prev", h_prev),), p, gru_shapes, "b_r", "torch")
    return _gru_step_forward(x_t, h_prev, p, reset)


def _gru_step_forward(x_t, h_prev, p, reset):
    """gru_step_forward without the checks at the edge: the time loop calls this."""
    r_t = torch.sigmoid(x_t @ p["W_r"].T + h_prev @ p["U_r"].T + p["b_r"])
    z_t = torch.sigmoid(x_t @ p["W_z"].T + h_prev @ p["U_z"].T + p["b_z"])
    if reset == "after":
        n_t = torch.tanh(x_t @ p["W_n"].T + p["b_in"] + r_t * (h_prev @ p["U_n"].T + p["b_hn"]))
    else:
        n_t = torch.tanh(x_t @ p["W_n"].T + p["b_in"] + (r_t * h_prev) @ p["U_n"].T + p["b_hn"])
    return (1 - z_t) * n_t + z_t * h_prev


def gru_forward(xs, params, h0=None, lengths=None, reset="after"):
    """Run a (stacked, bidirectional) GRU; gradients by autograd.

    Shapes, padding and ``reset`` as in :func:`lstm_course.numpy_impl.gru_forward`.

    Returns
    -------
    out : Tensor, shape (T, B, num_directions * H)
    h_n : Tensor, shape (L * num_directions, B, H)
    """
    _validate.check_sequence(xs, backend="torch")
    check_reset(reset)
    L, num_directions, H = _validate.check_params(params, xs, gru_shapes, "b_r")
    T, B, _ = xs.shape
    h0 = xs.new_zeros((L * num_directions, B, H)) if h0 is None else h0
    _validate.check_shape(h0, (L * num_directions, B, H), "h0 (L * num_directions, B, H)", like=xs)
    if lengths is not None:
        lengths = _validate.check_lengths(lengths, T, B)

    def step_forward(x_t, state, p):
        return (_gru_step_forward(x_t, state[0], p, reset),)

    out, (h_n,) = stack_forward(step_forward, xs, params, (h0,), lengths)
    return out, h_n
