"""Checkers for the chapter "Making it fast": one LSTM step on the fused, hoisted gates, and the FLOP count."""

import numpy as np

from ..numpy_impl.activations import sigmoid
from ._harness import Case, Hints, Mistake, both, check_function, protect


def _cases():
    rng = np.random.default_rng(17)
    cases = []
    for label, B, H in (("B = 2, H = 3", 2, 3), ("B = 3, H = 4", 3, 4)):
        cases.append(Case(label, (rng.normal(size=(B, 4 * H)), rng.normal(size=(B, H)), rng.normal(size=(B, H)),
                                  rng.normal(size=(4 * H, H)) * 0.6)))
    return cases


def _step(zx_t, h_prev, c_prev, W_h, order="fioc", content=np.tanh):
    H = h_prev.shape[1]
    z = zx_t + h_prev @ W_h.T  # (B, 4H): the one GEMM per step
    blocks = {g: z[:, n * H:(n + 1) * H] for n, g in enumerate(order)}
    f_t, i_t, o_t = sigmoid(blocks["f"]), sigmoid(blocks["i"]), sigmoid(blocks["o"])
    c_tilde = content(blocks["c"])
    c_t = f_t * c_prev + i_t * c_tilde
    return o_t * np.tanh(c_t), c_t


def reference_fused_lstm_step(zx_t, h_prev, c_prev, W_h):
    """The reference answer: ``(h_t, c_t)``, each (B, H), from ``zx_t (B, 4H)`` in the order f, i, o, c."""
    return _step(zx_t, h_prev, c_prev, W_h)


FUSED_STEP_MISTAKES = [
    Mistake("torch's gate order", "the fused block of lstm_course is ordered f, i, o, c (the three sigmoid gates "
            "first); torch.nn.LSTM orders its rows i, f, g, o.", lambda z, h, c, W: _step(z, h, c, W, order="ifco")),
    Mistake("the order of the readable equations", "in the fused block the content comes last (f, i, o, c), "
            "so that one sigmoid call covers the first 3H columns.",
            lambda z, h, c, W: _step(z, h, c, W, order="fico")),
    Mistake("sigmoid on the content", "the last H columns are the content c_tilde: tanh, not sigmoid.",
            lambda z, h, c, W: _step(z, h, c, W, content=sigmoid)),
]


@protect
def check_fused_lstm_step(fn, report=print):
    """Check ``fn(zx_t, h_prev, c_prev, W_h) -> (h_t, c_t)``, one step of the fast path.

    ``zx_t (B, 4H)`` is the hoisted input projection of step t, bias included,
    in the fused order f, i, o, c; ``h_prev, c_prev (B, H)``; ``W_h (4H, H)``.
    Returns True only when right; names the likely mistake otherwise; never raises.
    """
    return check_function(
        fn, title="fused LSTM step", arg_names=("zx_t", "h_prev", "c_prev", "W_h"), cases=_cases(),
        reference=reference_fused_lstm_step, mistakes=FUSED_STEP_MISTAKES, output_names=("h_t", "c_t"),
        hints=FUSED_STEP_HINTS, report=report)


FUSED_STEP_HINTS = Hints(
    nudge="zx_t already holds the input part and the bias, so one product adds the recurrent part, giving (B, 4H). "
          "Split that into four H-wide blocks in this package's fused order (which gates come first, and why?), "
          "then make the usual cell update. Return (h_t, c_t), each (B, H).",
    formula="z = zx_t + h_prev W_h^T, (B, 4H), blocks f, i, o, c in that order; f_t, i_t, o_t = sigmoid of the "
            "first three blocks, c_tilde = tanh of the last; c_t = f_t * c_prev + i_t * c_tilde; h_t = o_t * "
            "tanh(c_t).")
check_fused_lstm_step.hints = FUSED_STEP_HINTS


def reference_lstm_flops(T, B, D, H):
    """The reference answer: FLOPs of the GEMMs of one LSTM layer and direction, forward plus backward.

    ``2 T B (D + H) 4H`` forward (a multiply-add is two FLOPs), twice that
    backward (``dZ W`` and ``dZ^T [x, h]``): ``24 T B (D + H) H``.
    """
    return 24 * T * B * (D + H) * H


FLOPS_MISTAKES = [
    Mistake("a multiply-add counted as one FLOP", "a multiply-add is two floating-point operations: "
            "an (m, k) @ (k, n) product costs 2 m k n.", lambda T, B, D, H: 12 * T * B * (D + H) * H),
    Mistake("the forward pass only", "the backward pass makes two products of the forward's size: dZ W for the "
            "inputs and the state, and dZ^T [x, h] for the weights; forward plus backward is three times the "
            "forward.", lambda T, B, D, H: 8 * T * B * (D + H) * H),
    Mistake("one backward product", "the backward pass needs both dZ W (for the inputs and the state) and "
            "dZ^T [x, h] (for the weights): two products, not one.", lambda T, B, D, H: 16 * T * B * (D + H) * H),
    Mistake("one gate instead of four", "the fused gate matrix is (4H, D + H): four gates of H rows each.",
            lambda T, B, D, H: 6 * T * B * (D + H) * H),
    Mistake("the recurrent part left out", "each gate reads [x_t, h_(t-1)], of width D + H, not D alone.",
            lambda T, B, D, H: 24 * T * B * D * H),
]
FLOPS_MISTAKES.append(both(FLOPS_MISTAKES[1], FLOPS_MISTAKES[0], lambda T, B, D, H: 4 * T * B * (D + H) * H))


def _flops_cases():
    return [Case("a small layer", (3, 2, 5, 7)), Case("a layer with D < H", (4, 3, 2, 6))]


@protect
def check_lstm_flops(fn, report=print):
    """Check ``fn(T, B, D, H) -> FLOPs`` of one LSTM layer's GEMMs, forward plus full backward, one direction.

    Returns True only when right; names the likely mistake otherwise; never raises.
    """
    return check_function(
        fn, title="LSTM FLOP count", arg_names=("T", "B", "D", "H"), cases=_flops_cases(),
        reference=reference_lstm_flops, mistakes=FLOPS_MISTAKES, output_names=("flops",),
        hints=FLOPS_HINTS, report=report)


FLOPS_HINTS = Hints(
    nudge="count the matrix products only. Per step, the B rows of [x_t, h_prev] meet the fused gate matrix: how "
          "many FLOPs does an (m, k) @ (k, n) product cost, and how many products of that size does the backward "
          "pass make? Return one integer.",
    formula="forward: T products (B, D + H) @ (D + H, 4H), each 2 m k n FLOPs; backward: two products of the same "
            "size per step (dZ W and dZ^T [x, h]); the total is three times the forward.")
check_lstm_flops.hints = FLOPS_HINTS
