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
from ..workspace import check_current
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
    """One direction of one layer: ``(xs, h0, c0, W_x, W_h, b) -> (out, h_n, c_n)``.

    Every per-step view is made once, outside the loops (``unbind``), and every
    factor of the backward that does not depend on the carried gradients is
    computed for all T steps at once: the loops keep about eight torch calls per
    step, since at small sizes each call's overhead costs more than its arithmetic.
    States live in ``hs, cs (T + 1, B, H)``, indexed by position in the order of
    processing: ``hs[0]`` is ``h0``, ``hs[s]`` the state after the s-th step.
    """

    @staticmethod
    def forward(ctx, xs, h0, c0, W_x, W_h, b, masks, reverse, take, workspace):
        T, B, D = xs.shape
        H = h0.shape[1]
        gates = take("gates", (T, B, 4 * H), xs)
        torch.addmm(b, xs.reshape(T * B, D), W_x.T, out=gates.view(T * B, 4 * H))  # hoisted input projection
        order = list(range(T - 1, -1, -1)) if reverse else list(range(T))
        hs, cs = take("hs", (T + 1, B, H), xs), take("cs", (T + 1, B, H), xs)
        hs[0], cs[0] = h0, c0
        tanh_c = take("tanh_c", (T, B, H), xs)
        g, sig, tnh = gates.unbind(0), gates[..., :3 * H].unbind(0), gates[..., 3 * H:].unbind(0)
        f, i, o = (gates[..., n * H:(n + 1) * H].unbind(0) for n in range(3))
        hs_, cs_, tanh_c_, W_hT = hs.unbind(0), cs.unbind(0), tanh_c.unbind(0), W_h.T
        for s, t in enumerate(order, start=1):
            g[t].addmm_(hs_[s - 1], W_hT)  # the one GEMM per step
            sig[t].sigmoid_()
            tnh[t].tanh_()
            torch.mul(f[t], cs_[s - 1], out=cs_[s])
            cs_[s].addcmul_(i[t], tnh[t])  # c_t = f_t c_prev + i_t c_tilde
            torch.tanh(cs_[s], out=tanh_c_[t])
            torch.mul(o[t], tanh_c_[t], out=hs_[s])  # h_t = o_t tanh(c_t)
            if masks is not None:  # padded rows keep their state
                m = masks[t][:, None]
                torch.where(m, hs_[s], hs_[s - 1], out=hs_[s])
                torch.where(m, cs_[s], cs_[s - 1], out=cs_[s])
        out = hs[1:].flip(0) if reverse else hs[1:]  # (T, B, H) in time order
        h_prev = hs[:-1].flip(0) if reverse else hs[:-1]
        c_prev = cs[:-1].flip(0) if reverse else cs[:-1]
        if masks is not None:
            out = out * masks[..., None]  # padded steps output zeros
        ctx.save_for_backward(xs, gates, h_prev, c_prev, tanh_c, W_x, W_h)
        ctx.masks, ctx.order, ctx.take = masks, order, take
        ctx.workspace, ctx.generation = workspace, None if workspace is None else workspace.generation
        out = out.clone() if workspace is not None and not (reverse or masks is not None) else out.contiguous()
        return out, hs[T].clone(), cs[T].clone()  # the results never live in the workspace

    @staticmethod
    def backward(ctx, d_out, dh_n, dc_n):
        if ctx.workspace is not None:  # before autograd's own check of the saved tensors, with a clearer message
            check_current(ctx.workspace, ctx.generation, "backward of lstm_fast_forward", "lstm_fast_forward")
        xs, gates, h_prev, c_prev, tanh_c, W_x, W_h = ctx.saved_tensors
        take = ctx.take
        T, B, D = xs.shape
        H = h_prev.shape[2]
        f, i, o, c_tilde = (gates[..., n * H:(n + 1) * H] for n in range(4))
        # The factors that do not depend on the carried gradients, for all steps at once, written
        # in place into one (T, B, 4H) buffer in the fused order f, i, o, c:
        # dz_f = dc_t * c_prev f (1 - f), dz_i = dc_t * c_tilde i (1 - i), dz_c = dc_t * i (1 - c_tilde^2),
        # dz_o = dh_t * tanh(c_t) o (1 - o), and dc_t = dc + dh_t * o (1 - tanh(c_t)^2).
        P = torch.addcmul(gates, gates, gates, value=-1, out=take("P", gates.shape, gates))  # s (1 - s): sigmoids
        P_f, P_i, P_o, P_c = (P[..., n * H:(n + 1) * H] for n in range(4))
        P_f.mul_(c_prev)
        P_i.mul_(c_tilde)
        P_o.mul_(tanh_c)
        torch.mul(c_tilde, c_tilde, out=P_c)
        torch.addcmul(i, i, P_c, value=-1, out=P_c)  # i (1 - c_tilde^2)
        A = torch.mul(tanh_c, tanh_c, out=take("A", tanh_c.shape, tanh_c))
        torch.addcmul(o, o, A, value=-1, out=A)  # (T, B, H): o (1 - tanh(c_t)^2)
        masks = ctx.masks
        if masks is not None:
            d_out = d_out * masks[..., None]
        dZ = take("dZ", gates.shape, gates)  # (T, B, 4H): gradients of the pre-activations
        dZ_, dZ4_, P4_ = dZ.unbind(0), dZ.view(T, B, 4, H).unbind(0), P.view(T, B, 4, H).unbind(0)
        dZ_o_, P_o_ = dZ[..., 2 * H:3 * H].unbind(0), P_o.unbind(0)
        d_out_, A_, f_ = d_out.unbind(0), A.unbind(0), f.unbind(0)
        dh, dc = dh_n, dc_n
        for t in reversed(ctx.order):  # five torch calls per step without padding
            dh_t = dh + d_out_[t]  # from the output at t, plus from step t+1
            dc_t = torch.addcmul(dc, dh_t, A_[t])
            torch.mul(P4_[t], dc_t.unsqueeze(1), out=dZ4_[t])  # f, i and c take dc_t ...
            torch.mul(P_o_[t], dh_t, out=dZ_o_[t])  # ... and o takes dh_t
            if masks is not None:  # a padded step passed its state through unchanged
                m = masks[t][:, None]
                dZ_[t].mul_(m)
                dh, dc = torch.where(m, dZ_[t] @ W_h, dh_t), torch.where(m, dc_t * f_[t], dc)
            else:
                dh, dc = dZ_[t] @ W_h, dc_t * f_[t]
        flat = dZ.view(T * B, 4 * H)
        need = ctx.needs_input_grad  # (xs, h0, c0, W_x, W_h, b, ...): skip what nobody asked for
        d_xs = (flat @ W_x).view(T, B, D) if need[0] else None  # one GEMM over all steps
        dW_x = flat.T @ xs.reshape(T * B, D) if need[3] else None
        dW_h = flat.T @ h_prev.reshape(T * B, H) if need[4] else None
        db = flat.sum(dim=0) if need[5] else None
        return d_xs, dh, dc, dW_x, dW_h, db, None, None, None, None


def _fresh(name, shape, like):
    return like.new_empty(shape)


def _taker(workspace, prefix):
    """``take(name, shape, like)``: a buffer from ``workspace`` (tensors, keyed by name), or a new one without."""
    if workspace is None:
        return _fresh

    def take(name, shape, like):
        return workspace.reuse(f"{prefix}.{name}", lambda buffer: (buffer.shape == tuple(shape) and buffer.dtype
                                                                  == like.dtype and buffer.device == like.device),
                               lambda: like.new_empty(shape))

    return take


def lstm_fast_forward(xs, params, h0=None, c0=None, lengths=None, workspace=None):
    """The fast path of :func:`lstm_course.torch_impl.lstm_forward`: same arguments, same results.

    Parameters
    ----------
    xs : Tensor, shape (T, B, D)
    params : list of dict of Tensor
        As in :func:`lstm_course.numpy_impl.lstm_forward`.
    h0, c0 : Tensor, shape (L * num_directions, B, H), optional
    lengths : sequence of int, shape (B,), optional
    workspace : lstm_course.workspace.Workspace, optional
        Keep the buffers that the backward reads (gates, states, ``tanh(c_t)``) and the gate gradients
        from one call to the next, rather than new memory on every call (see
        :mod:`lstm_course.workspace`; the same class holds tensors here). The graph is then
        valid until the next call with the same workspace: a backward after it raises ValueError rather
        than reading reused buffers. The results never live in it.

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
    if workspace is not None:
        workspace.begin()
    layer_input, h_n, c_n = xs, [], []
    for k, layer in enumerate(params):
        outs = []
        for direction in layer_directions(layer):
            index = len(h_n)  # layer-major, like torch.nn
            out, h, c = _Direction.apply(layer_input, states[0][index], states[1][index],
                                         *fuse_gates(layer[direction]), masks, direction == "reverse",
                                         _taker(workspace, f"twin.{k}.{index}"), workspace)
            outs.append(out)
            h_n.append(h)
            c_n.append(c)
        layer_input = outs[0] if len(outs) == 1 else torch.cat(outs, dim=-1)  # (T, B, num_directions * H)
    return layer_input, (torch.stack(h_n), torch.stack(c_n))
