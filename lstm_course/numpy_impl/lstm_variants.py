r"""The LSTM's variants (Greff et al. 2017), each a small change to the cell, with backward by hand.

One step covers all of them; ``variant`` switches one part off or on:

.. math::
   f_t = \sigma(W_f z_t + b_f + p_f \odot c_{t-1}),\quad
   i_t = \sigma(W_i z_t + b_i + p_i \odot c_{t-1}),\quad
   g_t = \tanh(W_c z_t + b_c),

   c_t = f_t \odot c_{t-1} + i_t \odot g_t,\quad
   o_t = \sigma(W_o z_t + b_o + p_o \odot c_t),\quad
   h_t = o_t \odot \tanh(c_t),

with :math:`z_t = [x_t, h_{t-1}]`. ``"lstm"`` is the book's cell (no
peepholes, as torch.nn.LSTM); ``"peephole"`` adds :math:`p_f, p_i, p_o`
(Gers & Schmidhuber 2000); ``"cifg"`` couples :math:`i_t = 1 - f_t`;
``"no_forget_gate"`` sets :math:`f_t = 1`, ``"no_input_gate"`` :math:`i_t = 1`,
``"no_output_gate"`` :math:`o_t = 1`; ``"no_input_activation"`` drops the
tanh of :math:`g_t` and ``"no_output_activation"`` that of :math:`c_t`.
"""

from typing import NamedTuple

import numpy as np

from .. import _validate
from ..notation import check_variant, lstm_variant_shapes
from .activations import sigmoid
from .recurrence import stack_backward, stack_forward, upstream_gradients


class VariantStepCache(NamedTuple):
    """Values one step keeps (after activation); a removed gate is an array of ones."""

    z_t: np.ndarray  # (B, D + H)
    c_prev: np.ndarray
    f_t: np.ndarray
    i_t: np.ndarray
    g_t: np.ndarray
    o_t: np.ndarray
    c_t: np.ndarray
    s_t: np.ndarray  # tanh(c_t), or c_t without output activation
    p: dict
    variant: str


class VariantCache(NamedTuple):
    """What :func:`lstm_variant_forward` keeps for :func:`lstm_variant_backward`."""

    stack: object
    params: list
    variant: str


def _gate(z_t, p, g, peep=None):
    a = z_t @ p[f"W_{g}"].T + p[f"b_{g}"]
    return sigmoid(a if peep is None else a + p[f"p_{g}"] * peep)


def lstm_variant_step_forward(x_t, h_prev, c_prev, p, variant="lstm"):
    """One step of an LSTM variant.

    Parameters
    ----------
    x_t : ndarray, shape (B, D)
    h_prev, c_prev : ndarray, shape (B, H)
    p : dict
        The keys of ``lstm_course.notation.lstm_variant_shapes``.
    variant : str
        One of ``lstm_course.notation.LSTM_VARIANTS``.

    Returns
    -------
    h_t, c_t : ndarray, shape (B, H)
    cache : VariantStepCache

    See Also
    --------
    lstm_course.torch_impl.lstm_variant_step_forward : the Torch twin.
    """
    check_variant(variant)
    _validate.check_step(x_t, (("h_prev", h_prev), ("c_prev", c_prev)), p,
                         lambda D, H: lstm_variant_shapes(D, H, variant), "b_c", "numpy")
    return _lstm_variant_step_forward(x_t, h_prev, c_prev, p, variant)


def _lstm_variant_step_forward(x_t, h_prev, c_prev, p, variant):
    """lstm_variant_step_forward without the checks at the edge: the time loop calls this."""
    z_t = np.concatenate([x_t, h_prev], axis=1)  # (B, D + H)
    peep = c_prev if variant == "peephole" else None
    ones = np.ones_like(c_prev)
    f_t = ones if variant == "no_forget_gate" else _gate(z_t, p, "f", peep)
    i_t = {"cifg": 1 - f_t, "no_input_gate": ones}.get(variant)
    i_t = _gate(z_t, p, "i", peep) if i_t is None else i_t
    a_c = z_t @ p["W_c"].T + p["b_c"]
    g_t = a_c if variant == "no_input_activation" else np.tanh(a_c)
    c_t = f_t * c_prev + i_t * g_t
    o_t = ones if variant == "no_output_gate" else _gate(z_t, p, "o", c_t if variant == "peephole" else None)
    s_t = c_t if variant == "no_output_activation" else np.tanh(c_t)
    h_t = o_t * s_t
    return h_t, c_t, VariantStepCache(z_t, c_prev, f_t, i_t, g_t, o_t, c_t, s_t, p, variant)


def lstm_variant_step_backward(dh_t, dc_t, cache):
    """Backward of :func:`lstm_variant_step_forward`; upstream gradients are not modified.

    Parameters
    ----------
    dh_t, dc_t : ndarray, shape (B, H)
    cache : VariantStepCache

    Returns
    -------
    dx_t : ndarray, shape (B, D)
    dh_prev, dc_prev : ndarray, shape (B, H)
    grads : dict, the keys and shapes of ``p``
    """
    z_t, c_prev, f_t, i_t, g_t, o_t, c_t, s_t, p, variant = cache
    D = z_t.shape[1] - dh_t.shape[1]
    peephole = variant == "peephole"
    pre = {}  # gradients at the pre-activations of the gates the variant has
    if "W_o" in p:
        pre["o"] = dh_t * s_t * o_t * (1 - o_t)
    ds = dh_t * o_t
    dc = dc_t + (ds if variant == "no_output_activation" else ds * (1 - s_t ** 2))
    if peephole:
        dc = dc + pre["o"] * p["p_o"]  # o_t sees c_t
    df, di = dc * c_prev, dc * g_t
    if variant == "cifg":
        df = df - di  # i_t = 1 - f_t
    if "W_f" in p:
        pre["f"] = df * f_t * (1 - f_t)
    if "W_i" in p:
        pre["i"] = di * i_t * (1 - i_t)
    dg = dc * i_t
    pre["c"] = dg if variant == "no_input_activation" else dg * (1 - g_t ** 2)
    dc_prev = dc * f_t
    grads = {}
    for g, d in pre.items():
        grads[f"W_{g}"] = d.T @ z_t
        grads[f"b_{g}"] = d.sum(axis=0)
    if peephole:
        dc_prev = dc_prev + pre["f"] * p["p_f"] + pre["i"] * p["p_i"]
        grads.update(p_f=(pre["f"] * c_prev).sum(0), p_i=(pre["i"] * c_prev).sum(0), p_o=(pre["o"] * c_t).sum(0))
    dz_t = sum(d @ p[f"W_{g}"] for g, d in pre.items())  # (B, D + H)
    return dz_t[:, :D], dz_t[:, D:], dc_prev, {key: grads[key] for key in p}


def _step(variant):
    def step_forward(x_t, state, p):
        h_t, c_t, cache = _lstm_variant_step_forward(x_t, state[0], state[1], p, variant)
        return (h_t, c_t), cache

    return step_forward


def _step_backward(d_state, cache):
    dx_t, dh_prev, dc_prev, grads = lstm_variant_step_backward(d_state[0], d_state[1], cache)
    return dx_t, (dh_prev, dc_prev), grads


def lstm_variant_forward(xs, params, variant="lstm", h0=None, c0=None, lengths=None):
    """Run a (stacked, bidirectional) LSTM variant, as :func:`lstm_forward` runs the LSTM.

    Parameters
    ----------
    xs : ndarray, shape (T, B, D)
    params : list of dict
        ``params[k][direction]`` with the variant's keys
        (``lstm_course.notation.lstm_variant_shapes``).
    variant : str
    h0, c0 : ndarray, shape (L * num_directions, B, H), optional
    lengths : sequence of int, shape (B,), optional

    Returns
    -------
    out : ndarray, shape (T, B, num_directions * H)
    (h_n, c_n) : ndarrays, shape (L * num_directions, B, H)
    cache : VariantCache

    See Also
    --------
    lstm_course.torch_impl.lstm_variant_forward : the Torch twin.
    """
    _validate.check_sequence(xs, backend="numpy")
    check_variant(variant)
    L, num_directions, H = _validate.check_params(params, xs, lambda D, H_: lstm_variant_shapes(D, H_, variant), "b_c")
    T, B, _ = xs.shape
    states = []
    for name, s0 in (("h0", h0), ("c0", c0)):
        s0 = np.zeros((L * num_directions, B, H), dtype=xs.dtype) if s0 is None else s0
        _validate.check_shape(s0, (L * num_directions, B, H), f"{name} (L * num_directions, B, H)", like=xs)
        states.append(s0)
    if lengths is not None:
        lengths = _validate.check_lengths(lengths, T, B)
    out, (h_n, c_n), stack = stack_forward(_step(variant), xs, params, tuple(states), lengths)
    return out, (h_n, c_n), VariantCache(stack, params, variant)


def lstm_variant_backward(d_out, d_h_n, d_c_n, cache):
    """Backpropagation through time for :func:`lstm_variant_forward`.

    Parameters
    ----------
    d_out : ndarray, shape (T, B, num_directions * H)
    d_h_n, d_c_n : ndarray, shape (L * num_directions, B, H), or None for zeros
    cache : VariantCache

    Returns
    -------
    d_xs : ndarray, shape (T, B, D)
    d_h0, d_c0 : ndarray, shape (L * num_directions, B, H)
    grads : list of dict, the structure of ``params``
    """
    _validate.check_cache(cache, VariantCache, "lstm_variant_backward", "lstm_variant_forward")
    stack = cache.stack
    d_states = upstream_gradients(d_out, (("d_h_n", d_h_n), ("d_c_n", d_c_n)), stack.layer_inputs[0],
                                  len(cache.params), len(stack.direction_caches[0]), stack.hidden_size)
    d_xs, (d_h0, d_c0), grads = stack_backward(_step_backward, d_out, d_states, stack, cache.params)
    return d_xs, d_h0, d_c0, grads
