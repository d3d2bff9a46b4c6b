"""The GRU-backward and peephole-gradient checkers: their references are gradient-checked and agree with the
package, the right answer passes, each named mistake is named, and before an attempt only the nudge shows."""

import itertools

import numpy as np
import pytest

from lstm_course import numpy_impl
from lstm_course.exercises import check_cifg_step, check_gru_step_backward, check_peephole_dc
from lstm_course.exercises.cifg import CIFG_HINTS, CIFG_MISTAKES, reference_cifg_step
from lstm_course.exercises.cifg import _cases as cifg_cases
from lstm_course.exercises.gru_backward import GRU_BACKWARD_HINTS, GRU_BACKWARD_MISTAKES, reference_gru_step_backward
from lstm_course.exercises.gru_backward import _cases as gru_cases
from lstm_course.exercises.peephole import PEEPHOLE_HINTS, PEEPHOLE_MISTAKES, reference_peephole_dc
from lstm_course.exercises.peephole import _cases as peephole_cases
from lstm_course.gradcheck import check_gradients, numerical_gradient, relative_error
from lstm_course.numpy_impl.activations import sigmoid


def _run(checker, fn):
    messages = []
    return checker(fn, report=messages.append), "\n".join(messages)


def _copy(args):
    return tuple({k: v.copy() for k, v in a.items()} if isinstance(a, dict) else a.copy() for a in args)


# -- the references are right: central differences (step 1e-6, relative error < 1e-6) and the package --

@pytest.mark.parametrize("k", range(2))
def test_gru_backward_reference_matches_central_differences(k):
    dh_t, x_t, h_prev, p = _copy(gru_cases()[k].args)

    def loss():
        return float((numpy_impl.gru_step_forward(x_t, h_prev, p)[0] * dh_t).sum())

    dx_t, dh_prev, grads = reference_gru_step_backward(dh_t, x_t, h_prev, p)
    errors = check_gradients(loss, {"x_t": x_t, "h_prev": h_prev, "p": p},
                             {"x_t": dx_t, "h_prev": dh_prev, "p": grads})
    assert max(errors.values()) < 1e-6, errors


@pytest.mark.parametrize("k", range(2))
def test_gru_backward_reference_agrees_with_the_package_step_backward(k):
    dh_t, x_t, h_prev, p = gru_cases()[k].args
    ours = reference_gru_step_backward(dh_t, x_t, h_prev, p)
    theirs = numpy_impl.gru_step_backward(dh_t, numpy_impl.gru_step_forward(x_t, h_prev, p)[1])
    for a, b in zip(ours[:2], theirs[:2]):
        assert np.allclose(a, b, rtol=0, atol=1e-12)
    assert all(np.allclose(ours[2][key], theirs[2][key], rtol=0, atol=1e-12) for key in p)


def _peephole_step(x_t, h_prev, c_prev, p):
    h_t, c_t, _ = numpy_impl.lstm_variant_step_forward(x_t, h_prev, c_prev, p, "peephole")
    return h_t, c_t


@pytest.mark.parametrize("k", range(2))
def test_peephole_reference_matches_central_differences(k):
    dh_t, dc_t, x_t, h_prev, c_prev, p = _copy(peephole_cases()[k].args)

    def loss():
        h_t, c_t = _peephole_step(x_t, h_prev, c_prev, p)
        return float((h_t * dh_t).sum() + (c_t * dc_t).sum())

    dc, dc_prev, dp = reference_peephole_dc(dh_t, dc_t, x_t, h_prev, c_prev, p)
    errors = check_gradients(loss, {"c_prev": c_prev, "p": {k: p[k] for k in dp}}, {"c_prev": dc_prev, "p": dp})
    assert max(errors.values()) < 1e-6, errors
    # dc is the gradient at c_t itself: perturb c_t in what follows it (o_t = sigma(... + p_o c_t), h_t, the c_t term)
    z = np.concatenate([x_t, h_prev], axis=1)
    c_t = _peephole_step(x_t, h_prev, c_prev, p)[1].copy()

    def after_c_t():
        o = sigmoid(z @ p["W_o"].T + p["b_o"] + p["p_o"] * c_t)
        return float((o * np.tanh(c_t) * dh_t).sum() + (c_t * dc_t).sum())

    assert relative_error(dc, numerical_gradient(after_c_t, c_t)) < 1e-6


@pytest.mark.parametrize("k", range(2))
def test_peephole_reference_agrees_with_the_package_variant_backward(k):
    dh_t, dc_t, x_t, h_prev, c_prev, p = peephole_cases()[k].args
    _, dc_prev, dp = reference_peephole_dc(dh_t, dc_t, x_t, h_prev, c_prev, p)
    cache = numpy_impl.lstm_variant_step_forward(x_t, h_prev, c_prev, p, "peephole")[2]
    _, _, theirs_dc_prev, grads = numpy_impl.lstm_variant_step_backward(dh_t, dc_t, cache)
    assert np.allclose(dc_prev, theirs_dc_prev, rtol=0, atol=1e-12)
    assert all(np.allclose(dp[key], grads[key], rtol=0, atol=1e-12) for key in dp)


# -- the checkers --

CHECKERS = [(check_gru_step_backward, GRU_BACKWARD_MISTAKES, reference_gru_step_backward, GRU_BACKWARD_HINTS),
            (check_peephole_dc, PEEPHOLE_MISTAKES, reference_peephole_dc, PEEPHOLE_HINTS),
            (check_cifg_step, CIFG_MISTAKES, reference_cifg_step, CIFG_HINTS)]
IDS = ["gru-backward", "peephole", "cifg"]
CASES = {check_gru_step_backward: gru_cases, check_peephole_dc: peephole_cases, check_cifg_step: cifg_cases}


@pytest.mark.parametrize("checker, mistakes, reference, hints", CHECKERS, ids=IDS)
def test_the_reference_answer_passes(checker, mistakes, reference, hints):
    ok, text = _run(checker, reference)
    assert ok and "correct on all" in text, text


def _zoo():
    for (checker, mistakes, _, _), name in zip(CHECKERS, IDS):
        for mistake in mistakes:
            yield pytest.param(checker, mistake, id=f"{name}: {mistake.name}")


@pytest.mark.parametrize("checker, mistake", list(_zoo()))
def test_each_named_mistake_is_named(checker, mistake):
    ok, text = _run(checker, mistake.fn)
    assert not ok and f"({mistake.name})" in text, text


@pytest.mark.parametrize("checker, mistakes, reference, hints", CHECKERS, ids=IDS)
def test_the_mistakes_differ_from_the_answer_and_from_each_other(checker, mistakes, reference, hints):
    cases = CASES[checker]()

    def flat(out):
        parts = []
        for item in out:
            parts += [np.ravel(item[key]) for key in sorted(item)] if isinstance(item, dict) else [np.ravel(item)]
        return np.concatenate(parts)

    for case in cases:
        outs = [reference(*case.args)] + [m.fn(*case.args) for m in mistakes]
        for a, b in itertools.combinations(outs, 2):
            fa, fb = flat(a), flat(b)
            assert fa.shape != fb.shape or not np.allclose(fa, fb, atol=1e-6)


@pytest.mark.parametrize("checker, mistakes, reference, hints", CHECKERS, ids=IDS)
def test_before_an_attempt_the_nudge_shows_not_the_formula(checker, mistakes, reference, hints):
    def not_yet(*args):
        raise NotImplementedError("your code here")

    ok, text = _run(checker, not_yet)
    assert not ok and hints.nudge in text and hints.formula not in text, text


@pytest.mark.parametrize("checker, mistakes, reference, hints", CHECKERS, ids=IDS)
def test_a_wrong_answer_matching_no_mistake_gets_the_formula(checker, mistakes, reference, hints):
    def off(*args):
        out = reference(*args)
        return (out[0] + 0.01, *out[1:])

    ok, text = _run(checker, off)
    assert not ok and "matches none of the common mistakes" in text and hints.formula in text, text


@pytest.mark.parametrize("k", range(2))
def test_cifg_reference_agrees_with_the_package_variant(k):
    x_t, h_prev, c_prev, p = cifg_cases()[k].args
    h_t, c_t, _ = numpy_impl.lstm_variant_step_forward(x_t, h_prev, c_prev, p, "cifg")
    ours = reference_cifg_step(x_t, h_prev, c_prev, p)
    assert np.allclose(ours[0], h_t, rtol=0, atol=1e-12) and np.allclose(ours[1], c_t, rtol=0, atol=1e-12)


def test_a_swapped_return_order_is_refused():
    ok, text = _run(check_peephole_dc, lambda *args: (lambda dc, dcp, dp: (dcp, dc, dp))(*reference_peephole_dc(*args)))
    assert not ok
