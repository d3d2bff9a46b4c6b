"""The BPTT, shared-weight, readout and numerical-gradient checkers accept the reference, name each mistake, never crash."""

import numpy as np
import pytest
from conftest import run_checker

from lstm_course.exercises import (check_numerical_gradient, check_readout_backward, check_rnn_bptt,
                                   check_shared_weight_gradient)
from lstm_course.exercises.bptt import (BPTT_MISTAKES, SHARED_WEIGHT_MISTAKES, reference_rnn_bptt,
                                        reference_shared_weight_gradient)
from lstm_course.exercises.readout import NUMERICAL_MISTAKES, READOUT_MISTAKES, reference_readout_backward
from lstm_course.numpy_impl.readout import softmax_cross_entropy

CHECKERS = [
    (check_rnn_bptt, reference_rnn_bptt, BPTT_MISTAKES),
    (check_shared_weight_gradient, reference_shared_weight_gradient, SHARED_WEIGHT_MISTAKES),
    (check_readout_backward, reference_readout_backward, READOUT_MISTAKES),
]
ALL_MISTAKES = [(c, m) for c, _, ms in CHECKERS for m in ms] + [(check_numerical_gradient, m)
                                                                 for m in NUMERICAL_MISTAKES]


@pytest.mark.parametrize("checker, reference", [(c, r) for c, r, _ in CHECKERS], ids=lambda x: x.__name__)
def test_checker_accepts_the_reference(checker, reference):
    ok, text = run_checker(checker, reference)
    assert ok and "correct" in text


@pytest.mark.parametrize("checker, mistake", ALL_MISTAKES, ids=lambda x: getattr(x, "name", None) or x.__name__)
def test_checker_names_each_known_mistake(checker, mistake):
    ok, text = run_checker(checker, mistake.fn)
    assert not ok and mistake.name in text, text


def test_numerical_gradient_checker_accepts_a_central_difference():
    def central(f, x, eps=1e-6):
        grad = np.zeros_like(x)
        for j in np.ndindex(x.shape):
            plus, minus = x.copy(), x.copy()
            plus[j] += eps
            minus[j] -= eps
            grad[j] = (f(plus) - f(minus)) / (2 * eps)
        return grad

    ok, text = run_checker(check_numerical_gradient, central)
    assert ok, text


@pytest.mark.parametrize("checker", [c for c, _, _ in CHECKERS] + [check_numerical_gradient],
                         ids=lambda c: c.__name__)
@pytest.mark.parametrize("answer, expected", [
    (lambda *a: (_ for _ in ()).throw(NotImplementedError), "not attempted yet"),
    (lambda *a: 1 / 0, "ZeroDivisionError"),
    (lambda *a: None, ""),
    ("not a function", "expected a function"),
])
def test_checkers_survive_unfinished_or_broken_answers(checker, answer, expected):
    ok, text = run_checker(checker, answer)
    assert not ok and expected in text


def test_reference_readout_matches_the_package_softmax_cross_entropy(rng):
    h, W_hy, b_y, labels = rng.normal(size=(4, 3)), rng.normal(size=(2, 3)), rng.normal(size=2), np.array([0, 1, 1, 0])
    loss, dh, grads = reference_readout_backward(h, W_hy, b_y, labels)
    ours, d_logits = softmax_cross_entropy(h @ W_hy.T + b_y, labels)
    assert np.isclose(loss, ours, atol=1e-12) and np.allclose(grads["b_y"], d_logits.sum(0), atol=1e-12)


def test_reference_bptt_matches_the_package_rnn_backward(rng):
    from lstm_course import numpy_impl
    from lstm_course.exercises.bptt import _sequence_args

    d_out, xs, hs, h0, p = _sequence_args(rng, 5, 2, 3, 4)
    out, _, cache = numpy_impl.rnn_forward(xs, [{"forward": p}], h0[None])
    d_xs, d_h0, grads = numpy_impl.rnn_backward(d_out, None, cache)
    ref = reference_rnn_bptt(d_out, xs, hs, h0, p)
    assert np.allclose(out, hs, atol=1e-12)
    assert np.allclose(ref[0], d_xs, atol=1e-12) and np.allclose(ref[1], d_h0[0], atol=1e-12)
    assert all(np.allclose(ref[2][k], grads[0]["forward"][k], atol=1e-12) for k in p)
