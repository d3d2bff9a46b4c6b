"""The LSTM's variants in Torch: the same maths as :mod:`lstm_course.numpy_impl.lstm_variants`, on any device."""

import torch

from .. import _validate
from ..notation import check_variant, lstm_variant_shapes
from .recurrence import stack_forward


def _gate(z_t, p, g, peep=None):
    a = z_t @ p[f"W_{g}"].T + p[f"b_{g}"]
    return torch.sigmoid(a if peep is None else a + p[f"p_{g}"] * peep)


def lstm_variant_step_forward(x_t, h_prev, c_prev, p, variant="lstm"):
    """One step of an LSTM variant: ``x_t (B, D)``, ``h_prev, c_prev (B, H)`` -> ``(h_t, c_t)``.

    See Also
    --------
    lstm_course.numpy_impl.lstm_variant_step_forward : the NumPy twin, with its backward.
    """
    check_variant(variant)
    _validate.check_step(x_t, (("h_prev", h_prev), ("c_prev", c_prev)), p,
                         lambda D, H: lstm_variant_shapes(D, H, variant), "b_c", "torch")
    return _lstm_variant_step_forward(x_t, h_prev, c_prev, p, variant)


def _lstm_variant_step_forward(x_t, h_prev, c_prev, p, variant):
    """lstm_variant_step_forward without the checks at the edge: the time loop calls this."""
    z_t = torch.cat([x_t, h_prev], dim=1)  # (B, D + H)
    peep = c_prev if variant == "peephole" else None
    f_t = 1.0 if variant == "no_forget_gate" else _gate(z_t, p, "f", peep)
    if variant == "cifg":
        i_t = 1 - f_t
    else:
        i_t = 1.0 if variant == "no_input_gate" else _gate(z_t, p, "i", peep)
    a_c = z_t @ p["W_c"].T + p["b_c"]
    g_t = a_c if variant == "no_input_activation" else torch.tanh(a_c)
    c_t = f_t * c_prev + i_t * g_t
    o_t = 1.0 if variant == "no_output_gate" else _gate(z_t, p, "o", c_t if variant == "peephole" else None)
    return o_t * (c_t if variant == "no_output_activation" else torch.tanh(c_t)), c_t


def lstm_variant_forward(xs, params, variant="lstm", h0=None, c0=None, lengths=None):
    """Run a (stacked, bidirectional) LSTM variant; gradients by autograd.

    Shapes and padding as in :func:`lstm_course.numpy_impl.lstm_variant_forward`.

    Returns
    -------
    out : Tensor, shape (T, B, num_directions * H)
    (h_n, c_n) : Tensors, shape (L * num_directions, B, H)
    """
    _validate.check_sequence(xs, backend="torch")
    check_variant(variant)
    L, num_directions, H = _validate.check_params(params, xs, lambda D, H_: lstm_variant_shapes(D, H_, variant), "b_c")
    T, B, _ = xs.shape
    states = []
    for name, s0 in (("h0", h0), ("c0", c0)):
        s0 = xs.new_zeros((L * num_directions, B, H)) if s0 is None else s0
        _validate.check_shape(s0, (L * num_directions, B, H), f"{name} (L * num_directions, B, H)", like=xs)
        states.append(s0)
    if lengths is not None:
        lengths = _validate.check_lengths(lengths, T, B)

    def step_forward(x_t, state, p):
        return _lstm_variant_step_forward(x_t, state[0], state[1], p, variant)

    return stack_forward(step_forward, xs, params, tuple(states), lengths)
