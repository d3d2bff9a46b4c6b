"""Checker for a peephole gradient: what reaches c_t and c_{t-1} through the peephole weights p_f, p_i, p_o."""

import numpy as np

from ..notation import LSTM_GATES
from ..numpy_impl.activations import sigmoid
from ._harness import Case, Hints, Mistake, check_function, protect


def _args(rng, B, D, H):
    p = {f"W_{g}": rng.normal(size=(H, D + H)) * 0.6 for g in LSTM_GATES}
    p.update({f"b_{g}": rng.normal(size=H) * 0.5 for g in LSTM_GATES})
    p.update({f"p_{g}": rng.normal(size=H) * 0.8 for g in "fio"})
    return (rng.normal(size=(B, H)), rng.normal(size=(B, H)), rng.normal(size=(B, D)), rng.normal(size=(B, H)),
            rng.normal(size=(B, H)) * 1.5, p)


def _cases():
    rng = np.random.default_rng(27)
    # B != H in both cases, so a sum over the wrong axis has the wrong shape as well as the wrong values
    return [Case("D = 2, H = 3, B = 2", _args(rng, 2, 2, 3)), Case("D = 3, H = 4, B = 3", _args(rng, 3, 3, 4))]


_REDUCE = {"batch": lambda a, c: (a * c).sum(axis=0), "units": lambda a, c: (a * c).sum(axis=1),
           "none": lambda a, c: a * c, "matrix": lambda a, c: a.T @ c}


def _backward(dh_t, dc_t, x_t, h_prev, c_prev, p, o_path=True, fi_reads="c_prev", fi_into_prev=True,
              o_reads="c_t", reduce="batch"):
    """The peephole step's gradients ``(dc, dc_prev, dp)``; the switches make the mistakes of the zoo.

    ``o_reads="c_prev"`` differentiates a cell whose output gate peeps at c_{t-1} (forward and backward);
    the other switches change one line of the backward pass.
    """
    z = np.concatenate([x_t, h_prev], axis=1)
    f = sigmoid(z @ p["W_f"].T + p["b_f"] + p["p_f"] * c_prev)
    i = sigmoid(z @ p["W_i"].T + p["b_i"] + p["p_i"] * c_prev)
    c_tilde = np.tanh(z @ p["W_c"].T + p["b_c"])
    c_t = f * c_prev + i * c_tilde
    o_source = c_t if o_reads == "c_t" else c_prev
    o = sigmoid(z @ p["W_o"].T + p["b_o"] + p["p_o"] * o_source)
    tanh_c = np.tanh(c_t)
    da_o = dh_t * tanh_c * o * (1 - o)
    dc = dc_t + dh_t * o * (1 - tanh_c ** 2)
    if o_path and o_reads == "c_t":
        dc = dc + da_o * p["p_o"]  # o_t reads c_t: a third path into c_t
    da_f = dc * c_prev * f * (1 - f)
    da_i = dc * c_tilde * i * (1 - i)
    dc_prev = dc * f
    if fi_into_prev:
        dc_prev = dc_prev + da_f * p["p_f"] + da_i * p["p_i"]
    if o_reads == "c_prev":
        dc_prev = dc_prev + da_o * p["p_o"]
    fi_source = c_prev if fi_reads == "c_prev" else c_t
    total = _REDUCE[reduce]
    dp = {"p_f": total(da_f, fi_source), "p_i": total(da_i, fi_source), "p_o": total(da_o, o_source)}
    return dc, dc_prev, dp


def reference_peephole_dc(dh_t, dc_t, x_t, h_prev, c_prev, p):
    """The reference answer: ``(dc (B, H), dc_prev (B, H), dp)``, ``dp = {"p_f", "p_i", "p_o"}`` each (H,)."""
    return _backward(dh_t, dc_t, x_t, h_prev, c_prev, p)


def _mistake(**switch):
    return lambda dh, dc, x, h, c, p: _backward(dh, dc, x, h, c, p, **switch)


PEEPHOLE_MISTAKES = [
    Mistake("output peephole path into c_t missing", "o_t = sigma(... + p_o * c_t) reads the new cell, so c_t "
            "reaches the loss a third way: dc = dc_t + dh_t * o * (1 - tanh(c_t)**2) + da_o * p_o, with "
            "da_o = dh_t * tanh(c_t) * o * (1 - o). Everything computed from dc (dc_prev, dp_f, dp_i) inherits it.",
            _mistake(o_path=False)),
    Mistake("peephole on c_t instead of c_{t-1} for f and i", "f_t and i_t are computed before c_t exists: they read "
            "c_{t-1}, so dp_f = (da_f * c_prev).sum(axis=0) and dp_i = (da_i * c_prev).sum(axis=0). Only o_t reads c_t.",
            _mistake(fi_reads="c_t")),
    Mistake("dc_prev misses the peephole paths through f and i", "c_{t-1} reaches f_t and i_t through p_f and p_i, "
            "so dc_prev = dc * f + da_f * p_f + da_i * p_i, not only dc * f.", _mistake(fi_into_prev=False)),
    Mistake("output peephole on c_{t-1}", "the output gate's peephole reads the new cell c_t, the other two the "
            "old one (Gers & Schmidhuber 2000): o_t = sigma(W_o z + b_o + p_o * c_t). Its gradient goes into dc, "
            "and dp_o = (da_o * c_t).sum(axis=0).", _mistake(o_reads="c_prev")),
    Mistake("diagonal weights summed over the wrong axis", "p_f, p_i, p_o are one weight per unit (H,), shared by "
            "the batch: sum over the batch, (da * c).sum(axis=0); axis=1 sums over the units.",
            _mistake(reduce="units")),
    Mistake("diagonal weights not summed over the batch", "each of dp_f, dp_i, dp_o is (H,), like a bias: "
            "(da * c).sum(axis=0), not the (B, H) product itself.", _mistake(reduce="none")),
    Mistake("a full matrix for the diagonal weights", "a peephole is p * c, one weight per unit, not a matrix "
            "product: its gradient is the diagonal of da.T @ c, that is (da * c).sum(axis=0), of shape (H,).",
            _mistake(reduce="matrix")),
]

PEEPHOLE_HINTS = Hints(
    nudge="Recompute the step with its peepholes: f_t and i_t read c_prev, o_t reads the new c_t. dc must collect "
          "every path into c_t (there are three); dc_prev every path into c_prev. dc and dc_prev are (B, H); each of "
          "dp's 'p_f', 'p_i', 'p_o' is (H,), like a bias.",
    formula="da_o = dh_t * tanh(c_t) * o * (1 - o); dc = dc_t + dh_t * o * (1 - tanh(c_t)**2) + da_o * p_o; "
            "da_f = dc * c_prev * f * (1 - f); da_i = dc * c_tilde * i * (1 - i); "
            "dc_prev = dc * f + da_f * p_f + da_i * p_i; dp_f = (da_f * c_prev).sum(axis=0), "
            "dp_i = (da_i * c_prev).sum(axis=0), dp_o = (da_o * c_t).sum(axis=0).")


@protect
def check_peephole_dc(fn, report=print):
    """Check ``fn(dh_t, dc_t, x_t, h_prev, c_prev, p) -> (dc, dc_prev, dp)`` for the peephole LSTM step.

    Parameters
    ----------
    fn : callable
        ``dh_t, dc_t (B, H)`` are the upstream gradients, ``x_t (B, D)``, ``h_prev, c_prev (B, H)``; ``p``
        holds ``W_f, W_i, W_c, W_o (H, D + H)`` acting on ``[x_t, h_prev]``, ``b_f, b_i, b_c, b_o (H,)`` and
        the peephole weights ``p_f, p_i, p_o (H,)``. It returns ``dc (B, H)``, the whole gradient reaching
        ``c_t``; ``dc_prev (B, H)``; and ``dp = {"p_f", "p_i", "p_o"}``, each ``(H,)``.
    report : callable
        Receives the explanation (``print`` by default).

    Returns
    -------
    bool
        True only when right on every case; otherwise the likely mistake is named. Never raises.
    """
    return check_function(
        fn, title="Peephole gradient", arg_names=("dh_t", "dc_t", "x_t", "h_prev", "c_prev", "p"), cases=_cases(),
        reference=reference_peephole_dc, mistakes=PEEPHOLE_MISTAKES, output_names=("dc", "dc_prev", "dp"),
        hints=PEEPHOLE_HINTS, report=report)
