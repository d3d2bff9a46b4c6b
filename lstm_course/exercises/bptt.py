"""Checkers for the Basic RNN chapter's exercises on backpropagation through a whole sequence."""

import numpy as np

from ._harness import Case, Hints, Mistake, check_function, shape_problem


def _sequence_args(rng, T, B, D, H):
    p = {"W_xh": rng.normal(size=(H, D)) * 0.5, "W_hh": rng.normal(size=(H, H)) * 0.5,
         "b_h": rng.normal(size=(H,))}
    xs, h0 = rng.normal(size=(T, B, D)), rng.normal(size=(B, H))
    hs, h = [], h0
    for t in range(T):
        h = np.tanh(xs[t] @ p["W_xh"].T + h @ p["W_hh"].T + p["b_h"])
        hs.append(h)
    return (rng.normal(size=(T, B, H)), xs, np.stack(hs), h0, p)


def _cases():
    rng = np.random.default_rng(11)
    return [Case("T = 4, D = H = 3, B = 2", _sequence_args(rng, 4, 2, 3, 3)),
            Case("T = 5, D = 2, H = 4, B = 3", _sequence_args(rng, 5, 3, 2, 4))]


def _bptt(d_out, xs, hs, h0, p, carry=True, use_output=True, accumulate=True, prev_is_current=False,
          forwards=False, derivative_of_prev=False):
    T = xs.shape[0]
    grads = {key: np.zeros_like(value) for key, value in p.items()}
    d_xs, d_next = np.zeros_like(xs), np.zeros_like(h0)
    h_prevs = np.concatenate([h0[None], hs[:-1]])  # (T, B, H): the state each step read
    for t in (range(T) if forwards else reversed(range(T))):
        dh = (d_out[t] if use_output or t == T - 1 else 0) + (d_next if carry else 0)
        h_prev = hs[t] if prev_is_current else h_prevs[t]
        dz = dh * (1 - (h_prev if derivative_of_prev else hs[t]) ** 2)  # eq. (bptt-dz)
        step = {"W_xh": dz.T @ xs[t], "W_hh": dz.T @ h_prev, "b_h": dz.sum(axis=0)}
        grads = {k: grads[k] + step[k] for k in grads} if accumulate else step
        d_xs[t] = dz @ p["W_xh"]
        d_next = dz @ p["W_hh"]
    return d_xs, d_next, grads


def reference_rnn_bptt(d_out, xs, hs, h0, p):
    """The reference answer: ``(d_xs (T, B, D), d_h0 (B, H), grads)`` of a tanh RNN over a sequence."""
    return _bptt(d_out, xs, hs, h0, p)


BPTT_MISTAKES = [
    Mistake("no gradient from step t+1",
            "the gradient reaching h_t has two terms: d_out[t] from the output at t, plus dz_{t+1} @ W_hh carried "
            "back from step t+1. Without the carry, no step learns from a later output.",
            lambda *a: _bptt(*a, carry=False)),
    Mistake("output gradient used at the last step only",
            "every step has an output, so d_out[t] enters at every t, added to the gradient carried from t+1.",
            lambda *a: _bptt(*a, use_output=False)),
    Mistake("weight gradients overwritten, not accumulated",
            "W_xh, W_hh and b_h are used at every step, so their gradients are the SUM over steps (+=); "
            "yours keep only one step's contribution.", lambda *a: _bptt(*a, accumulate=False)),
    Mistake("loop runs forwards in time",
            "the gradient of step t needs the gradient carried from t+1, so the loop runs t = T-1 down to 0.",
            lambda *a: _bptt(*a, forwards=True)),
    Mistake("h_t used where h_{t-1} belongs",
            "dW_hh at step t is dz_t.T @ h_{t-1}, the state the step read: hs[t-1], and h0 at t = 0, not hs[t].",
            lambda *a: _bptt(*a, prev_is_current=True)),
    Mistake("derivative at the wrong state",
            "tanh'(z_t) = 1 - h_t**2 uses the state the step produced, hs[t], not h_{t-1}.",
            lambda *a: _bptt(*a, derivative_of_prev=True)),
]


def check_rnn_bptt(fn, report=print):
    """Check ``fn(d_out, xs, hs, h0, p) -> (d_xs, d_h0, grads)``: BPTT of a tanh RNN over a whole sequence.

    Parameters
    ----------
    fn : callable
        ``d_out (T, B, H)`` the gradient of the loss with respect to every
        output ``hs[t]``; ``xs (T, B, D)``; ``hs (T, B, H)`` the states of the
        forward pass; ``h0 (B, H)``; ``p`` with ``W_xh (H, D)``, ``W_hh (H, H)``,
        ``b_h (H,)``. Returns ``d_xs (T, B, D)``, ``d_h0 (B, H)`` and ``grads``
        keyed like ``p``.
    report : callable

    Returns
    -------
    bool
        True only when ``fn`` is right on every case. Never raises.
    """
    return check_function(
        fn, title="BPTT over a sequence", arg_names=("d_out", "xs", "hs", "h0", "p"), cases=_cases(),
        reference=reference_rnn_bptt, mistakes=BPTT_MISTAKES,
        check_output=lambda out, exp: shape_problem(out, exp, ("d_xs", "d_h0", "grads")),
        output_names=("d_xs", "d_h0", "grads"), hints=BPTT_HINTS, report=report,
    )


BPTT_HINTS = Hints(
    nudge="follow the chapter's BPTT equations backwards in time: the gradient reaching h_t has two sources (its "
          "own output, and what step t+1 sends back), and a weight shared by all steps collects one contribution "
          "per step. Shapes: d_xs (T, B, D), d_h0 (B, H), grads keyed like p.",
    formula="for t = T-1 down to 0: dh_t = d_out[t] + (what step t+1 sent back, zero at t = T-1); dz_t = dh_t * "
            "(1 - hs[t]^2); the grads add dz_t^T xs[t], dz_t^T h_{t-1} and the batch sum of dz_t (h_{t-1} = h0 at "
            "t = 0); d_xs[t] = dz_t W_xh; step t sends dz_t W_hh back to t-1, and at t = 0 that is d_h0.")
check_rnn_bptt.hints = BPTT_HINTS


def _sum_args(rng, T, B, H):
    return (rng.normal(size=(T, B, H)), rng.normal(size=(T, B, H)))


def reference_shared_weight_gradient(dzs, h_prevs):
    """The reference answer: ``sum_t dz_t.T @ h_{t-1}``, shape (H, H)."""
    return np.einsum("tbi,tbj->ij", dzs, h_prevs)


SHARED_WEIGHT_MISTAKES = [
    Mistake("only the last step", "W_hh is used at every step, so each step adds its own dz_t.T @ h_{t-1}; "
            "keeping one step drops the others' effect on the loss.", lambda dz, hp: dz[-1].T @ hp[-1]),
    Mistake("only the first step", "every step contributes, not only t = 1: sum dz_t.T @ h_{t-1} over t.",
            lambda dz, hp: dz[0].T @ hp[0]),
    Mistake("mean over time", "a small change of W_hh changes every step at once, and the effects add up: "
            "a sum over t, not a mean.", lambda dz, hp: np.einsum("tbi,tbj->ij", dz, hp) / dz.shape[0]),
    Mistake("transposed", "dW_hh has the shape of W_hh (out, in): dz_t.T @ h_{t-1}, not h_{t-1}.T @ dz_t.",
            lambda dz, hp: np.einsum("tbi,tbj->ji", dz, hp)),
]


def check_shared_weight_gradient(fn, report=print):
    """Check ``fn(dzs, h_prevs) -> dW_hh``, the gradient of a weight shared by all T steps.

    ``dzs (T, B, H)`` holds each step's pre-activation gradient and
    ``h_prevs (T, B, H)`` the state each step read. Never raises.
    """
    rng = np.random.default_rng(5)
    cases = [Case("T = 3, B = 2, H = 3", _sum_args(rng, 3, 2, 3)), Case("T = 4, B = 1, H = 2",
                                                                      _sum_args(rng, 4, 1, 2))]
    return check_function(
        fn, title="Gradient of a shared weight", arg_names=("dzs", "h_prevs"), cases=cases,
        reference=reference_shared_weight_gradient, mistakes=SHARED_WEIGHT_MISTAKES,
        check_output=lambda out, exp: shape_problem(out, exp, ("dW_hh",)),
        output_names=("dW_hh",), hints=SHARED_WEIGHT_HINTS, report=report,
    )


SHARED_WEIGHT_HINTS = Hints(
    nudge="W_hh is used at all T steps, and a small change of it changes every step at once: how do the steps' "
          "contributions combine? dW_hh has the shape of W_hh, (H, H), (out, in).",
    formula="dW_hh = the sum over t of dzs[t]^T h_prevs[t], shape (H, H).")
check_shared_weight_gradient.hints = SHARED_WEIGHT_HINTS
