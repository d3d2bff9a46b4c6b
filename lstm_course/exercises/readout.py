"""Checkers for the readout and softmax cross-entropy gradient, and for a learner's own gradient check."""

import numpy as np

from ._harness import Case, Hints, Mistake, check_function, shape_problem


def _softmax(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _readout(h, W_hy, b_y, labels, sign=1, scale=True, onehot=True, act=_softmax, dh_transposed=False):
    B, C = h.shape[0], W_hy.shape[0]
    y_hat = act(h @ W_hy.T + b_y)  # (B, C)
    y = np.eye(C)[labels]
    loss = float(-np.log(np.take_along_axis(_softmax(h @ W_hy.T + b_y), labels[:, None], 1)).mean())
    d_logits = sign * (y_hat - (y if onehot else 0)) / (B if scale else 1)  # (B, C): (y_hat - y) / B
    dh = d_logits @ (W_hy.T.T if not dh_transposed else W_hy.T)
    return loss, dh, {"W_hy": d_logits.T @ h, "b_y": d_logits.sum(axis=0)}


def reference_readout_backward(h, W_hy, b_y, labels):
    """The reference answer: ``(loss, dh (B, H), {"W_hy" (C, H), "b_y" (C,)})``, loss a batch mean."""
    return _readout(h, W_hy, b_y, labels)


READOUT_MISTAKES = [
    Mistake("sign flipped", "the gradient of the cross-entropy with respect to the logits is y_hat - y "
            "(predicted minus target), not y - y_hat.", lambda *a: _readout(*a, sign=-1)),
    Mistake("no division by B", "the loss is the MEAN over the batch, so every gradient carries a factor 1/B.",
            lambda *a: _readout(*a, scale=False)),
    Mistake("target not subtracted", "the softmax's gradient alone is not enough: d_logits = y_hat - y, with y "
            "the one-hot target.", lambda *a: _readout(*a, onehot=False)),
    Mistake("sigmoid instead of softmax", "the C scores go through a softmax, which couples them: "
            "y_hat = exp(z) / sum(exp(z)).", lambda *a: _readout(*a, act=lambda z: 1 / (1 + np.exp(-z)))),
    Mistake("transposed W_hy in dh", "dh = d_logits @ W_hy: (B, C) @ (C, H) gives (B, H).",
            lambda *a: _readout(*a, dh_transposed=True)),
]


def _readout_args(rng, B, H, C):
    return (rng.normal(size=(B, H)), rng.normal(size=(C, H)), rng.normal(size=C), rng.integers(C, size=B))


def check_readout_backward(fn, report=print):
    """Check ``fn(h, W_hy, b_y, labels) -> (loss, dh, grads)`` for a softmax readout with mean cross-entropy.

    ``h (B, H)``, ``W_hy (C, H)``, ``b_y (C,)``, ``labels (B,)`` integers;
    ``grads`` holds ``W_hy (C, H)`` and ``b_y (C,)``. Never raises.
    """
    rng = np.random.default_rng(3)
    cases = [Case("B = 3, H = C = 3", _readout_args(rng, 3, 3, 3)), Case("B = 4, H = 5, C = 2",
                                                                      _readout_args(rng, 4, 5, 2))]
    return check_function(
        fn, title="Readout and cross-entropy", arg_names=("h", "W_hy", "b_y", "labels"), cases=cases,
        reference=reference_readout_backward, mistakes=READOUT_MISTAKES,
        check_output=lambda out, exp: (shape_problem(out[1:], exp[1:], ("dh", "grads"))
                                       if isinstance(out, tuple) and len(out) == 3
                                       else "expected a tuple (loss, dh, grads)"),
        output_names=("loss", "dh", "grads"), hints=READOUT_HINTS, report=report,
    )


READOUT_HINTS = Hints(
    nudge="three results: the loss (the batch mean, one number), dh (B, H), and grads for W_hy (C, H) and b_y "
          "(C,). The chapter's cross-entropy gradient gives the gradient at the logits; the rest is one product "
          "(or one sum) each.",
    formula="y_hat = softmax(h W_hy^T + b_y); loss = the mean over b of -log y_hat[b, labels[b]]; d_logits = "
            "(y_hat - onehot(labels)) / B; dh = d_logits W_hy; dW_hy = d_logits^T h; db_y = the sum of d_logits "
            "over the batch.")
check_readout_backward.hints = READOUT_HINTS


def _test_function(kind):
    """A scalar function of an array and its exact gradient, for checking a numerical gradient."""
    if kind == "quartic":
        return (lambda x: float(np.sum(x ** 4) / 4 + np.sum(np.sin(3 * x)))), \
               (lambda x: x ** 3 + 3 * np.cos(3 * x))
    return (lambda x: float(np.log(np.sum(np.exp(2 * x))))), \
           (lambda x: 2 * np.exp(2 * x) / np.sum(np.exp(2 * x)))


def _numerical(f, x, eps=1e-6, forward=False, half=False, all_at_once=False):
    grad = np.zeros_like(x)
    for j in np.ndindex(x.shape):
        plus, minus = x.copy(), x.copy()
        if all_at_once:
            plus, minus = x + eps, x - eps
        else:
            plus[j] += eps
            minus[j] -= eps
        if forward:
            grad[j] = (f(plus) - f(x)) / eps
        else:
            grad[j] = (f(plus) - f(minus)) / (eps if half else 2 * eps)
    return grad


NUMERICAL_MISTAKES = [
    Mistake("forward differences", "(f(x + eps) - f(x)) / eps has an error of order eps; the central "
            "difference (f(x + eps) - f(x - eps)) / (2 eps) is accurate to order eps**2.",
            lambda f, x: _numerical(f, x, forward=True)),
    Mistake("divided by eps, not 2 eps", "the two points x + eps and x - eps are 2 eps apart.",
            lambda f, x: _numerical(f, x, half=True)),
    Mistake("every entry perturbed at once", "perturb ONE entry at a time (a copy of x with only x[j] moved); "
            "moving all entries measures a sum of partial derivatives.",
            lambda f, x: _numerical(f, x, all_at_once=True)),
]


def check_numerical_gradient(fn, report=print):
    """Check ``fn(f, x) -> grad``, a central-difference gradient of a scalar ``f(x)`` at an array ``x``.

    The reference is the exact gradient; a correct central difference with
    ``eps`` about 1e-6 agrees with it to about 1e-9. Never raises.
    """
    rng = np.random.default_rng(9)
    cases = [Case(f"{kind} function, x of shape {shape}", (_test_function(kind)[0], rng.normal(size=shape)))
             for kind, shape in (("quartic", (3,)), ("log-sum-exp", (2, 3)))]
    exact = {id(c.args[0]): _test_function(k)[1] for c, k in zip(cases, ("quartic", "log-sum-exp"))}

    def reference(f, x):
        for case in cases:  # deep copies keep functions as they are, so identity finds the case
            if case.args[0] is f:
                return exact[id(f)](x)
        return _numerical(f, x)

    return check_function(
        fn, title="Numerical gradient", arg_names=("f", "x"), cases=cases, reference=reference,
        mistakes=NUMERICAL_MISTAKES, check_output=lambda out, exp: shape_problem(out, exp, ("grad",)),
        output_names=("grad",), hints=NUMERICAL_HINTS, report=report,
    )


NUMERICAL_HINTS = Hints(
    nudge="move one entry of x at a time by a small step, both ways, and compare f at the two points (the "
          "chapter's gradient check); grad has the shape of x, and x itself must stay as it is.",
    formula="grad[j] = (f(x + eps e_j) - f(x - eps e_j)) / (2 eps) for every index j of x, with eps about 1e-6 "
            "and e_j moving entry j only (on copies of x).")
check_numerical_gradient.hints = NUMERICAL_HINTS
