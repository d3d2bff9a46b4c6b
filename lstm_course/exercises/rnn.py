"""Checkers for the Basic RNN chapter's exercises."""

import numpy as np

from ..numpy_impl.activations import sigmoid
from ._harness import Case, Hints, Mistake, check_function, protect


def _cases(make):
    rng = np.random.default_rng(7)
    # the square case comes first: there a transposed weight gives numbers, not a shape error,
    # so the checker can name it
    return [Case("D = H = 3, B = 2", make(rng, 2, 3, 3)), Case("D = 4, H = 5, B = 3", make(rng, 3, 4, 5))]


def _step_args(rng, B, D, H):
    p = {"W_xh": rng.normal(size=(H, D)) * 0.5, "W_hh": rng.normal(size=(H, H)) * 0.5,
         "b_h": rng.normal(size=(H,))}
    return (rng.normal(size=(B, D)), rng.normal(size=(B, H)), p)


def _step(x_t, h_prev, p, act=np.tanh, W_xh=None, W_hh=None, b=True, use_x=True, use_h=True):
    W_xh = p["W_xh"].T if W_xh is None else W_xh
    W_hh = p["W_hh"].T if W_hh is None else W_hh
    z = (x_t @ W_xh if use_x else 0) + (h_prev @ W_hh if use_h else 0) + (p["b_h"] if b else 0)
    return act(z)


def reference_rnn_step(x_t, h_prev, p):
    """The reference answer: ``tanh(x_t @ W_xh.T + h_prev @ W_hh.T + b_h)``, shape (B, H)."""
    return np.tanh(x_t @ p["W_xh"].T + h_prev @ p["W_hh"].T + p["b_h"])


RNN_STEP_MISTAKES = [
    Mistake("transposed weights",
            "you multiplied by W_xh and W_hh as stored (H, D)/(H, H). With a batch in rows, "
            "x_t is (B, D), so the seed's W_xh x_t becomes x_t @ W_xh.T.",
            lambda x, h, p: _step(x, h, p, W_xh=p["W_xh"], W_hh=p["W_hh"])),
    Mistake("transposed W_hh", "W_hh needs a transpose too: h_prev @ W_hh.T.",
            lambda x, h, p: _step(x, h, p, W_hh=p["W_hh"])),
    Mistake("transposed W_xh", "W_xh needs a transpose: x_t @ W_xh.T.",
            lambda x, h, p: _step(x, h, p, W_xh=p["W_xh"])),
    Mistake("weights swapped", "W_xh multiplies the input x_t and W_hh the previous state h_prev, not the other way round.",
            lambda x, h, p: _step(x, h, p, W_xh=p["W_hh"].T, W_hh=p["W_xh"].T)),
    Mistake("missing bias", "the bias b_h is missing from the pre-activation.",
            lambda x, h, p: _step(x, h, p, b=False)),
    Mistake("wrong activation: sigmoid", "the hidden state uses tanh here; the sigmoid belongs to gates.",
            lambda x, h, p: _step(x, h, p, act=sigmoid)),
    Mistake("wrong activation: relu", "this exercise uses tanh, not relu.",
            lambda x, h, p: _step(x, h, p, act=lambda z: np.maximum(z, 0))),
    Mistake("no activation", "the pre-activation must go through tanh.",
            lambda x, h, p: _step(x, h, p, act=lambda z: z)),
    Mistake("ignored h_prev", "h_prev never enters the computation, so the network has no memory: "
            "add h_prev @ W_hh.T.", lambda x, h, p: _step(x, h, p, use_h=False)),
    Mistake("ignored x_t", "the input x_t never enters the computation: add x_t @ W_xh.T.",
            lambda x, h, p: _step(x, h, p, use_x=False)),
]


@protect
def check_rnn_step(fn, report=print):
    """Check a learner's RNN step ``fn(x_t, h_prev, p) -> h_t`` and explain any mistake.

    Parameters
    ----------
    fn : callable
        ``x_t (B, D)``, ``h_prev (B, H)``, ``p`` with ``W_xh (H, D)``,
        ``W_hh (H, H)``, ``b_h (H,)``; returns ``h_t (B, H)`` with tanh.
    report : callable
        Where messages go (``print`` by default).

    Returns
    -------
    bool
        True only when ``fn`` is right on every case. Never raises.
    """
    return check_function(
        fn, title="RNN step", arg_names=("x_t", "h_prev", "p"), cases=_cases(_step_args),
        reference=reference_rnn_step, mistakes=RNN_STEP_MISTAKES,
        output_names=("h_t",),
        hints=RNN_STEP_HINTS, report=report,
    )


RNN_STEP_HINTS = Hints(
    nudge="compare with the chapter's RNN step equation: h_t is a tanh of three terms (one from the input, one "
          "from the previous state, and the bias). Shapes: x_t (B, D), W_xh (H, D), W_hh (H, H), h_t (B, H). With "
          "a batch in rows, which side does each weight multiply, and does it need a transpose?",
    formula="h_t = tanh(x_t W_xh^T + h_prev W_hh^T + b_h), one row per sequence of the batch.")
check_rnn_step.hints = RNN_STEP_HINTS


def _backward_args(rng, B, D, H):
    x_t, h_prev, p = _step_args(rng, B, D, H)
    h_t = reference_rnn_step(x_t, h_prev, p)
    return (rng.normal(size=(B, H)), x_t, h_prev, h_t, p)


def reference_rnn_step_backward(dh_t, x_t, h_prev, h_t, p):
    """The reference answer: ``(dx_t (B, D), dh_prev (B, H), grads)`` for a tanh step."""
    dz = dh_t * (1 - h_t ** 2)
    return dz @ p["W_xh"], dz @ p["W_hh"], {"W_xh": dz.T @ x_t, "W_hh": dz.T @ h_prev, "b_h": dz.sum(axis=0)}


def _backward(dh_t, x_t, h_prev, h_t, p, dz=None, transpose=False):
    dz = dh_t * (1 - h_t ** 2) if dz is None else dz
    dW = (lambda a: a.T @ dz) if transpose else (lambda a: dz.T @ a)
    return dz @ p["W_xh"], dz @ p["W_hh"], {"W_xh": dW(x_t), "W_hh": dW(h_prev), "b_h": dz.sum(axis=0)}


RNN_STEP_BACKWARD_MISTAKES = [
    Mistake("missing tanh derivative", "the gradient must pass through tanh: multiply dh_t by (1 - h_t**2) first.",
            lambda dh, x, hp, h, p: _backward(dh, x, hp, h, p, dz=dh)),
    Mistake("derivative at the wrong place", "tanh'(z) = 1 - tanh(z)**2 = 1 - h_t**2, with h_t (the output of "
            "this step), not h_prev.", lambda dh, x, hp, h, p: _backward(dh, x, hp, h, p, dz=dh * (1 - hp ** 2))),
    Mistake("tanh applied twice", "h_t already is tanh(z): the derivative is 1 - h_t**2, not 1 - tanh(h_t)**2.",
            lambda dh, x, hp, h, p: _backward(dh, x, hp, h, p, dz=dh * (1 - np.tanh(h) ** 2))),
    Mistake("transposed weight gradients", "dW_xh must have the shape of W_xh, (H, D): dz.T @ x_t.",
            lambda dh, x, hp, h, p: _backward(dh, x, hp, h, p, transpose=True)),
]


@protect
def check_rnn_step_backward(fn, report=print):
    """Check ``fn(dh_t, x_t, h_prev, h_t, p) -> (dx_t, dh_prev, grads)`` for a tanh RNN step.

    ``grads`` is a dict with ``W_xh (H, D)``, ``W_hh (H, H)``, ``b_h (H,)``.
    Returns True only when everything is right; never raises.
    """
    return check_function(
        fn, title="RNN step backward", arg_names=("dh_t", "x_t", "h_prev", "h_t", "p"),
        cases=_cases(_backward_args), reference=reference_rnn_step_backward, mistakes=RNN_STEP_BACKWARD_MISTAKES,
        output_names=("dx_t", "dh_prev", "grads"),
        hints=RNN_STEP_BACKWARD_HINTS, report=report,
    )


RNN_STEP_BACKWARD_HINTS = Hints(
    nudge="work backwards through h_t = tanh(z): first the gradient at the pre-activation z (the derivative of "
          "tanh, written with h_t), then one product per input and per weight. Each gradient has the shape of its "
          "variable: dx_t (B, D), dh_prev (B, H), grads['W_xh'] (H, D), grads['W_hh'] (H, H), grads['b_h'] (H,).",
    formula="dz = dh_t * (1 - h_t^2); dx_t = dz W_xh; dh_prev = dz W_hh; dW_xh = dz^T x_t; dW_hh = dz^T h_prev; "
            "db_h = the sum of dz over the batch.")
check_rnn_step_backward.hints = RNN_STEP_BACKWARD_HINTS
