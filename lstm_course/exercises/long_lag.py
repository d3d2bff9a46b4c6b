"""Checkers for "Reproducing Hochreiter & Schmidhuber (1997)": the adding problem's criterion and the 1997 cell."""

import numpy as np

from ..numpy_impl.activations import sigmoid
from ._harness import Case, Hints, Mistake, check_function, protect

ADDING_THRESHOLD = 0.04  # a sequence is correct when |prediction - target| < 0.04 (section 5.4)


def reference_adding_success(predictions, targets):
    """The reference answer: the fraction of sequences with ``|prediction - target| < 0.04``.

    ``predictions, targets (B,)`` -> a float in [0, 1].
    """
    error = np.asarray(predictions, dtype=float) - np.asarray(targets, dtype=float)
    return float(np.mean(np.abs(error) < ADDING_THRESHOLD))


def _error(p, t):
    return np.asarray(p, dtype=float) - np.asarray(t, dtype=float)


ADDING_MISTAKES = [
    Mistake("MSE instead of the per-sequence threshold",
            "the paper scores each sequence on its own: correct when its absolute error is below 0.04. The "
            "mean squared error averages the errors first and says nothing about how many sequences are right.",
            lambda p, t: float(np.mean(_error(p, t) ** 2))),
    Mistake("threshold on the wrong side", "that is the fraction of sequences that are wrong (error at least "
            "0.04): a sequence counts as correct when its error is *below* the threshold.",
            lambda p, t: float(np.mean(np.abs(_error(p, t)) >= ADDING_THRESHOLD))),
    Mistake("the sign of the error kept", "an answer 0.3 too low has error -0.3, which is below 0.04 but "
            "far from right: compare the absolute error with the threshold.",
            lambda p, t: float(np.mean(_error(p, t) < ADDING_THRESHOLD))),
    Mistake("the squared error against 0.04", "0.04 bounds the absolute error, not its square: the squared "
            "error is below 0.04 for every error up to 0.2.",
            lambda p, t: float(np.mean(_error(p, t) ** 2 < ADDING_THRESHOLD))),
    Mistake("a count instead of a fraction", "return the fraction of sequences that are correct (a number "
            "between 0 and 1), not how many.",
            lambda p, t: float(np.sum(np.abs(_error(p, t)) < ADDING_THRESHOLD))),
]


def _adding_cases():
    rng = np.random.default_rng(1997)
    cases = []
    for label, n, spread in (("200 sequences, errors up to 0.1", 200, 0.1),
                             ("150 sequences, errors up to 0.3", 150, 0.3)):
        targets = 0.5 + rng.uniform(-1, 1, size=n) / 2
        predictions = targets + rng.uniform(-spread, spread, size=n)
        cases.append(Case(label, (predictions, targets)))
    return cases


@protect
def check_adding_success(fn, report=print):
    """Check ``fn(predictions, targets) -> fraction correct`` under the adding problem's criterion.

    ``predictions, targets (B,)``: the network's output at each sequence's last step and the target
    ``0.5 + (X1 + X2) / 4``. Returns True only when right; names the likely mistake otherwise; never raises.
    """
    return check_function(
        fn, title="adding-problem success rate", arg_names=("predictions", "targets"), cases=_adding_cases(),
        reference=reference_adding_success, mistakes=ADDING_MISTAKES, output_names=("success rate",),
        hints=Hints(nudge="the paper's criterion is per sequence (the chapter's section on the adding problem states it): "
                          "decide for each sequence whether it is right, then average over the B sequences.",
                    formula="success = mean over b of [ |predictions[b] - targets[b]| < 0.04 ]."),
        report=report)


def reference_no_forget_step(x_t, h_prev, c_prev, p):
    """The reference answer: one step of the 1997 cell, ``(h_t, c_t)``, each (B, H).

    ``p`` holds all four gates' ``W_g (H, D + H)`` and ``b_g (H,)``, as the modern cell has; the 1997 cell
    uses no forget gate: ``c_t = c_prev + i_t * c_tilde`` (``f_t = 1``).
    """
    return _no_forget(x_t, h_prev, c_prev, p)


def _no_forget(x_t, h_prev, c_prev, p, forget=None, output=True, squash=True):
    v = np.concatenate([x_t, h_prev], axis=1)
    i_t = sigmoid(v @ p["W_i"].T + p["b_i"])
    c_tilde = np.tanh(v @ p["W_c"].T + p["b_c"])
    o_t = sigmoid(v @ p["W_o"].T + p["b_o"])
    f_t = 1.0 if forget is None else forget(v, p)
    c_t = f_t * c_prev + i_t * c_tilde
    squashed = np.tanh(c_t) if squash else c_t
    return (o_t * squashed if output else squashed), c_t


NO_FORGET_MISTAKES = [
    Mistake("forget gate not pinned", "that is the modern cell: f_t = sigmoid(W_f v_t + b_f). The 1997 cell has "
            "no forget gate; its cell keeps all of c_prev (f_t = 1), whatever W_f and b_f hold.",
            lambda x, h, c, p: _no_forget(x, h, c, p, forget=lambda v, q: sigmoid(v @ q["W_f"].T + q["b_f"]))),
    Mistake("c_prev dropped", "with f_t = 1 the old cell is kept and the new content added to it: "
            "c_t = c_prev + i_t * c_tilde, not i_t * c_tilde alone.",
            lambda x, h, c, p: _no_forget(x, h, c, p, forget=lambda v, q: 0.0)),
    Mistake("forget gate at sigmoid(0) = 0.5", "a gate that is 'off' at zero input is still 0.5; the 1997 cell "
            "has f_t = 1 exactly, which is why chapter 7 pins b_f at a huge value.",
            lambda x, h, c, p: _no_forget(x, h, c, p, forget=lambda v, q: 0.5)),
    Mistake("output gate left out", "the 1997 cell does have an output gate: h_t = o_t * tanh(c_t).",
            lambda x, h, c, p: _no_forget(x, h, c, p, output=False)),
    Mistake("tanh of the cell left out", "the output squashes the cell first: h_t = o_t * tanh(c_t), "
            "not o_t * c_t.", lambda x, h, c, p: _no_forget(x, h, c, p, squash=False)),
]


def _no_forget_cases():
    rng = np.random.default_rng(7)
    cases = []
    for label, B, D, H in (("B = 2, D = 3, H = 4", 2, 3, 4), ("B = 3, D = 2, H = 5", 3, 2, 5)):
        p = {f"W_{g}": rng.normal(size=(H, D + H)) * 0.7 for g in "fico"}
        p |= {f"b_{g}": rng.normal(size=H) for g in "fico"}
        p["b_i"] = p["b_i"] - 3.0  # the 1997 paper's negative input bias
        p["b_f"] = p["b_f"] - 2.0  # so that an unpinned forget gate is far from 1
        cases.append(Case(label, (rng.normal(size=(B, D)), rng.normal(size=(B, H)),
                                  2 * rng.normal(size=(B, H)), p)))
    return cases


@protect
def check_no_forget_cell(fn, report=print):
    """Check ``fn(x_t, h_prev, c_prev, p) -> (h_t, c_t)``, one step of the 1997 cell (no forget gate).

    ``x_t (B, D)``, ``h_prev, c_prev (B, H)``; ``p`` holds ``W_f, W_i, W_c, W_o (H, D + H)`` and
    ``b_f, b_i, b_c, b_o (H,)`` (the forget gate's entries are there, as in a modern parameter tree, and
    must not be used). Returns True only when right; names the likely mistake otherwise; never raises.
    """
    return check_function(
        fn, title="1997 LSTM step", arg_names=("x_t", "h_prev", "c_prev", "p"), cases=_no_forget_cases(),
        reference=reference_no_forget_step, mistakes=NO_FORGET_MISTAKES, output_names=("h_t", "c_t"),
        hints=Hints(nudge="start from the LSTM step of chapter 7 (v_t = [x_t, h_prev], four gates) and ask what "
                          "f_t is in the 1997 cell; return (h_t, c_t), each (B, H).",
                    formula="i_t = sigmoid(v W_i^T + b_i), c_tilde = tanh(v W_c^T + b_c), "
                            "o_t = sigmoid(v W_o^T + b_o); c_t = c_prev + i_t * c_tilde; h_t = o_t * tanh(c_t)."),
        report=report)
