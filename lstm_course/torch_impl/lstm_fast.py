r"""The fast path of the Torch LSTM twin: fused gates, a hoisted input GEMM, batched weight gradients.

The Torch twin of :mod:`lstm_course.numpy_impl.lstm_fast`, with the same
arguments and results as :func:`lstm_course.torch_impl.lstm_forward`. One
direction of one layer is a ``torch.autograd.Function`` whose backward is the
fused BPTT of the NumPy fast path: autograd records two nodes per direction
instead of some fifteen per time step, which is where the readable twin spends
its time at small sizes. The per-gate parameters are joined with ``torch.cat``
outside the Function, so autograd hands every ``W_f``, ``b_o``, ... its own
gradient, and the result is differentiable exactly like the readable twin.

Gate order inside the fused block: ``[f, i, o, c]`` (sigmoid gates first), as
in the NumPy fast path.
"""

import torch

from .. import _validate
from ..notation import layer_directions, lstm_shapes
from .recurrence import lengths_to_mask

FUSED_ORDER = ("f", "i", "o", "c")


def fuse_gates(p):
    """``W_x (4H, D)``, ``W_h (4H, H)``, ``b (4H,)`` from one direction's gate parameters, order f, i, o, c."""
    H = p["b_f"].shape[0]
    D = p["W_f"].shape[1] - H
    W_x = torch.cat([p[f"W_{g}"][:, :D] for g in FUSED_ORDER])  # (4H, D), contiguous: BLAS's fast path
    W_h = torch.cat([p[f"W_{g}"][:, D:] for g in FUSED_ORDER])  # (4H, H)
    return W_x, W_h, torch.cat([p[f"b_{g}"] for g in FUSED_ORDER])


class _Direction(torch.autograd.Function):
    """One direction of one layer: ``(xs, h0, c0, W_x, W_h, b) -> (out, h_n, c_n)``."""

    @staticmethod
    def forward(ctx, xs, h0, c0, W_x, W_h, b, masks, reverse):
        T, B, D = xs.shape
        H = h0.shape[1]
        gates = torch.addmm(b, xs.reshape(T * B, D), W_x.T).view(T, B, 4 * H)  # hoisted input projection
        h_prev, c_prev, tanh_c, out = (xs.new_empty((T, B, H)) for _ in range(4))
        W_hT = W_h.T
        h, c = h0, c0
        for t in (range(T - 1, -1, -1) if reverse else range(T)):
            h_prev[t], c_prev[t] = h, c
            z = gates[t].addmm_(h, W_hT)  # the one GEMM per step
            z[:, :3 * H].sigmoid_()
            z[:, 3 * H:].tanh_()
            f_t, i_t, o_t, c_tilde = z[:, :H], z[:, H:2 * H], z[:, 2 * H:3 * H], z[:, 3 * H:]
            c_new = torch.addcmul(f_t * c, i_t, c_tilde)  # c_t = f_t c_prev + i_t c_tilde
            torch.tanh(c_new, out=tanh_c[t])
            torch.mul(o_t, tanh_c[t], out=out[t])  # h_t = o_t tanh(c_t)
            if masks is not None:  # padded rows keep their state and output zeros
                m = masks[t][:, None]
                h, c = torch.where(m, out[t], h), torch.where(m, c_new, c)
                out[t].mul_(m)
            else:
                h, c = out[t], c_new
        ctx.save_for_backward(xs, gates, h_prev, c_prev, tanh_c, W_x, W_h)
        ctx.masks, ctx.reverse = masks, reverse
        return out, h.clone(), c.clone()

    @staticmethod
    def backward(ctx, d_out, dh_n, dc_n):
        xs, gates, h_prev, c_prev, tanh_c, W_x, W_h = ctx.saved_tensors
        T, B, D = xs.shape
        H = h_prev.shape[2]
        dZ = torch.empty_like(gates)
        dh, dc = dh_n, dc_n
        for t in (range(T) if ctx.reverse else range(T - 1, -1, -1)):
            g = gates[t]
            f_t, i_t, o_t, c_tilde = g[:, :H], g[:, H:2 * H], g[:, 2 * H:3 * H], g[:, 3 * H:]
            m = None if ctx.masks is None else ctx.masks[t][:, None]
            dh_t = dh + (d_out[t] if m is None else d_out[t] * m)  # from the output at t and from step t+1
            dc_t = dc + dh_t * o_t * (1 - tanh_c[t] ** 2)
            dz = dZ[t]
            torch.mul(dc_t * c_prev[t], f_t * (1 - f_t), out=dz[:, :H])
            torch.mul(dc_t * c_tilde, i_t * (1 - i_t), out=dz[:, H:2 * H])
            torch.mul(dh_t * tanh_c[t], o_t * (1 - o_t), out=dz[:, 2 * H:3 * H])
            torch.mul(dc_t * i_t, 1 - c_tilde ** 2, out=dz[:, 3 * H:])
            if m is not None:  # a padded step passed its state through unchanged
                dz.mul_(m)
                dh, dc = torch.where(m, dz @ W_h, dh_t), torch.where(m, dc_t * f_t, dc)
            else:
                dh, dc = dz @ W_h, dc_t * f_t
        flat = dZ.view(T * B, 4 * H)
        d_xs = (flat @ W_x).view(T, B, D)  # one GEMM over all steps
        dW_x = flat.T @ xs.reshape(T * B, D)
        dW_h = flat.T @ h_prev.view(T * B, H)
        return d_xs, dh, dc, dW_x, dW_h, flat.sum(dim=0), None, None


def lstm_fast_forward(xs, params, h0=None, c0=None, lengths=None):
    """The fast path of :func:`lstm_course.torch_impl.lstm_forward`: same arguments, same results.

    Parameters
    ----------
    xs : Tensor, shape (T, B, D)
    params : list of dict of Tensor
        As in :func:`lstm_course.numpy_impl.lstm_forward`.
    h0, c0 : Tensor, shape (L * num_directions, B, H), optional
    lengths : sequence of int, shape (B,), optional

    Returns
    -------
    out : Tensor, shape (T, B, num_directions * H)
    (h_n, c_n) : Tensors, shape (L * num_directions, B, H)

    See Also
    --------
    lstm_course.numpy_impl.lstm_fast_forward : the NumPy twin, with its backward.
    """
    _validate.check_sequence(xs, backend="torch")
    L, num_directions, H = _validate.check_params(params, xs, lstm_shapes, "b_f")
    T, B, _ = xs.shape
    states = []
    for name, s0 in (("h0", h0), ("c0", c0)):
        s0 = xs.new_zeros((L * num_directions, B, H)) if s0 is None else s0
        _validate.check_shape(s0, (L * num_directions, B, H), f"{name} (L * num_directions, B, H)", like=xs)
        states.append(s0)
    masks = None
    if lengths is not None:
        masks = lengths_to_mask(_validate.check_lengths(lengths, T, B), T, xs.device)
    layer_input, h_n, c_n = xs, [], []
    for layer in params:
        outs = []
        for direction in layer_directions(layer):
            index = len(h_n)  # layer-major, like torch.nn
            out, h, c = _Direction.apply(layer_input, states[0][index], states[1][index],
                                         *fuse_gates(layer[direction]), masks, direction == "reverse")
            outs.append(out)
            h_n.append(h)
            c_n.append(c)
        layer_input = outs[0] if len(outs) == 1 else torch.cat(outs, dim=-1)  # (T, B, num_directions * H)
    return layer_input, (torch.stack(h_n), torch.stack(c_n))
