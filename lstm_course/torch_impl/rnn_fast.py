r"""The fast path of the Torch RNN twin: the input projection hoisted out of the time loop.

Same arguments and results as :func:`lstm_course.torch_impl.rnn_forward`. The
term :math:`x_t W_{xh}^\top + b_h` is computed for all T steps in one GEMM
before the loop, which keeps two autograd nodes per step
(:math:`h_t = \sigma(z_t + h_{t-1} W_{hh}^\top)`: one ``addmm``, one activation).
Gradients come from autograd.
"""

import torch

from .. import _validate
from ..notation import check_nonlinearity, layer_directions, rnn_shapes
from .recurrence import lengths_to_mask
from .rnn import _ACTIVATIONS


def _direction(xs, h0, p, masks, reverse, activation):
    T, B, D = xs.shape
    zx = torch.addmm(p["b_h"], xs.reshape(T * B, D), p["W_xh"].T).view(T, B, -1).unbind(0)  # hoisted
    W_hhT, h, outs = p["W_hh"].T, h0, [None] * T
    for t in (range(T - 1, -1, -1) if reverse else range(T)):
        h_new = activation(torch.addmm(zx[t], h, W_hhT))  # eq. (rnn-step)
        if masks is not None:  # padded rows keep their state and output zeros
            m = masks[t][:, None]
            h_new = torch.where(m, h_new, h)
            outs[t] = h_new * m
        else:
            outs[t] = h_new
        h = h_new
    return torch.stack(outs), h


def rnn_fast_forward(xs, params, h0=None, nonlinearity="tanh", lengths=None):
    """The fast path of :func:`lstm_course.torch_impl.rnn_forward`: same arguments, same results.

    Parameters
    ----------
    xs : Tensor, shape (T, B, D)
    params : list of dict of Tensor
        ``W_xh (H, D_k)``, ``W_hh (H, H)``, ``b_h (H,)`` per layer and direction.
    h0 : Tensor, shape (L * num_directions, B, H), optional
    nonlinearity : {"tanh", "relu"}
    lengths : sequence of int, shape (B,), optional

    Returns
    -------
    out : Tensor, shape (T, B, num_directions * H)
    h_n : Tensor, shape (L * num_directions, B, H)
    """
    _validate.check_sequence(xs, backend="torch")
    check_nonlinearity(nonlinearity)
    L, num_directions, H = _validate.check_params(params, xs, rnn_shapes, "b_h")
    T, B, _ = xs.shape
    if h0 is None:
        h0 = xs.new_zeros((L * num_directions, B, H))
    _validate.check_shape(h0, (L * num_directions, B, H), "h0 (L * num_directions, B, H)", like=xs)
    masks = None if lengths is None else lengths_to_mask(_validate.check_lengths(lengths, T, B), T, xs.device)
    layer_input, h_n = xs, []
    for layer in params:
        outs = []
        for direction in layer_directions(layer):
            out, h = _direction(layer_input, h0[len(h_n)], layer[direction], masks, direction == "reverse",
                                _ACTIVATIONS[nonlinearity])
            outs.append(out)
            h_n.append(h)
        layer_input = outs[0] if len(outs) == 1 else torch.cat(outs, dim=-1)  # (T, B, num_directions * H)
    return layer_input, torch.stack(h_n)
