"""Checker for the chapter "Making it fast": one LSTM step on the fused, hoisted gates."""

import numpy as np

from ..numpy_impl.activations import sigmoid
from ._harness import Case, Mistake, check_function, protect


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
        hints="z = zx_t + h_prev @ W_h.T  (B, 4H); f, i, o = sigmoid of the first three H-wide blocks; "
              "c_tilde = tanh of the last; c_t = f * c_prev + i * c_tilde; h_t = o * tanh(c_t).", report=report)
