"""Checker for one step of the coupled-gate LSTM (CIFG): the input gate is 1 - f_t, with no weights of its own."""

import numpy as np

from ..numpy_impl.activations import sigmoid
from ._harness import Case, Hints, Mistake, check_function, protect


def _args(rng, B, D, H):
    p = {f"W_{g}": rng.normal(size=(H, D + H)) * 0.6 for g in "fco"}
    p.update({f"b_{g}": rng.normal(size=H) * 0.5 for g in "fco"})
    return (rng.normal(size=(B, D)), rng.normal(size=(B, H)), rng.normal(size=(B, H)), p)


def _cases():
    rng = np.random.default_rng(33)
    return [Case("D = H = 3, B = 2", _args(rng, 2, 3, 3)), Case("D = 2, H = 4, B = 3", _args(rng, 3, 2, 4))]


def _step(x_t, h_prev, c_prev, p, couple="1-f"):
    z = np.concatenate([x_t, h_prev], axis=1)
    f = sigmoid(z @ p["W_f"].T + p["b_f"])
    c_tilde = np.tanh(z @ p["W_c"].T + p["b_c"])
    o = sigmoid(z @ p["W_o"].T + p["b_o"])
    keep, write = {"1-f": (f, 1 - f), "f": (f, f), "swapped": (1 - f, f), "none": (f, 1.0)}[couple]
    c_t = keep * c_prev + write * c_tilde
    return o * np.tanh(c_t), c_t


def reference_cifg_step(x_t, h_prev, c_prev, p):
    """The reference answer: ``(h_t, c_t)``, each (B, H)."""
    return _step(x_t, h_prev, c_prev, p)


CIFG_MISTAKES = [
    Mistake("input gate equal to f_t", "coupled means i_t = 1 - f_t: what the cell forgets is what it writes, "
            "so the old and the new content are mixed, c_t = f_t * c_prev + (1 - f_t) * c_tilde.",
            lambda x, h, c, p: _step(x, h, c, p, couple="f")),
    Mistake("coupled the wrong way round", "f_t (from W_f, b_f) still keeps the old cell: c_t = f_t * c_prev + "
            "(1 - f_t) * c_tilde, not (1 - f_t) * c_prev + f_t * c_tilde.",
            lambda x, h, c, p: _step(x, h, c, p, couple="swapped")),
    Mistake("input gate left out", "without W_i the input gate is not 1: it is 1 - f_t. c_t = f_t * c_prev + "
            "(1 - f_t) * c_tilde.", lambda x, h, c, p: _step(x, h, c, p, couple="none")),
]

CIFG_HINTS = Hints(
    nudge="p has no W_i or b_i: the input gate is made from the forget gate. Start from the LSTM step of chapter 7 "
          "and replace one line. Return (h_t, c_t), each (B, H).",
    formula="v = [x_t, h_prev]; f = sigmoid(v @ W_f.T + b_f); c_tilde = tanh(v @ W_c.T + b_c); "
            "o = sigmoid(v @ W_o.T + b_o); c_t = f * c_prev + (1 - f) * c_tilde; h_t = o * tanh(c_t).")


@protect
def check_cifg_step(fn, report=print):
    """Check ``fn(x_t, h_prev, c_prev, p) -> (h_t, c_t)`` for the coupled input-forget gate (CIFG) LSTM.

    Parameters
    ----------
    fn : callable
        ``x_t (B, D)``, ``h_prev, c_prev (B, H)``; ``p`` holds ``W_f, W_c, W_o (H, D + H)`` acting on
        ``[x_t, h_prev]`` and ``b_f, b_c, b_o (H,)``: no input-gate weights, since ``i_t = 1 - f_t``.
        It returns ``h_t, c_t (B, H)``.
    report : callable
        Receives the explanation (``print`` by default).

    Returns
    -------
    bool
        True only when right on every case; otherwise the likely mistake is named. Never raises.
    """
    return check_function(
        fn, title="CIFG step", arg_names=("x_t", "h_prev", "c_prev", "p"), cases=_cases(),
        reference=reference_cifg_step, mistakes=CIFG_MISTAKES, output_names=("h_t", "c_t"), hints=CIFG_HINTS,
        report=report)
